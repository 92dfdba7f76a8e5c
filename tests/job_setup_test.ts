import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import {
  apertureReach,
  kernelParamsOf,
  openJobInput,
  readGeometry,
  setupJob,
} from "../pipeline/job/setup.ts";
import { scanSegy } from "../pipeline/plan/scan.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";

const F3 = new URL("../../shared/data/segy/f3.sgy", import.meta.url).pathname;

/** Counts the traces whose headers a file reads. */
function countHeaderReads(file: SegyFile): { traces: number } {
  const counter = { traces: 0 };
  const read = file.readHeaders.bind(file);
  file.readHeaders = (first, count, fields) => {
    counter.traces += count;
    return read(first, count, fields);
  };
  return counter;
}

Deno.test("setup: without --grid the headers are read once and give the grid pstm scan suggests", async () => {
  using file = await SegyFile.open(F3);
  const reads = countHeaderReads(file);
  const index = await Deno.makeTempFile();
  const identity = { path: F3, size: 0, mtime: 0, traces: 414, ns: 1, dt: 1, headers: [] };
  const { geometry, grid } = await readGeometry(file, true, index, identity);
  assert.equal(reads.traces, file.info.traceCount); // once, not twice
  assert.equal(geometry.count, 414);
  assert.deepEqual(geometry.input, identity);
  using again = await SegyFile.open(F3);
  const { method: _method, ...scanned } = (await scanSegy(again)).grid;
  assert.deepEqual(grid, scanned);
  const first = await file.readHeaders(0, 1);
  const band = [...geometry.bands()][0];
  assert.equal(band.mx[0], 0.5 * (first.sx[0] + first.gx[0]));
  assert.equal(band.my[0], 0.5 * (first.sy[0] + first.gy[0]));
  geometry.close();
  await Deno.remove(index);
});

Deno.test("setup: setupJob reads the headers once with or without --grid", async () => {
  for (const grid of [undefined, "605835,6073556,25,25,23,18,0"]) {
    const job = parseJobConfig({
      input: F3,
      output: "unused.sgy",
      velocity: "2000",
      grid,
      plain: true,
    });
    const input = await openJobInput(job, "unused");
    const reads = countHeaderReads(input.file);
    const setup = await setupJob(job, input);
    assert.equal(reads.traces, 414, `grid ${grid}`);
    if (grid) assert.deepEqual([setup.grid.nx, setup.grid.ny, setup.grid.x0], [23, 18, 605835]);
    assert.equal(setup.time.ntau, setup.info.ns);
    assert.equal(setup.params.ns, setup.info.ns);
    assert.equal(setup.reach, Infinity); // no aperture, no angle limit
    assert.ok((await Deno.stat("unused.sgy.geometry")).isFile, "the index is on disk");
    await setup.geometry.release();
    await assert.rejects(() => Deno.stat("unused.sgy.geometry"), Deno.errors.NotFound);
    await input.close();
  }
});

Deno.test("setup: bad velocity or time axis is a PstmError (exit 2) before any trace is read", async () => {
  for (const bad of [{ velocity: "0:2000,1:-5" }, { time: "0,0,10" }]) {
    const job = parseJobConfig({ input: F3, output: "unused.sgy", velocity: "2000", ...bad });
    const input = await openJobInput(job, "unused");
    await assert.rejects(
      () => setupJob(job, input),
      (e: unknown) => e instanceof PstmError && e.exitCode === 2,
    );
    await input.close();
  }
});

Deno.test("setup: standard input is spooled beside the output and the spool removed on close", async () => {
  const dir = await Deno.makeTempDir();
  const spool = `${dir}/out.sgy.stdin-spool.sgy`;
  const bytes = await Deno.readFile(F3);
  const stdin = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.subarray(0, 5000));
      controller.enqueue(bytes.subarray(5000));
      controller.close();
    },
  });
  const input = await openJobInput({ input: "-", headers: [] }, spool, stdin);
  assert.equal(input.path, spool);
  assert.equal(input.name, "stdin"); // messages name stdin, not the spool
  assert.equal(input.file.info.path, "stdin");
  assert.equal(input.file.info.traceCount, 414);
  assert.equal((await Deno.stat(spool)).size, bytes.length);
  await input.close();
  await input.close(); // safe twice
  await assert.rejects(() => Deno.stat(spool), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("setup: a spool that is not SEG-Y is removed when opening it fails", async () => {
  const dir = await Deno.makeTempDir();
  const spool = `${dir}/out.sgy.stdin-spool.sgy`;
  const stdin = ReadableStream.from([new Uint8Array(100)]);
  await assert.rejects(() => openJobInput({ input: "-", headers: [] }, spool, stdin), PstmError);
  await assert.rejects(() => Deno.stat(spool), Deno.errors.NotFound);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("setup: kernel parameters and aperture reach follow the options", () => {
  const job = parseJobConfig({
    input: "a",
    output: "b",
    velocity: "2000",
    aperture: 800,
    maxAngle: 30,
    taper: 0.2,
    aa: true,
    weights: "obliquity",
    offsetClasses: "0:100:3",
  });
  const grid = { x0: 0, y0: 0, dx: 25, dy: 12.5, nx: 4, ny: 4, azimuthDeg: 0 };
  const time = { tau0: 0, dtau: 0.004, ntau: 251 };
  const settings = {
    aperture: 800,
    maxAngle: 30,
    taper: 0.2,
    aa: true,
    traceSpacing: 12.5,
    traceSpacingY: 50,
  };
  const p = kernelParamsOf(job, settings, { ns: 500, t0: -0.1, dt: 0.002 }, grid, time, {
    first: 0,
    width: 100,
    count: 3,
  });
  assert.deepEqual(
    [p.ns, p.t0, p.dt, p.ntau, p.nclass, p.aperture, p.maxAngle, p.taper, p.antialias],
    [500, -0.1, 0.002, 251, 3, 800, 30, 0.2, true],
  );
  assert.equal(p.traceSpacing, 12.5);
  assert.equal(p.traceSpacingY, 50);
  assert.equal(p.spacingAzimuthDeg, 0);
  assert.equal(p.weights, "obliquity");
  // 1 s * 2000 m/s * tan 30 / 2 = 577 m < 800 m
  const reach = apertureReach(p, time, 2000);
  assert.ok(Math.abs(reach - 1000 * Math.tan(Math.PI / 6)) < 1e-6, `${reach}`);
  assert.equal(apertureReach({ ...p, maxAngle: 0 }, time, 2000), 800);
  const turned = kernelParamsOf(
    job,
    settings,
    { ns: 1, t0: 0, dt: 1 },
    {
      ...grid,
      azimuthDeg: 33,
    },
    time,
    { first: 0, width: 1, count: 1 },
  );
  assert.equal(turned.spacingAzimuthDeg, 33, "the spacing turns with the grid");
});

/**
 * scanSegy on a synthetic rotated 3-D pre-stack survey written with
 * SegyWriter, on shared files, and `pstm scan` through its command module.
 */

import { newTraceBatch } from "../pipeline/segy/trace_batch.ts";
import assert from "node:assert/strict";
import { formatScanSummary, scanSegy } from "../pipeline/plan/scan.ts";
import { classOffset } from "../pipeline/plan/offset_classes.ts";
import { headerMapWith } from "../pipeline/segy/header_map.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyWriter } from "../pipeline/segy/segy_writer.ts";

const AZIMUTH = 30;
const DX = 25, DY = 12.5, NX = 20, NY = 10, X0 = 400000, Y0 = 6500000;
const OFFSETS = [100, 300, 500];

/** Survey: bin (ix, iy) = crossline 100 + 2 ix of inline 500 + iy; three offsets each. */
async function writeSurvey(path: string) {
  const a = AZIMUTH * Math.PI / 180;
  const u = [Math.cos(a), Math.sin(a)], v = [-u[1], u[0]];
  const count = NX * NY * OFFSETS.length;
  const ns = 4;
  const batch = newTraceBatch({
    count,
    ns,
    dt: 0.004,
    headers: ["inline", "crossline", "offset", "cdpx", "cdpy"],
  });
  let t = 0;
  for (let iy = 0; iy < NY; iy++) {
    for (let ix = 0; ix < NX; ix++) {
      for (const off of OFFSETS) {
        const mx = X0 + ix * DX * u[0] + iy * DY * v[0];
        const my = Y0 + ix * DX * u[1] + iy * DY * v[1];
        batch.sx[t] = mx - off / 2 * u[0];
        batch.sy[t] = my - off / 2 * u[1];
        batch.gx[t] = mx + off / 2 * u[0];
        batch.gy[t] = my + off / 2 * u[1];
        batch.headers.inline[t] = 500 + iy;
        batch.headers.crossline[t] = 100 + 2 * ix;
        batch.headers.offset[t] = off;
        batch.headers.cdpx[t] = mx;
        batch.headers.cdpy[t] = my;
        t++;
      }
    }
  }
  const writer = await SegyWriter.create(path, { ns, dt: 0.004 });
  await writer.write(batch);
  await writer.close();
}

async function withSurvey(fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await writeSurvey(`${dir}/survey.sgy`);
    await fn(`${dir}/survey.sgy`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const near = (a: number, b: number, tol: number, what: string) =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

Deno.test("scanSegy recovers a rotated grid from inline/crossline headers", async () => {
  await withSurvey(async (path) => {
    using file = await SegyFile.open(path);
    const s = await scanSegy(file, { batchSize: 64 });
    assert.equal(s.traces, NX * NY * 3);
    assert.equal(s.samples, 4);
    assert.ok(s.traceLength.consistent);
    assert.equal(s.grid.method, "inline/crossline headers");
    near(s.grid.azimuthDeg, AZIMUTH, 1e-3, "azimuth");
    near(s.grid.dx, DX, 1e-3, "dx");
    near(s.grid.dy, DY, 1e-3, "dy");
    assert.equal(s.grid.nx, NX);
    assert.equal(s.grid.ny, NY);
    near(s.grid.x0, X0, 0.01, "x0");
    near(s.grid.y0, Y0, 0.01, "y0");
    assert.equal(s.grid.inline0, 500);
    assert.equal(s.grid.crossline0, 100);
    assert.equal(s.grid.inlineStep, 1);
    assert.equal(s.grid.crosslineStep, 2);
    assert.deepEqual(s.fold, { min: 3, mean: 3, max: 3, liveBins: NX * NY, totalBins: NX * NY });
    assert.equal(s.offset.from, "header");
    assert.equal(s.offset.min, 100);
    assert.equal(s.offset.max, 500);
    assert.equal(s.offset.histogram.counts.reduce((a, b) => a + b), s.traces);
    assert.equal(s.offset.histogram.counts[0], NX * NY);
    // 16 bins over 100..500 m: bin centres, not starts
    assert.equal(s.offset.histogram.centres[0], 112.5);
    assert.equal(s.offset.histogram.centres[15], 487.5);
    // three offsets 200 m apart at fold 3: one class per offset, centred on it
    assert.deepEqual(s.offset.suggestedClasses, { first: 0, width: 200, count: 3 });
    assert.deepEqual([0, 1, 2].map((k) => classOffset(k, s.offset.suggestedClasses)), OFFSETS);
    assert.deepEqual(s.inline, { min: 500, max: 509 });
    const json = JSON.parse(JSON.stringify(s));
    assert.deepEqual(json, s);
    const text = formatScanSummary(s);
    assert.match(text, /20 x 10 bins, azimuth 30.00 deg/);
    assert.match(text, /--offset-classes 0:200:3/);
    assert.match(text, /\n\s+112\.50\s+200 #+\n/); // the first bin labelled by its centre
  });
});

Deno.test("scanSegy falls back to the principal axes of midpoints", async () => {
  await withSurvey(async (path) => {
    // Point inline/crossline at unused (zero) bytes: no line numbers.
    const headerMap = headerMapWith(["inline=233:i4", "crossline=229:i4"]);
    using file = await SegyFile.open(path, { headerMap });
    const s = await scanSegy(file);
    assert.equal(s.grid.method, "principal axes of midpoints");
    near(s.grid.azimuthDeg % 180, AZIMUTH, 1e-3, "azimuth");
    near(s.grid.dx, DX, 0.02, "dx");
    near(s.grid.dy, DY, 0.02, "dy");
    assert.equal(s.grid.nx, NX);
    assert.equal(s.grid.ny, NY);
    assert.equal(s.fold.liveBins, NX * NY);
    assert.equal(s.fold.max, 3);
    assert.equal(s.inline, undefined);
  });
});

Deno.test("scanSegy reports stale trace ns and post-stack CDP geometry of f3.sgy", async () => {
  using file = await SegyFile.open(
    new URL("../../shared/data/segy/f3.sgy", import.meta.url).pathname,
  );
  const s = await scanSegy(file);
  assert.equal(s.traceLength.mismatches, 414);
  assert.equal(s.midpoint.from, "cdpx/cdpy");
  assert.equal(s.grid.nx * s.grid.ny, 414);
  near(s.grid.dx, 25, 0.01, "dx");
  near(s.grid.dy, 25, 0.01, "dy");
  assert.equal(s.fold.liveBins, 414);
});

const driver = `
  import { parseCommandArgs } from ${
  JSON.stringify(new URL("../cli/args.ts", import.meta.url).href)
};
  import { scanCommand } from ${JSON.stringify(new URL("../cli/scan.ts", import.meta.url).href)};
  try { Deno.exit(await scanCommand.run(parseCommandArgs(scanCommand.spec, Deno.args))); }
  catch (e) { console.error(e.message); Deno.exit(e.exitCode ?? 1); }
`;

async function pstmScan(args: string[], stdin?: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", driver, "--", ...args],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) await (await Deno.open(stdin)).readable.pipeTo(child.stdin);
  const out = await child.output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("scanCommand prints JSON, reads stdin, exits 2 on bad input", async () => {
  await withSurvey(async (path) => {
    const file = await pstmScan([path, "--json"]);
    assert.equal(file.code, 0, file.stderr);
    const fromFile = JSON.parse(file.stdout);
    assert.equal(fromFile.grid.nx, NX);
    const piped = await pstmScan(["-", "--json"], path);
    assert.equal(piped.code, 0, piped.stderr);
    const fromStdin = JSON.parse(piped.stdout);
    assert.equal(fromStdin.traces, fromFile.traces);
    assert.deepEqual(fromStdin.grid, fromFile.grid);
  });
  const data = new URL("../../shared/data/segy/", import.meta.url).pathname;
  const broken = await pstmScan([`${data}broken.sgy`]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /broken\.sgy, trace 3/);
  const badHeader = await pstmScan([`${data}small.sgy`, "--header", "sx=300:i4"]);
  assert.equal(badHeader.code, 2);
  assert.match(badHeader.stderr, /outside the 240-byte trace header/);
  const su = await pstmScan([`${data}small.su`, "--su"]);
  assert.equal(su.code, 0, su.stderr);
  assert.match(su.stdout, /Seismic Unix/);
});

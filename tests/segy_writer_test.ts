/**
 * SegyWriter: write, read back, compare samples and headers; random-access
 * writes; stdout; bad values.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyWritableStream } from "../pipeline/segy/segy_writable_stream.ts";
import { SegyWriter } from "../pipeline/segy/segy_writer.ts";
import type { TraceBatch } from "../pipeline/segy/trace_batch.ts";

function makeBatch(first: number, count: number, ns: number): TraceBatch {
  const f = (k: (i: number) => number) =>
    Float64Array.from({ length: count }, (_, t) => k(first + t));
  const samples = new Float32Array(count * ns);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.sin(i * 0.1 + first) * 1000;
  return {
    firstTrace: first,
    count,
    ns,
    dt: 0.002,
    t0: 0.1,
    samples,
    sx: f((i) => 500000.25 + i * 12.5),
    sy: f((i) => 6700000.75 - i),
    gx: f((i) => 500100.5 + i * 12.5),
    gy: f(() => 6700010.01),
    headers: {
      offset: f((i) => -100 - i),
      inline: f((i) => 1000 + Math.floor(i / 10)),
      crossline: f((i) => 2000 + (i % 10)),
      cdpx: f((i) => 500050.37 + i),
      cdpy: f(() => 6700005.38),
      gelev: f(() => 12.34),
      cdp: f((i) => i * 3),
      unknownField: f((i) => i),
    },
  };
}

async function tempPath() {
  const dir = await Deno.makeTempDir();
  return { dir, path: `${dir}/out.sgy` };
}

function assertBatchesMatch(read: TraceBatch, written: TraceBatch, tolerance = 0.005) {
  assert.deepEqual(read.samples, written.samples);
  for (const key of ["sx", "sy", "gx", "gy"] as const) {
    for (let t = 0; t < read.count; t++) {
      assert.ok(Math.abs(read[key][t] - written[key][t]) <= tolerance, `${key} ${t}`);
    }
  }
  for (const field of ["offset", "inline", "crossline", "cdp"]) {
    assert.deepEqual(read.headers[field], written.headers[field], field);
  }
  for (const field of ["cdpx", "cdpy", "gelev"]) {
    for (let t = 0; t < read.count; t++) {
      assert.ok(Math.abs(read.headers[field][t] - written.headers[field][t]) <= tolerance, field);
    }
  }
}

Deno.test("SegyWriter round-trips samples and headers through SegyFile", async () => {
  const { dir, path } = await tempPath();
  try {
    const ns = 37;
    const writer = await SegyWriter.create(path, {
      ns,
      dt: 0.002,
      t0: 0.1,
      textHeader: "C 1 HELLO\nC 2 WORLD",
    });
    const a = makeBatch(0, 30, ns), b = makeBatch(30, 12, ns);
    await writer.write(a);
    await writer.write(b);
    await writer.close();
    await writer.close(); // safe twice
    using file = await SegyFile.open(path);
    const info = file.info;
    assert.equal(info.revision, 1);
    assert.equal(info.format, 5);
    assert.equal(info.littleEndian, false);
    assert.equal(info.textEncoding, "ebcdic");
    assert.equal(info.textHeader.split("\n")[1], "C 2 WORLD");
    assert.equal(info.ns, ns);
    assert.equal(info.dt, 0.002);
    assert.equal(info.t0, 0.1);
    assert.equal(info.traceCount, 42);
    assert.deepEqual(info.warnings, []);
    const read = await file.readTraces(0, 42);
    assertBatchesMatch(await file.readTraces(0, 30), a);
    assertBatchesMatch(await file.readTraces(30, 12), b);
    assert.deepEqual([...read.headers.tracl.subarray(0, 3)], [1, 2, 3]);
    assert.deepEqual([...read.headers.scalco.subarray(0, 1)], [-100]);
    assert.deepEqual([...read.headers.ns.subarray(0, 1)], [ns]);
    assert.deepEqual([...read.headers.dt.subarray(0, 1)], [2000]);
    assert.deepEqual([...read.headers.delrt.subarray(0, 1)], [100]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SegyWriter writes IBM samples, trace identification 1, sorting code and fold", async () => {
  const { dir, path } = await tempPath();
  try {
    const ns = 37;
    const writer = await SegyWriter.create(path, {
      ns,
      dt: 0.002,
      sampleFormat: "ibm",
      sortingCode: 2,
      ensembleFold: 4,
    });
    const a = makeBatch(0, 8, ns);
    a.samples[3] = 0;
    a.samples[4] = -118.625;
    await writer.write(a);
    await writer.close();
    using file = await SegyFile.open(path);
    assert.equal(file.info.format, 1);
    const bytes = await Deno.readFile(path);
    const view = new DataView(bytes.buffer);
    assert.equal(view.getInt16(3226), 4, "ensemble fold");
    assert.equal(view.getInt16(3228), 2, "sorting code: CDP ensemble");
    assert.equal(view.getUint32(3600 + 240 + 4 * 4), 0xc276a000, "-118.625 as IBM bits");
    const read = await file.readTraces(0, 8);
    assert.deepEqual([...read.headers.trid], new Array(8).fill(1));
    for (let i = 0; i < a.samples.length; i++) {
      const want = a.samples[i];
      assert.ok(Math.abs(read.samples[i] - want) <= 1e-6 * Math.abs(want), `sample ${i}`);
    }
    assert.equal(read.samples[3], 0);
    assert.equal(read.samples[4], -118.625);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SegyWriter.writeAt puts batches at their place in a preallocated file", async () => {
  const { dir, path } = await tempPath();
  try {
    const ns = 8;
    const writer = await SegyWriter.create(path, {
      ns,
      dt: 0.004,
      traceCount: 20,
      coordinateScalar: -10,
      elevationScalar: -10,
    });
    assert.equal((await Deno.stat(path)).size, 3600 + 20 * (240 + 4 * ns));
    const parts = [makeBatch(15, 5, ns), makeBatch(0, 7, ns), makeBatch(7, 8, ns)];
    await Promise.all(parts.map((p) => writer.writeAt(p.firstTrace, p)));
    await writer.sync();
    await writer.close();
    assert.equal((await Deno.stat(path)).size, 3600 + 20 * (240 + 4 * ns));
    using file = await SegyFile.open(path);
    const all = await file.readTraces(0, 20);
    assert.deepEqual([...all.headers.tracl], Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual([...all.headers.scalco.subarray(0, 1)], [-10]);
    for (const p of parts) {
      assertBatchesMatch(await file.readTraces(p.firstTrace, p.count), p, 0.05);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SegyWritableStream writes a stream of batches", async () => {
  const { dir, path } = await tempPath();
  try {
    const writer = await SegyWriter.create(path, { ns: 5, dt: 0.004 });
    const batches = [makeBatch(0, 3, 5), makeBatch(3, 4, 5)];
    await ReadableStream.from(batches).pipeTo(new SegyWritableStream(writer));
    using file = await SegyFile.open(path);
    assert.equal(file.info.traceCount, 7);
    assertBatchesMatch(await file.readTraces(3, 4), batches[1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SegyWriter writes sequentially to stdout", async () => {
  const script = `
    import { SegyWriter } from ${
    JSON.stringify(new URL("../pipeline/segy/segy_writer.ts", import.meta.url).href)
  };
    const w = await SegyWriter.create("-", { ns: 3, dt: 0.004 });
    const one = { firstTrace: 0, count: 2, ns: 3, dt: 0.004, t0: 0, samples: new Float32Array([1, 2, 3, 4, 5, 6]),
      sx: new Float64Array([1, 2]), sy: new Float64Array(2), gx: new Float64Array(2), gy: new Float64Array(2), headers: {} };
    await w.write(one);
    await w.close();
    await w.writeAt(0, one).catch((e) => console.error(e.name));
  `;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  assert.equal(out.stdout.length, 3600 + 2 * 252);
  const view = new DataView(out.stdout.buffer);
  assert.equal(view.getFloat32(3600 + 252 + 240 + 8), 6);
  assert.match(new TextDecoder().decode(out.stderr), /PstmError/);
});

Deno.test("SegyWriter rejects bad options and values that do not fit", async () => {
  const { dir, path } = await tempPath();
  try {
    await assert.rejects(SegyWriter.create(path, { ns: 0, dt: 0.004 }), PstmError);
    await assert.rejects(SegyWriter.create(path, { ns: 10, dt: 0.1 }), /dt must be/);
    await assert.rejects(
      SegyWriter.create(path, { ns: 10, dt: 0.004, coordinateScalar: 7 }),
      PstmError,
    );
    const writer = await SegyWriter.create(path, { ns: 4, dt: 0.004 });
    const bad = makeBatch(0, 2, 4);
    bad.sx[1] = 1e12; // * 100 overflows int32
    assert.throws(() => writer.write(bad), (e: unknown) => {
      assert.ok(e instanceof PstmError);
      assert.equal(e.location.trace, 1);
      assert.equal(e.location.field, "sx");
      return true;
    });
    assert.throws(() => writer.write(makeBatch(0, 1, 5)), /5 samples per trace; the file has 4/);
    await writer.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * SegyTraceStream: bytes cut into random chunks give the same traces as
 * SegyFile, for SEG-Y and SU, either byte order.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyTraceStream } from "../pipeline/segy/segy_trace_stream.ts";
import type { TraceBatch } from "../pipeline/segy/trace_batch.ts";

const DATA = new URL("../../shared/data/segy/", import.meta.url);
const path = (name: string) => new URL(name, DATA).pathname;

function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function chunks(bytes: Uint8Array, rand: () => number, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const n = 1 + Math.floor(rand() * max);
    out.push(bytes.slice(at, at + n));
    at += n;
  }
  return out;
}

async function collect(stream: ReadableStream<TraceBatch>): Promise<TraceBatch[]> {
  const out: TraceBatch[] = [];
  for await (const b of stream) out.push(b);
  return out;
}

const FILES = [
  "small.sgy",
  "small-lsb.sgy",
  "f3.sgy",
  "Format1lsb.sgy",
  "stanzas-unknown-count.sgy",
  "rotated-small-rev2.sgy",
  "small.su",
  "small-lsb.su",
  "cdp700.su",
  "multi-text.sgy",
];

for (const name of FILES) {
  Deno.test(`SegyTraceStream reads ${name} in random chunks as SegyFile does`, async () => {
    using file = await SegyFile.open(path(name));
    const all = await file.readTraces(0, file.info.traceCount);
    const bytes = await Deno.readFile(path(name));
    const rand = random(name.length * 7919);
    for (const max of [1 + Math.floor(rand() * 50), 997, 1 << 16]) {
      const batchSize = 1 + Math.floor(rand() * 9);
      const stream = new SegyTraceStream({ name, batchSize });
      const batches = await collect(
        ReadableStream.from(chunks(bytes, rand, max)).pipeThrough(stream),
      );
      const info = await stream.info;
      assert.equal(info.ns, file.info.ns);
      assert.equal(info.kind, file.info.kind);
      assert.equal(info.littleEndian, file.info.littleEndian);
      let next = 0;
      for (const b of batches) {
        assert.equal(b.firstTrace, next);
        assert.ok(b.count <= batchSize);
        const from = next * info.ns;
        assert.deepEqual(b.samples, all.samples.subarray(from, from + b.count * info.ns));
        assert.deepEqual(b.sx, all.sx.subarray(next, next + b.count));
        for (const [field, values] of Object.entries(b.headers)) {
          assert.deepEqual(values, all.headers[field].subarray(next, next + b.count), field);
        }
        next += b.count;
      }
      assert.equal(next, file.info.traceCount);
    }
  });
}

Deno.test("SegyTraceStream errors with a PstmError when the stream ends mid-trace", async () => {
  const bytes = (await Deno.readFile(path("small.sgy"))).subarray(0, 3600 + 3 * 440 + 17);
  const stream = new SegyTraceStream({ name: "cut.sgy", batchSize: 2 });
  const seen: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const b of ReadableStream.from([bytes]).pipeThrough(stream)) seen.push(b.count);
    })(),
    (e: unknown) => {
      assert.ok(e instanceof PstmError);
      assert.equal(e.location.trace, 3);
      assert.match(e.message, /cut\.sgy, trace 3.*expected 440 bytes, got 17/);
      return true;
    },
  );
  assert.deepEqual(seen, [2, 1]);
});

Deno.test("SegyTraceStream rejects info and the stream for invalid headers", async () => {
  const bytes = (await Deno.readFile(path("small.sgy"))).slice();
  new DataView(bytes.buffer).setUint16(3224, 99);
  const stream = new SegyTraceStream({ name: "bad.sgy", format: "segy" });
  await assert.rejects(collect(ReadableStream.from([bytes]).pipeThrough(stream)), PstmError);
  await assert.rejects(stream.info, PstmError);
  assert.throws(() => new SegyTraceStream({ batchSize: 0 }), RangeError);
});

Deno.test("SegyTraceStream reads a file piped to a child's stdin", async () => {
  const script = `
    import { SegyTraceStream } from ${
    JSON.stringify(new URL("../pipeline/segy/segy_trace_stream.ts", import.meta.url).href)
  };
    let n = 0;
    for await (const b of Deno.stdin.readable.pipeThrough(new SegyTraceStream({ name: "-" }))) n += b.count;
    console.log(n);
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const file = await Deno.open(path("f3.sgy"));
  await file.readable.pipeTo(child.stdin);
  const out = await child.output();
  assert.equal(new TextDecoder().decode(out.stdout).trim(), "414");
});

/**
 * SEG-Y I/O benchmarks on a 100,000-trace x 250-sample IBM-float file made
 * in a temp dir: header scan (traces/s) and trace reading with IBM
 * conversion (MB/s). Targets on a 2-core machine: scan >= 1,000,000 traces/s,
 * reading >= 500 MB/s. Figures are printed once before the bench table.
 *
 * Run: deno bench -A bench/segy_bench.ts
 */

import { at, BIN_FORMAT, FILE_HEADER_BYTES } from "../pipeline/segy/binary_header.ts";
import { numberToIbm } from "../pipeline/segy/sample_formats.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyTraceStream } from "../pipeline/segy/segy_trace_stream.ts";
import { SegyWriter } from "../pipeline/segy/segy_writer.ts";
import type { TraceBatch } from "../pipeline/segy/trace_batch.ts";

const TRACES = 100_000;
const NS = 250;
const SCAN_FIELDS = ["offset", "ns", "cdpx", "cdpy", "inline", "crossline"];

function synthetic(first: number, count: number): TraceBatch {
  const samples = new Float32Array(count * NS);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.sin(i * 0.37) * (1 + (i % 97));
  const f = (g: (t: number) => number) =>
    Float64Array.from({ length: count }, (_, k) => g(first + k));
  return {
    firstTrace: first,
    count,
    ns: NS,
    dt: 0.004,
    t0: 0,
    samples,
    sx: f((t) => 400000 + (t % 500) * 25),
    sy: f((t) => 6500000 + Math.floor(t / 500) * 25),
    gx: f((t) => 400100 + (t % 500) * 25),
    gy: f((t) => 6500000 + Math.floor(t / 500) * 25),
    headers: {
      offset: f(() => 100),
      inline: f((t) => Math.floor(t / 500)),
      crossline: f((t) => t % 500),
    },
  };
}

/** Writes the file with SegyWriter (IEEE), then re-encodes the samples as IBM (format 1). */
async function makeIbmFile(path: string): Promise<number> {
  const writer = await SegyWriter.create(path, { ns: NS, dt: 0.004 });
  for (let first = 0; first < TRACES; first += 10_000) await writer.write(synthetic(first, 10_000));
  await writer.close();
  const bytes = await Deno.readFile(path);
  const view = new DataView(bytes.buffer);
  view.setUint16(at(BIN_FORMAT), 1, false);
  const stride = 240 + 4 * NS;
  for (let t = 0; t < TRACES; t++) {
    const base = FILE_HEADER_BYTES + t * stride + 240;
    for (let i = 0; i < NS; i++) {
      const p = base + 4 * i;
      view.setUint32(p, numberToIbm(view.getFloat32(p, false)), false);
    }
  }
  await Deno.writeFile(path, bytes);
  return bytes.length;
}

const dir = await Deno.makeTempDir({ prefix: "pstm_segy_bench" });
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
const path = `${dir}/ibm.sgy`;
const fileBytes = await makeIbmFile(path);
const file = await SegyFile.open(path);

async function scanHeaders(fields?: string[]): Promise<number> {
  let n = 0;
  for (let first = 0; first < TRACES; first += 65536) {
    n += (await file.readHeaders(first, Math.min(65536, TRACES - first), fields)).count;
  }
  return n;
}

async function readAll(): Promise<number> {
  let n = 0;
  for await (const b of file.stream({ batchSize: 4096 })) n += b.count;
  return n;
}

async function streamAll(): Promise<number> {
  const input = await Deno.open(path);
  let n = 0;
  const stream = input.readable.pipeThrough(new SegyTraceStream({ batchSize: 4096 }));
  for await (const b of stream) n += b.count;
  return n;
}

async function timeIt(fn: () => Promise<number>, repeats = 3): Promise<number> {
  await fn();
  let best = Infinity;
  for (let k = 0; k < repeats; k++) {
    const start = performance.now();
    await fn();
    best = Math.min(best, (performance.now() - start) / 1000);
  }
  return best;
}

const mb = fileBytes / 1e6;
const scanS = await timeIt(() => scanHeaders(SCAN_FIELDS));
const scanAllS = await timeIt(() => scanHeaders());
const readS = await timeIt(readAll);
const streamS = await timeIt(streamAll);
console.log(
  [
    `SEG-Y bench: ${TRACES} traces x ${NS} IBM samples, ${mb.toFixed(1)} MB`,
    `  header scan (scan fields):  ${(TRACES / scanS / 1e6).toFixed(2)} M traces/s (target >= 1)`,
    `  header scan (all 26 fields): ${(TRACES / scanAllS / 1e6).toFixed(2)} M traces/s`,
    `  SegyFile.stream, IBM -> f32: ${(mb / readS).toFixed(0)} MB/s (target >= 500)`,
    `  SegyTraceStream from file:  ${(mb / streamS).toFixed(0)} MB/s`,
  ].join("\n"),
);

Deno.bench({
  group: "segy",
  name: "header scan, 100k traces (scan fields)",
  n: 10,
  warmup: 2,
  async fn() {
    await scanHeaders(SCAN_FIELDS);
  },
});

Deno.bench({
  group: "segy",
  name: "read 100k IBM traces -> float32 (SegyFile.stream)",
  n: 5,
  warmup: 1,
  async fn() {
    await readAll();
  },
});

Deno.bench({
  group: "segy",
  name: "read 100k IBM traces -> float32 (SegyTraceStream)",
  n: 5,
  warmup: 1,
  async fn() {
    await streamAll();
  },
});

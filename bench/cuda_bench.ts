/**
 * CUDA backend throughput: contributions/s (input traces x output samples
 * summed, per second) in plain and full mode, and traces/s of the kernel part
 * of the standard workload (DESIGN.md section 6): one offset class of 31,310
 * traces of 1,001 samples at 4 ms, output 512 x 384 bins at 25 m x 1,001
 * samples, aperture 1,500 m, maximum angle 60 degrees, v_rms 1,800 -> 4,200
 * m/s. Its original implementation ran at 14 traces/s; the plan aimed at
 * 2,000 (target) and 10,000 (stretch) traces/s on a GPU.
 *
 *     deno bench -A bench/cuda_bench.ts    deno bench table + a summary
 *     deno run -A bench/cuda_bench.ts      the summary alone
 *
 * Each iteration is a whole tile: open (upload points, velocity, image),
 * accumulate the batches, finish (download). The summary gives wall-clock
 * rates and kernel-only rates from the device time the library measures
 * with CUDA events. Before anything is timed, the kernel is validated
 * against the float64 reference on a small survey (relative L2 <= 1e-3).
 * Without build/libpstm_cuda.so or a CUDA device, every bench is skipped
 * with the reason in its name.
 *
 * Environment: PSTM_CUDA_LIBRARY or PSTM_LIB_DIR (ffi/library.ts) override
 * the library path;
 * PSTM_BENCH_TRACES takes the first N traces of the standard survey
 * (default all 31,310) for a quicker run, traces/s is then still per trace.
 *
 * @module
 */

import type { KernelBatch, KernelParams } from "../backends/backend.ts";
import { NativeBackend, nativeDeviceInfo } from "../backends/native/mod.ts";
import {
  BENCH_MODES as MODES,
  makePoints,
  plainParams,
  random,
  randomBatch,
  referenceImage,
  relativeL2,
} from "./kernel_cases.ts";

// ---- workloads -----------------------------------------------------------------------

/** A tile and the batches of traces that reach it. */
interface Workload {
  params: KernelParams;
  points: Float32Array;
  velocity: Float32Array;
  batches: KernelBatch[];
}

/** A run: wall seconds, device (kernel) seconds, contributions. */
interface Run {
  seconds: number;
  kernelSeconds: number;
  contributions: number;
  image: Float32Array;
}

/** The standard workload's migration: radius and angle aperture, no other option. */
const STANDARD = {
  aperture: 1500,
  maxAngle: 60,
  taper: 0,
  antialias: false,
  weights: "none",
  eta: 0,
} as const;

/** v_rms rising linearly from 1,800 m/s at 0 s to 4,200 m/s at 4 s. */
function vrms(tau: number): number {
  return 1800 + 600 * Math.min(tau, 4);
}

/** nx x ny points at 25 m from (x0, y0), ntau samples at 4 ms from 0. */
function grid(x0: number, y0: number, nx: number, ny: number, ntau: number) {
  const points = makePoints({ kind: "grid", nx, ny, spacing: 25, origin: [x0, y0] });
  const npoints = nx * ny;
  const velocity = new Float32Array(npoints * ntau);
  const column = Float32Array.from({ length: ntau }, (_, it) => vrms(0.004 * it));
  for (let j = 0; j < npoints; j++) velocity.set(column, j * ntau);
  return { npoints, points, velocity };
}

function params(
  mode: keyof typeof MODES,
  ns: number,
  npoints: number,
  ntau: number,
): KernelParams {
  return plainParams({ ns, npoints, ntau, ...MODES[mode] });
}

/** Random traces with midpoints over a w x h area (plus a margin) and offsets <= 1 km. */
function randomTraces(count: number, ns: number, w: number, h: number, seed: number) {
  const area = { x0: -200, y0: -200, width: w + 400, height: h + 400, maxHalfOffset: 500 };
  return randomBatch(count, ns, area, random(seed));
}

/** The contributions/s workload: 96 x 96 points x 1,001 samples, 2,048 traces. */
function throughputWorkload(mode: keyof typeof MODES): Workload {
  const g = grid(0, 0, 96, 96, 1001);
  const batch = randomTraces(2048, 1001, 96 * 25, 96 * 25, 17);
  return { params: params(mode, 1001, g.npoints, 1001), ...g, batches: [batch] };
}

/** A small survey for validation against the reference (16 x 16 x 200, 200 traces). */
function validationWorkload(mode: keyof typeof MODES): Workload {
  const g = grid(0, 0, 16, 16, 200);
  const batch = randomTraces(200, 500, 400, 400, 5);
  // smooth samples: the antialiasing second difference of white noise is all noise
  for (let k = 0; k < batch.count; k++) {
    for (let i = 0; i < 500; i++) batch.traces[k * 500 + i] = Math.sin(0.05 * i + k);
  }
  return {
    params: { ...params(mode, 500, g.npoints, 200), aperture: 1000 },
    ...g,
    batches: [batch],
  };
}

/**
 * The standard workload's traces, in survey order (sorted by bin, like a
 * CDP-sorted file): midpoints on the synth "standard" lattice (190 x 165 bins
 * at 68 x 62 m over the 12.8 x 9.6 km output grid), 500 m offset at varying
 * azimuth, random samples. Batches of 4,096 traces.
 */
function standardBatches(ntraces: number): KernelBatch[] {
  const ns = 1001, rand = random(31310), batches: KernelBatch[] = [];
  for (let first = 0; first < ntraces; first += 4096) {
    const count = Math.min(4096, ntraces - first);
    const batch: KernelBatch = {
      count,
      traces: new Float32Array(count * ns).map(() => rand() - 0.5),
      geometry: new Float32Array(4 * count),
      traceClass: new Int32Array(count),
    };
    for (let k = 0; k < count; k++) {
      const bin = first + k, ix = bin % 190, iy = Math.floor(bin / 190);
      const mx = -60 + 68 * ix, my = -70 + 62 * iy, az = 2 * Math.PI * rand();
      const hx = 250 * Math.cos(az), hy = 250 * Math.sin(az);
      batch.geometry.set([mx - hx, my - hy, mx + hx, my + hy], 4 * k);
    }
    batches.push(batch);
  }
  return batches;
}

/** Runs tiles (each its own points and velocity) over the same batches on one backend. */
async function run(tiles: Workload[]): Promise<Run> {
  using backend = NativeBackend.open("cuda");
  const start = performance.now();
  let image: Float32Array = new Float32Array(0);
  for (const w of tiles) {
    const tile = backend.openTile(w);
    for (const b of w.batches) await tile.accumulate(b);
    image = await tile.finish();
    tile.close();
  }
  const seconds = (performance.now() - start) / 1000;
  const { kernelSeconds, contributions } = backend.stats();
  return { seconds, kernelSeconds, contributions, image };
}

/**
 * The standard workload as tiles: strips of whole output rows, as many rows
 * per strip as fit in half of the free device memory (velocity + image per
 * point, batch slots aside); one strip on an 80 GB GPU.
 */
function standardTiles(freeBytes: number, ntraces: number): Workload[] {
  const nx = 512, ny = 384, ntau = 1001;
  const bytesPerRow = nx * ntau * 4 * 2;
  const rows = Math.max(1, Math.min(ny, Math.floor((0.5 * freeBytes - 256e6) / bytesPerRow)));
  const batches = standardBatches(ntraces);
  const tiles: Workload[] = [];
  for (let y0 = 0; y0 < ny; y0 += rows) {
    const g = grid(0, 25 * y0, nx, Math.min(rows, ny - y0), ntau);
    tiles.push({
      params: { ...params("full", 1001, g.npoints, ntau), ...STANDARD },
      ...g,
      batches,
    });
  }
  return tiles;
}

/** Validates the kernel against the float64 reference; throws when it differs. */
async function validate(): Promise<void> {
  for (const mode of ["plain", "full"] as const) {
    const w = validationWorkload(mode);
    const want = referenceImage({ ...w, batch: w.batches[0] }).image;
    const error = relativeL2((await run([w])).image, want);
    if (!(error <= 1e-3)) {
      throw new Error(`cuda ${mode} differs from the reference: relative L2 ${error}`);
    }
  }
}

// ---- timing and summary ---------------------------------------------------------------

const tally = new Map<
  string,
  { seconds: number; kernel: number; contributions: number; n: number }
>();

const warmedUp = new Set<string>();

/** Adds a run to the summary; the first run of each workload is a warm-up, not counted. */
function record(key: string, r: Run): void {
  if (!warmedUp.has(key)) {
    warmedUp.add(key);
    return;
  }
  const t = tally.get(key) ?? { seconds: 0, kernel: 0, contributions: 0, n: 0 };
  t.seconds += r.seconds;
  t.kernel += r.kernelSeconds;
  t.contributions += r.contributions;
  t.n += 1;
  tally.set(key, t);
}

function summary(device: string, standardTraces: number): void {
  const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : "n/a");
  console.log(`\nCUDA on ${device}`);
  console.log("workload                contributions/s (wall)   (kernel)");
  for (const [key, t] of tally) {
    console.log(
      `${key.padEnd(24)}${fmt(t.contributions / t.seconds).padStart(22)}` +
        `${fmt(t.contributions / t.kernel).padStart(11)}`,
    );
  }
  const s = tally.get("standard");
  if (s) {
    const wall = (standardTraces * s.n) / s.seconds, kernel = (standardTraces * s.n) / s.kernel;
    console.log(
      `standard workload: ${wall.toFixed(0)} traces/s wall, ${kernel.toFixed(0)} traces/s ` +
        `kernel (${standardTraces} traces; original 14, target 2,000, stretch 10,000)`,
    );
    // each contribution: two square roots, an interpolation, the aperture test: ~25 flops
    console.log(`  ~${((25 * s.contributions) / s.kernel / 1e12).toFixed(1)} TFLOP/s of fp32 work`);
  }
}

const info = nativeDeviceInfo("cuda");
const cuda = info.available
  ? { device: info.devices[0].name, freeBytes: info.devices[0].freeBytes }
  : null;
const reason = info.reason;
const standardTraces = Math.min(31310, Number(Deno.env.get("PSTM_BENCH_TRACES") ?? 31310));
const workloads = cuda
  ? { plain: throughputWorkload("plain"), full: throughputWorkload("full") }
  : null;
const standard = cuda ? standardTiles(cuda.freeBytes, standardTraces) : null;
if (cuda) await validate();

if (import.meta.main) {
  if (!cuda || !workloads || !standard) {
    console.log(`cuda bench skipped: ${reason}`);
  } else {
    for (const mode of ["plain", "full"] as const) {
      for (let i = 0; i < 6; i++) record(mode, await run([workloads[mode]]));
    }
    for (let i = 0; i < 2; i++) record("standard", await run(standard));
    summary(cuda.device, standardTraces);
  }
} else {
  const skip = cuda ? "" : ` (skipped: ${reason})`;
  if (!cuda) console.log(`cuda bench skipped: ${reason}`);
  for (const mode of ["plain", "full"] as const) {
    Deno.bench({
      group: "cuda contributions/s",
      name: `cuda ${mode}, 96 x 96 x 1,001 samples, 2,048 traces${skip}`,
      ignore: !cuda,
      n: 10,
      warmup: 1,
      fn: async () => record(mode, await run([workloads![mode]])),
    });
  }
  Deno.bench({
    group: "cuda standard workload",
    name: `cuda standard workload, ${standardTraces} traces, 512 x 384 x 1,001${skip}`,
    ignore: !cuda,
    n: 2,
    warmup: 1,
    fn: async () => record("standard", await run(standard!)),
  });
  globalThis.addEventListener("unload", () => {
    if (cuda) summary(cuda.device, standardTraces);
  });
}

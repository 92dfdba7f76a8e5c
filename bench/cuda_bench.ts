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
 * Environment: PSTM_CUDA_LIB overrides the library path;
 * PSTM_BENCH_TRACES takes the first N traces of the standard survey
 * (default all 31,310) for a quicker run, traces/s is then still per trace.
 *
 * @module
 */

import { type KernelBatch, type KernelParams, WEIGHTS } from "../backends/backend.ts";
import { referenceAccumulate } from "../backends/reference/reference_kernel.ts";

// ---- a minimal binding of csrc/include/pstm.h (as in tests/cuda_test.ts) --------

const SYMBOLS = {
  /** const char* pstm_last_error(void) */
  pstm_last_error: { parameters: [], result: "pointer" },
  /** pstm_status pstm_device_count(int32_t* count) */
  pstm_device_count: { parameters: ["buffer"], result: "i32" },
  /** pstm_status pstm_device_info(int32_t device, char* name, int32_t name_len, uint64_t* free, uint64_t* total) */
  pstm_device_info: { parameters: ["i32", "buffer", "i32", "buffer", "buffer"], result: "i32" },
  /** pstm_status pstm_context_create(int32_t device, int32_t threads, pstm_context** out) */
  pstm_context_create: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  /** void pstm_context_destroy(pstm_context* ctx) */
  pstm_context_destroy: { parameters: ["pointer"], result: "void" },
  /** pstm_status pstm_tile_open(ctx, const pstm_params*, points, velocity, image, pstm_tile** out) */
  pstm_tile_open: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** pstm_status pstm_tile_accumulate(tile, int32_t ntraces, traces, geometry, trace_class) */
  pstm_tile_accumulate: {
    parameters: ["pointer", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  /** pstm_status pstm_tile_finish(pstm_tile* tile) */
  pstm_tile_finish: { parameters: ["pointer"], result: "i32" },
  /** void pstm_tile_destroy(pstm_tile* tile) */
  pstm_tile_destroy: { parameters: ["pointer"], result: "void" },
  /** pstm_status pstm_context_stats(const pstm_context* ctx, pstm_stats* out) */
  pstm_context_stats: { parameters: ["pointer", "buffer"], result: "i32" },
} as const satisfies Deno.ForeignLibraryInterface;

type Lib = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

function cString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}

/** The CUDA library and its device, or why there is none. */
function openCuda(): { lib: Lib; device: string; freeBytes: number } | { reason: string } {
  const path = Deno.env.get("PSTM_CUDA_LIB") ??
    decodeURIComponent(new URL("../build/libpstm_cuda.so", import.meta.url).pathname);
  let lib: Lib;
  try {
    lib = Deno.dlopen(path, SYMBOLS).symbols;
  } catch (error) {
    return { reason: `cannot load ${path}: ${(error as Error).message}` };
  }
  const count = new Int32Array(1);
  if (lib.pstm_device_count(count) !== 0 || count[0] === 0) {
    return { reason: cString(lib.pstm_last_error()) || "0 CUDA devices" };
  }
  const name = new Uint8Array(256), free = new BigUint64Array(1), total = new BigUint64Array(1);
  check(lib, lib.pstm_device_info(0, name, name.length, free, total), "pstm_device_info");
  const device = new TextDecoder().decode(name.subarray(0, name.indexOf(0)));
  return { lib, device, freeBytes: Number(free[0]) };
}

function check(lib: Lib, status: number, what: string): void {
  if (status !== 0) {
    throw new Error(`${what} failed with status ${status}: ${cString(lib.pstm_last_error())}`);
  }
}

/** pstm_params as its 68 bytes (csrc/include/pstm.h). */
function encodeParams(p: KernelParams): Uint8Array {
  const bytes = new Uint8Array(68);
  const v = new DataView(bytes.buffer);
  v.setInt32(0, p.ns, true);
  v.setFloat32(4, p.t0, true);
  v.setFloat32(8, p.dt, true);
  v.setInt32(12, p.npoints, true);
  v.setInt32(16, p.ntau, true);
  v.setFloat32(20, p.tau0, true);
  v.setFloat32(24, p.dtau, true);
  v.setInt32(28, p.nclass, true);
  v.setFloat32(32, p.aperture, true);
  v.setFloat32(36, p.maxAngle, true);
  v.setFloat32(40, p.taper, true);
  v.setInt32(44, p.antialias ? 1 : 0, true);
  v.setFloat32(48, p.traceSpacing, true);
  v.setInt32(52, WEIGHTS[p.weights], true);
  v.setFloat32(56, p.eta, true);
  v.setInt32(60, p.threads, true);
  return bytes;
}

function handle(cell: BigUint64Array): Deno.PointerObject {
  const pointer = Deno.UnsafePointer.create(cell[0]);
  if (pointer === null) throw new Error("NULL handle");
  return pointer;
}

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

const MODES = {
  plain: { aperture: 0, maxAngle: 0, taper: 0, antialias: false, weights: "none", eta: 0 },
  full: {
    aperture: 1500,
    maxAngle: 60,
    taper: 0.1,
    antialias: true,
    weights: "spreading",
    eta: 0.05,
  },
} as const;

/** The standard workload's migration: radius and angle aperture, no other option. */
const STANDARD = {
  aperture: 1500,
  maxAngle: 60,
  taper: 0,
  antialias: false,
  weights: "none",
  eta: 0,
} as const;

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** v_rms rising linearly from 1,800 m/s at 0 s to 4,200 m/s at 4 s. */
function vrms(tau: number): number {
  return 1800 + 600 * Math.min(tau, 4);
}

/** nx x ny points at 25 m from (x0, y0), ntau samples at 4 ms from 0. */
function grid(x0: number, y0: number, nx: number, ny: number, ntau: number) {
  const npoints = nx * ny;
  const points = new Float32Array(2 * npoints);
  const velocity = new Float32Array(npoints * ntau);
  const column = Float32Array.from({ length: ntau }, (_, it) => vrms(0.004 * it));
  for (let j = 0; j < npoints; j++) {
    points[2 * j] = x0 + 25 * (j % nx);
    points[2 * j + 1] = y0 + 25 * Math.floor(j / nx);
    velocity.set(column, j * ntau);
  }
  return { npoints, points, velocity };
}

function params(
  mode: keyof typeof MODES,
  ns: number,
  npoints: number,
  ntau: number,
): KernelParams {
  return {
    ns,
    t0: 0,
    dt: 0.004,
    npoints,
    ntau,
    tau0: 0,
    dtau: 0.004,
    nclass: 1,
    traceSpacing: 25,
    threads: 0,
    ...MODES[mode],
  };
}

/** Random traces with midpoints over a w x h area (plus a margin) and offsets <= 1 km. */
function randomBatch(count: number, ns: number, w: number, h: number, seed: number): KernelBatch {
  const rand = random(seed);
  const batch: KernelBatch = {
    count,
    traces: new Float32Array(count * ns).map(() => rand() - 0.5),
    geometry: new Float32Array(4 * count),
    traceClass: new Int32Array(count),
  };
  for (let k = 0; k < count; k++) {
    const mx = -200 + (w + 400) * rand(), my = -200 + (h + 400) * rand();
    const half = 500 * rand(), az = 2 * Math.PI * rand();
    const hx = half * Math.cos(az), hy = half * Math.sin(az);
    batch.geometry.set([mx - hx, my - hy, mx + hx, my + hy], 4 * k);
  }
  return batch;
}

/** The contributions/s workload: 96 x 96 points x 1,001 samples, 2,048 traces. */
function throughputWorkload(mode: keyof typeof MODES): Workload {
  const g = grid(0, 0, 96, 96, 1001);
  const batch = randomBatch(2048, 1001, 96 * 25, 96 * 25, 17);
  return { params: params(mode, 1001, g.npoints, 1001), ...g, batches: [batch] };
}

/** A small survey for validation against the reference (16 x 16 x 200, 200 traces). */
function validationWorkload(mode: keyof typeof MODES): Workload {
  const g = grid(0, 0, 16, 16, 200);
  const batch = randomBatch(200, 500, 400, 400, 5);
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

/** Runs tiles (each its own points and velocity) over the same batches on one context. */
function run(lib: Lib, tiles: Workload[]): Run {
  const cell = new BigUint64Array(1);
  check(lib, lib.pstm_context_create(0, 0, cell), "pstm_context_create");
  const ctx = handle(cell);
  try {
    const start = performance.now();
    let image = new Float32Array(0);
    for (const w of tiles) {
      image = new Float32Array(w.params.nclass * w.params.npoints * w.params.ntau);
      check(
        lib,
        lib.pstm_tile_open(ctx, encodeParams(w.params), w.points, w.velocity, image, cell),
        "pstm_tile_open",
      );
      const tile = handle(cell);
      for (const b of w.batches) {
        check(
          lib,
          lib.pstm_tile_accumulate(tile, b.count, b.traces, b.geometry, b.traceClass),
          "pstm_tile_accumulate",
        );
      }
      check(lib, lib.pstm_tile_finish(tile), "pstm_tile_finish");
      lib.pstm_tile_destroy(tile);
    }
    const seconds = (performance.now() - start) / 1000;
    const stats = new DataView(new ArrayBuffer(24));
    check(
      lib,
      lib.pstm_context_stats(ctx, new Uint8Array(stats.buffer)),
      "pstm_context_stats",
    );
    return {
      seconds,
      kernelSeconds: stats.getFloat64(0, true),
      contributions: stats.getFloat64(8, true),
      image,
    };
  } finally {
    lib.pstm_context_destroy(ctx);
  }
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

function relativeL2(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** Validates the kernel against the float64 reference; throws when it differs. */
function validate(lib: Lib): void {
  for (const mode of ["plain", "full"] as const) {
    const w = validationWorkload(mode), b = w.batches[0];
    const want = new Float32Array(w.params.npoints * w.params.ntau);
    referenceAccumulate(
      w.params,
      w.points,
      w.velocity,
      b.count,
      b.traces,
      b.geometry,
      b.traceClass,
      want,
    );
    const error = relativeL2(run(lib, [w]).image, want);
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

const opened = openCuda();
const cuda = "lib" in opened ? opened : null;
const reason = "reason" in opened ? opened.reason : "";
const standardTraces = Math.min(31310, Number(Deno.env.get("PSTM_BENCH_TRACES") ?? 31310));
const workloads = cuda
  ? { plain: throughputWorkload("plain"), full: throughputWorkload("full") }
  : null;
const standard = cuda ? standardTiles(cuda.freeBytes, standardTraces) : null;
if (cuda) validate(cuda.lib);

if (import.meta.main) {
  if (!cuda || !workloads || !standard) {
    console.log(`cuda bench skipped: ${reason}`);
  } else {
    for (const mode of ["plain", "full"] as const) {
      for (let i = 0; i < 6; i++) record(mode, run(cuda.lib, [workloads[mode]]));
    }
    for (let i = 0; i < 2; i++) record("standard", run(cuda.lib, standard));
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
      fn: () => record(mode, run(cuda!.lib, [workloads![mode]])),
    });
  }
  Deno.bench({
    group: "cuda standard workload",
    name: `cuda standard workload, ${standardTraces} traces, 512 x 384 x 1,001${skip}`,
    ignore: !cuda,
    n: 2,
    warmup: 1,
    fn: () => record("standard", run(cuda!.lib, standard!)),
  });
  globalThis.addEventListener("unload", () => {
    if (cuda) summary(cuda.device, standardTraces);
  });
}

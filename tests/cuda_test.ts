/**
 * libpstm_cuda through Deno FFI against libpstm_cpu and the float64
 * reference kernel: plain and full mode on several survey geometries,
 * several classes and uneven batches, two tiles on one context, parameter
 * validation. Tolerance: relative L2 <= 1e-3.
 *
 * The library is loaded here with a minimal local binding of
 * csrc/include/pstm.h (the raw C ABI, independent of ffi/). When
 * build/libpstm_cuda.so is missing or reports 0 devices, the GPU tests are
 * registered with `ignore: true` and the reason in their name; the library
 * still has to load and answer sensibly without a GPU.
 *
 *     deno test -A tests/cuda_test.ts     (after `deno task build`)
 *
 * Environment: PSTM_CUDA_LIB / PSTM_CPU_LIB override the library paths.
 */

import assert from "node:assert/strict";
import { type KernelBatch, type KernelParams, WEIGHTS } from "../backends/backend.ts";
import { referenceAccumulate } from "../backends/reference/reference_kernel.ts";

// ---- a minimal binding of csrc/include/pstm.h --------------------------------

const SYMBOLS = {
  /** int32_t pstm_abi_version(void) */
  pstm_abi_version: { parameters: [], result: "i32" },
  /** const char* pstm_backend_name(void) */
  pstm_backend_name: { parameters: [], result: "pointer" },
  /** const char* pstm_last_error(void) */
  pstm_last_error: { parameters: [], result: "pointer" },
  /** pstm_status pstm_device_count(int32_t* count) */
  pstm_device_count: { parameters: ["buffer"], result: "i32" },
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

const PSTM_OK = 0;
const PSTM_ERR_INVALID_ARGUMENT = 1;
const PSTM_ERR_NO_DEVICE = 3;

function libraryPath(kind: "cpu" | "cuda"): string {
  const override = Deno.env.get(kind === "cuda" ? "PSTM_CUDA_LIB" : "PSTM_CPU_LIB");
  if (override) return override;
  const suffix = Deno.build.os === "darwin" ? "dylib" : Deno.build.os === "windows" ? "dll" : "so";
  const prefix = Deno.build.os === "windows" ? "" : "lib";
  return decodeURIComponent(
    new URL(`../build/${prefix}pstm_${kind}.${suffix}`, import.meta.url).pathname,
  );
}

function cString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}

/** Opens a library, or says why it cannot be opened. */
function open(kind: "cpu" | "cuda"): { lib: Lib } | { reason: string } {
  const path = libraryPath(kind);
  try {
    Deno.statSync(path);
  } catch {
    return { reason: `${path} not found: run deno task build (CUDA needs nvcc)` };
  }
  try {
    return { lib: Deno.dlopen(path, SYMBOLS).symbols };
  } catch (error) {
    return { reason: `cannot load ${path}: ${(error as Error).message}` };
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
  v.setInt32(64, 0, true);
  return bytes;
}

function check(lib: Lib, status: number, what: string): void {
  if (status !== PSTM_OK) {
    throw new Error(`${what} failed with status ${status}: ${cString(lib.pstm_last_error())}`);
  }
}

function readPointer(cell: BigUint64Array): Deno.PointerObject {
  const pointer = Deno.UnsafePointer.create(cell[0]);
  if (pointer === null) throw new Error("NULL handle");
  return pointer;
}

function createContext(lib: Lib): Deno.PointerObject {
  const cell = new BigUint64Array(1);
  check(lib, lib.pstm_context_create(0, 2, cell), "pstm_context_create");
  return readPointer(cell);
}

function openTile(lib: Lib, ctx: Deno.PointerObject, s: Survey, image: Float32Array) {
  const cell = new BigUint64Array(1);
  check(
    lib,
    lib.pstm_tile_open(ctx, encodeParams(s.params), s.points, s.velocity, image, cell),
    "pstm_tile_open",
  );
  return readPointer(cell);
}

function accumulate(lib: Lib, tile: Deno.PointerObject, batch: KernelBatch): void {
  check(
    lib,
    lib.pstm_tile_accumulate(tile, batch.count, batch.traces, batch.geometry, batch.traceClass),
    "pstm_tile_accumulate",
  );
}

interface Stats {
  kernelSeconds: number;
  contributions: number;
  deviceBytes: number;
}

function stats(lib: Lib, ctx: Deno.PointerObject): Stats {
  const out = new ArrayBuffer(24);
  check(lib, lib.pstm_context_stats(ctx, new Uint8Array(out)), "pstm_context_stats");
  const v = new DataView(out);
  return {
    kernelSeconds: v.getFloat64(0, true),
    contributions: v.getFloat64(8, true),
    deviceBytes: Number(v.getBigUint64(16, true)),
  };
}

// ---- which tests can run here -------------------------------------------------

const cudaOpened = open("cuda");
const cuda = "lib" in cudaOpened ? cudaOpened.lib : null;
let noGpu = "reason" in cudaOpened ? cudaOpened.reason : "";
if (cuda) {
  const count = new Int32Array(1);
  const status = cuda.pstm_device_count(count);
  if (status !== PSTM_OK) {
    noGpu = `pstm_device_count failed: ${cString(cuda.pstm_last_error())}`;
  } else if (count[0] === 0) {
    noGpu = cString(cuda.pstm_last_error()) || "0 CUDA devices";
  }
}
const cpuOpened = open("cpu");
const cpu = "lib" in cpuOpened ? cpuOpened.lib : null;
if (!noGpu && !cpu) {
  noGpu = `no CPU library to compare with: ${(cpuOpened as { reason: string }).reason}`;
}
const gpuIgnore = noGpu !== "";
const because = gpuIgnore ? ` (skipped: ${noGpu})` : "";
if (gpuIgnore) console.log(`tests/cuda_test.ts: GPU tests skipped: ${noGpu}`);

// ---- surveys --------------------------------------------------------------------

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
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

interface Survey {
  params: KernelParams;
  points: Float32Array;
  velocity: Float32Array;
  batch: KernelBatch;
}

type Layout = "spread" | "line" | "sorted" | "rotated";

const PLAIN = {
  aperture: 0,
  maxAngle: 0,
  taper: 0,
  antialias: false,
  weights: "none",
  eta: 0,
} as const;
const PLAIN_DISC = { ...PLAIN, aperture: 500 } as const;
const FULL = {
  aperture: 700,
  maxAngle: 60,
  taper: 0.25,
  antialias: true,
  weights: "spreading",
  eta: 0.08,
} as const;
const FULL_OBLIQUITY = {
  aperture: 0,
  maxAngle: 45,
  taper: 0.1,
  antialias: false,
  weights: "obliquity",
  eta: 0,
} as const;

/**
 * A small survey: output points on a lattice (rotated, or a line), traces
 * with midpoints over and around them ("sorted": sweeping along x as a
 * sorted survey does, so whole chunks of traces fall outside the aperture),
 * samples a sum of smooth events (as a double-integrated wavelet looks).
 */
function survey(
  layout: Layout,
  mode: Partial<KernelParams>,
  options: { ntraces?: number; nclass?: number; seed?: number; ntau?: number } = {},
): Survey {
  const rand = random(options.seed ?? 11);
  const ntraces = options.ntraces ?? 500;
  const nclass = options.nclass ?? 1;
  const ns = 300, dt = 0.004, ntau = options.ntau ?? 150, tau0 = 0.02, dtau = 0.006;
  const nx = 12, ny = layout === "line" ? 1 : 9;
  const npoints = nx * ny;
  const angle = layout === "rotated" ? (25 * Math.PI) / 180 : 0;
  const spacing = layout === "line" ? 12.5 : 25;
  const points = new Float32Array(2 * npoints);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const u = ix * spacing, v = iy * spacing, j = iy * nx + ix;
      points[2 * j] = 30 + u * Math.cos(angle) - v * Math.sin(angle);
      points[2 * j + 1] = 10 + u * Math.sin(angle) + v * Math.cos(angle);
    }
  }
  const velocity = new Float32Array(npoints * ntau);
  for (let j = 0; j < npoints; j++) {
    for (let it = 0; it < ntau; it++) {
      velocity[j * ntau + it] = 1800 + 1600 * (tau0 + it * dtau) + 0.3 * points[2 * j + 1];
    }
  }
  const geometry = new Float32Array(4 * ntraces);
  const traceClass = new Int32Array(ntraces);
  const traces = new Float32Array(ntraces * ns);
  const maxOffset = nclass > 1 ? 400 * (nclass + 1) : 1400;
  for (let k = 0; k < ntraces; k++) {
    const mx = layout === "sorted" ? -900 + (2100 * (k + rand())) / ntraces : -250 + 800 * rand();
    const my = layout === "line" ? 10 : -250 + 750 * rand();
    const offset = maxOffset * rand();
    const azimuth = layout === "line" ? 0 : 2 * Math.PI * rand();
    const hx = 0.5 * offset * Math.cos(azimuth), hy = 0.5 * offset * Math.sin(azimuth);
    geometry.set([mx - hx, my - hy, mx + hx, my + hy], 4 * k);
    // classes by offset; the last class and a few traces fall outside 0..nclass-1
    traceClass[k] = nclass > 1 ? (rand() < 0.05 ? -1 : Math.floor(offset / 400)) : 0;
    for (let e = 0; e < 6; e++) {
      const t = 0.05 + 1.1 * rand(), a = rand() - 0.5, sigma = 0.006 + 0.01 * rand();
      for (let i = 0; i < ns; i++) {
        const x = (i * dt - t) / sigma;
        if (Math.abs(x) < 6) traces[k * ns + i] += a * Math.exp(-0.5 * x * x);
      }
    }
  }
  const params: KernelParams = {
    ns,
    t0: 0,
    dt,
    npoints,
    ntau,
    tau0,
    dtau,
    nclass,
    aperture: 0,
    maxAngle: 0,
    taper: 0,
    antialias: false,
    traceSpacing: 25,
    weights: "none",
    eta: 0,
    threads: 2,
    ...mode,
  };
  return { params, points, velocity, batch: { count: ntraces, traces, geometry, traceClass } };
}

/** Traces first..first+count-1 of a batch as a batch of its own. */
function slice(batch: KernelBatch, ns: number, first: number, count: number): KernelBatch {
  return {
    count,
    traces: batch.traces.slice(first * ns, (first + count) * ns),
    geometry: batch.geometry.slice(4 * first, 4 * (first + count)),
    traceClass: batch.traceClass.slice(first, first + count),
  };
}

interface Result {
  image: Float32Array;
  contributions: number;
  stats?: Stats;
}

function reference(s: Survey): Result {
  const p = s.params;
  const image = new Float32Array(p.nclass * p.npoints * p.ntau);
  const contributions = referenceAccumulate(
    p,
    s.points,
    s.velocity,
    s.batch.count,
    s.batch.traces,
    s.batch.geometry,
    s.batch.traceClass,
    image,
  );
  return { image, contributions };
}

/** Migrates a survey with a native library in `batches` uneven batches. */
function native(lib: Lib, s: Survey, batches = 1): Result {
  const p = s.params;
  const image = new Float32Array(p.nclass * p.npoints * p.ntau);
  const ctx = createContext(lib);
  try {
    const tile = openTile(lib, ctx, s, image);
    const n = s.batch.count;
    const cuts = [0];
    for (let b = 1; b < batches; b++) cuts.push(Math.floor((n * b * b) / (batches * batches)));
    cuts.push(n);
    for (let b = 0; b < batches; b++) {
      accumulate(lib, tile, slice(s.batch, p.ns, cuts[b], cuts[b + 1] - cuts[b]));
    }
    check(lib, lib.pstm_tile_finish(tile), "pstm_tile_finish");
    lib.pstm_tile_destroy(tile);
    const st = stats(lib, ctx);
    return { image, contributions: st.contributions, stats: st };
  } finally {
    lib.pstm_context_destroy(ctx);
  }
}

function relativeL2(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

const TOLERANCE = 1e-3;

/** CUDA against the reference and the CPU library. */
function compare(s: Survey, batches: number): void {
  const ref = reference(s);
  assert.ok(ref.contributions > 0, "the survey contributes");
  const gpu = native(cuda!, s, batches);
  const host = native(cpu!, s, batches);
  const vsRef = relativeL2(gpu.image, ref.image), vsCpu = relativeL2(gpu.image, host.image);
  assert.ok(vsRef <= TOLERANCE, `cuda vs reference: relative L2 ${vsRef} > ${TOLERANCE}`);
  assert.ok(vsCpu <= TOLERANCE, `cuda vs cpu: relative L2 ${vsCpu} > ${TOLERANCE}`);
  const dc = Math.abs(gpu.contributions - ref.contributions) / ref.contributions;
  assert.ok(dc <= TOLERANCE, `contributions ${gpu.contributions} vs ${ref.contributions}`);
  assert.ok(gpu.stats!.kernelSeconds > 0, "kernel time measured");
  assert.ok(gpu.stats!.deviceBytes > 0, "device bytes counted");
}

// ---- tests ------------------------------------------------------------------------

Deno.test({
  name: cuda
    ? "libpstm_cuda loads and reports its devices without failing"
    : `libpstm_cuda loads and reports its devices (skipped: ${noGpu})`,
  ignore: cuda === null,
  fn() {
    const lib = cuda!;
    assert.equal(lib.pstm_abi_version(), 1);
    assert.equal(cString(lib.pstm_backend_name()), "cuda");
    const count = new Int32Array([-1]);
    assert.equal(lib.pstm_device_count(count), PSTM_OK);
    assert.ok(count[0] >= 0);
    if (count[0] === 0) {
      assert.match(cString(lib.pstm_last_error()), /0 CUDA devices/);
      const cell = new BigUint64Array(1);
      assert.equal(lib.pstm_context_create(0, 0, cell), PSTM_ERR_NO_DEVICE);
      assert.equal(cell[0], 0n, "output untouched on failure");
      assert.match(cString(lib.pstm_last_error()), /CUDA device 0 does not exist/);
    }
  },
});

const CASES: { name: string; layout: Layout; mode: Partial<KernelParams>; nclass?: number }[] = [
  { name: "plain, no aperture, 3-D spread", layout: "spread", mode: PLAIN },
  { name: "plain, radius disc, sorted survey", layout: "sorted", mode: PLAIN_DISC },
  { name: "plain, radius disc, 2-D line", layout: "line", mode: PLAIN_DISC },
  { name: "plain, 3 offset classes, rotated grid", layout: "rotated", mode: PLAIN, nclass: 3 },
  { name: "full (aa, taper, angle, spreading, eta), spread", layout: "spread", mode: FULL },
  { name: "full, sorted survey, 3 offset classes", layout: "sorted", mode: FULL, nclass: 3 },
  { name: "full, 2-D line", layout: "line", mode: FULL },
  { name: "full (angle only, obliquity), rotated grid", layout: "rotated", mode: FULL_OBLIQUITY },
];

for (const c of CASES) {
  Deno.test({
    name: `cuda vs cpu vs reference: ${c.name}${because}`,
    ignore: gpuIgnore,
    fn() {
      compare(survey(c.layout, c.mode, { nclass: c.nclass }), 4);
    },
  });
}

Deno.test({
  name: `cuda: one batch, many batches and batches of one trace agree${because}`,
  ignore: gpuIgnore,
  fn() {
    const s = survey("sorted", FULL, { ntraces: 300 });
    const one = native(cuda!, s, 1).image;
    const many = native(cuda!, s, 7).image;
    const singles = native(cuda!, s, 300).image;
    assert.ok(relativeL2(many, one) <= 1e-5, "7 batches vs 1");
    assert.ok(relativeL2(singles, one) <= 1e-5, "300 batches vs 1");
  },
});

Deno.test({
  name: `cuda: output sample counts that are not multiples of the block${because}`,
  ignore: gpuIgnore,
  fn() {
    for (const ntau of [1, 127, 129, 257]) {
      compare(survey("spread", FULL, { ntraces: 150, ntau }), 2);
    }
  },
});

Deno.test({
  name: `cuda: two tiles fed in turn on one context equal one tile${because}`,
  ignore: gpuIgnore,
  fn() {
    const lib = cuda!;
    const s = survey("spread", PLAIN_DISC);
    const whole = native(lib, s, 3).image;
    const p = s.params, half = p.npoints / 2;
    const halves = [0, 1].map((h) => ({
      params: { ...p, npoints: half },
      points: s.points.slice(2 * half * h, 2 * half * (h + 1)),
      velocity: s.velocity.slice(half * p.ntau * h, half * p.ntau * (h + 1)),
      batch: s.batch,
    }));
    const images = halves.map(() => new Float32Array(half * p.ntau));
    const ctx = createContext(lib);
    try {
      const tiles = halves.map((t, i) => openTile(lib, ctx, t, images[i]));
      for (let first = 0; first < s.batch.count; first += 64) {
        const n = Math.min(64, s.batch.count - first);
        for (const tile of tiles) accumulate(lib, tile, slice(s.batch, p.ns, first, n));
      }
      for (const tile of tiles.toReversed()) check(lib, lib.pstm_tile_finish(tile), "finish");
      check(lib, lib.pstm_tile_finish(tiles[0]), "finish twice");
      lib.pstm_tile_destroy(tiles[0]); // tiles[1] is destroyed with the context
    } finally {
      lib.pstm_context_destroy(ctx);
    }
    const joined = new Float32Array(whole.length);
    joined.set(images[0], 0);
    joined.set(images[1], half * p.ntau);
    assert.ok(relativeL2(joined, whole) <= 1e-6, "two tiles vs one");
  },
});

Deno.test({
  name: `cuda: invalid parameters are rejected with the field named${because}`,
  ignore: gpuIgnore,
  fn() {
    const lib = cuda!;
    const s = survey("spread", PLAIN, { ntraces: 10 });
    const image = new Float32Array(s.params.npoints * s.params.ntau);
    const ctx = createContext(lib);
    try {
      const cell = new BigUint64Array(1);
      for (
        const [field, bad] of [["ns", { ns: 0 }], ["dtau", { dtau: -1 }], ["taper", {
          taper: 2,
        }]] as const
      ) {
        const params = encodeParams({ ...s.params, ...bad });
        const status = lib.pstm_tile_open(ctx, params, s.points, s.velocity, image, cell);
        assert.equal(status, PSTM_ERR_INVALID_ARGUMENT, field);
        assert.match(cString(lib.pstm_last_error()), new RegExp(field));
        assert.equal(cell[0], 0n, "output untouched on failure");
      }
      const tile = openTile(lib, ctx, s, image);
      const status = lib.pstm_tile_accumulate(
        tile,
        -1,
        s.batch.traces,
        s.batch.geometry,
        s.batch.traceClass,
      );
      assert.equal(status, PSTM_ERR_INVALID_ARGUMENT);
      assert.match(cString(lib.pstm_last_error()), /ntraces/);
      check(lib, lib.pstm_tile_finish(tile), "finish");
      assert.equal(
        lib.pstm_tile_accumulate(tile, 1, s.batch.traces, s.batch.geometry, s.batch.traceClass),
        PSTM_ERR_INVALID_ARGUMENT,
        "accumulate after finish",
      );
    } finally {
      lib.pstm_context_destroy(ctx);
    }
  },
});

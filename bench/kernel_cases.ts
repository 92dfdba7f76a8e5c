/**
 * Kernel test and bench cases, shared by the backend comparisons
 * (tests/native_cpu_test.ts, tests/cuda_test.ts, tests/webgpu_test.ts) and
 * the kernel benches (bench/*_bench.ts, bench/gate.ts): a deterministic
 * generator, tile parameters, output lattices (narrow / wide azimuth, 2-D
 * line, rotated), synthetic batches (Ricker wavelets, smooth events or
 * random samples), a tile run on any Backend, the float64 reference image
 * and the relative L2 misfit.
 *
 * Every generator is deterministic: the same arguments give the same
 * bytes, so moving a test onto these helpers keeps its case unchanged.
 *
 * @module
 */

import type { Backend, BackendStats, KernelBatch, KernelParams } from "../backends/backend.ts";
import { referenceAccumulate } from "../backends/reference/reference_kernel.ts";
import { libraryPath } from "../ffi/library.ts";

/** A small deterministic generator (mulberry32) returning numbers in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Relative L2 misfit ||a - b|| / ||b|| (||a - b|| when b is all zero). */
export function relativeL2(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] * b[i];
  }
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
}

// ---- parameters ------------------------------------------------------------------

/** Plain mode: no aperture, angle, taper, antialiasing, weights or eta. */
export const PLAIN_MODE = {
  aperture: 0,
  maxAngle: 0,
  taper: 0,
  antialias: false,
  traceSpacing: 25,
  weights: "none",
  eta: 0,
} as const satisfies Partial<KernelParams>;

/** Full mode of the backend comparisons: every feature on. */
export const FULL_MODE = {
  aperture: 700,
  maxAngle: 60,
  taper: 0.25,
  antialias: true,
  traceSpacing: 25,
  weights: "spreading",
  eta: 0.08,
} as const satisfies Partial<KernelParams>;

/** The two modes the throughput benches time (bench/cuda_bench.ts, bench/webgpu_bench.ts). */
export const BENCH_MODES = {
  plain: PLAIN_MODE,
  full: {
    aperture: 1500,
    maxAngle: 60,
    taper: 0.1,
    antialias: true,
    traceSpacing: 25,
    weights: "spreading",
    eta: 0.05,
  },
} as const satisfies Record<string, Partial<KernelParams>>;

/** Plain-mode parameters with the given sizes (no aperture, no weights). */
export function plainParams(overrides: Partial<KernelParams> = {}): KernelParams {
  return {
    ns: 250,
    t0: 0,
    dt: 0.004,
    npoints: 1,
    ntau: 200,
    tau0: 0,
    dtau: 0.004,
    nclass: 1,
    ...PLAIN_MODE,
    ...overrides,
  };
}

// ---- lattices and batches (tests/native_cpu_test.ts, bench/gate.ts, bench/kernel_bench.ts) --

/** Where the output columns lie (a grid starts at `origin`, default (3, 7)). */
export type Layout =
  | {
    kind: "grid";
    nx: number;
    ny: number;
    spacing: number;
    azimuthDeg?: number;
    origin?: [number, number];
  }
  | { kind: "line"; n: number; spacing: number };

/** Output columns `[npoints][2]` of a layout (a rotated grid when azimuthDeg is set). */
export function makePoints(layout: Layout): Float32Array<ArrayBuffer> {
  if (layout.kind === "line") {
    const points = new Float32Array(2 * layout.n);
    for (let i = 0; i < layout.n; i++) points[2 * i] = 3 + i * layout.spacing;
    return points;
  }
  const { nx, ny, spacing } = layout;
  const [x0, y0] = layout.origin ?? [3, 7];
  const a = ((layout.azimuthDeg ?? 0) * Math.PI) / 180;
  const points = new Float32Array(2 * nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const u = x0 + i * spacing, v = y0 + j * spacing;
      points[2 * (j * nx + i)] = u * Math.cos(a) - v * Math.sin(a);
      points[2 * (j * nx + i) + 1] = u * Math.sin(a) + v * Math.cos(a);
    }
  }
  return points;
}

/** RMS velocity `[npoints][ntau]` rising with time and varying across the tile. */
export function makeVelocity(p: KernelParams): Float32Array<ArrayBuffer> {
  const velocity = new Float32Array(p.npoints * p.ntau);
  for (let j = 0; j < p.npoints; j++) {
    for (let it = 0; it < p.ntau; it++) velocity[j * p.ntau + it] = 1800 + 3 * it + 2 * (j % 7);
  }
  return velocity;
}

/** How the traces of a synthetic batch are laid out. */
export interface BatchShape {
  /** Number of traces. */
  count: number;
  /** Midpoints uniformly in [0, extentX] x [0, extentY]. */
  extentX: number;
  /** See extentX (0 for a 2-D line). */
  extentY: number;
  /** Largest half offset, m. */
  maxHalfOffset: number;
  /** Azimuths in [0, azimuthSpreadDeg] (0: along x). */
  azimuthSpreadDeg: number;
  /** Offset classes to spread the traces over (some traces get -1 or nclass). */
  nclass: number;
  /** Samples per trace. */
  ns: number;
  /** True: smooth traces (the double integral of Ricker wavelets, for antialiasing). */
  integrated: boolean;
  /** Seed of the generator. */
  seed: number;
}

/** A batch whose buffers are plain ArrayBuffer-backed arrays (what FFI takes). */
export type OwnedBatch = KernelBatch & {
  traces: Float32Array<ArrayBuffer>;
  geometry: Float32Array<ArrayBuffer>;
  traceClass: Int32Array<ArrayBuffer>;
};

/** A synthetic batch: Ricker wavelets (or their double integral) at random times. */
export function makeBatch(shape: BatchShape): OwnedBatch {
  const rnd = random(shape.seed);
  const { count, ns } = shape;
  const traces = new Float32Array(count * ns);
  const geometry = new Float32Array(4 * count);
  const traceClass = new Int32Array(count);
  for (let k = 0; k < count; k++) {
    const mx = rnd() * shape.extentX, my = rnd() * shape.extentY;
    const h = rnd() * shape.maxHalfOffset;
    const az = (rnd() * shape.azimuthSpreadDeg * Math.PI) / 180;
    const hx = h * Math.cos(az), hy = h * Math.sin(az);
    geometry.set([mx - hx, my - hy, mx + hx, my + hy], 4 * k);
    const r = rnd();
    traceClass[k] = r < 0.05 ? -1 : r > 0.97 ? shape.nclass : Math.floor(rnd() * shape.nclass);
    for (let e = 0; e < 6; e++) {
      const center = 10 + rnd() * (ns - 20), amplitude = rnd() * 2 - 1, width = 2 + rnd() * 3;
      for (let i = 0; i < ns; i++) {
        const x = (i - center) / width;
        // Ricker wavelet; its double integral (in samples^2) is a Gaussian
        const value = shape.integrated
          ? -width * width * Math.exp(-x * x)
          : (1 - 2 * x * x) * Math.exp(-x * x);
        traces[k * ns + i] += amplitude * value;
      }
    }
  }
  return { count, traces, geometry, traceClass };
}

/** Where the random traces of {@link randomBatch} lie. */
export interface RandomArea {
  /** Midpoints uniformly in [x0, x0 + width] x [y0, y0 + height]. */
  x0: number;
  /** See x0. */
  y0: number;
  /** See x0. */
  width: number;
  /** See x0. */
  height: number;
  /** Half offsets uniformly in [0, maxHalfOffset] at any azimuth. */
  maxHalfOffset: number;
}

/**
 * Random samples in [-0.5, 0.5) and random geometry, all in class 0: the
 * throughput benches' batches. `rand` is drawn for every sample first, then
 * for each trace's midpoint, half offset and azimuth.
 */
export function randomBatch(
  count: number,
  ns: number,
  area: RandomArea,
  rand: () => number,
): OwnedBatch {
  const batch = {
    count,
    traces: new Float32Array(count * ns).map(() => rand() - 0.5),
    geometry: new Float32Array(4 * count),
    traceClass: new Int32Array(count),
  };
  for (let k = 0; k < count; k++) {
    const mx = area.x0 + area.width * rand(), my = area.y0 + area.height * rand();
    const half = area.maxHalfOffset * rand(), az = 2 * Math.PI * rand();
    const hx = half * Math.cos(az), hy = half * Math.sin(az);
    batch.geometry.set([mx - hx, my - hy, mx + hx, my + hy], 4 * k);
  }
  return batch;
}

// ---- surveys (tests/cuda_test.ts, tests/webgpu_test.ts) -------------------------------

/** A tile and one batch of traces over it. */
export interface Survey {
  params: KernelParams;
  points: Float32Array;
  velocity: Float32Array;
  batch: KernelBatch;
}

/**
 * How {@link survey} lays out traces: "narrow" azimuths within +-10 degrees
 * of x, "wide" any azimuth, "line" a 2-D line (one row, azimuth 0),
 * "rotated" the lattice turned by `rotationDeg` (any azimuth), "sorted"
 * midpoints sweeping along x as a sorted survey does (any azimuth).
 */
export type SurveyLayout = "narrow" | "wide" | "line" | "rotated" | "sorted";

/** The sizes and constants of a family of surveys. */
export interface SurveyConfig {
  /** Default seed and trace count. */
  seed: number;
  ntraces: number;
  /** Input samples, s. */
  ns: number;
  dt: number;
  /** Default output samples, s. */
  ntau: number;
  tau0: number;
  dtau: number;
  /** Lattice: nx x ny points (1 row for "line", at half the spacing) at 25 m from origin. */
  nx: number;
  ny: number;
  origin: [number, number];
  rotationDeg: number;
  /** v_rms = v0 + perSecond * tau + perX * x + perY * y. */
  velocity: { v0: number; perSecond: number; perX: number; perY: number };
  /** Midpoints in [x0, x0 + width] x [y0, y0 + height] ("line": y = origin y). */
  midpoints: { x0: number; width: number; y0: number; height: number };
  /** "sorted": midpoint x sweeps [x0, x0 + length] in trace order. */
  sweep: { x0: number; length: number };
  /** Offsets up to maxOffset; with classes, up to classWidth * (nclass + 1), classed by it. */
  maxOffset: number;
  classWidth: number;
  /** Six Gaussian events per trace at times in [t0, t0 + span]. */
  events: { t0: number; span: number };
}

/**
 * A small survey: output points on a (rotated) lattice or a line, traces
 * with midpoints over and around them, samples a sum of smooth events (as a
 * double-integrated wavelet looks). With several classes, traces are classed
 * by offset; the last class and about 5% of the traces (class -1) fall
 * outside 0..nclass-1.
 */
export function survey(
  config: SurveyConfig,
  layout: SurveyLayout,
  mode: Partial<KernelParams>,
  options: { ntraces?: number; nclass?: number; seed?: number; ntau?: number } = {},
): Survey {
  const c = config;
  const rand = random(options.seed ?? c.seed);
  const ntraces = options.ntraces ?? c.ntraces;
  const nclass = options.nclass ?? 1;
  const { ns, dt, tau0, dtau } = c, ntau = options.ntau ?? c.ntau;
  const nx = c.nx, ny = layout === "line" ? 1 : c.ny;
  const npoints = nx * ny;
  const angle = layout === "rotated" ? (c.rotationDeg * Math.PI) / 180 : 0;
  const spacing = layout === "line" ? 12.5 : 25;
  const points = new Float32Array(2 * npoints);
  for (let iy = 0; iy < ny; iy++) {
    for (let ix = 0; ix < nx; ix++) {
      const u = ix * spacing, v = iy * spacing, j = iy * nx + ix;
      points[2 * j] = c.origin[0] + u * Math.cos(angle) - v * Math.sin(angle);
      points[2 * j + 1] = c.origin[1] + u * Math.sin(angle) + v * Math.cos(angle);
    }
  }
  const { v0, perSecond, perX, perY } = c.velocity;
  const velocity = new Float32Array(npoints * ntau);
  for (let j = 0; j < npoints; j++) {
    for (let it = 0; it < ntau; it++) {
      velocity[j * ntau + it] = v0 + perSecond * (tau0 + it * dtau) + perX * points[2 * j] +
        perY * points[2 * j + 1];
    }
  }
  const geometry = new Float32Array(4 * ntraces);
  const traceClass = new Int32Array(ntraces);
  const traces = new Float32Array(ntraces * ns);
  const maxOffset = nclass > 1 ? c.classWidth * (nclass + 1) : c.maxOffset;
  const m = c.midpoints;
  for (let k = 0; k < ntraces; k++) {
    const mx = layout === "sorted"
      ? c.sweep.x0 + (c.sweep.length * (k + rand())) / ntraces
      : m.x0 + m.width * rand();
    const my = layout === "line" ? c.origin[1] : m.y0 + m.height * rand();
    const offset = maxOffset * rand();
    const azimuth = layout === "line"
      ? 0
      : layout === "narrow"
      ? ((rand() - 0.5) * 20 * Math.PI) / 180
      : 2 * Math.PI * rand();
    const hx = 0.5 * offset * Math.cos(azimuth), hy = 0.5 * offset * Math.sin(azimuth);
    geometry.set([mx - hx, my - hy, mx + hx, my + hy], 4 * k);
    traceClass[k] = nclass > 1 ? (rand() < 0.05 ? -1 : Math.floor(offset / c.classWidth)) : 0;
    for (let e = 0; e < 6; e++) {
      const t = c.events.t0 + c.events.span * rand(), a = rand() - 0.5;
      const sigma = 0.006 + 0.01 * rand();
      for (let i = 0; i < ns; i++) {
        const x = (i * dt - t) / sigma;
        if (Math.abs(x) < 6) traces[k * ns + i] += a * Math.exp(-0.5 * x * x);
      }
    }
  }
  const params: KernelParams = {
    ...plainParams({ ns, dt, npoints, ntau, tau0, dtau, nclass }),
    ...mode,
  };
  return { params, points, velocity, batch: { count: ntraces, traces, geometry, traceClass } };
}

/** Traces first..first+count-1 of a batch as a batch of its own. */
export function sliceBatch(
  batch: KernelBatch,
  ns: number,
  first: number,
  count: number,
): KernelBatch {
  return {
    count,
    traces: batch.traces.slice(first * ns, (first + count) * ns),
    geometry: batch.geometry.slice(4 * first, 4 * (first + count)),
    traceClass: batch.traceClass.slice(first, first + count),
  };
}

/** An image and the contributions that made it. */
export interface TileRun {
  image: Float32Array;
  contributions: number;
}

/** The float64 reference kernel's image of a survey. */
export function referenceImage(s: Survey): TileRun {
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

/**
 * Migrates a survey on an opened backend in `batches` uneven batches (the
 * k-th cut at n * k^2 / batches^2), each awaited, then finishes and closes
 * the tile (twice). Contributions and stats are the backend's totals.
 */
export async function migrateSurvey(
  backend: Backend,
  s: Survey,
  batches = 1,
): Promise<TileRun & { stats: BackendStats }> {
  const tile = backend.openTile({ params: s.params, points: s.points, velocity: s.velocity });
  const n = s.batch.count;
  const cuts = [0];
  for (let b = 1; b < batches; b++) cuts.push(Math.floor((n * b * b) / (batches * batches)));
  cuts.push(n);
  for (let b = 0; b < batches; b++) {
    await tile.accumulate(sliceBatch(s.batch, s.params.ns, cuts[b], cuts[b + 1] - cuts[b]));
  }
  const image = await tile.finish();
  tile.close();
  tile.close();
  const stats = backend.stats();
  return { image, contributions: stats.contributions, stats };
}

/**
 * Builds the native library with cmake when `build/libpstm_cpu.so` is
 * missing (as `deno task build` does); throws with a clear message when it
 * cannot.
 */
export async function ensureCpuLibrary(): Promise<void> {
  const path = libraryPath("cpu");
  if (await isFile(path)) return;
  const root = new URL("../", import.meta.url).pathname;
  const steps = [
    ["-S", "csrc", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"],
    ["--build", "build", "-j", "2"],
  ];
  for (const args of steps) {
    let ok = false;
    try {
      const result = await new Deno.Command("cmake", { args, cwd: root, stdout: "null" }).output();
      ok = result.success;
    } catch {
      ok = false;
    }
    if (!ok) throw new Error(`${path} is missing and cmake failed: run \`deno task build\``);
  }
  if (!(await isFile(path))) throw new Error(`${path} is missing: run \`deno task build\``);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Test and bench support for the native backends (not part of the API):
 * making sure the CPU library is built, synthetic surveys, and the
 * relative L2 misfit.
 *
 * @module
 */

import type { KernelBatch, KernelParams } from "../backend.ts";
import { libraryPath } from "../../ffi/library.ts";

/**
 * Builds the native library with cmake when `build/libpstm_cpu.so` is
 * missing (as `deno task build` does); throws with a clear message when it
 * cannot.
 */
export async function ensureCpuLibrary(): Promise<void> {
  const path = libraryPath("cpu");
  if (await isFile(path)) return;
  const root = new URL("../../", import.meta.url).pathname;
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
    aperture: 0,
    maxAngle: 0,
    taper: 0,
    antialias: false,
    traceSpacing: 25,
    weights: "none",
    eta: 0,
    threads: 0,
    ...overrides,
  };
}

/** Where the output columns lie. */
export type Layout =
  | { kind: "grid"; nx: number; ny: number; spacing: number; azimuthDeg?: number }
  | { kind: "line"; n: number; spacing: number };

/** Output columns `[npoints][2]` of a layout (a rotated grid when azimuthDeg is set). */
export function makePoints(layout: Layout): Float32Array<ArrayBuffer> {
  if (layout.kind === "line") {
    const points = new Float32Array(2 * layout.n);
    for (let i = 0; i < layout.n; i++) points[2 * i] = 3 + i * layout.spacing;
    return points;
  }
  const { nx, ny, spacing } = layout;
  const a = ((layout.azimuthDeg ?? 0) * Math.PI) / 180;
  const points = new Float32Array(2 * nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const u = 3 + i * spacing, v = 7 + j * spacing;
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

/** A synthetic batch: Ricker wavelets (or their double integral) at random times. */
export function makeBatch(shape: BatchShape): KernelBatch & {
  traces: Float32Array<ArrayBuffer>;
  geometry: Float32Array<ArrayBuffer>;
  traceClass: Int32Array<ArrayBuffer>;
} {
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

/** Relative L2 misfit ||a - b|| / ||b||. */
export function relativeL2(a: Float32Array, b: Float32Array): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] * b[i];
  }
  return den > 0 ? Math.sqrt(num / den) : Math.sqrt(num);
}

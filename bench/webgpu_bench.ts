/**
 * WebGPU backend throughput in contributions/s (input traces x output
 * samples summed, per second), plain and full mode, next to the float64
 * reference TypeScript kernel measured in the same run on the same workload.
 *
 *     deno bench -A bench/webgpu_bench.ts    deno bench table + a contributions/s summary
 *     deno run -A bench/webgpu_bench.ts      the summary alone
 *
 * A WebGPU iteration is a whole tile: open, upload, dispatch, wait, read back.
 * The summary also gives kernel-only figures from `stats().kernelSeconds`
 * (wall time from submit to onSubmittedWorkDone). Validation against the
 * reference (relative L2 <= 1e-3) lives in tests/webgpu_test.ts; this file
 * checks it once more before timing.
 *
 * @module
 */

import type { KernelBatch, KernelParams } from "../backends/backend.ts";
import { referenceAccumulate } from "../backends/reference/reference_kernel.ts";
import { webgpuAvailability } from "../backends/webgpu/availability.ts";
import { WebGpuBackend } from "../backends/webgpu/webgpu_backend.ts";

/** One benchmark workload: a tile and a batch of traces. */
interface Workload {
  params: KernelParams;
  points: Float32Array;
  velocity: Float32Array;
  batch: KernelBatch;
}

const MODES = {
  plain: {
    aperture: 0,
    maxAngle: 0,
    taper: 0,
    antialias: false,
    weights: "none",
    eta: 0,
  },
  full: {
    aperture: 1500,
    maxAngle: 60,
    taper: 0.1,
    antialias: true,
    weights: "spreading",
    eta: 0.05,
  },
} as const;

/** 16 x 16 points at 25 m, 200 output samples, 200 traces of 500 samples around them. */
function workload(mode: keyof typeof MODES): Workload {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const nx = 16, ntau = 200, ns = 500, count = 200;
  const npoints = nx * nx;
  const params: KernelParams = {
    ns,
    t0: 0,
    dt: 0.004,
    npoints,
    ntau,
    tau0: 0.1,
    dtau: 0.008,
    nclass: 1,
    traceSpacing: 25,
    threads: 0,
    ...MODES[mode],
  };
  const points = new Float32Array(2 * npoints);
  const velocity = new Float32Array(npoints * ntau);
  for (let j = 0; j < npoints; j++) {
    points.set([25 * (j % nx), 25 * Math.floor(j / nx)], 2 * j);
    for (let it = 0; it < ntau; it++) velocity[j * ntau + it] = 1800 + 1500 * it * params.dtau;
  }
  const batch: KernelBatch = {
    count,
    traces: new Float32Array(count * ns).map(() => rand() - 0.5),
    geometry: new Float32Array(4 * count),
    traceClass: new Int32Array(count),
  };
  for (let k = 0; k < count; k++) {
    const mx = -500 + 1400 * rand(), my = -500 + 1400 * rand();
    const h = 1000 * rand(), az = 2 * Math.PI * rand();
    const hx = h * Math.cos(az), hy = h * Math.sin(az);
    batch.geometry.set([mx - hx, my - hy, mx + hx, my + hy], 4 * k);
  }
  return { params, points, velocity, batch };
}

function runReference(w: Workload): { image: Float32Array; contributions: number } {
  const { params: p, batch: b } = w;
  const image = new Float32Array(p.nclass * p.npoints * p.ntau);
  const contributions = referenceAccumulate(
    p,
    w.points,
    w.velocity,
    b.count,
    b.traces,
    b.geometry,
    b.traceClass,
    image,
  );
  return { image, contributions };
}

async function runWebGpu(backend: WebGpuBackend, w: Workload): Promise<Float32Array> {
  const tile = backend.openTile(w);
  try {
    await tile.accumulate(w.batch);
    return await tile.finish();
  } finally {
    tile.close();
  }
}

/** Seconds and contributions summed by the bench functions, for the summary. */
const tally = new Map<string, { seconds: number; contributions: number; kernel: number }>();

function record(key: string, seconds: number, contributions: number, kernel = 0): void {
  const t = tally.get(key) ?? { seconds: 0, contributions: 0, kernel: 0 };
  t.seconds += seconds;
  t.contributions += contributions;
  t.kernel += kernel;
  tally.set(key, t);
}

function summary(device: string): void {
  const rate = (key: string) => {
    const t = tally.get(key);
    return t && t.seconds > 0 ? t.contributions / t.seconds : NaN;
  };
  const kernelRate = (key: string) => {
    const t = tally.get(key);
    return t && t.kernel > 0 ? t.contributions / t.kernel : NaN;
  };
  const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(2).padStart(9) : "      n/a");
  console.log(`\ncontributions/s on ${device} (${navigator.hardwareConcurrency} CPU threads)`);
  console.log("mode   reference TS   webgpu tile   webgpu kernel   webgpu/reference");
  for (const mode of ["plain", "full"] as const) {
    const ref = rate(`reference ${mode}`), gpu = rate(`webgpu ${mode}`);
    console.log(
      `${mode.padEnd(6)} ${fmt(ref)}      ${fmt(gpu)}     ${fmt(kernelRate(`webgpu ${mode}`))}` +
        `       ${(gpu / ref).toFixed(1)}x`,
    );
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

const found = await webgpuAvailability();
const backend = found.available ? await WebGpuBackend.open() : null;
const workloads = { plain: workload("plain"), full: workload("full") };
const expected = {
  plain: runReference(workloads.plain).contributions,
  full: runReference(workloads.full).contributions,
};

/** Validates once, then times one iteration of each kind. */
async function checkFirst(): Promise<void> {
  if (backend === null) return;
  for (const mode of ["plain", "full"] as const) {
    const want = runReference(workloads[mode]).image;
    const got = await runWebGpu(backend, workloads[mode]);
    const error = relativeL2(got, want);
    if (!(error <= 1e-3)) {
      throw new Error(`webgpu ${mode} differs from the reference: relative L2 ${error}`);
    }
  }
}

function timeReference(mode: keyof typeof MODES): void {
  const start = performance.now();
  const { contributions } = runReference(workloads[mode]);
  record(`reference ${mode}`, (performance.now() - start) / 1000, contributions);
}

async function timeWebGpu(mode: keyof typeof MODES): Promise<void> {
  if (backend === null) return;
  const before = backend.stats();
  const start = performance.now();
  await runWebGpu(backend, workloads[mode]);
  const seconds = (performance.now() - start) / 1000;
  const after = backend.stats();
  const contributions = after.contributions - before.contributions;
  if (contributions !== expected[mode] && Math.abs(contributions / expected[mode] - 1) > 1e-3) {
    throw new Error(`webgpu ${mode}: ${contributions} contributions, expected ${expected[mode]}`);
  }
  record(`webgpu ${mode}`, seconds, contributions, after.kernelSeconds - before.kernelSeconds);
}

if (import.meta.main) {
  // deno run: validate, then a fixed number of timed iterations and the summary
  await checkFirst();
  for (const mode of ["plain", "full"] as const) {
    for (let i = 0; i < 3; i++) timeReference(mode);
    await timeWebGpu(mode); // warm-up
    tally.delete(`webgpu ${mode}`);
    for (let i = 0; i < 10; i++) await timeWebGpu(mode);
  }
  summary(backend?.device ?? `no adapter: ${found.reason}`);
  backend?.close();
} else {
  await checkFirst();
  const skip = backend === null ? ` (skipped: ${found.reason})` : "";
  for (const mode of ["plain", "full"] as const) {
    const per = `${(expected[mode] / 1e6).toFixed(1)}M contributions/iter`;
    Deno.bench({
      group: `webgpu ${mode}`,
      name: `reference TS kernel, ${mode} (${per})`,
      baseline: true,
      n: 5,
      warmup: 1,
      fn: () => timeReference(mode),
    });
    Deno.bench({
      group: `webgpu ${mode}`,
      name: `webgpu, ${mode} (${per})${skip}`,
      ignore: backend === null,
      n: 20,
      warmup: 2,
      // an async function: Deno.bench awaits only those, not a returned promise
      fn: async () => {
        await timeWebGpu(mode);
      },
    });
  }
  globalThis.addEventListener("unload", () => {
    summary(backend?.device ?? `no adapter: ${found.reason}`);
    backend?.close();
  });
}

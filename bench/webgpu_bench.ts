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

import { webgpuAvailability } from "../backends/webgpu/availability.ts";
import { WebGpuBackend } from "../backends/webgpu/webgpu_backend.ts";
import {
  BENCH_MODES as MODES,
  makePoints,
  plainParams,
  randomBatch,
  referenceImage as runReference,
  relativeL2,
  type Survey,
} from "./kernel_cases.ts";

/** One benchmark workload: a tile and a batch of traces. */
type Workload = Survey;

/** 16 x 16 points at 25 m, 200 output samples, 200 traces of 500 samples around them. */
function workload(mode: keyof typeof MODES): Workload {
  let seed = 12345;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const nx = 16, ntau = 200, ns = 500, count = 200;
  const npoints = nx * nx;
  const params = plainParams({ ns, npoints, ntau, tau0: 0.1, dtau: 0.008, ...MODES[mode] });
  const points = makePoints({ kind: "grid", nx, ny: nx, spacing: 25, origin: [0, 0] });
  const velocity = new Float32Array(npoints * ntau);
  for (let j = 0; j < npoints; j++) {
    for (let it = 0; it < ntau; it++) velocity[j * ntau + it] = 1800 + 1500 * it * params.dtau;
  }
  const area = { x0: -500, y0: -500, width: 1400, height: 1400, maxHalfOffset: 1000 };
  return { params, points, velocity, batch: randomBatch(count, ns, area, rand) };
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

/**
 * Performance gates for CI: `deno task bench:gate`. Each gate is a ratio of
 * two rates measured in this run (so a slower or busier machine moves both
 * sides), compared with its threshold in bench/thresholds.ts; the exit code
 * is 1 when any ratio falls below its threshold, 0 otherwise. Runs in about
 * a minute on the 2-core bench machine.
 *
 *     deno run -A --unstable-webgpu bench/gate.ts [--json]
 *     PSTM_GATE_SELFTEST=slow   the optimised side of every gate repeats its
 *                               work 3 times per timing: a deliberately 3x
 *                               slower kernel, which must fail the gates
 *
 * @module
 */

import { parseArgs } from "node:util";
import { NativeBackend } from "../backends/native/native_backend.ts";
import {
  ensureCpuLibrary,
  makeBatch,
  makePoints,
  makeVelocity,
  plainParams,
} from "./kernel_cases.ts";
import { referenceAccumulate } from "../backends/reference/reference_kernel.ts";
import { webgpuAvailability } from "../backends/webgpu/availability.ts";
import { WebGpuBackend } from "../backends/webgpu/webgpu_backend.ts";
import { writeSynthetic } from "../pipeline/synth/write_synthetic.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { runMigration } from "../pipeline/job/migrate_job.ts";
import { Progress } from "../pipeline/job/progress.ts";
import { synthPreset, synthVelocityText } from "../pipeline/synth/synth.ts";
import { loadAverage } from "./_support.ts";
import { measureKernel, type VariantRate } from "./kernel_variants.ts";
import { THRESHOLDS } from "./thresholds.ts";

/** One gate's outcome. */
export interface GateResult {
  /** Key in THRESHOLDS. */
  name: keyof typeof THRESHOLDS;
  /** Measured ratio (NaN when skipped). */
  ratio: number;
  /** The threshold. */
  min: number;
  /** "pass", "FAIL" or "skip". */
  status: "pass" | "FAIL" | "skip";
  /** The two rates and units, or why skipped. */
  detail: string;
}

const SLOW = Deno.env.get("PSTM_GATE_SELFTEST") === "slow" ? 3 : 1;

/** Smallest wall time of `runs` calls, ms. */
async function best(runs: number, fn: () => Promise<void> | void): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    min = Math.min(min, performance.now() - start);
  }
  return min;
}

/**
 * CPU plain and antialiased vs the baseline loop on all cores (the
 * kernel_bench workload), per CPU-second so that other load on the machine
 * moves both sides alike; the wall-clock rates are printed beside.
 */
async function kernelGates(): Promise<GateResult[]> {
  const r = await measureKernel({ allTargets: false, repeat: SLOW });
  const rate = (x: number) => `${(x / 1e6).toFixed(0)} M`;
  const detail = (v: VariantRate) =>
    `${rate(v.perCpuSecond)} vs ${rate(r.baselinePerCpuSecond)} contributions per CPU-s ` +
    `(wall ${rate(v.rate)}/s vs ${rate(r.baseline)}/s; ${v.target} kernels)`;
  const plain = r.variants.find((v) => v.mode === "plain")!;
  const aa = r.variants.find((v) => v.mode === "antialiased")!;
  return [
    gate("cpuPlainVsBaseline", plain.perCpuSecond / r.baselinePerCpuSecond, detail(plain)),
    gate("cpuAntialiasedVsBaseline", aa.perCpuSecond / r.baselinePerCpuSecond, detail(aa)),
  ];
}

/** Table vs direct on a standard-workload tile (v(tau), aperture, angle, eta). */
async function tableGate(): Promise<GateResult> {
  const NX = 40;
  const points = makePoints({ kind: "grid", nx: NX, ny: NX, spacing: 25 });
  const params = plainParams({
    ns: 1001,
    npoints: NX * NX,
    ntau: 1001,
    aperture: 1500,
    maxAngle: 60,
    taper: 0.1,
    eta: 0.05,
  });
  const velocity = new Float32Array(params.npoints * params.ntau);
  for (let j = 0; j < params.npoints; j++) {
    for (let it = 0; it < params.ntau; it++) {
      velocity[j * params.ntau + it] = 1800 + (2400 * it) / 1000;
    }
  }
  const batch = makeBatch({
    count: 160,
    extentX: NX * 25,
    extentY: NX * 25,
    maxHalfOffset: 500,
    azimuthSpreadDeg: 180,
    nclass: 1,
    ns: 1001,
    integrated: false,
    seed: 3,
  });
  batch.traceClass.fill(0);
  using backend = NativeBackend.open("cpu");
  const time = async (table: boolean, repeat: number) => {
    const tile = backend.openTile({ params, points, velocity });
    try {
      if (table) await tile.setTraveltimeTable!(1300, 3000);
      await tile.accumulate(batch); // warm-up
      return await best(3, async () => {
        for (let r = 0; r < repeat; r++) await tile.accumulate(batch);
      });
    } finally {
      tile.close();
    }
  };
  const direct = await time(false, 1);
  const table = await time(true, SLOW);
  return gate(
    "tableVsDirect",
    direct / table,
    `${(batch.count / (table / 1000)).toFixed(0)} vs ${
      (batch.count / (direct / 1000)).toFixed(0)
    } traces/s per tile`,
  );
}

/** traces/s of a run split into many tiles and passes vs one in-memory tile. */
async function streamedGate(): Promise<GateResult> {
  await ensureCpuLibrary();
  const dir = await Deno.makeTempDir({ prefix: "pstm-gate-" });
  try {
    const spec = synthPreset("small3d", 10000);
    const path = `${dir}/survey.sgy`;
    await writeSynthetic(spec, path, undefined);
    const grid = [spec.x0, spec.y0, 25, 25, spec.nx, spec.ny].join(",");
    const run = async (name: string, extra: Record<string, unknown>) => {
      const job = parseJobConfig({
        input: path,
        output: `${dir}/${name}.sgy`,
        velocity: synthVelocityText(spec),
        grid,
        backend: "cpu",
        plain: true,
        aperture: 300,
        maxAngle: 60,
        ...extra,
      });
      const s = await runMigration(job, new Progress("quiet"));
      await Deno.remove(job.output);
      return s;
    };
    await run("warm", {});
    let memory = Infinity;
    for (let i = 0; i < 2; i++) memory = Math.min(memory, (await run("memory", {})).seconds);
    let streamed = Infinity, tiles = 0, passes = 0;
    for (let i = 0; i < 2; i++) {
      let seconds = 0;
      for (let r = 0; r < SLOW; r++) {
        const s = await run("streamed", { tileBins: [8, 8], memory: "6MiB" });
        seconds += s.seconds;
        tiles = s.tiles;
        passes = s.passes;
      }
      streamed = Math.min(streamed, seconds);
    }
    const traces = (await Deno.stat(path)).size > 0 ? spec.nx * spec.ny * spec.offsets.length : 0;
    return gate(
      "streamedVsInMemory",
      memory / streamed,
      `${(traces / streamed).toFixed(0)} traces/s (${tiles} tiles, ${passes} passes) vs ` +
        `${(traces / memory).toFixed(0)} traces/s (1 tile)`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** WebGPU vs the reference TypeScript kernel on a small plain tile. */
async function webgpuGate(): Promise<GateResult> {
  let found: { available: boolean; reason: string; fallback?: boolean; adapter?: string };
  try {
    found = await webgpuAvailability();
  } catch (error) {
    found = { available: false, reason: (error as Error).message };
  }
  if (!found.available) {
    return {
      name: "webgpuVsReference",
      ratio: NaN,
      min: THRESHOLDS.webgpuVsReference.min,
      status: "skip",
      detail: `no WebGPU adapter: ${found.reason}`,
    };
  }
  const NX = 16;
  const params = plainParams({ ns: 500, npoints: NX * NX, ntau: 200, tau0: 0.1, dtau: 0.008 });
  const points = makePoints({ kind: "grid", nx: NX, ny: NX, spacing: 25 });
  const velocity = makeVelocity(params);
  const batch = makeBatch({
    count: 200,
    extentX: NX * 25,
    extentY: NX * 25,
    maxHalfOffset: 500,
    azimuthSpreadDeg: 180,
    nclass: 1,
    ns: 500,
    integrated: false,
    seed: 5,
  });
  batch.traceClass.fill(0);
  const reference = () => {
    const image = new Float32Array(params.npoints * params.ntau);
    referenceAccumulate(
      params,
      points,
      velocity,
      batch.count,
      batch.traces,
      batch.geometry,
      batch.traceClass,
      image,
    );
  };
  const backend = await WebGpuBackend.open();
  try {
    const once = async () => {
      for (let r = 0; r < SLOW; r++) {
        const tile = backend.openTile({ params, points, velocity });
        try {
          await tile.accumulate(batch);
          await tile.finish();
        } finally {
          tile.close();
        }
      }
    };
    await once(); // shader compilation
    // interleaved, best of 4 each: load that comes and goes on a shared
    // machine then hits both sides alike
    let tRef = Infinity;
    let tGpu = Infinity;
    for (let round = 0; round < 4; round++) {
      tRef = Math.min(tRef, await best(1, reference));
      tGpu = Math.min(tGpu, await best(1, once));
    }
    return gate(
      found.fallback ? "webgpuFallbackVsReference" : "webgpuVsReference",
      tRef / tGpu,
      `${tGpu.toFixed(1)} ms vs ${tRef.toFixed(1)} ms per tile (${found.adapter})`,
    );
  } finally {
    backend.close();
  }
}

function gate(name: keyof typeof THRESHOLDS, ratio: number, detail: string): GateResult {
  const min = THRESHOLDS[name].min;
  return { name, ratio, min, status: ratio >= min ? "pass" : "FAIL", detail };
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { json: { type: "boolean" } } });
  const started = performance.now();
  const results: GateResult[] = [
    ...await kernelGates(),
    await tableGate(),
    await streamedGate(),
    await webgpuGate(),
  ];
  const failed = results.filter((r) => r.status === "FAIL");
  if (values.json) {
    console.log(JSON.stringify({
      gates: results,
      selftest: SLOW > 1,
      seconds: (performance.now() - started) / 1000,
      load: loadAverage(),
    }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
  } else {
    if (SLOW > 1) console.log("PSTM_GATE_SELFTEST=slow: the optimised paths repeat their work 3x");
    for (const r of results) {
      console.log(
        `${r.status.padEnd(4)} ${r.name.padEnd(24)} ${
          Number.isFinite(r.ratio) ? r.ratio.toFixed(2).padStart(6) : "   n/a"
        } (min ${r.min})  ${r.detail}`,
      );
    }
    console.log(
      `${failed.length ? `${failed.length} gate(s) FAILED` : "all gates passed"} in ` +
        `${((performance.now() - started) / 1000).toFixed(0)} s (load average ` +
        `${loadAverage().toFixed(2)})`,
    );
  }
  Deno.exit(failed.length ? 1 : 0);
}

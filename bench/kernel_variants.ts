/**
 * Measures the CPU kernel on the kernel workload (bench/kernel_workload.ts)
 * per SIMD target and mode, next to the baseline loop on all cores in the
 * same run, and states the machine's hardware bound for the plain kernel.
 * Shared by bench/kernel_bench.ts (every target) and bench/gate.ts (the
 * default target).
 *
 * @module
 */

import type { KernelBatch, KernelParams } from "../backends/backend.ts";
import { NativeBackend } from "../backends/native/native_backend.ts";
import { UnsupportedError } from "../ffi/status.ts";
import { openBaselineLoop } from "./baseline_loop.ts";
import { measureCoreClock, nominalClockGhz } from "./core_clock.ts";
import { kernelWorkload } from "./kernel_workload.ts";

/** SIMD targets the library may hold, best first (pstm_context_target names). */
export const TARGETS = ["avx3", "avx2", "sse4", "neon", "emu128", "portable"] as const;

/** Vector lanes of float32 per target. */
const LANES: Record<string, number> = {
  avx3: 16,
  avx2: 8,
  sse4: 4,
  neon: 4,
  emu128: 4,
  portable: 4,
};

/**
 * Vector instructions per vector of output samples in the plain kernel's
 * window path (cpu_kernel_simd.cpp), loads and stores excluded, counted in
 * the AVX-512 build's disassembly: 25 in the first pass (2 legs of rsqrt and
 * one residual step each, the sample position, clamp and mask) and 17 in the
 * second (the window start, check, two permutes, lerp and masked sum).
 */
const PLAIN_OPS_PER_VECTOR = 42;

/**
 * Vector instructions a core issues per cycle. Two is right for Zen 4 with
 * 512-bit vectors (four 256-bit pipes, a zmm op takes two) and for Intel
 * cores with two 512-bit ports; it is a round figure, not measured.
 */
const VECTOR_OPS_PER_CYCLE = 2;

/** One measured variant. */
export interface VariantRate {
  /** SIMD target (pstm_context_target), or "baseline". */
  target: string;
  /** "plain" or "antialiased". */
  mode: "plain" | "antialiased";
  /** Contributions summed per second (the fastest run). */
  rate: number;
  /** Contributions summed per CPU-second (all threads): insensitive to other load. */
  perCpuSecond: number;
}

/** Everything the bench and the gate print. */
export interface KernelRates {
  /** The baseline loop, all cores, plain mode, contributions/s. */
  baseline: number;
  /** The same per CPU-second. */
  baselinePerCpuSecond: number;
  /** The kernel per target and mode. */
  variants: VariantRate[];
  /** Targets this CPU cannot run (skipped). */
  unsupported: string[];
  /** Contributions of one plain pass. */
  contributionsPerPass: number;
  /** Device string of the default backend. */
  device: string;
  /** Hardware bound of the plain kernel per target, contributions/s. */
  bound: Record<string, number>;
  /** Clock used for the bound, GHz: measured on the busy cores (bench/core_clock.ts). */
  ghz: number;
  /** The nominal clock /proc/cpuinfo states, GHz (0 where unknown). */
  nominalGhz: number;
  /** Logical cores the bound counts. */
  cores: number;
}

/**
 * CPU seconds this process has used (user + system, all threads), from
 * /proc/self/stat; NaN where it cannot be read.
 */
export function cpuSeconds(): number {
  try {
    const stat = Deno.readTextFileSync("/proc/self/stat");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in 1/100 s
  } catch {
    return NaN;
  }
}

/** A timing: the smallest wall time of the calls, and the CPU time per call. */
interface Timing {
  /** Smallest wall time of one call, ms. */
  ms: number;
  /** CPU seconds per call (all threads), averaged over the calls. */
  cpu: number;
}

/** Times `runs` calls (fewer once 4 s are spent, at least one). */
async function best(runs: number, fn: () => Promise<void> | void): Promise<Timing> {
  let min = Infinity, calls = 0;
  const started = performance.now(), cpu0 = cpuSeconds();
  for (; calls < runs && (calls === 0 || performance.now() - started < 4000); calls++) {
    const start = performance.now();
    await fn();
    min = Math.min(min, performance.now() - start);
  }
  return { ms: min, cpu: (cpuSeconds() - cpu0) / calls };
}

/**
 * The plain kernel's bound on this machine for a target: cores x clock x
 * lanes x vector ops per cycle / ops per vector of output samples.
 *
 * @param target a TARGETS name
 * @param cores logical cores
 * @param ghz clock, GHz
 * @returns contributions/s
 */
export function plainBound(target: string, cores: number, ghz: number): number {
  return (cores * ghz * 1e9 * (LANES[target] ?? 1) * VECTOR_OPS_PER_CYCLE) / PLAIN_OPS_PER_VECTOR;
}

/** Opens the CPU backend on one target; undefined when this CPU cannot run it. */
function openOn(target: string | undefined): NativeBackend | undefined {
  const previous = Deno.env.get("PSTM_SIMD");
  try {
    if (target === undefined) Deno.env.delete("PSTM_SIMD");
    else Deno.env.set("PSTM_SIMD", target);
    return NativeBackend.open("cpu");
  } catch (error) {
    if (error instanceof UnsupportedError) return undefined;
    throw error;
  } finally {
    if (previous === undefined) Deno.env.delete("PSTM_SIMD");
    else Deno.env.set("PSTM_SIMD", previous);
  }
}

/**
 * Times the workload: the baseline loop on all cores, then the kernel in
 * plain and antialiased mode on each target (or only the default one).
 *
 * @param options which targets, runs per timing, and a factor that repeats the
 *   kernel's work (the gate's self-test)
 * @returns the rates
 */
export async function measureKernel(
  options: { allTargets: boolean; runs?: number; repeat?: number },
): Promise<KernelRates> {
  const runs = options.runs ?? 3, repeat = options.repeat ?? 1;
  const w = kernelWorkload();
  const baselineLoop = openBaselineLoop();
  const image = new Float32Array(w.nx * w.nx * w.plain.ntau);
  let tBaseline: Timing;
  try {
    baselineLoop.run(w.plain, w.points, w.velocity, w.batch, image); // warm-up
    tBaseline = await best(runs, () => {
      baselineLoop.run(w.plain, w.points, w.velocity, w.batch, image);
    });
  } finally {
    baselineLoop.close();
  }
  const variants: VariantRate[] = [];
  const unsupported: string[] = [];
  let contributionsPerPass = 0, device = "";
  const targets = options.allTargets ? [...TARGETS] : [undefined];
  for (const target of targets) {
    const backend = openOn(target);
    if (!backend) {
      unsupported.push(target!);
      continue;
    }
    try {
      if (!device) device = backend.device;
      const time = async (params: KernelParams, batch: KernelBatch) => {
        const tile = backend.openTile({ params, points: w.points, velocity: w.velocity });
        try {
          const before = backend.stats().contributions;
          await tile.accumulate(batch); // warm-up, and the contributions of one pass
          const contributions = backend.stats().contributions - before;
          const ms = await best(runs, async () => {
            for (let r = 0; r < repeat; r++) await tile.accumulate(batch);
          });
          return { ...ms, contributions };
        } finally {
          tile.close();
        }
      };
      const p = await time(w.plain, w.batch);
      const a = await time(w.antialiased, w.integrated);
      contributionsPerPass = p.contributions;
      for (const [mode, t] of [["plain", p], ["antialiased", a]] as const) {
        variants.push({
          target: backend.target,
          mode,
          rate: t.contributions / (t.ms / 1e3),
          perCpuSecond: t.contributions / t.cpu,
        });
      }
    } finally {
      backend.close();
    }
  }
  const cores = navigator.hardwareConcurrency, ghz = measureCoreClock(0, 0.1);
  const bound: Record<string, number> = {};
  for (const v of variants) bound[v.target] = plainBound(v.target, cores, ghz);
  return {
    baseline: contributionsPerPass / (tBaseline.ms / 1e3),
    baselinePerCpuSecond: contributionsPerPass / tBaseline.cpu,
    variants,
    unsupported,
    contributionsPerPass,
    device,
    bound,
    ghz,
    nominalGhz: nominalClockGhz(),
    cores,
  };
}

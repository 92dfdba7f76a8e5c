/**
 * Kernel throughput of the CPU backend in contributions/s (trace x output
 * sample pairs summed per second), per SIMD target this CPU runs and per
 * mode (plain, antialiased), next to the baseline loop on all cores (the
 * minimal vectorised OpenMP loop of libpstm_bench, a floor) measured in the
 * same run, and the plain kernel's hardware bound on this machine
 * (bench/kernel_variants.ts says how it is computed).
 *
 * Workload (bench/kernel_workload.ts): 120 traces x 64 x 64 output columns x
 * 500 output samples, 500 input samples at 4 ms, no aperture.
 *
 *     deno task bench            (or: deno bench -A bench/kernel_bench.ts)
 *     deno run -A bench/kernel_bench.ts [--json]
 *
 * @module
 */

import { ensureCpuLibrary } from "./kernel_cases.ts";
import { loadAverage } from "./_support.ts";
import { type KernelRates, measureKernel } from "./kernel_variants.ts";

/** The table of one measurement, one line per variant. */
export function kernelTable(r: KernelRates): string[] {
  const rate = (x: number) => `${(x / 1e6).toFixed(0).padStart(6)} M/s`;
  const lines = [
    `workload: ${(r.contributionsPerPass / 1e6).toFixed(1)} M contributions per pass; ` +
    `${r.device}; ${r.cores} cores at ${r.ghz.toFixed(2)} GHz busy (${
      r.nominalGhz.toFixed(2)
    } GHz nominal); load ${loadAverage().toFixed(2)}`,
    `${"".padEnd(24)} ${"wall".padStart(10)}  ratio ${"per CPU-s".padStart(10)}  ratio`,
    `${"baseline loop".padEnd(24)} ${rate(r.baseline)}   1.00 ${
      rate(r.baselinePerCpuSecond)
    }   1.00` +
    "  (all cores, plain)",
  ];
  for (const v of r.variants) {
    const bound = v.mode === "plain"
      ? `  ${(100 * v.rate / r.bound[v.target]).toFixed(0).padStart(3)}% of the bound ${
        rate(r.bound[v.target])
      }`
      : "";
    lines.push(
      `${`${v.target} ${v.mode}`.padEnd(24)} ${rate(v.rate)} ${
        (v.rate / r.baseline).toFixed(2).padStart(6)
      } ${rate(v.perCpuSecond)} ${
        (v.perCpuSecond / r.baselinePerCpuSecond).toFixed(2).padStart(6)
      }${bound}`,
    );
  }
  if (r.unsupported.length) lines.push(`not on this CPU: ${r.unsupported.join(", ")}`);
  return lines;
}

if (import.meta.main) {
  await ensureCpuLibrary();
  const rates = await measureKernel({ allTargets: true });
  if (Deno.args.includes("--json")) console.log(JSON.stringify({ ...rates, load: loadAverage() }));
  else console.log(kernelTable(rates).join("\n"));
} else {
  Deno.bench({
    name: "cpu kernel on every SIMD target vs the baseline loop (figures below)",
    n: 1,
    warmup: 0,
    permissions: "inherit",
    fn: async () => {
      await ensureCpuLibrary();
      console.log(kernelTable(await measureKernel({ allTargets: true })).join("\n"));
    },
  });
}

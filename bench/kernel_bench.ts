/**
 * Kernel throughput of the CPU backend, in contributions/s (trace x output
 * sample pairs summed per second), next to `pstm_minimal_loop` (the plainest
 * single-threaded loop, the ceiling to beat) measured in the same run.
 *
 * Workload: 120 traces x 64 x 64 output columns x 500 output samples,
 * 500 input samples at 4 ms, no aperture: nearly every pair contributes.
 * A summary line per case is printed at the end:
 * contributions/s and the ratio to the minimal loop.
 *
 *     deno task bench            (or: deno bench -A bench/kernel_bench.ts)
 *
 * @module
 */

import type { KernelParams } from "../backends/backend.ts";
import { NativeBackend } from "../backends/native/native_backend.ts";
import { ensureCpuLibrary } from "./kernel_cases.ts";
import { kernelWorkload } from "./kernel_workload.ts";
import { openLibrary } from "../ffi/library.ts";
import { encodeParams } from "../backends/native/native_params.ts";
import { check } from "../ffi/status.ts";

await ensureCpuLibrary();

const { nx: NX, traces: TRACES, points, plain, antialiased, velocity, batch, integrated } =
  kernelWorkload();

/** Runs, seconds and contributions measured per case (warmup included), for the summary. */
const totals = new Map<string, { runs: number; seconds: number; contributions: number }>();
function record(name: string, seconds: number, contributions: number): void {
  const t = totals.get(name) ?? { runs: 0, seconds: 0, contributions: 0 };
  t.runs += 1;
  t.seconds += seconds;
  t.contributions += contributions;
  totals.set(name, t);
}

const backend = NativeBackend.open("cpu");
const lib = openLibrary("cpu");
const minimalImage = new Float32Array(NX * NX * plain.ntau);
const encodedPlain = encodeParams(plain);

/** Contributions of one pass of the workload, counted by the kernel (plain mode). */
let contributionsPerPass = 0;

function cpuCase(name: string, params: KernelParams, traces: typeof batch) {
  const tile = backend.openTile({ params, points, velocity });
  return async (b: Deno.BenchContext) => {
    const before = backend.stats().contributions;
    b.start();
    const start = performance.now();
    await tile.accumulate(traces);
    const seconds = (performance.now() - start) / 1000;
    b.end();
    const contributions = backend.stats().contributions - before;
    if (!params.antialias) contributionsPerPass = contributions;
    record(name, seconds, contributions);
  };
}

function minimalLoop(name: string) {
  return (b: Deno.BenchContext) => {
    b.start();
    const start = performance.now();
    const status = lib.symbols.pstm_minimal_loop(
      encodedPlain,
      points,
      velocity,
      batch.count,
      batch.traces,
      batch.geometry,
      batch.traceClass,
      minimalImage,
    );
    const seconds = (performance.now() - start) / 1000;
    b.end();
    check(lib, status, "pstm_minimal_loop");
    record(name, seconds, 0); // it sums what the kernel's plain pass counts
  };
}

const options = { n: 3, warmup: 1, permissions: "inherit" } as const;
Deno.bench({
  ...options,
  group: "plain",
  name: "minimal loop (1 thread)",
  baseline: true,
  fn: minimalLoop("minimal loop"),
});
Deno.bench({
  ...options,
  group: "plain",
  name: "cpu plain",
  fn: cpuCase("cpu plain", plain, batch),
});
Deno.bench({
  ...options,
  group: "antialias",
  name: "minimal loop (1 thread, plain)",
  baseline: true,
  fn: minimalLoop("minimal loop"),
});
Deno.bench({
  ...options,
  group: "antialias",
  name: "cpu antialiased",
  fn: cpuCase("cpu antialiased", antialiased, integrated),
});

globalThis.addEventListener("unload", () => {
  const minimal = totals.get("minimal loop");
  if (minimal && contributionsPerPass > 0) {
    const minimalRate = (contributionsPerPass * minimal.runs) / minimal.seconds;
    console.log(
      `\nworkload: ${TRACES} traces x ${NX * NX} points x ${plain.ntau} samples, ` +
        `${(contributionsPerPass / 1e6).toFixed(1)} M contributions per pass; ${backend.device}`,
    );
    console.log(`${"minimal loop".padEnd(16)} ${rate(minimalRate)}  (1 thread, ratio 1.00)`);
    for (const name of ["cpu plain", "cpu antialiased"]) {
      const t = totals.get(name);
      if (!t) continue;
      const r = t.contributions / t.seconds;
      console.log(
        `${name.padEnd(16)} ${rate(r)}  (ratio ${
          (r / minimalRate).toFixed(2)
        } to the minimal loop)`,
      );
    }
  }
  backend.close();
  lib.close();
});

function rate(perSecond: number): string {
  return `${(perSecond / 1e6).toFixed(1).padStart(7)} M contributions/s`;
}

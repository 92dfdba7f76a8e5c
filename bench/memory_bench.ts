/**
 * The memory bench of the streaming issue: synthetic surveys of 10,000,
 * 100,000 and 1,000,000 traces migrated under `--memory 512MiB`, reporting
 * the peak resident memory of the migrate process (`/usr/bin/time -v`, and
 * the summary's peakRss) and traces/s. Targets: peak RSS < 640 MB for all
 * three; traces/s not lower for the larger surveys.
 *
 * Survey: the `small3d` preset scaled to N traces (150 samples at 4 ms, two
 * offsets, 25 m midpoint spacing), so 1,000,000 traces are ~0.8 GB of SEG-Y.
 * Output: bins of 50 m covering the midpoints (passed with --grid, so the
 * scan keeps no per-trace grid state), aperture 200 m: the work per trace is
 * the same at every size. The largest survey is also streamed: `pstm synth -o - |
 * pstm migrate -` (stdin is spooled to a file beside the output).
 *
 *     deno run -A bench/memory_bench.ts [--sizes 10000,100000,1000000] [--json] [--no-stdin]
 *
 * Every size is migrated from a file; the largest (>= 1,000,000) also once
 * streamed through stdin. traces/s compares the file runs (the stdin run's
 * time includes generating and spooling the survey).
 *
 * Under `deno bench` only the 10,000-trace case runs (PSTM_BENCH_HEAVY=1
 * adds 100,000).
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  type BenchSurvey,
  coveringGrid,
  loadAverage,
  mb,
  runMigrate,
  type RunResult,
  synthSurvey,
} from "./_support.ts";
import { synthPreset, synthVelocityText } from "../pipeline/synth/synth.ts";

/** Peak RSS target of the issue, bytes. */
export const RSS_TARGET = 640e6;
const PRESET = "small3d";
const BIN = 50;
const APERTURE = 200;

/** One size's figures. */
export interface MemoryCase {
  /** Traces in the survey. */
  traces: number;
  /** "file" or "stdin". */
  input: string;
  /** Peak RSS of the migrate process, bytes (/usr/bin/time -v). */
  maxRss: number;
  /** Peak RSS the summary reports, bytes. */
  peakRss: number;
  /** traces/s over the whole run (summary seconds, the stdin spool included). */
  tracesPerSecond: number;
  /** Summary seconds. */
  seconds: number;
  /** Tiles and passes of the plan. */
  tiles: number;
  /** Passes over the input. */
  passes: number;
  /** Stage times, s. */
  times: Record<string, number>;
  /** 1-minute load average when the case finished. */
  load: number;
}

/**
 * Migrates one size under --memory 512MiB.
 *
 * @param dir scratch directory
 * @param traces about this many traces
 * @param stream pipe `pstm synth` into `pstm migrate -` instead of a file
 * @returns the figures
 */
export async function memoryCase(
  dir: string,
  traces: number,
  stream: boolean,
): Promise<MemoryCase> {
  const spec = synthPreset(PRESET, traces);
  const flags = [
    "-o",
    `${dir}/image-${traces}.sgy`,
    "--velocity",
    synthVelocityText(spec),
    `--grid=${coveringGrid(spec, BIN)}`,
    "--aperture",
    String(APERTURE),
    "--memory",
    "512MiB",
  ];
  let result: RunResult;
  let survey: BenchSurvey | undefined;
  if (stream) {
    result = await runMigrate(flags, ["--preset", PRESET, "--traces", String(traces)]);
  } else {
    survey = await synthSurvey(dir, PRESET, traces);
    result = await runMigrate([survey.path, ...flags]);
    await Deno.remove(survey.path);
  }
  await Deno.remove(`${dir}/image-${traces}.sgy`).catch(() => {});
  const s = result.summary;
  return {
    traces: s.tracesRead,
    input: stream ? "stdin" : "file",
    maxRss: result.maxRss,
    peakRss: s.peakRss,
    tracesPerSecond: result.tracesPerSecond,
    seconds: s.seconds,
    tiles: s.tiles,
    passes: s.passes,
    times: s.times,
    load: loadAverage(),
  };
}

/**
 * Prints a table of cases.
 *
 * @param cases measured cases
 */
export function printCases(cases: MemoryCase[]): void {
  console.log(
    "traces     input  peak RSS (time -v)  peakRss (summary)  traces/s   s      tiles passes load",
  );
  for (const c of cases) {
    console.log(
      `${String(c.traces).padEnd(10)} ${c.input.padEnd(6)} ${(mb(c.maxRss) + " MB").padEnd(19)} ` +
        `${(mb(c.peakRss) + " MB").padEnd(18)} ${c.tracesPerSecond.toFixed(0).padEnd(10)} ` +
        `${c.seconds.toFixed(1).padEnd(6)} ${String(c.tiles).padEnd(5)} ` +
        `${String(c.passes).padEnd(6)} ${c.load.toFixed(2)}`,
    );
  }
  const rssOk = cases.every((c) => c.maxRss < RSS_TARGET);
  const rates = cases.filter((c) => c.input === "file").map((c) => c.tracesPerSecond);
  const flat = rates.every((r, i) => i === 0 || r >= 0.9 * rates[0]);
  console.log(
    `peak RSS < ${mb(RSS_TARGET)} MB for all: ${rssOk ? "yes" : "NO"}; ` +
      `traces/s of the larger files >= 90% of the smallest: ${flat ? "yes" : "NO"}`,
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      sizes: { type: "string" },
      json: { type: "boolean" },
      dir: { type: "string" },
      "no-stdin": { type: "boolean" },
    },
  });
  const sizes = (values.sizes ?? "10000,100000,1000000").split(",").map(Number);
  const dir = values.dir ?? await Deno.makeTempDir({ prefix: "pstm-memory-bench-" });
  const cases: MemoryCase[] = [];
  try {
    for (const n of sizes) {
      const c = await memoryCase(dir, n, false);
      cases.push(c);
      if (!values.json) printCases([c]);
    }
    // the largest also streamed from pstm synth through stdin
    const largest = Math.max(...sizes);
    if (largest >= 1_000_000 && !values["no-stdin"]) {
      const c = await memoryCase(dir, largest, true);
      cases.push(c);
      if (!values.json) printCases([c]);
    }
  } finally {
    if (!values.dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (values.json) {
    console.log(JSON.stringify({ bench: "memory", preset: PRESET, memory: "512MiB", cases }));
  } else {
    console.log("");
    printCases(cases);
  }
} else {
  const sizes = Deno.env.get("PSTM_BENCH_HEAVY") ? [10_000, 100_000] : [10_000];
  for (const n of sizes) {
    Deno.bench({
      name: `memory: ${n} traces under --memory 512MiB (peak RSS printed)`,
      group: "memory",
      n: 1,
      warmup: 0,
      permissions: "inherit",
      async fn() {
        const dir = await Deno.makeTempDir({ prefix: "pstm-memory-bench-" });
        try {
          printCases([await memoryCase(dir, n, false)]);
        } finally {
          await Deno.remove(dir, { recursive: true }).catch(() => {});
        }
      },
    });
  }
}

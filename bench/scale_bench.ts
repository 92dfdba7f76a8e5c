/**
 * The scale bench of issue 17, two parts:
 *
 * - `--rss N1,N2,...`: peak resident memory of `pstm migrate` against the
 *   trace count onto the same 40 x 40-bin grid. Survey: `small3d` scaled to
 *   N traces with 64 samples at 4 ms (short traces keep 4,000,000 traces at
 *   about 1.8 GB of SEG-Y), migrated onto 40 x 40 bins covering it, aperture
 *   two bins, 64 output samples, `--memory 256MiB`. Target: the largest at
 *   most 1.2 x the smallest.
 * - `--orders N`: the same N-trace survey written in cmp, offset and shot
 *   order (`pstm synth --order`), migrated under a budget whose tile share
 *   holds 5 of its 20 tiles, reporting passes, traces read and traces/s; then
 *   the shot-order file sorted with `pstm sort` (its time reported) and
 *   migrated the same way.
 *
 *     deno run -A bench/scale_bench.ts --rss 500000,4000000 [--json]
 *     deno run -A bench/scale_bench.ts --orders 200000 [--json]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadAverage, mb, runMigrate, type RunResult } from "./_support.ts";
import {
  SYNTH_ORDERS,
  type SynthOrder,
  synthPreset,
  type SynthSpec,
  synthTraceCount,
  synthVelocityText,
} from "../pipeline/synth/synth.ts";
import { writeSynthetic } from "../pipeline/synth/write_synthetic.ts";
import { sortByBand } from "../pipeline/job/sort_job.ts";
import { parseGridFlag } from "../pipeline/plan/grid.ts";

/** Largest peak RSS ratio (most traces / fewest) of the issue. */
export const RSS_RATIO_TARGET = 1.2;
const BINS = 40;
const NS = 64;

/** One run's figures. */
export interface ScaleCase {
  /** Traces in the survey. */
  traces: number;
  /** Trace order of the file ("shot+sort": shot order, then `pstm sort`). */
  order: string;
  /** SEG-Y bytes. */
  fileBytes: number;
  /** Peak RSS of the migrate process (/usr/bin/time -v), bytes. */
  maxRss: number;
  /** Passes over the input. */
  passes: number;
  /** Tiles of the plan. */
  tiles: number;
  /** Traces read over all passes. */
  tracesRead: number;
  /** Traces read / summary seconds. */
  tracesPerSecond: number;
  /** Summary seconds. */
  seconds: number;
  /** Seconds of `pstm sort` before the migration, when sorted. */
  sortSeconds?: number;
  /** Stage times, s. */
  times: Record<string, number>;
  /** Seconds to write the survey (not part of the migration). */
  synthSeconds: number;
  /** 1-minute load average when the case finished. */
  load: number;
}

/**
 * The bench survey: small3d scaled to about `traces` traces, 64 samples.
 *
 * @param traces about this many traces
 * @param order the trace order
 * @returns the spec
 */
export function scaleSpec(traces: number, order: SynthOrder): SynthSpec {
  return { ...synthPreset("small3d", traces), ns: NS, order };
}

/** A 40 x 40 grid over the survey's midpoints and the aperture of two bins. */
function gridOf(spec: SynthSpec): { grid: string; aperture: number } {
  const dx = ((spec.nx - 1) * spec.dx) / (BINS - 1), dy = ((spec.ny - 1) * spec.dy) / (BINS - 1);
  return {
    grid: `${spec.x0},${spec.y0},${dx},${dy},${BINS},${BINS}`,
    aperture: 2 * Math.max(dx, dy),
  };
}

/**
 * Writes one survey and migrates it; with `sorted`, runs `pstm sort` on it
 * first (its seconds reported) and migrates the sorted file.
 *
 * @param dir scratch folder
 * @param spec the survey
 * @param extra further migrate flags (budget, tile size)
 * @param sorted sort the survey into tile-band order first
 * @returns the figures
 */
export async function scaleCase(
  dir: string,
  spec: SynthSpec,
  extra: string[],
  sorted = false,
): Promise<ScaleCase> {
  const path = `${dir}/survey-${spec.order}-${synthTraceCount(spec)}.sgy`;
  let started = performance.now();
  await writeSynthetic(spec, path, undefined);
  const synthSeconds = (performance.now() - started) / 1000;
  const fileBytes = (await Deno.stat(path)).size;
  const { grid, aperture } = gridOf(spec);
  let input = path, sortSeconds: number | undefined;
  if (sorted) {
    started = performance.now();
    input = `${dir}/sorted.sgy`;
    await sortByBand({ input: path, output: input, grid: parseGridFlag(grid) });
    sortSeconds = (performance.now() - started) / 1000;
  }
  let result: RunResult;
  try {
    result = await runMigrate([
      input,
      "-o",
      `${dir}/image.sgy`,
      "--velocity",
      synthVelocityText(spec),
      `--grid=${grid}`,
      "--time",
      `0,0.004,${NS}`,
      "--aperture",
      String(aperture),
      "--backend",
      "cpu",
      ...extra,
    ]);
  } finally {
    await Deno.remove(path).catch(() => {});
    await Deno.remove(`${dir}/sorted.sgy`).catch(() => {});
    await Deno.remove(`${dir}/image.sgy`).catch(() => {});
  }
  const s = result.summary;
  return {
    traces: synthTraceCount(spec),
    order: sorted ? `${spec.order}+sort` : spec.order ?? "cmp",
    fileBytes,
    maxRss: result.maxRss,
    passes: s.passes,
    tiles: s.tiles,
    tracesRead: s.tracesRead,
    tracesPerSecond: result.tracesPerSecond,
    seconds: s.seconds,
    ...(sortSeconds !== undefined ? { sortSeconds } : {}),
    times: s.times,
    synthSeconds,
    load: loadAverage(),
  };
}

/**
 * Prints a table of cases.
 *
 * @param cases measured cases
 */
export function printCases(cases: ScaleCase[]): void {
  console.log(
    "traces    order      file MB  peak RSS MB  tiles passes traces read  traces/s  s      " +
      "sort s  load",
  );
  for (const c of cases) {
    console.log(
      `${String(c.traces).padEnd(9)} ${c.order.padEnd(10)} ${mb(c.fileBytes).padEnd(8)} ` +
        `${mb(c.maxRss).padEnd(12)} ${String(c.tiles).padEnd(5)} ${String(c.passes).padEnd(6)} ` +
        `${String(c.tracesRead).padEnd(12)} ${c.tracesPerSecond.toFixed(0).padEnd(9)} ` +
        `${c.seconds.toFixed(1).padEnd(6)} ${(c.sortSeconds?.toFixed(1) ?? "-").padEnd(7)} ` +
        c.load.toFixed(2),
    );
  }
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      rss: { type: "string" },
      orders: { type: "string" },
      json: { type: "boolean" },
      dir: { type: "string" },
    },
  });
  const dir = values.dir ?? await Deno.makeTempDir({ prefix: "pstm-scale-bench-" });
  const cases: ScaleCase[] = [];
  const report = (c: ScaleCase) => {
    cases.push(c);
    if (!values.json) printCases([c]);
  };
  try {
    if (values.rss) {
      for (const n of values.rss.split(",").map(Number)) {
        report(await scaleCase(dir, scaleSpec(n, "cmp"), ["--memory", "256MiB"]));
      }
      const ratio = cases[cases.length - 1].maxRss / cases[0].maxRss;
      if (!values.json) {
        console.log(
          `peak RSS ${cases[cases.length - 1].traces} / ${cases[0].traces} traces: ` +
            `${ratio.toFixed(3)} (target <= ${RSS_RATIO_TARGET}): ` +
            (ratio <= RSS_RATIO_TARGET ? "yes" : "NO"),
        );
      }
    }
    if (values.orders) {
      const n = Number(values.orders);
      // strips of 40 x 2 bins (20 tiles of 40 * 2 * (64 * 4 * 3 + 8) B, 1 class), a budget
      // whose share for tiles holds 5 of them besides 4 batches of 256 traces and the index band
      const strip = 40 * 2 * (NS * 4 * 3 + 8);
      const budget = 4 * 256 * (NS * 8 + 64) + 20 * Math.min(n, 65536) + 5 * strip;
      const tight = ["--tile-bins", "40,2", "--memory", String(budget), "--batch-size", "256"];
      for (const order of SYNTH_ORDERS) report(await scaleCase(dir, scaleSpec(n, order), tight));
      report(await scaleCase(dir, scaleSpec(n, "shot"), tight, true));
    }
  } finally {
    if (!values.dir) await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  if (values.json) console.log(JSON.stringify({ bench: "scale", cases }));
}

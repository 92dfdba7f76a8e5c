/**
 * The plan-only report of `pstm migrate --plan` for people: one line per figure.
 *
 * @module
 */

import { formatSettings } from "../pipeline/job/defaults.ts";
import type { MigrationPlanReport } from "../pipeline/job/plan_only.ts";
import { formatDuration } from "../pipeline/job/progress.ts";
import { formatBytes } from "../pipeline/plan/memory.ts";

/** Passes listed one by one at most (then a count of the rest). */
const PASSES_LISTED = 6;

/**
 * The report as text lines.
 *
 * @param r the report
 * @param heading the first line (default: the plan of the output, nothing written)
 * @returns the text (no trailing newline)
 */
export function formatPlanReport(
  r: MigrationPlanReport,
  heading = `pstm: plan of ${r.output.path} (nothing written)`,
): string {
  const t = r.timeAxis;
  const tmax = t.tau0 + (t.ntau - 1) * t.dtau;
  const c = r.offsetClasses;
  const sectors = c.sectors ? `, ${c.perBin / c.count} azimuth sectors each` : "";
  const passLines = r.passes.slice(0, PASSES_LISTED).map((p, i) =>
    `    pass ${i + 1}: traces ${p.firstTrace}..${p.lastTrace} (${p.traces}), ${p.tiles} tile(s)`
  );
  if (r.passes.length > PASSES_LISTED) {
    passLines.push(`    ... ${r.passes.length - PASSES_LISTED} more pass(es)`);
  }
  const free = r.output.freeBytes;
  const cal = r.calibration;
  const e = r.estimate;
  const m = r.settings.units?.length ?? "m";
  const lines = [
    heading,
    `  input        ${r.input.name}: ${r.input.traces} traces of ${r.input.ns} samples at ` +
    `${(r.input.dt * 1000).toFixed(3).replace(/\.?0+$/, "")} ms`,
    ...formatSettings(r.settings, r.grid),
    `  time axis    ${t.tau0} to ${tmax.toFixed(3).replace(/\.?0+$/, "")} s, ` +
    `${t.ntau} samples of ${(t.dtau * 1000).toFixed(3).replace(/\.?0+$/, "")} ms`,
    `  classes      ${
      Number.isFinite(c.width) && c.width < 1e8
        ? `${c.count} offset class(es) of ${c.width} ${m} from ${c.first} ${m}`
        : "one offset class (every offset)"
    }${sectors}: ${c.perBin} output trace(s) a bin`,
    `  tiles        ${r.tiles.total} of ${r.tiles.tileBins.join(" x ")} bins; this run ` +
    `${r.tiles.thisRun} (${r.tiles.empty} reached by no trace)` +
    (r.tiles.resumed ? `, ${r.tiles.resumed} already done` : ""),
    `  passes       ${r.passes.length}`,
    ...passLines,
    `  trace reads  ${r.traceReads.total} (${r.traceReads.surveys.toFixed(2)} x the survey's ` +
    `${r.input.traces} traces)`,
    `  memory       peak about ${formatBytes(r.memory.peakEstimate)} (tiles and batches of the ` +
    `largest pass ${formatBytes(r.memory.tilesAndBatches)} of the ${
      formatBytes(r.memory.budget)
    } budget, ` + `process now ${formatBytes(r.memory.processNow)})`,
    `  output       ${formatBytes(r.output.bytes)} (${r.output.bytes} bytes); ` +
    (free === null ? "free disk unknown" : `${formatBytes(free)} free on its file system` +
      (free < r.output.bytes ? " (NOT ENOUGH)" : "")),
    `  contributions about ${r.contributions.estimated.toExponential(2)} (at most ` +
    `${r.contributions.bound.toExponential(2)}: each tile's traces x its output samples)`,
    cal
      ? `  calibration  ${cal.backend} (${cal.device}): ${
        cal.contributionsPerSecond.toExponential(2)
      } contributions/s over ${cal.seconds.toFixed(2)} s, ${cal.traces} traces of ` +
        `${cal.tiles} tile(s) into ${cal.columns} sample columns`
      : "  calibration  none (no tile of this run has traces)",
    `  estimate     about ${formatDuration(e.seconds)}: scan ${e.scan.toFixed(1)} s, kernel ` +
    `${e.kernel.toFixed(1)} s, read ${e.read.toFixed(1)} s, preprocess ` +
    `${e.preprocess.toFixed(1)} s (an estimate from the calibration; writing not included)`,
  ];
  return lines.join("\n");
}

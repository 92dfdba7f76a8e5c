/**
 * What a migration job reports when it ends: one builder for a run that
 * migrated tiles and for a resumed run that found nothing to do. The CLI
 * prints it as text (`formatSummary`) or as the "summary" JSON event.
 *
 * @module
 */

import type { MigrationSettings } from "./defaults.ts";
import type { BackendStats } from "../../backends/backend.ts";
import type { TraveltimeTableReport } from "../../backends/traveltime_table.ts";
import type { GridSpec, TimeAxis } from "../plan/grid.ts";
import { peakRss } from "../plan/memory.ts";
import type { OffsetClasses } from "../plan/offset_classes.ts";
import type { StageTimes } from "../streams/stage_times.ts";

/** What a finished (or partly finished) run reports. */
export interface MigrationSummary {
  /** Output path (final name). */
  output: string;
  /** Whether the output file is complete (all shards done). */
  complete: boolean;
  /** Backend used. */
  backend: string;
  /** Device it ran on. */
  device: string;
  /** Input traces. */
  traces: number;
  /** Traces read in all passes. */
  tracesRead: number;
  /** Trace headers this run's scan read (0 when it followed a plan file). */
  headersScanned: number;
  /** NaN/Inf input samples zeroed (with --zero-non-finite; counted once per pass). */
  nonFiniteZeroed: number;
  /** (trace, output sample) pairs summed. */
  contributions: number;
  /** Tiles in the whole job. */
  tiles: number;
  /** Tiles this run migrated or wrote. */
  tilesWritten: number;
  /** Tiles skipped because a previous run finished them. */
  tilesResumed: number;
  /** Passes over the input. */
  passes: number;
  /** Wall time, s. */
  seconds: number;
  /** Time per stage, s. */
  times: StageTimes;
  /** Kernel time the backend measured, s. */
  kernelSeconds: number;
  /** Peak device memory, bytes. */
  deviceBytes: number;
  /** CPU threads the native CPU kernels ran on (`--threads`, 0: all cores); absent elsewhere. */
  threads?: number;
  /** Peak resident memory of the process, bytes. */
  peakRss: number;
  /** The output grid. */
  grid: GridSpec;
  /** The output time axis. */
  time: TimeAxis;
  /** Offset classes. */
  classes: OffsetClasses;
  /** Tile plan figures. */
  plan: { tileNx: number; tileNy: number; budget: number };
  /** Whether the traveltime table was used, and the calibration (absent for resumed jobs). */
  traveltimeTable?: TraveltimeTableReport;
  /** The settings the job ran with (defaults chosen from the survey) and why. */
  settings?: MigrationSettings;
}

/** What the summary is built from. */
export interface SummaryInput {
  /** Output path. */
  output: string;
  /** Whether the output is complete. */
  complete: boolean;
  /** The backend that ran, with its statistics (absent when nothing ran). */
  backend?: { name: string; device: string; stats(): BackendStats };
  /** Input traces. */
  traces: number;
  /** Traces read, NaN/Inf samples zeroed. */
  counts?: { tracesRead: number; nonFiniteZeroed: number };
  /** Trace headers the scan read (default 0). */
  headersScanned?: number;
  /** Tiles: in the job, written by this run, finished before. */
  tiles: { total: number; written: number; resumed: number };
  /** Passes over the input. */
  passes: number;
  /** `performance.now()` when the run started. */
  started: number;
  /** Time per stage. */
  times: StageTimes;
  /** The output grid, time axis and classes. */
  grid: GridSpec;
  /** The output time axis. */
  time: TimeAxis;
  /** Offset classes. */
  classes: OffsetClasses;
  /** Tile plan figures. */
  plan: { tileNx: number; tileNy: number; budget: number };
  /** The traveltime table's report. */
  traveltimeTable?: TraveltimeTableReport;
  /** The resolved migration settings. */
  settings?: MigrationSettings;
}

/**
 * Builds the summary of a run (wall time and peak memory taken now).
 *
 * @param s what the run did
 * @returns the summary
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { buildSummary } from "./summary.ts";
 * import { newStageTimes } from "../streams/stage_times.ts";
 * const s = buildSummary({ output: "o.sgy", complete: true, traces: 10,
 *   tiles: { total: 4, written: 0, resumed: 4 }, passes: 0, started: performance.now(),
 *   times: newStageTimes(), grid: { x0: 0, y0: 0, dx: 1, dy: 1, nx: 2, ny: 2, azimuthDeg: 0 },
 *   time: { tau0: 0, dtau: 0.004, ntau: 10 }, classes: { first: 0, width: 1, count: 1 },
 *   plan: { tileNx: 1, tileNy: 1, budget: 1 << 20 } });
 * assert.equal(s.backend, "none"); // nothing ran
 * assert.equal(s.tilesResumed, 4);
 * assert.equal(s.contributions, 0);
 * ```
 */
export function buildSummary(s: SummaryInput): MigrationSummary {
  const stats = s.backend?.stats() ?? { contributions: 0, kernelSeconds: 0, deviceBytes: 0 };
  return {
    output: s.output,
    complete: s.complete,
    backend: s.backend?.name ?? "none",
    device: s.backend?.device ?? "none",
    traces: s.traces,
    tracesRead: s.counts?.tracesRead ?? 0,
    headersScanned: s.headersScanned ?? 0,
    nonFiniteZeroed: s.counts?.nonFiniteZeroed ?? 0,
    contributions: stats.contributions,
    tiles: s.tiles.total,
    tilesWritten: s.tiles.written,
    tilesResumed: s.tiles.resumed,
    passes: s.passes,
    seconds: (performance.now() - s.started) / 1000,
    times: s.times,
    kernelSeconds: stats.kernelSeconds,
    deviceBytes: stats.deviceBytes,
    ...("threads" in stats && stats.threads !== undefined ? { threads: stats.threads } : {}),
    peakRss: peakRss(),
    grid: s.grid,
    time: s.time,
    classes: s.classes,
    plan: s.plan,
    ...(s.traveltimeTable ? { traveltimeTable: s.traveltimeTable } : {}),
    ...(s.settings ? { settings: s.settings } : {}),
  };
}

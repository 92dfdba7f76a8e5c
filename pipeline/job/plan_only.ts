/**
 * The plan-only mode (`pstm migrate ... --plan`, DESIGN.md 5: "print the plan, write
 * nothing"): every check of a run (prepare.ts), then what the run would do, without writing
 * anything: grid and why, time axis, offset classes, tiles and passes, traces to read, memory,
 * output bytes and the free disk, contributions, and a time estimate from a short calibration
 * of the backend (calibrate.ts). The header scan's index and a standard-input spool are
 * temporary files, removed before it returns; no output, OUT.partial, manifest or plan file is
 * created.
 *
 * @module
 */

import type { Backend } from "../../backends/backend.ts";
import type { GridSpec, TimeAxis } from "../plan/grid.ts";
import { peakRss } from "../plan/memory.ts";
import { type OffsetClasses, outputClassCount } from "../plan/offset_classes.ts";
import type { MigrationSettings } from "./defaults.ts";
import { alreadyComplete } from "./finalize.ts";
import type { JobConfig } from "./job_config.ts";
import { calibrateKernel, type KernelCalibration } from "./calibrate.ts";
import { announcePlan, ownsNoTiles, scheduleTiles, workOf } from "./plan.ts";
import { freeDiskBytes } from "./preflight.ts";
import { prepareJob } from "./prepare.ts";
import type { Progress } from "./progress.ts";

/** One pass of the plan. */
export interface PlannedPass {
  /** First input trace it reads. */
  firstTrace: number;
  /** Last input trace it reads. */
  lastTrace: number;
  /** Traces it reads. */
  traces: number;
  /** Tiles it migrates. */
  tiles: number;
}

/** What `pstm migrate --plan` reports (the "plan" event with `--log json`). */
export interface MigrationPlanReport {
  /** The input: its name, traces, samples per trace, sample interval (s). */
  input: { name: string; traces: number; ns: number; dt: number };
  /** The output grid, and why it was chosen. */
  grid: GridSpec & { reason: string };
  /** The output time axis. */
  timeAxis: TimeAxis;
  /** Offset classes, and the output traces per bin they make (classes x azimuth sectors). */
  offsetClasses: OffsetClasses & { perBin: number };
  /** The migration settings and why each was chosen. */
  settings: MigrationSettings;
  /** Tiles: of the job, bins per tile, this run's, reached by no trace, already done. */
  tiles: {
    total: number;
    tileBins: [number, number];
    thisRun: number;
    empty: number;
    resumed: number;
  };
  /** This run's passes over the input. */
  passes: PlannedPass[];
  /** Trace reads of this run over all passes, and how many times the survey that is. */
  traceReads: { total: number; surveys: number };
  /** Memory, bytes: the budget, the tiles and batches of the largest pass, the process now. */
  memory: { budget: number; tilesAndBatches: number; processNow: number; peakEstimate: number };
  /** The output: path, bytes of the finished file, free bytes of its file system (null: unknown). */
  output: { path: string; bytes: number; freeBytes: number | null };
  /**
   * (trace, output sample) pairs: `bound`, every trace over every output sample of the tiles it
   * reaches (the plan's per-tile trace counts), and `estimated`, the bound times the fraction
   * the calibration's kernel summed.
   */
  contributions: { bound: number; estimated: number };
  /** The calibration (absent when no tile of this run has traces). */
  calibration?: KernelCalibration;
  /**
   * The estimated run time, s: the header scan as measured now (0 with a plan file), and the
   * kernel, reading and preprocessing extrapolated from the calibration; writing is not
   * included. An estimate, not a measurement.
   */
  estimate: { seconds: number; scan: number; kernel: number; read: number; preprocess: number };
}

/** Options of the plan-only mode. */
export interface PlanOnlyOptions {
  /** Use this backend instead of opening job.backend. */
  backend?: Backend;
  /** Seconds of kernel calibration (default 0.5). */
  calibrationSeconds?: number;
}

/**
 * Plans a migration job and reports it, writing nothing (see the module doc).
 *
 * @param job the validated job
 * @param progress where warnings go (the report itself is returned, not printed)
 * @param options backend and calibration time
 * @returns the report
 * @throws PstmError for bad usage or input, exactly as `runMigration` would (exit 2)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { planMigration } from "./plan_only.ts";
 * import { Progress } from "./progress.ts";
 * import { synthPreset } from "../synth/synth.ts";
 * import { writeSynthetic } from "../synth/write_synthetic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSynthetic(synthPreset("small3d"), `${dir}/in.sgy`, undefined);
 * const job = parseJobConfig({ input: `${dir}/in.sgy`, output: `${dir}/out.sgy`,
 *   velocity: "2000", backend: "reference", tileBins: [5, 5] });
 * const report = await planMigration(job, new Progress("quiet"), { calibrationSeconds: 0.05 });
 * assert.equal(report.input.traces, 286);
 * assert(report.tiles.total > 1 && report.passes.length >= 1);
 * assert(report.contributions.estimated <= report.contributions.bound);
 * // nothing written: no output, no OUT.partial, no manifest, no geometry index left
 * assert(![...Deno.readDirSync(dir)].some((e) => e.name.startsWith("out.sgy")));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function planMigration(
  job: JobConfig,
  progress: Pick<Progress, "event">,
  options: PlanOnlyOptions = {},
): Promise<MigrationPlanReport> {
  const prepared = await prepareJob(job, options.backend);
  try {
    const { files, setup, planned, backend } = prepared;
    const scan = (performance.now() - prepared.scanStart) / 1000;
    // what a --resume run would find done: the previous manifest's tiles, when it is this job's
    const previous = planned.previous;
    const idle = prepared.shard !== undefined && ownsNoTiles(planned);
    const done = await alreadyComplete(files, job.resume || idle, previous)
      ? new Set(planned.tiles.map((t) => t.id))
      : previous && previous.header.fingerprint === planned.header.fingerprint
      ? previous.done
      : new Set<number>();
    const plan = scheduleTiles(planned, done);
    announcePlan(progress, setup, plan, planned.budget, false);
    const { grid, time, classes } = setup;
    const work = workOf(plan);
    const passes = plan.passes.map((p) => ({
      firstTrace: p.firstTrace,
      lastTrace: p.lastTrace,
      traces: p.lastTrace - p.firstTrace + 1,
      tiles: p.tileIds.length,
    }));
    const largestPass = Math.max(
      0,
      ...plan.passes.map((p) => p.tileIds.reduce((n, id) => n + plan.tiles[id].bytes, 0)),
    );
    const tilesAndBatches = largestPass + plan.inputBytes;
    const processNow = peakRss();
    let bound = 0;
    for (const pass of plan.passes) {
      for (const id of pass.tileIds) {
        const t = plan.tiles[id];
        bound += t.traceCount * (t.ix1 - t.ix0) * (t.iy1 - t.iy0) * time.ntau;
      }
    }
    const calibration = await calibrateKernel(
      { setup, request: planned.request, plan, backend },
      options.calibrationSeconds,
    );
    const fraction = calibration && calibration.pairs > 0
      ? calibration.contributions / calibration.pairs
      : 0;
    const estimated = Math.round(bound * fraction);
    const kernel = calibration && calibration.contributionsPerSecond > 0
      ? estimated / calibration.contributionsPerSecond
      : 0;
    const read = work.traces * (calibration?.readSecondsPerTrace ?? 0);
    const preprocess = work.traces * (calibration?.preprocessSecondsPerTrace ?? 0);
    const free = await freeDiskBytes(job.output);
    return {
      input: {
        name: setup.input.name,
        traces: setup.info.traceCount,
        ns: setup.info.ns,
        dt: setup.info.dt,
      },
      grid: { ...grid, reason: setup.settings.reasons.grid },
      timeAxis: time,
      offsetClasses: { ...classes, perBin: outputClassCount(classes) },
      settings: setup.settings,
      tiles: {
        total: plan.tiles.length,
        tileBins: [plan.tileNx, plan.tileNy],
        thisRun: work.tiles,
        empty: plan.emptyTiles.length,
        resumed: plan.doneTiles.length,
      },
      passes,
      traceReads: {
        total: work.traces,
        surveys: setup.info.traceCount > 0 ? work.traces / setup.info.traceCount : 0,
      },
      memory: {
        budget: planned.budget,
        tilesAndBatches,
        processNow,
        peakEstimate: processNow + tilesAndBatches,
      },
      output: { path: job.output, bytes: prepared.outputBytes, freeBytes: free ?? null },
      contributions: { bound, estimated },
      ...(calibration ? { calibration } : {}),
      estimate: {
        seconds: scan + kernel + read + preprocess,
        scan,
        kernel,
        read,
        preprocess,
      },
    };
  } finally {
    await prepared.close();
  }
}

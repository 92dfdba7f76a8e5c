/**
 * A whole migration job, as a sequence of named stages:
 *
 * 0. preflight (preflight.ts): paths, --memory, --no-check; after opening the
 *    input its sampling, after setup the free disk;
 * 1. setup (setup.ts): the input opened (stdin spooled), its headers read
 *    once into the geometry index (or, with `--plan-file`, not at all:
 *    plan_once.ts), grid, time axis, classes, velocity, kernel parameters;
 * 2. plan (plan.ts): budget, fingerprint, tile shape, then the tiles and
 *    passes left once the manifest says what is done;
 * 3. passes (passes.ts): empty tiles, then each pass streamed through
 *    SegyFile -> FiniteCheckStream -> [MuteStream] -> [hooks.stages, user_stages.ts] ->
 *    PreprocessStream -> BinGeometryStream -> MigrateTileStream -> TileWriter
 *    into the preallocated `OUT.partial` (output_volume.ts);
 * 4. finalize (finalize.ts): renamed to OUT when every tile is recorded
 *    (a run failing before its first tile removes OUT.partial);
 * 5. summary (summary.ts).
 *
 * Stages 0 to 2 up to the manifest are prepare.ts's, which the plan-only mode
 * (plan_only.ts, `pstm migrate --plan`) shares: both run the same checks.
 *
 * To add a stage (a preflight check, a checkpoint), write it in its own
 * file in this folder and call it here between two of these steps.
 *
 * @module
 */

import type { Backend } from "../../backends/backend.ts";
import { Manifest } from "../output/manifest.ts";
import { newStageTimes } from "../streams/stage_times.ts";
import { alreadyComplete, finalizeOutput, removeIfNothingRecorded } from "./finalize.ts";
import type { JobConfig } from "./job_config.ts";
import { checkpointPath, openCheckpoints, removeCheckpoints } from "./checkpoint.ts";
import { createOutputVolume } from "./output_volume.ts";
import { runPasses, traveltimeBackend } from "./passes.ts";
import { announcePlan, ownsNoTiles, scheduleTiles, workOf } from "./plan.ts";
import { prepareJob } from "./prepare.ts";
import type { Progress } from "./progress.ts";
import type { StageFactory } from "./user_stages.ts";
import { buildSummary, type MigrationSummary } from "./summary.ts";

export type { MigrationSummary } from "./summary.ts";
export { parseShard } from "./shard.ts";

/** Extra knobs for tests and library users. */
export interface MigrationHooks {
  /** Use this backend instead of opening job.backend. */
  backend?: Backend;
  /** Called after each tile is durable (tests use it to simulate a crash). */
  onTile?: (tileId: number) => void | Promise<void>;
  /** Stops the run cleanly (finished tiles stay recorded) when aborted. */
  signal?: AbortSignal;
  /**
   * Your TransformStreams between reading and migration (a mute, a scaling):
   * called once per pass, it must return new instances every time
   * (see user_stages.ts).
   */
  stages?: StageFactory;
}

/**
 * Runs a migration job end to end.
 *
 * @param job the validated job
 * @param progress where progress and events go
 * @param hooks optional backend override, tile callback and abort signal
 * @returns the summary
 * @throws PstmError for bad input (exit 2, before any work where possible) or a failed write
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { runMigration } from "./migrate_job.ts";
 * import { parseJobConfig } from "./job_config.ts";
 * import { Progress } from "./progress.ts";
 * import { synthPreset } from "../synth/synth.ts";
 * import { writeSynthetic } from "../synth/write_synthetic.ts";
 * const dir = await Deno.makeTempDir();
 * await writeSynthetic(synthPreset("small3d"), `${dir}/in.sgy`, undefined);
 * const job = parseJobConfig({
 *   input: `${dir}/in.sgy`, output: `${dir}/out.sgy`, velocity: "2000",
 *   grid: "1000,2000,25,25,5,5,0", aperture: 200, backend: "reference",
 * });
 * const summary = await runMigration(job, new Progress("quiet"));
 * assert(summary.complete && summary.tilesWritten === summary.tiles);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function runMigration(
  job: JobConfig,
  progress: Progress,
  hooks: MigrationHooks = {},
): Promise<MigrationSummary> {
  const started = performance.now();
  const times = newStageTimes();
  const prepared = await prepareJob(job, hooks.backend);
  const { files, shard, setup, backend, planned, scanStart } = prepared;
  try {
    const { grid, time, classes } = setup;
    const planFile = setup.planFile;
    const summary = {
      output: job.output,
      traces: setup.info.traceCount,
      headersScanned: planFile ? 0 : setup.info.traceCount,
      grid,
      time,
      classes,
      settings: setup.settings,
    };
    // people see the settings in the summary; a JSON log has them before the work starts
    if (progress.mode === "json") progress.event("settings", { ...setup.settings });
    const planFigures = { tileNx: planned.shape.tileNx, tileNy: planned.shape.tileNy };
    // a shard owning no tile finds the output the other shards completed as done, too
    const idle = shard !== undefined && ownsNoTiles(planned);
    if (await alreadyComplete(files, job.resume || idle, planned.previous)) {
      progress.event("complete", { output: job.output }, `${job.output} is already complete`);
      const tiles = planned.shape.tiles;
      return buildSummary({
        ...summary,
        complete: true,
        tiles: { total: tiles, written: 0, resumed: tiles },
        passes: 0,
        started,
        times,
        plan: { ...planFigures, budget: planned.budget },
      });
    }
    using manifest = await Manifest.open(files.manifest, planned.header, job.resume);
    const checkpoint = await openCheckpoints({
      path: checkpointPath(files.manifest),
      fingerprint: planned.header.fingerprint,
      seconds: job.checkpoint,
      resume: job.resume,
      done: manifest.done,
    });
    const plan = scheduleTiles(planned, manifest.done);
    times.scan += (performance.now() - scanStart) / 1000;
    announcePlan(progress, setup, plan, planned.budget);
    const work = workOf(plan);

    const volume = await createOutputVolume(job, setup, files, shard);
    let volumeOpen = true;
    try {
      const tabled = traveltimeBackend(setup, backend);
      progress.start(work.traces, work.tiles);
      const counts = await runPasses({
        job,
        setup,
        request: planned.request,
        plan,
        backend: tabled,
        sink: volume,
        manifest,
        progress,
        times,
        hooks,
        checkpoint,
      });
      progress.finish();
      const traveltimeTable = tabled.report();
      // the text summary's settings say it already (traveltimes ...)
      if (progress.mode === "json") {
        progress.event(
          "traveltime-table",
          { ...traveltimeTable },
          `traveltime table ${traveltimeTable.mode}: ${traveltimeTable.used} ` +
            `(${traveltimeTable.reason})`,
        );
      }
      volumeOpen = false;
      await volume.close();
      manifest.close();
      const complete = await finalizeOutput(files, plan.tiles.length);
      if (complete) await removeCheckpoints(files.manifests);
      return buildSummary({
        ...summary,
        complete,
        backend,
        counts,
        tiles: { total: plan.tiles.length, written: work.tiles, resumed: plan.doneTiles.length },
        passes: plan.passes.length,
        started,
        times,
        plan: { ...planFigures, budget: planned.budget },
        traveltimeTable,
      });
    } catch (error) {
      if (volumeOpen) await volume.close().catch(() => {});
      volumeOpen = false;
      await removeIfNothingRecorded(manifest, files, shard !== undefined);
      throw error;
    } finally {
      if (volumeOpen) await volume.close().catch(() => {});
    }
  } finally {
    await prepared.close();
  }
}

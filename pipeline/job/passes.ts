/**
 * Stage 3 of a migration job: the tiles no trace reaches written as zeros,
 * then each pass over the input streamed through
 * SegyFile -> FiniteCheckStream -> [MuteStream (--mute)] -> [StaticsStream (--datum)] ->
 * [your stages -> TraceRangeGuard] -> PreprocessStream -> BinGeometryStream -> MigrateTileStream -> TileWriter,
 * every finished tile durable and recorded before the next.
 *
 * @module
 */

import type { Backend, TileInputs } from "../../backends/backend.ts";
import { TraveltimeTableBackend } from "../../backends/traveltime_table.ts";
import { PstmError } from "../../core/errors.ts";
import { TracePreprocessor } from "../dsp/preprocess.ts";
import type { Manifest } from "../output/manifest.ts";
import { gridPoints } from "../plan/grid.ts";
import { traceClassOf } from "../plan/offset_classes.ts";
import {
  BATCHES_IN_FLIGHT,
  makeFootprint,
  type PlanRequest,
  type TileInfo,
  type TilePlan,
} from "../plan/tile_plan.ts";
import { BatchPool } from "../segy/batch_pool.ts";
import { BinGeometryStream } from "../streams/bin_geometry_stream.ts";
import { MigrateTileStream } from "../streams/migrate_tile_stream.ts";
import { type StageTimes, timeReads } from "../streams/stage_times.ts";
import { FiniteCheckStream } from "../streams/finite_check_stream.ts";
import { PreprocessStream } from "../streams/preprocess_stream.ts";
import { MuteStream } from "../streams/mute_stream.ts";
import { StaticsStream } from "../streams/statics_stream.ts";
import { TraceRangeGuard } from "../streams/trace_range_guard.ts";
import { type StageFactory, stagesForPass } from "./user_stages.ts";
import { TileWriter, type TraceSink, writeTile } from "../streams/tile_writer.ts";
import type { JobConfig } from "./job_config.ts";
import type { Progress } from "./progress.ts";
import { explainAllocationFailure } from "./preflight.ts";
import type { JobSetup } from "./setup.ts";
import type { StreamCheckpoint } from "./checkpoint.ts";

/** Callbacks of a run (tests use `onTile` to simulate a crash). */
export interface PassHooks {
  /** Called after each tile is durable. */
  onTile?: (tileId: number) => void | Promise<void>;
  /** Stops the run cleanly (finished tiles stay recorded) when aborted. */
  signal?: AbortSignal;
  /** Your stages between reading and migration, built anew for every pass (user_stages.ts). */
  stages?: StageFactory;
}

/** Everything the passes need. */
export interface PassContext {
  /** The job (batch size, rho, antialiasing, non-finite policy, tile timings). */
  job: JobConfig;
  /** The job's setup (input, grid, velocity, kernel parameters). */
  setup: JobSetup;
  /** What the planner was asked (the footprint follows from it). */
  request: PlanRequest;
  /** This run's tiles and passes. */
  plan: TilePlan;
  /** The backend tiles open on. */
  backend: Backend;
  /** The output file. */
  sink: TraceSink;
  /** Where finished tiles are recorded. */
  manifest: Manifest;
  /** Where progress goes. */
  progress: Progress;
  /** Stage timer. */
  times: StageTimes;
  /** Tile callback and abort signal. */
  hooks: PassHooks;
  /** Checkpoints to take, and tiles restored from one (checkpoint.ts). */
  checkpoint?: StreamCheckpoint;
}

/** What carries over from pass to pass. */
export interface PassState {
  /** Traces read and samples zeroed so far. */
  counts: PassCounts;
  /** Rho filter and antialiasing integration. */
  preprocessor: TracePreprocessor;
  /** User stages handed out so far (a stage is used in one pass only). */
  usedStages: WeakSet<object>;
}

/** What the passes counted. */
export interface PassCounts {
  /** Traces read over all passes. */
  tracesRead: number;
  /** NaN/Inf samples zeroed (with --zero-non-finite). */
  nonFiniteZeroed: number;
  /**
   * The most input batches one pass allocated (the rest were read into batches the kernel
   * was done with): the batches a pass holds at once, which the planner counts as
   * `BATCHES_IN_FLIGHT`. 0 with your stages (no batch is reused).
   */
  batchesAllocated: number;
}

/**
 * The job's backend wrapped in the traveltime-table decorator, as the settings decided
 * (`--traveltime-table`, pipeline/job/defaults.ts).
 *
 * @param setup grid, geometry and reach (the largest leg distance)
 * @param backend the backend doing the work
 * @returns the decorated backend
 */
export function traveltimeBackend(
  setup: Pick<JobSetup, "grid" | "geometry" | "reach" | "settings">,
  backend: Backend,
): TraveltimeTableBackend {
  const { grid } = setup;
  return new TraveltimeTableBackend(backend, {
    mode: setup.settings.traveltimeTable,
    reason: setup.settings.reasons.table,
    maxDistance: Math.min(setup.reach, Math.hypot(grid.nx * grid.dx, grid.ny * grid.dy)) +
      setup.geometry.statistics.maxHalfOffset,
  });
}

/**
 * The points, velocity and parameters of one tile.
 *
 * @param tile the tile's bin range
 * @param setup grid, velocity and the shared kernel parameters
 * @returns the tile's inputs
 */
export function tileInputs(
  tile: Pick<TileInfo, "ix0" | "ix1" | "iy0" | "iy1">,
  setup: Pick<JobSetup, "grid" | "velocity" | "params">,
): TileInputs {
  const points = gridPoints(setup.grid, tile.ix0, tile.ix1, tile.iy0, tile.iy1);
  return {
    params: { ...setup.params, npoints: points.length / 2 },
    points,
    velocity: setup.velocity.sample(tile.ix0, tile.ix1, tile.iy0, tile.iy1),
  };
}

/**
 * Writes the tiles no trace reaches as zeros, each durable and recorded.
 *
 * @param ctx the passes' context
 */
export async function writeEmptyTiles(ctx: PassContext): Promise<void> {
  const { plan, setup, sink, manifest, progress, hooks, times } = ctx;
  const start = performance.now();
  for (const id of plan.emptyTiles) {
    throwIfAborted(hooks.signal);
    await writeTile({ ...setup, sink }, plan.tiles[id], undefined);
    await sink.sync();
    await manifest.record(id);
    progress.advance(0, 1);
    await hooks.onTile?.(id);
  }
  times.write += (performance.now() - start) / 1000;
}

/**
 * Runs one pass: reads its trace range and migrates it into its tiles.
 *
 * @param ctx the passes' context
 * @param index the pass's index in `ctx.plan.passes`
 * @param state the counters to add to, the preprocessor, the user stages used so far
 * @throws PstmError on a non-finite sample (without --zero-non-finite), a reused or
 *   misbehaving user stage, or when aborted
 */
export async function runPass(ctx: PassContext, index: number, state: PassState): Promise<void> {
  const { counts, preprocessor } = state;
  const { job, setup, plan, progress, times, hooks } = ctx;
  const { grid, classes } = setup;
  const pass = plan.passes[index];
  const signal = hooks.signal;
  throwIfAborted(signal);
  progress.event(
    "pass",
    { pass: index, of: plan.passes.length, ...pass },
    `pass ${index + 1}/${plan.passes.length}: traces ${pass.firstTrace}..${pass.lastTrace}, ` +
      `${pass.tileIds.length} tile(s)`,
  );
  // tiles restored from a checkpoint need only the traces from its position on
  const restored = ctx.checkpoint?.restored;
  const first = Math.min(
    ...pass.tileIds.map((id) =>
      restored?.has(id)
        ? Math.max(ctx.checkpoint!.from, plan.tiles[id].firstTrace)
        : plan.tiles[id].firstTrace
    ),
  );
  // batches the kernel is done with are read into again (not with your stages: they may keep
  // or hand on the batches they are given)
  const pool = hooks.stages ? undefined : new BatchPool(BATCHES_IN_FLIGHT + 2);
  const input = setup.input.file.stream({
    first,
    count: pass.lastTrace - first + 1,
    batchSize: job.batchSize,
    pool,
  });
  let traces = timeReads(input, times).pipeThrough(
    new FiniteCheckStream({
      zero: job.zeroNonFinite,
      file: setup.input.name,
      onBatch: (n, zeroed) => {
        counts.tracesRead += n;
        counts.nonFiniteZeroed += zeroed;
        progress.advance(n);
      },
    }),
  );
  if (setup.mute) traces = traces.pipeThrough(new MuteStream(setup.mute));
  if (setup.statics) traces = traces.pipeThrough(new StaticsStream(setup.statics));
  if (hooks.stages) {
    const context = {
      pass: index,
      passes: plan.passes.length,
      firstTrace: pass.firstTrace,
      lastTrace: pass.lastTrace,
      info: setup.info,
    };
    for (const stage of stagesForPass(hooks.stages, context, state.usedStages)) {
      traces = traces.pipeThrough(stage);
    }
    traces = traces.pipeThrough(
      new TraceRangeGuard({
        first: pass.firstTrace,
        last: pass.lastTrace,
        ns: setup.info.ns,
        source: `the stages of pass ${index + 1}/${plan.passes.length}`,
      }),
    );
  }
  const binner = new BinGeometryStream({
    origin: [grid.x0, grid.y0],
    classOf: (offset, azimuth) => traceClassOf(offset, azimuth, classes),
    footprint: makeFootprint(ctx.request, plan.tileNx, plan.tileNy),
  });
  await traces
    .pipeThrough(new PreprocessStream(preprocessor, times))
    .pipeThrough(binner)
    .pipeThrough(
      new MigrateTileStream({
        release: (binned) => {
          binner.release(binned);
          pool?.release(binned.batch);
        },
        backend: ctx.backend,
        tiles: pass.tileIds.map((id) => plan.tiles[id]),
        ntx: plan.ntx,
        tileInputs: (tile) => tileInputs(tile, setup),
        times,
        checkpoint: ctx.checkpoint,
      }),
    )
    .pipeTo(
      new TileWriter({
        sink: ctx.sink,
        grid,
        time: setup.time,
        classes,
        manifest: ctx.manifest,
        times,
        onTile: async (finished) => {
          progress.advance(0, 1);
          if (job.tileTimings) {
            progress.event("tile", {
              tile: finished.tile.id,
              traces: finished.traces,
              seconds: finished.seconds,
            });
          }
          await hooks.onTile?.(finished.tile.id);
        },
      }),
      { signal },
    ).then(() => {
      counts.batchesAllocated = Math.max(counts.batchesAllocated, pool?.missed ?? 0);
    }, (error) => {
      throwIfAborted(signal);
      throw explainAllocationFailure(
        error,
        `${pass.tileIds.length} tile(s) of ${plan.tileNx} x ${plan.tileNy} bins`,
      );
    });
}

/**
 * Writes the empty tiles, then runs every pass.
 *
 * @param ctx the passes' context
 * @returns traces read and samples zeroed
 */
export async function runPasses(ctx: PassContext): Promise<PassCounts> {
  await writeEmptyTiles(ctx);
  const { info } = ctx.setup;
  const preprocessor = new TracePreprocessor({
    ns: info.ns,
    dt: info.dt,
    rho: ctx.setup.settings.rho,
    antialias: ctx.setup.settings.aa,
  });
  const state: PassState = {
    counts: { tracesRead: 0, nonFiniteZeroed: 0, batchesAllocated: 0 },
    preprocessor,
    usedStages: new WeakSet(),
  };
  for (let index = 0; index < ctx.plan.passes.length; index++) {
    await runPass(ctx, index, state);
  }
  return state.counts;
}

/**
 * An interrupted run: finished tiles are recorded, `--resume` continues.
 *
 * @param signal the run's abort signal
 * @throws PstmError (exit 130, or 143 for SIGTERM) when the signal is aborted
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { throwIfAborted } from "./passes.ts";
 * throwIfAborted(new AbortController().signal); // not aborted: nothing happens
 * assert.throws(() => throwIfAborted(AbortSignal.abort("SIGTERM")), /--resume/);
 * ```
 */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason = typeof signal.reason === "string" ? signal.reason : "abort";
  throw new PstmError(
    `interrupted by ${reason}; the tiles finished so far are recorded, run again with --resume`,
    {},
    reason === "SIGTERM" ? 143 : 130,
  );
}

/**
 * Your own stream stages inside a migration: a mute, a scaling, a filter,
 * run on the input traces of every pass (finite, and top-muted when the job
 * has `--mute`) between reading and migration, without the job's internals.
 *
 * Give `runMigration` a factory in `hooks.stages`. It is called once per
 * pass over the input (a job reads the input in several passes when the
 * output does not fit the memory budget, or to resume) and must return new
 * TransformStreams each time: a stream can be piped once, so an instance
 * handed back a second time is refused with a PstmError instead of leaving
 * the later passes unmigrated. A stage may change samples in place or emit
 * new arrays; it must pass on every batch once, in order, with the same
 * traces and samples per trace (a TraceRangeGuard behind the stages checks
 * this and fails the job otherwise).
 *
 *     read -> FiniteCheckStream -> [--mute] -> YOUR STAGES -> PreprocessStream
 *          -> BinGeometryStream -> MigrateTileStream -> TileWriter
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { SegyInfo } from "../segy/segy_info.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/** A stage between reading and migration: trace batches in, trace batches out. */
export type TraceStage = ReadableWritablePair<TraceBatch, TraceBatch>;

/** What a stage factory is told about the pass it builds stages for. */
export interface PassStageContext {
  /** Index of the pass, 0-based. */
  pass: number;
  /** Passes in this run. */
  passes: number;
  /** First input trace the pass reads. */
  firstTrace: number;
  /** Last input trace the pass reads. */
  lastTrace: number;
  /** The input's file headers (ns, dt, t0, trace count). */
  info: SegyInfo;
}

/** Builds the user stages of one pass: new stream instances on every call. */
export type StageFactory = (context: PassStageContext) => TraceStage | TraceStage[];

/**
 * Calls the factory for one pass and checks what it returns: stages that
 * were used in an earlier pass (or piped elsewhere) are refused.
 *
 * @param factory the user's stage factory
 * @param context the pass
 * @param used stages handed out so far in this run (updated)
 * @returns the pass's stages, in order
 * @throws PstmError (exit 2, field "stages") for a reused or already-piped stage
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { stagesForPass } from "./user_stages.ts";
 * const info = { ns: 10 } as import("../segy/segy_info.ts").SegyInfo;
 * const context = { pass: 0, passes: 2, firstTrace: 0, lastTrace: 9, info };
 * const used = new WeakSet<object>();
 * const fresh = () => new TransformStream();
 * assert.equal(stagesForPass(fresh, context, used).length, 1);
 * const shared = new TransformStream();
 * stagesForPass(() => shared, context, used);
 * assert.throws(() => stagesForPass(() => shared, { ...context, pass: 1 }, used), /new TransformStream/);
 * ```
 */
export function stagesForPass(
  factory: StageFactory,
  context: PassStageContext,
  used: WeakSet<object>,
): TraceStage[] {
  const made = factory(context);
  const stages = Array.isArray(made) ? made : [made];
  stages.forEach((stage, i) => {
    const name = `stage ${i} of pass ${context.pass + 1}/${context.passes}`;
    if (
      !stage || !(stage.readable instanceof ReadableStream) ||
      !(stage.writable instanceof WritableStream)
    ) {
      throw new PstmError(`${name} is not a TransformStream (readable and writable)`, {
        field: "stages",
      });
    }
    if (used.has(stage) || stage.readable.locked || stage.writable.locked) {
      throw new PstmError(
        `${name} was already used (in an earlier pass or piped elsewhere); a stream is piped ` +
          "once: return a new TransformStream from the stage factory on every call",
        { field: "stages" },
      );
    }
    used.add(stage);
  });
  return stages;
}

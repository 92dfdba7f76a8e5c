/**
 * TraceRangeGuard: checks that the batches of a pass arrive whole and in
 * order (trace `first` to trace `last`, none missing, none twice, the same
 * samples per trace). It stands after user stages: a stage that drops,
 * repeats or reorders traces would otherwise close tiles early and leave
 * silently empty bins in the image.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/** The trace range a pass reads. */
export interface TraceRange {
  /** First trace index. */
  first: number;
  /** Last trace index (inclusive). */
  last: number;
  /** Samples per trace. */
  ns: number;
  /** What produced the batches, for the message (e.g. "the stages of pass 3"). */
  source: string;
}

/**
 * A TransformStream that passes batches through and errors with a PstmError
 * (exit 1) when they do not cover the range exactly, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { TraceRangeGuard } from "./trace_range_guard.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batches = [0, 4].map((firstTrace) => newTraceBatch({ count: 4, ns: 2, dt: 1, firstTrace }));
 * const guard = () => new TraceRangeGuard({ first: 0, last: 7, ns: 2, source: "test" });
 * assert.equal((await Array.fromAsync(ReadableStream.from(batches).pipeThrough(guard()))).length, 2);
 * await assert.rejects(
 *   () => Array.fromAsync(ReadableStream.from(batches.slice(1)).pipeThrough(guard())),
 *   /gave trace 4 where it expected trace 0 next/,
 * );
 * ```
 */
export class TraceRangeGuard extends TransformStream<TraceBatch, TraceBatch> {
  /**
   * Creates the guard.
   *
   * @param range the traces expected, their length and who produces them
   */
  constructor(range: TraceRange) {
    let next = range.first;
    const fail = (what: string): never => {
      throw new PstmError(
        `${range.source} ${what}; a stage must pass on every trace batch once, in order, ` +
          "with its traces and samples per trace unchanged (change samples, not traces)",
        { field: "stages" },
        1,
      );
    };
    super({
      transform(batch, controller) {
        if (batch.firstTrace !== next) {
          fail(`gave trace ${batch.firstTrace} where it expected trace ${next} next`);
        }
        if (batch.ns !== range.ns || batch.samples.length < batch.count * batch.ns) {
          fail(
            `gave traces of ${batch.ns} samples (${batch.samples.length} values for ` +
              `${batch.count} traces) where ${range.ns} samples per trace were expected`,
          );
        }
        next += batch.count;
        if (next > range.last + 1) fail(`gave traces past trace ${range.last}`);
        controller.enqueue(batch);
      },
      flush() {
        if (next !== range.last + 1) {
          fail(`ended at trace ${next - 1}, before trace ${range.last}`);
        }
      },
    });
  }
}

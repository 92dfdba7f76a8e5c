/**
 * Wall time spent per pipeline stage, for the final profile.
 *
 * @module
 */

/** Seconds spent in each stage. */
export interface StageTimes {
  /** Header scan and planning. */
  scan: number;
  /** Waiting for input batches (reading and decoding SEG-Y). */
  read: number;
  /** Rho filter and antialiasing integration. */
  preprocess: number;
  /** Backend kernel calls (awaited). */
  kernel: number;
  /** Writing finished tiles and the manifest. */
  write: number;
  /** Taking checkpoints (copying the open tiles' sums to disk), when any were taken. */
  checkpoint?: number;
}

/**
 * A zeroed StageTimes.
 *
 * @returns all stages at 0 s
 */
export function newStageTimes(): StageTimes {
  return { scan: 0, read: 0, preprocess: 0, kernel: 0, write: 0 };
}

/**
 * A stream of the same chunks that adds the time spent waiting for each one
 * to `times.read` (the reader's share of the wall time). It reads up to two
 * chunks ahead.
 *
 * @param input the source, e.g. `SegyFile.stream()`
 * @param times the stage timer
 * @returns the timed stream
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { newStageTimes, timeReads } from "./stage_times.ts";
 * const times = newStageTimes();
 * const out = await Array.fromAsync(timeReads(ReadableStream.from([1, 2, 3]), times));
 * assert.deepEqual(out, [1, 2, 3]);
 * assert(times.read >= 0);
 * ```
 */
export function timeReads<T>(input: ReadableStream<T>, times: StageTimes): ReadableStream<T> {
  const reader = input.getReader();
  return new ReadableStream<T>({
    async pull(controller) {
      const start = performance.now();
      const { done, value } = await reader.read();
      times.read += (performance.now() - start) / 1000;
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 2 });
}

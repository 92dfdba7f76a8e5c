/**
 * FiniteCheckStream: the stage that keeps NaN and Inf input samples out of
 * the image. By default the first one is an error naming the file, the
 * trace and the sample; with `zero` (`--zero-non-finite`) each is set to 0
 * and counted.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/** How FiniteCheckStream treats non-finite samples. */
export interface FiniteCheckOptions {
  /** Zero and count NaN/Inf samples instead of failing. */
  zero: boolean;
  /** The input's name for the error message. */
  file: string;
  /** Called after each batch with its trace count and the samples zeroed in it. */
  onBatch?: (traces: number, zeroed: number) => void;
}

/**
 * A TransformStream of trace batches that fails on the first NaN/Inf
 * sample, or zeroes them all and counts them.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { FiniteCheckStream } from "./finite_check_stream.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 2, ns: 2, dt: 0.004 });
 * batch.samples.set([1, NaN, Infinity, 2]);
 * const check = new FiniteCheckStream({ zero: true, file: "in.sgy" });
 * const out = await Array.fromAsync(ReadableStream.from([batch]).pipeThrough(check));
 * assert.deepEqual([...out[0].samples], [1, 0, 0, 2]);
 * assert.equal(check.zeroed, 2);
 * ```
 */
export class FiniteCheckStream extends TransformStream<TraceBatch, TraceBatch> {
  readonly #count: { zeroed: number };

  /**
   * Creates the stage.
   *
   * @param options zero or fail, the file's name, a per-batch callback
   */
  constructor(options: FiniteCheckOptions) {
    const count = { zeroed: 0 };
    super({
      transform(batch, controller) {
        const zeroed = checkFinite(batch, options.zero, options.file);
        count.zeroed += zeroed;
        options.onBatch?.(batch.count, zeroed);
        controller.enqueue(batch);
      },
    });
    this.#count = count;
  }

  /** NaN/Inf samples zeroed so far. */
  get zeroed(): number {
    return this.#count.zeroed;
  }
}

/**
 * Fails on the first NaN/Inf sample of a batch, or zeroes them all.
 *
 * @param batch the traces (samples changed in place when zeroing)
 * @param zero zero instead of failing
 * @param file the input's name for the message
 * @returns how many samples were zeroed
 * @throws PstmError (exit 2) naming the file, trace and field, when not zeroing
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkFinite } from "./finite_check_stream.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 1, ns: 3, dt: 0.004, firstTrace: 7 });
 * batch.samples[1] = NaN;
 * assert.throws(() => checkFinite(batch, false, "in.sgy"), /trace 7/);
 * assert.equal(checkFinite(batch, true, "in.sgy"), 1);
 * ```
 */
export function checkFinite(batch: TraceBatch, zero: boolean, file: string): number {
  const samples = batch.samples;
  let zeroed = 0;
  for (let i = 0; i < samples.length; i++) {
    if (Number.isFinite(samples[i])) continue;
    const trace = batch.firstTrace + Math.floor(i / batch.ns);
    if (!zero) {
      throw new PstmError(
        `sample ${i % batch.ns} is ${samples[i]}; expected a finite number ` +
          "(use --zero-non-finite to zero such samples)",
        { file, trace, field: "samples" },
      );
    }
    samples[i] = 0;
    zeroed++;
  }
  return zeroed;
}

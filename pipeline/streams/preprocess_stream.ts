/**
 * PreprocessStream: the rho filter and the antialiasing integration of each
 * trace batch, as its own stage ahead of the kernel. In a pipe it works on
 * batch k+1 while MigrateTileStream waits for the (nonblocking) kernel calls
 * of batch k, instead of after them.
 *
 * @module
 */

import type { TraceBatch } from "../segy/trace_batch.ts";
import type { StageTimes } from "./stage_times.ts";

/** What PreprocessStream applies: `TracePreprocessor` (pipeline/dsp/preprocess.ts) or the like. */
export interface BatchPreprocessor {
  /** Preprocesses `count` traces `[count][ns]` in place and returns them. */
  apply(samples: Float32Array, count: number): Float32Array;
}

/**
 * A TransformStream of trace batches whose samples are preprocessed in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { PreprocessStream } from "./preprocess_stream.ts";
 * import { TracePreprocessor } from "../dsp/preprocess.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 1, ns: 4, dt: 0.004 });
 * batch.samples.set([1, -1, 2, -2]);
 * const pre = new TracePreprocessor({ ns: 4, dt: 0.004, rho: "none", antialias: true });
 * const [out] = await Array.fromAsync(
 *   ReadableStream.from([batch]).pipeThrough(new PreprocessStream(pre)),
 * );
 * assert.notDeepEqual([...out.samples], [1, -1, 2, -2]); // now the double integral
 * ```
 */
export class PreprocessStream extends TransformStream<TraceBatch, TraceBatch> {
  /**
   * Creates the stage.
   *
   * @param preprocessor what to apply to each batch's samples
   * @param times stage timer to add the time to (`preprocess`)
   */
  constructor(preprocessor: BatchPreprocessor, times?: StageTimes) {
    super({
      transform(batch, controller) {
        const start = performance.now();
        const samples = preprocessor.apply(batch.samples, batch.count);
        if (times) times.preprocess += (performance.now() - start) / 1000;
        controller.enqueue(samples === batch.samples ? batch : { ...batch, samples });
      },
    });
  }
}

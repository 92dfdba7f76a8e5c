/**
 * MuteStream: the top mute of each trace batch (pipeline/dsp/mute.ts), in place, ahead of the
 * rho filter and the antialiasing integration.
 *
 * @module
 */

import type { TopMute } from "../dsp/mute.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/**
 * A TransformStream of trace batches whose samples are top-muted in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { MuteStream } from "./mute_stream.ts";
 * import { TopMute } from "../dsp/mute.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 1, ns: 4, dt: 0.1 });
 * batch.samples.fill(1);
 * const mute = new TopMute({ source: { offsets: [0], times: [0.2] }, taper: 0 });
 * let zeroed = 0;
 * const [out] = await Array.fromAsync(
 *   ReadableStream.from([batch]).pipeThrough(new MuteStream(mute, (n) => (zeroed += n))),
 * );
 * assert.deepEqual([...out.samples], [0, 0, 1, 1]);
 * assert.equal(zeroed, 2);
 * ```
 */
export class MuteStream extends TransformStream<TraceBatch, TraceBatch> {
  /**
   * Creates the stage.
   *
   * @param mute the top mute
   * @param onBatch called with the number of samples zeroed in each batch
   */
  constructor(mute: TopMute, onBatch?: (zeroed: number) => void) {
    super({
      transform(batch, controller) {
        const zeroed = mute.apply(batch);
        onBatch?.(zeroed);
        controller.enqueue(batch);
      },
    });
  }
}

/**
 * StaticsStream: elevation statics to a flat datum (pipeline/dsp/statics.ts) on each trace
 * batch, in place, after the top mute and ahead of the rho filter.
 *
 * @module
 */

import type { ElevationStatics } from "../dsp/statics.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/**
 * A TransformStream of trace batches shifted to the datum in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { StaticsStream } from "./statics_stream.ts";
 * import { ElevationStatics } from "../dsp/statics.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 1, ns: 3, dt: 0.004, headers: ["selev", "gelev"] });
 * batch.samples.set([0, 1, 0]);
 * batch.headers.selev[0] = batch.headers.gelev[0] = 96; // 4 m below the datum each
 * const statics = new ElevationStatics({ datum: 100, replacementVelocity: 2000 });
 * const [out] = await Array.fromAsync(
 *   ReadableStream.from([batch]).pipeThrough(new StaticsStream(statics)),
 * );
 * assert.deepEqual([...out.samples], [0, 0, 1]); // 4 ms later
 * ```
 */
export class StaticsStream extends TransformStream<TraceBatch, TraceBatch> {
  /**
   * Creates the stage.
   *
   * @param statics the datum statics
   */
  constructor(statics: ElevationStatics) {
    super({
      transform(batch, controller) {
        statics.apply(batch);
        controller.enqueue(batch);
      },
    });
  }
}

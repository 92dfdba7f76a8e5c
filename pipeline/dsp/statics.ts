/**
 * Elevation statics to a flat datum (docs/algorithm.md, "Elevation statics"): each trace is
 * shifted by t_s = -((e_source - D) + (e_receiver - D)) / v_r, removing the time its rays
 * spend between the surface and the datum D at the replacement velocity v_r, so that a survey
 * with topography images as if recorded on the datum.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/** A flat datum and the replacement velocity above it. */
export interface DatumSpec {
  /** Datum elevation, survey units (m or ft). */
  datum: number;
  /** Replacement velocity between the surface and the datum, survey units per second (> 0). */
  replacementVelocity: number;
}

/**
 * The static shift of a trace to the datum, s (negative: earlier; a trace recorded above the
 * datum moves up).
 *
 * @param sourceElevation surface elevation at the source (bytes 45-48, scaled)
 * @param receiverElevation receiver group elevation (bytes 41-44, scaled)
 * @param spec the datum and replacement velocity
 * @returns the shift, s
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { datumShift } from "./statics.ts";
 * // both 40 m above the datum at 2000 m/s: 40 ms earlier
 * assert.equal(datumShift(140, 140, { datum: 100, replacementVelocity: 2000 }), -0.04);
 * ```
 */
export function datumShift(
  sourceElevation: number,
  receiverElevation: number,
  spec: DatumSpec,
): number {
  return -((sourceElevation - spec.datum) + (receiverElevation - spec.datum)) /
    spec.replacementVelocity;
}

/**
 * Shifts a trace in time by `shift` seconds in place (out(t) = in(t - shift), linear
 * interpolation, zero where the shifted trace has no samples).
 *
 * @param trace the samples
 * @param shift seconds (negative: earlier)
 * @param dt sample interval, s
 * @param scratch a buffer of at least the trace's length
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { shiftTrace } from "./statics.ts";
 * const trace = new Float32Array([0, 0, 1, 0]);
 * shiftTrace(trace, -0.004, 0.004, new Float32Array(4));
 * assert.deepEqual([...trace], [0, 1, 0, 0]);
 * ```
 */
export function shiftTrace(
  trace: Float32Array,
  shift: number,
  dt: number,
  scratch: Float32Array,
): void {
  const n = trace.length, s = shift / dt;
  for (let i = 0; i < n; i++) {
    const u = i - s, j = Math.floor(u), f = u - j;
    const a = j >= 0 && j < n ? trace[j] : 0;
    const b = j + 1 >= 0 && j + 1 < n ? trace[j + 1] : 0;
    scratch[i] = f === 0 ? a : (1 - f) * a + f * b;
  }
  trace.set(scratch.subarray(0, n));
}

/**
 * Elevation statics of trace batches, applied in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { ElevationStatics } from "./statics.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 1, ns: 4, dt: 0.004, headers: ["selev", "gelev"] });
 * batch.samples.set([0, 0, 1, 0]);
 * batch.headers.selev[0] = batch.headers.gelev[0] = 104; // 4 m above the datum each
 * new ElevationStatics({ datum: 100, replacementVelocity: 2000 }).apply(batch);
 * assert.deepEqual([...batch.samples], [0, 1, 0, 0]); // 4 ms earlier
 * ```
 */
export class ElevationStatics {
  /** The datum and replacement velocity. */
  readonly spec: DatumSpec;
  #scratch = new Float32Array(0);

  /**
   * Creates the statics.
   *
   * @param spec datum and replacement velocity
   * @throws RangeError for a non-finite datum or a replacement velocity <= 0
   */
  constructor(spec: DatumSpec) {
    if (!Number.isFinite(spec.datum)) {
      throw new RangeError(
        `Cannot construct ElevationStatics as datum must be finite: current value is ${spec.datum}`,
      );
    }
    if (!(Number.isFinite(spec.replacementVelocity) && spec.replacementVelocity > 0)) {
      throw new RangeError(
        "Cannot construct ElevationStatics as replacementVelocity must be > 0: current value " +
          `is ${spec.replacementVelocity}`,
      );
    }
    this.spec = spec;
  }

  /**
   * Shifts every trace of a batch to the datum.
   *
   * @param batch traces with the `selev` and `gelev` headers
   * @throws PstmError when the batch lacks the elevations
   */
  apply(batch: TraceBatch): void {
    const { selev, gelev } = batch.headers;
    if (!selev || !gelev) {
      throw new PstmError("elevation statics need the elevations (bytes 41-48)", {
        field: "--datum",
      });
    }
    const ns = batch.ns;
    if (this.#scratch.length < ns) this.#scratch = new Float32Array(ns);
    for (let k = 0; k < batch.count; k++) {
      const shift = datumShift(selev[k], gelev[k], this.spec);
      if (shift === 0) continue;
      shiftTrace(batch.samples.subarray(k * ns, (k + 1) * ns), shift, batch.dt, this.#scratch);
    }
  }
}

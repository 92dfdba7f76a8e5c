/**
 * The velocity model every velocity input becomes: RMS velocity on the output grid and time
 * axis, sampled one tile at a time in the point order of `gridPoints` (pipeline/grid.ts).
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { ErrorLocation } from "../../core/errors.ts";

/** Smallest velocity accepted, m/s (catches km/s given where m/s are expected). */
export const MIN_VELOCITY = 100;
/** Largest velocity accepted, m/s. */
export const MAX_VELOCITY = 100_000;

/** RMS velocity bound to one output grid and time axis. */
export interface VelocityModel {
  /** What the model was built from, for logs ("constant 2000 m/s", "picks v.csv: 12 ..."). */
  readonly description: string;
  /** Smallest velocity anywhere on the grid and time axis, m/s. */
  readonly min: number;
  /** Largest velocity anywhere on the grid and time axis, m/s. */
  readonly max: number;
  /**
   * True when every bin has the same v(tau) (a constant or a `tau:v` function): the
   * traveltime table needs it. Absent: the velocity may vary between bins.
   */
  readonly laterallyConstant?: boolean;
  /** What the job should tell the user (e.g. bins that take extrapolated velocities). */
  readonly warnings?: readonly string[];
  /**
   * RMS velocity of bins ix0 <= ix < ix1, iy0 <= iy < iy1 as `[npoints][ntau]` float32 m/s,
   * points iy-major (for iy, for ix) like `gridPoints`.
   */
  sample(ix0: number, ix1: number, iy0: number, iy1: number): Float32Array;
}

/**
 * Checks one velocity value: finite and within [MIN_VELOCITY, MAX_VELOCITY] m/s.
 *
 * @param v the velocity
 * @param where the file, trace and field named in the error
 * @returns v
 * @throws PstmError when v is NaN, infinite, <= 0 or implausible
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkVelocityValue } from "./velocity_model.ts";
 * assert(checkVelocityValue(2000, { field: "--velocity" }) === 2000);
 * ```
 */
export function checkVelocityValue(v: number, where: ErrorLocation): number {
  if (!Number.isFinite(v) || v <= 0) {
    throw new PstmError(`velocity must be a finite number > 0 m/s, got ${v}`, where);
  }
  if (v < MIN_VELOCITY || v > MAX_VELOCITY) {
    throw new PstmError(
      `velocity ${v} is outside ${MIN_VELOCITY}..${MAX_VELOCITY}; expected m/s ` +
        `(or ft/s), e.g. 2000${v < MIN_VELOCITY ? " (km/s must be converted to m/s)" : ""}`,
      where,
    );
  }
  return v;
}

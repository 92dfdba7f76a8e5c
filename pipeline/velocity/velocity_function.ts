/**
 * A velocity function v(tau): picks (tau_i, v_i) with tau in seconds of two-way time, linear
 * interpolation in tau between picks, constant extrapolation before the first and after the
 * last pick.
 *
 * @module
 */

import { type ErrorLocation, PstmError } from "../../core/errors.ts";
import type { TimeAxis } from "../plan/grid.ts";
import { checkVelocityValue } from "./velocity_model.ts";

/** Picks of a v(tau) function, tau strictly increasing. */
export interface VelocityFunction {
  /** Two-way times, s, strictly increasing. */
  taus: Float64Array;
  /** RMS velocities at those times, m/s. */
  velocities: Float64Array;
}

/**
 * Parses "tau:v,tau:v,..." (tau in seconds, v in m/s, tau strictly increasing).
 *
 * @param text the function, e.g. "0:1800,2:3000"
 * @param field the flag or config field named in errors
 * @returns the function
 * @throws PstmError naming the pick that is malformed, out of order or not a velocity
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseVelocityFunction } from "./velocity_function.ts";
 * const f = parseVelocityFunction("0:1800, 2:3000");
 * assert(f.taus[1] === 2 && f.velocities[0] === 1800);
 * ```
 */
export function parseVelocityFunction(text: string, field = "--velocity"): VelocityFunction {
  const pairs = text.split(",").map((s) => s.trim());
  const taus: number[] = [], velocities: number[] = [];
  pairs.forEach((pair, i) => {
    const where = { field: `${field} pick ${i + 1} ("${pair}")` };
    const parts = pair.split(":").map((s) => s.trim());
    const [tau, v] = parts.map(Number);
    if (parts.length !== 2 || parts.some((s) => s === "") || !Number.isFinite(tau)) {
      throw new PstmError(
        'expected tau:v pairs separated by commas, tau in seconds, e.g. "0:1800,2:3000"',
        where,
      );
    }
    taus.push(tau);
    velocities.push(v);
  });
  return makeVelocityFunction(
    taus,
    velocities,
    pairs.map((_, i) => ({
      field: `${field} pick ${i + 1} ("${pairs[i]}")`,
    })),
  );
}

/**
 * Builds a checked function from picks given in increasing tau.
 *
 * @param taus two-way times, s
 * @param velocities velocities, m/s
 * @param where where each pick came from, for errors
 * @returns the function
 * @throws PstmError when a tau is negative or not increasing, or a velocity is bad
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { makeVelocityFunction } from "./velocity_function.ts";
 * const f = makeVelocityFunction([0, 1], [1500, 2500], [{}, {}]);
 * assert(f.taus.length === 2);
 * ```
 */
export function makeVelocityFunction(
  taus: number[],
  velocities: number[],
  where: ErrorLocation[],
): VelocityFunction {
  if (taus.length === 0) throw new PstmError("a velocity function needs at least one pick", {});
  for (let i = 0; i < taus.length; i++) {
    if (!(Number.isFinite(taus[i]) && taus[i] >= 0)) {
      throw new PstmError(`tau must be a time >= 0 in seconds, got ${taus[i]}`, where[i]);
    }
    if (i > 0 && !(taus[i] > taus[i - 1])) {
      throw new PstmError(
        `tau must increase from pick to pick: ${taus[i]} s follows ${taus[i - 1]} s`,
        where[i],
      );
    }
    checkVelocityValue(velocities[i], where[i]);
  }
  return { taus: Float64Array.from(taus), velocities: Float64Array.from(velocities) };
}

/**
 * The function's velocity at two-way time tau.
 *
 * @param fn the function
 * @param tau two-way time, s
 * @returns velocity, m/s (linear between picks, constant outside)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseVelocityFunction, velocityAt } from "./velocity_function.ts";
 * assert(velocityAt(parseVelocityFunction("1:2000,2:3000"), 1.5) === 2500);
 * ```
 */
export function velocityAt(fn: VelocityFunction, tau: number): number {
  const { taus, velocities } = fn;
  const n = taus.length;
  if (tau <= taus[0]) return velocities[0];
  if (tau >= taus[n - 1]) return velocities[n - 1];
  let lo = 0, hi = n - 1; // taus[lo] < tau < taus[hi]
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (taus[mid] <= tau) lo = mid;
    else hi = mid;
  }
  const f = (tau - taus[lo]) / (taus[hi] - taus[lo]);
  return velocities[lo] + f * (velocities[hi] - velocities[lo]);
}

/**
 * The function sampled on an output time axis.
 *
 * @param fn the function
 * @param time the output time axis
 * @param out where to write (length >= ntau); a new Float32Array by default
 * @returns `out`, the velocity at tau0 + it*dtau for it = 0..ntau-1
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseVelocityFunction, sampleVelocityFunction } from "./velocity_function.ts";
 * const v = sampleVelocityFunction(parseVelocityFunction("0:2000,1:3000"),
 *   { tau0: 0, dtau: 0.5, ntau: 4 });
 * assert(v.join() === "2000,2500,3000,3000");
 * ```
 */
export function sampleVelocityFunction(
  fn: VelocityFunction,
  time: TimeAxis,
  out: Float32Array = new Float32Array(time.ntau),
): Float32Array {
  for (let it = 0; it < time.ntau; it++) out[it] = velocityAt(fn, time.tau0 + it * time.dtau);
  return out;
}

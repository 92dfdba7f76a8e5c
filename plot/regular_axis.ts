/**
 * Places header values (inline, crossline or offset numbers) on a regular
 * axis so that missing lines show up as gaps rather than being squeezed out.
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";

/** A regular axis over a set of values. */
export interface RegularAxis {
  /** Smallest value. */
  first: number;
  /** Spacing (the smallest gap between distinct values; 1 for a single value). */
  step: number;
  /** Number of cells from the smallest to the largest value. */
  count: number;
  /** The distinct values, ascending. */
  values: number[];
}

/** Most cells an axis may have (guards against absurd header values). */
export const MAX_AXIS_CELLS = 200_000;

/**
 * The regular axis through `values`: first = min, step = the smallest gap
 * between distinct values, count = cells from min to max.
 *
 * @param values header values (at least one)
 * @param what what the values are, for messages ("crossline")
 * @param file the file, for messages
 * @returns the axis
 * @throws PstmError when the values would need more than MAX_AXIS_CELLS cells
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { axisIndex, regularAxis } from "./regular_axis.ts";
 * const axis = regularAxis([10, 14, 12, 18], "crossline", "a.sgy");
 * assert(axis.step === 2 && axis.count === 5 && axisIndex(axis, 18) === 4);
 * ```
 */
export function regularAxis(values: Iterable<number>, what: string, file: string): RegularAxis {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length === 0) {
    throw new RangeError(`Cannot build the ${what} axis as no values were given`);
  }
  let step = Infinity;
  for (let i = 1; i < distinct.length; i++) step = Math.min(step, distinct[i] - distinct[i - 1]);
  if (!Number.isFinite(step)) step = 1;
  const first = distinct[0];
  const count = Math.round((distinct[distinct.length - 1] - first) / step) + 1;
  if (count > MAX_AXIS_CELLS) {
    throw new PstmError(
      `${what} values from ${first} to ${distinct[distinct.length - 1]} in steps of ${step} ` +
        `would need ${count} plot columns; expected a regular grid of at most ${MAX_AXIS_CELLS}`,
      { file, field: what },
    );
  }
  return { first, step, count, values: distinct };
}

/**
 * The cell of a value on the axis (nearest).
 *
 * @param axis the axis
 * @param value a value
 * @returns its cell index
 */
export function axisIndex(axis: RegularAxis, value: number): number {
  return Math.round((value - axis.first) / axis.step);
}

/**
 * A short description of the values for error messages: "10..18 (step 2)",
 * or the list when there are few.
 *
 * @param axis the axis
 * @returns the description
 */
export function describeAxis(axis: RegularAxis): string {
  const v = axis.values;
  if (v.length <= 6) return v.join(", ");
  return `${v[0]}..${v[v.length - 1]} (step ${axis.step}, ${v.length} values)`;
}

/**
 * Percentile clipping of the amplitude range a plot displays.
 *
 * @module
 */

/** The value range mapped onto a colour map's ends. */
export interface ValueRange {
  /** Value shown with the low-end colour (and everything below it). */
  min: number;
  /** Value shown with the high-end colour (and everything above it). */
  max: number;
}

const MAX_SAMPLES = 1 << 21;

/**
 * The p-th percentile of the finite values (linear between ranks). Arrays
 * longer than about two million values are subsampled evenly.
 *
 * @param data the values
 * @param p percentile in [0, 100]
 * @param transform applied to each value first (e.g. Math.abs)
 * @returns the percentile, or NaN when there is no finite value
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { percentile } from "./clip.ts";
 * assert(percentile([1, 2, 3, 4, 5], 50) === 3);
 * ```
 */
export function percentile(
  data: ArrayLike<number>,
  p: number,
  transform: (v: number) => number = (v) => v,
): number {
  if (!(p >= 0 && p <= 100)) {
    throw new RangeError(`Cannot take percentile as p must be in [0, 100]: current value is ${p}`);
  }
  const stride = Math.max(1, Math.ceil(data.length / MAX_SAMPLES));
  const values = new Float64Array(Math.ceil(data.length / stride));
  let n = 0;
  for (let i = 0; i < data.length; i += stride) {
    const v = transform(data[i]);
    if (Number.isFinite(v)) values[n++] = v;
  }
  if (n === 0) return NaN;
  const sorted = values.subarray(0, n).sort();
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/**
 * The display range for percentile clipping. Symmetric (amplitudes):
 * [-c, c] with c the p-th percentile of |a|. Otherwise [P(100-p), P(p)].
 * When that range is empty (mostly zeros, as in a spike test) the full
 * range is used; a constant array is widened so that min < max.
 *
 * @param data the values
 * @param clipPercentile p in (0, 100], e.g. 99
 * @param symmetric whether the range is centred on zero
 * @returns the range
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { clipRange } from "./clip.ts";
 * const r = clipRange(Float32Array.from([-4, 1, 2, 3]), 100, true);
 * assert(r.min === -4 && r.max === 4);
 * ```
 */
export function clipRange(
  data: ArrayLike<number>,
  clipPercentile: number,
  symmetric: boolean,
): ValueRange {
  if (!(clipPercentile > 0 && clipPercentile <= 100)) {
    throw new RangeError(
      `Cannot clip as the percentile must be in (0, 100]: current value is ${clipPercentile}`,
    );
  }
  if (symmetric) {
    let c = percentile(data, clipPercentile, Math.abs);
    if (!(c > 0)) c = percentile(data, 100, Math.abs); // mostly zeros: use the peak
    if (!(c > 0)) c = 1;
    return { min: -c, max: c };
  }
  let min = percentile(data, 100 - clipPercentile);
  let max = percentile(data, clipPercentile);
  if (Number.isNaN(min)) [min, max] = [0, 1];
  if (!(max > min)) [min, max] = [percentile(data, 0), percentile(data, 100)];
  if (!(max > min)) [min, max] = [min - 0.5, max + 0.5];
  return { min, max };
}

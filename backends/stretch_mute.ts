/**
 * The stretch mute's bound for the Alkhalifah-Tsvankin (VTI eta) moveout
 * (docs/algorithm.md, "Stretch mute"): one number per tile that every
 * backend compares x^2 / (v tau)^2 with.
 *
 * @module
 */

/**
 * Whether a sample at offset-to-time ratio `alpha` = x^2 / (v tau)^2 is
 * stretched beyond `s` under the moveout t^2 = tau^2 + x^2/v^2 - 2 eta x^4 /
 * (v^2 (tau^2 v^2 + (1 + 2 eta) x^2)): with T = (t / tau)^2 and G = d(t^2)/d(tau^2)
 * (v held at its local value), dt/dtau = G / sqrt(T) and the stretch is
 * sqrt(T) / G - 1; G <= 0 (the moveout folds back) is infinite stretch.
 *
 * @param alpha x^2 / (v tau)^2 (>= 0)
 * @param s the limit, a fraction (> 0)
 * @param eta Alkhalifah's eta (> -0.5)
 * @returns true when the sample is muted
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { stretchExceeds } from "./stretch_mute.ts";
 * // eta 0: stretch sqrt(1 + alpha) - 1; 30 % is reached at alpha = 1.3^2 - 1 = 0.69
 * assert(!stretchExceeds(0.68, 0.3, 0) && stretchExceeds(0.70, 0.3, 0));
 * ```
 */
export function stretchExceeds(alpha: number, s: number, eta: number): boolean {
  const d = 1 + (1 + 2 * eta) * alpha;
  const T = 1 + alpha - (2 * eta * alpha * alpha) / d;
  const G = 1 + (2 * eta * alpha * alpha) / (d * d);
  return !(G > 0) || T > (1 + s) * (1 + s) * G * G;
}

/** Ratios scanned for the first crossing: 1e-12 to 1e12, 1.2 % apart. */
const SCAN = { first: 1e-12, last: 1e12, factor: 1.012 } as const;

/**
 * The stretch mute as a bound on alpha = x^2 / (v tau)^2: a sample is left
 * out where alpha exceeds it (tau = 0 with x > 0 included; zero offset never).
 * For eta = 0 it is (1 + s)^2 - 1 exactly; otherwise the smallest ratio at
 * which {@link stretchExceeds} holds, found by a scan and bisection in
 * float64, so the mute is a top mute on each trace (the stretch increases
 * with alpha for every eta below 1.68; beyond, samples are left out from
 * the first crossing up).
 *
 * @param s the limit, a fraction; 0 or less: no mute
 * @param eta Alkhalifah's eta (> -0.5)
 * @returns the bound, or 0 for no mute
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { stretchRatioLimit } from "./stretch_mute.ts";
 * assert.equal(stretchRatioLimit(0.3, 0), 1.3 * 1.3 - 1);
 * assert.equal(stretchRatioLimit(0, 0.1), 0); // off
 * // eta > 0 flattens the far offsets: the same 30 % is reached at a larger ratio
 * assert(stretchRatioLimit(0.3, 0.1) > stretchRatioLimit(0.3, 0));
 * ```
 */
export function stretchRatioLimit(s: number, eta: number): number {
  if (!(s > 0)) return 0;
  if (eta === 0) return (1 + s) * (1 + s) - 1;
  let lo = 0, hi: number = SCAN.first;
  while (hi < SCAN.last && !stretchExceeds(hi, s, eta)) [lo, hi] = [hi, hi * SCAN.factor];
  for (let i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (stretchExceeds(mid, s, eta)) hi = mid;
    else lo = mid;
  }
  return lo;
}

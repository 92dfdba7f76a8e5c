/**
 * Axis tick positions at "nice" values (1, 2 or 5 times a power of ten) and
 * their labels.
 *
 * @module
 */

/**
 * A nice step (1, 2 or 5 times a power of ten) that splits `span` into at
 * most `maxTicks` intervals.
 *
 * @param span the length of the axis in data units (positive)
 * @param maxTicks the most intervals wanted (at least 1)
 * @returns the step
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { niceStep } from "./axis_ticks.ts";
 * assert(niceStep(1, 5) === 0.2 && niceStep(95, 10) === 10);
 * ```
 */
export function niceStep(span: number, maxTicks: number): number {
  const raw = Math.abs(span) / Math.max(1, maxTicks);
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / magnitude;
  const factor = norm <= 1 + 1e-9 ? 1 : norm <= 2 + 1e-9 ? 2 : norm <= 5 + 1e-9 ? 5 : 10;
  return factor * magnitude;
}

/**
 * Tick values at multiples of `step` within [lo, hi].
 *
 * @param lo one end of the axis
 * @param hi the other end
 * @param step spacing (positive)
 * @returns the values, ascending; values within rounding of zero are 0
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { tickValues } from "./axis_ticks.ts";
 * assert(tickValues(-0.05, 0.45, 0.2).join() === "0,0.2,0.4");
 * ```
 */
export function tickValues(lo: number, hi: number, step: number): number[] {
  const [a, b] = lo <= hi ? [lo, hi] : [hi, lo];
  const eps = step * 1e-6;
  const ticks: number[] = [];
  for (let k = Math.ceil((a - eps) / step); k * step <= b + eps && ticks.length < 1000; k++) {
    const value = k * step;
    ticks.push(Math.abs(value) < eps ? 0 : Number(value.toPrecision(12)));
  }
  return ticks;
}

/**
 * A tick label with as many decimals as the step needs.
 *
 * @param value the tick value
 * @param step the tick spacing
 * @returns the label, e.g. "0.4" for step 0.2, "1200" for step 100
 */
export function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return value.toFixed(decimals);
}

/**
 * A compact label for an arbitrary value (colour bar ends): 3 significant
 * digits, whole numbers from 1000 up, exponent notation for very large or
 * very small magnitudes.
 *
 * @param value the value
 * @returns the label, e.g. "0.0123", "-4.5", "1250", "3.2e-6"
 */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const a = Math.abs(value);
  if (a === 0) return "0";
  if (a >= 1e6 || a < 1e-3) return value.toExponential(1).replace("e+", "e");
  if (a >= 1000) return Math.round(value).toString();
  const text = value.toPrecision(3);
  return text.includes(".") ? text.replace(/\.?0+$/, "") : text;
}

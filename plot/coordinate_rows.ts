/**
 * Coordinates under the line numbers of a section or a time slice: CDP X and
 * Y (bytes 181-188, scalar 71 applied) of each column, the distance along a
 * 2-D line, or, on a time slice, the X/Y (or distance) along each grid axis.
 *
 * @module
 */

import type { LengthUnit } from "./header_labels.ts";
import type { TickRow } from "./plot_options.ts";

/** Tick rows for a section and a note for the x label ("Y 2400 m" when Y does not change). */
export interface SectionRows {
  /** The rows (the line numbers first); undefined when the file has no CDP coordinates. */
  rows?: TickRow[];
  /** Coordinates constant along the section, for the x label ("" for none). */
  note: string;
}

/**
 * Rows of line numbers and CDP X / Y under a 3-D section. A coordinate that
 * is the same for every column goes into the note instead of a row.
 *
 * @param lineName the name of the line-number row ("xl", "il")
 * @param x CDP X of each column (NaN where there is no trace)
 * @param y CDP Y of each column
 * @param unit the survey's length unit
 * @returns the rows and the note
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { sectionRows } from "./coordinate_rows.ts";
 * const { rows, note } = sectionRows("xl", [1000, 1020, 1040], [2400, 2400, 2400], "m");
 * assert.deepStrictEqual(rows?.map((r) => r.name), ["xl", "X (m)"]);
 * assert.equal(note, "Y 2400 m");
 * ```
 */
export function sectionRows(
  lineName: string,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  unit: LengthUnit,
): SectionRows {
  if (!hasCoordinates(x, y)) return { note: "" };
  const rows: TickRow[] = [{ name: lineName }];
  const notes: string[] = [];
  for (const [name, values] of [["X", x], ["Y", y]] as const) {
    const constant = constantValue(values);
    if (constant === undefined) rows.push({ name: `${name} (${unit})`, values });
    else notes.push(`${name} ${+constant.toFixed(2)} ${unit}`);
  }
  return { rows, note: notes.join(", ") };
}

/**
 * Rows of CDP numbers and distance along a 2-D line (summed from one column
 * with a trace to the next, so a crooked line reads its true length).
 *
 * @param x CDP X of each column (NaN where there is no trace)
 * @param y CDP Y of each column
 * @param unit the survey's length unit
 * @returns the rows; undefined when the file has no CDP coordinates
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { lineRows } from "./coordinate_rows.ts";
 * const rows = lineRows([0, 3, NaN, 6], [0, 4, NaN, 8], "m");
 * assert.deepStrictEqual(Array.from(rows?.[1].values ?? []), [0, 5, NaN, 10]);
 * ```
 */
export function lineRows(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  unit: LengthUnit,
): TickRow[] | undefined {
  if (!hasCoordinates(x, y)) return undefined;
  const distance = new Float64Array(x.length).fill(NaN);
  let last = -1;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) continue;
    if (last >= 0) sum += Math.hypot(x[i] - x[last], y[i] - y[last]);
    distance[i] = sum;
    last = i;
  }
  // Coordinates that never change (a placeholder in the headers) say nothing.
  if (!(sum > 0)) return undefined;
  return [{ name: "CDP" }, { name: `dist (${unit})`, values: distance }];
}

/** The coordinates of a time slice's two axes. */
export interface SliceAxes {
  /** Rows under the crossline axis (crossline numbers, then X, Y or distance). */
  xRows?: TickRow[];
  /** The column beside the inline numbers (Y, X or distance). */
  ySecondary?: TickRow;
}

/**
 * Coordinates along the axes of a time slice, from a plane fitted to every
 * trace's CDP X/Y against its inline and crossline: X along one axis and Y
 * along the other when the grid is aligned with them, otherwise the distance
 * from the first line.
 *
 * @param inline inline of each trace
 * @param crossline crossline of each trace
 * @param x CDP X of each trace
 * @param y CDP Y of each trace
 * @param inlines the slice's inline axis (first, step, cells)
 * @param crosslines the slice's crossline axis
 * @param unit the survey's length unit
 * @returns the rows; empty when the file has no CDP coordinates
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { sliceAxes } from "./coordinate_rows.ts";
 * // inlines 1..2 along Y (20 m), crosslines 1..3 along X (25 m)
 * const il = [1, 1, 1, 2, 2, 2], xl = [1, 2, 3, 1, 2, 3];
 * const x = xl.map((c) => 1000 + 25 * c), y = il.map((i) => 2000 + 20 * i);
 * const axes = sliceAxes(il, xl, x, y, { first: 1, step: 1, count: 2 },
 *   { first: 1, step: 1, count: 3 }, "m");
 * assert.equal(axes.xRows?.[1].name, "X (m)");
 * assert.deepStrictEqual(Array.from(axes.ySecondary?.values ?? []), [2020, 2040]);
 * ```
 */
export function sliceAxes(
  inline: ArrayLike<number>,
  crossline: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  inlines: { first: number; step: number; count: number },
  crosslines: { first: number; step: number; count: number },
  unit: LengthUnit,
): SliceAxes {
  if (!hasCoordinates(x, y)) return {};
  const fx = fitPlane(inline, crossline, x);
  const fy = fitPlane(inline, crossline, y);
  if (!fx || !fy) return {};
  const along = (n: number, axis: { first: number; step: number }, k: number) =>
    Float64Array.from({ length: n }, (_, i) => axis.first + i * axis.step).map((v) => v * k);
  const il0 = inlines.first, xl0 = crosslines.first;
  // X and Y change per crossline by (fx.b, fy.b), per inline by (fx.a, fy.a).
  const xlLength = Math.hypot(fx.b, fy.b), ilLength = Math.hypot(fx.a, fy.a);
  const small = (v: number, ref: number) => Math.abs(v) <= 1e-6 * Math.max(ref, 1e-12);
  const at = (f: Plane, il: number, xl: number) => f.c + f.a * il + f.b * xl;
  let xRow: TickRow, yRow: TickRow;
  if (small(fy.b, xlLength) && small(fx.a, ilLength)) {
    xRow = {
      name: `X (${unit})`,
      values: along(crosslines.count, crosslines, 1).map((c) => at(fx, il0, c)),
    };
    yRow = {
      name: `Y (${unit})`,
      values: along(inlines.count, inlines, 1).map((i) => at(fy, i, xl0)),
    };
  } else if (small(fx.b, xlLength) && small(fy.a, ilLength)) {
    xRow = {
      name: `Y (${unit})`,
      values: along(crosslines.count, crosslines, 1).map((c) => at(fy, il0, c)),
    };
    yRow = {
      name: `X (${unit})`,
      values: along(inlines.count, inlines, 1).map((i) => at(fx, i, xl0)),
    };
  } else {
    xRow = {
      name: `dist (${unit})`,
      values: along(crosslines.count, crosslines, 1).map((c) => (c - xl0) * xlLength),
    };
    yRow = {
      name: `dist (${unit})`,
      values: along(inlines.count, inlines, 1).map((i) => (i - il0) * ilLength),
    };
  }
  return { xRows: [{ name: "xl" }, round(xRow)], ySecondary: round(yRow) };
}

/** Values to 0.01 (a fitted plane leaves rounding noise). */
function round(row: TickRow): TickRow {
  return { ...row, values: Float64Array.from(row.values ?? [], (v) => Math.round(v * 100) / 100) };
}

/** v = c + a * il + b * xl. */
interface Plane {
  a: number;
  b: number;
  c: number;
}

/** Least-squares plane through (il, xl, v); undefined when the lines do not span a plane. */
function fitPlane(
  il: ArrayLike<number>,
  xl: ArrayLike<number>,
  v: ArrayLike<number>,
): Plane | undefined {
  const n = il.length;
  let mi = 0, mx = 0, mv = 0;
  for (let k = 0; k < n; k++) [mi, mx, mv] = [mi + il[k], mx + xl[k], mv + v[k]];
  [mi, mx, mv] = [mi / n, mx / n, mv / n];
  let sii = 0, sxx = 0, six = 0, siv = 0, sxv = 0;
  for (let k = 0; k < n; k++) {
    const [di, dx, dv] = [il[k] - mi, xl[k] - mx, v[k] - mv];
    sii += di * di;
    sxx += dx * dx;
    six += di * dx;
    siv += di * dv;
    sxv += dx * dv;
  }
  const det = sii * sxx - six * six;
  if (!(Math.abs(det) > 1e-12 * Math.max(1, sii * sxx))) return undefined;
  const a = (siv * sxx - sxv * six) / det;
  const b = (sxv * sii - siv * six) / det;
  return { a, b, c: mv - a * mi - b * mx };
}

function hasCoordinates(x: ArrayLike<number>, y: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) {
    if ((Number.isFinite(x[i]) && x[i] !== 0) || (Number.isFinite(y[i]) && y[i] !== 0)) {
      return true;
    }
  }
  return false;
}

function constantValue(values: ArrayLike<number>): number | undefined {
  let first: number | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (first === undefined) first = v;
    else if (Math.abs(v - first) > 1e-6 * Math.max(1, Math.abs(first))) return undefined;
  }
  return first;
}

/**
 * The survey's own trace spacing along each axis of an output grid, for antialiasing
 * (docs/algorithm.md §5), and whether the survey is a 2-D line: measured from the trace
 * midpoints, not assumed from the bin size.
 *
 * Along an axis, the spacing is the median gap between occupied bins of the same row (for the
 * ix axis) or column (for the iy axis), times the bin size: a survey with 25 m bins and
 * midpoints on every fourth crossline row (100 m between sail lines) measures 100 m across and
 * 25 m (or its CMP interval) along. A survey whose midpoints spread less than 5% of their
 * length across it is a 2-D line; its spacing across the line is the one along it (there are
 * no neighbouring traces across a line, and the operator has no crossline dip there).
 *
 * @module
 */

import { binOf, type GridSpec } from "./grid.ts";

/** The measured spacing and shape of a survey on a grid. */
export interface SurveySpacing {
  /** 2 for a 2-D line, 3 for a 3-D survey. */
  dimensions: 2 | 3;
  /** Trace spacing along the grid's ix axis (its azimuth), m. */
  along: number;
  /** Trace spacing along the grid's iy axis, m. */
  across: number;
  /** Extent of the midpoints along the ix axis, m. */
  extentAlong: number;
  /** Extent of the midpoints along the iy axis, m. */
  extentAcross: number;
  /** How the spacing was found, for the job summary. */
  how: string;
}

/** Fraction of the survey's length below which its width makes it a 2-D line. */
export const LINE_WIDTH_FRACTION = 0.05;

/** Largest grid whose occupancy is kept (1 byte a bin). */
const MAX_BINS = 50_000_000;
/** Gaps longer than this many bins are holes in the survey, not its sampling. */
const MAX_GAP = 64;

/**
 * Accumulates midpoints and measures the trace spacing along the grid's axes.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SpacingMeter } from "./trace_spacing.ts";
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 40, ny: 40, azimuthDeg: 0 };
 * const meter = new SpacingMeter(grid);
 * for (let x = 0; x < 1000; x += 12.5) for (let y = 0; y < 1000; y += 100) meter.add(x, y);
 * const s = meter.result();
 * assert.equal(s.dimensions, 3);
 * assert.equal(s.along, 25); // every bin of a row is live: the bin size bounds it
 * assert.equal(s.across, 100); // one live row in four
 * ```
 */
export class SpacingMeter {
  readonly #grid: GridSpec;
  readonly #live: Uint8Array | undefined;
  #umin = Infinity;
  #umax = -Infinity;
  #vmin = Infinity;
  #vmax = -Infinity;
  #count = 0;

  /**
   * Starts a measurement on `grid`.
   *
   * @param grid the output grid whose axes the spacing is measured along
   */
  constructor(grid: GridSpec) {
    this.#grid = grid;
    const bins = grid.nx * grid.ny;
    this.#live = bins <= MAX_BINS ? new Uint8Array(bins) : undefined;
  }

  /**
   * Adds one trace midpoint.
   *
   * @param x survey x, m
   * @param y survey y, m
   */
  add(x: number, y: number): void {
    const g = this.#grid;
    const b = binOf(g, x, y);
    const u = b.ix * g.dx, v = b.iy * g.dy;
    if (u < this.#umin) this.#umin = u;
    if (u > this.#umax) this.#umax = u;
    if (v < this.#vmin) this.#vmin = v;
    if (v > this.#vmax) this.#vmax = v;
    this.#count++;
    const ix = Math.round(b.ix), iy = Math.round(b.iy);
    if (this.#live && ix >= 0 && ix < g.nx && iy >= 0 && iy < g.ny) this.#live[iy * g.nx + ix] = 1;
  }

  /**
   * The measured spacing.
   *
   * @returns spacing along both axes, the survey's dimensionality and how it was found
   */
  result(): SurveySpacing {
    const g = this.#grid;
    const extentAlong = this.#count ? this.#umax - this.#umin : 0;
    const extentAcross = this.#count ? this.#vmax - this.#vmin : 0;
    const longest = Math.max(extentAlong, extentAcross);
    const dimensions = Math.min(extentAlong, extentAcross) <= LINE_WIDTH_FRACTION * longest ? 2 : 3;
    let along = g.dx, across = g.dy;
    let how = "the bin size (the grid has too many bins to measure)";
    if (this.#live) {
      const gapX = medianGap(this.#live, g.nx, g.ny, 1, g.nx);
      const gapY = medianGap(this.#live, g.ny, g.nx, g.nx, 1);
      along = (gapX ?? 1) * g.dx;
      across = (gapY ?? 1) * g.dy;
      how = "3-D survey, median gap between live bins along each axis";
    }
    if (dimensions === 2) {
      // a line: the spacing along it serves both axes
      const line = extentAlong >= extentAcross ? along : across;
      along = across = line;
      how = `2-D line (midpoints ${fmt(Math.min(extentAlong, extentAcross))} m wide over ` +
        `${fmt(longest)} m), its spacing along the line on both axes`;
    }
    return { dimensions, along, across, extentAlong, extentAcross, how };
  }
}

/**
 * Median gap, in bins, between consecutive live bins along lines of `length` bins (`lines` of
 * them; bin k of line l at `l * lineStride + k * step`); undefined when no line has two live
 * bins within MAX_GAP.
 */
function medianGap(
  live: Uint8Array,
  length: number,
  lines: number,
  step: number,
  lineStride: number,
): number | undefined {
  const histogram = new Float64Array(MAX_GAP + 1);
  let total = 0;
  for (let l = 0; l < lines; l++) {
    let last = -1;
    const base = l * lineStride;
    for (let k = 0; k < length; k++) {
      if (!live[base + k * step]) continue;
      const gap = k - last;
      if (last >= 0 && gap <= MAX_GAP) {
        histogram[gap]++;
        total++;
      }
      last = k;
    }
  }
  if (total === 0) return undefined;
  let seen = 0;
  for (let gap = 1; gap <= MAX_GAP; gap++) {
    seen += histogram[gap];
    if (seen >= total / 2) return gap;
  }
  return undefined;
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}

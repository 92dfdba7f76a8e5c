/**
 * A velocity model known at scattered (x, y) locations, each with its own velocity function
 * already sampled on the output time axis (picks tables and SEG-Y velocity volumes both become
 * one). Lateral interpolation is Franke & Nielson's (1980) modified Shepard inverse-distance
 * weighting over the k = 8 nearest locations:
 *
 *   w_i = ((R - d_i) / (R d_i))^2,  R = distance to the (k+1)-th nearest location,
 *   v(p, tau) = sum_i w_i v_i(tau) / sum_i w_i
 *
 * (plain 1/d^2 weights over all locations when there are k or fewer). The weights fall to 0
 * as a location leaves the k nearest, so the field is continuous; it reproduces each location
 * exactly and stays within the range of the values it blends (no overshoot).
 *
 * Coverage: every output bin centre must lie inside the convex hull of the locations, or
 * within `tolerance` (default one output bin, max(dx, dy)) of it; otherwise the model cannot
 * be built, unless `extrapolate` is set. Bins within the tolerance outside the hull take the
 * weighted blend of their nearest locations. With `extrapolate`, bins farther outside take the
 * function of their nearest location (constant lateral extrapolation), and the model carries a
 * warning naming the farthest corner bin.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { binCentre, checkTileRange, type GridSpec, type TimeAxis } from "../plan/grid.ts";
import type { VelocityModel } from "./velocity_model.ts";

/** Neighbours blended per output point. */
export const SHEPARD_NEIGHBOURS = 8;

/** Inputs of a scattered velocity model. */
export interface ScatteredVelocityInput {
  /** Survey x of each location, m. */
  xs: Float64Array;
  /** Survey y of each location, m. */
  ys: Float64Array;
  /** `[nlocations][ntau]` velocity of each location on the output time axis, m/s. */
  functions: Float32Array;
  /** The file the locations came from (named in errors). */
  file: string;
  /** What the description says the model is, e.g. "picks at 12 locations". */
  what: string;
  /** How far outside the locations' hull a bin may lie, m; default max(dx, dy). */
  tolerance?: number;
  /**
   * Bins beyond the tolerance take their nearest location's function, with a warning
   * (default false: such a grid is refused).
   */
  extrapolate?: boolean;
}

/**
 * Scattered locations interpolated laterally by modified Shepard weighting (see the module).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { ScatteredVelocity } from "./velocity_scattered.ts";
 * const grid = { x0: 0, y0: 0, dx: 50, dy: 50, nx: 3, ny: 3, azimuthDeg: 0 };
 * const model = new ScatteredVelocity(grid, { tau0: 0, dtau: 1, ntau: 1 }, {
 *   xs: new Float64Array([0, 100, 0, 100]), ys: new Float64Array([0, 0, 100, 100]),
 *   functions: new Float32Array([2000, 2000, 3000, 3000]), file: "v.csv", what: "picks" });
 * assert(model.sample(1, 2, 1, 2)[0] === 2500); // the centre blends all four
 * ```
 */
export class ScatteredVelocity implements VelocityModel {
  /** What the model was built from. */
  readonly description: string;
  /** Smallest velocity of any location, m/s. */
  readonly min: number;
  /** Largest velocity of any location, m/s. */
  readonly max: number;
  /** The extrapolation warning, when bins lie beyond the tolerance. */
  readonly warnings: string[] = [];
  #grid: GridSpec;
  #hull: [number, number][];
  #tolerance: number;
  #extrapolate: boolean;
  #ntau: number;
  #input: ScatteredVelocityInput;
  #index: _BucketIndex;

  /**
   * @param grid the output grid
   * @param time the output time axis (the functions are sampled on it)
   * @param input locations and their functions
   * @throws PstmError when there are no locations or they do not cover the grid
   */
  constructor(grid: GridSpec, time: TimeAxis, input: ScatteredVelocityInput) {
    const n = input.xs.length;
    if (n === 0 || input.ys.length !== n || input.functions.length !== n * time.ntau) {
      throw new PstmError(`expected at least one velocity location, found ${n}`, {
        file: input.file,
      });
    }
    this.#grid = grid;
    this.#ntau = time.ntau;
    this.#input = input;
    let min = Infinity, max = -Infinity;
    const functions = input.functions;
    for (let i = 0; i < functions.length; i++) {
      const v = functions[i];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    this.min = min;
    this.max = max;
    this.#tolerance = input.tolerance ?? Math.max(grid.dx, grid.dy);
    this.#extrapolate = input.extrapolate ?? false;
    this.#hull = convexHull(input.xs, input.ys);
    const warning = checkCoverage(grid, input.xs, input.ys, this.#tolerance, {
      file: input.file,
      what: input.what,
    }, this.#extrapolate);
    if (warning) this.warnings.push(warning);
    this.#index = new _BucketIndex(input.xs, input.ys);
    this.description = `${input.what} from ${input.file}, ${min}..${max} m/s`;
  }

  /**
   * Velocity of a tile, `[npoints][ntau]`, points iy-major like `gridPoints`.
   *
   * @param ix0 first ix (inclusive)
   * @param ix1 last ix (exclusive)
   * @param iy0 first iy (inclusive)
   * @param iy1 last iy (exclusive)
   * @returns the velocities, m/s
   */
  sample(ix0: number, ix1: number, iy0: number, iy1: number): Float32Array {
    checkTileRange(this.#grid, ix0, ix1, iy0, iy1);
    const ntau = this.#ntau, functions = this.#input.functions;
    const out = new Float32Array((ix1 - ix0) * (iy1 - iy0) * ntau);
    const ids = new Int32Array(SHEPARD_NEIGHBOURS + 1);
    const dists = new Float64Array(SHEPARD_NEIGHBOURS + 1);
    const weights = new Float64Array(SHEPARD_NEIGHBOURS);
    let j = 0;
    for (let iy = iy0; iy < iy1; iy++) {
      for (let ix = ix0; ix < ix1; ix++, j++) {
        const p = binCentre(this.#grid, ix, iy);
        const found = this.#index.nearest(p.x, p.y, ids, dists);
        const row = out.subarray(j * ntau, (j + 1) * ntau);
        const beyond = this.#extrapolate &&
          distanceOutsideHull(this.#hull, p.x, p.y) > this.#tolerance;
        if (dists[0] < 1e-6 || beyond) { // on a location, or beyond them: the nearest's function
          row.set(functions.subarray(ids[0] * ntau, (ids[0] + 1) * ntau));
          continue;
        }
        const k = Math.min(found, SHEPARD_NEIGHBOURS);
        const r = found > SHEPARD_NEIGHBOURS ? dists[SHEPARD_NEIGHBOURS] : Infinity;
        let sum = 0;
        for (let i = 0; i < k; i++) {
          const d = dists[i];
          weights[i] = r === Infinity ? 1 / (d * d) : ((r - d) / (r * d)) ** 2;
          sum += weights[i];
        }
        if (!(sum > 0)) { // the k+1 nearest are equidistant: plain inverse distance
          for (let i = 0; i < k; i++) sum += weights[i] = 1 / (dists[i] * dists[i]);
        }
        for (let i = 0; i < k; i++) {
          const w = weights[i] / sum, f = ids[i] * ntau;
          for (let it = 0; it < ntau; it++) row[it] += w * functions[f + it];
        }
      }
    }
    return out;
  }
}

/**
 * Checks that the grid's bin centres lie within `tolerance` of the convex hull of the
 * locations (checking the four corner bins suffices: the grid and the widened hull are convex).
 *
 * @param grid the output grid
 * @param xs location x, m
 * @param ys location y, m
 * @param tolerance allowed distance outside the hull, m
 * @param source the file and a word for the locations, for the error
 * @param extrapolate return a warning instead of throwing (bins beyond take constant values)
 * @returns the warning, when `extrapolate` and some corner lies beyond the tolerance
 * @throws PstmError naming the corner bin, its coordinates and how far outside it lies
 * @example
 * ```ts
 * import { checkCoverage } from "./velocity_scattered.ts";
 * const grid = { x0: 0, y0: 0, dx: 10, dy: 10, nx: 2, ny: 2, azimuthDeg: 0 };
 * checkCoverage(grid, new Float64Array([0, 10, 0]), new Float64Array([0, 0, 10]), 10,
 *   { file: "v.csv", what: "picks" }); // (10, 10) is 7 m outside: within tolerance
 * ```
 */
export function checkCoverage(
  grid: GridSpec,
  xs: Float64Array,
  ys: Float64Array,
  tolerance: number,
  source: { file: string; what: string },
  extrapolate = false,
): string | undefined {
  const hull = convexHull(xs, ys);
  let worst: { ix: number; iy: number; x: number; y: number; outside: number } | undefined;
  const corners: [number, number][] = [[0, 0], [grid.nx - 1, 0], [0, grid.ny - 1], [
    grid.nx - 1,
    grid.ny - 1,
  ]];
  for (const [ix, iy] of corners) {
    const p = binCentre(grid, ix, iy);
    const outside = distanceOutsideHull(hull, p.x, p.y);
    if (outside > tolerance && extrapolate) {
      if (!worst || outside > worst.outside) worst = { ix, iy, x: p.x, y: p.y, outside };
    } else if (outside > tolerance) {
      throw new PstmError(
        `the ${source.what} do not cover the output grid: bin (ix ${ix}, iy ${iy}) at ` +
          `(${p.x.toFixed(1)}, ${p.y.toFixed(1)}) lies ${outside.toFixed(1)} m outside the ` +
          `area they span (tolerance ${tolerance} m); extend them or shrink --grid ` +
          "(or --velocity-extrapolation constant to take the nearest velocities there)",
        { file: source.file, field: "x, y (velocity locations)" },
      );
    }
  }
  if (!worst) return undefined;
  return `${source.file}: the ${source.what} do not cover the output grid (bin (ix ${worst.ix}, ` +
    `iy ${worst.iy}) at (${worst.x.toFixed(1)}, ${worst.y.toFixed(1)}) lies ` +
    `${worst.outside.toFixed(1)} m outside the area they span); bins beyond take the velocity ` +
    "of the nearest location (constant extrapolation; --velocity-extrapolation error refuses this)";
}

/**
 * The convex hull of a point set, counter-clockwise, without collinear points (Andrew's
 * monotone chain); one or two points when the set is a point or collinear.
 *
 * @param xs x of each point
 * @param ys y of each point
 * @returns hull vertices as [x, y] pairs
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { convexHull } from "./velocity_scattered.ts";
 * const h = convexHull(new Float64Array([0, 1, 1, 0, 0.5]), new Float64Array([0, 0, 1, 1, 0.5]));
 * assert(h.length === 4);
 * ```
 */
export function convexHull(xs: Float64Array, ys: Float64Array): [number, number][] {
  const order = Array.from(xs.keys()).sort((a, b) => xs[a] - xs[b] || ys[a] - ys[b]);
  const pts: [number, number][] = [];
  for (const i of order) {
    const last = pts[pts.length - 1];
    if (!last || last[0] !== xs[i] || last[1] !== ys[i]) pts.push([xs[i], ys[i]]);
  }
  if (pts.length <= 2) return pts;
  const cross = (o: number[], a: number[], b: number[]) =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [], upper: [number, number][] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) {
      lower.pop();
    }
    lower.push(p);
  }
  for (let i = pts.length - 1; i >= 0; i--) {
    const p = pts[i];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) {
      upper.pop();
    }
    upper.push(p);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  return hull.length >= 2 ? hull : pts.slice(0, 1);
}

/**
 * How far a point lies outside a convex hull (0 inside): the largest distance outside any
 * edge's line, or the distance to the point or segment of a degenerate hull.
 *
 * @param hull counter-clockwise vertices from `convexHull`
 * @param x point x
 * @param y point y
 * @returns distance outside, m
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { distanceOutsideHull } from "./velocity_scattered.ts";
 * assert(distanceOutsideHull([[0, 0], [1, 0], [1, 1], [0, 1]], 3, 0.5) === 2);
 * ```
 */
export function distanceOutsideHull(hull: [number, number][], x: number, y: number): number {
  if (hull.length === 1) return Math.hypot(x - hull[0][0], y - hull[0][1]);
  if (hull.length === 2) {
    const [[ax, ay], [bx, by]] = hull;
    const ex = bx - ax, ey = by - ay;
    const f = Math.min(1, Math.max(0, ((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey)));
    return Math.hypot(x - ax - f * ex, y - ay - f * ey);
  }
  let outside = 0;
  for (let i = 0; i < hull.length; i++) {
    const [ax, ay] = hull[i], [bx, by] = hull[(i + 1) % hull.length];
    const ex = bx - ax, ey = by - ay;
    const d = ((x - ax) * ey - (y - ay) * ex) / Math.hypot(ex, ey); // > 0: right of the edge
    if (d > outside) outside = d;
  }
  return outside;
}

/** A uniform bucket grid over the locations for k-nearest queries. */
class _BucketIndex {
  #xs: Float64Array;
  #ys: Float64Array;
  #x0: number;
  #y0: number;
  #cell: number;
  #nx: number;
  #ny: number;
  #start: Int32Array;
  #items: Int32Array;

  constructor(xs: Float64Array, ys: Float64Array) {
    this.#xs = xs;
    this.#ys = ys;
    const n = xs.length;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (let i = 0; i < n; i++) {
      x0 = Math.min(x0, xs[i]), x1 = Math.max(x1, xs[i]);
      y0 = Math.min(y0, ys[i]), y1 = Math.max(y1, ys[i]);
    }
    const w = x1 - x0, h = y1 - y0;
    // about two locations per cell
    const cell = Math.max(
      Math.sqrt((Math.max(w, 1e-9) * Math.max(h, 1e-9) * 2) / n),
      1e-6,
      Math.max(w, h) / 4096,
    );
    this.#x0 = x0;
    this.#y0 = y0;
    this.#cell = cell;
    this.#nx = Math.floor(w / cell) + 1;
    this.#ny = Math.floor(h / cell) + 1;
    const cells = this.#nx * this.#ny;
    const counts = new Int32Array(cells + 1);
    const cellOf = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      cellOf[i] = this.#cellIndex(xs[i], ys[i]);
      counts[cellOf[i] + 1]++;
    }
    for (let c = 0; c < cells; c++) counts[c + 1] += counts[c];
    this.#start = counts.slice();
    this.#items = new Int32Array(n);
    const fill = counts.slice(0, cells);
    for (let i = 0; i < n; i++) this.#items[fill[cellOf[i]]++] = i;
  }

  #cellIndex(x: number, y: number): number {
    const cx = Math.min(this.#nx - 1, Math.max(0, Math.floor((x - this.#x0) / this.#cell)));
    const cy = Math.min(this.#ny - 1, Math.max(0, Math.floor((y - this.#y0) / this.#cell)));
    return cy * this.#nx + cx;
  }

  /** The ids.length nearest locations, sorted by distance; returns how many were found. */
  nearest(x: number, y: number, ids: Int32Array, dists: Float64Array): number {
    const want = ids.length;
    if (this.#xs.length <= 64) return this.#bruteForce(x, y, ids, dists);
    let found = 0;
    const cx = Math.floor((x - this.#x0) / this.#cell),
      cy = Math.floor((y - this.#y0) / this.#cell);
    // distance from (x, y) to the bucket grid's box: rings closer than that are empty
    const gap = Math.max(0, -cx, cx - this.#nx + 1, -cy, cy - this.#ny + 1);
    const maxRing = gap + Math.max(this.#nx, this.#ny);
    for (let ring = gap; ring <= maxRing; ring++) {
      // every location in this ring or beyond is at least (ring - 1) cells away
      if (found === want && (ring - 1) * this.#cell > dists[want - 1]) break;
      for (let gy = cy - ring; gy <= cy + ring; gy++) {
        if (gy < 0 || gy >= this.#ny) continue;
        const edge = gy === cy - ring || gy === cy + ring;
        for (let gx = cx - ring; gx <= cx + ring; gx += edge ? 1 : 2 * ring || 1) {
          if (gx < 0 || gx >= this.#nx) continue;
          const c = gy * this.#nx + gx;
          for (let s = this.#start[c]; s < this.#start[c + 1]; s++) {
            const i = this.#items[s];
            const d = Math.hypot(this.#xs[i] - x, this.#ys[i] - y);
            found = _insert(i, d, found, ids, dists);
          }
        }
      }
    }
    return found;
  }

  #bruteForce(x: number, y: number, ids: Int32Array, dists: Float64Array): number {
    let found = 0;
    for (let i = 0; i < this.#xs.length; i++) {
      found = _insert(i, Math.hypot(this.#xs[i] - x, this.#ys[i] - y), found, ids, dists);
    }
    return found;
  }
}

/** Inserts location i at distance d into the sorted k-nearest list; returns the new count. */
function _insert(i: number, d: number, found: number, ids: Int32Array, dists: Float64Array) {
  const want = ids.length;
  if (found === want && d >= dists[want - 1]) return found;
  let at = found < want ? found++ : want - 1;
  while (at > 0 && dists[at - 1] > d) {
    dists[at] = dists[at - 1];
    ids[at] = ids[at - 1];
    at--;
  }
  dists[at] = d;
  ids[at] = i;
  return found;
}

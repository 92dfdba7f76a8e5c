/**
 * Suggests an output grid from the midpoints of a survey: the azimuth and
 * spacing of the fast axis from consecutive midpoints (surveys are sorted by
 * line), the slow-axis spacing from the distinct positions across it, and
 * counts that cover every midpoint.
 *
 * @module
 */

import { PstmError } from "./errors.ts";
import type { GeometryTable } from "./geometry_table.ts";
import { cosSinDeg, type GridSpec } from "./grid.ts";

/** Largest number of bins a suggestion may have; the spacing grows beyond it. */
const MAX_SUGGESTED_BINS = 4_000_000;

/**
 * Suggests a grid covering every midpoint of `geometry`.
 *
 * @param geometry trace coordinates
 * @returns a grid whose ix axis follows the survey's fast midpoint direction
 * @throws PstmError when there are no traces or no usable coordinates
 * @example
 * ```ts
 * import { GeometryTable } from "./geometry_table.ts";
 * import { suggestGrid } from "./suggest_grid.ts";
 * const g = new GeometryTable();
 * const xs = [0, 25, 50, 0, 25, 50], ys = [0, 0, 0, 25, 25, 25];
 * g.append({ firstTrace: 0, count: 6, ns: 1, dt: 1, t0: 0, samples: new Float32Array(6),
 *   sx: Float64Array.from(xs), sy: Float64Array.from(ys), gx: Float64Array.from(xs),
 *   gy: Float64Array.from(ys), headers: {} });
 * const grid = suggestGrid(g);
 * console.assert(grid.nx === 3 && grid.ny === 2 && grid.dx === 25);
 * ```
 */
export function suggestGrid(geometry: GeometryTable): GridSpec {
  const n = geometry.count;
  const mx = new Float64Array(n), my = new Float64Array(n);
  let live = 0;
  for (let k = 0; k < n; k++) {
    const x = 0.5 * (geometry.sx[k] + geometry.gx[k]);
    const y = 0.5 * (geometry.sy[k] + geometry.gy[k]);
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    mx[live] = x;
    my[live++] = y;
  }
  if (live === 0) {
    throw new PstmError(
      "no trace has finite source and receiver coordinates; expected sx, sy, gx, gy " +
        "(bytes 73-88) or overrides with --header",
      { field: "sx/sy/gx/gy" },
    );
  }
  const { azimuth, spacing } = fastAxis(mx, my, live);
  const [c, s] = cosSinDeg(azimuth);
  let umin = Infinity, umax = -Infinity, vmin = Infinity, vmax = -Infinity;
  const vs = new Float64Array(live);
  for (let k = 0; k < live; k++) {
    const u = mx[k] * c + my[k] * s, v = -mx[k] * s + my[k] * c;
    vs[k] = v;
    umin = Math.min(umin, u);
    umax = Math.max(umax, u);
    vmin = Math.min(vmin, v);
    vmax = Math.max(vmax, v);
  }
  let dx = spacing > 0 ? spacing : Math.max(1, (umax - umin) / 100) || 1;
  let dy = slowSpacing(vs) || dx;
  let nx = Math.round((umax - umin) / dx) + 1, ny = Math.round((vmax - vmin) / dy) + 1;
  while (nx * ny > MAX_SUGGESTED_BINS) {
    dx *= 2;
    dy *= 2;
    nx = Math.round((umax - umin) / dx) + 1;
    ny = Math.round((vmax - vmin) / dy) + 1;
  }
  return {
    x0: umin * c - vmin * s,
    y0: umin * s + vmin * c,
    dx,
    dy,
    nx,
    ny,
    azimuthDeg: azimuth,
  };
}

/** Direction (mode of the angles, degrees in [0, 180)) and median length of midpoint steps. */
function fastAxis(mx: Float64Array, my: Float64Array, n: number) {
  const histogram = new Float64Array(360); // half-degree bins over [0, 180)
  const steps: { angle: number; length: number }[] = [];
  for (let k = 1; k < n && steps.length < 200_000; k++) {
    const ex = mx[k] - mx[k - 1], ey = my[k] - my[k - 1];
    const length = Math.hypot(ex, ey);
    if (length < 0.1) continue;
    let angle = (Math.atan2(ey, ex) * 180) / Math.PI;
    angle = ((angle % 180) + 180) % 180;
    histogram[Math.round(angle * 2) % 360]++;
    steps.push({ angle, length });
  }
  if (steps.length === 0) return { azimuth: 0, spacing: 0 };
  let best = 0;
  for (let i = 1; i < 360; i++) if (histogram[i] > histogram[best]) best = i;
  let azimuth = best / 2;
  if (azimuth > 179.75) azimuth = 0;
  const near = steps
    .filter((step) => Math.abs(((step.angle - azimuth + 90) % 180 + 180) % 180 - 90) < 1)
    .map((step) => step.length)
    .sort((a, b) => a - b);
  return { azimuth, spacing: roundSpacing(near[Math.floor(near.length / 2)] ?? 0) };
}

/** Median gap between distinct positions across the fast axis (0 when there is one line). */
function slowSpacing(vs: Float64Array): number {
  const sorted = Float64Array.from(vs).sort();
  const gaps: number[] = [];
  for (let k = 1; k < sorted.length; k++) {
    const gap = sorted[k] - sorted[k - 1];
    if (gap > 0.5) gaps.push(gap);
  }
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return roundSpacing(gaps[Math.floor(gaps.length / 2)]);
}

function roundSpacing(value: number): number {
  return value > 0 ? Math.round(value * 100) / 100 : 0;
}

/**
 * The output grid and the output time axis.
 *
 * Convention (docs/algorithm.md, "Output grid"):
 * - `(x0, y0)` is the centre of bin `(ix = 0, iy = 0)` in survey coordinates; it is also the
 *   "grid origin" the kernels measure coordinates from.
 * - The `ix` axis (spacing `dx`) points along `azimuthDeg`, measured counter-clockwise from +x
 *   (east); the `iy` axis (spacing `dy`) points 90 degrees counter-clockwise from it:
 *   centre(ix, iy) = (x0, y0) + ix*dx*(cos a, sin a) + iy*dy*(-sin a, cos a).
 * - `ix` runs along an inline: an inline is a row of constant `iy`, crosslines are columns of
 *   constant `ix`. Header numbers: inline = inline0 + iy*inlineStep (bytes 189-192),
 *   crossline = crossline0 + ix*crosslineStep (bytes 193-196); all default to 1.
 * - Output traces are written in inline, crossline, offset-class order (iy outermost, then
 *   ix, then class), and tiles list their points iy-major (for iy, for ix) to match.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";

/** The output grid: a rotated regular lattice of bin centres (see the module doc). */
export interface GridSpec {
  /** x of the centre of bin (0, 0), survey units (m). */
  x0: number;
  /** y of the centre of bin (0, 0), survey units (m). */
  y0: number;
  /** Bin spacing along the ix (inline) direction, m. */
  dx: number;
  /** Bin spacing along the iy (crossline) direction, m. */
  dy: number;
  /** Bins along ix (crosslines per inline). */
  nx: number;
  /** Bins along iy (number of inlines). */
  ny: number;
  /** Direction of the ix axis, degrees counter-clockwise from +x (east). */
  azimuthDeg: number;
  /** Inline number of iy = 0 (default 1). */
  inline0?: number;
  /** Crossline number of ix = 0 (default 1). */
  crossline0?: number;
  /** Inline number increment per iy (default 1). */
  inlineStep?: number;
  /** Crossline number increment per ix (default 1). */
  crosslineStep?: number;
}

/** The output time axis: two-way vertical times tau0 + it*dtau, it = 0..ntau-1, seconds. */
export interface TimeAxis {
  /** First output time, s (>= 0). */
  tau0: number;
  /** Output sample interval, s (> 0). */
  dtau: number;
  /** Output samples per trace (>= 1). */
  ntau: number;
}

/** A point in survey coordinates (or relative to an origin). */
export interface Point2 {
  /** x, m. */
  x: number;
  /** y, m. */
  y: number;
}

/** Largest nx or ny accepted. */
export const MAX_GRID_SIDE = 1_000_000;
/** Largest nx * ny accepted. */
export const MAX_GRID_BINS = 1_000_000_000;
/** Largest ntau accepted: the output is SEG-Y, whose ns is an unsigned 16-bit field. */
export const MAX_TIME_SAMPLES = 65_535;
/**
 * Largest output sample interval accepted, s: SEG-Y stores dt in whole
 * microseconds in an unsigned 16-bit field (65.535 ms); this also catches
 * milliseconds given as seconds.
 */
export const MAX_DTAU = 0.065535;

/**
 * Parses `--grid X0,Y0,DX,DY,NX,NY[,AZIMUTH]` (metres and degrees; azimuth defaults to 0).
 *
 * @param text the flag value
 * @param field the flag or config field named in errors
 * @returns the checked grid
 * @throws PstmError when a value is missing, not finite, or out of range
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseGridFlag } from "./grid.ts";
 * const g = parseGridFlag("1000,2000,25,25,512,384,30");
 * assert(g.nx === 512 && g.azimuthDeg === 30);
 * ```
 */
export function parseGridFlag(text: string, field = "--grid"): GridSpec {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length !== 6 && parts.length !== 7) {
    throw new PstmError(
      `expected X0,Y0,DX,DY,NX,NY[,AZIMUTH] (6 or 7 comma-separated numbers), got "${text}"`,
      { field },
    );
  }
  const names = ["X0", "Y0", "DX", "DY", "NX", "NY", "AZIMUTH"];
  const values = parts.map((s, i) => _number(s, `${field} ${names[i]}`));
  const [x0, y0, dx, dy, nx, ny] = values;
  return checkGrid({ x0, y0, dx, dy, nx, ny, azimuthDeg: values[6] ?? 0 }, field);
}

/**
 * Checks a grid (from a flag or a config file) and fills in the header numbering defaults.
 *
 * @param grid the grid to check
 * @param field the flag or config field named in errors
 * @returns a copy with inline0, crossline0, inlineStep, crosslineStep set
 * @throws PstmError naming the field and what was expected
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkGrid } from "./grid.ts";
 * const g = checkGrid({ x0: 0, y0: 0, dx: 25, dy: 25, nx: 4, ny: 3, azimuthDeg: 0 });
 * assert(g.inline0 === 1 && g.crosslineStep === 1);
 * ```
 */
export function checkGrid(grid: GridSpec, field = "grid"): Required<GridSpec> {
  const at = (name: string) => ({ field: `${field} ${name}` });
  for (const key of ["x0", "y0", "azimuthDeg"] as const) {
    if (!Number.isFinite(grid[key])) {
      throw new PstmError(`${key} must be a finite number, got ${grid[key]}`, at(key));
    }
  }
  for (const key of ["dx", "dy"] as const) {
    if (!(Number.isFinite(grid[key]) && grid[key] > 0)) {
      throw new PstmError(`${key} must be a finite bin spacing > 0, got ${grid[key]}`, at(key));
    }
  }
  for (const key of ["nx", "ny"] as const) {
    const n = grid[key];
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_GRID_SIDE)) {
      throw new PstmError(
        `${key} must be an integer number of bins in 1..${MAX_GRID_SIDE}, got ${n}`,
        at(key),
      );
    }
  }
  if (grid.nx * grid.ny > MAX_GRID_BINS) {
    throw new PstmError(
      `nx*ny = ${grid.nx * grid.ny} bins is more than ${MAX_GRID_BINS}; check NX and NY`,
      at("nx, ny"),
    );
  }
  const numbering = {
    inline0: grid.inline0 ?? 1,
    crossline0: grid.crossline0 ?? 1,
    inlineStep: grid.inlineStep ?? 1,
    crosslineStep: grid.crosslineStep ?? 1,
  };
  for (const [key, value] of Object.entries(numbering)) {
    const isStep = key.endsWith("Step");
    if (!Number.isInteger(value) || Math.abs(value) > 2 ** 30 || (isStep && value === 0)) {
      throw new PstmError(
        `${key} must be ${isStep ? "a non-zero" : "an"} integer (a SEG-Y header number), ` +
          `got ${value}`,
        at(key),
      );
    }
  }
  return { ...grid, ...numbering };
}

/**
 * Parses `--time T0,DT,NT`: first output time and interval in seconds, number of samples.
 *
 * @param text the flag value, e.g. "0,0.004,1001"
 * @param field the flag or config field named in errors
 * @returns the time axis
 * @throws PstmError when t0 < 0, dt <= 0 or > 1 s, or nt is not a positive integer
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseTimeFlag } from "./grid.ts";
 * const t = parseTimeFlag("0,0.004,1001");
 * assert(t.dtau === 0.004 && t.ntau === 1001);
 * ```
 */
export function parseTimeFlag(text: string, field = "--time"): TimeAxis {
  const parts = text.split(",").map((s) => s.trim());
  if (parts.length !== 3) {
    throw new PstmError(
      `expected T0,DT,NT in seconds (e.g. 0,0.004,1001), got "${text}"`,
      { field },
    );
  }
  const [tau0, dtau, ntau] = parts.map((s, i) => _number(s, `${field} ${["T0", "DT", "NT"][i]}`));
  return checkTimeAxis({ tau0, dtau, ntau }, field);
}

/**
 * Checks a time axis (from a flag or a config file).
 *
 * @param time the axis
 * @param field the flag or config field named in errors
 * @returns the same axis
 * @throws PstmError naming the field and what was expected
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkTimeAxis } from "./grid.ts";
 * assert(checkTimeAxis({ tau0: 0, dtau: 0.004, ntau: 10 }).ntau === 10);
 * ```
 */
export function checkTimeAxis(time: TimeAxis, field = "time"): TimeAxis {
  const { tau0, dtau, ntau } = time;
  if (!(Number.isFinite(tau0) && tau0 >= 0)) {
    throw new PstmError(`T0 must be a time >= 0 in seconds, got ${tau0}`, { field: `${field} T0` });
  }
  if (!(Number.isFinite(dtau) && dtau > 0 && dtau <= MAX_DTAU)) {
    throw new PstmError(
      `DT must be a sample interval in seconds in (0, ${MAX_DTAU}] (4 ms is 0.004; ` +
        `SEG-Y stores it in whole microseconds up to 65.535 ms), got ${dtau}`,
      { field: `${field} DT` },
    );
  }
  if (!(Number.isInteger(ntau) && ntau >= 1 && ntau <= MAX_TIME_SAMPLES)) {
    throw new PstmError(
      `NT must be an integer number of samples in 1..${MAX_TIME_SAMPLES} (SEG-Y's ns is ` +
        `16-bit), got ${ntau}`,
      { field: `${field} NT` },
    );
  }
  return { tau0, dtau, ntau };
}

/**
 * Centre of bin (ix, iy) in survey coordinates; fractional indices are allowed.
 *
 * @param grid the grid
 * @param ix index along the azimuth (inline direction)
 * @param iy index across it
 * @returns the survey coordinates
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { binCentre } from "./grid.ts";
 * const g = { x0: 100, y0: 200, dx: 25, dy: 50, nx: 4, ny: 4, azimuthDeg: 90 };
 * const c = binCentre(g, 1, 1); // ix axis points north, iy axis points west
 * assert(c.x === 50 && c.y === 225);
 * ```
 */
export function binCentre(grid: GridSpec, ix: number, iy: number): Point2 {
  const [c, s] = cosSinDeg(grid.azimuthDeg);
  const a = ix * grid.dx, b = iy * grid.dy;
  return { x: grid.x0 + a * c - b * s, y: grid.y0 + a * s + b * c };
}

/**
 * The inverse of `binCentre`: fractional bin indices of a survey point.
 *
 * @param grid the grid
 * @param x survey x
 * @param y survey y
 * @returns fractional ix, iy (the nearest bin is their rounding)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { binOf } from "./grid.ts";
 * const g = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 4, ny: 4, azimuthDeg: 0 };
 * const b = binOf(g, 37.5, 50);
 * assert(b.ix === 1.5 && b.iy === 2);
 * ```
 */
export function binOf(grid: GridSpec, x: number, y: number): { ix: number; iy: number } {
  const [c, s] = cosSinDeg(grid.azimuthDeg);
  const ex = x - grid.x0, ey = y - grid.y0;
  return { ix: (ex * c + ey * s) / grid.dx, iy: (-ex * s + ey * c) / grid.dy };
}

/**
 * Coordinates of the bin centres ix0 <= ix < ix1, iy0 <= iy < iy1, relative to `origin`, as
 * the kernels take them: `[npoints][2]` float32, iy-major (for iy, for ix), computed in
 * float64 relative to the origin before rounding to float32.
 *
 * @param grid the grid
 * @param ix0 first ix (inclusive)
 * @param ix1 last ix (exclusive)
 * @param iy0 first iy (inclusive)
 * @param iy1 last iy (exclusive)
 * @param origin the point coordinates are measured from; default (x0, y0)
 * @returns `(ix1-ix0)*(iy1-iy0)` x, y pairs; point j is ix = ix0 + j % nxt, iy = iy0 + j / nxt
 * @throws RangeError when the ranges are empty or outside the grid
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { gridPoints } from "./grid.ts";
 * const g = { x0: 500, y0: 500, dx: 10, dy: 20, nx: 8, ny: 8, azimuthDeg: 0 };
 * const p = gridPoints(g, 1, 3, 2, 3); // two points on one row
 * assert(p.join() === "10,40,20,40");
 * ```
 */
export function gridPoints(
  grid: GridSpec,
  ix0: number,
  ix1: number,
  iy0: number,
  iy1: number,
  origin: Point2 = { x: grid.x0, y: grid.y0 },
): Float32Array {
  checkTileRange(grid, ix0, ix1, iy0, iy1);
  const [c, s] = cosSinDeg(grid.azimuthDeg);
  const ox = grid.x0 - origin.x, oy = grid.y0 - origin.y;
  const out = new Float32Array(2 * (ix1 - ix0) * (iy1 - iy0));
  let j = 0;
  for (let iy = iy0; iy < iy1; iy++) {
    const b = iy * grid.dy;
    for (let ix = ix0; ix < ix1; ix++) {
      const a = ix * grid.dx;
      out[j++] = ox + a * c - b * s;
      out[j++] = oy + a * s + b * c;
    }
  }
  return out;
}

/**
 * Checks a tile's index ranges against the grid.
 *
 * @param grid the grid
 * @param ix0 first ix (inclusive)
 * @param ix1 last ix (exclusive)
 * @param iy0 first iy (inclusive)
 * @param iy1 last iy (exclusive)
 * @throws RangeError when a range is empty, not integer, or outside the grid
 * @example
 * ```ts
 * import { checkTileRange } from "./grid.ts";
 * checkTileRange({ x0: 0, y0: 0, dx: 1, dy: 1, nx: 4, ny: 4, azimuthDeg: 0 }, 0, 4, 1, 2);
 * ```
 */
export function checkTileRange(
  grid: GridSpec,
  ix0: number,
  ix1: number,
  iy0: number,
  iy1: number,
): void {
  const ok = [ix0, ix1, iy0, iy1].every(Number.isInteger) && ix0 >= 0 && ix0 < ix1 &&
    ix1 <= grid.nx && iy0 >= 0 && iy0 < iy1 && iy1 <= grid.ny;
  if (!ok) {
    throw new RangeError(
      `Cannot take tile ix ${ix0}..${ix1}, iy ${iy0}..${iy1} of a ${grid.nx} x ${grid.ny} grid: ` +
        "ranges must be non-empty integer half-open ranges inside the grid",
    );
  }
}

/**
 * Inline number (trace header bytes 189-192) of row iy.
 *
 * @param grid the grid
 * @param iy row index
 * @returns inline0 + iy*inlineStep
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { inlineNumber } from "./grid.ts";
 * const g = { x0: 0, y0: 0, dx: 1, dy: 1, nx: 2, ny: 2, azimuthDeg: 0, inline0: 100 };
 * assert(inlineNumber(g, 1) === 101);
 * ```
 */
export function inlineNumber(grid: GridSpec, iy: number): number {
  return (grid.inline0 ?? 1) + iy * (grid.inlineStep ?? 1);
}

/**
 * Crossline number (trace header bytes 193-196) of column ix.
 *
 * @param grid the grid
 * @param ix column index
 * @returns crossline0 + ix*crosslineStep
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { crosslineNumber } from "./grid.ts";
 * const g = { x0: 0, y0: 0, dx: 1, dy: 1, nx: 2, ny: 2, azimuthDeg: 0, crosslineStep: 2 };
 * assert(crosslineNumber(g, 1) === 3);
 * ```
 */
export function crosslineNumber(grid: GridSpec, ix: number): number {
  return (grid.crossline0 ?? 1) + ix * (grid.crosslineStep ?? 1);
}

/**
 * Fractional bin indices of an (inline, crossline) location under the grid's numbering.
 *
 * @param grid the grid
 * @param inline inline number
 * @param crossline crossline number
 * @returns fractional ix, iy
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { binOfLine } from "./grid.ts";
 * const g = { x0: 0, y0: 0, dx: 1, dy: 1, nx: 9, ny: 9, azimuthDeg: 0, inline0: 10 };
 * const b = binOfLine(g, 12, 4);
 * assert(b.iy === 2 && b.ix === 3);
 * ```
 */
export function binOfLine(
  grid: GridSpec,
  inline: number,
  crossline: number,
): { ix: number; iy: number } {
  return {
    ix: (crossline - (grid.crossline0 ?? 1)) / (grid.crosslineStep ?? 1),
    iy: (inline - (grid.inline0 ?? 1)) / (grid.inlineStep ?? 1),
  };
}

/**
 * Cosine and sine of an angle in degrees, exact for multiples of 90 degrees.
 *
 * @param deg angle, degrees
 * @returns [cos, sin]
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { cosSinDeg } from "./grid.ts";
 * assert(cosSinDeg(90)[0] === 0 && cosSinDeg(90)[1] === 1);
 * ```
 */
export function cosSinDeg(deg: number): [number, number] {
  const turns = ((deg % 360) + 360) % 360;
  if (turns === 0) return [1, 0];
  if (turns === 90) return [0, 1];
  if (turns === 180) return [-1, 0];
  if (turns === 270) return [0, -1];
  const r = (deg * Math.PI) / 180;
  return [Math.cos(r), Math.sin(r)];
}

function _number(text: string, field: string): number {
  const value = Number(text);
  if (text === "" || !Number.isFinite(value)) {
    throw new PstmError(`expected a finite number, got "${text}"`, { field });
  }
  return value;
}

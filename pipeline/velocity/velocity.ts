/**
 * Velocity input: what `--velocity` names, and the model it becomes on the output grid.
 *
 * | `--velocity`           | meaning                                      | built by              |
 * |------------------------|----------------------------------------------|-----------------------|
 * | `2000`                 | constant RMS velocity, m/s                   | here                  |
 * | `0:1800,2:3000`        | v(tau), tau in s, linear, constant outside   | velocity_function.ts  |
 * | `v.sgy`, `.segy`, `.su`| SEG-Y / SU RMS velocity volume               | velocity_segy.ts      |
 * | any other path         | picks table (x,y,tau,v or inline,crossline,tau,v) | velocity_picks.ts |
 *
 * A model is built once, before migration, and then sampled tile by tile.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { checkTileRange, type GridSpec, type TimeAxis } from "../plan/grid.ts";
import {
  parseVelocityFunction,
  sampleVelocityFunction,
  type VelocityFunction,
} from "./velocity_function.ts";
import { checkVelocityValue, type VelocityModel } from "./velocity_model.ts";
import { type HeaderLocator, velocityFromPicks } from "./velocity_picks.ts";
import { velocityFromSegy } from "./velocity_segy.ts";

export type { VelocityModel } from "./velocity_model.ts";

/** A parsed `--velocity` value. */
export type VelocitySpec =
  | { kind: "constant"; velocity: number }
  | { kind: "function"; fn: VelocityFunction }
  | { kind: "picks"; path: string }
  | { kind: "volume"; path: string };

/** Options for building a velocity model. */
export interface VelocityOptions {
  /** How far outside picks or volume traces an output bin may lie, m (default one bin). */
  tolerance?: number;
  /**
   * Bins beyond the tolerance take the nearest location's velocity function, and the model
   * carries a warning (default false: refused).
   */
  extrapolate?: boolean;
  /** Where each value of a trace header lies, for picks tables keyed by a header (cdp,tau,v). */
  locate?: HeaderLocator;
}

/**
 * Decides what `--velocity` names: a number is a constant, text with ":" a v(tau) function, a
 * path ending .sgy/.segy/.su a SEG-Y volume, any other path a picks table.
 *
 * @param text the flag value
 * @param field the flag or config field named in errors
 * @returns the spec
 * @throws PstmError for an empty value, a bad constant or a malformed function
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseVelocityFlag } from "./velocity.ts";
 * assert(parseVelocityFlag("2000").kind === "constant");
 * assert(parseVelocityFlag("0:1800,2:3000").kind === "function");
 * assert(parseVelocityFlag("vrms.sgy").kind === "volume");
 * assert(parseVelocityFlag("picks.csv").kind === "picks");
 * ```
 */
export function parseVelocityFlag(text: string, field = "--velocity"): VelocitySpec {
  const value = text.trim();
  if (value === "") {
    throw new PstmError("expected a velocity (m/s), a tau:v function or a file", { field });
  }
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value) || /^[-+]?(nan|inf)/i.test(value)) {
    return { kind: "constant", velocity: checkVelocityValue(Number(value), { field }) };
  }
  if (value.includes(":")) return { kind: "function", fn: parseVelocityFunction(value, field) };
  if (/\.(sgy|segy|su)$/i.test(value)) return { kind: "volume", path: value };
  return { kind: "picks", path: value };
}

/**
 * Builds the velocity model of a `--velocity` value on the output grid and time axis, reading
 * and checking any file it names.
 *
 * @param spec the flag value or its parsed spec
 * @param grid the output grid
 * @param time the output time axis
 * @param options coverage tolerance
 * @returns the model
 * @throws PstmError for bad values, unreadable files or files that do not cover the grid
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { openVelocity } from "./velocity.ts";
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 2, ny: 2, azimuthDeg: 0 };
 * const model = await openVelocity("0:2000,1:3000", grid, { tau0: 0, dtau: 0.5, ntau: 3 });
 * assert(model.sample(0, 1, 0, 1).join() === "2000,2500,3000");
 * ```
 */
export function openVelocity(
  spec: VelocitySpec | string,
  grid: GridSpec,
  time: TimeAxis,
  options: VelocityOptions = {},
): Promise<VelocityModel> {
  const s = typeof spec === "string" ? parseVelocityFlag(spec) : spec;
  switch (s.kind) {
    case "constant":
      return Promise.resolve(
        new LayeredVelocity(grid, time, {
          taus: new Float64Array([0]),
          velocities: new Float64Array([s.velocity]),
        }),
      );
    case "function":
      return Promise.resolve(new LayeredVelocity(grid, time, s.fn));
    case "picks":
      return velocityFromPicks(
        s.path,
        grid,
        time,
        options.tolerance,
        options.extrapolate,
        options.locate,
      );
    case "volume":
      return velocityFromSegy(s.path, grid, time, options.tolerance, options.extrapolate);
  }
}

/**
 * A laterally constant model: one v(tau) function everywhere (a constant is a one-pick
 * function).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { LayeredVelocity } from "./velocity.ts";
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 3, ny: 1, azimuthDeg: 0 };
 * const m = new LayeredVelocity(grid, { tau0: 0, dtau: 1, ntau: 1 },
 *   { taus: new Float64Array([0]), velocities: new Float64Array([1500]) });
 * assert(m.sample(0, 3, 0, 1).join() === "1500,1500,1500");
 * assert(m.laterallyConstant);
 * ```
 */
export class LayeredVelocity implements VelocityModel {
  /** "constant 2000 m/s" or "v(tau) with N picks, a..b m/s". */
  readonly description: string;
  /** Smallest velocity on the time axis, m/s. */
  readonly min: number;
  /** Largest velocity on the time axis, m/s. */
  readonly max: number;
  /** One v(tau) in every bin. */
  readonly laterallyConstant = true;
  #grid: GridSpec;
  #column: Float32Array;

  /**
   * @param grid the output grid
   * @param time the output time axis
   * @param fn the function
   */
  constructor(grid: GridSpec, time: TimeAxis, fn: VelocityFunction) {
    this.#grid = grid;
    this.#column = sampleVelocityFunction(fn, time);
    this.min = this.#column.reduce((a, b) => Math.min(a, b));
    this.max = this.#column.reduce((a, b) => Math.max(a, b));
    this.description = fn.taus.length === 1
      ? `constant ${fn.velocities[0]} m/s`
      : `v(tau) with ${fn.taus.length} picks, ${this.min}..${this.max} m/s`;
  }

  /**
   * Velocity of a tile, `[npoints][ntau]`, the same column at every point.
   *
   * @param ix0 first ix (inclusive)
   * @param ix1 last ix (exclusive)
   * @param iy0 first iy (inclusive)
   * @param iy1 last iy (exclusive)
   * @returns the velocities, m/s
   */
  sample(ix0: number, ix1: number, iy0: number, iy1: number): Float32Array {
    checkTileRange(this.#grid, ix0, ix1, iy0, iy1);
    const ntau = this.#column.length, npoints = (ix1 - ix0) * (iy1 - iy0);
    const out = new Float32Array(npoints * ntau);
    for (let j = 0; j < npoints; j++) out.set(this.#column, j * ntau);
    return out;
  }
}

/**
 * Velocity picks tables: a text file with a header line naming the columns, then one pick per
 * line, fields separated by commas, semicolons or white space; blank lines and lines starting
 * with "#" are skipped. Columns (names case-insensitive, extra columns ignored):
 *
 * | quantity  | accepted names                 | unit            |
 * |-----------|--------------------------------|-----------------|
 * | location  | x, y (or cdpx, cdpy)           | survey m        |
 * | location  | inline, crossline (il, xl)     | header numbers  |
 * | location  | cdp, or any trace header name  | header value (the mean midpoint of the input traces that carry it) |
 * | time      | tau, time, t, twt              | s, two-way      |
 * | time      | tau_ms, time_ms, t_ms, twt_ms  | ms, two-way     |
 * | velocity  | v, vrms, velocity, vel         | m/s, RMS        |
 *
 * Picks sharing a location form that location's v(tau) (linear in tau, constant outside its
 * picks); (inline, crossline) locations are placed through the output grid's numbering
 * (pipeline/grid.ts). Lateral interpolation: pipeline/velocity_scattered.ts.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { binCentre, binOfLine, type GridSpec, type TimeAxis } from "../plan/grid.ts";
import { makeVelocityFunction, sampleVelocityFunction } from "./velocity_function.ts";
import type { VelocityModel } from "./velocity_model.ts";
import { ScatteredVelocity } from "./velocity_scattered.ts";

/**
 * Where the input traces carrying each value of a trace header lie: the mean midpoint per
 * value (pipeline/job reads the input's headers for it).
 */
export type HeaderLocator = (
  header: string,
) => Promise<ReadonlyMap<number, { x: number; y: number }>>;

/** One location of a picks table with its picks in increasing tau. */
export interface PickLocation {
  /** x (or inline number when `byLine`). */
  a: number;
  /** y (or crossline number when `byLine`). */
  b: number;
  /** Two-way times, s, increasing. */
  taus: number[];
  /** Velocities, m/s. */
  velocities: number[];
  /** 1-based line numbers of the picks. */
  lines: number[];
}

/** A parsed picks table. */
export interface PicksTable {
  /** True when locations are (inline, crossline), false for (x, y) or a header key. */
  byLine: boolean;
  /**
   * The trace header keying the locations (`cdp,tau,v`, `ep,tau,v`, ...): `a` holds its
   * value; the locations are placed at the mean midpoint of the input traces carrying it.
   */
  key?: string;
  /** Locations in order of first appearance. */
  locations: PickLocation[];
}

const COLUMNS = {
  x: ["x", "cdpx", "cdp_x"],
  y: ["y", "cdpy", "cdp_y"],
  inline: ["inline", "il", "iline"],
  crossline: ["crossline", "xl", "xline"],
  tau: ["tau", "time", "t", "twt"],
  tauMs: ["tau_ms", "time_ms", "t_ms", "twt_ms"],
  v: ["v", "vrms", "velocity", "vel"],
} as const;

/**
 * Parses a picks table (format in the module doc).
 *
 * @param text the file's contents
 * @param file the file's path, named in errors
 * @returns the picks grouped by location
 * @throws PstmError naming the file, line and column of a malformed or bad pick
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parsePicksTable } from "./velocity_picks.ts";
 * const t = parsePicksTable("x,y,tau,v\n0,0,0,1800\n0,0,2,3000\n500,0,0,1900\n", "v.csv");
 * assert(t.locations.length === 2 && t.locations[0].taus[1] === 2);
 * ```
 */
export function parsePicksTable(text: string, file: string): PicksTable {
  const lines = text.split(/\r?\n/);
  const split = (line: string) => line.trim().split(/[\s,;]+/);
  const headerLine = lines.findIndex((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  if (headerLine < 0) throw new PstmError("the picks table is empty", { file });
  const names = split(lines[headerLine]).map((s) => s.toLowerCase().replace(/^"|"$/g, ""));
  const column = (aliases: readonly string[]) => names.findIndex((n) => aliases.includes(n));
  const cx = column(COLUMNS.x), cy = column(COLUMNS.y);
  const cil = column(COLUMNS.inline), cxl = column(COLUMNS.crossline);
  const ct = column(COLUMNS.tau), ctms = column(COLUMNS.tauMs), cv = column(COLUMNS.v);
  const byXY = cx >= 0 && cy >= 0, byLines = cil >= 0 && cxl >= 0;
  const byLine = !byXY && byLines;
  const taken = new Set([ct, ctms, cv]);
  // a table keyed by one trace header: the first column that is neither time nor velocity
  const locationNames: readonly string[] = [
    ...COLUMNS.x,
    ...COLUMNS.y,
    ...COLUMNS.inline,
    ...COLUMNS.crossline,
  ];
  const ck = !byXY && !byLines
    ? names.findIndex((name, i) => !taken.has(i) && !locationNames.includes(name))
    : -1;
  if ((!byXY && !byLines && ck < 0) || (ct < 0 && ctms < 0) || cv < 0) {
    throw new PstmError(
      `the header line "${lines[headerLine].trim()}" must name columns x,y,tau,v, ` +
        "inline,crossline,tau,v or cdp,tau,v (or another trace header),tau,v (tau in " +
        "seconds, or tau_ms in milliseconds; v in m/s, ft/s for a survey in feet)",
      { file, field: `line ${headerLine + 1}` },
    );
  }
  const [ca, cb] = byXY ? [cx, cy] : byLine ? [cil, cxl] : [ck, -1];
  const timeColumn = ct >= 0 ? ct : ctms, timeScale = ct >= 0 ? 1 : 1e-3;
  const byKey = new Map<string, PickLocation>();
  for (let n = headerLine + 1; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === "" || line.startsWith("#")) continue;
    const fields = split(line);
    const value = (c: number) => {
      const v = Number(fields[c]);
      if (fields[c] === undefined || fields[c] === "" || !Number.isFinite(v)) {
        throw new PstmError(
          `expected a number in column "${names[c]}", got "${fields[c] ?? ""}"`,
          { file, field: `line ${n + 1}, column ${names[c]}` },
        );
      }
      return v;
    };
    const a = value(ca),
      b = cb >= 0 ? value(cb) : 0,
      tau = value(timeColumn) * timeScale,
      v = value(cv);
    const key = `${a},${b}`;
    let location = byKey.get(key);
    if (!location) byKey.set(key, location = { a, b, taus: [], velocities: [], lines: [] });
    location.taus.push(tau);
    location.velocities.push(v);
    location.lines.push(n + 1);
  }
  if (byKey.size === 0) throw new PstmError("the picks table has no picks", { file });
  const locations = [...byKey.values()].map((loc) => _sorted(loc, file, names[cv]));
  return ck >= 0 ? { byLine, key: names[ck], locations } : { byLine, locations };
}

/** Sorts a location's picks by tau and checks them (duplicate tau, bad values). */
function _sorted(loc: PickLocation, file: string, vName: string): PickLocation {
  const order = loc.taus.map((_, i) => i).sort((i, j) => loc.taus[i] - loc.taus[j]);
  const taus = order.map((i) => loc.taus[i]);
  const velocities = order.map((i) => loc.velocities[i]);
  const lines = order.map((i) => loc.lines[i]);
  for (let i = 1; i < taus.length; i++) {
    if (taus[i] === taus[i - 1]) {
      throw new PstmError(
        `two picks at the same location and time ${taus[i]} s (lines ${lines[i - 1]} and ` +
          `${lines[i]}); keep one`,
        { file, field: `line ${lines[i]}` },
      );
    }
  }
  makeVelocityFunction(
    taus,
    velocities,
    lines.map((n) => ({ file, field: `line ${n}, ${vName}` })),
  );
  return { ...loc, taus, velocities, lines };
}

/**
 * Builds the velocity model of a picks table on the output grid and time axis.
 *
 * @param table the parsed table
 * @param grid the output grid
 * @param time the output time axis
 * @param file the table's path, named in errors
 * @param tolerance how far outside the picks' hull a bin may lie, m (default one bin)
 * @param extrapolate bins beyond take their nearest picks' function, with a warning
 * @param keyed where each value of the table's key header lies (needed when `table.key`)
 * @returns the model
 * @throws PstmError when the picks do not cover the grid (and `extrapolate` is false), or
 *   a key value is not found in the input
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parsePicksTable, velocityFromPicksTable } from "./velocity_picks.ts";
 * const table = parsePicksTable("inline xl tau v\n1 1 0 2000\n1 3 0 2000\n3 1 0 2000\n", "p");
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 3, ny: 1, azimuthDeg: 0 };
 * const m = velocityFromPicksTable(table, grid, { tau0: 0, dtau: 0.004, ntau: 2 }, "p");
 * assert(m.sample(0, 3, 0, 1).every((v) => v === 2000));
 * ```
 */
export function velocityFromPicksTable(
  table: PicksTable,
  grid: GridSpec,
  time: TimeAxis,
  file: string,
  tolerance?: number,
  extrapolate = false,
  keyed?: ReadonlyMap<number, { x: number; y: number }>,
): VelocityModel {
  const n = table.locations.length;
  if (table.key !== undefined && !keyed) {
    throw new PstmError(`a table keyed by "${table.key}" needs the input's trace headers`, {
      file,
      field: table.key,
    });
  }
  const xs = new Float64Array(n), ys = new Float64Array(n);
  const functions = new Float32Array(n * time.ntau);
  table.locations.forEach((loc, i) => {
    const p = table.key !== undefined
      ? keyed!.get(loc.a)
      : table.byLine
      ? (({ ix, iy }) => binCentre(grid, ix, iy))(binOfLine(grid, loc.a, loc.b))
      : { x: loc.a, y: loc.b };
    if (!p) {
      throw new PstmError(
        `${table.key} ${loc.a} (line ${loc.lines[0]}) is carried by no input trace`,
        { file, field: `line ${loc.lines[0]}, ${table.key}` },
      );
    }
    xs[i] = p.x;
    ys[i] = p.y;
    const fn = { taus: Float64Array.from(loc.taus), velocities: Float64Array.from(loc.velocities) };
    sampleVelocityFunction(fn, time, functions.subarray(i * time.ntau, (i + 1) * time.ntau));
  });
  const kind = table.key ?? (table.byLine ? "(inline, crossline)" : "(x, y)");
  const what = `velocity picks at ${n} ${kind} ` +
    `location${n === 1 ? "" : "s"}`;
  return new ScatteredVelocity(grid, time, {
    xs,
    ys,
    functions,
    file,
    what,
    tolerance,
    extrapolate,
  });
}

/**
 * Reads a picks table file and builds its velocity model.
 *
 * @param path the table's path
 * @param grid the output grid
 * @param time the output time axis
 * @param tolerance how far outside the picks' hull a bin may lie, m (default one bin)
 * @param extrapolate bins beyond take their nearest picks' function, with a warning
 * @param locate where each value of a trace header lies (for tables keyed by a header)
 * @returns the model
 * @throws PstmError when the file cannot be read, is malformed, or does not cover the grid
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { velocityFromPicks } from "./velocity_picks.ts";
 * const path = await Deno.makeTempFile({ suffix: ".csv" });
 * await Deno.writeTextFile(path, "x,y,tau,v\n0,0,0,2000\n");
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 1, ny: 1, azimuthDeg: 0 };
 * const m = await velocityFromPicks(path, grid, { tau0: 0, dtau: 0.004, ntau: 1 });
 * assert(m.sample(0, 1, 0, 1)[0] === 2000);
 * ```
 */
export async function velocityFromPicks(
  path: string,
  grid: GridSpec,
  time: TimeAxis,
  tolerance?: number,
  extrapolate = false,
  locate?: HeaderLocator,
): Promise<VelocityModel> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new PstmError(
      `cannot read the velocity picks table: ${(error as Error).message}`,
      { file: path, field: "--velocity" },
      2,
      { cause: error },
    );
  }
  const table = parsePicksTable(text, path);
  let keyed: ReadonlyMap<number, { x: number; y: number }> | undefined;
  if (table.key !== undefined) {
    if (!locate) {
      throw new PstmError(`a table keyed by "${table.key}" needs the input's trace headers`, {
        file: path,
        field: table.key,
      });
    }
    keyed = await locate(table.key);
  }
  return velocityFromPicksTable(table, grid, time, path, tolerance, extrapolate, keyed);
}

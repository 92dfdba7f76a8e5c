/**
 * The plan file: a job planned once (`pstm plan`, the first step of `pstm
 * slurm`) so that every shard task and every resume starts from it without
 * reading the input's headers. It holds the input's identity, the options
 * that shape the plan and the image, the job fingerprint, the tile shape and
 * every tile's trace range (first, last, count): O(tiles), not O(traces).
 *
 * JSON, `{"pstmPlan": 1, "checksum": N, "plan": {...}}`, where N is a 32-bit
 * checksum of the plan's JSON text. Written through `PATH.partial` and
 * renamed. A damaged file, or one made from another input or with other
 * options, is refused (exit 2) naming what differs.
 *
 * @module
 */

import type { SurveySpacing } from "./trace_spacing.ts";
import { PstmError } from "../../core/errors.ts";
import {
  checksum32,
  type IndexedInput,
  type IndexStatistics,
  inputDifference,
} from "./geometry_index.ts";
import type { GridSpec } from "./grid.ts";
import type { TileInfo, TileShape } from "./tile_plan.ts";

/** What a plan file holds. */
export interface PlanContents {
  /** The input it was planned from. */
  input: IndexedInput;
  /** The options that shape the plan and the image (grid, time, velocity, budget, ...). */
  options: Record<string, unknown>;
  /** The job fingerprint (the shard manifests carry it). */
  fingerprint: string;
  /** The output grid (given, or suggested by the scan). */
  grid: GridSpec;
  /** The geometry's checksum, largest half offset and midpoint extent. */
  statistics: IndexStatistics;
  /** Trace midpoints inside the output grid. */
  midpointsInside: number;
  /** The survey's trace spacing on the grid (full-mode antialiasing); absent in old plans. */
  spacing?: SurveySpacing;
  /** The tile shape. */
  shape: TileShape;
  /** Every tile of the grid, with its trace range. */
  tiles: TileInfo[];
}

const TILE_FIELDS = [
  "ix0",
  "ix1",
  "iy0",
  "iy1",
  "firstTrace",
  "lastTrace",
  "traceCount",
  "bytes",
] as const;

/**
 * Writes a plan file (through `path.partial`, renamed when written).
 *
 * @param path the plan file
 * @param plan what it holds
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { readPlanFile, writePlanFile } from "./plan_file.ts";
 * const path = await Deno.makeTempFile();
 * const input = { path: "s.sgy", size: 1, mtime: 0, traces: 10, ns: 5, dt: 0.004, headers: [] };
 * const grid = { x0: 0, y0: 0, dx: 10, dy: 10, nx: 1, ny: 1, azimuthDeg: 0 };
 * const plan = { input, options: { velocity: "2000" }, fingerprint: "ab", grid, midpointsInside: 10,
 *   statistics: { checksum: 1, maxHalfOffset: 0, midpoint: { xmin: 0, xmax: 0, ymin: 0, ymax: 0 } },
 *   shape: { tileNx: 1, tileNy: 1, tiles: 1, bytesPerBin: 8, tileOverhead: 0, inputBytes: 0,
 *     tileBudget: 100 },
 *   tiles: [{ id: 0, ix0: 0, ix1: 1, iy0: 0, iy1: 1, firstTrace: 0, lastTrace: 9,
 *     traceCount: 10, bytes: 8 }] };
 * await writePlanFile(path, plan);
 * assert.deepEqual(await readPlanFile(path, { input, options: { velocity: "2000" } }), plan);
 * await Deno.remove(path);
 * ```
 */
export async function writePlanFile(path: string, plan: PlanContents): Promise<void> {
  const { tiles, ...rest } = plan;
  const body = JSON.stringify({ ...rest, tiles: tiles.map((t) => TILE_FIELDS.map((k) => t[k])) });
  const text = `{"pstmPlan":1,"checksum":${
    checksum32(new TextEncoder().encode(body))
  },"plan":${body}}\n`;
  const partial = `${path}.partial`;
  await Deno.writeTextFile(partial, text);
  await Deno.rename(partial, path);
}

/**
 * Reads a plan file and checks that it is whole and was made from this
 * input with these options.
 *
 * @param path the plan file
 * @param expect this run's input and options
 * @returns the plan
 * @throws PstmError (exit 2) naming the file and what differs, or that it is damaged
 */
export async function readPlanFile(
  path: string,
  expect: { input: IndexedInput; options: Record<string, unknown> },
): Promise<PlanContents> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new PstmError(`cannot read the plan file: ${(error as Error).message}`, {
      file: path,
      field: "--plan-file",
    });
  }
  const bad = (what: string) =>
    new PstmError(`${what}; run pstm plan again`, { file: path, field: "--plan-file" });
  const match = /^\{"pstmPlan":1,"checksum":(\d+),"plan":(.*)\}\n?$/s.exec(text);
  if (!match) throw bad("not a pstm plan file, or truncated");
  if (checksum32(new TextEncoder().encode(match[2])) !== Number(match[1])) {
    throw bad("the plan file is damaged (checksum)");
  }
  let raw: Omit<PlanContents, "tiles"> & { tiles: number[][] };
  try {
    raw = JSON.parse(match[2]);
  } catch {
    throw bad("the plan file is damaged (not JSON)");
  }
  const input = inputDifference(raw.input, expect.input);
  if (input) {
    throw new PstmError(
      `the plan was made from another input (${input}: plan != this run); run pstm plan again`,
      { file: path, field: "--plan-file" },
    );
  }
  const option = optionDifference(raw.options, expect.options);
  if (option) {
    throw new PstmError(
      `the plan was made with other options (${option}: plan != this run); ` +
        "run pstm plan again with the options of this run",
      { file: path, field: "--plan-file" },
    );
  }
  const tiles = raw.tiles.map((values, id) => {
    const tile = { id } as TileInfo;
    TILE_FIELDS.forEach((k, i) => tile[k] = values[i]);
    return tile;
  });
  return { ...raw, tiles };
}

/**
 * The first option that differs between two option records, as
 * `name plan-value != run-value` (nested records named `a.b`).
 *
 * @param a the plan's options
 * @param b this run's options
 * @returns the difference, or undefined when they agree
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { optionDifference } from "./plan_file.ts";
 * assert.equal(optionDifference({ p: { aperture: 1 } }, { p: { aperture: 2 } }), "p.aperture 1 != 2");
 * assert.equal(optionDifference({ v: "2000" }, { v: "2000" }), undefined);
 * ```
 */
export function optionDifference(
  a: Record<string, unknown>,
  b: Record<string, unknown>,
  prefix = "",
): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const x = a[key], y = b[key];
    const isRecord = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
    if (isRecord(x) && isRecord(y)) {
      const inner = optionDifference(
        x as Record<string, unknown>,
        y as Record<string, unknown>,
        `${prefix}${key}.`,
      );
      if (inner) return inner;
    } else if (JSON.stringify(x) !== JSON.stringify(y)) {
      return `${prefix}${key} ${JSON.stringify(x) ?? "unset"} != ${JSON.stringify(y) ?? "unset"}`;
    }
  }
  return undefined;
}

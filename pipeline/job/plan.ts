/**
 * Stage 2 of a migration job: the memory budget, the job's fingerprint, the
 * tile shape (kept from the manifest of a resumed run), and, once the
 * manifest says which tiles are done, the tiles and passes of this run.
 *
 * @module
 */

import type { Backend } from "../../backends/backend.ts";
import { MAX_TABLE_BYTES } from "../../backends/traveltime_table.ts";
import { Manifest, type ManifestContents, type ManifestHeader } from "../output/manifest.ts";
import type { OutputFiles, ShardSpec } from "../output/output_files.ts";
import type { GeometryTable } from "../plan/geometry_table.ts";
import { binOf, type GridSpec } from "../plan/grid.ts";
import { defaultMemoryBudget } from "../plan/memory.ts";
import {
  type PlanRequest,
  planTiles,
  type TilePlan,
  type TileShape,
  tileShape,
} from "../plan/tile_plan.ts";
import { jobFingerprint } from "./fingerprint.ts";
import type { JobConfig } from "./job_config.ts";
import type { Progress } from "./progress.ts";
import type { JobSetup } from "./setup.ts";

/** The job's plan before the manifest is opened. */
export interface JobPlan {
  /** What the planner is asked (tile size fixed, no tiles done yet). */
  request: PlanRequest;
  /** The tile size and the memory it was sized with. */
  shape: TileShape;
  /** The memory budget, bytes (the smaller of host and device). */
  budget: number;
  /** The manifest header of this run. */
  header: ManifestHeader;
  /** The manifest a previous run left (with --resume), if any. */
  previous?: ManifestContents;
}

/**
 * The memory budget: `--memory` (checked by the preflight; default: half the
 * available memory), capped by a GPU backend's free device memory, since
 * tiles live there too.
 *
 * @param memory the `--memory` budget in bytes, or undefined for the default
 * @param backend the backend (`memoryLimit`)
 * @returns bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { memoryBudget } from "./plan.ts";
 * assert.equal(memoryBudget(1 << 20, {}), 1 << 20);
 * assert.equal(memoryBudget(1 << 20, { memoryLimit: 1000 }), 1000);
 * ```
 */
export function memoryBudget(
  memory: number | undefined,
  backend: Pick<Backend, "memoryLimit">,
): number {
  const host = memory ?? defaultMemoryBudget();
  const device = backend.memoryLimit;
  return device === undefined ? host : Math.min(host, device);
}

/**
 * What the tile planner is asked for this job.
 *
 * @param job batch size, traveltime table, tile size
 * @param setup grid, time axis, classes, geometry, reach, kernel parameters
 * @param budget the memory budget, bytes
 * @param shard this run's shard
 * @param tileBins bins per tile (a resumed run's), overriding `job.tileBins`
 * @param bytesPerColumn what the backend holds per output column (`Backend.bytesPerColumn`);
 *   default: the planner's
 * @returns the request (no tiles done)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { GeometryTable } from "../plan/geometry_table.ts";
 * import { planRequestOf } from "./plan.ts";
 * const setup = { grid: { x0: 0, y0: 0, dx: 10, dy: 10, nx: 4, ny: 3, azimuthDeg: 0 },
 *   time: { tau0: 0, dtau: 0.004, ntau: 50 }, classes: { first: 0, width: 1e9, count: 1 },
 *   geometry: new GeometryTable(), reach: 100, info: { ns: 50 } };
 * const r = planRequestOf({ batchSize: 64, traveltimeTable: "off" }, setup, 1 << 20, undefined,
 *   undefined, 4 * 50 * 5 + 8);
 * assert.equal(r.bytesPerColumn, 1008); // as the backend states it
 * assert.deepEqual(r.binOf(20, 10), [2, 1]);
 * ```
 */
export function planRequestOf(
  job: Pick<JobConfig, "batchSize" | "traveltimeTable" | "tileBins">,
  setup: {
    grid: GridSpec;
    time: JobSetup["time"];
    classes: Pick<JobSetup["classes"], "count">;
    geometry: GeometryTable;
    reach: number;
    info: Pick<JobSetup["info"], "ns">;
  },
  budget: number,
  shard: ShardSpec | undefined,
  tileBins?: [number, number],
  bytesPerColumn?: number,
): PlanRequest {
  const { grid, time } = setup;
  return {
    bytesPerColumn,
    tileOverhead: job.traveltimeTable === "off" ? 0 : MAX_TABLE_BYTES,
    nx: grid.nx,
    ny: grid.ny,
    dx: grid.dx,
    dy: grid.dy,
    ntau: time.ntau,
    nclass: setup.classes.count,
    binOf: (x: number, y: number): [number, number] => {
      const b = binOf(grid, x, y);
      return [b.ix, b.iy];
    },
    reach: setup.reach,
    geometry: setup.geometry,
    ns: setup.info.ns,
    batchSize: job.batchSize,
    budget,
    tileBins: tileBins ?? job.tileBins,
    shard,
  };
}

/**
 * Plans the job up to the manifest: budget, fingerprint (reads input trace
 * 0), the previous manifest (with --resume), the tile shape.
 *
 * @param job the validated job
 * @param setup the job's setup
 * @param memory the `--memory` budget in bytes, or undefined for the default
 * @param backend the backend (its device memory caps the budget; its bytesPerColumn sizes
 *   the tiles)
 * @param files the run's file names (the manifest to resume)
 * @param shard this run's shard
 * @returns the plan before the manifest is opened
 * @throws PstmError when the budget cannot hold one column and the input batches
 */
export async function planJob(
  job: JobConfig,
  setup: JobSetup,
  memory: number | undefined,
  backend: Pick<Backend, "memoryLimit"> & Partial<Pick<Backend, "bytesPerColumn">>,
  files: Pick<OutputFiles, "manifest">,
  shard: ShardSpec | undefined,
): Promise<JobPlan> {
  const budget = memoryBudget(memory, backend);
  const firstTrace = (await setup.input.file.readTraces(0, 1)).samples;
  const fingerprint = jobFingerprint(job, setup, firstTrace);
  const previous = job.resume ? await Manifest.peek(files.manifest) : undefined;
  const request = planRequestOf(
    job,
    setup,
    budget,
    shard,
    previous?.tileBins,
    backend.bytesPerColumn?.(setup.params),
  );
  const shape = tileShape(request);
  const tileBins: [number, number] = [shape.tileNx, shape.tileNy];
  return {
    request: { ...request, tileBins },
    shape,
    budget,
    header: { version: 1, fingerprint, tiles: shape.tiles, shard: job.shard ?? "", tileBins },
    previous,
  };
}

/**
 * The tiles and passes of this run, leaving out the tiles the manifest records as done.
 *
 * @param plan the job's plan
 * @param done tiles already finished
 * @returns the tile plan
 */
export function scheduleTiles(plan: JobPlan, done: Set<number>): TilePlan {
  return planTiles({ ...plan.request, done });
}

/**
 * What this run has to do: traces to read over all passes, tiles to write.
 *
 * @param plan the tile plan
 * @returns the totals
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { workOf } from "./plan.ts";
 * const plan = { emptyTiles: [3], passes: [{ firstTrace: 0, lastTrace: 9, tileIds: [0, 1] }] };
 * assert.deepEqual(workOf(plan), { traces: 10, tiles: 3 });
 * ```
 */
export function workOf(
  plan: Pick<TilePlan, "emptyTiles" | "passes">,
): { traces: number; tiles: number } {
  return {
    traces: plan.passes.reduce((n, p) => n + p.lastTrace - p.firstTrace + 1, 0),
    tiles: plan.emptyTiles.length + plan.passes.reduce((n, p) => n + p.tileIds.length, 0),
  };
}

/**
 * How many trace midpoints fall inside the grid (within half a bin of its edge bins).
 *
 * @param g trace coordinates
 * @param grid the output grid
 * @returns the count
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { midpointsInside } from "./plan.ts";
 * const grid = { x0: 0, y0: 0, dx: 10, dy: 10, nx: 2, ny: 2, azimuthDeg: 0 };
 * const g = { count: 2, sx: [0, 100], sy: [0, 100], gx: [10, 120], gy: [0, 100] };
 * assert.equal(midpointsInside(g, grid), 1);
 * ```
 */
export function midpointsInside(
  g: Pick<GeometryTable, "count"> & Record<"sx" | "sy" | "gx" | "gy", ArrayLike<number>>,
  grid: GridSpec,
): number {
  let inside = 0;
  for (let k = 0; k < g.count; k++) {
    const b = binOf(grid, 0.5 * (g.sx[k] + g.gx[k]), 0.5 * (g.sy[k] + g.gy[k]));
    if (b.ix > -0.5 && b.ix < grid.nx - 0.5 && b.iy > -0.5 && b.iy < grid.ny - 0.5) inside++;
  }
  return inside;
}

/**
 * Tells the user the plan: a warning when most midpoints miss the grid, and
 * the "plan" event (traces, grid, tiles, passes, tiles resumed, budget).
 *
 * @param progress where events go
 * @param setup input info, geometry, grid, time axis, classes
 * @param plan the tile plan
 * @param budget the memory budget, bytes
 */
export function announcePlan(
  progress: Pick<Progress, "event">,
  setup: Pick<JobSetup, "info" | "geometry" | "grid" | "time" | "classes">,
  plan: TilePlan,
  budget: number,
): void {
  const { info, geometry, grid, time, classes } = setup;
  const inside = midpointsInside(geometry, grid);
  if (inside < 0.5 * geometry.count) {
    progress.event(
      "warning",
      { midpointsInsideGrid: inside, traces: geometry.count },
      `pstm: warning: only ${inside} of ${geometry.count} trace midpoints fall inside the ` +
        "output grid; check --grid (origin, spacing, azimuth) against pstm scan's suggestion",
    );
  }
  progress.event(
    "plan",
    {
      traces: info.traceCount,
      grid,
      tiles: plan.tiles.length,
      tileBins: [plan.tileNx, plan.tileNy],
      passes: plan.passes.length,
      resumed: plan.doneTiles.length,
      budget,
    },
    `pstm: ${info.traceCount} traces -> ${grid.nx} x ${grid.ny} bins x ${time.ntau} samples` +
      ` x ${classes.count} class(es); ${plan.tiles.length} tile(s) of ${plan.tileNx} x ` +
      `${plan.tileNy} bins in ${plan.passes.length} pass(es)` +
      (plan.doneTiles.length ? `; ${plan.doneTiles.length} tile(s) already done` : ""),
  );
}

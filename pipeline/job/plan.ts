/**
 * Stage 2 of a migration job: the memory budget, the job's fingerprint, the
 * tile shape (kept from the manifest of a resumed run), and, once the
 * manifest says which tiles are done, the tiles and passes of this run.
 *
 * @module
 */

import { outputClassCount } from "../plan/offset_classes.ts";
import type { Backend } from "../../backends/backend.ts";
import { MAX_TABLE_BYTES } from "../../backends/traveltime_table.ts";
import { Manifest, type ManifestContents, type ManifestHeader } from "../output/manifest.ts";
import type { OutputFiles, ShardSpec } from "../output/output_files.ts";
import { binOf, type GridSpec } from "../plan/grid.ts";
import { defaultMemoryBudget } from "../plan/memory.ts";
import { PstmError } from "../../core/errors.ts";
import {
  type PlanRequest,
  scheduleTiles as scheduleRun,
  type TileInfo,
  type TilePlan,
  tileRanges,
  type TileShape,
  tileShape,
} from "../plan/tile_plan.ts";
import { jobFingerprint } from "./fingerprint.ts";
import type { JobConfig } from "./job_config.ts";
import type { Progress } from "./progress.ts";
import type { JobGeometry, JobSetup } from "./setup.ts";
import type { MigrationSettings } from "./defaults.ts";

/** The job's plan before the manifest is opened. */
export interface JobPlan {
  /** What the planner is asked (tile size fixed, no tiles done yet). */
  request: PlanRequest;
  /** The tile size and the memory it was sized with. */
  shape: TileShape;
  /** Every tile of the grid with the trace range that reaches it (planned once). */
  tiles: TileInfo[];
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
 * @param job batch size, tile size
 * @param setup grid, time axis, classes, geometry, reach, the settings' traveltime table
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
 *   geometry: { source: new GeometryTable() }, reach: 100, info: { ns: 50 },
 *   settings: { traveltimeTable: "off" as const } };
 * const r = planRequestOf({ batchSize: 64 }, setup, 1 << 20, undefined,
 *   undefined, 4 * 50 * 5 + 8);
 * assert.equal(r.bytesPerColumn, 1008); // as the backend states it
 * assert.deepEqual(r.binOf(20, 10), [2, 1]);
 * ```
 */
export function planRequestOf(
  job: Pick<JobConfig, "batchSize" | "tileBins">,
  setup: {
    settings: Pick<MigrationSettings, "traveltimeTable">;
    grid: GridSpec;
    time: JobSetup["time"];
    classes: Pick<JobSetup["classes"], "count">;
    geometry: Pick<JobGeometry, "source">;
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
    tileOverhead: setup.settings.traveltimeTable === "on" ? MAX_TABLE_BYTES : 0,
    nx: grid.nx,
    ny: grid.ny,
    dx: grid.dx,
    dy: grid.dy,
    ntau: time.ntau,
    nclass: outputClassCount(setup.classes),
    binOf: (x: number, y: number): [number, number] => {
      const b = binOf(grid, x, y);
      return [b.ix, b.iy];
    },
    reach: setup.reach,
    geometry: setup.geometry.source,
    ns: setup.info.ns,
    batchSize: job.batchSize,
    budget,
    tileBins: tileBins ?? job.tileBins,
    shard,
  };
}

/**
 * Plans the job up to the manifest: budget, fingerprint (reads input trace
 * 0), the previous manifest (with --resume), the tile shape, and every
 * tile's trace range: read from the geometry index band by band, or, with a
 * plan file, taken from it (no geometry read).
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
  const planFile = setup.planFile;
  if (planFile && planFile.fingerprint !== fingerprint) {
    throw new PstmError(
      "the plan file was made for another job (its fingerprint differs); run pstm plan again",
      { file: job.planFile, field: "--plan-file" },
    );
  }
  const request = planRequestOf(
    job,
    setup,
    budget,
    shard,
    planFile ? [planFile.shape.tileNx, planFile.shape.tileNy] : previous?.tileBins,
    backend.bytesPerColumn?.(setup.params),
  );
  const shape = planFile?.shape ?? tileShape(request);
  const tileBins: [number, number] = [shape.tileNx, shape.tileNy];
  return {
    request: { ...request, tileBins },
    shape,
    tiles: planFile?.tiles ?? tileRanges({ ...request, tileBins }, shape),
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
  return scheduleRun(plan.tiles, plan.shape, { ...plan.request, done });
}

/**
 * Whether this run's shard owns none of the job's tiles (more shards than tiles): such a run
 * has nothing to do, and once the output is complete it leaves it as it is.
 *
 * @param plan the job's plan
 * @returns true when the shard's schedule holds no tile
 */
export function ownsNoTiles(plan: JobPlan): boolean {
  const own = scheduleTiles(plan, new Set());
  return own.passes.length === 0 && own.emptyTiles.length === 0;
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
 * Tells the user the plan: a warning when most midpoints miss the grid, and
 * the "plan" event (traces, grid, tiles, passes, tiles resumed, budget).
 *
 * @param progress where events go
 * @param setup input info, geometry, grid, time axis, classes
 * @param plan the tile plan
 * @param budget the memory budget, bytes
 * @param planEvent whether to report the "plan" event (the plan-only mode reports its own)
 */
export function announcePlan(
  progress: Pick<Progress, "event">,
  setup: Pick<JobSetup, "info" | "geometry" | "grid" | "time" | "classes"> & {
    velocity?: Pick<JobSetup["velocity"], "warnings">;
  },
  plan: TilePlan,
  budget: number,
  planEvent = true,
): void {
  const { info, geometry, grid, time, classes } = setup;
  for (const warning of setup.velocity?.warnings ?? []) {
    progress.event("warning", { velocity: warning }, `pstm: warning: ${warning}`);
  }
  const inside = geometry.midpointsInside;
  if (inside < 0.5 * geometry.count) {
    progress.event(
      "warning",
      { midpointsInsideGrid: inside, traces: geometry.count },
      `pstm: warning: only ${inside} of ${geometry.count} trace midpoints fall inside the ` +
        "output grid; check --grid (origin, spacing, azimuth) against pstm scan's suggestion",
    );
  }
  if (planEvent) {
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
        ` x ${
          outputClassCount(classes)
        } class(es); ${plan.tiles.length} tile(s) of ${plan.tileNx} x ` +
        `${plan.tileNy} bins in ${plan.passes.length} pass(es)` +
        (plan.doneTiles.length ? `; ${plan.doneTiles.length} tile(s) already done` : ""),
    );
  }
  const reads = workOf(plan).traces;
  if (plan.passes.length > 1 && reads > 2 * info.traceCount) {
    progress.event(
      "warning",
      { inputOrder: true, tracesToRead: reads, traces: info.traceCount },
      `pstm: warning: the ${plan.passes.length} passes read ${reads} traces, ` +
        `${(reads / info.traceCount).toFixed(1)} x the survey: its traces are not in the ` +
        "order of the tiles (shot order?); `pstm sort IN -o SORTED --grid ...` rewrites it in " +
        "tile-band order (docs/performance.md says when that pays), or give more --memory",
    );
  }
}

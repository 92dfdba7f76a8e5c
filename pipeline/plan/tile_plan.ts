/**
 * The planner: splits the output grid into tiles sized to the memory budget,
 * finds for each tile the input traces whose aperture reaches it (first and
 * last trace in file order), and groups tiles into passes so that the tiles
 * open at once never exceed the budget.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { GeometrySource } from "./geometry_index.ts";
import { formatBytes } from "./memory.ts";
import { DEFAULT_HEADER_MAP, TRACE_HEADER_BYTES } from "../segy/header_map.ts";
import { HEADER_CHUNK_BYTES } from "../segy/segy_file.ts";

/** One output tile: a rectangle of bins, every output time, every class. */
export interface TileInfo {
  /** Tile number, row-major over the tile lattice. */
  id: number;
  /** First bin along the grid's first axis. */
  ix0: number;
  /** One past the last bin along the first axis. */
  ix1: number;
  /** First bin along the second axis. */
  iy0: number;
  /** One past the last bin along the second axis. */
  iy1: number;
  /** Index of the first input trace that reaches the tile (-1: none). */
  firstTrace: number;
  /** Index of the last input trace that reaches the tile (-1: none). */
  lastTrace: number;
  /** Number of input traces that reach the tile. */
  traceCount: number;
  /** Bytes the tile holds while open (image, velocity, points). */
  bytes: number;
}

/** Tiles migrated together in one read of the input range they need. */
export interface PassInfo {
  /** Tiles of the pass, by first trace. */
  tileIds: number[];
  /** First input trace the pass reads. */
  firstTrace: number;
  /** Last input trace the pass reads. */
  lastTrace: number;
}

/** What the planner needs to know about the job. */
export interface PlanRequest {
  /** Bins along the grid's first axis. */
  nx: number;
  /** Bins along the second axis. */
  ny: number;
  /** Bin spacing along the first axis, m. */
  dx: number;
  /** Bin spacing along the second axis, m. */
  dy: number;
  /** Output samples per column. */
  ntau: number;
  /** Offset classes. */
  nclass: number;
  /** Maps survey coordinates to fractional bin indices [fx, fy]. */
  binOf: (x: number, y: number) => [number, number];
  /** Largest distance from a trace's midpoint at which it contributes, m (Infinity: all). */
  reach: number;
  /**
   * Input trace midpoints, read band by band (an in-memory table or the
   * on-disk index); absent when the tiles' trace ranges come from a plan file.
   */
  geometry?: GeometrySource;
  /** Samples per input trace. */
  ns: number;
  /** Traces per input batch. */
  batchSize: number;
  /** Memory budget, bytes. */
  budget: number;
  /**
   * Bytes one output column holds while its tile is open, as the backend
   * states it (`Backend.bytesPerColumn`). Default: the image, the velocity,
   * one more array of `ntau` floats and the point, 4 ntau (nclass + 2) + 8.
   */
  bytesPerColumn?: number;
  /** Fixed bytes per open tile (e.g. a traveltime table). Default 0. */
  tileOverhead?: number;
  /** Bins per tile along each axis, overriding the automatic choice. */
  tileBins?: [number, number];
  /** Tiles already finished (resume): planned but not scheduled. */
  done?: Set<number>;
  /** Only the tiles of shard `index` of `count` (a contiguous band, `shardOfTile`). */
  shard?: { index: number; count: number };
}

/** The plan of a job. */
export interface TilePlan {
  /** Bins per tile along the first axis. */
  tileNx: number;
  /** Bins per tile along the second axis. */
  tileNy: number;
  /** Tiles along the first axis. */
  ntx: number;
  /** Tiles along the second axis. */
  nty: number;
  /** Every tile of the grid. */
  tiles: TileInfo[];
  /** Tiles this run must migrate (not done, in this shard), with traces. */
  passes: PassInfo[];
  /** Tiles this run must write that no trace reaches (written as zeros). */
  emptyTiles: number[];
  /** Tiles of this run (shard) already finished. */
  doneTiles: number[];
  /** Bytes per output bin while its tile is open. */
  bytesPerBin: number;
  /** Bytes held by input batches in flight. */
  inputBytes: number;
  /** The budget. */
  budget: number;
}

/**
 * The shard that owns tile `id` of `tiles` when a job is split `count` ways:
 * contiguous bands of tiles, so that with input sorted like the grid each
 * shard reads only its band of the survey (plus the aperture around it).
 *
 * @param id tile id
 * @param tiles tiles in the job
 * @param count shards
 * @returns the shard index, 0..count-1
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { shardOfTile } from "./tile_plan.ts";
 * assert(shardOfTile(0, 10, 3) === 0 && shardOfTile(9, 10, 3) === 2);
 * ```
 */
export function shardOfTile(id: number, tiles: number, count: number): number {
  return Math.floor((id * count) / tiles);
}

/**
 * The tiles shard `index` of `count` owns (see `shardOfTile`).
 *
 * @param index shard index
 * @param count shards
 * @param tiles tiles in the job
 * @returns tile ids, ascending
 */
export function tilesOfShard(index: number, count: number, tiles: number): number[] {
  const ids: number[] = [];
  for (let id = Math.ceil((index * tiles) / count); id < tiles; id++) {
    if (shardOfTile(id, tiles, count) !== index) break;
    ids.push(id);
  }
  return ids;
}

/**
 * Input batches a pass holds at once: read ahead, queued between its stages and in the
 * kernel. Measured with `BatchPool.missed` (a pass allocates only the batches it holds at
 * once): 7 full batches and the short last one, at batch sizes 16 to 2048.
 */
export const BATCHES_IN_FLIGHT = 8;

/**
 * Bytes one trace takes in a batch in flight: its samples (float32), one float64 per header
 * column (every field of the default header map, the coordinates among them) and the binned
 * geometry, class and tile footprint (36 bytes).
 *
 * @param ns samples per trace
 * @returns bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { batchBytesPerTrace } from "./tile_plan.ts";
 * assert.equal(batchBytesPerTrace(100) - batchBytesPerTrace(99), 4);
 * ```
 */
export function batchBytesPerTrace(ns: number): number {
  return 4 * ns + 8 * Object.keys(DEFAULT_HEADER_MAP).length + 36;
}

/**
 * Bytes of the buffer a file reads batches through (`SegyFile`: whole traces in chunks of
 * `HEADER_CHUNK_BYTES`, at least one trace), for traces of `ns` 4-byte samples.
 *
 * @param batchSize traces per batch
 * @param ns samples per trace
 * @returns bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { readBufferBytes } from "./tile_plan.ts";
 * assert.equal(readBufferBytes(10, 190), 10 * 1000);
 * ```
 */
export function readBufferBytes(batchSize: number, ns: number): number {
  const traceBytes = TRACE_HEADER_BYTES + 4 * ns;
  return Math.min(batchSize, Math.max(1, Math.floor(HEADER_CHUNK_BYTES / traceBytes))) *
    traceBytes;
}

/** The tile size of a plan and the memory it was sized with. */
export interface TileShape {
  /** Bins per tile along the first axis. */
  tileNx: number;
  /** Bins per tile along the second axis. */
  tileNy: number;
  /** Tiles in the whole grid. */
  tiles: number;
  /** Bytes per output bin while its tile is open. */
  bytesPerBin: number;
  /** Fixed bytes per open tile. */
  tileOverhead: number;
  /** Bytes held by input batches and the geometry (one band of the index). */
  inputBytes: number;
  /** Bytes open tiles may hold at once. */
  tileBudget: number;
}

/**
 * Sizes the tiles of a plan without looking at the traces (cheap): what a
 * resumed run needs to know before the manifest tells it which tiles are done.
 *
 * @param request grid, budget, optional forced tile size
 * @returns the tile shape
 * @throws PstmError when the budget is smaller than one column plus the input batches
 */
export function tileShape(request: PlanRequest): TileShape {
  const { nx, ny, ntau, nclass, budget } = request;
  const bytesPerBin = request.bytesPerColumn ?? 4 * ntau * (nclass + 2) + 8;
  const tileOverhead = request.tileOverhead ?? 0;
  const inputBytes = BATCHES_IN_FLIGHT * request.batchSize * batchBytesPerTrace(request.ns) +
    readBufferBytes(request.batchSize, request.ns) + (request.geometry?.bytes ?? 0);
  const tileBudget = budget - inputBytes;
  if (tileBudget < bytesPerBin + tileOverhead) {
    throw new PstmError(
      `memory budget ${formatBytes(budget)} is too small: one output column needs ` +
        `${formatBytes(bytesPerBin + tileOverhead)} and the input batches and geometry ` +
        `${formatBytes(inputBytes)}; expected at least ` +
        `${formatBytes(inputBytes + bytesPerBin + tileOverhead)}`,
      { field: "--memory" },
    );
  }
  const [tileNx, tileNy] = request.tileBins ??
    chooseTileShape(nx, ny, tileBudget - tileOverhead, bytesPerBin);
  const tiles = Math.ceil(nx / tileNx) * Math.ceil(ny / tileNy);
  return { tileNx, tileNy, tiles, bytesPerBin, tileOverhead, inputBytes, tileBudget };
}

/**
 * Plans tiles and passes.
 *
 * @param request grid, geometry, budget
 * @returns the plan
 * @throws PstmError when the budget is smaller than one tile plus the input batches
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { GeometryTable } from "./geometry_table.ts";
 * import { planTiles } from "./tile_plan.ts";
 * const geometry = new GeometryTable();
 * const plan = planTiles({ nx: 10, ny: 10, dx: 10, dy: 10, ntau: 100, nclass: 1,
 *   binOf: (x, y) => [x / 10, y / 10], reach: Infinity, geometry, ns: 100,
 *   batchSize: 64, budget: 64 * 1024 * 1024 });
 * assert(plan.tiles.length === 1);
 * ```
 */
export function planTiles(request: PlanRequest): TilePlan {
  const shape = tileShape(request);
  return scheduleTiles(tileRanges(request, shape), shape, request);
}

/**
 * The tiles of a plan with the input traces that reach each (first, last,
 * count): the one step that reads the geometry, band by band.
 *
 * @param request grid, geometry, budget
 * @param shape the tile shape (`tileShape(request)`)
 * @returns every tile of the grid, row-major
 * @throws PstmError when one tile does not fit the budget
 */
export function tileRanges(
  request: PlanRequest,
  shape: TileShape = tileShape(request),
): TileInfo[] {
  const { nx, ny, budget } = request;
  const { tileNx, tileNy, bytesPerBin, tileOverhead, inputBytes, tileBudget } = shape;
  const ntx = Math.ceil(nx / tileNx), nty = Math.ceil(ny / tileNy);
  const tiles: TileInfo[] = [];
  for (let ty = 0; ty < nty; ty++) {
    for (let tx = 0; tx < ntx; tx++) {
      const ix0 = tx * tileNx, iy0 = ty * tileNy;
      const ix1 = Math.min(nx, ix0 + tileNx), iy1 = Math.min(ny, iy0 + tileNy);
      tiles.push({
        id: tiles.length,
        ix0,
        ix1,
        iy0,
        iy1,
        firstTrace: -1,
        lastTrace: -1,
        traceCount: 0,
        bytes: (ix1 - ix0) * (iy1 - iy0) * bytesPerBin + tileOverhead,
      });
    }
  }
  const largest = Math.max(...tiles.map((t) => t.bytes));
  if (largest > tileBudget) {
    throw new PstmError(
      `memory budget ${formatBytes(budget)} cannot hold one tile of ${formatBytes(largest)} ` +
        `plus the input batches (${formatBytes(inputBytes)})`,
      { field: "--memory" },
    );
  }
  findTraceRanges(request, tiles, tileNx, tileNy, ntx);
  return tiles;
}

/**
 * The passes of a run over tiles whose trace ranges are known (from
 * `tileRanges`, or read back from a plan file): no geometry is read.
 *
 * @param tiles every tile of the grid, with its trace range
 * @param shape the tile shape they were made with
 * @param run grid size, budget, batch size, tiles done, this run's shard
 * @returns the plan of this run
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { scheduleTiles } from "./tile_plan.ts";
 * const shape = { tileNx: 2, tileNy: 1, tiles: 2, bytesPerBin: 8, tileOverhead: 0,
 *   inputBytes: 0, tileBudget: 1000 };
 * const tiles = [0, 1].map((id) => ({ id, ix0: 2 * id, ix1: 2 * id + 2, iy0: 0, iy1: 1,
 *   firstTrace: id ? -1 : 0, lastTrace: id ? -1 : 9, traceCount: id ? 0 : 10, bytes: 16 }));
 * const plan = scheduleTiles(tiles, shape, { nx: 4, ny: 1, budget: 1000, batchSize: 4 });
 * assert.deepEqual(plan.emptyTiles, [1]);
 * assert.deepEqual(plan.passes, [{ tileIds: [0], firstTrace: 0, lastTrace: 9 }]);
 * ```
 */
export function scheduleTiles(
  tiles: TileInfo[],
  shape: TileShape,
  run: Pick<PlanRequest, "nx" | "ny" | "budget" | "batchSize" | "done" | "shard">,
): TilePlan {
  const { tileNx, tileNy, bytesPerBin, inputBytes, tileBudget } = shape;
  const ntx = Math.ceil(run.nx / tileNx), nty = Math.ceil(run.ny / tileNy);
  const mine = (t: TileInfo) =>
    !run.shard || shardOfTile(t.id, tiles.length, run.shard.count) === run.shard.index;
  const doneTiles = tiles.filter((t) => mine(t) && run.done?.has(t.id)).map((t) => t.id);
  const todo = tiles.filter((t) => mine(t) && !run.done?.has(t.id));
  const emptyTiles = todo.filter((t) => t.traceCount === 0).map((t) => t.id);
  const passes = packPasses(todo.filter((t) => t.traceCount > 0), tileBudget, run.batchSize);
  return {
    tileNx,
    tileNy,
    ntx,
    nty,
    tiles,
    passes,
    emptyTiles,
    doneTiles,
    bytesPerBin,
    inputBytes,
    budget: run.budget,
  };
}

/**
 * Whole grid when it fits; otherwise strips along the first axis (input
 * sorted by the second axis then streams through few tiles at a time), or
 * squares when a strip of one row is already too large.
 */
function chooseTileShape(
  nx: number,
  ny: number,
  tileBudget: number,
  bytesPerBin: number,
): [number, number] {
  const maxBins = Math.floor(tileBudget / bytesPerBin);
  if (nx * ny <= maxBins) return [nx, ny];
  const target = Math.max(1, Math.floor(maxBins / 4));
  if (nx <= target) return [nx, Math.max(1, Math.floor(target / nx))];
  const side = Math.max(1, Math.floor(Math.sqrt(target)));
  return [Math.min(nx, side), Math.min(ny, Math.max(1, Math.floor(target / side)))];
}

/**
 * Writes into `out` the range of tiles [tx0, tx1, ty0, ty1] that the aperture
 * footprint of a trace with midpoint (mx, my) reaches; returns false when it
 * reaches none.
 */
export type FootprintFunction = (mx: number, my: number, out: Int32Array) => boolean;

/** Relative slack of the footprint's reach over the kernel's aperture. */
export const FOOTPRINT_SLACK_RELATIVE = 1e-4;
/** Absolute slack of the footprint's reach, m (float32 coordinates round by mm at 1e5 m). */
export const FOOTPRINT_SLACK_METRES = 1;

/**
 * The footprint function of a plan: the bins within `reach` of a midpoint
 * (plus {@link FOOTPRINT_SLACK_RELATIVE} and {@link FOOTPRINT_SLACK_METRES}, so
 * that it keeps every pair the kernel's aperture test keeps), as a range of tiles.
 *
 * @param request the plan request (grid, binOf, reach)
 * @param tileNx bins per tile along the first axis
 * @param tileNy bins per tile along the second axis
 * @returns the footprint function
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { makeFootprint } from "./tile_plan.ts";
 * // 100 x 100 bins of 10 m in tiles of 10 x 10 bins, a 50 m reach
 * const footprint = makeFootprint(
 *   { nx: 100, ny: 100, dx: 10, dy: 10, binOf: (x, y) => [x / 10, y / 10], reach: 50 },
 *   10,
 *   10,
 * );
 * const tiles = new Int32Array(4);
 * assert(footprint(205, 500, tiles));
 * assert.deepStrictEqual([...tiles], [1, 2, 4, 5]); // tile columns 1..2, rows 4..5
 * assert(!footprint(-1000, 500, tiles)); // far outside the grid: reaches no bin
 * ```
 */
export function makeFootprint(
  request: Pick<PlanRequest, "nx" | "ny" | "dx" | "dy" | "binOf" | "reach">,
  tileNx: number,
  tileNy: number,
): FootprintFunction {
  const { nx, ny, reach } = request;
  const ntx = Math.ceil(nx / tileNx), nty = Math.ceil(ny / tileNy);
  // Conservative: the kernel tests each pair's distance from float32 coordinates, which can
  // round a midpoint just past the reach (in float64 here) onto it; a pruning test that is
  // not a superset of the kernel's makes the image depend on the tiling. The slack admits
  // only pairs the kernel then decides on, so it changes no result, only a little work.
  const padded = reach + FOOTPRINT_SLACK_RELATIVE * reach + FOOTPRINT_SLACK_METRES;
  const rx = padded / request.dx, ry = padded / request.dy;
  return (mx, my, out) => {
    if (!Number.isFinite(reach)) {
      out[0] = 0, out[1] = ntx - 1, out[2] = 0, out[3] = nty - 1;
      return Number.isFinite(mx) && Number.isFinite(my);
    }
    const [fx, fy] = request.binOf(mx, my);
    const ix0 = Math.max(0, Math.ceil(fx - rx)), ix1 = Math.min(nx - 1, Math.floor(fx + rx));
    const iy0 = Math.max(0, Math.ceil(fy - ry)), iy1 = Math.min(ny - 1, Math.floor(fy + ry));
    if (!(ix0 <= ix1 && iy0 <= iy1)) return false; // reaches no bin (or NaN coordinates)
    out[0] = Math.floor(ix0 / tileNx);
    out[1] = Math.floor(ix1 / tileNx);
    out[2] = Math.floor(iy0 / tileNy);
    out[3] = Math.floor(iy1 / tileNy);
    return true;
  };
}

/** For each trace, the tiles its aperture footprint reaches. */
function findTraceRanges(
  request: PlanRequest,
  tiles: TileInfo[],
  tileNx: number,
  tileNy: number,
  ntx: number,
): void {
  const footprint = makeFootprint(request, tileNx, tileNy);
  const range = new Int32Array(4);
  if (!request.geometry) throw new Error("tileRanges needs the geometry (none was given)");
  for (const band of request.geometry.bands()) {
    for (let j = 0; j < band.count; j++) {
      const k = band.first + j;
      if (!footprint(band.mx[j], band.my[j], range)) continue;
      for (let ty = range[2]; ty <= range[3]; ty++) {
        for (let tx = range[0]; tx <= range[1]; tx++) {
          const tile = tiles[ty * ntx + tx];
          if (tile.firstTrace < 0) tile.firstTrace = k;
          tile.lastTrace = k;
          tile.traceCount++;
        }
      }
    }
  }
}

/**
 * Greedy packing in order of first trace: a tile joins the current pass
 * when the tiles of the pass still open at its first batch, plus itself, fit
 * the budget (tiles open at their first batch and close after their last).
 */
function packPasses(tiles: TileInfo[], tileBudget: number, batchSize: number): PassInfo[] {
  const sorted = [...tiles].sort((a, b) => a.firstTrace - b.firstTrace || a.id - b.id);
  const opens = (t: TileInfo) => Math.floor(t.firstTrace / batchSize);
  const closes = (t: TileInfo) => Math.floor(t.lastTrace / batchSize);
  const passes: { tiles: TileInfo[] }[] = [];
  for (const tile of sorted) {
    let placed = false;
    for (const pass of passes) {
      const openBytes = pass.tiles
        .filter((t) => closes(t) >= opens(tile))
        .reduce((sum, t) => sum + t.bytes, 0);
      const lastStart = pass.tiles[pass.tiles.length - 1];
      if (opens(lastStart) <= opens(tile) && openBytes + tile.bytes <= tileBudget) {
        pass.tiles.push(tile);
        placed = true;
        break;
      }
    }
    if (!placed) passes.push({ tiles: [tile] });
  }
  return passes.map((pass) => ({
    tileIds: pass.tiles.map((t) => t.id),
    firstTrace: Math.min(...pass.tiles.map((t) => t.firstTrace)),
    lastTrace: Math.max(...pass.tiles.map((t) => t.lastTrace)),
  }));
}

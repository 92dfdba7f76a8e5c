/**
 * TileWriter: writes each finished tile straight to its place in the
 * preallocated output file, flushes it, records it in the manifest, and lets
 * it be freed.
 *
 * Output trace order is inline, crossline, offset class (pipeline/grid.ts), so
 * each row of a tile is one contiguous run of traces.
 *
 * @module
 */

import { binCentre, crosslineNumber, type GridSpec, inlineNumber } from "../plan/grid.ts";
import type { Manifest } from "../output/manifest.ts";
import type { FinishedTile } from "./migrate_tile_stream.ts";
import {
  type OffsetClasses,
  outputClassCount,
  outputClassOffsetAzimuth,
} from "../plan/offset_classes.ts";
import type { StageTimes } from "./stage_times.ts";
import type { TileInfo } from "../plan/tile_plan.ts";
import { newTraceBatch, type TraceBatch } from "../segy/trace_batch.ts";

/** Where output traces go: random-access writes plus a flush. */
export interface TraceSink {
  /**
   * Writes `batch` as traces `index .. index + batch.count - 1`. The caller may reuse the
   * batch's arrays once the promise resolves.
   */
  writeAt(index: number, batch: TraceBatch): Promise<void>;
  /** Flushes written data to stable storage. */
  sync(): Promise<void>;
}

/** What TileWriter needs. */
export interface TileWriterOptions {
  /** The output file. */
  sink: TraceSink;
  /** The output grid. */
  grid: GridSpec;
  /** The output time axis. */
  time: { tau0: number; dtau: number; ntau: number };
  /** Offset classes. */
  classes: OffsetClasses;
  /** The manifest to record finished tiles in (none: no resume). */
  manifest?: Manifest;
  /** Stage timer. */
  times: StageTimes;
  /** Called (and awaited) after each tile is durable. */
  onTile?: (tile: FinishedTile) => void | Promise<void>;
}

/**
 * Index of the output trace of bin (ix, iy) and class `cls`.
 *
 * @param grid the grid
 * @param nclass number of classes
 * @param ix bin along the first axis
 * @param iy bin along the second axis
 * @param cls offset class
 * @returns the trace index in the output file
 */
export function outputTraceIndex(
  grid: GridSpec,
  nclass: number,
  ix: number,
  iy: number,
  cls: number,
): number {
  return (iy * grid.nx + ix) * nclass + cls;
}

/**
 * A WritableStream of finished tiles.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { TileWriter } from "./tile_writer.ts";
 * import { newStageTimes } from "./stage_times.ts";
 * const written: number[] = [];
 * const writer = new TileWriter({
 *   sink: { writeAt: (i) => { written.push(i); return Promise.resolve(); }, sync: () => Promise.resolve() },
 *   grid: { x0: 0, y0: 0, dx: 10, dy: 10, nx: 2, ny: 1, azimuthDeg: 0 },
 *   time: { tau0: 0, dtau: 0.004, ntau: 4 }, classes: { first: 0, width: 1e9, count: 1 },
 *   times: newStageTimes() });
 * assert(writer instanceof WritableStream);
 * ```
 */
export class TileWriter extends WritableStream<FinishedTile> {
  /**
   * Creates the sink.
   *
   * @param options sink, grid, time axis, classes, manifest
   */
  constructor(options: TileWriterOptions) {
    super({
      async write(finished) {
        const start = performance.now();
        await writeTile(options, finished.tile, finished.image);
        await options.sink.sync();
        await options.manifest?.record(finished.tile.id);
        options.times.write += (performance.now() - start) / 1000;
        await options.onTile?.(finished);
      },
    });
  }
}

/**
 * Writes one tile's image (or zeros when `image` is undefined) row by row.
 *
 * @param options sink, grid, time axis, classes
 * @param tile the tile
 * @param image `[nclass][npoints][ntau]`, or undefined for an empty tile
 */
export async function writeTile(
  options: Pick<TileWriterOptions, "sink" | "grid" | "time" | "classes">,
  tile: TileInfo,
  image: Float32Array | undefined,
): Promise<void> {
  const { grid, time, classes } = options;
  const nclass = outputClassCount(classes), ntau = time.ntau;
  const azimuths = classes.sectors !== undefined;
  const ncols = tile.ix1 - tile.ix0;
  const npoints = ncols * (tile.iy1 - tile.iy0);
  // one row batch for every row (the sink is done with it once its write resolves): a new
  // one per row would leave the tile's size in garbage behind
  const count = ncols * nclass;
  let batch: TraceBatch | undefined;
  for (let iy = tile.iy0; iy < tile.iy1; iy++) {
    batch ??= newTraceBatch({
      count,
      ns: time.ntau,
      dt: time.dtau,
      t0: time.tau0,
      headers: [
        "cdpx",
        "cdpy",
        "inline",
        "crossline",
        "offset",
        "cdp",
        ...(azimuths ? ["azim"] : []),
      ],
    });
    for (let ix = tile.ix0; ix < tile.ix1; ix++) {
      const j = (iy - tile.iy0) * ncols + (ix - tile.ix0);
      const centre = binCentre(grid, ix, iy);
      for (let cls = 0; cls < nclass; cls++) {
        const k = (ix - tile.ix0) * nclass + cls;
        if (image) {
          const from = (cls * npoints + j) * ntau;
          batch.samples.set(image.subarray(from, from + ntau), k * ntau);
        }
        batch.sx[k] = batch.gx[k] = batch.headers.cdpx[k] = centre.x;
        batch.sy[k] = batch.gy[k] = batch.headers.cdpy[k] = centre.y;
        batch.headers.inline[k] = inlineNumber(grid, iy);
        batch.headers.crossline[k] = crosslineNumber(grid, ix);
        const { offset, azimuth } = outputClassOffsetAzimuth(cls, classes);
        batch.headers.offset[k] = Math.round(offset);
        if (azimuth !== undefined) batch.headers.azim[k] = Math.round(azimuth);
        batch.headers.cdp[k] = iy * grid.nx + ix + 1;
      }
    }
    batch.firstTrace = outputTraceIndex(grid, nclass, tile.ix0, iy, 0);
    await options.sink.writeAt(batch.firstTrace, batch);
  }
}

/**
 * MigrateTileStream: has the backend add each (preprocessed: see
 * PreprocessStream) batch into every open tile it reaches, and emits each
 * tile as soon as its last contributing trace (known from the plan) has
 * passed.
 *
 * @module
 */

import type { Backend, BackendTile, KernelBatch, TileInputs } from "../../backends/backend.ts";
import { PstmError } from "../../core/errors.ts";
import type { BinnedBatch } from "./bin_geometry_stream.ts";
import type { StageTimes } from "./stage_times.ts";
import type { TileInfo } from "../plan/tile_plan.ts";

/** A migrated tile, ready to be written. */
export interface FinishedTile {
  /** The tile. */
  tile: TileInfo;
  /** Its image `[nclass][npoints][ntau]`, points in `gridPoints` order. */
  image: Float32Array;
  /** Seconds from opening to finishing the tile. */
  seconds: number;
  /** Traces added into it. */
  traces: number;
}

/** What MigrateTileStream needs. */
export interface MigrateTileOptions {
  /** The backend that accumulates. */
  backend: Backend;
  /** Tiles of this pass (each opened at its first trace, finished after its last). */
  tiles: TileInfo[];
  /** Tiles along the grid's first axis (to find a tile's position from its id). */
  ntx: number;
  /** Points, velocity and parameters of a tile, computed when it opens. */
  tileInputs: (tile: TileInfo) => TileInputs;
  /** Stage timer to add to. */
  times: StageTimes;
  /**
   * Called with each binned batch once every open tile has summed it (its buffers are free
   * for the next reads: `BinGeometryStream.release`, `BatchPool.release`).
   */
  release?: (binned: BinnedBatch) => void;
  /**
   * Checkpoints: tiles to restore (they take traces from `from` on), and when
   * and where to save the open tiles' sums at a batch boundary. Saving is
   * skipped while a backend tile cannot give its sums (`snapshot`).
   */
  checkpoint?: {
    restored: ReadonlyMap<number, Float32Array>;
    from: number;
    due(): boolean;
    save(
      next: number,
      tiles: { id: number; samples: number; image(): Promise<Float32Array> }[],
    ): Promise<void>;
  };
}

interface OpenTile {
  info: TileInfo;
  tx: number;
  ty: number;
  tile: BackendTile;
  opened: number;
  traces: number;
  /** The first trace it takes (later than its first for a tile restored from a checkpoint). */
  start: number;
  /** Samples of its sums. */
  samples: number;
  /** The indices of the traces of a batch that reach the tile (reused batch after batch). */
  keep: Int32Array;
}

/**
 * A TransformStream from BinnedBatch to FinishedTile.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { MigrateTileStream } from "./migrate_tile_stream.ts";
 * import { ReferenceBackend } from "../../backends/reference/reference_backend.ts";
 * import { newStageTimes } from "./stage_times.ts";
 * const stream = new MigrateTileStream({ backend: new ReferenceBackend(), tiles: [], ntx: 1,
 *   tileInputs: () => { throw new Error("no tiles"); }, times: newStageTimes() });
 * assert(stream.writable instanceof WritableStream);
 * ```
 */
export class MigrateTileStream extends TransformStream<BinnedBatch, FinishedTile> {
  /**
   * Checks the options and creates the stream.
   *
   * @param options backend, tiles of the pass, tile inputs, stage timer
   */
  constructor(options: MigrateTileOptions) {
    if (!(options.ntx >= 1)) {
      throw new RangeError(
        `Cannot construct MigrateTileStream as ntx must be >= 1: current value is ${options.ntx}`,
      );
    }
    const pending = [...options.tiles].sort((a, b) => a.firstTrace - b.firstTrace);
    const open: OpenTile[] = [];
    const times = options.times;
    let next = 0;
    const finishReady = async (
      lastSeen: number,
      controller: TransformStreamDefaultController<FinishedTile>,
    ) => {
      for (let i = open.length - 1; i >= 0; i--) {
        const entry = open[i];
        if (entry.info.lastTrace > lastSeen) continue;
        open.splice(i, 1);
        const start = performance.now();
        const image = await entry.tile.finish();
        entry.tile.close();
        times.kernel += (performance.now() - start) / 1000;
        controller.enqueue({
          tile: entry.info,
          image,
          seconds: (performance.now() - entry.opened) / 1000,
          traces: entry.traces,
        });
      }
    };
    super({
      async transform(binned, controller) {
        const { batch } = binned;
        const first = batch.firstTrace, last = batch.firstTrace + batch.count - 1;
        const checkpoint = options.checkpoint;
        while (next < pending.length && pending[next].firstTrace <= last) {
          const info = pending[next++];
          const inputs = options.tileInputs(info);
          const tile = options.backend.openTile(inputs);
          const saved = checkpoint?.restored.get(info.id);
          if (saved && !tile.restore) {
            tile.close();
            throw new PstmError(
              `tile ${info.id}: the ${options.backend.name} backend cannot restore the ` +
                "checkpoint (only cpu and reference can): resume with --backend cpu, or remove " +
                "OUT.checkpoint to migrate the open tiles again",
              { field: "--resume" },
            );
          }
          if (saved) tile.restore!(saved);
          open.push({
            info,
            tx: info.id % options.ntx,
            ty: Math.floor(info.id / options.ntx),
            tile,
            opened: performance.now(),
            traces: 0,
            start: saved ? checkpoint!.from : info.firstTrace,
            samples: inputs.params.nclass * inputs.params.npoints * inputs.params.ntau,
            keep: new Int32Array(0),
          });
        }
        if (open.length > 0) {
          const traces = batch.samples;
          const start = performance.now();
          for (const entry of open) {
            const selected = selectTraces(binned, traces, entry, first);
            if (selected === undefined) continue;
            entry.traces += selected.traceIndex?.length ?? selected.count;
            await entry.tile.accumulate(selected);
          }
          times.kernel += (performance.now() - start) / 1000;
        }
        await finishReady(last, controller);
        options.release?.(binned);
        if (
          checkpoint && open.length > 0 && checkpoint.due() &&
          open.every((entry) => entry.tile.snapshot)
        ) {
          const start = performance.now();
          await checkpoint.save(
            last + 1,
            open.map((entry) => ({
              id: entry.info.id,
              samples: entry.samples,
              image: () => entry.tile.snapshot!(),
            })),
          );
          times.checkpoint = (times.checkpoint ?? 0) + (performance.now() - start) / 1000;
        }
      },
      async flush(controller) {
        await finishReady(Infinity, controller);
      },
    });
  }
}

/**
 * The traces of a batch that reach a tile: the whole batch when all do,
 * otherwise the same arrays with a `traceIndex` of those that do (no samples
 * are copied), or undefined when none does.
 */
function selectTraces(
  binned: BinnedBatch,
  traces: Float32Array,
  entry: OpenTile,
  firstTrace: number,
): KernelBatch | undefined {
  const { footprint, geometry, traceClass } = binned;
  const n = binned.batch.count;
  if (entry.keep.length < n) entry.keep = new Int32Array(n); // the last call's sums are done
  const keep = entry.keep;
  let kept = 0;
  for (let k = 0; k < n; k++) {
    const index = firstTrace + k;
    if (index < entry.start || index > entry.info.lastTrace) continue;
    const f = 4 * k;
    if (footprint[f] < 0) continue;
    if (entry.tx < footprint[f] || entry.tx > footprint[f + 1]) continue;
    if (entry.ty < footprint[f + 2] || entry.ty > footprint[f + 3]) continue;
    keep[kept++] = k;
  }
  if (kept === 0) return undefined;
  const batch: KernelBatch = { count: n, traces, geometry, traceClass };
  if (kept < n) batch.traceIndex = keep.subarray(0, kept);
  return batch;
}

/**
 * BinGeometryStream: attaches to each trace batch what migration needs to
 * know about its geometry: coordinates relative to the grid origin (float32
 * for the kernels), the offset class, and the range of tiles its aperture
 * footprint reaches.
 *
 * @module
 */

import { traceAzimuth } from "../plan/offset_classes.ts";
import type { FootprintFunction } from "../plan/tile_plan.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/** A trace batch with its binned geometry. */
export interface BinnedBatch {
  /** The traces. */
  batch: TraceBatch;
  /** `[count][4]` sx, sy, gx, gy relative to the grid origin, m. */
  geometry: Float32Array;
  /** `[count]` offset class (-1: outside every class). */
  traceClass: Int32Array;
  /** `[count][4]` tx0, tx1, ty0, ty1 of the tiles reached (tx0 = -1: none). */
  footprint: Int32Array;
}

/** How BinGeometryStream bins traces. */
export interface BinGeometryOptions {
  /** Survey coordinates of the grid origin, subtracted in float64. */
  origin: [number, number];
  /** Output class of a trace from its absolute offset and source-receiver azimuth (-1 outside). */
  classOf: (absOffset: number, azimuthDeg: number) => number;
  /** Tiles reached by a midpoint. */
  footprint: FootprintFunction;
}

/**
 * A TransformStream from TraceBatch to BinnedBatch.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { BinGeometryStream } from "./bin_geometry_stream.ts";
 * const stream = new BinGeometryStream({ origin: [0, 0], classOf: () => 0,
 *   footprint: (_x, _y, out) => { out.fill(0); return true; } });
 * assert(stream.readable instanceof ReadableStream);
 * ```
 */
export class BinGeometryStream extends TransformStream<TraceBatch, BinnedBatch> {
  readonly #free: BinnedBatch[];

  /**
   * Checks the options and creates the stream.
   *
   * @param options origin, offset classes and footprint function
   */
  constructor(options: BinGeometryOptions) {
    const [x0, y0] = options.origin;
    if (!Number.isFinite(x0) || !Number.isFinite(y0)) {
      throw new RangeError(
        `Cannot construct BinGeometryStream as origin must be finite: current value is ${options.origin}`,
      );
    }
    const free: BinnedBatch[] = [];
    super({
      transform(batch, controller) {
        const i = free.findIndex((b) => b.traceClass.length === batch.count);
        controller.enqueue(binBatch(batch, options, i < 0 ? undefined : free.splice(i, 1)[0]));
      },
    });
    this.#free = free;
  }

  /**
   * Gives a binned batch back once nothing reads it any more: a later batch of the same
   * count is binned into its arrays (its `batch` is not touched).
   *
   * @param binned a batch this stream produced
   */
  release(binned: BinnedBatch): void {
    if (this.#free.length < 8 && !this.#free.includes(binned)) this.#free.push(binned);
  }
}

/**
 * Bins one batch (the function behind BinGeometryStream).
 *
 * @param batch traces
 * @param options origin, offset classes and footprint function
 * @param reuse a binned batch of the same count whose arrays are overwritten
 * @returns the binned batch (`reuse` itself when given)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { binBatch } from "./bin_geometry_stream.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 1, ns: 1, dt: 0.004 });
 * batch.gx[0] = 100;
 * const options = { origin: [10, 0] as [number, number], classOf: () => 0,
 *   footprint: (_x: number, _y: number, out: Int32Array) => { out.set([0, 1, 0, 0]); return true; } };
 * const binned = binBatch(batch, options);
 * assert.deepEqual([...binned.geometry], [-10, 0, 90, 0]);
 * assert.equal(binBatch(batch, options, binned), binned);
 * ```
 */
export function binBatch(
  batch: TraceBatch,
  options: BinGeometryOptions,
  reuse?: BinnedBatch,
): BinnedBatch {
  const [x0, y0] = options.origin;
  const n = batch.count;
  const fits = reuse !== undefined && reuse.traceClass.length === n;
  const geometry = fits ? reuse.geometry : new Float32Array(4 * n);
  const traceClass = fits ? reuse.traceClass : new Int32Array(n);
  const footprint = fits ? reuse.footprint : new Int32Array(4 * n);
  const range = new Int32Array(4);
  for (let k = 0; k < n; k++) {
    const sx = batch.sx[k], sy = batch.sy[k], gx = batch.gx[k], gy = batch.gy[k];
    geometry[4 * k] = sx - x0;
    geometry[4 * k + 1] = sy - y0;
    geometry[4 * k + 2] = gx - x0;
    geometry[4 * k + 3] = gy - y0;
    traceClass[k] = options.classOf(Math.hypot(gx - sx, gy - sy), traceAzimuth(sx, sy, gx, gy));
    if (traceClass[k] < 0 || !options.footprint(0.5 * (sx + gx), 0.5 * (sy + gy), range)) {
      footprint.fill(0, 4 * k, 4 * k + 4);
      footprint[4 * k] = -1;
      continue;
    }
    footprint.set(range, 4 * k);
  }
  if (!fits) return { batch, geometry, traceClass, footprint };
  reuse.batch = batch;
  return reuse;
}

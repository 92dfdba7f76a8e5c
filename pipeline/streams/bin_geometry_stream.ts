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
    super({
      transform(batch, controller) {
        controller.enqueue(binBatch(batch, options));
      },
    });
  }
}

/**
 * Bins one batch (the function behind BinGeometryStream).
 *
 * @param batch traces
 * @param options origin, offset classes and footprint function
 * @returns the binned batch
 */
export function binBatch(batch: TraceBatch, options: BinGeometryOptions): BinnedBatch {
  const [x0, y0] = options.origin;
  const n = batch.count;
  const geometry = new Float32Array(4 * n);
  const traceClass = new Int32Array(n);
  const footprint = new Int32Array(4 * n);
  const range = new Int32Array(4);
  for (let k = 0; k < n; k++) {
    const sx = batch.sx[k], sy = batch.sy[k], gx = batch.gx[k], gy = batch.gy[k];
    geometry[4 * k] = sx - x0;
    geometry[4 * k + 1] = sy - y0;
    geometry[4 * k + 2] = gx - x0;
    geometry[4 * k + 3] = gy - y0;
    traceClass[k] = options.classOf(Math.hypot(gx - sx, gy - sy), traceAzimuth(sx, sy, gx, gy));
    const out = footprint.subarray(4 * k, 4 * k + 4);
    if (traceClass[k] < 0 || !options.footprint(0.5 * (sx + gx), 0.5 * (sy + gy), range)) {
      out[0] = -1;
      continue;
    }
    out.set(range);
  }
  return { batch, geometry, traceClass, footprint };
}

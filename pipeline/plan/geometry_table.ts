/**
 * The geometry table: source and receiver coordinates of every input trace,
 * built by a header-only pass. The planner uses it to find which traces reach
 * which output tile.
 *
 * @module
 */

import type { TraceBatch } from "../segy/trace_batch.ts";
import type { GeometryBand, GeometrySource } from "./geometry_index.ts";

/**
 * Coordinates of every trace of the input, in file order, in memory (32
 * bytes a trace): for small jobs and tests. Jobs read the on-disk
 * `GeometryIndex` instead, whose memory does not grow with the trace count.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { GeometryTable } from "./geometry_table.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 3, ns: 4, dt: 0.004, headers: [] });
 * batch.gx.set([100, 200, 300]);
 * const table = new GeometryTable(1);
 * table.append(batch);
 * table.append(batch);
 * assert.equal(table.count, 6);
 * assert.equal(table.gx[4], 200);
 * ```
 */
export class GeometryTable implements GeometrySource {
  /** Number of traces. */
  count = 0;
  /** Source x. */
  sx: Float64Array;
  /** Source y. */
  sy: Float64Array;
  /** Receiver x. */
  gx: Float64Array;
  /** Receiver y. */
  gy: Float64Array;

  /**
   * Creates an empty table.
   *
   * @param capacity initial number of traces it can hold (grows as needed)
   */
  constructor(capacity = 1024) {
    const n = Math.max(1, capacity);
    this.sx = new Float64Array(n);
    this.sy = new Float64Array(n);
    this.gx = new Float64Array(n);
    this.gy = new Float64Array(n);
  }

  /**
   * Appends the coordinates of a batch (its samples are not needed).
   *
   * @param batch traces in file order
   */
  append(batch: TraceBatch): void {
    const needed = this.count + batch.count;
    if (needed > this.sx.length) this.#grow(Math.max(needed, 2 * this.sx.length));
    this.sx.set(batch.sx.subarray(0, batch.count), this.count);
    this.sy.set(batch.sy.subarray(0, batch.count), this.count);
    this.gx.set(batch.gx.subarray(0, batch.count), this.count);
    this.gy.set(batch.gy.subarray(0, batch.count), this.count);
    this.count = needed;
  }

  #grow(capacity: number): void {
    const grow = (a: Float64Array) => {
      const b = new Float64Array(capacity);
      b.set(a.subarray(0, this.count));
      return b;
    };
    this.sx = grow(this.sx);
    this.sy = grow(this.sy);
    this.gx = grow(this.gx);
    this.gy = grow(this.gy);
  }

  /** Bytes held. */
  get bytes(): number {
    return 4 * 8 * this.sx.length;
  }

  /**
   * The traces' midpoints and half offsets, in bands of at most 65,536.
   *
   * @returns the bands
   */
  *bands(): Iterable<GeometryBand> {
    const size = 65536;
    for (let first = 0; first < this.count; first += size) {
      const count = Math.min(size, this.count - first);
      const band: GeometryBand = {
        first,
        count,
        mx: new Float64Array(count),
        my: new Float64Array(count),
        halfOffset: new Float32Array(count),
      };
      for (let j = 0; j < count; j++) {
        const k = first + j;
        band.mx[j] = 0.5 * (this.sx[k] + this.gx[k]);
        band.my[j] = 0.5 * (this.sy[k] + this.gy[k]);
        band.halfOffset[j] = 0.5 * Math.hypot(this.gx[k] - this.sx[k], this.gy[k] - this.sy[k]);
      }
      yield band;
    }
  }
}

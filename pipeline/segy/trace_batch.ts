/**
 * The unit that flows through pstm's streams: a batch of traces in columnar
 * form.
 *
 * @module
 */

/**
 * A batch of consecutive traces, columnar: samples trace-major in one
 * Float32Array, each header field in use as its own Float64Array.
 * Coordinates have the coordinate scalar (bytes 71-72) applied and are in
 * metres (or the survey's unit).
 */
export interface TraceBatch {
  /** Zero-based index in the file of the first trace of the batch. */
  firstTrace: number;
  /** Number of traces in the batch. */
  count: number;
  /** Samples per trace. */
  ns: number;
  /** Sample interval, seconds. */
  dt: number;
  /** Time of the first sample, seconds (delay recording time). */
  t0: number;
  /** `count * ns` samples, trace after trace. */
  samples: Float32Array;
  /** Source x of each trace. */
  sx: Float64Array;
  /** Source y of each trace. */
  sy: Float64Array;
  /** Receiver (group) x of each trace. */
  gx: Float64Array;
  /** Receiver (group) y of each trace. */
  gy: Float64Array;
  /** Other header fields by name (offset, cdpx, cdpy, inline, crossline, cdp, ...). */
  headers: Record<string, Float64Array>;
}

/** The shape of a new, zeroed TraceBatch. */
export interface TraceBatchShape {
  /** Index in the file of the first trace (default 0). */
  firstTrace?: number;
  /** Number of traces. */
  count: number;
  /** Samples per trace. */
  ns: number;
  /** Sample interval, s. */
  dt: number;
  /** Time of the first sample, s (default 0). */
  t0?: number;
  /** Header fields to allocate besides sx, sy, gx, gy. */
  headers?: readonly string[];
  /** Allocate the samples (default true; false leaves an empty array for header-only reads). */
  withSamples?: boolean;
}

/**
 * A zeroed batch: samples and every named header column allocated.
 *
 * @param shape count, ns, dt, header names
 * @returns the batch
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { newTraceBatch } from "./trace_batch.ts";
 * const b = newTraceBatch({ count: 2, ns: 3, dt: 0.004, headers: ["offset"] });
 * assert(b.samples.length === 6 && b.headers.offset.length === 2);
 * ```
 */
export function newTraceBatch(shape: TraceBatchShape): TraceBatch {
  const { count, ns } = shape;
  const headers: Record<string, Float64Array> = {};
  for (const name of shape.headers ?? []) headers[name] = new Float64Array(count);
  return {
    firstTrace: shape.firstTrace ?? 0,
    count,
    ns,
    dt: shape.dt,
    t0: shape.t0 ?? 0,
    samples: new Float32Array(shape.withSamples === false ? 0 : count * ns),
    sx: new Float64Array(count),
    sy: new Float64Array(count),
    gx: new Float64Array(count),
    gy: new Float64Array(count),
    headers,
  };
}

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

/**
 * Host-side regrouping of a batch for the WebGPU kernel, whose invocations
 * loop over the traces of their own offset class: each class must be one
 * contiguous run of traces.
 *
 * @module
 */

import type { KernelBatch } from "../backend.ts";

/** Where the regrouped copy goes (WebGpuContext.scratch: host arrays reused between calls). */
export interface ScratchSource {
  /** Host arrays of at least `traceFloats` and `geometryFloats` elements. */
  scratch(traceFloats: number, geometryFloats: number): [Float32Array, Float32Array];
}

/** A batch's traces of one sub-batch grouped by class, ready to upload. */
export interface GroupedBatch {
  traces: Float32Array;
  geometry: Float32Array;
  /** `[nclass][2]` first and end trace of each class in `traces`. */
  ranges: Uint32Array;
  /** Traces with a class in 0..nclass-1. */
  used: number;
}

/**
 * Traces `first .. first+count-1` of a batch with their classes in contiguous
 * runs: the batch's own arrays when each class already is one run, otherwise
 * a counting sort into scratch. Traces of other classes are dropped.
 */
export function groupByClass(
  ctx: ScratchSource,
  batch: KernelBatch,
  first: number,
  count: number,
  ns: number,
  nclass: number,
): GroupedBatch {
  const classes = batch.traceClass;
  const ranges = new Uint32Array(2 * nclass);
  const seen = new Int32Array(nclass);
  const start = new Int32Array(nclass).fill(-1);
  let contiguous = true;
  let used = 0;
  let lo = count, hi = -1;
  for (let k = 0; k < count; k++) {
    const c = classes[first + k];
    if (c < 0 || c >= nclass) continue;
    if (start[c] < 0) start[c] = k;
    else if (start[c] + seen[c] !== k) contiguous = false;
    seen[c]++;
    used++;
    lo = Math.min(lo, k);
    hi = k;
  }
  if (used === 0) return { traces: batch.traces, geometry: batch.geometry, ranges, used };
  if (contiguous && hi - lo + 1 === used) {
    // the valid traces are one block lo..hi, each class one run inside it
    for (let c = 0; c < nclass; c++) {
      if (seen[c] > 0) {
        ranges[2 * c] = start[c] - lo;
        ranges[2 * c + 1] = start[c] - lo + seen[c];
      }
    }
    const k0 = first + lo;
    return {
      traces: batch.traces.subarray(k0 * ns, (k0 + used) * ns),
      geometry: batch.geometry.subarray(4 * k0, 4 * (k0 + used)),
      ranges,
      used,
    };
  }
  const [traces, geometry] = ctx.scratch(used * ns, 4 * used);
  const next = new Uint32Array(nclass);
  let offset = 0;
  for (let c = 0; c < nclass; c++) {
    ranges[2 * c] = next[c] = offset;
    offset += seen[c];
    ranges[2 * c + 1] = offset;
  }
  for (let k = first; k < first + count; k++) {
    const c = classes[k];
    if (c < 0 || c >= nclass) continue;
    const slot = next[c]++;
    traces.set(batch.traces.subarray(k * ns, (k + 1) * ns), slot * ns);
    geometry.set(batch.geometry.subarray(4 * k, 4 * k + 4), 4 * slot);
  }
  return { traces, geometry, ranges, used };
}

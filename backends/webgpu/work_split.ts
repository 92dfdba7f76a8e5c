/**
 * How the WebGPU backend splits a tile and a batch to respect the device's
 * limits: chunks of output points whose image, velocity and points fit one
 * storage binding and whose workgroups fit a 2-D dispatch, and sub-batches of
 * traces whose samples and geometry fit one storage binding.
 *
 * @module
 */

import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";

/** The device limits the split respects. */
export interface SplitLimits {
  /** Largest storage binding and buffer, bytes (min of the two device limits). */
  maxBindingBytes: number;
  /** Largest workgroup count along one dispatch dimension. */
  maxWorkgroupsPerDimension: number;
  /** Invocations per workgroup (along tau). */
  workgroupSize: number;
}

/** The shape of a tile as far as the split is concerned. */
export interface SplitShape {
  /** Output columns in the tile. */
  npoints: number;
  /** Output samples per column. */
  ntau: number;
  /** Offset classes. */
  nclass: number;
  /** Samples per input trace. */
  ns: number;
}

/** A contiguous range of output points processed with its own buffers. */
export interface PointChunk {
  /** First point of the chunk in the tile. */
  first: number;
  /** Points in the chunk. */
  count: number;
  /** Workgroups along tau per column. */
  tauGroups: number;
  /** Workgroups of one dispatch: tauGroups * count * nclass. */
  totalGroups: number;
  /** Dispatch grid x (<= maxWorkgroupsPerDimension). */
  groupsX: number;
  /** Dispatch grid y (<= maxWorkgroupsPerDimension); groupsX * groupsY >= totalGroups. */
  groupsY: number;
}

/** The whole split of a tile. */
export interface TileSplit {
  /** Point chunks covering 0..npoints-1 in order. */
  chunks: PointChunk[];
  /** Most traces per sub-batch (samples and geometry fit one binding). */
  tracesPerSubBatch: number;
}

/** Most traces per dispatch (beside the binding limit). */
export const MAX_TRACES_PER_DISPATCH = 1 << 24;

/**
 * Splits a tile into point chunks and its batches into sub-batches.
 *
 * @param shape the tile's sizes
 * @param limits the device limits to respect
 * @returns the chunks and the largest sub-batch
 * @throws {PstmError} (exit 1) when a single point or a single trace cannot fit
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { splitTile } from "./work_split.ts";
 * const split = splitTile({ npoints: 100, ntau: 64, nclass: 2, ns: 256 },
 *   { maxBindingBytes: 1 << 14, maxWorkgroupsPerDimension: 65535, workgroupSize: 64 });
 * assert(split.chunks.length === 4 && split.tracesPerSubBatch === 16);
 * ```
 */
export function splitTile(shape: SplitShape, limits: SplitLimits): TileSplit {
  const { npoints, ntau, nclass, ns } = shape;
  const bytes = Math.floor(limits.maxBindingBytes / 4) * 4;
  const field = "maxStorageBufferBindingSize";
  const columnBytes = 4 * nclass * ntau; // image of one point, all classes
  if (columnBytes > bytes || 4 * ntau > bytes || 8 * nclass > bytes) {
    throw new PstmError(
      `one output column (${nclass} classes x ${ntau} samples = ${columnBytes} bytes) ` +
        `exceeds the WebGPU storage binding limit of ${bytes} bytes; use fewer output samples ` +
        `or offset classes per tile`,
      { field },
      EXIT_RUNTIME,
    );
  }
  if (4 * ns > bytes || 16 > bytes) {
    throw new PstmError(
      `one input trace (${ns} samples = ${4 * ns} bytes) exceeds the WebGPU storage binding ` +
        `limit of ${bytes} bytes`,
      { field },
      EXIT_RUNTIME,
    );
  }
  const tauGroups = Math.ceil(ntau / limits.workgroupSize);
  const perDim = limits.maxWorkgroupsPerDimension;
  const groupsPerPoint = tauGroups * nclass;
  if (groupsPerPoint > perDim * perDim) {
    throw new PstmError(
      `one output column needs ${groupsPerPoint} workgroups, more than the WebGPU dispatch ` +
        `limit of ${perDim} x ${perDim}`,
      { field: "maxComputeWorkgroupsPerDimension" },
      EXIT_RUNTIME,
    );
  }
  const pointsPerChunk = Math.max(
    1,
    Math.min(
      npoints,
      Math.floor(bytes / columnBytes), // image
      Math.floor(bytes / (4 * ntau)), // velocity
      Math.floor(bytes / 8), // points
      Math.floor((perDim * perDim) / groupsPerPoint), // 2-D dispatch
    ),
  );
  const chunks: PointChunk[] = [];
  for (let first = 0; first < npoints; first += pointsPerChunk) {
    const count = Math.min(pointsPerChunk, npoints - first);
    const totalGroups = groupsPerPoint * count;
    const groupsX = Math.min(totalGroups, perDim);
    chunks.push({
      first,
      count,
      tauGroups,
      totalGroups,
      groupsX,
      groupsY: Math.ceil(totalGroups / groupsX),
    });
  }
  const tracesPerSubBatch = Math.max(
    1,
    Math.min(
      Math.floor(bytes / (4 * ns)), // samples
      Math.floor(bytes / 16), // geometry
      MAX_TRACES_PER_DISPATCH,
      Math.floor(0xffffffff / limits.workgroupSize), // a workgroup's u32 contribution sum
    ),
  );
  return { chunks, tracesPerSubBatch };
}

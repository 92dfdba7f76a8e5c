/**
 * The kernel benchmark workload shared by `bench/kernel_bench.ts` and the
 * CPU gates of `bench/gate.ts`: 120 traces x 64 x 64 output columns x 500
 * samples, offsets up to 600 m in every azimuth, no aperture, so nearly every
 * (trace, column, sample) contributes. Every trace is in class 0 so that the
 * minimal loop and the kernel see the same work.
 *
 * @module
 */

import type { KernelBatch, KernelParams } from "../backends/backend.ts";
import { makeBatch, makePoints, makeVelocity, plainParams } from "./kernel_cases.ts";

/** The workload: columns, parameters, velocity and the two trace batches. */
export interface KernelWorkload {
  /** Columns per side of the output grid. */
  nx: number;
  /** Traces in the batch. */
  traces: number;
  /** `[npoints][2]` column coordinates. */
  points: Float32Array<ArrayBuffer>;
  /** Plain-mode parameters. */
  plain: KernelParams;
  /** The same with antialiasing on. */
  antialiased: KernelParams;
  /** `[npoints][ntau]` velocity. */
  velocity: Float32Array<ArrayBuffer>;
  /** Raw traces (plain mode). */
  batch: KernelBatch;
  /** The same traces double integrated (antialiased mode). */
  integrated: KernelBatch;
}

/**
 * Builds the kernel workload (deterministic: seed 7).
 *
 * @returns the workload
 */
export function kernelWorkload(): KernelWorkload {
  const nx = 64, traces = 120;
  const points = makePoints({ kind: "grid", nx, ny: nx, spacing: 25 });
  const shape = {
    count: traces,
    extentX: nx * 25,
    extentY: nx * 25,
    maxHalfOffset: 300,
    azimuthSpreadDeg: 180,
    nclass: 1,
    ns: 500,
  };
  const plain = plainParams({ ns: 500, npoints: nx * nx, ntau: 500, tau0: 0 });
  return {
    nx,
    traces,
    points,
    plain,
    antialiased: { ...plain, antialias: true, traceSpacing: 25 },
    velocity: makeVelocity(plain),
    batch: {
      ...makeBatch({ ...shape, integrated: false, seed: 7 }),
      traceClass: new Int32Array(traces),
    },
    integrated: {
      ...makeBatch({ ...shape, integrated: true, seed: 7 }),
      traceClass: new Int32Array(traces),
    },
  };
}

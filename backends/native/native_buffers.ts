/**
 * Checks of the typed arrays handed to native code: the right length for
 * the tile parameters, not detached, finite coordinates, positive velocity.
 * Native code keeps no length, so a short buffer would be read past its
 * end: these checks run first. They are backends/validate_tile.ts, the
 * checks every backend runs, plus the image buffer only native code takes.
 *
 * @module
 */

import type { KernelBatch, KernelParams } from "../backend.ts";
import { checkArray, validateBatch, validateTileInputs } from "../validate_tile.ts";

export { checkArray } from "../validate_tile.ts";

/** A typed array that can cross the FFI boundary as a buffer. */
export type NativeArray = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer>;

/**
 * Checks the fixed inputs of a tile against its parameters: points
 * `[npoints][2]` finite, velocity `[npoints][ntau]` > 0 and finite, image
 * `[nclass][npoints][ntau]`.
 *
 * @param p tile parameters
 * @param points output columns
 * @param velocity RMS velocity
 * @param image accumulator
 * @throws {PstmError} exit code 2 when a parameter or element is out of range, or a buffer
 *   is detached or of the wrong length
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkTileBuffers } from "./native_buffers.ts";
 * const p = { ns: 3, t0: 0, dt: 1, npoints: 1, ntau: 1, tau0: 1, dtau: 1, nclass: 1,
 *   aperture: 0, maxAngle: 0, taper: 0, antialias: false, traceSpacing: 1,
 *   weights: "none" as const, eta: 0 };
 * assert.throws(() => checkTileBuffers(p, new Float32Array(2), new Float32Array([1500]),
 *   new Float32Array(2)), /field image: must hold 1 elements: got 2/);
 * ```
 */
export function checkTileBuffers(
  p: KernelParams,
  points: unknown,
  velocity: unknown,
  image: unknown,
): void {
  validateTileInputs({
    params: p,
    points: points as Float32Array,
    velocity: velocity as Float32Array,
  });
  checkArray("image", image, p.nclass * p.npoints * p.ntau, Float32Array);
}

/**
 * Checks a batch against the tile parameters (validate_tile.ts `validateBatch`).
 *
 * @param p validated tile parameters
 * @param batch the batch
 * @throws {PstmError} exit code 2 when count is not a non-negative int32, a buffer is
 *   detached or of the wrong length, or a coordinate is not finite
 */
export function checkBatch(p: KernelParams, batch: KernelBatch): void {
  validateBatch(p, batch);
}

/**
 * Checks of the typed arrays handed to native code: the right length for
 * the tile parameters, and not detached. Native code keeps no length, so a
 * short buffer would be read past its end: these checks run first.
 *
 * @module
 */

import type { KernelBatch, KernelParams } from "../backend.ts";
import { PstmError } from "../../core/errors.ts";

/** A typed array that can cross the FFI boundary as a buffer. */
export type NativeArray = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer>;

/**
 * Throws a PstmError (exit code 2) unless `array` is a live (not detached)
 * typed array of exactly `length` elements of the expected type.
 *
 * @param name the argument, for the message
 * @param array the typed array
 * @param length expected element count
 * @param type the expected constructor
 * @throws {PstmError} when detached, of the wrong type or length
 */
export function checkArray(
  name: string,
  array: unknown,
  length: number,
  type: Float32ArrayConstructor | Int32ArrayConstructor,
): void {
  if (!(array instanceof type)) {
    throw new PstmError(`must be a ${type.name}`, { field: name });
  }
  // Reading .buffer also moves a small on-heap typed array off the V8 heap,
  // so the pointer native code keeps (points, velocity, image) cannot move.
  const buffer = array.buffer;
  if (buffer instanceof ArrayBuffer && buffer.detached) {
    throw new PstmError("its ArrayBuffer is detached (transferred or resized away)", {
      field: name,
    });
  }
  if (array.length !== length) {
    throw new PstmError(`must hold ${length} elements: got ${array.length}`, { field: name });
  }
}

/**
 * Checks the fixed inputs of a tile against its parameters: points
 * `[npoints][2]`, velocity `[npoints][ntau]`, image `[nclass][npoints][ntau]`.
 *
 * @param p validated tile parameters
 * @param points output columns
 * @param velocity RMS velocity
 * @param image accumulator
 * @throws {PstmError} when a buffer is detached or of the wrong length
 */
export function checkTileBuffers(
  p: KernelParams,
  points: unknown,
  velocity: unknown,
  image: unknown,
): void {
  checkArray("points", points, 2 * p.npoints, Float32Array);
  checkArray("velocity", velocity, p.npoints * p.ntau, Float32Array);
  checkArray("image", image, p.nclass * p.npoints * p.ntau, Float32Array);
}

/**
 * Checks a batch against the tile parameters: traces `[count][ns]`,
 * geometry `[count][4]`, traceClass `[count]`.
 *
 * @param p validated tile parameters
 * @param batch the batch
 * @throws {PstmError} when count is not a non-negative int32 or a buffer is
 *   detached or of the wrong length
 */
export function checkBatch(p: KernelParams, batch: KernelBatch): void {
  const n = batch.count;
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) {
    throw new PstmError(`must be an integer >= 0: got ${n}`, { field: "batch.count" });
  }
  checkArray("batch.traces", batch.traces, n * p.ns, Float32Array);
  checkArray("batch.geometry", batch.geometry, 4 * n, Float32Array);
  checkArray("batch.traceClass", batch.traceClass, n, Int32Array);
}

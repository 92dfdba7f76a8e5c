/**
 * The one validator of what a backend is given: tile parameters, the tile's
 * points and velocity, and each batch. Every backend (reference, webgpu,
 * cpu, cuda) runs these checks before any work, so bad input is the same
 * PstmError (exit code 2, the field named, what was expected and what was
 * got) everywhere: a NaN coordinate or a velocity of 0 is refused by all of
 * them, none sums it into a silently wrong image. The checks match
 * csrc/src/params_check.cpp, which the native library runs again.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { validateTileInputs } from "./validate_tile.ts";
 * const params = { ns: 3, t0: 0, dt: 1, npoints: 1, ntau: 1, tau0: 1, dtau: 1, nclass: 1,
 *   aperture: 0, maxAngle: 0, taper: 0, antialias: false, traceSpacing: 1,
 *   weights: "none" as const, eta: 0 };
 * assert.throws(
 *   () => validateTileInputs({ params, points: new Float32Array(2), velocity: new Float32Array(1) }),
 *   /velocity\[0\] \(point 0, tau index 0\): must be > 0 and finite: got 0/,
 * );
 * ```
 *
 * @module
 */

import type { KernelBatch, KernelParams, TileInputs } from "./backend.ts";
import { PstmError } from "../core/errors.ts";
import { isOption, optionMessage, WEIGHTS } from "../core/options.ts";

const INT32_MAX = 2 ** 31 - 1;
/** Largest element count of one buffer (as in params_check.cpp). */
const MAX_ELEMENTS = 2 ** 40;
const GEOMETRY_NAMES = ["sx", "sy", "gx", "gy"] as const;

/**
 * Checks every field of `p` the way the native library does and throws a
 * PstmError (exit code 2) naming the first bad field.
 *
 * @param p tile parameters
 * @throws {PstmError} when a field is out of range
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { validateParams } from "./validate_tile.ts";
 * assert.throws(() =>
 *   validateParams({ ns: 0, t0: 0, dt: 0.004, npoints: 1, ntau: 1, tau0: 0, dtau: 0.004,
 *     nclass: 1, aperture: 0, maxAngle: 0, taper: 0, antialias: false, traceSpacing: 25,
 *     weights: "none", eta: 0 }), /params\.ns: must be an integer >= 1: got 0/);
 * ```
 */
export function validateParams(p: KernelParams): void {
  count("ns", p.ns, 1);
  count("npoints", p.npoints, 1);
  count("ntau", p.ntau, 1);
  count("nclass", p.nclass, 1);
  finite("t0", p.t0);
  need("dt", p.dt, Number.isFinite(p.dt) && p.dt > 0, "> 0 and finite");
  need("tau0", p.tau0, Number.isFinite(p.tau0) && p.tau0 >= 0, ">= 0 and finite");
  need("dtau", p.dtau, Number.isFinite(p.dtau) && p.dtau > 0, "> 0 and finite");
  finite("aperture", p.aperture);
  finite("maxAngle", p.maxAngle);
  need("taper", p.taper, Number.isFinite(p.taper) && p.taper >= 0 && p.taper <= 1, "in [0, 1]");
  need("antialias", p.antialias, typeof p.antialias === "boolean", "a boolean");
  finite("traceSpacing", p.traceSpacing);
  finite("traceSpacingY", p.traceSpacingY ?? 0);
  finite("spacingAzimuthDeg", p.spacingAzimuthDeg ?? 0);
  if (p.antialias) {
    need("traceSpacing", p.traceSpacing, p.traceSpacing > 0, "> 0 when antialias is on");
  }
  if (!isOption(WEIGHTS, p.weights)) {
    throw new PstmError(optionMessage(WEIGHTS, p.weights), { field: "params.weights" });
  }
  need("eta", p.eta, Number.isFinite(p.eta) && p.eta > -0.5, "> -0.5 and finite");
  const stretch = p.stretchMute ?? 0;
  need(
    "stretchMute",
    stretch,
    Number.isFinite(stretch) && stretch >= 0,
    ">= 0 and finite (0: off)",
  );
  const elements = p.nclass * p.npoints * p.ntau;
  need("nclass * npoints * ntau", elements, elements <= MAX_ELEMENTS, "<= 2^40");
}

/**
 * Throws a PstmError (exit code 2) unless `array` is a live (not detached)
 * typed array of exactly `length` elements of the expected type.
 *
 * @param name the argument, for the message
 * @param array the typed array
 * @param length expected element count
 * @param type the expected constructor
 * @throws {PstmError} when detached, of the wrong type or length
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkArray } from "./validate_tile.ts";
 * assert.throws(() => checkArray("points", new Float32Array(3), 4, Float32Array),
 *   /field points: must hold 4 elements: got 3/);
 * ```
 */
export function checkArray(
  name: string,
  array: unknown,
  length: number,
  type: Float32ArrayConstructor | Int32ArrayConstructor,
): void {
  if (!(array instanceof type)) {
    throw new PstmError(`must be a ${type.name}: got ${describe(array)}`, { field: name });
  }
  // Reading .buffer also moves a small on-heap typed array off the V8 heap,
  // so a pointer native code keeps (points, velocity, image) cannot move.
  const buffer = array.buffer;
  if (buffer instanceof ArrayBuffer && buffer.detached) {
    throw new PstmError("must be readable: its ArrayBuffer is detached (transferred away)", {
      field: name,
    });
  }
  if (array.length !== length) {
    throw new PstmError(`must hold ${length} elements: got ${array.length}`, { field: name });
  }
}

/**
 * Checks a tile's parameters, its points `[npoints][2]` (finite) and its
 * velocity `[npoints][ntau]` (> 0 and finite).
 *
 * @param inputs the tile's parameters, points and velocity
 * @throws {PstmError} exit code 2 naming the first bad field or element
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { validateTileInputs } from "./validate_tile.ts";
 * const params = { ns: 3, t0: 0, dt: 1, npoints: 1, ntau: 1, tau0: 1, dtau: 1, nclass: 1,
 *   aperture: 0, maxAngle: 0, taper: 0, antialias: false, traceSpacing: 1,
 *   weights: "none" as const, eta: 0 };
 * validateTileInputs({ params, points: new Float32Array(2), velocity: new Float32Array([1500]) });
 * assert.throws(() => validateTileInputs({ params, points: new Float32Array([NaN, 0]),
 *   velocity: new Float32Array([1500]) }), /points\[0\] \(point 0, x\): must be finite/);
 * ```
 */
export function validateTileInputs(inputs: TileInputs): void {
  const p = inputs.params;
  validateParams(p);
  checkArray("points", inputs.points, 2 * p.npoints, Float32Array);
  checkArray("velocity", inputs.velocity, p.npoints * p.ntau, Float32Array);
  const points = inputs.points;
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) {
      throw new PstmError(`must be finite: got ${points[i]}`, {
        field: `points[${i}] (point ${i >> 1}, ${i % 2 ? "y" : "x"})`,
      });
    }
  }
  const velocity = inputs.velocity;
  for (let i = 0; i < velocity.length; i++) {
    const v = velocity[i];
    if (!(v > 0 && v < Infinity)) {
      throw new PstmError(`must be > 0 and finite: got ${v}`, {
        field: `velocity[${i}] (point ${Math.floor(i / p.ntau)}, tau index ${i % p.ntau})`,
      });
    }
  }
}

/**
 * Checks a batch against the tile parameters: a count >= 0, traces
 * `[count][ns]`, geometry `[count][4]` (finite), traceClass `[count]`.
 * Traces of a class outside 0..nclass-1 are skipped by the kernels, but
 * their geometry must still be finite.
 *
 * @param p validated tile parameters
 * @param batch the batch
 * @throws {PstmError} exit code 2 naming the first bad field or element
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { validateBatch } from "./validate_tile.ts";
 * const p = { ns: 2, t0: 0, dt: 1, npoints: 1, ntau: 1, tau0: 1, dtau: 1, nclass: 1,
 *   aperture: 0, maxAngle: 0, taper: 0, antialias: false, traceSpacing: 1,
 *   weights: "none" as const, eta: 0 };
 * const batch = { count: 1, traces: new Float32Array(2),
 *   geometry: new Float32Array([0, 0, NaN, 0]), traceClass: new Int32Array(1) };
 * assert.throws(() => validateBatch(p, batch),
 *   /batch\.geometry\[2\] \(trace 0 of the batch, gx\): must be finite: got NaN/);
 * ```
 */
export function validateBatch(p: KernelParams, batch: KernelBatch): void {
  const n = batch.count;
  if (!Number.isInteger(n) || n < 0 || n > INT32_MAX) {
    throw new PstmError(`must be an integer >= 0: got ${n}`, { field: "batch.count" });
  }
  if (n * p.ns > MAX_ELEMENTS) {
    throw new PstmError(`must be <= 2^40: got ${n * p.ns}`, { field: "batch.count * ns" });
  }
  checkArray("batch.traces", batch.traces, n * p.ns, Float32Array);
  checkArray("batch.geometry", batch.geometry, 4 * n, Float32Array);
  checkArray("batch.traceClass", batch.traceClass, n, Int32Array);
  if (batch.traceIndex !== undefined) {
    const index = batch.traceIndex;
    if (!(index instanceof Int32Array)) {
      throw new PstmError(`must be an Int32Array: got ${describe(index)}`, {
        field: "batch.traceIndex",
      });
    }
    if (index.length > n) {
      throw new PstmError(`must hold at most count = ${n} indices: got ${index.length}`, {
        field: "batch.traceIndex",
      });
    }
    for (let i = 0; i < index.length; i++) {
      const low = i === 0 ? 0 : index[i - 1] + 1;
      if (!(index[i] >= low && index[i] < n)) {
        throw new PstmError(
          `must be a trace of the batch after the previous index (in [${low}, ${n})): ` +
            `got ${index[i]}`,
          { field: `batch.traceIndex[${i}]` },
        );
      }
    }
  }
  const g = batch.geometry;
  for (let i = 0; i < g.length; i++) {
    if (!Number.isFinite(g[i])) {
      throw new PstmError(`must be finite: got ${g[i]}`, {
        field: `batch.geometry[${i}] (trace ${i >> 2} of the batch, ${GEOMETRY_NAMES[i & 3]})`,
      });
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "object") return value.constructor?.name ?? "an object";
  return typeof value;
}

function count(field: string, value: number, min: number): void {
  need(
    field,
    value,
    Number.isInteger(value) && value >= min && value <= INT32_MAX,
    `an integer >= ${min}`,
  );
}

function finite(field: string, value: number): void {
  need(field, value, Number.isFinite(value), "finite");
}

function need(field: string, value: unknown, ok: boolean, expected: string): void {
  if (!ok) {
    throw new PstmError(`must be ${expected}: got ${String(value)}`, { field: `params.${field}` });
  }
}

/**
 * The class of each trace of a batch as the kernels sum it: `traceClass`
 * itself without a `traceIndex`, otherwise a copy in which every trace not
 * in the index has class -1 (skipped). Backends whose kernels take no index
 * call it after `validateBatch`; the samples are never copied.
 *
 * @param batch a validated batch
 * @returns `[count]` classes, -1 for traces not selected
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { selectedClasses } from "./validate_tile.ts";
 * const batch = { count: 3, traces: new Float32Array(3), geometry: new Float32Array(12),
 *   traceClass: new Int32Array([0, 1, 0]), traceIndex: new Int32Array([1, 2]) };
 * assert.deepEqual([...selectedClasses(batch)], [-1, 1, 0]);
 * ```
 */
export function selectedClasses(batch: KernelBatch): Int32Array {
  const index = batch.traceIndex;
  if (index === undefined) return batch.traceClass;
  const classes = new Int32Array(batch.count).fill(-1);
  for (let i = 0; i < index.length; i++) classes[index[i]] = batch.traceClass[index[i]];
  return classes;
}

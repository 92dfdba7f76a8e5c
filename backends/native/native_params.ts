/**
 * `KernelParams` -> the 76-byte `pstm_params` struct of csrc/include/pstm.h,
 * validated in TypeScript before any pointer crosses to native code (the
 * library checks again).
 *
 * @module
 */

import type { KernelParams } from "../backend.ts";
import { PstmError } from "../../core/errors.ts";
import { ANTIALIAS, isOption, optionCode, optionMessage, WEIGHTS } from "../../core/options.ts";

/** Size of `pstm_params` in bytes (19 fields of 4 bytes, no padding). */
export const PARAMS_BYTES = 76;

/** Byte offset of each `pstm_params` field, named as in pstm.h. */
export const PARAMS_OFFSET = {
  ns: 0,
  t0: 4,
  dt: 8,
  npoints: 12,
  ntau: 16,
  tau0: 20,
  dtau: 24,
  nclass: 28,
  aperture: 32,
  max_angle: 36,
  taper: 40,
  antialias: 44,
  trace_spacing: 48,
  weights: 52,
  eta: 56,
  threads: 60,
  reserved: 64,
  trace_spacing_y: 68,
  spacing_azimuth: 72,
} as const;

const INT32_MAX = 2 ** 31 - 1;
const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Checks every field of `p` the way the native library does and throws a
 * PstmError (exit code 2) naming the first bad field.
 *
 * @param p tile parameters
 * @throws {PstmError} when a field is out of range
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { validateParams } from "./native_params.ts";
 * let message = "";
 * try {
 *   validateParams({ ns: 0, t0: 0, dt: 0.004, npoints: 1, ntau: 1, tau0: 0, dtau: 0.004,
 *     nclass: 1, aperture: 0, maxAngle: 0, taper: 0, antialias: false, traceSpacing: 25,
 *     weights: "none", eta: 0, threads: 0 });
 * } catch (e) {
 *   message = (e as Error).message;
 * }
 * assert(message.includes("ns"));
 * ```
 */
export function validateParams(p: KernelParams): void {
  count("ns", p.ns, 1);
  count("npoints", p.npoints, 1);
  count("ntau", p.ntau, 1);
  count("nclass", p.nclass, 1);
  count("threads", p.threads, 0);
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
  const elements = p.nclass * p.npoints * p.ntau;
  need("nclass * npoints * ntau", elements, elements <= 2 ** 40, "<= 2^40");
}

/**
 * Validates `p` and writes it as a `pstm_params` struct in native byte order.
 *
 * @param p tile parameters
 * @returns the 76 bytes to pass as `const pstm_params*`
 * @throws {PstmError} when a field is out of range
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { encodeParams } from "./native_params.ts";
 * const bytes = encodeParams({ ns: 500, t0: 0, dt: 0.004, npoints: 16, ntau: 100, tau0: 0,
 *   dtau: 0.004, nclass: 1, aperture: 0, maxAngle: 0, taper: 0, antialias: false,
 *   traceSpacing: 25, weights: "none", eta: 0, threads: 0 });
 * assert(bytes.length === 76);
 * ```
 */
export function encodeParams(p: KernelParams): Uint8Array<ArrayBuffer> {
  validateParams(p);
  const bytes = new Uint8Array(PARAMS_BYTES);
  const view = new DataView(bytes.buffer);
  const o = PARAMS_OFFSET;
  view.setInt32(o.ns, p.ns, LITTLE);
  view.setFloat32(o.t0, p.t0, LITTLE);
  view.setFloat32(o.dt, p.dt, LITTLE);
  view.setInt32(o.npoints, p.npoints, LITTLE);
  view.setInt32(o.ntau, p.ntau, LITTLE);
  view.setFloat32(o.tau0, p.tau0, LITTLE);
  view.setFloat32(o.dtau, p.dtau, LITTLE);
  view.setInt32(o.nclass, p.nclass, LITTLE);
  view.setFloat32(o.aperture, p.aperture, LITTLE);
  view.setFloat32(o.max_angle, p.maxAngle, LITTLE);
  view.setFloat32(o.taper, p.taper, LITTLE);
  view.setInt32(o.antialias, optionCode(ANTIALIAS, p.antialias ? "on" : "off"), LITTLE);
  view.setFloat32(o.trace_spacing, p.traceSpacing, LITTLE);
  view.setInt32(o.weights, optionCode(WEIGHTS, p.weights), LITTLE);
  view.setFloat32(o.eta, p.eta, LITTLE);
  view.setInt32(o.threads, p.threads, LITTLE);
  view.setInt32(o.reserved, 0, LITTLE);
  view.setFloat32(o.trace_spacing_y, p.traceSpacingY ?? 0, LITTLE);
  view.setFloat32(o.spacing_azimuth, p.spacingAzimuthDeg ?? 0, LITTLE);
  return bytes;
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

/**
 * `KernelParams` -> the 80-byte `pstm_params` struct of csrc/include/pstm.h,
 * validated in TypeScript (backends/validate_tile.ts, the checks every
 * backend runs) before any pointer crosses to native code; the library
 * checks again.
 *
 * @module
 */

import type { KernelParams } from "../backend.ts";
import { ANTIALIAS, optionCode, WEIGHTS } from "../../core/options.ts";
import { validateParams } from "../validate_tile.ts";

export { validateParams } from "../validate_tile.ts";

/** Size of `pstm_params` in bytes (20 fields of 4 bytes, no padding). */
export const PARAMS_BYTES = 80;

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
  reserved0: 60,
  reserved: 64,
  trace_spacing_y: 68,
  spacing_azimuth: 72,
  stretch_mute: 76,
} as const;

const LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Validates `p` and writes it as a `pstm_params` struct in native byte order.
 *
 * @param p tile parameters
 * @returns the 80 bytes to pass as `const pstm_params*`
 * @throws {PstmError} when a field is out of range
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { encodeParams } from "./native_params.ts";
 * const bytes = encodeParams({ ns: 500, t0: 0, dt: 0.004, npoints: 16, ntau: 100, tau0: 0,
 *   dtau: 0.004, nclass: 1, aperture: 0, maxAngle: 0, taper: 0, antialias: false,
 *   traceSpacing: 25, weights: "none", eta: 0 });
 * assert(bytes.length === 80);
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
  view.setInt32(o.reserved0, 0, LITTLE); // CPU threads are the context's (pstm_context_create)
  view.setInt32(o.reserved, 0, LITTLE);
  view.setFloat32(o.trace_spacing_y, p.traceSpacingY ?? 0, LITTLE);
  view.setFloat32(o.spacing_azimuth, p.spacingAzimuthDeg ?? 0, LITTLE);
  view.setFloat32(o.stretch_mute, p.stretchMute ?? 0, LITTLE);
  return bytes;
}

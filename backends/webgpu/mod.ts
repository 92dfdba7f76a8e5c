/**
 * The WebGPU backend of pstm: a Kirchhoff PSTM kernel in WGSL run through
 * Deno's built-in WebGPU, and a probe for `pstm info`.
 *
 * @example
 * ```ts
 * import { webgpuAvailability, WebGpuBackend } from "./mod.ts";
 * const found = await webgpuAvailability();
 * if (found.available) {
 *   using backend = await WebGpuBackend.open();
 *   console.log(backend.name, backend.device);
 * }
 * ```
 *
 * @module
 */

export { WebGpuBackend, type WebGpuBackendOptions } from "./webgpu_backend.ts";
export { type WebGpuAvailability, webgpuAvailability, type WebGpuLimits } from "./availability.ts";
export { MIGRATE_WGSL } from "./migrate_wgsl.ts";
export { type PointChunk, type SplitLimits, splitTile, type TileSplit } from "./work_split.ts";

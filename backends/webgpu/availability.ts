/**
 * Whether WebGPU can run here, for `pstm info` and for tests that skip
 * without an adapter.
 *
 * @module
 */

/** The adapter limits that shape the WebGPU backend's work split. */
export interface WebGpuLimits {
  /** Largest storage buffer binding, bytes. */
  maxStorageBufferBindingSize: number;
  /** Largest buffer, bytes. */
  maxBufferSize: number;
  /** Largest workgroup count along one dispatch dimension. */
  maxComputeWorkgroupsPerDimension: number;
  /** Largest number of invocations in one workgroup. */
  maxComputeInvocationsPerWorkgroup: number;
  /** Largest workgroup size along x. */
  maxComputeWorkgroupSizeX: number;
  /** Storage buffers one compute shader may bind. */
  maxStorageBuffersPerShaderStage: number;
}

/** What {@linkcode webgpuAvailability} found. */
export interface WebGpuAvailability {
  /** True when an adapter was found. */
  available: boolean;
  /** Why not, or what was found, in words. */
  reason: string;
  /** The adapter's description (vendor, architecture, device) when found. */
  adapter?: string;
  /** True for a software (fallback) adapter such as llvmpipe. */
  fallback?: boolean;
  /** The adapter's limits that matter to pstm, when found. */
  limits?: WebGpuLimits;
}

/** Options of an adapter request. */
export interface AdapterOptions {
  /** "high-performance" (default) or "low-power". */
  powerPreference?: GPUPowerPreference;
}

/**
 * Requests an adapter, or returns why there is none.
 *
 * @param options adapter request options
 * @returns the adapter, or null and the reason
 */
export async function requestWebGpuAdapter(
  options: AdapterOptions = {},
): Promise<{ adapter: GPUAdapter | null; reason: string }> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (gpu === undefined) {
    return { adapter: null, reason: "navigator.gpu is not defined in this Deno build" };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({
      powerPreference: options.powerPreference ?? "high-performance",
    });
  } catch (error) {
    return { adapter: null, reason: `requestAdapter failed: ${String(error)}` };
  }
  if (adapter === null) {
    return {
      adapter: null,
      reason: "no WebGPU adapter found (no Metal, Vulkan or DX12 device, no software adapter)",
    };
  }
  return { adapter, reason: "" };
}

/**
 * Describes an adapter in one line: its description, else vendor, architecture, device.
 *
 * @param adapter the adapter
 * @returns a human description
 */
export function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const parts = [info.description, info.vendor, info.architecture, info.device]
    .filter((s) => s !== undefined && s !== "");
  const text = info.description !== "" ? info.description : parts.join(" ");
  return text === "" ? "unknown WebGPU adapter" : text;
}

/**
 * Reads the limits pstm uses from an adapter or device.
 *
 * @param limits `adapter.limits` or `device.limits`
 * @returns the subset pstm uses
 */
export function pstmLimits(limits: GPUSupportedLimits): WebGpuLimits {
  return {
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxBufferSize: limits.maxBufferSize,
    maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
    maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
    maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
    maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
  };
}

/**
 * Reports whether a WebGPU adapter exists, which one, and its limits.
 * Never throws.
 *
 * @param options adapter request options
 * @returns availability, a reason in words, the adapter and its limits
 * @example
 * ```ts
 * import { webgpuAvailability } from "./availability.ts";
 * const a = await webgpuAvailability();
 * console.log(a.available ? `webgpu: ${a.adapter}` : `webgpu unavailable: ${a.reason}`);
 * ```
 */
export async function webgpuAvailability(
  options: AdapterOptions = {},
): Promise<WebGpuAvailability> {
  const { adapter, reason } = await requestWebGpuAdapter(options);
  if (adapter === null) return { available: false, reason };
  const name = describeAdapter(adapter);
  const fallback = adapter.info.isFallbackAdapter === true;
  return {
    available: true,
    reason: fallback ? `software adapter found: ${name}` : `adapter found: ${name}`,
    adapter: name,
    fallback,
    limits: pstmLimits(adapter.limits),
  };
}

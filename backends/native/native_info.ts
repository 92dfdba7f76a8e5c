/**
 * What a native library reports about its devices, for `pstm info`.
 *
 * @module
 */

import { nativeAvailability, type NativeKind, openLibrary } from "../../ffi/library.ts";
import { check } from "../../ffi/status.ts";
import type { PstmLibrary } from "../../ffi/symbols.ts";

/** One device as `pstm_device_info` describes it. */
export interface NativeDevice {
  /** Device index. */
  index: number;
  /** Name, e.g. "NVIDIA H100 80GB HBM3" or "AMD EPYC (2 cores)". */
  name: string;
  /** Free memory in bytes (host memory for the CPU build). */
  freeBytes: number;
  /** Total memory in bytes. */
  totalBytes: number;
}

/** Availability of a native backend and its devices. */
export interface NativeDeviceInfo {
  /** "cpu" or "cuda". */
  kind: NativeKind;
  /** True when the library loads and reports a device. */
  available: boolean;
  /** One line: why it is (not) available. */
  reason: string;
  /** The library file looked for. */
  path: string;
  /** Every device it reports. */
  devices: NativeDevice[];
}

/**
 * Describes device `index` of an opened library.
 *
 * @param lib the opened library
 * @param index device index
 * @returns its name and memory
 * @throws {PstmError} when the device does not exist
 */
export function describeDevice(lib: PstmLibrary, index: number): NativeDevice {
  const name = new Uint8Array(256);
  const free = new BigUint64Array(1);
  const total = new BigUint64Array(1);
  check(
    lib,
    lib.symbols.pstm_device_info(index, name, name.length, free, total),
    "pstm_device_info",
  );
  const end = name.indexOf(0);
  return {
    index,
    name: new TextDecoder().decode(name.subarray(0, end < 0 ? name.length : end)),
    freeBytes: Number(free[0]),
    totalBytes: Number(total[0]),
  };
}

/**
 * Reports whether the "cpu" or "cuda" library is usable and lists its
 * devices. Never throws: problems go into `reason`.
 *
 * @param kind "cpu" or "cuda"
 * @returns availability, reason and devices
 * @example
 * ```ts ignore
 * const info = nativeDeviceInfo("cuda");
 * console.log(info.reason); // "cuda: libpstm_cuda.so not built (nvcc not found at build time)"
 * ```
 */
export function nativeDeviceInfo(kind: NativeKind): NativeDeviceInfo {
  const availability = nativeAvailability(kind);
  const info: NativeDeviceInfo = {
    kind,
    available: availability.available,
    reason: availability.reason,
    path: availability.path,
    devices: [],
  };
  if (!availability.available) return info;
  let lib: PstmLibrary | undefined;
  try {
    lib = openLibrary(kind);
    for (let i = 0; i < availability.devices; i++) info.devices.push(describeDevice(lib, i));
  } catch (error) {
    info.available = false;
    info.reason = `${kind}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    lib?.close();
  }
  return info;
}

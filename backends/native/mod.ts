/**
 * The native backends (the cpu or cuda library behind csrc/include/pstm.h)
 * and the device probe `pstm info` prints.
 *
 * @example
 * ```ts
 * import { nativeDeviceInfo } from "./mod.ts";
 * const cpu = nativeDeviceInfo("cpu");
 * console.log(cpu.available);
 * ```
 *
 * @module
 */

export { NativeBackend, type NativeBackendOptions } from "./native_backend.ts";
export { type NativeDevice, type NativeDeviceInfo, nativeDeviceInfo } from "./native_info.ts";

/**
 * The native backends through Deno FFI: library discovery, availability,
 * and the NativeBackend (cpu or cuda library behind csrc/include/pstm.h).
 *
 * @example
 * ```ts
 * import { nativeAvailability } from "./mod.ts";
 * const cpu = nativeAvailability("cpu");
 * console.log(cpu.available, cpu.reason);
 * ```
 *
 * @module
 */

export {
  libraryPath,
  type NativeAvailability,
  nativeAvailability,
  type NativeKind,
  openLibrary,
} from "./library.ts";
export { NativeBackend, type NativeBackendOptions } from "../backends/native/native_backend.ts";
export {
  type NativeDevice,
  type NativeDeviceInfo,
  nativeDeviceInfo,
} from "../backends/native/native_info.ts";

/**
 * The Deno FFI layer over csrc/include/pstm.h: the symbol table, library
 * discovery and availability, and native status codes turned into errors.
 * It imports no backend (backends/native/ builds on it).
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

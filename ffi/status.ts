/**
 * Turns a native `pstm_status` into a thrown error carrying the native
 * message. This is the only place that inspects status integers.
 *
 * @module
 */

import { EXIT_BAD_INPUT, EXIT_RUNTIME, PstmError } from "../core/errors.ts";
import type { PstmLibrary } from "./symbols.ts";

/** `pstm_status` values of csrc/include/pstm.h. */
export const STATUS = {
  ok: 0,
  invalidArgument: 1,
  outOfMemory: 2,
  noDevice: 3,
  device: 4,
  internal: 5,
  unsupported: 6,
} as const;

const NAMES: Record<number, string> = {
  1: "invalid argument",
  2: "out of memory",
  3: "no device",
  4: "device error",
  5: "internal error",
  6: "unsupported",
};

/**
 * A call this library or machine cannot serve (PSTM_ERR_UNSUPPORTED): the
 * traveltime table on the CUDA build, a PSTM_SIMD kernel this CPU cannot
 * run. Exit code 2: what was asked for is not available here.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * const error = new UnsupportedError("pstm_tile_set_traveltime_table failed (unsupported): cuda");
 * assert.equal(error.name, "UnsupportedError");
 * assert.equal(error.exitCode, 2);
 * ```
 */
export class UnsupportedError extends PstmError {
  /**
   * @param message what was asked for and why it is not available
   */
  constructor(message: string) {
    super(message, {}, EXIT_BAD_INPUT);
    this.name = "UnsupportedError";
  }
}

/**
 * Returns when `status` is PSTM_OK; otherwise throws a PstmError whose
 * message holds `pstm_last_error()`: exit code 2 for
 * PSTM_ERR_INVALID_ARGUMENT (bad input), an UnsupportedError (exit code 2)
 * for PSTM_ERR_UNSUPPORTED, exit code 1 for every other failure.
 *
 * @param lib the library that returned the status
 * @param status the returned `pstm_status`
 * @param call the native function, for the message
 * @throws {PstmError} when status is not PSTM_OK (UnsupportedError for PSTM_ERR_UNSUPPORTED)
 * @example
 * ```ts ignore
 * check(lib, lib.symbols.pstm_device_count(out), "pstm_device_count");
 * ```
 */
export function check(lib: PstmLibrary, status: number, call: string): void {
  if (status === STATUS.ok) return;
  const message = lastError(lib);
  const kind = NAMES[status] ?? `status ${status}`;
  const text = `${call} failed (${kind}): ${message || "no message"}`;
  if (status === STATUS.unsupported) throw new UnsupportedError(text);
  const exitCode = status === STATUS.invalidArgument ? EXIT_BAD_INPUT : EXIT_RUNTIME;
  throw new PstmError(text, {}, exitCode);
}

/** `pstm_last_error()` as a string ("" when none). */
export function lastError(lib: PstmLibrary): string {
  const pointer = lib.symbols.pstm_last_error();
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}

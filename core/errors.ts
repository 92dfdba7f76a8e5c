/**
 * The project's own error type and exit codes.
 *
 * @module
 */

/**
 * Exit code for success.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { EXIT_BAD_INPUT, EXIT_OK, EXIT_RUNTIME } from "./errors.ts";
 * assert.deepStrictEqual([EXIT_OK, EXIT_RUNTIME, EXIT_BAD_INPUT], [0, 1, 2]);
 * ```
 */
export const EXIT_OK = 0;
/**
 * Exit code for a runtime failure (I/O error, native failure).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { EXIT_RUNTIME, PstmError } from "./errors.ts";
 * assert.equal(new PstmError("device lost", {}, EXIT_RUNTIME).exitCode, 1);
 * ```
 */
export const EXIT_RUNTIME = 1;
/**
 * Exit code for bad usage or bad input.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { EXIT_BAD_INPUT, PstmError } from "./errors.ts";
 * assert.equal(new PstmError("must be > 0", { field: "dt" }).exitCode, EXIT_BAD_INPUT);
 * ```
 */
export const EXIT_BAD_INPUT = 2;

/** Where an error happened: the file, the trace and the field concerned. */
export interface ErrorLocation {
  /** Path of the file involved ("-" for stdin). */
  file?: string;
  /** Zero-based trace index in the file. */
  trace?: number;
  /** Header field or option name, for example "ns (binary header bytes 3221-3222)". */
  field?: string;
}

/**
 * An error pstm reports to the user: it carries the exit code and where it
 * happened. Bad input and bad usage use exit code 2, runtime failures 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { PstmError } from "./errors.ts";
 * const e = new PstmError("sample format 99 is not defined", { file: "a.sgy", field: "format" });
 * assert(e.exitCode === 2 && e.message.includes("a.sgy"));
 * ```
 */
export class PstmError extends Error {
  /** Process exit code this error maps to. */
  readonly exitCode: number;
  /** The file, trace and field concerned. */
  readonly location: ErrorLocation;

  /**
   * Creates an error that names where the problem is.
   *
   * @param problem what is wrong and what was expected
   * @param location the file, trace and field concerned
   * @param exitCode 2 (bad input, default) or 1 (runtime failure)
   * @param options standard error options such as `cause`
   */
  constructor(
    problem: string,
    location: ErrorLocation = {},
    exitCode: number = EXIT_BAD_INPUT,
    options?: ErrorOptions,
  ) {
    super(formatMessage(problem, location), options);
    this.name = "PstmError";
    this.exitCode = exitCode;
    this.location = location;
  }
}

function formatMessage(problem: string, at: ErrorLocation): string {
  const parts: string[] = [];
  if (at.file !== undefined) parts.push(at.file);
  if (at.trace !== undefined) parts.push(`trace ${at.trace}`);
  if (at.field !== undefined) parts.push(`field ${at.field}`);
  return parts.length ? `${parts.join(", ")}: ${problem}` : problem;
}

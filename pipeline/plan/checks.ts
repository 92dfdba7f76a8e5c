/**
 * The named plausibility and preflight checks a job runs, each of which
 * `--no-check NAME` turns off: one table from which the help text, the
 * validation of the flag and the messages' override hints are derived.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";

/** Every check `--no-check` accepts, with what it refuses. */
export const CHECKS = {
  "disk-space": "the output is larger than the free space of its file system",
  "coordinate-scalar": "coordinate scalars (bytes 71-72) outside 0, +-1, 10, 100, 1000, 10000",
  "offsets": "header offsets (bytes 37-40) disagree with the source-receiver distances",
  "geometry": "every trace has the same midpoint (no geometry)",
  "outliers": "a few traces lie far from the rest of the survey",
  "amplitudes": "sample values implausible for the declared sample format",
  "velocity-times": "velocity times reach far past the end of the record (ms given as s)",
  "velocity-unit": "velocities in the other unit than the survey's (ft/s for a survey in metres)",
  "offset-classes": "no trace falls in any offset class",
  "grid": "no trace midpoint falls inside the output grid",
} as const;

/** A check's name. */
export type CheckName = keyof typeof CHECKS;

/**
 * Validates `--no-check` names.
 *
 * @param names the names given
 * @returns the set of checks turned off
 * @throws PstmError exit 2 for an unknown name, listing the known ones
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseNoCheck } from "./checks.ts";
 * assert(parseNoCheck(["grid"]).has("grid"));
 * assert.throws(() => parseNoCheck(["gird"]), /known checks/);
 * ```
 */
export function parseNoCheck(names: readonly string[]): ReadonlySet<CheckName> {
  for (const name of names) {
    if (!(name in CHECKS)) {
      throw new PstmError(
        `unknown check "${name}"; known checks: ${Object.keys(CHECKS).join(", ")}`,
        { field: "--no-check" },
      );
    }
  }
  return new Set(names as CheckName[]);
}

/**
 * The hint a refusal ends with: how to run anyway.
 *
 * @param name the check
 * @returns "(if this is intended, pass --no-check NAME)"
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { overrideHint } from "./checks.ts";
 * assert(overrideHint("grid").includes("--no-check grid"));
 * ```
 */
export function overrideHint(name: CheckName): string {
  return `(if this is intended, pass --no-check ${name})`;
}

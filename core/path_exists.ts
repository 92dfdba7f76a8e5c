/**
 * Whether a path exists, without racing a stat against an open.
 *
 * @module
 */

/**
 * True when `path` exists; false when it does not; other errors (permission
 * denied, ...) are thrown.
 *
 * @param path a file or folder
 * @returns whether it exists
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { pathExists } from "./path_exists.ts";
 * assert(await pathExists(".") && !(await pathExists("./no/such/file")));
 * ```
 */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

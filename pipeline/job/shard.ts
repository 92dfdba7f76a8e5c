/**
 * `--shard I/N`: which part of a split job this run does.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { ShardSpec } from "../output/output_files.ts";

/**
 * Parses `--shard I/N` (0 <= I < N).
 *
 * @param text "I/N" or undefined
 * @returns the shard or undefined
 * @throws PstmError (exit 2) naming --shard when the text is not I/N
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseShard } from "./shard.ts";
 * assert.deepEqual(parseShard("1/4"), { index: 1, count: 4 });
 * assert.equal(parseShard(undefined), undefined);
 * assert.throws(() => parseShard("4/4"));
 * ```
 */
export function parseShard(text: string | undefined): ShardSpec | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]), count = Number(match?.[2]);
  if (!match || !(count >= 1 && count <= 100000 && index < count)) {
    throw new PstmError(`expected I/N with 0 <= I < N <= 100000, got "${text}"`, {
      field: "--shard",
    });
  }
  return { index, count };
}

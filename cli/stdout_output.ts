/**
 * `-o -`: a command's result streamed to stdout. The migration writes its
 * image to a private temporary folder (tiles land out of order, so the
 * SEG-Y can only be streamed once every tile is complete), then copies it
 * to stdout and removes the folder on every exit path.
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";

/**
 * Runs `fn` with a temporary output path in place of "-", then streams the
 * file it wrote to stdout; the temporary folder is removed however it ends.
 *
 * @param output the `-o` value ("-" for stdout; anything else runs `fn` on it as is)
 * @param options resume and shard, which cannot work on stdout
 * @param fn the job, given the path to write
 * @returns what `fn` returned
 * @throws PstmError exit 2 for `-o -` with --resume or --shard
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { viaStdout } from "./stdout_output.ts";
 * assert.equal(await viaStdout("x.sgy", {}, (path) => Promise.resolve(path)), "x.sgy");
 * ```
 */
export async function viaStdout<T>(
  output: string,
  options: { resume?: boolean; shard?: string },
  fn: (path: string) => Promise<T>,
): Promise<T> {
  if (output !== "-") return await fn(output);
  if (options.resume || options.shard !== undefined) {
    throw new PstmError(
      "-o - streams the image to stdout once it is complete, so it cannot be resumed or " +
        "sharded: give an output file for --resume or --shard",
      { field: "-o/--output" },
    );
  }
  const dir = await Deno.makeTempDir({ prefix: "pstm-stdout-" });
  try {
    const path = `${dir}/image.sgy`;
    const result = await fn(path);
    using file = await Deno.open(path, { read: true });
    await file.readable.pipeTo(Deno.stdout.writable, { preventClose: true });
    return result;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

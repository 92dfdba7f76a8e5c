/**
 * `pstm merge OUT.sgy --shards N`: checks that every shard of a sharded run
 * has finished and turns the shared partial output into the final file.
 *
 * @module
 */

import { EXIT_OK, EXIT_RUNTIME, PstmError } from "../core/errors.ts";
import { Manifest } from "../pipeline/output/manifest.ts";
import { partialPath, shardManifestPaths } from "../pipeline/output/output_files.ts";
import { tilesOfShard } from "../pipeline/plan/tile_plan.ts";
import { numberFlag } from "./args.ts";
import type { Command } from "./command.ts";

/** The merge command. */
export const mergeCommand: Command = {
  spec: {
    name: "merge",
    summary: "assemble the shards of a --shard I/N run into the final output",
    usage: "merge OUT.sgy --shards N",
    positionals: { min: 1, max: 1, names: "OUT.sgy" },
    flags: {
      shards: { type: "string", value: "N", description: "number of shards the job used" },
    },
    examples: [
      "for i in 0 1 2 3; do pstm migrate in.sgy -o out.sgy --velocity 2000 --shard $i/4; done\n" +
      "  pstm merge out.sgy --shards 4",
    ],
  },
  async run(args) {
    const output = args.positionals[0];
    const count = numberFlag(args, "shards", 1, 100000);
    if (count === undefined || !Number.isInteger(count)) {
      throw new PstmError("--shards N (an integer) is required", { field: "--shards" });
    }
    const result = await mergeShards(output, count);
    console.error(`pstm: ${result}`);
    return EXIT_OK;
  },
};

/**
 * Renames OUT.sgy.partial to OUT.sgy once every shard manifest records all
 * of its tiles; removes the manifests.
 *
 * @param output the final output path
 * @param count number of shards
 * @returns a line saying what was done
 * @throws PstmError (exit 1) naming the unfinished shards
 */
export async function mergeShards(output: string, count: number): Promise<string> {
  const partial = partialPath(output);
  const manifests = shardManifestPaths(output, count);
  const contents = await Promise.all(manifests.map((path) => Manifest.peek(path)));
  if (contents.every((c) => c === undefined)) {
    try {
      await Deno.stat(output);
      return `${output} is already complete`;
    } catch {
      throw new PstmError(`no shard manifests found for ${count} shard(s)`, {
        file: output,
        field: "--shards",
      });
    }
  }
  const tiles = contents.find((c) => c)!.header.tiles;
  const missing: string[] = [];
  contents.forEach((c, i) => {
    const mine = tilesOfShard(i, count, tiles);
    const left = mine.filter((id) => !c?.done.has(id)).length;
    if (left > 0) missing.push(`shard ${i}/${count}: ${left} of ${mine.length} tiles left`);
  });
  if (missing.length > 0) {
    throw new PstmError(
      `not every shard has finished (${missing.join("; ")}); rerun those shards with --resume`,
      { file: output },
      EXIT_RUNTIME,
    );
  }
  try {
    await Deno.rename(partial, output);
  } catch (error) {
    throw new PstmError(`cannot rename ${partial}: ${(error as Error).message}`, {
      file: output,
    }, EXIT_RUNTIME);
  }
  for (const path of manifests) await Deno.remove(path).catch(() => {});
  return `merged ${count} shard(s) into ${output}`;
}

/**
 * The last stage of a migration job: when every tile of the job (of every
 * shard) is recorded, the partial output is renamed to its final name and
 * the manifests are removed. Also the check, before any work, whether a
 * resumed job's output is already complete.
 *
 * @module
 */

import { pathExists } from "../../core/path_exists.ts";
import { Manifest, type ManifestContents } from "../output/manifest.ts";
import type { OutputFiles } from "../output/output_files.ts";

/**
 * Renames the partial output when every tile of the job is recorded in its
 * manifests (all shards' for a sharded job), then removes them.
 *
 * @param files the run's output, partial output and manifests
 * @param tiles tiles in the whole job
 * @returns whether the output is complete
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { Manifest } from "../output/manifest.ts";
 * import { outputFiles } from "../output/output_files.ts";
 * import { finalizeOutput } from "./finalize.ts";
 * const dir = await Deno.makeTempDir();
 * const files = outputFiles(`${dir}/out.sgy`);
 * await Deno.writeTextFile(files.partial, "image");
 * const m = await Manifest.open(files.manifest, { version: 1, fingerprint: "f", tiles: 2, shard: "" }, false);
 * await m.record(0);
 * assert.equal(await finalizeOutput(files, 2), false); // tile 1 is missing
 * await m.record(1);
 * m.close();
 * assert.equal(await finalizeOutput(files, 2), true);
 * assert.equal(await Deno.readTextFile(`${dir}/out.sgy`), "image");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function finalizeOutput(
  files: Pick<OutputFiles, "output" | "partial" | "manifests">,
  tiles: number,
): Promise<boolean> {
  const done = new Set<number>();
  for (const path of files.manifests) {
    const peeked = await Manifest.peek(path);
    peeked?.done.forEach((id) => done.add(id));
  }
  if (done.size < tiles) return false;
  try {
    await Deno.rename(files.partial, files.output);
  } catch (error) {
    // another shard finished the job at the same moment
    if (!(error instanceof Deno.errors.NotFound && await pathExists(files.output))) throw error;
  }
  for (const path of files.manifests) await Deno.remove(path).catch(() => {});
  return true;
}

/**
 * Whether a `--resume` run finds its output already complete: no manifest
 * left, the output present and no partial output beside it.
 *
 * @param files the run's output and partial output
 * @param resume whether the run resumes
 * @param previous the manifest the previous run left, if any
 * @returns true when there is nothing to do
 */
export async function alreadyComplete(
  files: Pick<OutputFiles, "output" | "partial">,
  resume: boolean,
  previous: ManifestContents | undefined,
): Promise<boolean> {
  return resume && !previous && await pathExists(files.output) &&
    !await pathExists(files.partial);
}

/**
 * A job that fails before recording any tile leaves nothing behind: the
 * preallocated (sparse, full-size) OUT.partial and its manifest are removed.
 * With tiles recorded, both stay for `--resume`. Shards share the partial file.
 *
 * @param manifest the run's manifest (closed here when the files are removed)
 * @param files the partial output and manifest paths
 * @param sharded whether the run is a shard (then nothing is removed)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { Manifest } from "../output/manifest.ts";
 * import { outputFiles } from "../output/output_files.ts";
 * import { removeIfNothingRecorded } from "./finalize.ts";
 * const dir = await Deno.makeTempDir();
 * const files = outputFiles(`${dir}/out.sgy`);
 * await Deno.writeTextFile(files.partial, "");
 * const m = await Manifest.open(files.manifest, { version: 1, fingerprint: "f", tiles: 1, shard: "" }, false);
 * await removeIfNothingRecorded(m, files, false);
 * assert.deepEqual([...Deno.readDirSync(dir)], []);
 * await Deno.remove(dir);
 * ```
 */
export async function removeIfNothingRecorded(
  manifest: Manifest,
  files: Pick<OutputFiles, "partial" | "manifest">,
  sharded: boolean,
): Promise<void> {
  if (manifest.done.size > 0 || sharded) return;
  manifest.close();
  await Deno.remove(files.partial).catch(() => {});
  await Deno.remove(files.manifest).catch(() => {});
}

/**
 * The names of the files a migration keeps beside its output: the partial
 * output (`OUT.partial`, renamed to OUT when every tile is recorded), the
 * resume manifest (`OUT.manifest`, or `OUT.shard-I-of-N.manifest` per
 * shard) and the standard-input spool (`OUT.stdin-spool.sgy`). The job, the
 * Slurm driver and `pstm merge` take the names from here, so they agree.
 *
 * @module
 */

/** A shard of a split job: shard `index` of `count`. */
export interface ShardSpec {
  /** Shard index I, 0 <= I < count. */
  index: number;
  /** Shard count N. */
  count: number;
}

/** The files of one run (one shard, or the whole job). */
export interface OutputFiles {
  /** The final output path. */
  output: string;
  /** The output while it is being written. */
  partial: string;
  /** This run's resume manifest. */
  manifest: string;
  /** Every manifest of the job (all shards' for a sharded job; this run's otherwise). */
  manifests: string[];
  /** Where standard input is spooled when the input is "-". */
  spool: string;
  /** This run's geometry index, written by the header scan and removed once planned. */
  geometry: string;
}

/**
 * Path of the partial output.
 *
 * @param output the output SEG-Y path
 * @returns `OUT.partial`
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { partialPath } from "./output_files.ts";
 * assert.equal(partialPath("out.sgy"), "out.sgy.partial");
 * ```
 */
export function partialPath(output: string): string {
  return `${output}.partial`;
}

/**
 * Path of shard I's manifest.
 *
 * @param output the output SEG-Y path
 * @param index shard index I
 * @param count shard count N
 * @returns `OUT.shard-I-of-N.manifest`
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { shardManifestPath } from "./output_files.ts";
 * assert.equal(shardManifestPath("out.sgy", 1, 4), "out.sgy.shard-1-of-4.manifest");
 * ```
 */
export function shardManifestPath(output: string, index: number, count: number): string {
  return `${output}.shard-${index}-of-${count}.manifest`;
}

/**
 * Paths of every shard manifest of a job split `count` ways.
 *
 * @param output the output SEG-Y path
 * @param count shard count N
 * @returns `OUT.shard-0-of-N.manifest` ... `OUT.shard-(N-1)-of-N.manifest`
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { shardManifestPaths } from "./output_files.ts";
 * assert.deepEqual(shardManifestPaths("o", 2), ["o.shard-0-of-2.manifest", "o.shard-1-of-2.manifest"]);
 * ```
 */
export function shardManifestPaths(output: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => shardManifestPath(output, i, count));
}

/**
 * The files of a run writing `output` (as shard `shard`, when given).
 *
 * @param output the output SEG-Y path
 * @param shard the shard this run is, or undefined for a whole job
 * @returns the partial output, manifest(s) and spool paths
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { outputFiles } from "./output_files.ts";
 * assert.equal(outputFiles("out.sgy").manifest, "out.sgy.manifest");
 * const shard = outputFiles("out.sgy", { index: 2, count: 3 });
 * assert.equal(shard.manifest, "out.sgy.shard-2-of-3.manifest");
 * assert.equal(shard.manifests.length, 3);
 * ```
 */
export function outputFiles(output: string, shard?: ShardSpec): OutputFiles {
  const manifest = shard
    ? shardManifestPath(output, shard.index, shard.count)
    : `${output}.manifest`;
  return {
    output,
    partial: partialPath(output),
    manifest,
    manifests: shard ? shardManifestPaths(output, shard.count) : [manifest],
    spool: `${output}.stdin-spool.sgy`,
    geometry: shard
      ? `${output}.shard-${shard.index}-of-${shard.count}.geometry`
      : `${output}.geometry`,
  };
}

import assert from "node:assert/strict";
import { fingerprintOf, Manifest, type ManifestHeader } from "../pipeline/output/manifest.ts";
import { PstmError } from "../core/errors.ts";
import {
  outputFiles,
  partialPath,
  shardManifestPath,
  shardManifestPaths,
} from "../pipeline/output/output_files.ts";
import { shardManifestPath as slurmManifestPath } from "../pipeline/job/slurm_job.ts";

const header: ManifestHeader = {
  version: 1,
  fingerprint: "abc",
  tiles: 4,
  shard: "",
  tileBins: [8, 8],
};

Deno.test("Manifest records tiles durably and resumes them", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/out.manifest`;
  const first = await Manifest.open(path, header, false);
  await first.record(2);
  await first.record(0);
  first.close();
  first.close(); // safe twice
  const peeked = await Manifest.peek(path);
  assert.deepEqual([...peeked!.done].sort(), [0, 2]);
  assert.deepEqual(peeked!.tileBins, [8, 8]);
  const resumed = await Manifest.open(path, header, true);
  assert.deepEqual([...resumed.done].sort(), [0, 2]);
  await resumed.record(3);
  resumed.close();
  assert.deepEqual([...(await Manifest.peek(path))!.done].sort(), [0, 2, 3]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Manifest ignores a torn last record and keeps appending cleanly", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/out.manifest`;
  await Deno.writeTextFile(path, JSON.stringify(header) + '\n{"tile":1}\n{"tile":');
  const resumed = await Manifest.open(path, header, true);
  assert.deepEqual([...resumed.done], [1]);
  await resumed.record(3);
  resumed.close();
  assert.deepEqual([...(await Manifest.peek(path))!.done].sort(), [1, 3]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Manifest refuses to resume another job's manifest", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/out.manifest`;
  (await Manifest.open(path, header, false)).close();
  await assert.rejects(
    () => Manifest.open(path, { ...header, fingerprint: "other" }, true),
    (error: unknown) => error instanceof PstmError && /different job/.test(error.message),
  );
  await Deno.writeTextFile(path, "not json\n");
  await assert.rejects(() => Manifest.peek(path), PstmError);
  assert.equal(await Manifest.peek(`${dir}/missing`), undefined);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("Manifest starts afresh without resume", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/out.manifest`;
  const m = await Manifest.open(path, header, false);
  await m.record(1);
  m.close();
  const fresh = await Manifest.open(path, header, false);
  assert.equal(fresh.done.size, 0);
  fresh[Symbol.dispose]();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("fingerprintOf is stable and sensitive", () => {
  assert.equal(fingerprintOf({ a: 1 }), fingerprintOf({ a: 1 }));
  assert.notEqual(fingerprintOf({ a: 1 }), fingerprintOf({ a: 2 }));
  assert.match(fingerprintOf("x"), /^[0-9a-f]{16}$/);
});

Deno.test("output files: the job, slurm and merge agree on the names beside the output", () => {
  const whole = outputFiles("/d/out.sgy");
  assert.deepEqual(whole, {
    output: "/d/out.sgy",
    partial: "/d/out.sgy.partial",
    manifest: "/d/out.sgy.manifest",
    manifests: ["/d/out.sgy.manifest"],
    spool: "/d/out.sgy.stdin-spool.sgy",
    geometry: "/d/out.sgy.geometry",
  });
  const shard = outputFiles("/d/out.sgy", { index: 1, count: 3 });
  assert.equal(shard.manifest, "/d/out.sgy.shard-1-of-3.manifest");
  assert.deepEqual(shard.manifests, shardManifestPaths("/d/out.sgy", 3));
  assert.equal(shard.manifests[1], shard.manifest);
  assert.equal(slurmManifestPath("/d/out.sgy", 1, 3), shardManifestPath("/d/out.sgy", 1, 3));
  assert.equal(partialPath("/d/out.sgy"), shard.partial);
});

import assert from "node:assert/strict";
import { alreadyComplete, finalizeOutput } from "../pipeline/job/finalize.ts";
import { Manifest, type ManifestHeader } from "../pipeline/output/manifest.ts";
import { outputFiles } from "../pipeline/output/output_files.ts";

const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

Deno.test("finalize: a sharded output is renamed only when every shard's tiles are recorded", async () => {
  const dir = await Deno.makeTempDir();
  const output = `${dir}/out.sgy`;
  const shard0 = outputFiles(output, { index: 0, count: 2 });
  const shard1 = outputFiles(output, { index: 1, count: 2 });
  await Deno.writeTextFile(shard0.partial, "image");
  const header = (shard: string): ManifestHeader => ({
    version: 1,
    fingerprint: "f",
    tiles: 4,
    shard,
    tileBins: [2, 2],
  });
  const m0 = await Manifest.open(shard0.manifest, header("0/2"), false);
  await m0.record(0);
  await m0.record(1);
  m0.close();
  assert.equal(await finalizeOutput(shard0, 4), false); // shard 1 has not run
  assert.ok(await exists(shard0.partial) && await exists(shard0.manifest));
  const m1 = await Manifest.open(shard1.manifest, header("1/2"), false);
  await m1.record(2);
  await m1.record(3);
  m1.close();
  assert.equal(await finalizeOutput(shard1, 4), true);
  assert.equal(await Deno.readTextFile(output), "image");
  for (const path of [shard0.partial, shard0.manifest, shard1.manifest]) {
    assert.ok(!(await exists(path)), `${path} is removed`);
  }
  // a shard finishing at the same moment finds the output already renamed
  const m2 = await Manifest.open(shard0.manifest, header("0/2"), false);
  for (const id of [0, 1, 2, 3]) await m2.record(id);
  m2.close();
  assert.equal(await finalizeOutput(shard0, 4), true);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("finalize: a resumed run is already complete only with the output and no partial or manifest", async () => {
  const dir = await Deno.makeTempDir();
  const files = outputFiles(`${dir}/out.sgy`);
  assert.equal(await alreadyComplete(files, true, undefined), false); // nothing there
  await Deno.writeTextFile(files.output, "image");
  assert.equal(await alreadyComplete(files, true, undefined), true);
  assert.equal(await alreadyComplete(files, false, undefined), false); // not resuming
  const previous = {
    header: { version: 1 as const, fingerprint: "f", tiles: 1, shard: "" },
    done: new Set<number>(),
  };
  assert.equal(await alreadyComplete(files, true, previous), false);
  await Deno.writeTextFile(files.partial, "half");
  assert.equal(await alreadyComplete(files, true, undefined), false);
  await Deno.remove(dir, { recursive: true });
});

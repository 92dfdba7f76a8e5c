import assert from "node:assert/strict";
import { alreadyComplete, finalizeOutput } from "../pipeline/job/finalize.ts";
import { Manifest, type ManifestHeader } from "../pipeline/output/manifest.ts";
import { outputFiles } from "../pipeline/output/output_files.ts";
import { makeSurvey, migrate } from "./helpers/migrate_support.ts";

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

Deno.test("finalize: with more shards than tiles, the shards owning none leave a completed output as it is", async () => {
  const survey = await makeSurvey("small3d"); // one tile of 13 x 11 bins
  try {
    const first = await migrate(survey, "out.sgy", { shard: "0/4" });
    assert.equal(first.summary.complete, true); // shard 0 owns the only tile
    const image = await Deno.readFile(first.output);
    for (const i of [1, 2, 3]) {
      const { summary } = await migrate(survey, "out.sgy", { shard: `${i}/4` });
      assert.equal(summary.complete, true, `shard ${i}/4`);
      assert.equal(summary.tilesWritten, 0);
    }
    assert.deepEqual(await Deno.readFile(first.output), image);
    const left = [...Deno.readDirSync(survey.dir)].map((e) => e.name).filter((n) =>
      n.startsWith("out.sgy.")
    );
    assert.deepEqual(left, [], "no partial output or manifest made after completion");
    // the other order: tile-less shards first, then the one with the tile completes the job
    for (const i of [3, 2, 1]) await migrate(survey, "again.sgy", { shard: `${i}/4` });
    const last = await migrate(survey, "again.sgy", { shard: "0/4" });
    assert.equal(last.summary.complete, true);
    assert.deepEqual(await Deno.readFile(last.output), image);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

/**
 * Results do not depend on the tiling: a survey whose midpoints sit exactly at the aperture
 * radius from output bins (on the bin lattice, 12 bins = 300 m from them, with an origin that
 * is not a whole number so float64 and float32 round differently), migrated with one tile, many
 * small tiles and small memory budgets, gives bit-identical images. Every pruning test before
 * the kernel (the planner's footprint, the per-tile trace selection) must keep every pair the
 * kernel's own aperture test keeps.
 */

import assert from "node:assert/strict";
import { makeSurvey, migrate, readAllSamples } from "./helpers/migrate_support.ts";

const survey = await makeSurvey("small3d", {
  x0: 1000.37,
  y0: 2000.29,
  nx: 25,
  ny: 13,
  offsets: [0, 150],
  ns: 100,
  diffractors: [{ x: 1300.37, y: 2150.29, tau: 0.2, amplitude: 1 }],
});

Deno.test.afterAll?.(async () => {
  await Deno.remove(survey.dir, { recursive: true }).catch(() => {});
});

const JOB = { aperture: 300, traveltimeTable: "off", batchSize: 64 };

Deno.test("migration is bit-identical across tilings and budgets at the aperture edge", async () => {
  const one = await migrate(survey, "one.sgy", { ...JOB, tileBins: [25, 13] });
  assert.equal(one.summary.tiles, 1);
  const reference = await readAllSamples(one.output);
  assert.ok(reference.some((v) => v !== 0));
  const cases: Record<string, unknown>[] = [
    { tileBins: [1, 1] },
    { tileBins: [3, 3] },
    { tileBins: [12, 1] },
    { tileBins: [1, 13] },
    { tileBins: [7, 5] },
    { memory: "2MiB" },
    { memory: "3MiB", batchSize: 16 },
  ];
  for (const [i, change] of cases.entries()) {
    const run = await migrate(survey, `case${i}.sgy`, { ...JOB, ...change });
    const image = await readAllSamples(run.output);
    let differing = 0;
    for (let k = 0; k < image.length; k++) if (image[k] !== reference[k]) differing++;
    assert.equal(
      differing,
      0,
      `${JSON.stringify(change)} (${run.summary.tiles} tiles, ${run.summary.passes} passes): ` +
        `${differing} samples differ from the one-tile run`,
    );
    assert.equal(run.summary.contributions, one.summary.contributions, JSON.stringify(change));
  }
});

Deno.test("migration is bit-identical across tilings with an angle aperture", async () => {
  const job = { aperture: "none", maxAngle: 30, traveltimeTable: "off", batchSize: 64 };
  const one = await migrate(survey, "angle-one.sgy", { ...job, tileBins: [25, 13] });
  const reference = await readAllSamples(one.output);
  for (const [i, change] of [{ tileBins: [1, 1] }, { tileBins: [4, 3] }].entries()) {
    const run = await migrate(survey, `angle${i}.sgy`, { ...job, ...change });
    const image = await readAllSamples(run.output);
    assert.ok(image.every((v, k) => v === reference[k]), JSON.stringify(change));
    assert.equal(run.summary.contributions, one.summary.contributions);
  }
});

Deno.test("the traveltime table a job chooses (eta) is bit-identical across tilings", async () => {
  // the table is the default here (pipeline/job/defaults.ts); every tile builds the same rows
  const job = { aperture: 300, eta: 0.1, batchSize: 64 };
  const one = await migrate(survey, "table-one.sgy", { ...job, tileBins: [25, 13] });
  assert.equal(one.summary.traveltimeTable?.used, "table");
  const reference = await readAllSamples(one.output);
  assert.ok(reference.some((v) => v !== 0));
  for (
    const [i, change] of [{ tileBins: [1, 1] }, { tileBins: [7, 5] }, {
      tileBins: [3, 3],
      batchSize: 16,
    }].entries()
  ) {
    const run = await migrate(survey, `table${i}.sgy`, { ...job, ...change });
    assert.equal(run.summary.traveltimeTable?.used, "table");
    assert.ok(run.summary.tiles > 1, JSON.stringify(change));
    const image = await readAllSamples(run.output);
    assert.ok(image.every((v, k) => v === reference[k]), JSON.stringify(change));
  }
  // and it is not the direct computation: the rows interpolate, within the quality limit
  const direct = await readAllSamples(
    (await migrate(survey, "table-direct.sgy", { ...job, traveltimeTable: "off" })).output,
  );
  assert.ok(direct.some((v, k) => v !== reference[k]), "the table run equals direct bit for bit");
});

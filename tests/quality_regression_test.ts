/**
 * Output quality regression: every optimisation (traveltime table, tiling,
 * batching, threads, and all of them together) changes the image by a
 * relative L2 < 1e-3 against the unoptimised path: the CPU backend with one
 * thread, one tile, batches of one trace and direct traveltimes (itself
 * checked against the reference backend).
 */

import assert from "node:assert/strict";
import { NativeBackend } from "../backends/native/native_backend.ts";
import { makePoints, makeVelocity, plainParams } from "../bench/kernel_cases.ts";
import { tableShape } from "../backends/traveltime_table.ts";
import { makeSurvey, migrate, readAllSamples, relativeL2 } from "./helpers/migrate_support.ts";

const LIMIT = 1e-3;

/** The unoptimised job: one thread, one tile, one trace per batch, no table. */
function baseline(nx: number, ny: number): Record<string, unknown> {
  return { threads: 1, tileBins: [nx, ny], batchSize: 1, traveltimeTable: "off" };
}

const VARIANTS: [string, Record<string, unknown>][] = [
  ["traveltime table on", { traveltimeTable: "on" }],
  ["traveltime table as the job chooses", { traveltimeTable: undefined }],
  ["many tiles", { tileBins: [3, 2] }],
  ["batch 64", { batchSize: 64 }],
  ["batch 7", { batchSize: 7 }],
  ["all threads", { threads: 0 }],
  ["all together", { traveltimeTable: "on", tileBins: [4, 4], batchSize: 32, threads: 0 }],
];

const MODES: [string, Record<string, unknown>][] = [
  ["plain", { aperture: 250, maxAngle: 60 }],
  ["full", {
    aperture: 250,
    maxAngle: 60,
    taper: 0.2,
    aa: true,
    rho: "3d",
    weights: "spreading",
    eta: 0.1,
  }],
  // where a job that does not say gets the table (pipeline/job/defaults.ts)
  ["eta with plain interpolation", { aperture: 250, maxAngle: 60, aa: false, eta: 0.1 }],
];

/** What a job that does not say uses: the table only with eta (both of these have eta 0.1). */
const CHOSEN: Record<string, string> = {
  plain: "direct",
  full: "table",
  "eta with plain interpolation": "table",
};

for (const [mode, options] of MODES) {
  Deno.test(`quality: every optimisation keeps the ${mode}-mode image within 1e-3`, async (t) => {
    const survey = await makeSurvey("small3d");
    try {
      const { nx, ny } = survey.spec;
      const base = await migrate(survey, "base.sgy", { ...options, ...baseline(nx, ny) });
      assert.equal(base.summary.tiles, 1);
      assert.equal(base.summary.traveltimeTable?.used, "direct");
      const reference = await readAllSamples(base.output);
      if (mode === "plain") {
        // the unoptimised CPU path itself agrees with the float64 reference backend
        const ref = await migrate(survey, "ref.sgy", { ...options, backend: "reference" });
        const misfit = relativeL2(reference, await readAllSamples(ref.output));
        assert(misfit < LIMIT, `cpu vs reference: ${misfit}`);
      }
      for (const [name, change] of VARIANTS) {
        await t.step(name, async () => {
          const run = await migrate(survey, `${name.replaceAll(" ", "-")}.sgy`, {
            ...options,
            ...baseline(nx, ny),
            ...change,
          });
          if (change.traveltimeTable === "on") {
            assert.equal(run.summary.traveltimeTable?.used, "table");
          }
          if ("traveltimeTable" in change && change.traveltimeTable === undefined) {
            assert.equal(run.summary.traveltimeTable?.used, CHOSEN[mode]);
          }
          if (change.tileBins) assert(run.summary.tiles > 1);
          const misfit = relativeL2(await readAllSamples(run.output), reference);
          assert(misfit < LIMIT, `${name}: relative L2 ${misfit} >= ${LIMIT}`);
        });
      }
    } finally {
      await Deno.remove(survey.dir, { recursive: true });
    }
  });
}

Deno.test("traveltime table: the CPU library refuses a velocity varying between columns", async () => {
  using backend = NativeBackend.open("cpu");
  const params = plainParams({ npoints: 4, ntau: 50 });
  const points = makePoints({ kind: "grid", nx: 2, ny: 2, spacing: 25 });
  const varying = makeVelocity(params); // differs between columns
  assert.equal(tableShape({ params, points, velocity: varying }, 1000), undefined);
  const tile = backend.openTile({ params, points, velocity: varying });
  await assert.rejects(() => tile.setTraveltimeTable!(100, 1000), /differs from column 0/);
  tile.close();
  const uniform = new Float32Array(4 * 50).fill(2000);
  const shape = tableShape({ params, points, velocity: uniform }, 1000);
  assert.ok(shape && shape.nx >= 2 && shape.maxDistance === 1000);
  const ok = backend.openTile({ params, points, velocity: uniform });
  await ok.setTraveltimeTable!(shape.nx, shape.maxDistance);
  await ok.setTraveltimeTable!(0, 0); // back to direct
  await assert.rejects(() => ok.setTraveltimeTable!(1, 1000), /expected nx/);
  ok.close();
});

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import {
  announcePlan,
  memoryBudget,
  planJob,
  scheduleTiles,
  workOf,
} from "../pipeline/job/plan.ts";
import { openJobInput, setupJob } from "../pipeline/job/setup.ts";
import { Manifest } from "../pipeline/output/manifest.ts";
import { outputFiles } from "../pipeline/output/output_files.ts";
import { makeSurvey } from "./helpers/migrate_support.ts";

const F3 = new URL("../../shared/data/segy/f3.sgy", import.meta.url).pathname;

async function planned(options: Record<string, unknown>, limit?: number) {
  const dir = await Deno.makeTempDir();
  const job = parseJobConfig({
    input: F3,
    output: `${dir}/out.sgy`,
    velocity: "2000",
    plain: true, // the aperture each test gives, no survey-chosen one
    ...options,
  });
  const input = await openJobInput(job, "unused");
  const setup = await setupJob(job, input);
  const files = outputFiles(job.output);
  const plan = await planJob(job, setup, 64 << 20, { memoryLimit: limit }, files, undefined);
  return { dir, job, input, setup, files, plan };
}

Deno.test("plan: the budget is --memory, capped by the device's free memory", () => {
  assert.equal(memoryBudget(2 << 20, {}), 2 << 20);
  assert.equal(memoryBudget(2 << 20, { memoryLimit: 1 << 20 }), 1 << 20);
  assert.equal(memoryBudget(2 << 20, { memoryLimit: 4 << 20 }), 2 << 20);
  assert.ok(memoryBudget(undefined, {}) > 0);
});

Deno.test("plan: the tile shape fits the budget; forced tile bins are kept", async () => {
  const auto = await planned({});
  assert.equal(auto.plan.budget, 64 << 20);
  assert.equal(auto.plan.shape.tiles, 1); // f3 is small
  assert.deepEqual(auto.plan.header.tileBins, [auto.setup.grid.nx, auto.setup.grid.ny]);
  const forced = await planned({ tileBins: [5, 4] });
  assert.deepEqual(forced.plan.request.tileBins, [5, 4]);
  const { nx, ny } = forced.setup.grid;
  assert.equal(forced.plan.shape.tiles, Math.ceil(nx / 5) * Math.ceil(ny / 4));
  assert.equal(forced.plan.header.tiles, forced.plan.shape.tiles);
  // the same job has the same fingerprint; a changed option changes it
  assert.equal(forced.plan.header.fingerprint, auto.plan.header.fingerprint);
  const other = await planned({ rho: "3d" });
  assert.notEqual(other.plan.header.fingerprint, auto.plan.header.fingerprint);
  for (const p of [auto, forced, other]) {
    await p.input.close();
    await Deno.remove(p.dir, { recursive: true });
  }
});

Deno.test("plan: a device limit too small for one column is a --memory error", async () => {
  await assert.rejects(
    () => planned({}, 1000),
    (e: unknown) => e instanceof PstmError && e.exitCode === 2 && /--memory/.test(e.message),
  );
});

Deno.test("plan: a resumed run keeps the tiles of its manifest and skips the done ones", async () => {
  const first = await planned({ tileBins: [5, 4] });
  const manifest = await Manifest.open(first.files.manifest, first.plan.header, false);
  await manifest.record(0);
  await manifest.record(2);
  manifest.close();
  const job = parseJobConfig({ ...first.job, resume: true, tileBins: undefined });
  const plan = await planJob(job, first.setup, 64 << 20, {}, first.files, undefined);
  assert.deepEqual(plan.previous?.done, new Set([0, 2]));
  assert.deepEqual(plan.request.tileBins, [5, 4]); // from the manifest, not the planner
  const tiles = scheduleTiles(plan, plan.previous!.done);
  assert.deepEqual(tiles.doneTiles, [0, 2]);
  const scheduled = [...tiles.emptyTiles, ...tiles.passes.flatMap((p) => p.tileIds)];
  assert.equal(scheduled.length, tiles.tiles.length - 2);
  assert.ok(!scheduled.includes(0) && !scheduled.includes(2));
  const work = workOf(tiles);
  assert.equal(work.tiles, scheduled.length);
  assert.ok(work.traces >= 1 && work.traces <= first.setup.info.traceCount * tiles.passes.length);
  await first.input.close();
  await Deno.remove(first.dir, { recursive: true });
});

Deno.test("plan: announcePlan warns when most midpoints miss the grid, then reports the plan", async () => {
  const far = await planned({ grid: "0,0,25,25,10,10,0" });
  const events: { name: string; data: Record<string, unknown> }[] = [];
  const progress = {
    event: (name: string, data: Record<string, unknown> = {}) => events.push({ name, data }),
  };
  const tiles = scheduleTiles(far.plan, new Set());
  assert.equal(far.setup.geometry.midpointsInside, 0);
  announcePlan(progress, far.setup, tiles, far.plan.budget);
  assert.deepEqual(events.map((e) => e.name), ["warning", "plan"]);
  assert.equal(events[0].data.midpointsInsideGrid, 0);
  assert.equal(events[1].data.tiles, tiles.tiles.length);
  await far.input.close();
  await Deno.remove(far.dir, { recursive: true });
  const survey = await makeSurvey("small3d");
  const near = await planned({ input: survey.path, grid: survey.grid });
  events.length = 0;
  announcePlan(progress, near.setup, scheduleTiles(near.plan, new Set()), near.plan.budget);
  assert.deepEqual(events.map((e) => e.name), ["plan"]);
  await near.input.close();
  await Deno.remove(near.dir, { recursive: true });
  await Deno.remove(survey.dir, { recursive: true });
});

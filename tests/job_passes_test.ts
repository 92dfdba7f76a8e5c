import assert from "node:assert/strict";
import { ReferenceBackend } from "../backends/reference/reference_backend.ts";
import { PstmError } from "../core/errors.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import {
  type PassContext,
  runPasses,
  throwIfAborted,
  tileInputs,
  writeEmptyTiles,
} from "../pipeline/job/passes.ts";
import { planJob, scheduleTiles } from "../pipeline/job/plan.ts";
import { Progress } from "../pipeline/job/progress.ts";
import { openJobInput, setupJob } from "../pipeline/job/setup.ts";
import { Manifest } from "../pipeline/output/manifest.ts";
import { outputFiles } from "../pipeline/output/output_files.ts";
import { parseSize } from "../pipeline/plan/memory.ts";
import { BATCHES_IN_FLIGHT, tileShape } from "../pipeline/plan/tile_plan.ts";
import { openBackend } from "../backends/select.ts";
import { newStageTimes } from "../pipeline/streams/stage_times.ts";
import type { TraceBatch } from "../pipeline/segy/trace_batch.ts";
import { makeSurvey, type Survey } from "./helpers/migrate_support.ts";

/** The passes' context of a job on a survey, writing into memory. */
async function context(survey: Survey, options: Record<string, unknown>) {
  const job = parseJobConfig({
    input: survey.path,
    output: `${survey.dir}/out.sgy`,
    velocity: survey.velocity,
    grid: survey.grid,
    aperture: 200,
    ...options,
  });
  const files = outputFiles(job.output);
  const input = await openJobInput(job, files.spool);
  const setup = await setupJob(job, input);
  const memory = job.memory ? parseSize(job.memory) : 1 << 28;
  const planned = await planJob(job, setup, memory, {}, files, undefined);
  const manifest = await Manifest.open(files.manifest, planned.header, false);
  const plan = scheduleTiles(planned, manifest.done);
  const written = new Map<number, Float32Array>();
  const sink = {
    writeAt(index: number, batch: TraceBatch) {
      for (let k = 0; k < batch.count; k++) {
        written.set(index + k, batch.samples.slice(k * batch.ns, (k + 1) * batch.ns));
      }
      return Promise.resolve();
    },
    sync: () => Promise.resolve(),
  };
  const ctx: PassContext = {
    job,
    setup,
    request: planned.request,
    plan,
    backend: new ReferenceBackend(),
    sink,
    manifest,
    progress: new Progress("quiet"),
    times: newStageTimes(),
    hooks: {},
  };
  return { ctx, written, close: () => (manifest.close(), input.close()) };
}

Deno.test("passes: every tile of the run is written once and recorded, the image is not empty", async () => {
  const survey = await makeSurvey("small3d");
  const { ctx, written, close } = await context(survey, {
    tileBins: [3, 2],
    batchSize: 16,
    memory: "260KiB",
  });
  assert.ok(ctx.plan.passes.length > 1, `passes ${ctx.plan.passes.length}`);
  const recorded: number[] = [];
  ctx.hooks.onTile = (id) => void recorded.push(id);
  const counts = await runPasses(ctx);
  assert.equal(recorded.length, ctx.plan.tiles.length);
  assert.equal(new Set(recorded).size, recorded.length);
  assert.equal(ctx.manifest.done.size, ctx.plan.tiles.length);
  const { nx, ny } = ctx.setup.grid;
  assert.equal(written.size, nx * ny);
  assert.ok([...written.values()].some((trace) => trace.some((v) => v !== 0)));
  const expected = ctx.plan.passes.reduce((n, p) => n + p.lastTrace - p.firstTrace + 1, 0);
  assert.equal(counts.tracesRead, expected);
  assert.equal(counts.nonFiniteZeroed, 0);
  assert.ok(ctx.times.kernel > 0 && ctx.times.read > 0);
  await close();
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("passes: empty tiles are written as zeros and recorded before any pass", async () => {
  const survey = await makeSurvey("small3d", { ns: 60 });
  // a grid twice as wide as the survey: its far half is reached by no trace
  const grid = survey.grid.split(",").map(Number);
  grid[4] *= 3;
  const { ctx, written, close } = await context(survey, {
    grid: grid.join(","),
    tileBins: [4, 4],
  });
  assert.ok(ctx.plan.emptyTiles.length > 0);
  await writeEmptyTiles(ctx);
  assert.deepEqual([...ctx.manifest.done].sort(), [...ctx.plan.emptyTiles].sort());
  for (const trace of written.values()) assert.ok(trace.every((v) => v === 0));
  const tile = ctx.plan.tiles[ctx.plan.emptyTiles[0]];
  const bins = (tile.ix1 - tile.ix0) * (tile.iy1 - tile.iy0);
  assert.ok(written.size >= bins);
  await close();
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("passes: an abort stops between tiles with exit 130 and the finished tiles recorded", async () => {
  const survey = await makeSurvey("small3d", { ns: 60 });
  const { ctx, close } = await context(survey, { tileBins: [3, 3], batchSize: 16 });
  const stop = new AbortController();
  ctx.hooks = { signal: stop.signal, onTile: () => stop.abort("SIGINT") };
  await assert.rejects(
    () => runPasses(ctx),
    (e: unknown) => e instanceof PstmError && e.exitCode === 130 && /--resume/.test(e.message),
  );
  assert.ok(ctx.manifest.done.size >= 1 && ctx.manifest.done.size < ctx.plan.tiles.length);
  assert.throws(
    () => throwIfAborted(AbortSignal.abort("SIGTERM")),
    (e: unknown) => e instanceof PstmError && e.exitCode === 143,
  );
  await close();
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("passes: a tile's inputs are its bins' points and velocity", async () => {
  const survey = await makeSurvey("small3d", { ns: 60 });
  const { ctx, close } = await context(survey, { tileBins: [3, 2] });
  const tile = ctx.plan.tiles[1];
  const inputs = tileInputs(tile, ctx.setup);
  const npoints = (tile.ix1 - tile.ix0) * (tile.iy1 - tile.iy0);
  assert.equal(inputs.params.npoints, npoints);
  assert.equal(inputs.points.length, 2 * npoints);
  assert.equal(inputs.velocity.length, npoints * ctx.setup.time.ntau);
  assert.equal(inputs.points[0], tile.ix0 * ctx.setup.grid.dx); // relative to the grid origin
  await close();
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("passes: a pass allocates at most BATCHES_IN_FLIGHT batches (the planner's count) and reads into them again", async () => {
  const survey = await makeSurvey("small3d", { nx: 25, ny: 21 }); // 1,050 traces
  for (const batchSize of [4, 16, 64]) {
    const { ctx, close } = await context(survey, { tileBins: [5, 5], batchSize });
    const cpu = await openBackend("cpu");
    ctx.backend = cpu; // nonblocking native calls: batches queue up as in a real run
    try {
      const counts = await runPasses(ctx);
      const batches = Math.ceil(counts.tracesRead / batchSize);
      assert.ok(counts.batchesAllocated > 0, `batch size ${batchSize}`);
      assert.ok(
        counts.batchesAllocated <= BATCHES_IN_FLIGHT,
        `batch size ${batchSize}: ${counts.batchesAllocated} batches allocated, the planner ` +
          `counts ${BATCHES_IN_FLIGHT}`,
      );
      assert.ok(batches > 2 * counts.batchesAllocated, `${batches} batches read`);
    } finally {
      cpu.close();
      await close();
      await Deno.remove(`${survey.dir}/out.sgy.manifest`).catch(() => {});
    }
  }
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("passes: the plan counts the batches in flight, the read buffer and the geometry", () => {
  const request = {
    nx: 10,
    ny: 10,
    dx: 25,
    dy: 25,
    ntau: 190,
    nclass: 1,
    binOf: (): [number, number] => [0, 0],
    reach: 300,
    ns: 190,
    batchSize: 256,
    budget: 16 << 20,
  };
  const shape = tileShape(request);
  assert.equal(
    shape.inputBytes,
    BATCHES_IN_FLIGHT * 256 * (4 * 190 + 8 * 29 + 36) + 256 * (240 + 4 * 190),
  );
  assert.equal(shape.tileBudget, (16 << 20) - shape.inputBytes);
});

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { sortByBand } from "../pipeline/job/sort_job.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { announcePlan, planJob, scheduleTiles } from "../pipeline/job/plan.ts";
import { openJobInput, setupJob } from "../pipeline/job/setup.ts";
import { outputFiles } from "../pipeline/output/output_files.ts";
import { parseGridFlag } from "../pipeline/plan/grid.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import {
  makeSurvey,
  migrate,
  readAllSamples,
  relativeL2,
  runCli,
} from "./helpers/migrate_support.ts";

async function sha(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every trace's bytes (header and samples) as hex strings, in file order. */
async function traceBytes(path: string): Promise<{ head: string; traces: string[] }> {
  const bytes = await Deno.readFile(path);
  using file = await SegyFile.open(path);
  const { dataOffset, traceBytes, traceCount } = file.info;
  const hex = (b: Uint8Array) => [...b].map((v) => v.toString(16)).join(".");
  return {
    head: hex(bytes.subarray(0, dataOffset)),
    traces: Array.from(
      { length: traceCount },
      (_, i) => hex(bytes.subarray(dataOffset + i * traceBytes, dataOffset + (i + 1) * traceBytes)),
    ),
  };
}

Deno.test("pstm sort puts shot-order traces in band order, every trace byte for byte, input untouched", async () => {
  const survey = await makeSurvey("small3d", { order: "shot" });
  const before = await sha(survey.path);
  const sorted = `${survey.dir}/sorted.sgy`;
  const summary = await sortByBand({
    input: survey.path,
    output: sorted,
    grid: parseGridFlag(survey.grid),
    bufferBytes: 20_000, // a few traces per band: many flushes
  });
  assert.equal(summary.traces, 286);
  assert.equal(summary.bands, 11);
  assert.equal(await sha(survey.path), before, "the input is not modified");
  using file = await SegyFile.open(sorted);
  const inlines = (await file.readHeaders(0, 286)).headers.inline;
  for (let i = 1; i < 286; i++) assert.ok(inlines[i] >= inlines[i - 1], `trace ${i}`);
  const a = await traceBytes(survey.path), b = await traceBytes(sorted);
  assert.equal(b.head, a.head, "file headers copied");
  assert.deepEqual([...b.traces].sort(), [...a.traces].sort(), "the same traces");
  assert.notDeepEqual(b.traces, a.traces, "in another order");
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("a sorted shot-order survey migrates to the same image in fewer traces read", async () => {
  const survey = await makeSurvey("small3d", { order: "shot" });
  const tight = {
    aperture: 30,
    offsetClasses: "0:300:2",
    memory: "200KiB",
    batchSize: 16,
    tileBins: [13, 1],
  };
  const shot = await migrate(survey, "shot.sgy", tight);
  const sorted = `${survey.dir}/sorted.sgy`;
  await sortByBand({ input: survey.path, output: sorted, grid: parseGridFlag(survey.grid) });
  const after = await migrate({ ...survey, path: sorted }, "sorted-image.sgy", tight);
  assert.ok(shot.summary.passes > 1, `shot order: ${shot.summary.passes} passes`);
  assert.ok(
    after.summary.tracesRead < shot.summary.tracesRead / 2,
    `traces read: ${after.summary.tracesRead} sorted, ${shot.summary.tracesRead} in shot order`,
  );
  const misfit = relativeL2(await readAllSamples(after.output), await readAllSamples(shot.output));
  assert.ok(misfit < 1e-6, `relative L2 ${misfit}`);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("pstm sort refuses to write over its input and needs a file", async () => {
  const survey = await makeSurvey("small3d");
  await assert.rejects(
    () => sortByBand({ input: survey.path, output: survey.path, grid: parseGridFlag(survey.grid) }),
    (e: Error) => e instanceof PstmError && e.exitCode === 2 && /not the input/.test(e.message),
  );
  const cli = await runCli(["sort", "-", "-o", `${survey.dir}/x.sgy`, "--grid", survey.grid]);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /needs a file/);
  const ok = await runCli([
    "sort",
    survey.path,
    "-o",
    `${survey.dir}/y.sgy`,
    "--grid",
    survey.grid,
  ]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /sorted 286 traces into 11 band/);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("the plan warns when the passes read the survey more than twice (input order)", async () => {
  const survey = await makeSurvey("small3d", { order: "shot" });
  const dir = survey.dir;
  const job = parseJobConfig({
    input: survey.path,
    output: `${dir}/out.sgy`,
    velocity: survey.velocity,
    grid: survey.grid,
    aperture: 30,
    tileBins: [13, 1],
    batchSize: 16,
  });
  const events: { name: string; data: Record<string, unknown> }[] = [];
  const progress = {
    event: (name: string, data: Record<string, unknown> = {}) => events.push({ name, data }),
  };
  const input = await openJobInput(job, `${dir}/spool`);
  const setup = await setupJob(job, input, `${dir}/g.index`);
  for (const [memory, warned] of [[200 * 1024, true], [64 << 20, false]] as const) {
    const planned = await planJob(job, setup, memory, {}, outputFiles(job.output), undefined);
    events.length = 0;
    announcePlan(progress, setup, scheduleTiles(planned, new Set()), planned.budget);
    const warning = events.find((e) => e.data.inputOrder);
    assert.equal(warning !== undefined, warned, `--memory ${memory}: ${JSON.stringify(events)}`);
  }
  await setup.geometry.release();
  await input.close();
  await Deno.remove(dir, { recursive: true });
});

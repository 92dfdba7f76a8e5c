import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { writeJobPlan } from "../pipeline/job/plan_once.ts";
import { tilesOfShard } from "../pipeline/plan/tile_plan.ts";
import { writeSynthetic } from "../pipeline/synth/write_synthetic.ts";
import {
  makeSurvey,
  migrate,
  readAllSamples,
  relativeL2,
  runCli,
  type Survey,
} from "./helpers/migrate_support.ts";

const OPTIONS = { aperture: 60, tileBins: [13, 2], batchSize: 8 };

async function planOf(survey: Survey, output: string, options: Record<string, unknown> = {}) {
  const job = parseJobConfig({
    input: survey.path,
    output: `${survey.dir}/${output}`,
    velocity: survey.velocity,
    grid: survey.grid,
    plain: true, // as the runs of tests/helpers/migrate_support.ts
    ...OPTIONS,
    ...options,
  });
  return await writeJobPlan(job, `${job.output}.plan`);
}

Deno.test("plan once: 4 shards from one plan read no headers, only their band, and equal the single run", async () => {
  const survey = await makeSurvey("small3d");
  const single = await migrate(survey, "single.sgy", OPTIONS);
  assert.equal(single.summary.headersScanned, 286);
  const report = await planOf(survey, "sharded.sgy");
  assert.equal(report.traces, 286);
  assert.equal(report.tiles, 6);
  const plan = `${survey.dir}/sharded.sgy.plan`;
  const read: number[] = [];
  for (const i of [0, 1, 2, 3]) {
    const { summary } = await migrate(survey, "sharded.sgy", {
      ...OPTIONS,
      planFile: plan,
      shard: `${i}/4`,
    });
    assert.equal(summary.headersScanned, 0, `shard ${i} scanned no header`);
    assert.ok(summary.tracesRead < 286, `shard ${i} read ${summary.tracesRead} of 286 traces`);
    assert.equal(summary.complete, i === 3);
    read.push(summary.tracesRead);
  }
  // its share: its tiles' rows (2 each) of 13 bins x 2 offsets = 26 traces a row, plus the
  // aperture overlap of floor(60 m / 25 m) = 2 rows either side
  const share = 286 / 4;
  for (const [i, n] of read.entries()) {
    const tiles = tilesOfShard(i, 4, 6).length;
    assert.ok(n <= (tiles * 2 + 2 * 2) * 26, `shard ${i}: ${n} traces for ${tiles} tiles`);
  }
  const total = read.reduce((a, b) => a + b);
  assert.ok(total <= 286 + 4 * 4 * 26, `all shards read ${read} (share ${share}): ${total}`);
  const misfit = relativeL2(
    await readAllSamples(`${survey.dir}/sharded.sgy`),
    await readAllSamples(single.output),
  );
  assert.ok(misfit <= 1e-6, `relative L2 ${misfit}`);
  const left = [...Deno.readDirSync(survey.dir)].map((e) => e.name).filter((n) =>
    /geometry/.test(n)
  );
  assert.deepEqual(left, [], "no geometry index left behind");
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("plan once: a resume follows the plan without scanning", async () => {
  const survey = await makeSurvey("small3d");
  await planOf(survey, "out.sgy");
  const plan = `${survey.dir}/out.sgy.plan`;
  let tiles = 0;
  await assert.rejects(() =>
    migrate(survey, "out.sgy", { ...OPTIONS, planFile: plan }, {
      onTile: () => {
        if (++tiles === 2) throw new Error("crash");
      },
    })
  );
  const resumed = await migrate(survey, "out.sgy", { ...OPTIONS, planFile: plan, resume: true });
  assert.equal(resumed.summary.headersScanned, 0);
  assert.equal(resumed.summary.tilesResumed, 2);
  const single = await migrate(survey, "single.sgy", OPTIONS);
  const misfit = relativeL2(
    await readAllSamples(resumed.output),
    await readAllSamples(single.output),
  );
  assert.ok(misfit <= 1e-6, `relative L2 ${misfit}`);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("plan once: a plan from another survey or other options is refused (exit 2, naming what differs)", async () => {
  const survey = await makeSurvey("small3d");
  await planOf(survey, "out.sgy");
  const plan = `${survey.dir}/out.sgy.plan`;
  const refused = (pattern: RegExp) => (e: Error) =>
    e instanceof PstmError && e.exitCode === 2 && pattern.test(e.message) &&
    e.message.includes(plan);
  await assert.rejects(
    () => migrate(survey, "out.sgy", { ...OPTIONS, planFile: plan, velocity: "2100" }),
    refused(/other options \(velocity "0:2000,0.6:2400" != "2100"/),
  );
  await assert.rejects(
    () => migrate(survey, "out.sgy", { ...OPTIONS, planFile: plan, aperture: 80 }),
    refused(/aperture 60 != 80/),
  );
  // the same name, another survey (the noise changes every sample, not the size)
  await writeSynthetic({ ...survey.spec, noise: 0.1 }, survey.path, undefined);
  await assert.rejects(
    () => migrate(survey, "out.sgy", { ...OPTIONS, planFile: plan }),
    refused(/another input \(mtime/),
  );
  const cli = await runCli([
    "migrate",
    survey.path,
    "-o",
    `${survey.dir}/out.sgy`,
    "--velocity",
    survey.velocity,
    "--grid",
    survey.grid,
    "--aperture",
    "60",
    "--tile-bins",
    "13,2",
    "--batch-size",
    "8",
    "--plan-file",
    plan,
  ]);
  assert.equal(cli.code, 2, cli.stderr);
  assert.match(cli.stderr, /another input/);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("pstm plan writes the plan file the CLI's migrate --plan-file follows", async () => {
  const survey = await makeSurvey("small3d");
  const common = [
    "-o",
    `${survey.dir}/out.sgy`,
    "--velocity",
    survey.velocity,
    "--grid",
    survey.grid,
    "--aperture",
    "60",
  ];
  const planned = await runCli(["plan", survey.path, ...common]);
  assert.equal(planned.code, 0, planned.stderr);
  assert.match(planned.stderr, /planned 286 traces: \d+ tile/);
  // and the job's plan, as pstm migrate --plan prints it (from the plan file: no second scan)
  assert.match(planned.stdout, /^pstm: plan of .*out\.sgy \(plan file .*out\.sgy\.plan\)$/m);
  assert.match(planned.stdout, /^ {2}grid {9}13 x 11 bins .*\(--grid\)$/m);
  assert.match(planned.stdout, /^ {2}trace reads {2}286 /m);
  const run = await runCli([
    "migrate",
    survey.path,
    ...common,
    "--plan-file",
    `${survey.dir}/out.sgy.plan`,
    "--log",
    "json",
  ]);
  assert.equal(run.code, 0, run.stderr);
  const summary = run.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l))
    .find((e) => e.event === "summary");
  assert.equal(summary.headersScanned, 0);
  assert.equal(summary.tracesRead, 286);
  await Deno.remove(survey.dir, { recursive: true });
});

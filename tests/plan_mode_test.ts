/**
 * `pstm migrate ... --plan` (DESIGN.md 5: print the plan, write nothing): its figures against
 * a real run of the same job, nothing written, and bad input still refused with exit 2.
 */

import assert from "node:assert/strict";
import { makeSurvey, runCli } from "./helpers/migrate_support.ts";

/** The names in a folder, sorted. */
function listing(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/** The JSON events of a `--log json` run's stderr. */
function events(stderr: string): Record<string, unknown>[] {
  return stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
}

Deno.test("migrate --plan prints the tiles, passes, traces and output bytes the run then has, writing nothing", async () => {
  const survey = await makeSurvey("small3d");
  try {
    const output = `${survey.dir}/image.sgy`;
    // small tiles and a small budget: several tiles and passes
    const job = [
      "migrate",
      survey.path,
      "-o",
      output,
      "--velocity",
      survey.velocity,
      "--grid",
      survey.grid,
      "--tile-bins",
      "5,4",
      "--memory",
      "300KiB",
      "--batch-size",
      "16",
      "--backend",
      "cpu",
    ];
    const before = listing(survey.dir);
    const planned = await runCli([...job, "--plan", "--log", "json"]);
    assert.equal(planned.code, 0, planned.stderr);
    assert.deepEqual(listing(survey.dir), before, "--plan wrote nothing");
    const plans = events(planned.stderr).filter((e) => e.event === "plan");
    assert.equal(plans.length, 1, "one plan event");
    // deno-lint-ignore no-explicit-any
    const plan = plans[0] as any;
    assert.ok(plan.passes.length > 1, `${plan.passes.length} passes`);
    assert.equal(plan.tiles.total, 9); // 13 x 11 bins in tiles of 5 x 4
    assert.equal(plan.grid.nx, 13);
    assert.match(plan.grid.reason, /--grid/);
    assert.equal(plan.timeAxis.ntau, 150);
    assert.ok(plan.memory.tilesAndBatches <= plan.memory.budget);
    assert.ok(plan.output.freeBytes > 0);
    assert.ok(plan.calibration.contributionsPerSecond > 0);
    assert.ok(plan.estimate.seconds > 0 && Number.isFinite(plan.estimate.seconds));

    const text = await runCli([...job, "--plan"]);
    assert.equal(text.code, 0, text.stderr);
    assert.deepEqual(listing(survey.dir), before, "--plan wrote nothing");
    assert.match(text.stdout, /^pstm: plan of .*image\.sgy \(nothing written\)$/m);
    assert.match(text.stdout, /^ {2}tiles {8}9 of 5 x 4 bins/m);
    assert.match(text.stdout, new RegExp(`^  passes {7}${plan.passes.length}$`, "m"));
    assert.match(text.stdout, new RegExp(`\\(${plan.output.bytes} bytes\\)`));
    assert.match(text.stdout, /^ {2}estimate {5}about \d+s: .*an estimate/m);

    const run = await runCli([...job, "--log", "json"]);
    assert.equal(run.code, 0, run.stderr);
    // deno-lint-ignore no-explicit-any
    const summary = events(run.stderr).find((e) => e.event === "summary") as any;
    assert.equal(summary.tiles, plan.tiles.total);
    assert.equal(summary.passes, plan.passes.length);
    assert.equal(summary.tracesRead, plan.traceReads.total);
    assert.deepEqual(
      // deno-lint-ignore no-explicit-any
      plan.passes.map((p: any) => p.traces).reduce((a: number, b: number) => a + b),
      summary.tracesRead,
    );
    assert.equal((await Deno.stat(output)).size, plan.output.bytes);
    assert.ok(summary.contributions <= plan.contributions.bound);
    const ratio = plan.contributions.estimated / summary.contributions;
    console.log(
      `plan: ${plan.tiles.total} tiles, ${plan.passes.length} passes, ` +
        `${plan.traceReads.total} trace reads, ${plan.output.bytes} bytes; contributions ` +
        `estimated ${plan.contributions.estimated} / run ${summary.contributions} = ` +
        `${ratio.toFixed(3)}; time estimated ${plan.estimate.seconds.toFixed(2)} s / run ` +
        `${summary.seconds.toFixed(2)} s`,
    );
    assert.ok(ratio > 0.5 && ratio < 2, `estimated / real contributions ${ratio}`);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("migrate --plan still refuses bad input with exit 2 and writes nothing", async () => {
  const survey = await makeSurvey("small3d");
  try {
    const out = `${survey.dir}/image.sgy`;
    const before = listing(survey.dir);
    const cases: [string[], RegExp][] = [
      [
        [`${survey.dir}/missing.sgy`, "-o", out, "--velocity", "2000"],
        /missing\.sgy.*no such file/,
      ],
      [[survey.path, "-o", survey.path, "--velocity", "2000"], /pstm never writes over its input/],
      [[survey.path, "-o", out, "--velocity", "fast"], /velocity/i],
      [[survey.path, "-o", out, "--velocity", "2000", "--grid", "0,0,25,25,0,4"], /grid/i],
      [[survey.path, "-o", out, "--velocity", "2000", "--memory", "1PiB"], /memory|size/i],
    ];
    for (const [args, pattern] of cases) {
      const r = await runCli(["migrate", ...args, "--plan"]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stdout, "");
      assert.deepEqual(listing(survey.dir), before, `${args.join(" ")} wrote nothing`);
    }
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { JOB_KEYS, parseJobConfig, readJobConfig } from "../pipeline/job/job_config.ts";
import { PstmError } from "../core/errors.ts";

Deno.test("parseJobConfig fills defaults; the survey-dependent ones stay open", () => {
  const job = parseJobConfig({ input: "a.sgy", output: "b.sgy", velocity: "2000" });
  assert.equal(job.plain, false);
  // chosen from the survey by pipeline/job/defaults.ts
  assert.equal(job.aperture, undefined);
  assert.equal(job.aa, undefined);
  assert.equal(job.rho, undefined);
  assert.equal(job.maxAngle, undefined);
  assert.equal(job.weights, "none");
  assert.equal(job.backend, "auto");
});

Deno.test("parseJobConfig names the bad key", () => {
  for (
    const [value, key] of [
      [{ input: "a", output: "b", velocity: "1", taper: 2 }, "taper"],
      [{ input: "a", output: "b", velocity: "1", backend: "gpu" }, "backend"],
      [{ input: "a", output: "b", velocity: "1", shard: "x" }, "shard"],
      [{ input: "a", output: "b", velocity: "1", bogus: 1 }, "bogus"],
      [{ input: "a", output: "b" }, "velocity"],
    ] as const
  ) {
    assert.throws(() => parseJobConfig(value, "job.json"), (error: unknown) => {
      assert.ok(error instanceof PstmError, String(error));
      assert.equal(error.exitCode, 2);
      assert.ok(error.message.includes("job.json"));
      assert.ok(error.message.includes(key), `${error.message} should name ${key}`);
      return true;
    });
  }
});

Deno.test("readJobConfig merges command-line overrides over the file", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/job.json`;
  await Deno.writeTextFile(
    path,
    JSON.stringify({ input: "a", output: "b", velocity: "1500", aa: true }),
  );
  const job = await readJobConfig(path, { velocity: "2500" });
  assert.equal(job.velocity, "2500");
  assert.equal(job.aa, true);
  await Deno.writeTextFile(path, "{ nope");
  await assert.rejects(() => readJobConfig(path, {}), PstmError);
  await Deno.writeTextFile(path, "[1]");
  await assert.rejects(() => readJobConfig(path, {}), PstmError);
  await assert.rejects(() => readJobConfig(`${dir}/missing.json`, {}), PstmError);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("job files take the command line's spellings, report every problem, suggest keys", () => {
  for (const key of ["max-angle", "max_angle", "maxAngle"]) {
    const job = parseJobConfig({ input: "a", output: "b", velocity: "1", [key]: 45 });
    assert.equal(job.maxAngle, 45, key);
  }
  const job = parseJobConfig({
    input: "a",
    output: "b",
    velocity: "1",
    "offset-classes": "0:100:4",
    "no-check": ["disk-space"],
    header: ["sx=73:i4"],
  });
  assert.deepEqual([job.offsetClasses, job.noCheck, job.headers], [
    "0:100:4",
    ["disk-space"],
    ["sx=73:i4"],
  ]);
  assert.throws(
    () =>
      parseJobConfig(
        { input: "a", output: "b", velocity: "1", tapr: 0.1, taper: 3, "max-angel": 10 },
        "job.json",
      ),
    (error: unknown) => {
      assert.ok(error instanceof PstmError);
      assert.equal(error.exitCode, 2);
      const m = error.message;
      assert.match(m, /^job\.json, field tapr, max-angel, taper: 3 problems: /);
      assert.match(m, /unknown key "tapr"; did you mean "taper"\?/);
      assert.match(m, /unknown key "max-angel"; did you mean "maxAngle"\?/);
      assert.match(m, /taper: /);
      return true;
    },
  );
  // the plan file's key was "plan" (now --plan previews a job): the message says so
  for (const key of ["plan-file", "plan_file", "planFile"]) {
    const job = parseJobConfig({ input: "a", output: "b", velocity: "1", [key]: "p.json" });
    assert.equal(job.planFile, "p.json", key);
  }
  assert.throws(
    () => parseJobConfig({ input: "a", output: "b", velocity: "1", plan: "p.json" }, "job.json"),
    /job\.json, field plan: the key "plan" is now "planFile".*--plan .*writes nothing/,
  );
});

Deno.test("a job file's paths are read against its folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/jobs`);
    await Deno.writeTextFile(`${dir}/vel.csv`, "x,y,tau,v\n0,0,0,2000\n");
    const path = `${dir}/jobs/job.json`;
    await Deno.writeTextFile(
      path,
      JSON.stringify({ input: "../in.sgy", output: "out/image.sgy", velocity: "../vel.csv" }),
    );
    const job = await readJobConfig(path, {});
    assert.equal(job.input, `${dir}/in.sgy`);
    assert.equal(job.output, `${dir}/jobs/out/image.sgy`);
    assert.equal(job.velocity, `${dir}/vel.csv`);
    // functions stay as written; command-line values stay relative to the working folder
    await Deno.writeTextFile(
      path,
      JSON.stringify({ input: "-", output: "o.sgy", velocity: "0:1800,2:3000" }),
    );
    const other = await readJobConfig(path, { output: "here.sgy" });
    assert.deepEqual([other.input, other.output, other.velocity], [
      "-",
      "here.sgy",
      "0:1800,2:3000",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("docs/job-file.md lists every job key, and only those", async () => {
  const doc = await Deno.readTextFile(new URL("../docs/job-file.md", import.meta.url));
  const rows = [...doc.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual([...rows].sort(), [...JOB_KEYS].sort());
});

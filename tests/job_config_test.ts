import assert from "node:assert/strict";
import { parseJobConfig, readJobConfig } from "../pipeline/job/job_config.ts";
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
      [{ input: "a", output: "b", velocity: "1", bogus: 1 }, "(top level)"],
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

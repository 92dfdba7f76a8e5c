import assert from "node:assert/strict";
import { jobFingerprint, sampleChecksum } from "../pipeline/job/fingerprint.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { openJobInput, setupJob } from "../pipeline/job/setup.ts";

const F3 = new URL("../../shared/data/segy/f3.sgy", import.meta.url).pathname;

Deno.test("fingerprint: the same job on the same input hashes alike; what changes the image changes it", async () => {
  const job = parseJobConfig({ input: F3, output: "o.sgy", velocity: "2000", aperture: 500 });
  const input = await openJobInput(job, "unused");
  const setup = await setupJob(job, input);
  const first = (await input.file.readTraces(0, 1)).samples;
  const base = jobFingerprint(job, setup, first);
  assert.match(base, /^[0-9a-f]{16}$/);
  assert.equal(jobFingerprint(job, setup, first.slice()), base);
  // threads, memory, batch size and the output path do not change the image
  for (const same of [{ threads: 3 }, { memory: "1GiB" }, { batchSize: 17 }, { output: "x.sgy" }]) {
    assert.equal(jobFingerprint({ ...job, ...same }, setup, first), base, JSON.stringify(same));
  }
  for (
    const other of [{ velocity: "2100" }, { rho: "2d" as const }, {
      traveltimeTable: "on" as const,
    }]
  ) {
    assert.notEqual(
      jobFingerprint({ ...job, ...other }, setup, first),
      base,
      JSON.stringify(other),
    );
  }
  assert.notEqual(
    jobFingerprint(job, { ...setup, params: { ...setup.params, taper: 0.1 } }, first),
    base,
  );
  const shifted = first.slice();
  shifted[3] += 1;
  assert.notEqual(jobFingerprint(job, setup, shifted), base);
  const statistics = {
    ...setup.geometry.statistics,
    checksum: setup.geometry.statistics.checksum ^ 1,
  };
  const moved = { ...setup, geometry: { ...setup.geometry, statistics } };
  assert.notEqual(jobFingerprint(job, moved, first), base, "another geometry");
  await setup.geometry.release();
  await input.close();
});

Deno.test("fingerprint: the sample checksum sees shifted samples", () => {
  assert.equal(sampleChecksum(new Float32Array([1, 2])), 1 * 1 + 2 * 2);
  assert.notEqual(
    sampleChecksum(new Float32Array([1, 2])),
    sampleChecksum(new Float32Array([2, 1])),
  );
});

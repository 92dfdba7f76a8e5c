/**
 * CPU threads are set in one place, the native context (`pstm_context_create`; the tile
 * parameters carry none since ABI 5), and `--threads N` is honoured: the context reports the
 * team its kernels ran on, and the job summary says it.
 */

import assert from "node:assert/strict";
import { NativeBackend } from "../backends/native/native_backend.ts";
import {
  ensureCpuLibrary,
  makeBatch,
  makePoints,
  makeVelocity,
  plainParams,
} from "../bench/kernel_cases.ts";
import { makeSurvey, migrate, runCli } from "./helpers/migrate_support.ts";

Deno.test("NativeBackend.open threads: the kernels run on that many threads, reported by the context", async () => {
  await ensureCpuLibrary();
  const params = plainParams({ npoints: 64 });
  const points = makePoints({ kind: "grid", nx: 8, ny: 8, spacing: 25 });
  const batch = makeBatch({
    count: 200,
    extentX: 200,
    extentY: 200,
    maxHalfOffset: 300,
    azimuthSpreadDeg: 180,
    nclass: 1,
    ns: params.ns,
    integrated: false,
    seed: 3,
  });
  for (const threads of [1, 3]) {
    using backend = NativeBackend.open("cpu", { threads });
    assert.equal(backend.threads, threads, "before any batch: the count it will use");
    const tile = backend.openTile({ params, points, velocity: makeVelocity(params) });
    await tile.accumulate(batch);
    await tile.finish();
    tile.close();
    // the OpenMP team of the batch, as the library saw it
    assert.equal(backend.threads, threads, `team of the batch with threads ${threads}`);
    assert.equal(backend.stats().threads, threads);
    assert.ok(backend.stats().contributions > 0);
  }
  using all = NativeBackend.open("cpu");
  assert.ok(all.threads >= 1, `0: all cores, got ${all.threads}`);
});

Deno.test("pstm migrate --threads N: the summary reports the N threads the kernels ran on", async () => {
  const survey = await makeSurvey("small3d");
  try {
    const { summary } = await migrate(survey, "three.sgy", { threads: 3 });
    assert.equal(summary.threads, 3);
    const out = `${survey.dir}/cli.sgy`;
    const run = await runCli([
      "migrate",
      survey.path,
      "-o",
      out,
      "--velocity",
      survey.velocity,
      "--grid",
      survey.grid,
      "--plain",
      "--threads",
      "2",
      "--log",
      "json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const events = run.stderr.trim().split("\n").map((line) => JSON.parse(line));
    const done = events.find((e) => e.event === "summary");
    assert.ok(done, run.stderr);
    assert.equal(done.threads, 2, JSON.stringify(done));
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

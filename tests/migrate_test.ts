import assert from "node:assert/strict";
import { ReferenceBackend } from "../backends/reference/reference_backend.ts";
import { PstmError } from "../core/errors.ts";
import { findFocus, readStack } from "../pipeline/qc/focus.ts";
import { binOf, parseGridFlag } from "../pipeline/plan/grid.ts";
import { Manifest } from "../pipeline/output/manifest.ts";
import { mergeShards } from "../cli/merge.ts";
import {
  makeSurvey,
  migrate,
  readAllSamples,
  relativeL2,
  type Survey,
} from "./helpers/migrate_support.ts";

const FULL = {
  aperture: 500,
  maxAngle: 70,
  taper: 0.2,
  aa: true,
  rho: "3d",
  weights: "obliquity",
};

async function assertFocused(survey: Survey, output: string, nclass: number) {
  const grid = parseGridFlag(survey.grid);
  const stack = await readStack(output, grid, nclass);
  for (const d of survey.spec.diffractors) {
    const focus = findFocus(stack, d.x, d.y, d.tau);
    const b = binOf(grid, d.x, d.y);
    assert.equal(focus.ix, Math.round(b.ix), `diffractor at ${d.x},${d.y}: ix`);
    assert.equal(focus.iy, Math.round(b.iy), `diffractor at ${d.x},${d.y}: iy`);
    assert.ok(
      Math.abs(focus.tau - d.tau) <= stack.time.dtau * 0.5 + 1e-9,
      `diffractor at tau ${d.tau} focused at ${focus.tau}`,
    );
  }
  return stack;
}

Deno.test("runMigration focuses 3-D diffractors at their bin and sample, plain and full mode", async () => {
  const survey = await makeSurvey("small3d");
  const plain = await migrate(survey, "plain.sgy");
  assert.ok(plain.summary.complete);
  assert.equal(plain.summary.backend, "cpu");
  assert.ok(plain.summary.contributions > 0);
  await assertFocused(survey, plain.output, 1);
  const full = await migrate(survey, "full.sgy", { ...FULL, offsetClasses: "0:300:2" });
  await assertFocused(survey, full.output, 2);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("runMigration images a flat reflector flat at its true time", async () => {
  const survey = await makeSurvey("small3d", { diffractors: [], nx: 31, ny: 31 });
  const { output } = await migrate(survey, "flat.sgy", { aperture: 400, rho: "3d" });
  const grid = parseGridFlag(survey.grid);
  const stack = await readStack(output, grid, 1);
  const tau = survey.spec.reflectors[0].tau0;
  for (const [ix, iy] of [[15, 15], [12, 14], [18, 16], [14, 19]]) {
    const x = grid.x0 + ix * grid.dx, y = grid.y0 + iy * grid.dy;
    const focus = findFocus(stack, x, y, tau, 0);
    assert.ok(
      Math.abs(focus.tau - tau) <= stack.time.dtau * 0.5 + 1e-9,
      `bin ${ix},${iy}: ${focus.tau}`,
    );
    // with the rho filter the reflector keeps the input wavelet's polarity: a positive peak
    const trace = stack.data.subarray((iy * grid.nx + ix) * stack.time.ntau);
    assert.ok(trace[focus.it] > 0, `bin ${ix},${iy}: polarity ${trace[focus.it]}`);
  }
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("runMigration focuses 2-D line diffractors, plain and full mode (rho 2d)", async () => {
  const survey = await makeSurvey("line2d", { reflectors: [] });
  const plain = await migrate(survey, "plain.sgy");
  await assertFocused(survey, plain.output, 1);
  const full = await migrate(survey, "full.sgy", { ...FULL, rho: "2d", aperture: 800 });
  await assertFocused(survey, full.output, 1);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("runMigration: cpu agrees with the reference backend (plain 1e-4, full 1e-3)", async () => {
  for (const preset of ["small3d", "wide3d"]) {
    const survey = await makeSurvey(preset, { ns: 120 });
    for (const [mode, options, tolerance] of [["plain", {}, 1e-4], ["full", FULL, 1e-3]] as const) {
      const cpu = await migrate(survey, `${mode}-cpu.sgy`, options);
      const reference = await migrate(survey, `${mode}-ref.sgy`, options, {
        backend: new ReferenceBackend(),
      });
      assert.equal(reference.summary.backend, "reference");
      const misfit = relativeL2(
        await readAllSamples(cpu.output),
        await readAllSamples(reference.output),
      );
      assert.ok(misfit <= tolerance, `${preset} ${mode}: relative L2 ${misfit}`);
    }
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("runMigration with a budget forcing many tiles and passes equals the in-memory run", async () => {
  const survey = await makeSurvey("small3d");
  const whole = await migrate(survey, "whole.sgy", { aperture: 200, offsetClasses: "0:300:2" });
  assert.equal(whole.summary.tiles, 1);
  const tiled = await migrate(survey, "tiled.sgy", {
    aperture: 200,
    offsetClasses: "0:300:2",
    memory: "260KiB",
    batchSize: 16,
    tileBins: [3, 2],
  });
  assert.ok(tiled.summary.tiles > 10, `tiles ${tiled.summary.tiles}`);
  assert.ok(tiled.summary.passes > 1, `passes ${tiled.summary.passes}`);
  const misfit = relativeL2(await readAllSamples(tiled.output), await readAllSamples(whole.output));
  assert.ok(misfit <= 1e-6, `relative L2 ${misfit}`);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("runMigration rejects a budget smaller than one tile plus a batch, up front", async () => {
  const survey = await makeSurvey("small3d");
  await assert.rejects(
    () => migrate(survey, "x.sgy", { memory: "10KiB" }),
    (e: unknown) => e instanceof PstmError && e.exitCode === 2 && /--memory/.test(e.message),
  );
  await assert.rejects(
    () => migrate(survey, "x.sgy", { velocity: "0:2000,1:-5" }),
    (e: unknown) => e instanceof PstmError && e.exitCode === 2,
  );
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("runMigration resumes after a crash without redoing finished tiles", async () => {
  const survey = await makeSurvey("small3d");
  const options = { aperture: 200, tileBins: [4, 4] };
  const clean = await migrate(survey, "clean.sgy", options);
  let finished = 0;
  await assert.rejects(() =>
    migrate(survey, "crash.sgy", options, {
      onTile: () => {
        if (++finished === 3) throw new Error("simulated crash");
      },
    }), /simulated crash/);
  const output = `${survey.dir}/crash.sgy`;
  await assert.rejects(() => Deno.stat(output), Deno.errors.NotFound); // never mistaken for complete
  const manifest = await Manifest.peek(`${output}.manifest`);
  assert.equal(manifest?.done.size, 3);
  const resumed = await migrate(survey, "crash.sgy", { ...options, resume: true });
  assert.equal(resumed.summary.tilesResumed, 3);
  assert.equal(resumed.summary.tilesWritten, clean.summary.tiles - 3);
  assert.deepEqual(await readAllSamples(output), await readAllSamples(clean.output));
  await assert.rejects(() => Deno.stat(`${output}.manifest`), Deno.errors.NotFound);
  const again = await migrate(survey, "crash.sgy", { ...options, resume: true });
  assert.equal(again.summary.tilesWritten, 0); // already complete
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("runMigration shards assemble into the single-run image", async () => {
  const survey = await makeSurvey("small3d");
  const options = { aperture: 200, tileBins: [4, 3] };
  const single = await migrate(survey, "single.sgy", options);
  const first = await migrate(survey, "sharded.sgy", { ...options, shard: "0/3" });
  assert.equal(first.summary.complete, false);
  await assert.rejects(() => mergeShards(`${survey.dir}/sharded.sgy`, 3), PstmError);
  await migrate(survey, "sharded.sgy", { ...options, shard: "2/3" });
  const last = await migrate(survey, "sharded.sgy", { ...options, shard: "1/3" });
  assert.equal(last.summary.complete, true); // the last shard finalizes
  const misfit = relativeL2(
    await readAllSamples(`${survey.dir}/sharded.sgy`),
    await readAllSamples(single.output),
  );
  assert.ok(misfit <= 1e-6, `relative L2 ${misfit}`);
  assert.match(await mergeShards(`${survey.dir}/sharded.sgy`, 3), /already complete/);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("runMigration reports a NaN sample by trace and field, or zeroes and counts it on request", async () => {
  const survey = await makeSurvey("small3d");
  // trace 7, sample 20 of the IEEE big-endian survey becomes NaN
  const traceBytes = 240 + 4 * survey.spec.ns;
  const file = await Deno.open(survey.path, { write: true });
  await file.seek(3600 + 7 * traceBytes + 240 + 4 * 20, Deno.SeekMode.Start);
  await file.write(new Uint8Array([0x7f, 0xc0, 0x00, 0x00]));
  file.close();
  await assert.rejects(
    () => migrate(survey, "nan.sgy", { aperture: 250 }),
    (e: unknown) =>
      e instanceof PstmError && e.exitCode === 2 && /trace 7/.test(e.message) &&
      /samples/.test(e.message) && /zero-non-finite/.test(e.message),
  );
  const zeroed = await migrate(survey, "zeroed.sgy", { aperture: 250, zeroNonFinite: true });
  assert.equal(zeroed.summary.nonFiniteZeroed, 1);
  const image = await readAllSamples(zeroed.output);
  assert.ok(image.every(Number.isFinite), "no NaN spreads into the image");
  await Deno.remove(survey.dir, { recursive: true });
});

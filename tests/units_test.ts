/**
 * Surveys in feet (binary header measurement system 2): velocities in ft/s, the unit in the
 * summary, the scan and the output's binary header, the plausibility checks in the survey's
 * unit, and the velocity-unit check that refuses velocities in the other unit.
 */

import assert from "node:assert/strict";
import { foldMapOptions } from "../cli/scan.ts";
import { checkJob } from "../pipeline/job/job_checks.ts";
import { parseGridFlag } from "../pipeline/plan/grid.ts";
import { formatScanSummary, scanSegy } from "../pipeline/plan/scan.ts";
import { findFocus, readStack } from "../pipeline/qc/focus.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { METRES_PER_FOOT, surveyUnits } from "../pipeline/segy/units.ts";
import { synthInFeet, synthPreset } from "../pipeline/synth/synth.ts";
import {
  makeSurvey,
  migrate,
  readAllSamples,
  relativeL2,
  runCli,
} from "./helpers/migrate_support.ts";

Deno.test("a survey in feet migrated with ft/s focuses its diffractor where the metric survey does", async () => {
  const metric = await makeSurvey("small3d");
  const feet = await makeSurvey("small3d", synthInFeet(synthPreset("small3d")));
  try {
    {
      using file = await SegyFile.open(feet.path);
      assert.equal(file.info.measurementSystem, 2);
    }
    // the same aperture in each unit
    const m = await migrate(metric, "m.sgy", { aperture: 300 });
    const ft = await migrate(feet, "ft.sgy", { aperture: 300 / METRES_PER_FOOT });
    assert.deepEqual(m.summary.settings?.units, surveyUnits(1));
    assert.deepEqual(ft.summary.settings?.units, {
      length: "ft",
      velocity: "ft/s",
      measurementSystem: 2,
    });
    for (const [out, system] of [[m.output, 1], [ft.output, 2]] as const) {
      using file = await SegyFile.open(out);
      assert.equal(file.info.measurementSystem, system, `${out}: the input's measurement system`);
    }
    const d = metric.spec.diffractors[0], df = feet.spec.diffractors[0];
    const focusM = findFocus(
      await readStack(m.output, parseGridFlag(metric.grid), 1),
      d.x,
      d.y,
      d.tau,
    );
    const focusFt = findFocus(
      await readStack(ft.output, parseGridFlag(feet.grid), 1),
      df.x,
      df.y,
      df.tau,
    );
    assert.deepEqual([focusFt.ix, focusFt.iy, focusFt.it], [focusM.ix, focusM.iy, focusM.it]);
    assert.ok(Math.abs(focusFt.x * METRES_PER_FOOT - focusM.x) < 1e-6, `x ${focusFt.x} ft`);
    assert.ok(Math.abs(focusFt.y * METRES_PER_FOOT - focusM.y) < 1e-6, `y ${focusFt.y} ft`);
    assert.equal(focusFt.tau, focusM.tau);
    assert.ok(
      Math.abs(focusM.tau - d.tau) <= metric.spec.dt + 1e-9,
      `metric focus at ${focusM.tau}`,
    );
    // the images themselves agree (the same traveltimes, float rounding aside)
    const misfit = relativeL2(await readAllSamples(ft.output), await readAllSamples(m.output));
    assert.ok(misfit < 1e-3, `feet vs metres image misfit ${misfit}`);
    console.log(
      `focus: metres (${focusM.x}, ${focusM.y}) m at ${focusM.tau} s, feet (${
        focusFt.x.toFixed(2)
      }, ` +
        `${focusFt.y.toFixed(2)}) ft at ${focusFt.tau} s; image misfit ${misfit.toExponential(2)}`,
    );
  } finally {
    await Deno.remove(metric.dir, { recursive: true });
    await Deno.remove(feet.dir, { recursive: true });
  }
});

Deno.test("pstm scan prints the survey's unit; full-mode defaults are in it", async () => {
  const feet = await makeSurvey("small3d", synthInFeet(synthPreset("small3d")));
  try {
    using file = await SegyFile.open(feet.path);
    const scanned = await scanSegy(file);
    const text = formatScanSummary(scanned);
    // the fold map of pstm scan --plot is labelled in feet too
    const fold = foldMapOptions(feet.path, scanned);
    assert.equal(fold.xLabel, "along the inline axis (ft)");
    assert.equal(fold.yLabel, "across (ft)");
    assert.equal(fold.xAxis?.step, scanned.grid.dx);
    assert.match(text, /^units +ft, velocities in ft\/s \(binary header measurement system 2\)$/m);
    assert.match(text, /^spacing +82\.02 ft along/m);
    // coordinates rounded to centi-feet: the grid's azimuth is still 0 (was 360.00)
    assert.match(text, /^ {2}--grid 3280\.84,6561\.68,82\.02,82\.02,13,11,0$/m);
    // full mode on the feet survey: no check refuses it, the defaults are in feet
    const { summary } = await migrate(feet, "full.sgy", { plain: false });
    assert.match(summary.settings!.reasons.aperture, /ft/);
  } finally {
    await Deno.remove(feet.dir, { recursive: true });
  }
});

/** checkJob's velocity-unit check on a survey in `system` with velocities up to `max`. */
function unitCheck(system: number, max: number, replacementVelocity?: number, skip: string[] = []) {
  return checkJob({
    grid: { x0: 0, y0: 0, dx: 10, dy: 10, nx: 2, ny: 2, azimuthDeg: 0 },
    classes: { first: 0, width: 1e9, count: 1 },
    classesGiven: false,
    gridGiven: false,
    velocity: String(max),
    velocityRange: { min: max / 2, max, units: surveyUnits(system) },
    ...(replacementVelocity !== undefined ? { replacementVelocity } : {}),
    recordEnd: 4,
    skip: new Set(skip as never[]),
  });
}

Deno.test("velocity-unit check: ft/s on a metric survey and m/s on a feet survey are refused", async () => {
  // in their own unit: accepted
  await unitCheck(1, 4500);
  await unitCheck(0, 6500); // not stated: metres
  await unitCheck(2, 14000);
  await unitCheck(2, 6000);
  await unitCheck(2, 14000, 6000); // replacement velocity in ft/s
  // ft/s on a metric survey
  await assert.rejects(
    unitCheck(1, 14000),
    /--velocity: the fastest velocity is 14000 m\/s, faster than RMS velocities of rock \(below 7000 m\/s\); the survey is in metres \(binary header measurement system 1\): velocities in ft\/s\?.*--no-check velocity-unit/,
  );
  await assert.rejects(
    unitCheck(0, 9000),
    /read as metres \(binary header measurement system 0: not stated\)/,
  );
  // m/s on a feet survey
  await assert.rejects(
    unitCheck(2, 3000),
    /the fastest velocity is 3000 ft\/s, 914 m\/s: slower than water.*survey is in feet.*velocities in m\/s\? give velocities in ft\/s/,
  );
  await assert.rejects(
    unitCheck(2, 30000),
    /faster than RMS velocities of rock \(below 22966 ft\/s\)/,
  );
  // the replacement velocity
  await assert.rejects(
    unitCheck(1, 4000, 8000),
    /--replacement-velocity: the replacement velocity is 8000 m\/s/,
  );
  // the override
  await unitCheck(1, 14000, 8000, ["velocity-unit"]);
});

Deno.test("pstm migrate: ft/s velocities on a metric survey exit 2 naming the velocity, --no-check runs", async () => {
  const metric = await makeSurvey("small3d");
  try {
    const base = [
      "migrate",
      metric.path,
      "-o",
      `${metric.dir}/o.sgy`,
      "--grid",
      metric.grid,
      "--plain",
    ];
    const feetVelocity = "0:6562,0.6:7874"; // small3d's 2000..2400 m/s in ft/s
    const refused = await runCli([...base, "--velocity", feetVelocity]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /--velocity: the fastest velocity is 78\d\d m\/s.*velocities in ft\/s\?/,
    );
    assert.match(refused.stderr, /--no-check velocity-unit/);
    const forced = await runCli([
      ...base,
      "--velocity",
      feetVelocity,
      "--no-check",
      "velocity-unit",
    ]);
    assert.equal(forced.code, 0, forced.stderr);
  } finally {
    await Deno.remove(metric.dir, { recursive: true });
  }
});

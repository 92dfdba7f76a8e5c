/**
 * Full-mode defaults: `pstm migrate IN -o OUT --velocity V` antialiases with the survey's own
 * trace spacing along each grid axis, picks the rho filter for the survey's dimensionality, an
 * angle limit, a taper and an aperture from the survey, and says so; `--plain` is the bare
 * formula.
 */

import assert from "node:assert/strict";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { resolveSettings } from "../pipeline/job/defaults.ts";
import { SpacingMeter } from "../pipeline/plan/trace_spacing.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { scanSegy } from "../pipeline/plan/scan.ts";
import {
  makeSurvey,
  migrate,
  readAllSamples,
  relativeL2,
  runCli,
} from "./helpers/migrate_support.ts";

Deno.test("SpacingMeter: sail lines 100 m apart on 25 m bins measure 100 m across, 25 m along", () => {
  // a narrow-azimuth survey rotated by 30 degrees: CMPs every 12.5 m along, lines 100 m apart
  const grid = { x0: 500, y0: 200, dx: 25, dy: 25, nx: 80, ny: 80, azimuthDeg: 30 };
  const meter = new SpacingMeter(grid);
  const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
  for (let a = 0; a < 2000; a += 12.5) {
    for (let b = 0; b < 2000; b += 100) meter.add(500 + a * c - b * s, 200 + a * s + b * c);
  }
  const m = meter.result();
  assert.equal(m.dimensions, 3);
  assert.equal(m.along, 25);
  assert.equal(m.across, 100);
  assert.match(m.how, /3-D survey/);
});

Deno.test("SpacingMeter: a 2-D line uses its CMP interval on both axes, whatever dy is", () => {
  const grid = { x0: 0, y0: 0, dx: 12.5, dy: 1, nx: 161, ny: 1, azimuthDeg: 0 };
  const meter = new SpacingMeter(grid);
  for (let x = 0; x <= 2000; x += 12.5) meter.add(x, 0.3 * Math.sin(x)); // a little feathering
  const m = meter.result();
  assert.equal(m.dimensions, 2);
  assert.equal(m.along, 12.5);
  assert.equal(m.across, 12.5);
});

Deno.test("pstm scan on a 2-D line suggests square bins and the CMP interval as AA spacing", async () => {
  const survey = await makeSurvey("line2d");
  try {
    using file = await SegyFile.open(survey.path);
    const s = await scanSegy(file);
    assert.equal(s.grid.ny, 1);
    assert.equal(s.grid.dy, s.grid.dx, "dy is not 1 m on a line");
    assert.equal(s.traceSpacing.dimensions, 2);
    assert.equal(s.traceSpacing.along, 12.5);
    assert.equal(s.traceSpacing.across, 12.5);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("resolveSettings: full mode from the survey, plain mode, and given keys win", () => {
  const base = { input: "a.sgy", output: "b.sgy", velocity: "2000" };
  const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 40, ny: 40, azimuthDeg: 0 };
  const spacing = {
    dimensions: 3 as const,
    along: 25,
    across: 100,
    extentAlong: 1000,
    extentAcross: 1000,
    how: "3-D survey",
  };
  const survey = { grid, gridFrom: "--grid", spacing, tmax: 2, vmax: 3000 };
  const full = resolveSettings(parseJobConfig(base), survey);
  assert.deepEqual(
    [
      full.mode,
      full.aa,
      full.rho,
      full.traceSpacing,
      full.traceSpacingY,
      full.maxAngle,
      full.taper,
    ],
    ["full", true, "3d", 25, 100, 60, 0.2],
  );
  // 60-degree reach at 2 s and 3000 m/s is 5196 m: the survey's 1414 m diagonal caps it
  assert.equal(full.aperture, 1420);
  assert.match(full.reasons.aperture, /midpoint extent/);
  const plain = resolveSettings(parseJobConfig({ ...base, plain: true }), survey);
  assert.deepEqual(
    [plain.aa, plain.rho, plain.aperture, plain.maxAngle, plain.taper],
    [false, "none", 0, 0, 0],
  );
  const given = resolveSettings(
    parseJobConfig({
      ...base,
      rho: "2d",
      aperture: 500,
      maxAngle: 30,
      traceSpacing: 12.5,
      traceSpacingY: 50,
    }),
    survey,
  );
  assert.deepEqual(
    [given.rho, given.aperture, given.maxAngle, given.traceSpacing, given.traceSpacingY],
    ["2d", 500, 30, 12.5, 50],
  );
  assert.match(given.reasons.rho, /given/);
});

Deno.test("resolveSettings: the traveltime table only with eta and one v(tau)", () => {
  const base = { input: "a.sgy", output: "b.sgy", velocity: "2000" };
  const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 40, ny: 40, azimuthDeg: 0 };
  const spacing = {
    dimensions: 3 as const,
    along: 25,
    across: 25,
    extentAlong: 1000,
    extentAcross: 1000,
    how: "3-D survey",
  };
  const layered = {
    grid,
    gridFrom: "--grid",
    spacing,
    tmax: 2,
    vmax: 3000,
    laterallyConstant: true,
  };
  const lateral = { ...layered, laterallyConstant: false };
  const table = (job: Record<string, unknown>, survey = layered) =>
    resolveSettings(parseJobConfig({ ...base, ...job }), survey).traveltimeTable;
  // measured faster only there (docs/performance.md); direct everywhere else
  assert.equal(table({ eta: 0.1, aa: false }), "on");
  assert.equal(table({ eta: 0.1, plain: true }), "on");
  assert.equal(table({ eta: 0.1 }), "on", "antialiased");
  assert.equal(table({ aa: false }), "off", "no eta");
  assert.equal(table({}), "off");
  assert.equal(table({ plain: true }), "off");
  assert.equal(table({ eta: 0.1 }, lateral), "off", "velocity varies between bins");
  // given wins, and "on" with a laterally varying velocity is refused, naming the flag
  assert.equal(table({ traveltimeTable: "on" }), "on");
  assert.equal(table({ eta: 0.1, aa: false, traveltimeTable: "off" }), "off");
  assert.throws(
    () => table({ traveltimeTable: "on" }, lateral),
    /--traveltime-table on needs a velocity that is one v\(tau\) in every bin/,
  );
  assert.throws(() => parseJobConfig({ ...base, traveltimeTable: "auto" }), /traveltime/);
});

Deno.test("pstm migrate with only input, output and velocity runs full mode on a 2-D line", async () => {
  const survey = await makeSurvey("line2d");
  try {
    const out = `${survey.dir}/image.sgy`;
    const run = await runCli(["migrate", survey.path, "-o", out, "--velocity", survey.velocity]);
    assert.equal(run.code, 0, run.stderr);
    // the summary says what was used and why
    assert.match(run.stderr, /mode {9}full/);
    assert.match(run.stderr, /rho {10}2d \(the survey is a 2-D line\)/);
    assert.match(run.stderr, /antialiasing on, 12\.50 m along the azimuth, 12\.50 m across/);
    assert.match(run.stderr, /aperture {5}\d+ m \(/);
    assert.match(run.stderr, /grid {9}161 x 1 bins of 12\.50 x 12\.50 m .*suggested by the scan/);
    // and it is the same image as the settings given by hand
    const json = await runCli([
      "migrate",
      survey.path,
      "-o",
      `${survey.dir}/json.sgy`,
      "--velocity",
      survey.velocity,
      "--log",
      "json",
    ]);
    const settings = json.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) =>
      JSON.parse(l)
    ).find((e) => e.event === "settings");
    assert.ok(settings, json.stderr);
    const byHand = await migrate(survey, "by-hand.sgy", {
      grid: undefined,
      aa: true,
      rho: "2d",
      traceSpacing: 12.5,
      maxAngle: 60,
      taper: 0.2,
      aperture: settings.aperture,
    });
    const misfit = relativeL2(await readAllSamples(out), await readAllSamples(byHand.output));
    assert.ok(misfit < 1e-6, `default vs by hand: ${misfit}`);
    // --plain is the bare formula, and a different image
    const plainRun = await runCli([
      "migrate",
      survey.path,
      "-o",
      `${survey.dir}/plain.sgy`,
      "--velocity",
      survey.velocity,
      "--plain",
      "--quiet",
    ]);
    assert.equal(plainRun.code, 0, plainRun.stderr);
    const bare = await migrate(survey, "bare.sgy", { grid: undefined });
    const plainImage = await readAllSamples(`${survey.dir}/plain.sgy`);
    assert.ok(relativeL2(plainImage, await readAllSamples(bare.output)) < 1e-6);
    assert.ok(relativeL2(plainImage, await readAllSamples(out)) > 0.1);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("pstm migrate picks rho 3d and per-axis spacing on a 3-D survey", async () => {
  const survey = await makeSurvey("small3d");
  try {
    const run = await runCli([
      "migrate",
      survey.path,
      "-o",
      `${survey.dir}/image.sgy`,
      "--velocity",
      survey.velocity,
      "--grid",
      survey.grid,
      "--aa-spacing",
      "20,40",
      "--log",
      "json",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const events = run.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) =>
      JSON.parse(l)
    );
    const settings = events.find((e) => e.event === "settings");
    assert.equal(settings.rho, "3d");
    assert.equal(settings.traceSpacing, 20);
    assert.equal(settings.traceSpacingY, 40);
    assert.equal(settings.reasons.grid, "--grid");
    const bad = await runCli([
      "migrate",
      survey.path,
      "-o",
      `${survey.dir}/x.sgy`,
      "--velocity",
      "2000",
      "--aa-spacing",
      "0,5",
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--aa-spacing.*DX\[,DY\]/);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

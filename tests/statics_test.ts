/**
 * Elevation statics to a flat datum (`--datum`, `--replacement-velocity`) on a synthetic with
 * topography (pipeline/synth `topography`): its diffractor focuses at its bin and time only
 * when the datum is applied, as the flat survey's does; a datum without a replacement velocity
 * exits 2 naming the field.
 */

import assert from "node:assert/strict";
import { datumShift, shiftTrace } from "../pipeline/dsp/statics.ts";
import { binOf, parseGridFlag } from "../pipeline/plan/grid.ts";
import { findFocus, readStack } from "../pipeline/qc/focus.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { makeSurvey, migrate, runCli } from "./helpers/migrate_support.ts";

const TOPOGRAPHY = { datum: 100, amplitude: 30, wavelength: 300, replacementVelocity: 1500 };

Deno.test("datumShift and shiftTrace: up for a surface above the datum, fractional shifts interpolate", () => {
  const spec = { datum: 0, replacementVelocity: 1000 };
  assert.equal(datumShift(10, 30, spec), -0.04);
  assert.equal(datumShift(-5, -5, spec), 0.01);
  const trace = new Float32Array([0, 0, 2, 0, 0]);
  shiftTrace(trace, 0.002, 0.004, new Float32Array(5)); // half a sample later
  assert.deepEqual([...trace], [0, 0, 1, 1, 0]);
});

Deno.test("a survey with topography focuses only with elevation statics to the datum", async () => {
  const flat = await makeSurvey("small3d");
  const land = await makeSurvey("small3d", { topography: TOPOGRAPHY });
  try {
    {
      using file = await SegyFile.open(land.path);
      const h = await file.readHeaders(0, file.info.traceCount, ["selev", "gelev"]);
      const range = (a: Float64Array) => [Math.min(...a), Math.max(...a)];
      const [lo, hi] = range(h.headers.selev);
      assert.ok(lo >= 100 && hi > 150, `source elevations ${lo}..${hi}`);
      assert.ok(range(h.headers.gelev)[1] > 150);
    }
    const grid = parseGridFlag(flat.grid);
    const d = flat.spec.diffractors[0];
    const focusOf = async (survey: typeof flat, name: string, options = {}) => {
      const { output } = await migrate(survey, name, { aperture: 300, ...options });
      return findFocus(await readStack(output, grid, 1), d.x, d.y, d.tau);
    };
    const reference = await focusOf(flat, "flat.sgy");
    const datumed = await focusOf(land, "datum.sgy", { datum: 100, replacementVelocity: 1500 });
    const raw = await focusOf(land, "raw.sgy");
    const b = binOf(grid, d.x, d.y);
    const dtau = flat.spec.dt;
    // with the datum: the flat survey's focus, at the diffractor's bin and time
    assert.equal(datumed.ix, Math.round(b.ix));
    assert.equal(datumed.iy, Math.round(b.iy));
    assert.ok(Math.abs(datumed.tau - d.tau) <= dtau + 1e-9, `datumed at ${datumed.tau}`);
    assert.ok(
      datumed.energy > 0.8 * reference.energy,
      `datumed ${datumed.energy} vs flat ${reference.energy}`,
    );
    // without: late and smeared
    assert.ok(
      Math.abs(raw.tau - d.tau) > 2 * dtau || raw.energy < 0.5 * reference.energy,
      `raw focus at ${raw.tau} s, energy ${raw.energy} (flat ${reference.energy})`,
    );
    console.log(
      `focus energy: flat ${reference.energy.toFixed(2)}, datumed ${datumed.energy.toFixed(2)} ` +
        `at ${datumed.tau} s, raw ${raw.energy.toFixed(2)} at ${raw.tau} s`,
    );
  } finally {
    await Deno.remove(flat.dir, { recursive: true });
    await Deno.remove(land.dir, { recursive: true });
  }
});

Deno.test("--datum without --replacement-velocity exits 2 naming the field, nothing written", async () => {
  const survey = await makeSurvey("small3d");
  try {
    const out = `${survey.dir}/bad.sgy`;
    const base = ["migrate", survey.path, "-o", out, "--velocity", survey.velocity];
    const noVelocity = await runCli([...base, "--datum", "100"]);
    assert.equal(noVelocity.code, 2, noVelocity.stderr);
    assert.match(noVelocity.stderr, /--replacement-velocity: a datum needs a replacement velocity/);
    const noDatum = await runCli([...base, "--replacement-velocity", "1500"]);
    assert.equal(noDatum.code, 2, noDatum.stderr);
    assert.match(noDatum.stderr, /field --datum: a replacement velocity needs a datum/);
    const slow = await runCli([...base, "--datum", "100", "--replacement-velocity", "10"]);
    assert.equal(slow.code, 2);
    assert.match(slow.stderr, /--replacement-velocity must be a number in \[100, 100000\]/);
    const left = [...Deno.readDirSync(survey.dir)].filter((e) => e.name.startsWith("bad"));
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

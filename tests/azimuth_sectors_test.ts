/**
 * Azimuth-sectored gathers (`--azimuth-sectors`) on the wide-azimuth synthetic: the output
 * holds offset class x azimuth sector per bin, each sector focuses the diffractor at its bin
 * and time, the sectors sum to the stack, the headers carry the class's offset and the
 * sector's azimuth; a sector count of 0 or edges out of order exit 2 naming the field.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { binOf, parseGridFlag } from "../pipeline/plan/grid.ts";
import {
  parseAzimuthSectors,
  sectorOf,
  traceAzimuth,
  traceClassOf,
} from "../pipeline/plan/offset_classes.ts";
import { findFocus } from "../pipeline/qc/focus.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { makeSurvey, migrate, readAllSamples, runCli } from "./helpers/migrate_support.ts";

Deno.test("parseAzimuthSectors: counts, edges and refusals naming the field", () => {
  assert.deepEqual(parseAzimuthSectors("3").edges, [0, 60, 120, 180]);
  assert.deepEqual(parseAzimuthSectors("10, 80,170").edges, [10, 80, 170]);
  for (
    const [text, pattern] of [
      ["0", /integer of at least 1/],
      ["2.5", /integer of at least 1/],
      ["0,90,90", /edges must increase: 90 after 90/],
      ["0,200", /0\.\.180/],
      ["a", /sector count N or edges/],
    ] as const
  ) {
    assert.throws(() => parseAzimuthSectors(text), (e) => {
      assert(e instanceof PstmError && e.exitCode === 2);
      assert.match(e.message, /--azimuth-sectors/);
      assert.match(e.message, pattern);
      return true;
    }, text);
  }
});

Deno.test("traceAzimuth folds onto 0..180 from north; traceClassOf = offsetClass * n + sector", () => {
  assert.equal(traceAzimuth(0, 0, 0, 10), 0);
  assert.equal(traceAzimuth(0, 0, 10, 10), 45);
  assert.equal(traceAzimuth(10, 10, 0, 0), 45); // the reciprocal trace
  assert.equal(traceAzimuth(0, 0, -10, 10), 135);
  const sectors = parseAzimuthSectors("4");
  assert.equal(sectorOf(135, sectors), 3);
  const classes = { first: 0, width: 300, count: 2, sectors };
  assert.equal(traceClassOf(400, 100, classes), 1 * 4 + 2);
  assert.equal(traceClassOf(700, 100, classes), -1);
  assert.equal(traceClassOf(100, 5, { ...classes, sectors: parseAzimuthSectors("10,90") }), -1);
});

Deno.test("migrate --azimuth-sectors 4 on wide3d: each sector focuses, the sectors sum to the stack", async () => {
  const survey = await makeSurvey("wide3d");
  try {
    const sectored = await migrate(survey, "sectors.sgy", {
      offsetClasses: "0:1000:1",
      azimuthSectors: "4",
    });
    const stack = await migrate(survey, "stack.sgy", { offsetClasses: "0:1000:1" });
    const a = await readAllSamples(sectored.output), s = await readAllSamples(stack.output);
    using file = await SegyFile.open(sectored.output);
    const ntau = file.info.ns;
    const grid = parseGridFlag(survey.grid);
    const bins = grid.nx * grid.ny;
    assert.equal(file.info.traceCount, bins * 4);
    // the sum over sectors is the stack
    let diff = 0, norm = 0;
    for (let b = 0; b < bins; b++) {
      for (let it = 0; it < ntau; it++) {
        let sum = 0;
        for (let k = 0; k < 4; k++) sum += a[(b * 4 + k) * ntau + it];
        diff += (sum - s[b * ntau + it]) ** 2;
        norm += s[b * ntau + it] ** 2;
      }
    }
    assert.ok(Math.sqrt(diff / norm) < 1e-5, `sectors vs stack: ${Math.sqrt(diff / norm)}`);
    // each sector alone focuses the diffractor at its bin and time
    const time = { tau0: file.info.t0, dtau: file.info.dt, ntau };
    const energies: number[] = [];
    for (let k = 0; k < 4; k++) {
      const data = new Float32Array(bins * ntau);
      for (let b = 0; b < bins; b++) {
        data.set(a.subarray((b * 4 + k) * ntau, (b * 4 + k + 1) * ntau), b * ntau);
      }
      for (const d of survey.spec.diffractors) {
        const focus = findFocus({ grid, time, data }, d.x, d.y, d.tau);
        const b = binOf(grid, d.x, d.y);
        assert.ok(focus.energy > 0, `sector ${k} has energy`);
        // the diffractor lies between bin centres (ix 8.46, iy 6.66): within a bin of it
        assert.ok(Math.abs(focus.ix - b.ix) < 1, `sector ${k}: ix ${focus.ix} vs ${b.ix}`);
        assert.ok(Math.abs(focus.iy - b.iy) < 1, `sector ${k}: iy ${focus.iy} vs ${b.iy}`);
        energies.push(focus.energy);
        assert.ok(Math.abs(focus.tau - d.tau) <= time.dtau + 1e-9, `sector ${k}: tau ${focus.tau}`);
      }
    }
    // every sector holds a comparable share of the traces (wide azimuth): no sector is empty
    const peak = Math.max(...energies);
    assert.ok(energies.every((e) => e > 0.2 * peak), `sector focus energies ${energies}`);
    // headers: the class's offset and the sector's azimuth, CDP number per bin
    const h = await file.readHeaders(0, 8, ["offset", "azim", "cdp"]);
    assert.deepEqual([...h.headers.azim], [23, 68, 113, 158, 23, 68, 113, 158]);
    assert.deepEqual([...h.headers.offset], new Array(8).fill(500));
    assert.deepEqual([...h.headers.cdp], [1, 1, 1, 1, 2, 2, 2, 2]);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("migrate --azimuth-sectors 0 exits 2 naming the field", async () => {
  const survey = await makeSurvey("small3d");
  try {
    const out = `${survey.dir}/bad.sgy`;
    const result = await runCli([
      "migrate",
      survey.path,
      "-o",
      out,
      "--velocity",
      survey.velocity,
      "--azimuth-sectors",
      "0",
    ]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--azimuth-sectors: the sector count must be an integer/);
    const left = [...Deno.readDirSync(survey.dir)].filter((e) => e.name.startsWith("bad"));
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

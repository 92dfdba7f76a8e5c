/**
 * Velocity tables as a processor has them: keyed by CDP number (`cdp,tau,v`) or another trace
 * header, placed at the mean midpoint of the traces carrying each value; picks that do not span
 * the grid extrapolated as constants with a warning (`--velocity-extrapolation error` refuses).
 * Known answers on the line2d synthetic, whose CDP numbers are bin + 1.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { synthGrid } from "../pipeline/synth/synth.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { openVelocity } from "../pipeline/velocity/velocity.ts";
import { headerLocator } from "../pipeline/velocity/velocity_header_key.ts";
import {
  makeSurvey,
  migrate,
  readAllSamples,
  relativeL2,
  runCli,
} from "./helpers/migrate_support.ts";

Deno.test("a cdp,tau,v table is placed at its CDPs and held constant beyond them", async () => {
  const survey = await makeSurvey("line2d");
  try {
    const table = `${survey.dir}/v.csv`;
    // CDP 41 (bin 40) and CDP 121 (bin 120): two different functions
    await Deno.writeTextFile(
      table,
      "cdp,tau,v\n41,0,1800\n41,1,2200\n121,0,2000\n121,1,2600\n",
    );
    using file = await SegyFile.open(survey.path);
    const grid = synthGrid(survey.spec);
    const time = { tau0: 0, dtau: 0.5, ntau: 3 };
    const model = await openVelocity(table, grid, time, {
      extrapolate: true,
      locate: headerLocator(file, table),
    });
    const v = model.sample(0, grid.nx, 0, 1);
    const column = (ix: number) => [...v.subarray(ix * 3, ix * 3 + 3)];
    assert.deepEqual(column(40), [1800, 2000, 2200], "on CDP 41");
    assert.deepEqual(column(120), [2000, 2300, 2600], "on CDP 121");
    assert.deepEqual(column(0), [1800, 2000, 2200], "before CDP 41: CDP 41's function");
    assert.deepEqual(column(grid.nx - 1), [2000, 2300, 2600], "after CDP 121: CDP 121's");
    const mid = column(80);
    assert.ok(mid[0] > 1800 && mid[0] < 2000, `between: ${mid}`);
    assert.equal(model.warnings?.length, 1);
    assert.match(model.warnings![0], /v\.csv: the velocity picks at 2 cdp locations do not cover/);
    // refused without extrapolation, naming the bin
    await assert.rejects(
      () => openVelocity(table, grid, time, { locate: headerLocator(file, table) }),
      (e) =>
        e instanceof PstmError && e.exitCode === 2 && /do not cover .*bin \(ix 0/.test(e.message),
    );
    // a CDP no trace carries, and a column that is no header
    await Deno.writeTextFile(table, "cdp,tau,v\n41,0,1800\n9999,0,2000\n");
    await assert.rejects(
      () =>
        openVelocity(table, grid, time, { extrapolate: true, locate: headerLocator(file, table) }),
      /v\.csv, field line 3, cdp: cdp 9999 \(line 3\) is carried by no input trace/,
    );
    await Deno.writeTextFile(table, "station,tau,v\n41,0,1800\n");
    await assert.rejects(
      () =>
        openVelocity(table, grid, time, { extrapolate: true, locate: headerLocator(file, table) }),
      /field station: the table's location column "station" is neither/,
    );
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("migrate with a cdp table that spans part of the line: warned, and the image of the same v(tau)", async () => {
  const survey = await makeSurvey("line2d");
  try {
    const table = `${survey.dir}/v.csv`;
    const rows = survey.spec.velocity.flatMap((p) => [
      `60,${p.tau},${p.v}`,
      `100,${p.tau},${p.v}`,
    ]);
    await Deno.writeTextFile(table, ["cdp,tau,v", ...rows].join("\n") + "\n");
    const byFunction = await readAllSamples((await migrate(survey, "fn.sgy", {})).output);
    const byTable = await readAllSamples(
      (await migrate(survey, "table.sgy", { velocity: table })).output,
    );
    // the same velocity everywhere (the blend of equal functions rounds in float32)
    const misfit = relativeL2(byTable, byFunction);
    assert.ok(misfit < 1e-4, `relative L2 ${misfit}`);
    const out = `${survey.dir}/cli.sgy`;
    const args = ["migrate", survey.path, "-o", out, "--velocity", table, "--grid", survey.grid];
    const warned = await runCli(args);
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /warning: .*v\.csv: .*do not cover the output grid.*constant/);
    const refused = await runCli([...args, "--velocity-extrapolation", "error"]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /do not cover the output grid/);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

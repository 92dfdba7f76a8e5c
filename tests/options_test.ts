/**
 * The option tables of core/options.ts against csrc/include/pstm.h (parsed, so the two cannot
 * drift), and the places derived from them: the job schema, the help, the messages.
 */

import assert from "node:assert/strict";
import {
  ANTIALIAS,
  BACKENDS,
  COLORMAPS,
  LOG_FORMAT,
  optionCode,
  type OptionTable,
  parseOption,
  RHO,
  SYNTH_ORDER,
  TRAVELTIME_TABLE,
  WEIGHTS,
} from "../core/options.ts";
import { PstmError } from "../core/errors.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { formatHelp, parseCommandArgs } from "../cli/args.ts";
import { jobFromArgs, migrateCommand } from "../cli/migrate.ts";
import { plotCommand } from "../cli/plot.ts";
import { synthCommand } from "../cli/synth.ts";
import { encodeParams, PARAMS_OFFSET } from "../backends/native/native_params.ts";

const TABLES: OptionTable[] = [
  WEIGHTS,
  RHO,
  ANTIALIAS,
  BACKENDS,
  TRAVELTIME_TABLE,
  LOG_FORMAT,
  COLORMAPS,
  SYNTH_ORDER,
];
const HEADER = await Deno.readTextFile(new URL("../csrc/include/pstm.h", import.meta.url));

/** The constants of `typedef enum NAME { ... } NAME;` in the header, by name. */
function headerEnum(header: string, type: string): Map<string, number> {
  const code = header.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const body = new RegExp(`typedef\\s+enum\\s+${type}\\s*\\{([^}]*)\\}\\s*${type}\\s*;`)
    .exec(code);
  assert.ok(body, `enum ${type} not found in pstm.h`);
  const values = new Map<string, number>();
  let next = 0;
  for (const item of body[1].split(",").map((s) => s.trim()).filter(Boolean)) {
    const [name, value] = item.split("=").map((s) => s.trim());
    next = value === undefined ? next : Number(value);
    values.set(name, next++);
  }
  return values;
}

Deno.test("option tables: every C enum matches pstm.h, constant for constant", () => {
  let checked = 0;
  for (const table of TABLES) {
    if (!table.cEnum) continue;
    const inHeader = headerEnum(HEADER, table.cEnum.type);
    const fromTable = new Map(
      table.names.map((
        name,
      ) => [table.cEnum!.prefix + name.toUpperCase(), optionCode(table, name)]),
    );
    assert.deepStrictEqual(fromTable, inHeader, `${table.flag} against ${table.cEnum.type}`);
    checked++;
  }
  assert.ok(checked >= 1, "at least the weights are a pstm.h enum");
});

Deno.test("option tables: the header parser sees a drift", () => {
  const drifted = HEADER.replace("PSTM_WEIGHTS_SPREADING = 2", "PSTM_WEIGHTS_SPREADING = 3");
  assert.notEqual(drifted, HEADER);
  assert.equal(headerEnum(drifted, "pstm_weights").get("PSTM_WEIGHTS_SPREADING"), 3);
  assert.equal(headerEnum(HEADER, "pstm_status").get("PSTM_OK"), 0);
});

Deno.test("option tables: antialias codes are pstm_params.antialias's 0 off, 1 on", () => {
  const comment = /int32_t\s+antialias;\s*\/\*([^*]*)\*\//.exec(HEADER);
  assert.ok(comment, "pstm_params.antialias not found");
  for (const name of ANTIALIAS.names) {
    assert.match(comment[1], new RegExp(`\\b${optionCode(ANTIALIAS, name)} ${name}\\b`));
  }
});

Deno.test("option tables: encodeParams writes the table's codes", () => {
  const base = {
    ns: 4,
    t0: 0,
    dt: 0.004,
    npoints: 1,
    ntau: 1,
    tau0: 0,
    dtau: 0.004,
    nclass: 1,
    aperture: 0,
    maxAngle: 0,
    taper: 0,
    antialias: true,
    traceSpacing: 25,
    eta: 0,
  };
  for (const weights of WEIGHTS.names) {
    const view = new DataView(encodeParams({ ...base, weights }).buffer);
    assert.equal(view.getInt32(PARAMS_OFFSET.weights, true), optionCode(WEIGHTS, weights));
    assert.equal(view.getInt32(PARAMS_OFFSET.antialias, true), optionCode(ANTIALIAS, "on"));
  }
});

Deno.test("option tables: defaults are choices and the job schema uses them", () => {
  for (const table of TABLES) {
    assert.ok(table.names.includes(table.default), table.flag);
    for (const name of table.names) assert.ok(table.choices[name].description.length > 0);
  }
  const job = parseJobConfig({ input: "a", output: "b", velocity: "1" });
  assert.equal(job.weights, WEIGHTS.default);
  assert.equal(job.rho, undefined, "rho is chosen from the survey (pipeline/job/defaults.ts)");
  assert.equal(job.backend, BACKENDS.default);
  assert.equal(
    job.traveltimeTable,
    undefined,
    "the traveltime table is chosen per job (defaults.ts)",
  );
  assert.equal(job.aa, undefined, "antialiasing is on unless plain (pipeline/job/defaults.ts)");
  for (const table of [WEIGHTS, RHO, BACKENDS, TRAVELTIME_TABLE]) {
    for (const name of table.names) {
      const parsed = parseJobConfig({ input: "a", output: "b", velocity: "1", [table.key]: name });
      assert.equal((parsed as unknown as Record<string, unknown>)[table.key], name);
    }
  }
});

Deno.test("option tables: a bad value names the field and lists the allowed values", async () => {
  for (const table of [WEIGHTS, RHO, BACKENDS, TRAVELTIME_TABLE]) {
    const bad = { input: "a", output: "b", velocity: "1", [table.key]: "bogus" };
    assert.throws(() => parseJobConfig(bad, "job.json"), (error: unknown) => {
      assert.ok(error instanceof PstmError && error.exitCode === 2, String(error));
      assert.ok(error.message.includes(`field ${table.key}`), error.message);
      assert.ok(error.message.includes(table.names.join(", ")), error.message);
      assert.ok(error.message.includes('"bogus"'), error.message);
      return true;
    });
  }
  assert.throws(() => parseOption(LOG_FORMAT, "xml"), /field --log: must be one of text, json/);
  for (const table of [WEIGHTS, RHO, BACKENDS, TRAVELTIME_TABLE]) {
    const argv = ["in.sgy", "-o", "out.sgy", "--velocity", "2000", table.flag, "bogus"];
    await assert.rejects(
      jobFromArgs(parseCommandArgs(migrateCommand.spec, argv)),
      new RegExp(`field ${table.flag}: must be one of ${table.names.join(", ")}: got "bogus"`),
    );
  }
  assert.throws(() => parseOption(COLORMAPS, "jet"), /--colormap: must be one of grey, seismic/);
});

Deno.test("option tables: pstm migrate, plot and synth --help list every value and the default", () => {
  const help = [migrateCommand, plotCommand, synthCommand].map((c) => formatHelp(c.spec))
    .join("\n");
  for (const table of TABLES) {
    const line = help.split("\n").find((l) => l.includes(`${table.flag} ${table.names.join("|")}`));
    assert.ok(line, `${table.flag} missing from the help`);
    // rho and aa are chosen from the survey in full mode (the table's default is --plain's), the
    // traveltime table per job
    const shown = {
      "--rho": "2d on a 2-D line",
      "--aa": "on; --plain: off",
      "--traveltime-table": "on with --eta on a v(tau)",
    }[table.flag] ?? table.default;
    assert.ok(line.includes(`(default: ${shown}`), line);
    for (const name of table.names) assert.ok(line.includes(table.choices[name].description));
  }
});

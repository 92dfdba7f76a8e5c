/**
 * Plausibility checks of the survey (pipeline/plan/survey_checks.ts) and of the job against it
 * (pipeline/job/job_checks.ts), through runMigration on mutated copies of a synthetic survey:
 * each case is refused with exit 2 before any output exists, and its `--no-check NAME` lets
 * the job past that check.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { checkSampleValues } from "../pipeline/plan/survey_checks.ts";
import { parseNoCheck } from "../pipeline/plan/checks.ts";
import { makeSurvey, migrate, type Survey } from "./helpers/migrate_support.ts";

const survey: Survey = await makeSurvey("small3d");
const original = await Deno.readFile(survey.path);
const TRACE_BYTES = 240 + 4 * survey.spec.ns;
const TRACES = (original.length - 3600) / TRACE_BYTES;

Deno.test.afterAll?.(async () => {
  await Deno.remove(survey.dir, { recursive: true }).catch(() => {});
});

/** A copy of the survey with `edit(view, traceStart, trace)` applied to every trace. */
async function mutated(
  name: string,
  edit: (view: DataView, at: number, trace: number) => void,
  binary?: (view: DataView) => void,
): Promise<Survey> {
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  binary?.(view);
  for (let k = 0; k < TRACES; k++) edit(view, 3600 + k * TRACE_BYTES, k);
  const path = `${survey.dir}/${name}.sgy`;
  await Deno.writeFile(path, bytes);
  return { ...survey, path };
}

/** The names in the survey's folder other than the inputs. */
async function outputs(): Promise<string[]> {
  const names = [];
  for await (const e of Deno.readDir(survey.dir)) if (e.name.startsWith("out")) names.push(e.name);
  return names;
}

async function refused(
  input: Survey,
  options: Record<string, unknown>,
  pattern: RegExp,
): Promise<PstmError> {
  let error: PstmError | undefined;
  await assert.rejects(migrate(input, "out.sgy", options), (e: unknown) => {
    assert.ok(e instanceof PstmError, `expected a PstmError, got ${e}`);
    assert.equal(e.exitCode, 2, e.message);
    assert.match(e.message, pattern);
    error = e;
    return true;
  });
  assert.deepEqual(await outputs(), [], "a refused job leaves nothing");
  return error!;
}

/** Runs with the check turned off: it must get past the check (and here, finish). */
async function passesWith(input: Survey, options: Record<string, unknown>, check: string) {
  const { summary } = await migrate(input, "out.sgy", {
    ...options,
    noCheck: [check],
    time: "0,0.004,40",
  });
  assert.ok(summary.complete);
  for (const name of await outputs()) await Deno.remove(`${survey.dir}/${name}`);
}

const setScalar = (value: number) => (v: DataView, at: number) => v.setInt16(at + 70, value, false);

Deno.test("survey check: coordinate scalars outside the SEG-Y set are refused", async () => {
  for (const scalar of [12345, -32768, 3]) {
    const input = await mutated(`scalar${scalar}`, setScalar(scalar));
    const e = await refused(input, {}, new RegExp(`coordinate scalar ${scalar} in ${TRACES}`));
    assert.equal(e.location.field, "scalco (trace bytes 71-72)");
    assert.equal(e.location.file, input.path);
    assert.match(e.message, /--no-check coordinate-scalar/);
  }
});

Deno.test("survey check: scalar 0 on coordinates stored x100 is caught by the offsets", async () => {
  const input = await mutated("scalar0", setScalar(0));
  const e = await refused(input, {}, /header offset \(bytes 37-40\) disagrees/);
  assert.match(e.message, /100 x the header offsets: a coordinate scalar \(bytes 71-72\) of -100/);
  assert.match(e.message, /--no-check offsets/);
});

Deno.test("survey check: every coordinate zero is refused as no geometry", async () => {
  const input = await mutated("flat", (v, at) => {
    for (const byte of [72, 76, 80, 84]) v.setInt32(at + byte, 0, false);
  });
  const e = await refused(input, {}, /all \d+ traces have their midpoint at \(0, 0\): no geometry/);
  assert.match(e.message, /--no-check geometry/);
});

Deno.test("survey check: traces far from the rest are counted and named", async () => {
  const input = await mutated("far", (v, at, k) => {
    if (k % 2 === 0) return;
    v.setInt16(at + 70, 1, false);
    for (const byte of [72, 80]) v.setInt32(at + byte, k % 4 === 1 ? 2e9 : -2e9, false);
  });
  const e = await refused(
    input,
    {},
    new RegExp(`${TRACES / 2} of ${TRACES} traces \\(first: 1, 3, 5`),
  );
  assert.match(e.message, /--no-check outliers/);
  // a handful of outliers in a good survey: found by their distance from the rest
  const few = await mutated("few-far", (v, at, k) => {
    if (k === 7) v.setInt32(at + 72, v.getInt32(at + 72, false) + 50_000_000, false);
  });
  await refused(few, {}, new RegExp(`1 of ${TRACES} traces \\(first: 7\\) lie far from the rest`));
  await passesWith(few, {}, "outliers");
});

Deno.test("survey check: IEEE samples declared as 32-bit integers (format 2) are refused", async () => {
  const input = await mutated("format2", () => {}, (v) => v.setUint16(3224, 2, false));
  const e = await refused(input, {}, /sample format 2 \(32-bit integer\) but .* IEEE floats/);
  assert.equal(e.location.field, "format (binary header bytes 3225-3226)");
  assert.match(e.message, /--no-check amplitudes/);
});

Deno.test("checkSampleValues: integers declared as IEEE floats; real floats pass", () => {
  const ints = new Int32Array(64).map((_, i) => (i - 32) * 100);
  const asFloat = new Float32Array(ints.buffer);
  assert.throws(
    () => checkSampleValues(asFloat, 5, "a.sgy", new Set()),
    /read as 32-bit integers \(format 2\) they look like data/,
  );
  checkSampleValues(asFloat, 5, "a.sgy", parseNoCheck(["amplitudes"]));
  const floats = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 1e-3);
  checkSampleValues(floats, 5, "a.sgy", new Set());
  checkSampleValues(Float32Array.from({ length: 64 }, (_, i) => i * 1000), 2, "a.sgy", new Set());
});

Deno.test("job check: velocity times in ms on a record in s are refused", async () => {
  const e = await refused(survey, { velocity: "0:1800,600:2500" }, /velocity times reach 600 s/);
  assert.match(e.message, /times in ms\?/);
  assert.equal(e.location.field, "--velocity");
  const picks = `${survey.dir}/picks.csv`;
  const corners = [[0, 0], [5000, 0], [0, 5000], [5000, 5000]];
  await Deno.writeTextFile(
    picks,
    "x,y,tau,v\n" + corners.map(([x, y]) => `${x},${y},0,1800\n${x},${y},600,2500\n`).join(""),
  );
  try {
    await refused(survey, { velocity: picks }, /picks\.csv, field --velocity: velocity times/);
  } finally {
    await Deno.remove(picks);
  }
  await passesWith(survey, { velocity: "0:1800,600:2500" }, "velocity-times");
});

Deno.test("job check: offset classes that catch no trace are refused with the range seen", async () => {
  const e = await refused(
    survey,
    { offsetClasses: "5000:100:4" },
    /classes cover offsets 5000 to 5400 m, the survey's offsets .* run from 150\.0 to 450\.0 m/,
  );
  assert.equal(e.location.field, "--offset-classes");
  await passesWith(survey, { offsetClasses: "5000:100:4" }, "offset-classes");
});

Deno.test("job check: a grid no midpoint falls in is refused with the extent seen", async () => {
  const e = await refused(
    survey,
    { grid: "900000,900000,25,25,5,5" },
    /no trace midpoint falls inside the output grid .* the midpoints span x/,
  );
  assert.match(e.message, /--no-check grid/);
  await passesWith(survey, { grid: "900000,900000,25,25,5,5" }, "grid");
});

Deno.test("--no-check refuses an unknown name listing the known checks", async () => {
  await refused(survey, { noCheck: ["gird"] }, /unknown check "gird"; known checks: disk-space/);
});

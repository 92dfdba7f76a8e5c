/**
 * Fuzzing of the text parsers a user types into or points at: `--velocity` (constants, tau:v
 * functions, picks tables), `--grid`, `--time`, `--offset-classes`, `--header`, `--memory`, and
 * the job config (random JSON, through parseJobConfig and readJobConfig).
 *
 * Property, for every input: it parses into a value that satisfies the parser's documented
 * contract, or it is refused with a PstmError of exit code 2 naming the flag or field; never
 * another exception, never slower than 2 s a case.
 *
 * CI: a fixed seed and a few hundred cases per parser. Locally: `PSTM_FUZZ_RUNS=20000`.
 */

import assert from "node:assert/strict";
import fc from "fast-check";
import { PstmError } from "../core/errors.ts";
import { parseGridFlag, parseTimeFlag } from "../pipeline/plan/grid.ts";
import { parseJobConfig, readJobConfig } from "../pipeline/job/job_config.ts";
import { parseSize } from "../pipeline/plan/memory.ts";
import { parseOffsetClasses } from "../pipeline/plan/offset_classes.ts";
import { HEADER_TYPE_BYTES, parseHeaderOverride } from "../pipeline/segy/header_map.ts";
import { openVelocity, parseVelocityFlag } from "../pipeline/velocity/velocity.ts";
import { MAX_VELOCITY, MIN_VELOCITY } from "../pipeline/velocity/velocity_model.ts";
import { parsePicksTable, velocityFromPicksTable } from "../pipeline/velocity/velocity_picks.ts";
import { expectParsesOrPstmError, fuzzParams, Outcomes } from "./helpers/fuzz_support.ts";

// ---------------------------------------------------------------------------------------------
// Arbitraries: numbers as users (and broken scripts) write them, lists of them, and edits of
// valid examples.

const NASTY_NUMBERS = [
  "0",
  "-0",
  "1",
  "-1",
  "2",
  "25",
  "0.004",
  "1000",
  "2000",
  "1e309",
  "-1e309",
  "1e-400",
  "NaN",
  "nan",
  "inf",
  "Infinity",
  "-Infinity",
  "0x10",
  "0b11",
  "",
  " ",
  "1_000",
  "\u0663",
  "4294967296",
  "9007199254740993",
  "1e21",
  ".5",
  "5.",
  "+3",
  "--1",
  "1e",
  "e5",
  "100000",
  "100001",
  "99.9",
  "1000001",
  "9".repeat(400),
  "0." + "0".repeat(400) + "1",
];

const numberText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY_NUMBERS) },
  { weight: 2, arbitrary: fc.integer({ min: -1e7, max: 1e7 }).map(String) },
  { weight: 2, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 5, noNaN: true }).map((x) => x.toFixed(3)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

/** A list of numbers joined by one of the separators. */
function listOf(separators: string[], maxLength: number): fc.Arbitrary<string> {
  return fc.tuple(
    fc.array(numberText, { minLength: 0, maxLength }),
    fc.constantFrom(...separators),
  ).map(([parts, sep]) => parts.join(sep));
}

/** A valid example with a few random characters inserted, deleted or replaced. */
function edited(examples: string[]): fc.Arbitrary<string> {
  const edit = fc.record({
    pos: fc.nat(),
    del: fc.integer({ min: 0, max: 3 }),
    ins: fc.string({ maxLength: 3, unit: fc.constantFrom(..."0123456789.,:-+eE ;x\t\u00a0") }),
  });
  return fc.tuple(fc.constantFrom(...examples), fc.array(edit, { maxLength: 3 })).map(
    ([text, edits]) => {
      let s = text;
      for (const { pos, del, ins } of edits) {
        const at = pos % (s.length + 1);
        s = s.slice(0, at) + ins + s.slice(at + del);
      }
      return s;
    },
  );
}

/** Any text: random strings, lists of numbers, edited valid examples. */
function flagText(examples: string[], separators: string[], maxItems: number) {
  return fc.oneof(
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 40, unit: "binary" }) },
    { weight: 3, arbitrary: listOf(separators, maxItems) },
    { weight: 3, arbitrary: edited(examples) },
  );
}

/** Runs a property over `arb` with the oracle; `check` verifies a parsed value. */
async function fuzzParser<T, R>(
  label: string,
  arb: fc.Arbitrary<T>,
  parse: (input: T) => R | Promise<R>,
  check: (value: R, input: T) => void,
  runs: number,
  salt: number,
): Promise<Outcomes> {
  const outcomes = new Outcomes();
  await fc.assert(
    fc.asyncProperty(arb, async (input) => {
      const value = await expectParsesOrPstmError(
        `${label}(${JSON.stringify(input)?.slice(0, 200)})`,
        () => parse(input),
        { outcomes },
      );
      if (value !== undefined) check(value, input);
    }),
    fuzzParams(runs, salt),
  );
  console.log(outcomes.summary(label));
  assert.ok(outcomes.parsed > 0, `${label}: no input parsed; the arbitrary is too narrow`);
  assert.ok(outcomes.refused > 0, `${label}: no input refused; the arbitrary is too tame`);
  return outcomes;
}

const GRID = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 4, ny: 3, azimuthDeg: 0 };
const TIME = { tau0: 0, dtau: 0.1, ntau: 8 };

function isVelocity(v: number): boolean {
  return Number.isFinite(v) && v >= MIN_VELOCITY && v <= MAX_VELOCITY;
}

// ---------------------------------------------------------------------------------------------

Deno.test("fuzz: --velocity flag (constant, tau:v function) parses or is refused", async () => {
  await fuzzParser(
    "parseVelocityFlag",
    flagText(["2000", "0:2000,0.6:2400", "0:1800, 2:3000,4:4200", "1.5e3"], [",", ":"], 8)
      .chain((s) =>
        fc.oneof(
          fc.constant(s),
          listOf([":"], 2).chain((a) => listOf([":"], 2).map((b) => `${a},${b}`)),
        )
      ),
    (text) => parseVelocityFlag(text),
    (spec, text) => {
      switch (spec.kind) {
        case "constant":
          assert.ok(isVelocity(spec.velocity), `${text} -> ${spec.velocity}`);
          break;
        case "function": {
          const { taus, velocities } = spec.fn;
          assert.ok(taus.length >= 1 && taus.length === velocities.length);
          for (let i = 0; i < taus.length; i++) {
            assert.ok(Number.isFinite(taus[i]) && taus[i] >= 0, `${text}: tau ${taus[i]}`);
            assert.ok(i === 0 || taus[i] > taus[i - 1], `${text}: taus increase`);
            assert.ok(isVelocity(velocities[i]), `${text}: v ${velocities[i]}`);
          }
          break;
        }
        case "picks":
        case "volume":
          assert.ok(spec.path.trim() !== "" && !spec.path.includes(":"), text);
          break;
      }
    },
    1500,
    101,
  );
});

Deno.test("fuzz: openVelocity of constants and functions samples only valid velocities", async () => {
  await fuzzParser(
    "openVelocity",
    fc.tuple(
      flagText(["2000", "0:2000,0.6:2400", "0.2:1500,0.3:5000,9:6000"], [",", ":"], 8),
      fc.record({
        tau0: fc.constantFrom(0, 0.5, 3),
        dtau: fc.constantFrom(0.001, 0.1, 1),
        ntau: fc.integer({ min: 1, max: 50 }),
      }),
    ).filter(([text]) => {
      // Only the in-memory kinds: a path would be read from disk (picks are fuzzed below).
      try {
        const kind = parseVelocityFlag(text).kind;
        return kind === "constant" || kind === "function";
      } catch {
        return true;
      }
    }),
    ([text, time]) => openVelocity(text, GRID, time),
    (model, [text, time]) => {
      const column = model.sample(0, GRID.nx, 0, GRID.ny);
      assert.equal(column.length, GRID.nx * GRID.ny * time.ntau);
      for (const v of column) assert.ok(v >= model.min && v <= model.max, `${text}: ${v}`);
      assert.ok(isVelocity(model.min) && isVelocity(model.max), text);
    },
    800,
    102,
  );
});

const PICK_HEADERS = [
  "x,y,tau,v",
  "inline crossline tau v",
  "il;xl;tau_ms;vrms",
  "cdpx,cdpy,twt,velocity,extra",
  "X Y T V",
  "x,y,tau",
  "x,x,tau,v",
  "x,y,tau,v",
  "x y tau v",
  "# comment",
  "",
  '"x","y","tau","v"',
];

const pickRow: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(0, 25, 50, 75, 100, 1, 2, 3, -1e9, 1e300),
  fc.constantFrom(0, 25, 50, 75, 1, 2, 3),
  fc.constantFrom(0, 0.2, 0.5, 1, 2, 400),
  fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(1500, 2000, 2400, 3000) },
    { weight: 1, arbitrary: fc.constantFrom(50, 2e5, -2000, 0) },
  ),
  fc.constantFrom(",", " ", ";", "\t", ", "),
).map(([x, y, t, v, sep]) => [x, y, t, v].join(sep));

/** Mostly well-formed tables (a header and valid rows) with at most a few defects. */
const picksText: fc.Arbitrary<string> = fc.tuple(
  fc.constantFrom(...PICK_HEADERS),
  fc.array(pickRow, { minLength: 0, maxLength: 16 }),
  fc.array(
    fc.record({
      at: fc.nat(),
      line: fc.oneof(
        listOf([",", " ", ";", "\t", ", "], 5),
        fc.constantFrom("", "# note", "\r", "   "),
        fc.string({ maxLength: 20 }),
      ),
    }),
    { maxLength: 2 },
  ),
  fc.constantFrom("\n", "\r\n"),
).map(([header, rows, defects, eol]) => {
  const lines = [header, ...rows];
  for (const { at, line } of defects) lines.splice(at % (lines.length + 1), 0, line);
  return lines.join(eol);
});

Deno.test("fuzz: velocity picks tables parse and cover the grid, or are refused", async () => {
  const grid = { ...GRID, nx: 3, ny: 3 };
  await fuzzParser(
    "picks table",
    picksText,
    (text) => {
      const table = parsePicksTable(text, "picks.csv");
      return velocityFromPicksTable(table, grid, TIME, "picks.csv");
    },
    (model, text) => {
      const values = model.sample(0, grid.nx, 0, grid.ny);
      assert.equal(values.length, grid.nx * grid.ny * TIME.ntau);
      for (const v of values) assert.ok(isVelocity(v), `${JSON.stringify(text)}: ${v}`);
    },
    1500,
    103,
  );
});

Deno.test("fuzz: velocity picks files through openVelocity (unreadable, binary, text)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pstm-fuzz-" });
  try {
    await fuzzParser(
      "openVelocity(picks file)",
      fc.oneof(
        picksText,
        fc.string({ maxLength: 200, unit: "binary" }),
        fc.constant("x,y,tau,v\n0,0,0,2000\n100,0,0,2000\n0,100,0,2000\n100,100,0,2000\n"),
      ),
      async (text) => {
        const path = `${dir}/picks.csv`;
        await Deno.writeTextFile(path, text);
        return openVelocity(path, GRID, TIME);
      },
      (model) => assert.ok(isVelocity(model.min) && isVelocity(model.max)),
      150,
      104,
    );
    // A directory and a missing file are refused as bad input too.
    for (const path of [dir, `${dir}/missing.csv`]) {
      await assert.rejects(openVelocity(path, GRID, TIME), (e: unknown) => {
        assert.ok(e instanceof PstmError && e.exitCode === 2 && e.message.includes(path));
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fuzz: --grid parses into a checked grid or is refused", async () => {
  await fuzzParser(
    "parseGridFlag",
    flagText(["1000,2000,25,25,512,384,30", "0,0,25,25,4,3", "0,0,12.5,12.5,1000000,1000"], [
      ",",
      ", ",
      ";",
    ], 8),
    (text) => parseGridFlag(text),
    (g, text) => {
      for (const k of ["x0", "y0", "azimuthDeg"] as const) {
        assert.ok(Number.isFinite(g[k]), `${text}: ${k}`);
      }
      for (const k of ["dx", "dy"] as const) {
        assert.ok(Number.isFinite(g[k]) && g[k] > 0, `${text}: ${k}`);
      }
      for (const k of ["nx", "ny"] as const) {
        assert.ok(Number.isInteger(g[k]) && g[k] >= 1 && g[k] <= 1e6, `${text}: ${k}`);
      }
      assert.ok(g.nx * g.ny <= 1e9, `${text}: bins`);
    },
    1500,
    105,
  );
});

Deno.test("fuzz: --time parses into a checked axis or is refused", async () => {
  await fuzzParser(
    "parseTimeFlag",
    flagText(["0,0.004,1001", "0.5,0.002,10", "0,1,1"], [",", ", ", ":"], 4),
    (text) => parseTimeFlag(text),
    (t, text) => {
      assert.ok(Number.isFinite(t.tau0) && t.tau0 >= 0, `${text}: tau0`);
      assert.ok(Number.isFinite(t.dtau) && t.dtau > 0 && t.dtau <= 1, `${text}: dtau`);
      assert.ok(Number.isInteger(t.ntau) && t.ntau >= 1 && t.ntau <= 1e6, `${text}: ntau`);
    },
    1500,
    106,
  );
});

Deno.test("fuzz: --offset-classes parses into checked classes or is refused", async () => {
  await fuzzParser(
    "parseOffsetClasses",
    flagText(["0:200:16", "100:50:4", "0:1e9:1"], [":", ": "], 4),
    (text) => parseOffsetClasses(text),
    (c, text) => {
      assert.ok(Number.isFinite(c.first) && c.first >= 0, `${text}: first`);
      assert.ok(c.width > 0 && (Number.isFinite(c.width) || c.count === 1), `${text}: width`);
      assert.ok(Number.isInteger(c.count) && c.count >= 1 && c.count <= 100_000, `${text}`);
    },
    1500,
    107,
  );
});

Deno.test("fuzz: --header NAME=BYTE:TYPE parses into a field inside the header or is refused", async () => {
  await fuzzParser(
    "parseHeaderOverride",
    fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.tuple(
        fc.constantFrom("sx", "inline", "cdpx", "my_field", "1x", "", "ns", "a-b"),
        fc.constantFrom("=", " = ", ":", "=="),
        numberText,
        fc.constantFrom("", ":i4", ":i2", ":u2", ":u4", ":f4", ":i1", ":u1", ":f8", ":", ":I4"),
      ).map((parts) => parts.join("")),
      edited(["sx=73:i4", "inline=9:i4", "cdpx=181", "f=240:u1", "g=237:i4"]),
    ),
    (text) => parseHeaderOverride(text),
    ({ name, field }, text) => {
      assert.match(name, /^[A-Za-z_][A-Za-z0-9_]*$/, text);
      const size = HEADER_TYPE_BYTES[field.type];
      assert.ok(size !== undefined, `${text}: type ${field.type}`);
      assert.ok(Number.isInteger(field.byte) && field.byte >= 1, `${text}: byte`);
      assert.ok(field.byte + size - 1 <= 240, `${text}: ends inside the header`);
    },
    1500,
    108,
  );
});

Deno.test("fuzz: --memory sizes parse into a positive whole number of bytes or are refused", async () => {
  await fuzzParser(
    "parseSize",
    fc.oneof(
      flagText(["512MiB", "2G", "1.5GB", "1048576", "64 KiB"], [""], 1),
      fc.tuple(numberText, fc.constantFrom("", "B", "k", "MiB", "gib", "TB", "PB", "M B", "%"))
        .map(([n, u]) => n + u),
    ),
    (text) => parseSize(text),
    (bytes, text) => {
      assert.ok(Number.isSafeInteger(bytes) && bytes > 0, `${JSON.stringify(text)} -> ${bytes}`);
    },
    1500,
    109,
  );
});

const JOB_KEYS = [
  "input",
  "output",
  "velocity",
  "grid",
  "time",
  "aperture",
  "maxAngle",
  "taper",
  "aa",
  "rho",
  "weights",
  "eta",
  "offsetClasses",
  "traceSpacing",
  "backend",
  "threads",
  "memory",
  "batchSize",
  "tileBins",
  "resume",
  "shard",
  "headers",
  "tileTimings",
  "zeroNonFinite",
  "traveltimeTable",
  "__proto__",
  "constructor",
  "unknownKey",
];

const jobValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(
    "in.sgy",
    "2000",
    "none",
    "3d",
    "cpu",
    "0/1",
    "3/2",
    "512MiB",
    -1,
    0,
    1,
    89.9,
    90,
    1e308,
    NaN,
    Infinity,
    [16, 16],
    [0, 16],
    ["sx=73:i4"],
    true,
    null,
  ),
);

Deno.test("fuzz: job configs (random JSON objects) validate or are refused naming the key", async () => {
  const outcomes = await fuzzParser(
    "parseJobConfig",
    fc.oneof(
      { weight: 1, arbitrary: fc.anything() },
      {
        weight: 4,
        arbitrary: fc.dictionary(fc.constantFrom(...JOB_KEYS), jobValue, { maxKeys: 12 }).map(
          (d) => ({ input: "in.sgy", output: "out.sgy", velocity: "2000", ...d }),
        ),
      },
    ),
    (value) => parseJobConfig(value, "job.json"),
    (job) => {
      assert.ok(typeof job.input === "string" && job.input.length > 0);
      assert.ok(typeof job.velocity === "string" && job.velocity.length > 0);
      assert.ok(job.batchSize >= 1 && Number.isInteger(job.batchSize));
      assert.ok(job.maxAngle === undefined || (job.maxAngle >= 0 && job.maxAngle < 90));
    },
    1500,
    110,
  );
  for (const message of outcomes.messages.keys()) assert.match(message, /^job\.json, field /);
});

Deno.test("fuzz: job config files (random text) through readJobConfig", async () => {
  const dir = await Deno.makeTempDir({ prefix: "pstm-fuzz-" });
  const path = `${dir}/job.json`;
  try {
    await fuzzParser(
      "readJobConfig",
      fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.string({ maxLength: 80, unit: "binary" }),
        fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
        edited(['{"input":"a.sgy","output":"b.sgy","velocity":"2000","aperture":1500}']),
      ),
      async (text) => {
        await Deno.writeTextFile(path, text);
        return readJobConfig(path, {});
      },
      (job) => assert.ok(typeof job.input === "string" && job.input !== ""),
      300,
      111,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

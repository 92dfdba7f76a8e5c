/**
 * Top mutes (pipeline/dsp/mute.ts): the table's parsing and interpolation, the taper, the
 * header mute, and both end to end on small3d with a known answer: a mute that removes the far
 * offset (450 m) leaves the far class empty and the near class as it was.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { muteTimeAt, muteTrace, parseMute, TopMute } from "../pipeline/dsp/mute.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyWriter } from "../pipeline/segy/segy_writer.ts";
import { newTraceBatch } from "../pipeline/segy/trace_batch.ts";
import { makeSurvey, migrate, readAllSamples, runCli } from "./helpers/migrate_support.ts";

Deno.test("parseMute refuses bad tables naming --mute", () => {
  const bad: [string, RegExp][] = [
    ["0:0.1,2000:1,1500:0.8", /offsets must increase: 1500 m after 2000 m/],
    ["0:0.1,0:0.2", /offsets must increase/],
    ["0:0.1,1000", /OFFSET:TIME pairs/],
    ["0:-0.1", />= 0/],
    ["a:b", /OFFSET:TIME pairs/],
    ["", /OFFSET:TIME pairs/],
  ];
  for (const [text, pattern] of bad) {
    assert.throws(() => parseMute(text), (e) => {
      assert(e instanceof PstmError && e.exitCode === 2, String(e));
      assert.match(e.message, /--mute/);
      assert.match(e.message, pattern);
      return true;
    }, text);
  }
});

Deno.test("muteTimeAt interpolates linearly in offset and holds the ends", () => {
  const table = parseMute("500:0.2,1500:0.6,2500:0.8");
  assert.equal(table === "headers", false);
  if (table === "headers") return;
  assert.equal(muteTimeAt(table, 0), 0.2);
  assert.equal(muteTimeAt(table, 1000), 0.4);
  assert.ok(Math.abs(muteTimeAt(table, 2000) - 0.7) < 1e-12);
  assert.equal(muteTimeAt(table, 9000), 0.8);
});

Deno.test("muteTrace zeroes [start, end) and tapers with a half cosine after it", () => {
  const trace = new Float32Array(20).fill(2);
  const zeroed = muteTrace(trace, 0.1, 0.01, 0.15, 0.2, 0.04);
  assert.equal(zeroed, 5); // 0.15 .. 0.19
  for (let i = 0; i < 20; i++) {
    const t = 0.1 + i * 0.01;
    const want = t < 0.15 - 1e-9 || t >= 0.24 - 1e-9
      ? 2
      : t < 0.2 - 1e-9
      ? 0
      : 2 * 0.5 * (1 - Math.cos((Math.PI * (t - 0.2)) / 0.04));
    assert.ok(Math.abs(trace[i] - want) < 1e-6, `t ${t}: ${trace[i]} vs ${want}`);
  }
  assert.equal(muteTrace(trace, 0, 0.01, 0.3, 0.3, 0.02), 0, "an empty zone mutes nothing");
  const ones = new Float32Array(8).fill(1);
  muteTrace(ones, 0, 0.01, -Infinity, 0, 0.04);
  assert.deepEqual([...ones], new Array(8).fill(1), "a mute time of 0 leaves the trace alone");
});

Deno.test("TopMute reads mute start and end from the headers", () => {
  const batch = newTraceBatch({ count: 2, ns: 10, dt: 0.01, headers: ["muts", "mute"] });
  batch.samples.fill(1);
  batch.headers.muts.set([0, 30]);
  batch.headers.mute.set([50, 60]);
  const mute = new TopMute({ source: "headers", taper: 0 });
  assert.deepEqual(mute.fields, ["muts", "mute"]);
  assert.equal(mute.apply(batch), 5 + 3);
  assert.deepEqual([...batch.samples.subarray(0, 10)], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual([...batch.samples.subarray(10)], [1, 1, 1, 0, 0, 0, 1, 1, 1, 1]);
  assert.throws(() => new TopMute({ source: "headers", taper: -1 }), RangeError);
  assert.throws(
    () => mute.apply(newTraceBatch({ count: 1, ns: 2, dt: 0.01 })),
    /bytes 111-114/,
  );
});

Deno.test("migrate --mute (table and headers): the far offset muted away, the near class unchanged", async () => {
  // small3d: offsets 150 and 450 m, classes 0:300:2 put one in each
  const survey = await makeSurvey("small3d");
  try {
    // a copy whose far traces carry a header mute over the whole record
    const headerPath = `${survey.dir}/with-mute-headers.sgy`;
    {
      using file = await SegyFile.open(survey.path);
      const all = await file.readTraces(0, file.info.traceCount);
      const batch = { ...all, headers: { ...all.headers } };
      batch.headers.muts = new Float64Array(all.count);
      batch.headers.mute = Float64Array.from(
        { length: all.count },
        (_, k) => Math.hypot(all.gx[k] - all.sx[k], all.gy[k] - all.sy[k]) > 300 ? 30000 : 0,
      );
      const writer = await SegyWriter.create(headerPath, { ns: all.ns, dt: all.dt });
      await writer.write(batch);
      await writer.close();
    }
    const common = { offsetClasses: "0:300:2", aperture: 250 };
    const plain = await readAllSamples((await migrate(survey, "plain.sgy", common)).output);
    const table = await readAllSamples(
      (await migrate(survey, "table.sgy", { ...common, mute: "0:0,300:0,301:10" })).output,
    );
    const headers = await readAllSamples(
      (await migrate({ ...survey, path: headerPath }, "headers.sgy", {
        ...common,
        mute: "headers",
      }))
        .output,
    );
    const ns = survey.spec.ns;
    for (const [name, image] of [["table", table], ["headers", headers]] as const) {
      let far = 0, farPlain = 0;
      for (let trace = 0; trace < plain.length / ns; trace++) {
        for (let i = 0; i < ns; i++) {
          const at = trace * ns + i;
          if (trace % 2 === 1) {
            far += Math.abs(image[at]);
            farPlain += Math.abs(plain[at]);
          } else assert.equal(image[at], plain[at], `${name}: near sample ${at}`);
        }
      }
      assert.ok(farPlain > 0);
      assert.equal(far, 0, `${name}: the far class is empty`);
    }
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("migrate --mute with a table not increasing in offset exits 2 naming --mute", async () => {
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
      "--mute",
      "0:0.1,1000:0.5,800:0.6",
    ]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--mute.*offsets must increase: 800 m after 1000 m/);
    const left = [...Deno.readDirSync(survey.dir)].map((e) => e.name).filter((n) =>
      n.startsWith("bad")
    );
    assert.deepEqual(left, []);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("a negative mute taper exits 2 naming it", async () => {
  const job = { input: "in.sgy", output: "out.sgy", velocity: "2000", mute: "0:0.1" };
  assert.throws(() => parseJobConfig({ ...job, muteTaper: -0.01 }), (e) => {
    assert(e instanceof PstmError && e.exitCode === 2);
    assert.match(e.message, /muteTaper/);
    return true;
  });
  const result = await runCli([
    "migrate",
    "in.sgy",
    "-o",
    "out.sgy",
    "--velocity",
    "2000",
    "--mute",
    "0:0.1",
    "--mute-taper",
    "-1",
  ]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /--mute-taper must be a number in \[0, 10\]/);
});

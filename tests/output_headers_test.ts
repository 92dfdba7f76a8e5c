/**
 * The migrated volume's headers as other tools expect them (trace identification 1, sorting
 * code 2 with the classes as the ensemble fold, CDP numbers, class offsets), `--format ibm`
 * output that segyio still opens as a structured cube with the same image, and the stretch
 * mute end to end: the far class loses its shallow samples, the stack stays the sum of the
 * classes.
 */

import assert from "node:assert/strict";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { makeSurvey, migrate, readAllSamples, runCli } from "./helpers/migrate_support.ts";

const PYTHON = "/usr/bin/python3";

async function hasSegyio(): Promise<boolean> {
  const probe = await new Deno.Command(PYTHON, { args: ["-c", "import segyio"], stderr: "null" })
    .output().catch(() => ({ success: false }));
  return probe.success;
}

Deno.test("migrate output: trid 1, sorting 2, fold = classes, CDP numbers; --format ibm as segyio reads it", async (t) => {
  const survey = await makeSurvey("small3d");
  try {
    const run = async (name: string, extra: string[]) => {
      const out = `${survey.dir}/${name}`;
      const result = await runCli([
        "migrate",
        survey.path,
        "-o",
        out,
        "--velocity",
        survey.velocity,
        "--grid",
        survey.grid,
        "--offset-classes",
        "0:300:2",
        "--aperture",
        "250",
        "--quiet",
        ...extra,
      ]);
      assert.equal(result.code, 0, result.stderr);
      return out;
    };
    const ieee = await run("ieee.sgy", []);
    const ibm = await run("ibm.sgy", ["--format", "ibm"]);
    await t.step("headers", async () => {
      for (const [path, format] of [[ieee, 5], [ibm, 1]] as const) {
        using file = await SegyFile.open(path);
        assert.equal(file.info.format, format);
        const bytes = await Deno.readFile(path);
        const view = new DataView(bytes.buffer);
        assert.equal(view.getInt16(3226), 2, "ensemble fold: two classes per bin");
        assert.equal(view.getInt16(3228), 2, "sorting code 2: CDP ensembles");
        const traces = await file.readHeaders(0, file.info.traceCount, ["trid", "cdp", "offset"]);
        assert.ok(traces.headers.trid.every((v) => v === 1), "trace identification 1");
        // bin b = iy * nx + ix holds traces 2b, 2b + 1 with CDP b + 1 and offsets 150, 450
        for (let k = 0; k < traces.count; k++) {
          assert.equal(traces.headers.cdp[k], Math.floor(k / 2) + 1, `cdp of trace ${k}`);
          assert.equal(traces.headers.offset[k], k % 2 ? 450 : 150, `offset of trace ${k}`);
        }
      }
    });
    await t.step("IBM samples equal the IEEE ones to IBM precision", async () => {
      const a = await readAllSamples(ieee), b = await readAllSamples(ibm);
      let peak = 0;
      for (const v of a) peak = Math.max(peak, Math.abs(v));
      assert.ok(peak > 0);
      for (let i = 0; i < a.length; i++) {
        assert.ok(Math.abs(a[i] - b[i]) <= 1e-6 * Math.abs(a[i]) + 1e-30, `sample ${i}`);
      }
    });
    if (!(await hasSegyio())) {
      console.log("skipped the segyio step: /usr/bin/python3 cannot import segyio");
      return;
    }
    await t.step("segyio opens the IBM volume as a structured cube", async () => {
      const script = `
import json, segyio, sys
with segyio.open(sys.argv[1], iline=189, xline=193) as f:
    print(json.dumps({"ilines": len(f.ilines), "xlines": len(f.xlines),
        "offsets": list(map(int, f.offsets)), "format": int(f.format),
        "sorting": int(f.bin[segyio.BinField.SortingCode]),
        "trid": sorted(set(map(int, f.attributes(segyio.TraceField.TraceIdentificationCode)[:]))),
        "cdp": list(map(int, f.attributes(segyio.TraceField.CDP)[:4])),
        "sum": float(abs(segyio.tools.cube(f)).sum())}))`;
      const py = await new Deno.Command(PYTHON, {
        args: ["-c", script, ibm],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(py.success, new TextDecoder().decode(py.stderr));
      const cube = JSON.parse(new TextDecoder().decode(py.stdout));
      assert.equal(cube.ilines, 11);
      assert.equal(cube.xlines, 13);
      assert.deepEqual(cube.offsets, [150, 450]);
      assert.equal(cube.format, 1);
      assert.equal(cube.sorting, 2);
      assert.deepEqual(cube.trid, [1]);
      assert.deepEqual(cube.cdp, [1, 1, 2, 2]);
      let sum = 0;
      for (const v of await readAllSamples(ieee)) sum += Math.abs(v);
      assert.ok(Math.abs(cube.sum - sum) <= 1e-5 * sum, `segyio sum ${cube.sum} vs ${sum}`);
    });
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("migrate --stretch-mute: far-offset samples above the stretch limit are left out, the stack is the sum", async () => {
  // small3d: offsets 150 and 450 m, v_rms 2000..2400 m/s, a reflector at 0.44 s
  const survey = await makeSurvey("small3d");
  try {
    const common = { offsetClasses: "0:300:2", aperture: 250 };
    const plain = await migrate(survey, "plain.sgy", common);
    const muted = await migrate(survey, "muted.sgy", { ...common, stretchMute: 5 });
    const stack = await migrate(survey, "stack.sgy", { aperture: 250, stretchMute: 5 });
    assert.ok(muted.summary.contributions < plain.summary.contributions);
    const a = await readAllSamples(plain.output), b = await readAllSamples(muted.output);
    const s = await readAllSamples(stack.output);
    using file = await SegyFile.open(plain.output);
    const { ns, t0, dt } = file.info;
    const vmin = Math.min(...survey.spec.velocity.map((p) => p.v));
    const vmax = Math.max(...survey.spec.velocity.map((p) => p.v));
    const k = Math.sqrt(1.05 ** 2 - 1);
    // x / (v tau) > k: muted for every v above x / (vmax k), kept for every v below x / (vmin k)
    const farMuted = 450 / (vmax * k), nearKept = 1.02 * 150 / (vmin * k); // 2 %: float32
    let far = 0, farPlain = 0, peak = 0;
    for (const v of a) peak = Math.max(peak, Math.abs(v));
    for (let trace = 0; trace < a.length / ns; trace++) {
      for (let i = 0; i < ns; i++) {
        const tau = t0 + i * dt, at = trace * ns + i;
        if (trace % 2 === 1 && tau < farMuted) {
          far += Math.abs(b[at]);
          farPlain += Math.abs(a[at]);
        }
        if (trace % 2 === 0 && tau > nearKept) {
          assert.ok(
            Math.abs(b[at] - a[at]) <= 1e-5 * peak,
            `near sample ${at}: ${b[at]} vs ${a[at]}`,
          );
        }
      }
    }
    assert.ok(farMuted > 0.5, `the far class is muted down to ${farMuted} s, below the reflector`);
    assert.ok(farPlain > 0, "the unmuted far class has energy there");
    assert.equal(far, 0, "the muted far class has none");
    for (let bin = 0; bin < a.length / ns / 2; bin++) {
      for (let i = 0; i < ns; i++) {
        const sum = b[2 * bin * ns + i] + b[(2 * bin + 1) * ns + i];
        assert.ok(Math.abs(s[bin * ns + i] - sum) <= 1e-4 * (Math.abs(sum) + 1e-3), `bin ${bin}`);
      }
    }
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

Deno.test("bad --stretch-mute and --format values exit 2 naming the field", async () => {
  const job = { input: "in.sgy", output: "out.sgy", velocity: "2000" };
  for (
    const [key, value, pattern] of [
      ["stretchMute", -1, /stretchMute/],
      ["stretchMute", "30", /stretchMute/],
      ["format", "ebcdic", /ieee, ibm/],
    ] as const
  ) {
    assert.throws(
      () => parseJobConfig({ ...job, [key]: value }),
      (e: Error & { exitCode?: number }) => {
        assert.equal(e.exitCode, 2);
        assert.match(e.message, new RegExp(key));
        assert.match(e.message, pattern);
        return true;
      },
    );
  }
  const survey = await makeSurvey("small3d");
  try {
    for (
      const [flag, value, pattern] of [
        ["--stretch-mute", "-5", /--stretch-mute must be a number in \[0, 1000\]/],
        ["--format", "ebcdic", /format/],
      ] as const
    ) {
      const out = `${survey.dir}/bad.sgy`;
      const result = await runCli([
        "migrate",
        survey.path,
        "-o",
        out,
        "--velocity",
        survey.velocity,
        flag,
        value,
      ]);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, pattern);
      assert.ok(!(await exists(out)) && !(await exists(`${out}.partial`)), "no output left");
    }
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

import assert from "node:assert/strict";
import { COMMANDS, main } from "../cli.ts";
import { makeSurvey, readAllSamples, relativeL2, runCli } from "./helpers/migrate_support.ts";

/** Runs main() in-process, capturing console output. */
async function runMain(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const log = console.log, error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

Deno.test("pstm --help lists every command; unknown commands get a suggestion and exit 2", async () => {
  const help = await runMain(["--help"]);
  assert.equal(help.code, 0);
  for (const name of ["scan", "synth", "migrate", "plot", "merge", "slurm", "info", "demo"]) {
    assert.match(help.out, new RegExp(`\\b${name}\\b`));
  }
  const unknown = await runMain(["migrat"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /did you mean "migrate"/);
  assert.equal((await runMain([])).code, 2);
  assert.match((await runMain(["--version"])).out, /^pstm \d/);
});

Deno.test("each command's help-list summary is its spec's, under its own name", async () => {
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.spec.name, entry.name);
    assert.equal(entry.summary, command.spec.summary, entry.name);
  }
});

Deno.test("pstm migrate loads neither the PNG encoder nor the WebGPU backend", async () => {
  // what `pstm migrate` loads at start: the static imports of cli.ts and cli/migrate.ts and of
  // everything they import (`deno info --json`; dynamic imports load only when reached)
  const cli = new URL("../cli.ts", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", cli.pathname],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.equal(out.code, 0);
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: {
      specifier: string;
      dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
    }[];
  };
  const bySpecifier = new Map(graph.modules.map((m) => [m.specifier, m]));
  const loaded = new Set<string>();
  const visit = (specifier: string) => {
    if (loaded.has(specifier)) return;
    loaded.add(specifier);
    for (const d of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (d.code && !d.isDynamic) visit(d.code.specifier);
    }
  };
  visit(cli.href);
  visit(new URL("../cli/migrate.ts", import.meta.url).href);
  assert.ok([...loaded].some((s) => s.endsWith("/backends/native/native_backend.ts")));
  const unwanted = [...loaded].filter((s) => /\/plot\/|\/webgpu\/|fast-png|\/cli\/slurm/.test(s));
  assert.deepEqual(unwanted, []);
});

Deno.test("pstm COMMAND --help shows flags and examples; bad flags exit 2 naming the flag", async () => {
  const help = await runMain(["migrate", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /--velocity V/);
  assert.match(help.out, /Examples:/);
  const bad = await runMain(["migrate", "in.sgy", "-o", "x.sgy", "--velocty", "2000"]);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /did you mean --velocity/);
  const missing = await runMain(["migrate", "in.sgy", "-o", "x.sgy"]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /--velocity is required/);
  const aa = await runMain([
    "migrate",
    "in.sgy",
    "-o",
    "x.sgy",
    "--velocity",
    "2",
    "--aa",
    "maybe",
  ]);
  assert.equal(aa.code, 2);
  assert.match(aa.err, /--aa: must be one of on, off: got "maybe"/);
});

Deno.test("pstm info lists the backends and what auto picks", async () => {
  const text = await runMain(["info"]);
  assert.equal(text.code, 0);
  assert.match(text.out, /cpu\s+yes/);
  assert.match(text.out, /cuda\s+no/);
  assert.match(text.out, /auto picks: cpu/);
  const json = JSON.parse((await runMain(["info", "--json"])).out);
  assert.equal(json.auto, "cpu");
  assert.ok(json.backends.some((b: { name: string }) => b.name === "reference"));
});

Deno.test("pstm migrate: bad input exits 2 naming the file, the trace or the field", async () => {
  const survey = await makeSurvey("small3d");
  const out = `${survey.dir}/out.sgy`;
  const cases: [string[], RegExp][] = [
    [["migrate", `${survey.dir}/missing.sgy`, "-o", out, "--velocity", "2000"], /missing\.sgy/],
    [["migrate", survey.path, "-o", out, "--velocity", "-5"], /velocity/i],
    [["migrate", survey.path, "-o", out, "--velocity", "2000", "--memory", "1KiB"], /--memory/],
    [["migrate", survey.path, "-o", out, "--velocity", "2000", "--grid", "0,0,-1,1,2,2"], /grid/i],
    [["migrate", survey.path, "-o", out, "--velocity", "2000", "--shard", "3/2"], /--shard/],
  ];
  for (const [args, pattern] of cases) {
    const result = await runMain(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.err}`);
    assert.match(result.err, pattern);
  }
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("pipelines: pstm synth -o - | pstm migrate - equals migrating the file", async () => {
  const survey = await makeSurvey("small3d");
  const raw = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../cli.ts", import.meta.url).pathname,
      "synth",
      "-o",
      "-",
      "--preset",
      "small3d",
    ],
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(raw.success && raw.stdout.length > 3600);
  const common = [
    "--velocity",
    survey.velocity,
    "--grid",
    survey.grid,
    "--aperture",
    "300",
    "--quiet",
  ];
  const piped = await runCli(
    ["migrate", "-", "-o", `${survey.dir}/piped.sgy`, ...common],
    raw.stdout,
  );
  assert.equal(piped.code, 0, piped.stderr);
  const direct = await runCli([
    "migrate",
    survey.path,
    "-o",
    `${survey.dir}/direct.sgy`,
    ...common,
  ]);
  assert.equal(direct.code, 0, direct.stderr);
  const misfit = relativeL2(
    await readAllSamples(`${survey.dir}/piped.sgy`),
    await readAllSamples(`${survey.dir}/direct.sgy`),
  );
  assert.equal(misfit, 0);
  await assert.rejects(() => Deno.stat(`${survey.dir}/piped.sgy.stdin-spool.sgy`));
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("pstm migrate --config job.json --log json prints events and a summary", async () => {
  const survey = await makeSurvey("small3d");
  const config = `${survey.dir}/job.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      input: survey.path,
      output: `${survey.dir}/out.sgy`,
      velocity: survey.velocity,
      grid: survey.grid,
      aperture: 250,
      offsetClasses: "0:300:2",
      tileBins: [7, 6],
    }),
  );
  const result = await runCli(["migrate", "--config", config, "--log", "json", "--tile-timings"]);
  assert.equal(result.code, 0, result.stderr);
  const events = result.stderr.trim().split("\n").map((line) => JSON.parse(line));
  const names = events.map((e) => e.event);
  assert.ok(names.includes("plan"));
  assert.equal(names.filter((n) => n === "tile").length, 4);
  const summary = events.find((e) => e.event === "summary");
  assert.equal(summary.complete, true);
  assert.equal(summary.tiles, 4);
  assert.ok(summary.peakRss > 0 && summary.contributions > 0);
  // no field overwrites another: time is the timestamp, the output time axis is timeAxis
  for (const e of events) assert.ok(!Number.isNaN(Date.parse(e.time)), JSON.stringify(e));
  assert.equal(summary.timeAxis.ntau > 0, true);
  assert.ok(names.includes("settings"));
  const bad = `${survey.dir}/bad.json`;
  await Deno.writeTextFile(
    bad,
    JSON.stringify({ input: "a", output: "b", velocity: "1", taper: 5 }),
  );
  const invalid = await runCli(["migrate", "--config", bad]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /bad\.json.*taper/);
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("the migrated volume opens in segyio as a structured cube with inlines, crosslines, offsets", async (t) => {
  const python = "/usr/bin/python3";
  const probe = await new Deno.Command(python, { args: ["-c", "import segyio"], stderr: "null" })
    .output().catch(() => ({ success: false }));
  if (!probe.success) {
    console.log("skipped: /usr/bin/python3 cannot import segyio");
    return;
  }
  const survey = await makeSurvey("small3d");
  const out = `${survey.dir}/cube.sgy`;
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
  ]);
  assert.equal(result.code, 0, result.stderr);
  const script = `
import json, segyio, sys
with segyio.open(sys.argv[1], iline=189, xline=193) as f:
    print(json.dumps({"ilines": list(map(int, f.ilines)), "xlines": list(map(int, f.xlines)),
        "offsets": list(map(int, f.offsets)), "sorting": int(f.sorting), "ns": len(f.samples),
        "dt": segyio.tools.dt(f)}))`;
  const py = await new Deno.Command(python, {
    args: ["-c", script, out],
    stdout: "piped",
    stderr: "piped",
  }).output();
  await t.step("segyio reads the geometry", () => {
    assert.ok(py.success, new TextDecoder().decode(py.stderr));
    const cube = JSON.parse(new TextDecoder().decode(py.stdout));
    assert.deepEqual(cube.ilines, Array.from({ length: 11 }, (_, i) => i + 1));
    assert.deepEqual(cube.xlines, Array.from({ length: 13 }, (_, i) => i + 1));
    assert.deepEqual(cube.offsets, [150, 450]);
    assert.equal(cube.ns, 150);
    assert.equal(cube.dt, 4000);
  });
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("pstm migrate warns when the output grid misses the survey's midpoints", async () => {
  const survey = await makeSurvey("small3d");
  const result = await runCli([
    "migrate",
    survey.path,
    "-o",
    `${survey.dir}/off.sgy`,
    "--velocity",
    survey.velocity,
    "--grid",
    "1250,2200,25,25,10,10", // overlaps the survey's corner: 3 x 3 of its 13 x 11 bins
    "--aperture",
    "100",
    "--log",
    "json",
  ]);
  assert.equal(result.code, 0, result.stderr);
  const warning = result.stderr.trim().split("\n").map((line) => JSON.parse(line))
    .find((e) => e.event === "warning");
  assert.equal(warning?.midpointsInsideGrid, 3 * 3 * survey.spec.offsets.length);
  // a grid that no midpoint falls in is refused (pipeline/job/job_checks.ts)
  const none = await runCli([
    "migrate",
    survey.path,
    "-o",
    `${survey.dir}/none.sgy`,
    "--velocity",
    survey.velocity,
    "--grid",
    "0,0,25,25,10,10",
    "-q",
  ]);
  assert.equal(none.code, 2, none.stderr);
  assert.match(none.stderr, /no trace midpoint falls inside the output grid/);
  const good = await runCli([
    "migrate",
    survey.path,
    "-o",
    `${survey.dir}/on.sgy`,
    "--velocity",
    survey.velocity,
    "--grid",
    survey.grid,
    "--aperture",
    "100",
    "--log",
    "json",
  ]);
  assert.ok(!good.stderr.includes('"warning"'));
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("deno task pstm keeps stdout clean for pipelines (the build step writes to stderr)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "pstm", "synth", "-o", "-", "--preset", "small3d"],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "null",
  }).output();
  assert.ok(out.success);
  // a SEG-Y file starts with the EBCDIC textual header: "C" is 0xC3 in EBCDIC
  assert.equal(out.stdout[0], 0xc3, `stdout starts with ${out.stdout.slice(0, 16)}`);
  assert.equal((out.stdout.length - 3600) % (240 + 4 * 150), 0);
});

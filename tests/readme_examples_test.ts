/**
 * The README's and `--help`'s examples, run for real: every `pstm` line of the README's shell
 * examples (the ```sh blocks from "The command line" on) and of each command's `examples`
 * (cli/*.ts), through `deno run -A cli.ts` (a `pstm` script on PATH) in a scratch folder,
 * in the order they are written; each must exit 0 and leave the outputs it names. The README
 * makes its own survey first (`pstm synth -o survey.sgy --preset demo3d`); files an example
 * reads but no earlier example of its group makes get the small stand-ins of `STAND_INS`, and
 * the few edits that keep the test fast are the explicit `SPEED_EDITS`. Examples that cannot run
 * here are in `SKIPPED` with the reason; a test keeps that list small and every entry matching.
 */

import assert from "node:assert/strict";
import { COMMANDS } from "../cli.ts";

const REPO = new URL("..", import.meta.url).pathname;
const SHARED = new URL("../../shared/data/segy/", import.meta.url).pathname;

/** Examples that do not run here, by a part of their text, with the reason. */
const SKIPPED: { match: string; reason: string }[] = [
  {
    match: "pstm slurm survey.sgy -o image.sgy --velocity vel.sgy --shards 64 --mem 16G",
    reason: "submits to a Slurm cluster (tests/slurm_test.ts runs one on localhost)",
  },
  {
    match: "pstm slurm survey.sgy -o image.sgy --velocity vel.sgy --shards 64            #",
    reason: "resubmits to a Slurm cluster (tests/slurm_test.ts covers resubmission)",
  },
  {
    match: "pstm slurm survey.sgy -o image.sgy --velocity vel.sgy --shards 64 --partition cpu",
    reason: "submits to a Slurm cluster (tests/slurm_test.ts runs one on localhost)",
  },
  {
    match: "pstm demo --out demo-webgpu --backend webgpu",
    reason: "the demo on WebGPU: minutes on the software adapter here (tests/webgpu_test.ts)",
  },
];

/**
 * Edits that keep the examples fast: survey sizes far beyond what a test needs. Each is a
 * plain text replacement, applied to every example that contains it.
 */
const SPEED_EDITS: [string, string][] = [
  ["--traces 1000000", "--traces 2000"], // pstm synth: the standard preset at 1e6 traces is 4 GB
  ["--traces 500000", "--traces 2000"],
];

/**
 * Files the examples read that no earlier example of their group makes, and the stand-in the
 * test puts there first: small synthetic surveys for the big ones.
 */
const STAND_INS: Record<string, { why: string; make: (dir: string, pstm: Run) => Promise<void> }> =
  {
    "survey.sgy": {
      why: "the survey of the --help examples: small3d (286 traces); the README makes its own",
      make: (dir, pstm) => pstm(dir, "pstm synth -o survey.sgy --preset small3d"),
    },
    "big.sgy": {
      why: "a survey too big for a test: small3d",
      make: (dir, pstm) => pstm(dir, "pstm synth -o big.sgy --preset small3d"),
    },
    "in.sgy": {
      why: "any survey: small3d",
      make: (dir, pstm) => pstm(dir, "pstm synth -o in.sgy --preset small3d"),
    },
    "field.sgy": {
      why: "a survey in shot order (pstm synth's example makes a 500,000-trace one): small3d",
      make: (dir, pstm) => pstm(dir, "pstm synth -o field.sgy --preset small3d --order shot"),
    },
    "vel.sgy": {
      why: "an RMS velocity volume: 9 x 9 traces 2.5 km apart, 1800 + 600 t m/s",
      make: (dir) => writeVelocityVolume(`${dir}/vel.sgy`),
    },
    "job.json": {
      why: "a job file: survey.sgy to image.sgy at 0:1800,4:4200",
      make: (dir) =>
        Deno.writeTextFile(
          `${dir}/job.json`,
          JSON.stringify({ input: "survey.sgy", output: "image.sgy", velocity: "0:1800,4:4200" }),
        ),
    },
    "line.su": {
      why: "a Seismic Unix file: a link to ../shared/data/segy/small.su",
      make: (dir) => Deno.symlink(`${SHARED}small.su`, `${dir}/line.su`),
    },
  };

/**
 * Stand-ins for one command's examples, where they differ: the pstm plot examples show the
 * README's files (the demo3d survey and its image, inline 21 at the centre; a 2-D line image).
 */
const GROUP_STAND_INS: Record<string, typeof STAND_INS> = {
  plot: {
    "survey.sgy": {
      why: "the README's survey: demo3d",
      make: (dir, pstm) => pstm(dir, "pstm synth -o survey.sgy --preset demo3d"),
    },
    "image.sgy": {
      why: "the README's image of demo3d with 4 offset classes (plain, 200 m aperture: fast)",
      make: async (dir, pstm) => {
        await GROUP_STAND_INS.plot["survey.sgy"].make(dir, pstm);
        await pstm(
          dir,
          "pstm migrate survey.sgy -o image.sgy --velocity 0:1800,1.5:2600 " +
            "--offset-classes 0:200:4 --plain --aperture 200 --quiet",
        );
      },
    },
    "line.sgy": {
      why: "the README's 2-D line image of line2d (plain, 200 m aperture: fast)",
      make: (dir, pstm) =>
        pstm(
          dir,
          "pstm synth -o - --preset line2d | pstm migrate - -o line.sgy " +
            "--velocity 0:1800,1.2:2500 --plain --aperture 200 --quiet",
        ),
    },
  },
};

/** Runs one shell line in a folder; throws with its output unless it exits 0. */
type Run = (dir: string, line: string) => Promise<void>;

/** A `pstm` on PATH that is `deno run -A cli.ts` of this checkout. */
async function pstmBin(): Promise<string> {
  const bin = await Deno.makeTempDir({ prefix: "pstm-bin-" });
  await Deno.writeTextFile(
    `${bin}/pstm`,
    `#!/bin/sh\nexec "${Deno.execPath()}" run -A --config "${REPO}deno.json" "${REPO}cli.ts" "$@"\n`,
  );
  await Deno.chmod(`${bin}/pstm`, 0o755);
  return bin;
}

function runner(bin: string): Run {
  return async (dir, line) => {
    const out = await new Deno.Command("bash", {
      args: ["-c", `set -eo pipefail; ${line}`],
      cwd: dir,
      env: { PATH: `${bin}:${Deno.env.get("PATH")}`, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(300_000),
    }).output();
    if (out.code !== 0) {
      const text = new TextDecoder().decode(out.stderr).slice(-3000);
      throw new Error(`exit ${out.code}: ${line}\n${text}`);
    }
  };
}

/** Shell lines of a text: continuations joined, blank and comment-only lines dropped. */
function shellLines(text: string): string[] {
  return text.replace(/\\\n\s*/g, "").split("\n").map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** The `pstm` lines of the README's ```sh blocks from "## The command line" on. */
function readmeExamples(readme: string): string[] {
  const from = readme.indexOf("\n## The command line");
  assert.ok(from > 0, "README has a command line section");
  const blocks = [...readme.slice(from).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap(shellLines).filter((l) => /(^|[|;]\s*|do\s+)pstm\s/.test(l));
}

/** Each command's --help examples, as shell lines (the modules are loaded first). */
const HELP_EXAMPLES: { command: string; lines: string[] }[] = await Promise.all(
  COMMANDS.map(async (entry) => {
    const command = await entry.load();
    return { command: command.spec.name, lines: command.spec.examples.flatMap(shellLines) };
  }),
);

function helpExamples(): { command: string; lines: string[] }[] {
  return HELP_EXAMPLES;
}

/**
 * `--shard 0/N   # ... (N-1)/N` stands for N runs (the comment says the rest follow): the line
 * once per shard, in order.
 */
function expandShards(line: string): string[] {
  const m = /--shard 0\/(\d+)\s+#\s*\.\.\.\s*(\d+)\/(\d+)/.exec(line);
  if (!m) return [line];
  const n = Number(m[1]);
  assert.equal(Number(m[2]), n - 1, line);
  const bare = line.slice(0, line.indexOf("#")).trim();
  return Array.from({ length: n }, (_, i) => bare.replace("--shard 0/", `--shard ${i}/`));
}

/** What a line's pstm commands say they write (a shard run: OUT or its OUT.partial). */
function namedOutputs(line: string, dir: string): string[][] {
  const outputs: string[][] = [];
  for (const part of line.split(/\||;|&&/)) {
    const tokens = part.replace(/#.*$/, "").trim().split(/\s+/);
    const at = tokens.indexOf("pstm");
    if (at < 0) continue;
    const [cmd, ...rest] = tokens.slice(at + 1);
    const value = (...flags: string[]) => {
      const i = rest.findIndex((t) => flags.includes(t));
      return i >= 0 ? rest[i + 1] : undefined;
    };
    let out = value("-o", "--output");
    if (out === undefined && value("--config")) {
      out = JSON.parse(Deno.readTextFileSync(`${dir}/${value("--config")}`)).output;
    }
    if (out === "-" || rest.includes("--plan")) continue; // stdout, or the plan-only mode
    if (cmd === "plan") outputs.push([value("--plan-file") ?? `${out}.plan`]);
    else if (cmd === "merge") outputs.push([rest[0]]);
    else if (cmd === "demo") outputs.push([value("--out") ?? "demo-output"]);
    else if (cmd === "migrate" && value("--shard")) outputs.push([out!, `${out}.partial`]);
    else if (["synth", "migrate", "sort", "plot"].includes(cmd) && out) outputs.push([out]);
  }
  return outputs;
}

/** Names an example reads (words that look like files and are not its outputs). */
function inputsOf(line: string): string[] {
  const tokens = line.replace(/#.*$/, "").split(/\s+/);
  return tokens.filter((t, i) =>
    /^[\w.-]+\.(sgy|su|json)$/.test(t) && !["-o", "--output", "--plan-file"].includes(tokens[i - 1])
  );
}

/** Folder listing, for the plan-only lines (they must write nothing). */
function listing(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

/** One example: stand-ins first, then the run, then its outputs checked. */
async function runExample(
  group: string,
  dir: string,
  line: string,
  run: Run,
  made: Set<string>,
) {
  for (const name of inputsOf(line)) {
    const standIn = GROUP_STAND_INS[group]?.[name] ?? STAND_INS[name];
    if (made.has(name) || standIn === undefined) continue;
    try {
      await Deno.lstat(`${dir}/${name}`);
    } catch {
      await standIn.make(dir, run);
    }
    made.add(name);
  }
  const before = listing(dir);
  await run(dir, line);
  for (const output of namedOutputs(line, dir)) {
    const found = output.filter((path) => {
      try {
        Deno.statSync(`${dir}/${path}`);
        return true;
      } catch {
        return false;
      }
    });
    assert.ok(found.length > 0, `${line}: ${output.join(" or ")} written`);
    for (const path of output) made.add(path);
  }
  if (/\bpstm migrate\b.*\s--plan(\s|$)/.test(line)) {
    assert.deepEqual(listing(dir), before, `${line}: --plan wrote nothing`);
  }
}

/** The skip entry of a line, if any. */
function skipOf(line: string) {
  return SKIPPED.find((s) => line.includes(s.match));
}

Deno.test("the skipped examples are few, each matches an example, and the rest all run", () => {
  const readme = readmeExamples(Deno.readTextFileSync(`${REPO}README.md`));
  const help = helpExamples().flatMap((h) => h.lines);
  const all = [...readme, ...help];
  assert.ok(readme.length >= 15, `${readme.length} README examples`);
  assert.ok(help.length >= 25, `${help.length} --help examples`);
  assert.ok(SKIPPED.length <= 4, `${SKIPPED.length} skipped`);
  for (const skip of SKIPPED) {
    const matching = all.filter((l) => skipOf(l) === skip);
    assert.ok(matching.length >= 1, `skip "${skip.match}" matches an example`);
  }
  const skipped = all.filter((l) => skipOf(l));
  assert.ok(skipped.length <= 5, `skipped: ${skipped.join("\n")}`);
  assert.ok(all.filter((l) => !skipOf(l)).length >= all.length - 5);
});

Deno.test("every README example runs, in order, and leaves its outputs", async (t) => {
  const bin = await pstmBin();
  const dir = await Deno.makeTempDir({ prefix: "pstm-readme-" });
  const run = runner(bin);
  const made = new Set<string>();
  const lines = readmeExamples(Deno.readTextFileSync(`${REPO}README.md`));
  try {
    for (const example of lines) {
      const skip = skipOf(example);
      await t.step({
        name: skip ? `${example} (SKIPPED: ${skip.reason})` : example,
        ignore: skip !== undefined,
        fn: async () => {
          for (const line of expandShards(applyEdits(example))) {
            await runExample("readme", dir, line, run, made);
          }
        },
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(bin, { recursive: true });
  }
});

Deno.test("every --help example runs, command by command, and leaves its outputs", async (t) => {
  const bin = await pstmBin();
  const run = runner(bin);
  try {
    for (const { command, lines } of helpExamples()) {
      const dir = await Deno.makeTempDir({ prefix: `pstm-help-${command}-` });
      const made = new Set<string>();
      try {
        for (const example of lines) {
          const skip = skipOf(example);
          await t.step({
            name: skip ? `${example} (SKIPPED: ${skip.reason})` : example,
            ignore: skip !== undefined,
            fn: async () => {
              for (const line of expandShards(applyEdits(example))) {
                await runExample(command, dir, line, run, made);
              }
            },
          });
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    }
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});

function applyEdits(line: string): string {
  return SPEED_EDITS.reduce((text, [from, to]) => text.replaceAll(from, to), line);
}

/** A velocity volume: traces on a 9 x 9 lattice 2.5 km apart, v = 1800 + 600 t over 0-4 s. */
async function writeVelocityVolume(path: string): Promise<void> {
  const ns = 101, dtMicro = 40_000;
  const traces: { x: number; y: number }[] = [];
  for (let iy = 0; iy < 9; iy++) {
    for (let ix = 0; ix < 9; ix++) traces.push({ x: 2500 * ix, y: 2500 * iy });
  }
  const bytes = new Uint8Array(3600 + traces.length * (240 + 4 * ns));
  const view = new DataView(bytes.buffer);
  bytes.fill(0x40, 0, 3200); // EBCDIC spaces
  view.setUint16(3216, dtMicro);
  view.setUint16(3220, ns);
  view.setUint16(3224, 5); // IEEE floats
  view.setUint16(3500, 0x0100);
  traces.forEach((t, k) => {
    const at = 3600 + k * (240 + 4 * ns);
    view.setInt32(at, k + 1);
    view.setInt16(at + 70, 1);
    view.setUint16(at + 114, ns);
    view.setUint16(at + 116, dtMicro);
    view.setInt32(at + 180, t.x);
    view.setInt32(at + 184, t.y);
    for (let i = 0; i < ns; i++) view.setFloat32(at + 240 + 4 * i, 1800 + 600 * i * dtMicro * 1e-6);
  });
  await Deno.writeFile(path, bytes);
}

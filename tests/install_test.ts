/**
 * The user's way in: `deno task install` links a `pstm` command that runs from any folder,
 * `deno task pstm` resolves paths against the caller's folder, and the native build is silent
 * when up to date and safe when two builds start at once.
 */

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DENO = Deno.execPath();

async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; clearEnv?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(command, { args, stdin: "null", ...options }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

Deno.test("the native build prints nothing when build/ is up to date", async () => {
  const first = await run("sh", [`${ROOT}csrc/build.sh`]); // builds if a source changed
  assert.equal(first.code, 0, first.stderr);
  const again = await run("sh", [`${ROOT}csrc/build.sh`]);
  assert.equal(again.code, 0);
  assert.equal(again.stdout + again.stderr, "");
});

Deno.test("concurrent native builds take turns; a failed build shows cmake's output", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // a copy of the script beside a csrc/ with one source, and a fake cmake that notices overlap
    await Deno.mkdir(`${dir}/csrc`);
    await Deno.mkdir(`${dir}/tools`);
    await Deno.copyFile(`${ROOT}csrc/build.sh`, `${dir}/csrc/build.sh`);
    await Deno.writeTextFile(`${dir}/csrc/a.cpp`, "int a;\n");
    await Deno.writeTextFile(
      `${dir}/tools/cmake`,
      `#!/bin/sh
if [ -e "${dir}/running" ]; then echo overlap >> "${dir}/events"; fi
touch "${dir}/running"; echo "cmake $*" >> "${dir}/events"; sleep 0.3; rm -f "${dir}/running"
if [ -e "${dir}/fail" ]; then echo "error: a.cpp:1: broken"; exit 1; fi
`,
    );
    await Deno.chmod(`${dir}/tools/cmake`, 0o755);
    const env = { PATH: `${dir}/tools:${Deno.env.get("PATH")}` };
    const builds = await Promise.all(
      [1, 2, 3].map(() => run("sh", ["csrc/build.sh"], { cwd: dir, env })),
    );
    for (const b of builds) assert.equal(b.code, 0, b.stderr);
    const events = await Deno.readTextFile(`${dir}/events`);
    assert(!events.includes("overlap"), events);
    // one configure and one build: the builds that waited found build/ current
    assert.equal(events.trim().split("\n").length, 2, events);
    assert.equal(builds.map((b) => b.stdout + b.stderr).join(""), "");
    // a source edited after the build makes the next call rebuild; a failure prints the log
    await new Promise((r) => setTimeout(r, 20));
    await Deno.writeTextFile(`${dir}/csrc/a.cpp`, "int a = 1;\n");
    await Deno.writeTextFile(`${dir}/fail`, "");
    const failed = await run("sh", ["csrc/build.sh"], { cwd: dir, env });
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /a\.cpp:1: broken/);
    assert.match(failed.stderr, /native build failed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task pstm reads and writes relative paths in the caller's folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // a user's shell: no INIT_CWD inherited from the npx that started this test (Deno sets it
    // only when unset, as npm does), so deno task records this folder
    const env: Record<string, string> = {};
    for (const key of ["PATH", "HOME", "DENO_DIR", "DENO_NO_UPDATE_CHECK", "NO_COLOR"]) {
      const value = Deno.env.get(key);
      if (value !== undefined) env[key] = value;
    }
    const task = (args: string[]) =>
      run(DENO, ["task", "-q", "--config", `${ROOT}deno.json`, "pstm", ...args], {
        cwd: dir,
        env,
        clearEnv: true,
      });
    const synth = await task(["synth", "-o", "line.sgy", "--preset", "line2d"]);
    assert.equal(synth.code, 0, synth.stderr);
    assert.match(
      synth.stderr,
      /^pstm: wrote 1932 traces .* to line\.sgy, truth in line\.truth\.json\n$/,
    );
    assert((await Deno.stat(`${dir}/line.sgy`)).isFile);
    const scan = await task(["scan", "line.sgy", "--json"]);
    assert.equal(scan.code, 0, scan.stderr);
    assert.equal(JSON.parse(scan.stdout).path, "line.sgy");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task install links a pstm command that works from any folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bin = `${dir}/bin`;
    const installed = await run(DENO, ["task", "-q", "install"], {
      cwd: ROOT,
      env: { PSTM_BIN: bin },
    });
    assert.equal(installed.code, 0, installed.stderr);
    assert.match(installed.stdout, /installed .*\/bin\/pstm/);
    const elsewhere = `${dir}/survey`;
    await Deno.mkdir(elsewhere);
    const env = { PSTM_DENO: DENO };
    const version = await run(`${bin}/pstm`, ["--version"], { cwd: elsewhere, env });
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), "pstm 0.1.0");
    assert.equal(version.stderr, "");
    const synth = await run(`${bin}/pstm`, ["synth", "-o", "s.sgy", "--preset", "line2d"], {
      cwd: elsewhere,
      env,
    });
    assert.equal(synth.code, 0, synth.stderr);
    assert((await Deno.stat(`${elsewhere}/s.sgy`)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Failure during output, through the real command line (`cli.ts migrate` as a subprocess):
 * unwritable output paths, a read-only file system, disk full (a small tmpfs), a file-size
 * limit, SIGINT / SIGTERM / SIGKILL mid-run, input that ends early or shrinks during the run, and
 * manifests from another job or torn by a kill. For each: the exit code, a message naming the
 * file, a consistent manifest, and `--resume` finishing the job once the cause is gone, with
 * output byte-identical to an uninterrupted run.
 *
 * Needs the native CPU library (`deno task build`); the signal tests use the slow reference
 * backend so that there is time to interrupt them. The tmpfs tests need root and `mount`; they
 * are skipped where that is not possible.
 */

import assert from "node:assert/strict";

const CLI = new URL("../cli.ts", import.meta.url).pathname;
const VELOCITY = "0:2000,0.6:2400";
const decoder = new TextDecoder();

/**
 * A fast job: the cpu backend, 20 tiles of 3 x 3 bins, a 123,720-byte output, traveltimes
 * computed directly.
 */
const FAST = [
  "--velocity",
  VELOCITY,
  "--tile-bins",
  "3,3",
  "--backend",
  "cpu",
  "--traveltime-table",
  "off",
];
/** A slow job (several seconds): the reference backend, 208 tiles finishing one by one. */
const SLOW = [
  "--velocity",
  VELOCITY,
  "--grid",
  "1000,2000,5,5,61,51",
  "--time",
  "0,0.002,300",
  "--tile-bins",
  "4,4",
  "--aperture",
  "150",
  "--backend",
  "reference",
  "--batch-size",
  "8",
  "--traveltime-table",
  "off",
  "--tile-timings",
  "--log",
  "json",
];

interface Run {
  code: number;
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/** Runs `deno run -A cli.ts ARGS` (optionally through `bash -c` for ulimit/trap). */
async function pstm(args: string[], shellPrefix?: string): Promise<Run> {
  const command = shellPrefix === undefined
    ? new Deno.Command(Deno.execPath(), { args: ["run", "-A", CLI, ...args], stdin: "null" })
    : new Deno.Command("bash", {
      // --no-code-cache: a file-size limit applies to Deno's own cache files too (the V8
      // code cache's write-ahead log grows past 64 KiB as modules load), which would kill
      // the run before pstm writes anything
      args: [
        "-c",
        `${shellPrefix}; exec "$0" run -A --no-code-cache "$@"`,
        Deno.execPath(),
        CLI,
        ...args,
      ],
      stdin: "null",
    });
  const out = await command.output();
  return {
    code: out.code,
    signal: out.signal,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/**
 * Starts the slow job and sends `signal` once `tiles` tile events have appeared on stderr.
 *
 * @returns the run and how many tile events were seen before the signal
 */
async function interrupted(
  args: string[],
  signal: Deno.Signal,
  tiles = 3,
): Promise<Run & { seen: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = new Response(child.stdout).text();
  let stderr = "", seen = 0, sent = false;
  const lines = child.stderr.pipeThrough(new TextDecoderStream());
  let pending = "";
  for await (const chunk of lines) {
    stderr += chunk;
    pending += chunk;
    const parts = pending.split("\n");
    pending = parts.pop()!;
    for (const line of parts) {
      if (line.includes('"event":"tile"')) seen++;
      if (!sent && seen >= tiles) {
        child.kill(signal);
        sent = true;
      }
    }
  }
  const status = await child.status;
  assert.ok(sent, `the run ended before ${tiles} tiles were written:\n${stderr}`);
  return { code: status.code, signal: status.signal, stdout: await stdout, stderr, seen };
}

/** The tiles a manifest records; asserts it is well formed (header, then tile records). */
async function manifestTiles(path: string): Promise<{ tiles: number[]; total: number }> {
  const text = await Deno.readTextFile(path);
  const lines = text.split("\n");
  assert.equal(lines.pop(), "", `${path} ends with a complete line`);
  const header = JSON.parse(lines[0]);
  assert.equal(header.version, 1);
  assert.equal(typeof header.fingerprint, "string");
  const tiles = lines.slice(1).map((line) => JSON.parse(line).tile as number);
  for (const t of tiles) assert.ok(Number.isInteger(t) && t >= 0 && t < header.tiles, `tile ${t}`);
  assert.equal(new Set(tiles).size, tiles.length, "no tile recorded twice");
  return { tiles, total: header.tiles };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether two files are byte-identical (from byte `from`: 3200 skips the textual header). */
async function sameBytes(a: string, b: string, from = 0): Promise<boolean> {
  const [x, y] = await Promise.all([Deno.readFile(a), Deno.readFile(b)]);
  return x.length === y.length && x.subarray(from).every((v, i) => v === y[from + i]);
}

// One survey and the two uninterrupted outputs, made once for the whole file.
const work = await Deno.makeTempDir({ prefix: "pstm-failure-" });
const survey = `${work}/survey.sgy`;
let fastReference: Promise<string> | undefined;
let slowReference: Promise<string> | undefined;

async function synthSurvey(): Promise<void> {
  if (await exists(survey)) return;
  const run = await pstm(["synth", "-o", survey, "--preset", "small3d"]);
  assert.equal(run.code, 0, run.stderr);
}

function reference(kind: "fast" | "slow"): Promise<string> {
  const make = async () => {
    await synthSurvey();
    const out = `${work}/reference-${kind}.sgy`;
    const run = await pstm(["migrate", survey, "-o", out, ...(kind === "fast" ? FAST : SLOW)]);
    assert.equal(run.code, 0, run.stderr);
    return out;
  };
  if (kind === "fast") return fastReference ??= make();
  return slowReference ??= make();
}

/** A fresh directory for one test. */
async function caseDir(name: string): Promise<string> {
  await synthSurvey();
  const dir = `${work}/${name}`;
  await Deno.mkdir(dir, { recursive: true });
  return dir;
}

/** Whether this machine lets us mount a tmpfs (root, mount available). */
async function canMountTmpfs(): Promise<boolean> {
  if (Deno.build.os !== "linux") return false;
  const dir = await Deno.makeTempDir({ prefix: "pstm-mount-probe-" });
  try {
    const mount = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).output().catch(() => ({ code: 1 }));
    if (mount.code !== 0) return false;
    await umount(dir);
    return true;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

async function mount(dir: string, options: string, remount = false): Promise<void> {
  const args = remount
    ? ["-o", `remount,${options}`, dir]
    : ["-t", "tmpfs", "-o", options, "tmpfs", dir];
  const out = await new Deno.Command("mount", { args, stderr: "piped" }).output();
  assert.equal(out.code, 0, `mount ${args.join(" ")}: ${decoder.decode(out.stderr)}`);
}

async function umount(dir: string): Promise<void> {
  await new Deno.Command("umount", { args: [dir], stderr: "null" }).output();
}

const TMPFS = await canMountTmpfs();
const HAVE_BASH = await new Deno.Command("bash", { args: ["-c", "true"] }).output()
  .then((o) => o.code === 0).catch(() => false);

Deno.test.afterAll?.(async () => {
  await Deno.remove(work, { recursive: true }).catch(() => {});
});

// ---------------------------------------------------------------------------------------------
// Output paths that cannot be written.

for (
  const [label, path] of [
    ["whose parent is a regular file", () => `${survey}/out.sgy`],
    ["in a directory that does not exist", () => `${work}/no/such/dir/out.sgy`],
    ["inside /proc", () => `/proc/pstm-${crypto.randomUUID()}/out.sgy`],
  ] as const
) {
  Deno.test(`failure: output path ${label} exits 1 naming the path`, async () => {
    await synthSurvey();
    const out = path();
    const run = await pstm(["migrate", survey, "-o", out, ...FAST, "-q"]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /^pstm: error: /);
    assert.ok(run.stderr.includes(out), `the message names ${out}: ${run.stderr}`);
    assert.ok(!(await exists(out)), "no output");
  });
}

Deno.test({
  name:
    "failure: output on a read-only file system exits 1 naming the path; writable again, it runs",
  ignore: !TMPFS,
  async fn() {
    const dir = await caseDir("readonly");
    await mount(dir, "size=1m");
    try {
      await mount(dir, "ro", true);
      const out = `${dir}/out.sgy`;
      const run = await pstm(["migrate", survey, "-o", out, ...FAST, "-q"]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /Read-only file system/);
      assert.ok(run.stderr.includes(out), run.stderr);
      await mount(dir, "rw", true);
      const again = await pstm(["migrate", survey, "-o", out, ...FAST, "-q", "--resume"]);
      assert.equal(again.code, 0, again.stderr);
      assert.ok(await sameBytes(out, await reference("fast")), "same output as a plain run");
    } finally {
      await umount(dir);
    }
  },
});

// ---------------------------------------------------------------------------------------------
// Disk full and file-size limits.

Deno.test({
  name: "failure: disk full (64 KiB tmpfs) exits 1 naming OUT.partial; --resume after growing it",
  ignore: !TMPFS,
  async fn() {
    const dir = await caseDir("diskfull");
    await mount(dir, "size=64k");
    try {
      const out = `${dir}/out.sgy`;
      // the preflight sees the 123,720-byte output cannot fit and refuses it, leaving nothing
      const refused = await pstm(["migrate", survey, "-o", out, ...FAST, "-q"]);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /takes 120\.8 KiB \(123720 bytes\) but its file system has/);
      assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing left behind");
      // the disk filling up during the run (the check turned off to make it happen)
      const run = await pstm([
        "migrate",
        survey,
        "-o",
        out,
        ...FAST,
        "-q",
        "--no-check",
        "disk-space",
      ]);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /out\.sgy\.partial: cannot write: No space left on device/);
      assert.ok(!(await exists(out)), "no final output");
      const { tiles, total } = await manifestTiles(`${out}.manifest`);
      assert.ok(tiles.length < total, `${tiles.length} of ${total} tiles recorded`);
      // The cause goes away: --resume writes the rest, and the recorded tiles were really on
      // disk (the result is byte-identical to an uninterrupted run).
      await mount(dir, "size=4m", true);
      const again = await pstm(["migrate", survey, "-o", out, ...FAST, "--resume"]);
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stderr, new RegExp(`${tiles.length} tile\\(s\\) already done`));
      assert.ok(await sameBytes(out, await reference("fast")), "identical to a plain run");
      assert.ok(!(await exists(`${out}.manifest`)) && !(await exists(`${out}.partial`)));
    } finally {
      await umount(dir);
    }
  },
});

Deno.test({
  name:
    "failure: a file-size limit (ulimit -f, SIGXFSZ ignored) exits 1 'File too large'; --resume",
  ignore: !HAVE_BASH,
  async fn() {
    const dir = await caseDir("fsize");
    const out = `${dir}/out.sgy`;
    const run = await pstm(
      ["migrate", survey, "-o", out, ...FAST, "-q"],
      "trap '' XFSZ; ulimit -f 64",
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /out\.sgy\.partial: cannot write: File too large/);
    await manifestTiles(`${out}.manifest`);
    const again = await pstm(["migrate", survey, "-o", out, ...FAST, "-q", "--resume"]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(await sameBytes(out, await reference("fast")));
  },
});

Deno.test({
  name: "failure: a file-size limit with SIGXFSZ (killed, 128+25) leaves a resumable manifest",
  ignore: !HAVE_BASH,
  async fn() {
    const dir = await caseDir("fsize-kill");
    const out = `${dir}/out.sgy`;
    const run = await pstm(["migrate", survey, "-o", out, ...FAST, "-q"], "ulimit -f 64");
    // bash exec'd deno, so the status is the signal's: 128 + SIGXFSZ (25).
    assert.equal(run.code, 128 + 25, run.stderr);
    await manifestTiles(`${out}.manifest`);
    const again = await pstm(["migrate", survey, "-o", out, ...FAST, "-q", "--resume"]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(await sameBytes(out, await reference("fast")));
  },
});

// ---------------------------------------------------------------------------------------------
// Signals mid-run.

for (
  const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const
) {
  Deno.test(`failure: ${signal} mid-run stops cleanly (exit ${code}); --resume finishes it`, async () => {
    const dir = await caseDir(signal);
    const out = `${dir}/out.sgy`;
    const run = await interrupted(["migrate", survey, "-o", out, ...SLOW], signal);
    assert.equal(run.code, code, run.stderr.slice(-2000));
    assert.match(run.stderr, new RegExp(`interrupted by ${signal}.*--resume`));
    assert.ok(!(await exists(out)), "no final output after an interrupt");
    const { tiles, total } = await manifestTiles(`${out}.manifest`);
    assert.ok(tiles.length >= run.seen, `${tiles.length} recorded, ${run.seen} reported`);
    assert.ok(tiles.length < total, "interrupted before the end");
    const again = await pstm(["migrate", survey, "-o", out, ...SLOW, "--resume"]);
    assert.equal(again.code, 0, again.stderr.slice(-2000));
    assert.match(again.stderr, /"event":"plan".*"resumed":[1-9]/);
    assert.ok(await sameBytes(out, await reference("slow")), "identical to a plain run");
  });
}

Deno.test("failure: SIGKILL mid-run, then --resume gives output identical to an uninterrupted run", async () => {
  const dir = await caseDir("sigkill");
  const out = `${dir}/out.sgy`;
  const run = await interrupted(["migrate", survey, "-o", out, ...SLOW], "SIGKILL", 5);
  assert.equal(run.signal, "SIGKILL");
  const { tiles } = await manifestTiles(`${out}.manifest`).catch(async () => {
    // a kill between the bytes of a record leaves a torn last line, which --resume drops
    const text = await Deno.readTextFile(`${out}.manifest`);
    return { tiles: text.split("\n").slice(1, -1) };
  });
  assert.ok(tiles.length >= 1, "the tiles reported before the kill are recorded");
  const again = await pstm(["migrate", survey, "-o", out, ...SLOW, "--resume"]);
  assert.equal(again.code, 0, again.stderr.slice(-2000));
  assert.ok(await sameBytes(out, await reference("slow")), "identical to a plain run");
});

Deno.test("failure: a torn last manifest line (killed mid-record) is dropped by --resume", async () => {
  const dir = await caseDir("torn");
  const out = `${dir}/out.sgy`;
  const run = await interrupted(["migrate", survey, "-o", out, ...SLOW], "SIGKILL", 3);
  assert.equal(run.signal, "SIGKILL");
  const manifest = `${out}.manifest`;
  const text = await Deno.readTextFile(manifest);
  await Deno.writeTextFile(manifest, text.endsWith("\n") ? text + '{"tile":' : text);
  const again = await pstm(["migrate", survey, "-o", out, ...SLOW, "--resume"]);
  assert.equal(again.code, 0, again.stderr.slice(-2000));
  assert.ok(await sameBytes(out, await reference("slow")), "identical to a plain run");
});

// ---------------------------------------------------------------------------------------------
// Input that ends early, and manifests that do not belong to the job.

Deno.test("failure: a truncated survey exits 2 naming the file and trace; the full one runs", async () => {
  const dir = await caseDir("truncated");
  const bytes = await Deno.readFile(survey);
  const input = `${dir}/cut.sgy`;
  await Deno.writeFile(input, bytes.subarray(0, bytes.length - 1000));
  const out = `${dir}/out.sgy`;
  const run = await pstm(["migrate", input, "-o", out, ...FAST, "-q"]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /cut\.sgy, trace \d+, field file size: file ends inside trace \d+/);
  for (const suffix of ["", ".partial", ".manifest"]) {
    assert.ok(!(await exists(out + suffix)), `nothing written before the input was checked`);
  }
  await Deno.writeFile(input, bytes);
  const again = await pstm(["migrate", input, "-o", out, ...FAST, "-q"]);
  assert.equal(again.code, 0, again.stderr);
});

Deno.test("failure: a survey that shrinks during the run exits 1 naming it; restored, --resume", async () => {
  const dir = await caseDir("shrinks");
  const input = `${dir}/in.sgy`;
  const bytes = await Deno.readFile(survey);
  await Deno.writeFile(input, bytes);
  const out = `${dir}/out.sgy`;
  // Truncate the input while the slow job is reading it.
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "migrate", input, "-o", out, ...SLOW],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let stderr = "", cut = false;
  for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
    stderr += chunk;
    if (!cut && stderr.includes('"event":"tile"')) {
      await Deno.truncate(input, 3600 + 240);
      cut = true;
    }
  }
  const status = await child.status;
  assert.ok(cut, stderr);
  if (status.code === 0) {
    // Every trace had already been read ahead when the file was cut: nothing to prove here.
    console.log("the run had read the whole input before it was truncated");
    return;
  }
  assert.equal(status.code, 1, stderr.slice(-2000));
  assert.match(stderr, /in\.sgy, field file size: unexpected end of file/);
  await manifestTiles(`${out}.manifest`);
  await Deno.writeFile(input, bytes);
  const again = await pstm(["migrate", input, "-o", out, ...SLOW, "--resume"]);
  assert.equal(again.code, 0, again.stderr.slice(-2000));
  // The textual header names the input path, which differs from the reference run's.
  assert.ok(await sameBytes(out, await reference("slow"), 3200), "identical to a plain run");
});

Deno.test("failure: --resume with a manifest from another job exits 2; without --resume it runs", async () => {
  const dir = await caseDir("otherjob");
  const out = `${dir}/out.sgy`;
  // Job A (another velocity) dies on a file-size limit and leaves its manifest.
  const other = FAST.map((a) => a === VELOCITY ? "2500" : a);
  const killed = await pstm(["migrate", survey, "-o", out, ...other, "-q"], "ulimit -f 64");
  assert.notEqual(killed.code, 0);
  await manifestTiles(`${out}.manifest`);
  const run = await pstm(["migrate", survey, "-o", out, ...FAST, "-q", "--resume"]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /out\.sgy\.manifest, field fingerprint: .*different job/);
  const fresh = await pstm(["migrate", survey, "-o", out, ...FAST, "-q"]);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.ok(await sameBytes(out, await reference("fast")));
});

Deno.test("failure: --resume with a manifest that is not a pstm manifest exits 2", async () => {
  const dir = await caseDir("garbage-manifest");
  const out = `${dir}/out.sgy`;
  await Deno.writeTextFile(`${out}.manifest`, "this is not json\n");
  const run = await pstm(["migrate", survey, "-o", out, ...FAST, "-q", "--resume"]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /out\.sgy\.manifest.*(not JSON|not a pstm manifest)/);
});

Deno.test("failure: --resume of a finished job reports it complete and leaves it untouched", async () => {
  const dir = await caseDir("complete");
  const out = `${dir}/out.sgy`;
  const first = await pstm(["migrate", survey, "-o", out, ...FAST, "-q"]);
  assert.equal(first.code, 0, first.stderr);
  const before = (await Deno.stat(out)).mtime;
  const again = await pstm(["migrate", survey, "-o", out, ...FAST, "--resume"]);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /already complete/);
  assert.deepEqual((await Deno.stat(out)).mtime, before);
});

/**
 * Preflight of a migration job (pipeline/job/preflight.ts): what is refused before any work or
 * allocation, that the input is never touched, and that a refused job leaves nothing behind.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import {
  checkDiskSpace,
  checkMemoryFlag,
  explainAllocationFailure,
} from "../pipeline/job/preflight.ts";
import { makeSurvey, migrate, runCli, type Survey } from "./helpers/migrate_support.ts";

const survey: Survey = await makeSurvey("small3d");
const original = await Deno.readFile(survey.path);
const originalMtime = (await Deno.stat(survey.path)).mtime?.getTime();

Deno.test.afterAll?.(async () => {
  await Deno.remove(survey.dir, { recursive: true }).catch(() => {});
});

/** Asserts the survey is byte-identical and unmodified. */
async function assertInputUntouched(): Promise<void> {
  const now = await Deno.readFile(survey.path);
  assert.ok(now.length === original.length && now.every((v, i) => v === original[i]));
  assert.equal((await Deno.stat(survey.path)).mtime?.getTime(), originalMtime);
}

/** The files left in the survey's folder apart from the survey. */
async function leftovers(): Promise<string[]> {
  const names = [];
  for await (const entry of Deno.readDir(survey.dir)) {
    if (entry.name !== "survey.sgy") names.push(entry.name);
  }
  return names.sort();
}

async function rejectsWith(
  options: Record<string, unknown>,
  pattern: RegExp,
  exitCode = 2,
  output = "out.sgy",
): Promise<PstmError> {
  let caught: PstmError | undefined;
  await assert.rejects(migrate(survey, output, options), (e: unknown) => {
    assert.ok(e instanceof PstmError, `expected a PstmError, got ${e}`);
    assert.match(e.message, pattern);
    assert.equal(e.exitCode, exitCode, e.message);
    caught = e;
    return true;
  });
  return caught!;
}

Deno.test("preflight refuses output = input, through ./, an absolute path and links", async () => {
  const cwd = Deno.cwd();
  try {
    Deno.chdir(survey.dir);
    for (
      const output of ["survey.sgy", "./survey.sgy", survey.path, `${survey.dir}/./survey.sgy`]
    ) {
      await rejectsWith({ output }, /is the input .*never writes over its input/);
    }
    await Deno.link(survey.path, `${survey.dir}/hard.sgy`);
    await Deno.symlink(survey.path, `${survey.dir}/soft.sgy`);
    await rejectsWith({}, /is the input/, 2, "hard.sgy");
    await rejectsWith({}, /is the input/, 2, "soft.sgy");
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(`${survey.dir}/hard.sgy`).catch(() => {});
    await Deno.remove(`${survey.dir}/soft.sgy`).catch(() => {});
  }
  await assertInputUntouched();
  assert.deepEqual(await leftovers(), []);
});

Deno.test("preflight refuses an output that is OUT.partial of the input", async () => {
  const input = `${survey.dir}/x.sgy.partial`;
  await Deno.copyFile(survey.path, input);
  try {
    await assert.rejects(
      migrate({ ...survey, path: input }, "x.sgy"),
      (e: unknown) => e instanceof PstmError && e.exitCode === 2 && /is the input/.test(e.message),
    );
  } finally {
    await Deno.remove(input);
  }
});

Deno.test("preflight: the CLI exits 2 for -o IN (same path), the input untouched", async () => {
  const run = await runCli([
    "migrate",
    survey.path,
    "-o",
    survey.path,
    "--velocity",
    survey.velocity,
    "-q",
  ]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /never writes over its input/);
  await assertInputUntouched();
});

Deno.test("preflight: an input directory exits 2 naming it; a missing input too", async () => {
  const e = await rejectsWith({ input: survey.dir }, /is a directory; expected a SEG-Y/);
  assert.equal(e.location.file, survey.dir);
  await rejectsWith({ input: `${survey.dir}/nope.sgy` }, /nope\.sgy: no such file/);
  assert.deepEqual(await leftovers(), []);
});

Deno.test("preflight: an output that is a directory exits 2 before any work", async () => {
  await Deno.mkdir(`${survey.dir}/image.sgy`);
  try {
    await rejectsWith({}, /output is a directory/, 2, "image.sgy");
    assert.deepEqual(await leftovers(), ["image.sgy"]);
  } finally {
    await Deno.remove(`${survey.dir}/image.sgy`);
  }
});

Deno.test("preflight: --memory above physical memory exits 2 naming both sizes", async () => {
  const e = await rejectsWith({ memory: "1000TiB" }, /1000TiB .* above this machine's .* physical/);
  assert.equal(e.location.field, "--memory");
  assert.deepEqual(await leftovers(), []);
  assert.equal(checkMemoryFlag("2GiB", 4 * 1024 ** 3), 2 * 1024 ** 3);
  assert.throws(() => checkMemoryFlag("5GiB", 4 * 1024 ** 3), /4\.0 GiB of physical memory/);
});

Deno.test("preflight: an output larger than the free disk exits 2 with sizes, leaves nothing", async () => {
  // 30,000 x 30,000 bins x 60,000 samples: 216 PB, more than any test machine's disk
  const e = await rejectsWith(
    { grid: "0,0,1,1,30000,30000", time: "0,0.0001,60000", memory: "64MiB" },
    /the output takes 196\d*\.\d TiB \(216\d+ bytes\) but its file system has .* free/,
  );
  assert.match(e.message, /--no-check disk-space/);
  assert.deepEqual(await leftovers(), [], "no .partial, no manifest");
  await checkDiskSpace({ output: `${survey.dir}/o.sgy`, bytes: 10, resume: false }, 100);
  await assert.rejects(
    checkDiskSpace({ output: `${survey.dir}/o.sgy`, bytes: 1000, resume: false }, 100),
    /takes 1000 B \(1000 bytes\) but its file system has 100 B free/,
  );
});

Deno.test("preflight: dt 0 in every header is reported against the input, not OUT.partial", async () => {
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  view.setUint16(3216, 0, false); // binary dt
  const traceBytes = 240 + 4 * survey.spec.ns;
  for (let at = 3600; at < bytes.length; at += traceBytes) view.setUint16(at + 116, 0, false);
  const input = `${survey.dir}/nodt.sgy`;
  await Deno.writeFile(input, bytes);
  try {
    await assert.rejects(migrate({ ...survey, path: input }, "out.sgy"), (e: unknown) => {
      assert.ok(e instanceof PstmError);
      assert.equal(e.location.file, input);
      assert.match(e.message, /field dt \(binary header bytes 3217-3218/);
      assert.doesNotMatch(e.message, /partial/);
      return true;
    });
  } finally {
    await Deno.remove(input);
  }
  assert.deepEqual(await leftovers(), []);
});

Deno.test("preflight: stdin errors say stdin and the spool is removed", async () => {
  const bytes = original.slice(0, original.length - 100); // ends inside the last trace
  const run = await runCli(
    ["migrate", "-", "-o", `${survey.dir}/piped.sgy`, "--velocity", survey.velocity, "-q"],
    bytes,
  );
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /pstm: error: stdin, trace \d+, field file size/);
  assert.doesNotMatch(run.stderr, /spool/);
  assert.deepEqual(await leftovers(), [], "no spool, no partial");
});

Deno.test("a job failing before its first tile removes OUT.partial and its manifest", async () => {
  const bytes = original.slice();
  const traceBytes = 240 + 4 * survey.spec.ns;
  new DataView(bytes.buffer).setFloat32(3600 + traceBytes + 240 + 4 * 7, NaN, false);
  const input = `${survey.dir}/nan.sgy`;
  await Deno.writeFile(input, bytes);
  try {
    await assert.rejects(
      migrate({ ...survey, path: input }, "out.sgy"),
      (e: unknown) => e instanceof PstmError,
    );
  } finally {
    await Deno.remove(input);
  }
  assert.deepEqual(await leftovers(), []);
});

Deno.test("explainAllocationFailure names what and the flag; other errors pass", () => {
  const e = explainAllocationFailure(
    new RangeError("Array buffer allocation failed"),
    "4 tile(s) of 100 x 100 bins",
  );
  assert.ok(e instanceof PstmError);
  assert.match(e.message, /could not allocate 4 tile\(s\) of 100 x 100 bins.*--memory/);
  const other = new RangeError("index out of range");
  assert.equal(explainAllocationFailure(other, "x"), other);
});

Deno.test("a tile allocation that fails in the passes becomes a PstmError naming --memory", async () => {
  const { ReferenceBackend } = await import("../backends/reference/reference_backend.ts");
  const inner = new ReferenceBackend();
  const failing = {
    name: "reference",
    device: "test",
    stats: () => inner.stats(),
    close: () => inner.close(),
    bytesPerColumn: (params: Parameters<typeof inner.bytesPerColumn>[0]) =>
      inner.bytesPerColumn(params),
    openTile: (): never => {
      throw new RangeError("Array buffer allocation failed");
    },
  };
  await assert.rejects(migrate(survey, "out.sgy", {}, { backend: failing }), (e: unknown) => {
    assert.ok(e instanceof PstmError, `expected a PstmError, got ${e}`);
    assert.match(e.message, /could not allocate \d+ tile\(s\) of \d+ x \d+ bins.*lower --memory/);
    return true;
  });
  assert.deepEqual(await leftovers(), [], "no .partial or manifest left");
});

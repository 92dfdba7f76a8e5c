/**
 * `-o -` streams the result to stdout: `pstm migrate` the SEG-Y image once every tile is
 * complete, `pstm plot` the PNG; nothing is left in the temporary folder.
 */

import assert from "node:assert/strict";
import { CLI, makeSurvey } from "./helpers/migrate_support.ts";

const survey = await makeSurvey("small3d");
const tmp = await Deno.makeTempDir({ prefix: "pstm-tmpdir-" });

Deno.test.afterAll?.(async () => {
  await Deno.remove(survey.dir, { recursive: true }).catch(() => {});
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
});

async function pstm(args: string[]): Promise<{ code: number; stdout: Uint8Array; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdin: "null",
    env: { TMPDIR: tmp },
  }).output();
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

const JOB = ["--velocity", survey.velocity, "--grid", survey.grid, "--backend", "cpu"];

Deno.test("pstm migrate -o - writes the same SEG-Y image to stdout as to a file", async () => {
  const file = `${survey.dir}/image.sgy`;
  const toFile = await pstm(["migrate", survey.path, "-o", file, ...JOB, "-q"]);
  assert.equal(toFile.code, 0, toFile.stderr);
  const piped = await pstm(["migrate", survey.path, "-o", "-", ...JOB]);
  assert.equal(piped.code, 0, piped.stderr);
  assert.match(piped.stderr, /wrote stdout/);
  const expected = await Deno.readFile(file);
  assert.equal(piped.stdout.length, expected.length);
  assert.ok(piped.stdout.every((v, i) => v === expected[i]), "byte-identical");
  assert.deepEqual([...Deno.readDirSync(tmp)], [], "the temporary image is removed");
  assert.ok(![...Deno.readDirSync(survey.dir)].some((e) => e.name === "-"), "no file named -");
});

Deno.test("pstm migrate -o - refuses --resume and --shard (exit 2)", async () => {
  const run = await pstm(["migrate", survey.path, "-o", "-", ...JOB, "--resume", "-q"]);
  assert.equal(run.code, 2, run.stderr);
  assert.match(run.stderr, /cannot be resumed or sharded/);
  assert.equal(run.stdout.length, 0);
});

Deno.test("pstm migrate -o - with bad input writes nothing to stdout and leaves nothing", async () => {
  const run = await pstm(["migrate", survey.path, "-o", "-", ...JOB, "--time", "0,0,10", "-q"]);
  assert.equal(run.code, 2, run.stderr);
  assert.equal(run.stdout.length, 0);
  assert.deepEqual([...Deno.readDirSync(tmp)], []);
});

Deno.test("pstm plot -o - writes the PNG to stdout, its summary line to stderr", async () => {
  const image = `${survey.dir}/for-plot.sgy`;
  assert.equal((await pstm(["migrate", survey.path, "-o", image, ...JOB, "-q"])).code, 0);
  const png = `${survey.dir}/inline.png`;
  const toFile = await pstm(["plot", image, "--inline", "1", "-o", png]);
  assert.equal(toFile.code, 0, toFile.stderr);
  const piped = await pstm(["plot", image, "--inline", "1", "-o", "-"]);
  assert.equal(piped.code, 0, piped.stderr);
  assert.deepEqual([...piped.stdout.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
  assert.deepEqual(piped.stdout, await Deno.readFile(png));
  assert.match(piped.stderr, /-: \d+ x \d+ px/);
});

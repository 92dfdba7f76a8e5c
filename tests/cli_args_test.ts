import assert from "node:assert/strict";
import {
  closest,
  type CommandSpec,
  formatHelp,
  numberFlag,
  parseCommandArgs,
} from "../cli/args.ts";
import { PstmError } from "../core/errors.ts";

const spec: CommandSpec = {
  name: "demo",
  summary: "a test command",
  usage: "demo IN [options]",
  positionals: { min: 1, max: 1, names: "IN" },
  flags: {
    output: { type: "string", short: "o", value: "FILE", description: "output" },
    aperture: { type: "string", value: "R", description: "aperture", default: "none" },
    json: { type: "boolean", description: "json" },
  },
  examples: ["pstm demo in.sgy -o out.sgy"],
};

Deno.test("parseCommandArgs reads flags, defaults and positionals", () => {
  const args = parseCommandArgs(spec, ["in.sgy", "-o", "out.sgy", "--json"]);
  assert.deepEqual(args.positionals, ["in.sgy"]);
  assert.equal(args.values.output, "out.sgy");
  assert.equal(args.values.json, true);
  assert.equal(args.values.aperture, "none");
  assert.equal(args.help, false);
  assert.equal(parseCommandArgs(spec, ["--help"]).help, true);
});

Deno.test("parseCommandArgs rejects unknown flags with a suggestion", () => {
  assert.throws(() => parseCommandArgs(spec, ["in", "--apertur", "5"]), (e: unknown) => {
    assert.ok(e instanceof PstmError);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /did you mean --aperture/);
    return true;
  });
  assert.throws(() => parseCommandArgs(spec, []), /takes 1 argument/);
  assert.throws(() => parseCommandArgs(spec, ["in", "-o"]), PstmError);
});

Deno.test("numberFlag checks range and finiteness", () => {
  const args = parseCommandArgs(spec, ["in", "--aperture", "1500"]);
  assert.equal(numberFlag(args, "aperture", 0), 1500);
  assert.throws(() => numberFlag(args, "aperture", 0, 100), PstmError);
  const bad = parseCommandArgs(spec, ["in", "--aperture", "abc"]);
  assert.throws(() => numberFlag(bad, "aperture"), /--aperture must be a number/);
  assert.equal(numberFlag(args, "output"), undefined);
});

Deno.test("formatHelp lists flags, defaults and examples; closest suggests", () => {
  const help = formatHelp(spec);
  assert.match(help, /--output FILE/);
  assert.match(help, /default: none/);
  assert.match(help, /Examples:/);
  assert.equal(closest("migrat", ["migrate", "merge"]), "migrate");
  assert.equal(closest("zzzzzz", ["migrate"]), undefined);
});

Deno.test("parseCommandArgs passes negative numbers as flag values to the value checks", () => {
  const args = parseCommandArgs(spec, ["in", "--aperture", "-2000", "-o", "-5.sgy"]);
  assert.equal(args.values.aperture, "-2000");
  assert.equal(args.values.output, "-5.sgy");
  assert.throws(() => numberFlag(args, "aperture", 0), /--aperture must be a number in \[0/);
  const grid = parseCommandArgs(spec, ["in", "--aperture", "-100,-200,25"]);
  assert.equal(grid.values.aperture, "-100,-200,25");
  assert.equal(parseCommandArgs(spec, ["in", "--aperture", "-.5"]).values.aperture, "-.5");
  // a flag after a value-taking flag is still a flag, `--` still ends the flags
  assert.throws(() => parseCommandArgs(spec, ["in", "--aperture", "--json"]), PstmError);
  assert.deepEqual(parseCommandArgs(spec, ["--", "-1"]).positionals, ["-1"]);
});

Deno.test("pstm migrate --velocity -2000 reaches the velocity check (exit 2)", async () => {
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const input = new URL("../../shared/data/segy/small.sgy", import.meta.url).pathname;
  const dir = await Deno.makeTempDir();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      cli,
      "migrate",
      input,
      "-o",
      `${dir}/o.sgy`,
      "--velocity",
      "-2000",
      "--no-check",
      "geometry",
    ],
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2, stderr);
  assert.doesNotMatch(stderr, /ambiguous/);
  assert.match(stderr, /field --velocity: velocity must be a finite number > 0/);
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  await Deno.remove(dir);
});

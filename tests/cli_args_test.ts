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

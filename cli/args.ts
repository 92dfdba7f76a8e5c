/**
 * Command-line parsing shared by every pstm subcommand: flags declared once
 * with their description and default, help text generated from them, unknown
 * flags rejected with a suggestion.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { PstmError } from "../core/errors.ts";

/** One flag of a command. */
export interface FlagSpec {
  /** "string" takes a value, "boolean" is a switch. */
  type: "string" | "boolean";
  /** One-letter alias. */
  short?: string;
  /** Whether the flag may repeat (values collected in an array). */
  multiple?: boolean;
  /** Default value shown in the help. */
  default?: string | boolean;
  /** Placeholder for the value in the help, e.g. "FILE". */
  value?: string;
  /** One-line description. */
  description: string;
}

/** A subcommand: its flags, positional arguments, help and examples. */
export interface CommandSpec {
  /** Name, e.g. "scan". */
  name: string;
  /** One-line summary. */
  summary: string;
  /** Usage line after "pstm ", e.g. "scan IN.sgy [options]". */
  usage: string;
  /** Flags by long name. */
  flags: Record<string, FlagSpec>;
  /** Minimum and maximum number of positional arguments. */
  positionals: { min: number; max: number; names?: string };
  /** Example command lines. */
  examples: string[];
}

/** Parsed arguments; `help` is true when --help was given. */
export interface ParsedArgs {
  /** Flag values by long name. */
  values: Record<string, string | boolean | string[] | undefined>;
  /** Positional arguments. */
  positionals: string[];
  /** --help was given. */
  help: boolean;
}

/**
 * Parses `argv` against `spec`. Unknown flags, missing values and wrong
 * positional counts throw a PstmError (exit code 2) with a suggestion.
 *
 * @param spec the command
 * @param argv arguments after the subcommand name
 * @returns values and positionals
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseCommandArgs } from "./args.ts";
 * const spec = { name: "x", summary: "", usage: "x", positionals: { min: 0, max: 1 },
 *   flags: { json: { type: "boolean" as const, description: "JSON" } }, examples: [] };
 * assert(parseCommandArgs(spec, ["--json"]).values.json === true);
 * ```
 */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = { help: { type: "boolean", short: "h" } };
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = { type: flag.type };
    if (flag.short) options[name].short = flag.short;
    if (flag.multiple) options[name].multiple = true;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: joinNegativeValues(spec, argv),
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new PstmError(explainParseError(spec, error), { field: "command line" });
  }
  const values = parsed.values as ParsedArgs["values"];
  const help = values.help === true;
  delete values.help;
  for (const [name, flag] of Object.entries(spec.flags)) {
    if (values[name] === undefined && flag.default !== undefined) values[name] = flag.default;
  }
  const { min, max } = spec.positionals;
  if (!help && (parsed.positionals.length < min || parsed.positionals.length > max)) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new PstmError(
      `pstm ${spec.name} takes ${expected} argument(s) (${spec.positionals.names ?? "none"}), ` +
        `got ${parsed.positionals.length}: usage: pstm ${spec.usage}`,
      { field: "command line" },
    );
  }
  return { values, positionals: parsed.positionals, help };
}

/**
 * Joins a value-taking flag with a following value that starts with a minus
 * and a digit (`--velocity -2000`, `--grid -100,-200,25,25,10,10`, `-o -5.sgy`)
 * into `--flag=VALUE`, so that negative numbers reach the value checks
 * instead of being taken for flags. Stops at `--`.
 *
 * @param spec the command
 * @param argv the arguments
 * @returns the arguments with such pairs joined
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { joinNegativeValues } from "./args.ts";
 * const spec = { name: "x", summary: "", usage: "x", positionals: { min: 0, max: 0 },
 *   flags: { eta: { type: "string" as const, short: "e", description: "" } }, examples: [] };
 * assert.deepEqual(joinNegativeValues(spec, ["--eta", "-0.1"]), ["--eta=-0.1"]);
 * assert.deepEqual(joinNegativeValues(spec, ["-e", "-1"]), ["--eta=-1"]);
 * ```
 */
export function joinNegativeValues(spec: CommandSpec, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === "--") {
      out.push(...argv.slice(i));
      break;
    }
    const next = argv[i + 1];
    const name = /^--[^=]+$/.test(token)
      ? token.slice(2)
      : /^-[^-]$/.test(token)
      ? Object.keys(spec.flags).find((n) => spec.flags[n].short === token[1])
      : undefined;
    if (
      name !== undefined && spec.flags[name]?.type === "string" && next !== undefined &&
      /^-\.?\d/.test(next)
    ) {
      out.push(`--${name}=${next}`);
      i++;
    } else {
      out.push(token);
    }
  }
  return out;
}

function explainParseError(spec: CommandSpec, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message);
  if (unknown) {
    const given = unknown[1].replace(/^-+/, "");
    const suggestion = closest(given, Object.keys(spec.flags));
    return `unknown flag ${unknown[1]} for pstm ${spec.name}` +
      (suggestion ? `; did you mean --${suggestion}?` : "") +
      ` (see pstm ${spec.name} --help)`;
  }
  return `${message.split("\n")[0]} (see pstm ${spec.name} --help)`;
}

/**
 * The candidate nearest to `word` by edit distance, if it is close enough.
 *
 * @param word what the user typed
 * @param candidates valid names
 * @returns the best candidate or undefined
 */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * Help text generated from the spec: usage, flags with defaults, examples.
 *
 * @param spec the command
 * @returns the text
 */
export function formatHelp(spec: CommandSpec): string {
  const lines = [`pstm ${spec.name}: ${spec.summary}`, "", `Usage: pstm ${spec.usage}`, ""];
  const rows = Object.entries(spec.flags).map(([name, flag]) => {
    const head = (flag.short ? `-${flag.short}, ` : "    ") + `--${name}` +
      (flag.type === "string" ? ` ${flag.value ?? "VALUE"}` : "");
    const tail = flag.description +
      (flag.default !== undefined && flag.default !== false ? ` (default: ${flag.default})` : "");
    return [head, tail];
  });
  rows.push(["-h, --help", "show this help"]);
  const width = Math.max(...rows.map(([head]) => head.length)) + 2;
  lines.push("Options:", ...rows.map(([head, tail]) => `  ${head.padEnd(width)}${tail}`));
  if (spec.examples.length) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/**
 * Reads a string flag, or undefined.
 *
 * @param args parsed arguments
 * @param name flag name
 * @returns its value
 */
export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * Reads a numeric flag, checking it is finite and within [min, max].
 *
 * @param args parsed arguments
 * @param name flag name
 * @param min smallest allowed value
 * @param max largest allowed value
 * @returns the number, or undefined when the flag is absent
 */
export function numberFlag(
  args: ParsedArgs,
  name: string,
  min = -Infinity,
  max = Infinity,
): number | undefined {
  const text = stringFlag(args, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new PstmError(
      `--${name} must be a number in [${min}, ${max}], got "${text}"`,
      { field: `--${name}` },
    );
  }
  return value;
}

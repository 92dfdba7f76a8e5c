/**
 * The `pstm` command: `pstm COMMAND ...` once installed (`deno task install`),
 * `deno task pstm COMMAND ...` or `deno run -A cli.ts COMMAND ...`.
 *
 * Exit codes: 0 done, 1 runtime failure, 2 bad usage or bad input.
 *
 * @module
 */

import { closest, formatHelp, parseCommandArgs } from "./cli/args.ts";
import type { Command } from "./cli/command.ts";
import { EXIT_BAD_INPUT, EXIT_RUNTIME, PstmError } from "./core/errors.ts";
import { jsonEvent } from "./pipeline/job/progress.ts";

/**
 * A subcommand as `pstm --help` lists it, and how to load it: only the command run is
 * imported, so that `pstm migrate` does not load the PNG encoder of `plot` or the cluster
 * code of `slurm` (each module loaded stays resident; tests/cli_test.ts checks that each
 * summary is its command's own).
 */
export interface CommandEntry {
  /** The command's name. */
  name: string;
  /** Its one-line summary (the same as its spec's). */
  summary: string;
  /** Imports the command's module. */
  load(): Promise<Command>;
}

/** Every subcommand, in help order. */
export const COMMANDS: CommandEntry[] = [
  {
    name: "scan",
    summary: "summarise a SEG-Y file's headers and geometry and suggest an output grid",
    load: async () => (await import("./cli/scan.ts")).scanCommand,
  },
  {
    name: "synth",
    summary: "write a synthetic 2-D or 3-D prestack survey with a JSON truth file",
    load: async () => (await import("./cli/synth.ts")).synthCommand,
  },
  {
    name: "plan",
    summary: "scan a survey once and write the job's plan for its shards and resumes",
    load: async () => (await import("./cli/plan.ts")).planCommand,
  },
  {
    name: "migrate",
    summary: "Kirchhoff prestack time migration of a SEG-Y survey",
    load: async () => (await import("./cli/migrate.ts")).migrateCommand,
  },
  {
    name: "plot",
    summary:
      "draw a section, a time slice, a gather or input traces (a shot, a CMP, a range) as PNG",
    load: async () => (await import("./cli/plot.ts")).plotCommand,
  },
  {
    name: "merge",
    summary: "assemble the shards of a --shard I/N run into the final output",
    load: async () => (await import("./cli/merge.ts")).mergeCommand,
  },
  {
    name: "sort",
    summary: "rewrite a survey in tile-band order (bounded memory) before a tight-budget migration",
    load: async () => (await import("./cli/sort.ts")).sortCommand,
  },
  {
    name: "slurm",
    summary: "migrate on a Slurm cluster: a job array of shards and a dependent merge",
    load: async () => (await import("./cli/slurm.ts")).slurmCommand,
  },
  {
    name: "info",
    summary: "list the backends found, their devices and memory",
    load: async () => (await import("./cli/info.ts")).infoCommand,
  },
  {
    name: "demo",
    summary: "synthesize a 3-D survey, migrate it, report the foci and write pictures",
    load: async () => (await import("./cli/demo.ts")).demoCommand,
  },
];

/** The version printed by `pstm --version`. */
export const VERSION = "0.1.0";

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    "pstm: Kirchhoff prestack time migration (SEG-Y in, migrated volume and gathers out)",
    "",
    "Usage: pstm COMMAND [options]     pstm COMMAND --help for its options and examples",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    "",
    "Exit codes: 0 done, 1 runtime failure, 2 bad usage or bad input.",
    "",
    "Example:",
    "  pstm synth -o survey.sgy --preset demo3d",
    "  pstm migrate survey.sgy -o image.sgy --velocity 0:1800,1.5:2600 --aperture 800",
    "  pstm plot image.sgy --inline 21 -o inline21.png",
  ].join("\n");
}

/**
 * Runs the command line and returns the exit code; errors are printed, not
 * thrown.
 *
 * @param argv arguments after the program name
 * @returns the exit code
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(mainHelp());
    return name === undefined ? EXIT_BAD_INPUT : 0;
  }
  if (name === "--version" || name === "-V") {
    console.log(`pstm ${VERSION}`);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const suggestion = closest(name, COMMANDS.map((c) => c.name));
    const message = `unknown command "${name}"` +
      (suggestion ? `; did you mean "${suggestion}"?` : "") + " (see pstm --help)";
    return reportError(new PstmError(message), wantsJsonLog(rest) ? "json" : "text");
  }
  try {
    const command = await entry.load();
    const args = parseCommandArgs(command.spec, rest);
    if (args.help) {
      console.log(formatHelp(command.spec));
      return 0;
    }
    return await command.run(args);
  } catch (error) {
    return reportError(error, wantsJsonLog(rest) ? "json" : "text");
  }
}

/**
 * Whether a command line asks for `--log json` (looked for in the raw arguments, so that an
 * error in parsing the others is reported as JSON too).
 *
 * @param args the arguments after the command name
 * @returns true for `--log json` or `--log=json`
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { wantsJsonLog } from "./cli.ts";
 * assert(wantsJsonLog(["in.sgy", "--log", "json"]) && wantsJsonLog(["--log=json"]));
 * assert(!wantsJsonLog(["--log", "text"]));
 * ```
 */
export function wantsJsonLog(args: string[]): boolean {
  return args.some((a, i) => a === "--log=json" || (a === "--log" && args[i + 1] === "json"));
}

/**
 * Prints an error and returns its exit code: PstmError carries its own;
 * anything else is a runtime failure (1).
 *
 * @param error what was thrown
 * @param log "json": one `{"event":"error",...}` line with the message, exit code, file,
 *   trace and field, as `--log json` asks
 * @returns the exit code
 */
export function reportError(error: unknown, log: "text" | "json" = "text"): number {
  if (error instanceof Deno.errors.BrokenPipe) return EXIT_RUNTIME;
  const exitCode = error instanceof PstmError ? error.exitCode : EXIT_RUNTIME;
  const message = error instanceof Error ? error.message : String(error);
  if (log === "json") {
    const location = error instanceof PstmError ? error.location : {};
    console.error(jsonEvent("error", { message, exitCode, ...location }));
    return exitCode;
  }
  console.error(`pstm: error: ${message}`);
  if (error instanceof PstmError) return exitCode;
  if (Deno.env.get("PSTM_DEBUG") && error instanceof Error) console.error(error.stack);
  return EXIT_RUNTIME;
}

/**
 * Moves into the folder `deno task pstm` was called from: the task runs in the repository and
 * passes the caller's folder (Deno's INIT_CWD) as PSTM_CWD, so relative paths mean what the
 * user typed. The variable is removed so programs pstm starts do not inherit it.
 *
 * @param env the environment to read (and clear) PSTM_CWD in
 * @returns the folder moved into, or undefined when PSTM_CWD is not set
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { enterCallerFolder } from "./cli.ts";
 * const here = Deno.cwd();
 * const env = new Map([["PSTM_CWD", here]]);
 * assert.equal(enterCallerFolder({ get: (k) => env.get(k), delete: (k) => env.delete(k) }), here);
 * assert.equal(env.has("PSTM_CWD"), false);
 * ```
 */
export function enterCallerFolder(
  env: Pick<Deno.Env, "get" | "delete"> = Deno.env,
): string | undefined {
  const folder = env.get("PSTM_CWD");
  if (!folder) return undefined;
  env.delete("PSTM_CWD");
  Deno.chdir(folder);
  return folder;
}

if (import.meta.main) {
  enterCallerFolder();
  Deno.exit(await main(Deno.args));
}

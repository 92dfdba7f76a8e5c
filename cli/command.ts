/**
 * The shape of a pstm subcommand module (cli/scan.ts, cli/migrate.ts, ...).
 *
 * @module
 */

import type { CommandSpec, ParsedArgs } from "./args.ts";

/**
 * A subcommand: its spec (flags, help, examples) and what it does. `run`
 * throws PstmError for bad usage or input (exit code 2) and returns the
 * exit code otherwise (0 on success).
 */
export interface Command {
  /** Flags, help text and examples. */
  spec: CommandSpec;
  /** Runs the command with parsed arguments; returns the exit code. */
  run(args: ParsedArgs): Promise<number>;
}

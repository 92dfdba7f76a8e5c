/**
 * `pstm sort IN.sgy -o OUT.sgy --grid G`: rewrites a survey (e.g. field data
 * in shot order) with its traces in tile-band order, in bounded memory, so
 * that a migration under a tight budget reads each band once instead of the
 * whole file per pass.
 *
 * @module
 */

import { EXIT_OK, PstmError } from "../core/errors.ts";
import { sortByBand } from "../pipeline/job/sort_job.ts";
import { checkGrid, parseGridFlag } from "../pipeline/plan/grid.ts";
import { parseSize } from "../pipeline/plan/memory.ts";
import { stringFlag } from "./args.ts";
import type { Command } from "./command.ts";

/** The sort command. */
export const sortCommand: Command = {
  spec: {
    name: "sort",
    summary: "rewrite a survey in tile-band order (bounded memory) before a tight-budget migration",
    usage: "sort IN.sgy -o OUT.sgy --grid X0,Y0,DX,DY,NX,NY[,AZIMUTH] [--memory SIZE]",
    positionals: { min: 1, max: 1, names: "IN.sgy" },
    flags: {
      output: { type: "string", short: "o", value: "OUT.sgy", description: "the sorted survey" },
      grid: {
        type: "string",
        value: "X0,Y0,DX,DY,NX,NY[,AZIMUTH]",
        description: "the output grid of the migration (its rows make the bands)",
      },
      memory: { type: "string", value: "SIZE", description: "band buffers (default 64MiB)" },
      header: {
        type: "string",
        multiple: true,
        value: "NAME=BYTE:TYPE",
        description: "read header field NAME from BYTE as TYPE, as pstm migrate",
      },
    },
    examples: [
      "pstm sort field.sgy -o sorted.sgy --grid 1000,2000,25,25,400,300",
      "pstm migrate sorted.sgy -o image.sgy --velocity 0:1800,4:4200 --grid 1000,2000,25,25,400,300",
    ],
  },
  async run(args) {
    const output = stringFlag(args, "output");
    if (output === undefined) throw new PstmError("-o OUT.sgy is required", { field: "-o" });
    const gridText = stringFlag(args, "grid");
    if (gridText === undefined) {
      throw new PstmError("--grid is required (the grid you will migrate onto; see pstm scan)", {
        field: "--grid",
      });
    }
    const input = args.positionals[0];
    if (input === "-") {
      throw new PstmError("pstm sort reads its input twice and needs a file, not stdin", {
        field: "IN.sgy",
      });
    }
    const memory = stringFlag(args, "memory");
    const summary = await sortByBand({
      input,
      output,
      grid: checkGrid(parseGridFlag(gridText)),
      headers: (args.values.header as string[] | undefined) ?? [],
      bufferBytes: memory ? parseSize(memory) : undefined,
    });
    console.error(
      `pstm: sorted ${summary.traces} traces into ${summary.bands} band(s) in ${output} ` +
        `(count ${summary.countSeconds.toFixed(1)} s, copy ${summary.copySeconds.toFixed(1)} s)`,
    );
    return EXIT_OK;
  },
};

/**
 * `pstm scan IN.sgy [--json] [--header NAME=BYTE:TYPE ...] [--su]`: a
 * header-only summary of a SEG-Y or SU file and a suggested output grid.
 *
 * @module
 */

import {
  formatScanSummary,
  scanBatches,
  scanSegy,
  type ScanSummary,
} from "../pipeline/plan/scan.ts";
import { headerMapWith } from "../pipeline/segy/header_map.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyTraceStream } from "../pipeline/segy/segy_trace_stream.ts";
import { type ParsedArgs, stringFlag } from "./args.ts";
import { PstmError } from "../core/errors.ts";
import { type FoldMapOptions, renderFoldMap } from "../plot/fold_map.ts";
import { writePng } from "../plot/png.ts";
import type { Command } from "./command.ts";

/**
 * The scan subcommand. Reads "-" from stdin. Prints the summary (or JSON
 * with --json) on stdout; bad input throws PstmError (exit code 2).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { scanCommand } from "./scan.ts";
 * assert(scanCommand.spec.name === "scan");
 * ```
 */
export const scanCommand: Command = {
  spec: {
    name: "scan",
    summary: "summarise a SEG-Y file's headers and geometry and suggest an output grid",
    usage: "scan IN.sgy [--json] [--header NAME=BYTE:TYPE ...] [--su]",
    positionals: { min: 1, max: 1, names: "IN.sgy, or - for stdin" },
    flags: {
      json: { type: "boolean", description: "print the summary as JSON" },
      header: {
        type: "string",
        multiple: true,
        value: "NAME=BYTE:TYPE",
        description: "read header field NAME from BYTE as TYPE (i1 u1 i2 u2 i4 u4 f4), e.g. " +
          "inline=9:i4",
      },
      su: { type: "boolean", description: "the input is Seismic Unix (no file headers)" },
      plot: { type: "string", value: "FOLD.png", description: "write the fold map as a PNG" },
    },
    examples: [
      "pstm scan survey.sgy",
      "pstm scan survey.sgy --json --header inline=9:i4 --header crossline=21:i4",
      "cat line.su | pstm scan - --su",
    ],
  },
  async run(args: ParsedArgs): Promise<number> {
    const overrides = (args.values.header as string[] | undefined) ?? [];
    const headerMap = headerMapWith(overrides);
    const format = args.values.su === true ? "su" : undefined;
    const input = args.positionals[0];
    const plot = stringFlag(args, "plot");
    let summary;
    if (input === "-") {
      const stream = new SegyTraceStream({ name: "-", headerMap, format, batchSize: 8192 });
      const batches = Deno.stdin.readable.pipeThrough(stream);
      summary = await scanBatches(stream.info, batches, { keepFoldMap: plot !== undefined });
    } else {
      using file = await SegyFile.open(input, { headerMap, format });
      summary = await scanSegy(file, { keepFoldMap: plot !== undefined });
    }
    const { foldCounts, ...report } = summary;
    console.log(
      args.values.json === true ? JSON.stringify(report, null, 2) : formatScanSummary(summary),
    );
    if (plot !== undefined) {
      if (!foldCounts) {
        throw new PstmError("the grid is too large for a fold map", {
          file: input,
          field: "--plot",
        });
      }
      const { nx, ny } = summary.grid;
      await writePng(
        plot,
        renderFoldMap(foldCounts, nx, ny, foldMapOptions(input, summary)),
      );
    }
    return 0;
  },
};

/**
 * The fold map's title and axes for `pstm scan --plot`: the suggested grid's
 * spacing along each axis, in the survey's length unit (m, or ft when the
 * binary header says feet).
 *
 * @param input the scanned file's name, for the title
 * @param summary what the scan found
 * @returns the options for renderFoldMap
 */
export function foldMapOptions(
  input: string,
  summary: Pick<ScanSummary, "grid" | "units">,
): FoldMapOptions {
  const { nx, ny, dx, dy } = summary.grid;
  const unit = summary.units?.length ?? "m";
  return {
    title: `${input}: fold on the suggested ${nx} x ${ny} grid`,
    xAxis: { first: 0, step: dx },
    yAxis: { first: 0, step: dy },
    xLabel: `along the inline axis (${unit})`,
    yLabel: `across (${unit})`,
  };
}

/**
 * `pstm plot`: pictures of a SEG-Y volume (an inline, a crossline, a time
 * slice or a common-image gather) as PNG.
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { formatValue } from "../plot/axis_ticks.ts";
import { COLORMAPS, optionHelp, parseOption } from "../core/options.ts";
import { encodePng, writePng } from "../plot/png.ts";
import { DEFAULT_PLOT_WIDTH } from "../plot/plot_layout.ts";
import { type RenderedPlot, renderRaster } from "../plot/render_raster.ts";
import { readSection, type SectionSelection } from "../plot/section_from_segy.ts";
import { type CommandSpec, numberFlag, type ParsedArgs, stringFlag } from "./args.ts";
import type { Command } from "./command.ts";

const spec: CommandSpec = {
  name: "plot",
  summary: "draw an inline, a crossline, a time slice or a gather of a SEG-Y volume as PNG",
  usage:
    "plot IN.sgy (--inline N | --crossline N | --time T | --gather IL,XL) -o OUT.png [options]",
  flags: {
    inline: { type: "string", value: "N", description: "plot inline N (a section)" },
    crossline: { type: "string", value: "N", description: "plot crossline N (a section)" },
    time: { type: "string", value: "T", description: "plot the time slice at T seconds" },
    gather: {
      type: "string",
      value: "IL,XL",
      description: "plot the common-image gather at inline IL, crossline XL",
    },
    offset: {
      type: "string",
      value: "H",
      description: "show only the offset class with offset H instead of the stack",
    },
    output: {
      type: "string",
      short: "o",
      value: "OUT.png",
      description: "the PNG to write (- for stdout)",
    },
    colormap: {
      type: "string",
      value: COLORMAPS.names.join("|"),
      default: COLORMAPS.default,
      description: optionHelp(COLORMAPS, false),
    },
    clip: {
      type: "string",
      value: "P",
      default: "99",
      description: "clip amplitudes at the P-th percentile of |amplitude| (100: no clipping)",
    },
    title: { type: "string", value: "TEXT", description: "title (default: file and selection)" },
    width: { type: "string", value: "PX", description: "image width in pixels" },
    height: { type: "string", value: "PX", description: "image height in pixels" },
    smooth: { type: "boolean", description: "bilinear instead of nearest-sample display" },
  },
  positionals: { min: 1, max: 1, names: "IN.sgy" },
  examples: [
    "pstm plot image.sgy --inline 120 -o il120.png",
    "pstm plot image.sgy --crossline 300 --colormap grey --clip 98 -o xl300.png",
    "pstm plot image.sgy --time 1.2 -o slice_1200ms.png",
    "pstm plot image.sgy --gather 120,300 -o cig.png",
    "pstm plot image.sgy --inline 120 --offset 625 -o il120_h625.png",
  ],
};

/** `pstm plot`: writes one PNG of a section, slice or gather of a SEG-Y file. */
export const plotCommand: Command = {
  spec,
  async run(args: ParsedArgs): Promise<number> {
    const input = args.positionals[0];
    const output = stringFlag(args, "output");
    if (output === undefined) {
      throw new PstmError("missing -o OUT.png: where to write the picture", { field: "-o" });
    }
    const selection = parseSelection(args);
    const colormap = parseOption(COLORMAPS, stringFlag(args, "colormap") ?? COLORMAPS.default);
    const clip = numberFlag(args, "clip", 1e-6, 100) ?? 99;
    const width = integerFlag(args, "width", 200, 20000);
    const height = integerFlag(args, "height", 150, 20000);

    if (input === "-") {
      throw new PstmError("pstm plot reads traces out of order and needs a file, not stdin", {
        file: "-",
      });
    }
    using file = await SegyFile.open(input);
    const section = await readSection(file, selection);
    // Gathers have few traces: a narrower plot keeps them readable.
    const plotWidth = selection.kind === "gather"
      ? Math.min(DEFAULT_PLOT_WIDTH, Math.max(240, 60 * section.cols))
      : undefined;
    const plot = renderOrExplain(section.data, section.rows, section.cols, {
      title: stringFlag(args, "title") ?? section.title,
      colormap,
      clipPercentile: clip,
      xAxis: section.xAxis,
      yAxis: section.yAxis,
      xLabel: section.xLabel,
      yLabel: section.yLabel,
      yUp: section.yUp,
      width,
      height,
      plotWidth,
      interpolation: args.values.smooth === true ? "bilinear" : "nearest",
    });
    if (output === "-") await writeStdout(encodePng(plot));
    else await writePng(output, encodePng(plot));
    (output === "-" ? console.error : console.log)(
      `${output}: ${plot.width} x ${plot.height} px, ${section.cols} x ${section.rows} cells ` +
        `from ${section.tracesRead} traces, colours span ${formatValue(plot.range.min)} to ` +
        formatValue(plot.range.max),
    );
    return 0;
  },
};

/**
 * Reads the one selector among --inline, --crossline, --time and --gather
 * (and --offset).
 *
 * @param args parsed arguments
 * @returns the selection
 * @throws PstmError when none or several are given, or a value is malformed
 */
export function parseSelection(args: ParsedArgs): SectionSelection {
  const given = ["inline", "crossline", "time", "gather"].filter((name) =>
    stringFlag(args, name) !== undefined
  );
  if (given.length !== 1) {
    throw new PstmError(
      `give exactly one of --inline N, --crossline N, --time T, --gather IL,XL` +
        (given.length ? `; got ${given.map((g) => `--${g}`).join(" and ")}` : ""),
      { field: "command line" },
    );
  }
  const offset = numberFlag(args, "offset");
  switch (given[0]) {
    case "inline":
      return { kind: "inline", inline: lineNumber(args, "inline"), offset };
    case "crossline":
      return { kind: "crossline", crossline: lineNumber(args, "crossline"), offset };
    case "time":
      return { kind: "time", time: numberFlag(args, "time", 0) ?? 0, offset };
    default: {
      if (offset !== undefined) {
        throw new PstmError("--offset does not apply to --gather, which shows every offset", {
          field: "--offset",
        });
      }
      const text = stringFlag(args, "gather") ?? "";
      const parts = text.split(",").map((p) => p.trim());
      const [inline, crossline] = parts.map(Number);
      if (parts.length !== 2 || !Number.isInteger(inline) || !Number.isInteger(crossline)) {
        throw new PstmError(
          `--gather must be IL,XL (an inline and a crossline number), got "${text}"`,
          { field: "--gather" },
        );
      }
      return { kind: "gather", inline, crossline };
    }
  }
}

/** Writes all of `bytes` to stdout (a PNG for `-o -`). */
async function writeStdout(bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await Deno.stdout.write(bytes.subarray(done));
}

function renderOrExplain(...args: Parameters<typeof renderRaster>): RenderedPlot {
  try {
    return renderRaster(...args);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw new PstmError(`--width/--height too small: ${error.message}`, {
      field: "--width/--height",
    });
  }
}

function lineNumber(args: ParsedArgs, name: string): number {
  const value = numberFlag(args, name);
  if (value === undefined || !Number.isInteger(value)) {
    throw new PstmError(`--${name} must be a whole line number, got "${stringFlag(args, name)}"`, {
      field: `--${name}`,
    });
  }
  return value;
}

function integerFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const value = numberFlag(args, name, min, max);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new PstmError(`--${name} must be a whole number of pixels, got ${value}`, {
      field: `--${name}`,
    });
  }
  return value;
}

/**
 * `pstm plot`: pictures of a SEG-Y or SU file as PNG: an inline, a crossline,
 * a time slice or a common-image gather of an image volume, the line of a
 * 2-D image, or input traces in file order (a shot, a CMP, a range).
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";
import { headerMapWith } from "../pipeline/segy/header_map.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { formatValue } from "../plot/axis_ticks.ts";
import { COLORMAPS, optionHelp, parseOption } from "../core/options.ts";
import { encodePng, writePng } from "../plot/png.ts";
import { DEFAULT_PLOT_WIDTH } from "../plot/plot_layout.ts";
import { type RenderedPlot, renderRaster } from "../plot/render_raster.ts";
import { resolveHeaderName } from "../plot/header_labels.ts";
import { surveyUnits } from "../pipeline/segy/units.ts";
import { readSection, type SectionSelection } from "../plot/section_from_segy.ts";
import { type CommandSpec, numberFlag, type ParsedArgs, stringFlag } from "./args.ts";
import type { Command } from "./command.ts";

const spec: CommandSpec = {
  name: "plot",
  summary: "draw a section, a time slice, a gather or input traces (a shot, a CMP, a range) as PNG",
  usage: "plot IN.sgy [--inline N | --crossline N | --time T | --gather IL,XL | --shot N | " +
    "--cmp N | --traces A:B] -o OUT.png [options]",
  flags: {
    inline: {
      type: "string",
      value: "N",
      description: "plot inline N of an image volume (a section)",
    },
    crossline: {
      type: "string",
      value: "N",
      description: "plot crossline N of an image volume (a section)",
    },
    time: {
      type: "string",
      value: "T",
      description: "plot the time slice at T seconds of a 3-D image volume",
    },
    gather: {
      type: "string",
      value: "IL,XL",
      description:
        "plot the common-image gather at inline IL, crossline XL (a 2-D line: --gather CDP)",
    },
    shot: {
      type: "string",
      value: "N|@T",
      description: "plot one shot in trace order: field record N (bytes 9-12; energy source " +
        "point, 17-20, when those are 0), or @T: the shot of trace T (same field record, " +
        "source point or source X/Y)",
    },
    cmp: {
      type: "string",
      value: "N|IL,XL|@T",
      description: "plot one CMP in trace order: CDP N (bytes 21-24), inline IL and crossline " +
        "XL (189-196), or @T: the CMP of trace T",
    },
    traces: {
      type: "string",
      value: "A:B",
      description: "plot traces A to B (zero-based, inclusive) in file order",
    },
    "axis-header": {
      type: "string",
      value: "NAME",
      default: "offset",
      description: "trace header labelling the columns of --shot, --cmp and --traces (a name of " +
        "pstm scan's header table: offset, fldr, ep, cdp, sx, gx, cdpx, tracf, ... or a segyio " +
        "alias)",
    },
    header: {
      type: "string",
      multiple: true,
      value: "NAME=BYTE:TYPE",
      description: "read header field NAME from BYTE as TYPE (i1 u1 i2 u2 i4 u4 f4), e.g. " +
        "inline=9:i4, cdp=21:i4 (default: SEG-Y rev 1 positions)",
    },
    su: {
      type: "boolean",
      description: "the input is Seismic Unix (default: .su files are, others detected)",
    },
    offset: {
      type: "string",
      value: "H",
      description:
        "show only the offset class with offset H instead of the stack (default: the stack)",
    },
    output: {
      type: "string",
      short: "o",
      value: "OUT.png",
      description: "the PNG to write (- for stdout); required",
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
    title: {
      type: "string",
      value: "TEXT",
      description: "title, wrapped or shortened to fit (default: file and selection)",
    },
    width: {
      type: "string",
      value: "PX",
      description: "image width in pixels (default: a 720 px plot area plus margins)",
    },
    height: {
      type: "string",
      value: "PX",
      description: "image height in pixels (default: from the data's shape)",
    },
    smooth: {
      type: "boolean",
      description: "bilinear instead of nearest-sample display (default: nearest)",
    },
  },
  positionals: { min: 1, max: 1, names: "IN.sgy" },
  examples: [
    "pstm plot image.sgy --inline 21 -o il21.png",
    "pstm plot image.sgy --crossline 21 --colormap grey --clip 98 -o xl21.png",
    "pstm plot image.sgy --time 0.6 -o slice_600ms.png",
    "pstm plot image.sgy --gather 21,21 -o cig.png",
    "pstm plot survey.sgy --cmp 21,21 -o cmp.png",
    "pstm plot survey.sgy --shot @1000 -o shot.png",
    "pstm plot survey.sgy --traces 0:199 --axis-header cdp -o traces.png",
    "pstm plot line.sgy -o line.png   # a 2-D image: the line, no selector needed",
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
    const headerMap = headerMapWith((args.values.header as string[] | undefined) ?? []);
    const format = args.values.su === true ? "su" : undefined;
    using file = await SegyFile.open(input, { headerMap, format });
    const unit = surveyUnits(file.info.measurementSystem).length;
    const section = await readSection(file, selection, { unit });
    const plot = renderOrExplain(section.data, section.rows, section.cols, {
      title: stringFlag(args, "title") ?? section.title,
      colormap,
      clipPercentile: clip,
      xAxis: section.xAxis,
      yAxis: section.yAxis,
      xLabel: section.xLabel,
      yLabel: section.yLabel,
      xTickRows: section.xTickRows,
      ySecondary: section.ySecondary,
      yUp: section.yUp,
      width,
      height,
      plotWidth: plotWidthFor(selection, section.cols),
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
 * The plot-area width for a selection: gathers of few traces get a narrower
 * plot (60 px a column, at least 240 px) so their traces stay readable.
 *
 * @param selection what is plotted
 * @param cols number of columns
 * @returns the width, or undefined for the default
 */
export function plotWidthFor(selection: SectionSelection, cols: number): number | undefined {
  const narrow = ["gather", "shot", "cmp", "traces"].includes(selection.kind);
  return narrow ? Math.min(DEFAULT_PLOT_WIDTH, Math.max(240, 60 * cols)) : undefined;
}

const SELECTORS = ["inline", "crossline", "time", "gather", "shot", "cmp", "traces"];

/**
 * Reads the one selector among --inline, --crossline, --time, --gather,
 * --shot, --cmp and --traces (and --offset, --axis-header); none: the line
 * of a 2-D image.
 *
 * @param args parsed arguments
 * @returns the selection
 * @throws PstmError when several are given, or a value is malformed
 */
export function parseSelection(args: ParsedArgs): SectionSelection {
  const given = SELECTORS.filter((name) => stringFlag(args, name) !== undefined);
  if (given.length > 1) {
    throw new PstmError(
      `give at most one of --inline N, --crossline N, --time T, --gather IL,XL, --shot N, ` +
        `--cmp N, --traces A:B; got ${given.map((g) => `--${g}`).join(" and ")}`,
      { field: "command line" },
    );
  }
  const offset = numberFlag(args, "offset");
  const kind = given[0];
  const traceOrder = kind === "shot" || kind === "cmp" || kind === "traces";
  if (offset !== undefined && (kind === "gather" || traceOrder)) {
    throw new PstmError(`--offset does not apply to --${kind}, which shows every offset`, {
      field: "--offset",
    });
  }
  const axisFlag = stringFlag(args, "axis-header");
  if (axisFlag !== undefined && axisFlag !== "offset" && !traceOrder) {
    throw new PstmError("--axis-header applies to --shot, --cmp and --traces only", {
      field: "--axis-header",
    });
  }
  const axisHeader = axisFlag === undefined ? undefined : resolveHeaderName(axisFlag);
  switch (kind) {
    case undefined:
      return { kind: "line", offset };
    case "inline":
      return { kind: "inline", inline: lineNumber(args, "inline"), offset };
    case "crossline":
      return { kind: "crossline", crossline: lineNumber(args, "crossline"), offset };
    case "time":
      return { kind: "time", time: numberFlag(args, "time", 0) ?? 0, offset };
    case "shot":
    case "cmp": {
      const text = (stringFlag(args, kind) ?? "").trim();
      if (text.startsWith("@")) {
        return { kind, atTrace: wholeNumber(text.slice(1), kind, text), axisHeader };
      }
      const parts = text.split(",").map((p) => p.trim());
      if (kind === "cmp" && parts.length === 2) {
        const [inline, crossline] = parts.map((p) => wholeNumber(p, kind, text));
        return { kind, inline, crossline, axisHeader };
      }
      if (parts.length !== 1) {
        throw new PstmError(
          `--${kind} must be ${kind === "cmp" ? "N, IL,XL" : "N"} or @T, got "${text}"`,
          { field: `--${kind}` },
        );
      }
      const n = wholeNumber(text, kind, text);
      return kind === "shot" ? { kind, shot: n, axisHeader } : { kind, cdp: n, axisHeader };
    }
    case "traces": {
      const text = (stringFlag(args, "traces") ?? "").trim();
      const match = /^(\d+)\s*:\s*(\d+)$/.exec(text);
      if (!match || Number(match[1]) > Number(match[2])) {
        throw new PstmError(
          `--traces must be A:B, zero-based trace numbers with A <= B, got "${text}"`,
          { field: "--traces" },
        );
      }
      return { kind: "traces", first: Number(match[1]), last: Number(match[2]), axisHeader };
    }
    default: {
      const text = stringFlag(args, "gather") ?? "";
      const parts = text.split(",").map((p) => p.trim());
      const numbers = parts.map(Number);
      if (parts.length === 1 && Number.isInteger(numbers[0]) && parts[0] !== "") {
        return { kind: "gather", cdp: numbers[0] };
      }
      const [inline, crossline] = numbers;
      if (parts.length !== 2 || !Number.isInteger(inline) || !Number.isInteger(crossline)) {
        throw new PstmError(
          `--gather must be IL,XL (an inline and a crossline number; a 2-D line: a CDP), ` +
            `got "${text}"`,
          { field: "--gather" },
        );
      }
      return { kind: "gather", inline, crossline };
    }
  }
}

function wholeNumber(text: string, flag: string, whole: string): number {
  const value = text.trim() === "" ? NaN : Number(text);
  if (!Number.isInteger(value)) {
    throw new PstmError(`--${flag} takes whole numbers, got "${whole}"`, { field: `--${flag}` });
  }
  return value;
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

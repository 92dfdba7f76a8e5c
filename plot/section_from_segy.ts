/**
 * Extracts what `pstm plot` shows from a SEG-Y or SU file: an inline or a
 * crossline section, a time slice, a common-image gather, a 2-D line, or
 * traces in file order (a shot, a CMP, a range). Headers are read first in
 * one header-only pass; then only the traces needed are read. Traces of the
 * same bin in different offset classes are summed (the stack) unless one
 * offset is picked.
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";
import { lineRows, sectionRows, sliceAxes } from "./coordinate_rows.ts";
import type { LengthUnit } from "./header_labels.ts";
import type { AxisSpec, TickRow } from "./plot_options.ts";
import { axisIndex, describeAxis, type RegularAxis, regularAxis } from "./regular_axis.ts";
import type { Section } from "./section.ts";
import { type HeaderTable, readHeaderTable, type SectionSource } from "./section_source.ts";
import { readTraceGather, type TraceSelection } from "./trace_gather.ts";

export type { Section } from "./section.ts";

/** What to extract. */
export type SectionSelection =
  | { kind: "inline"; inline: number; offset?: number }
  | { kind: "crossline"; crossline: number; offset?: number }
  | { kind: "time"; time: number; offset?: number }
  | { kind: "gather"; inline: number; crossline: number }
  | { kind: "gather"; cdp: number }
  | { kind: "line"; offset?: number }
  | TraceSelection;

/** Options of {@link readSection}. */
export interface ReadSectionOptions {
  /** The survey's length unit for the labels (default "m"; readLengthUnit reads the file's). */
  unit?: LengthUnit;
}

/** Samples per trace read at once, at most (bounds memory). */
const READ_SAMPLES = 1 << 22;

/**
 * A 2-D line: one inline (or one crossline) and the line numbers along it,
 * or, when inline and crossline are the same on every trace (0 in many 2-D
 * files), the CDP numbers (bytes 21-24).
 */
interface Line2d {
  /** The header that varies along the line. */
  along: "inline" | "crossline" | "cdp";
  /** The one value of the other. */
  fixed: number;
}

/**
 * Extracts a section, a time slice, a gather, a 2-D line or traces in file
 * order.
 *
 * @param source the SEG-Y file
 * @param selection what to extract
 * @param options the length unit for labels
 * @returns the 2-D array with axes, labels and title
 * @throws PstmError when the inline, crossline, time, offset, shot, CMP or
 *   traces are not in the file (the message gives what is available), or
 *   when the selection does not apply to the file's layout (a time slice of
 *   a 2-D line, a section of unsorted pre-stack data, a shot of an image)
 * @example
 * ```ts ignore
 * import { SegyFile } from "../pipeline/segy/segy_file.ts";
 * import { readSection } from "./section_from_segy.ts";
 * using file = await SegyFile.open("image.sgy");
 * const section = await readSection(file, { kind: "inline", inline: 120 });
 * ```
 */
export async function readSection(
  source: SectionSource,
  selection: SectionSelection,
  options: ReadSectionOptions = {},
): Promise<Section> {
  const unit = options.unit ?? "m";
  if (selection.kind === "traces") {
    // A range needs no header pass: only the traces shown are read.
    return await readTraceGather(source, { count: source.info.traceCount }, selection, unit);
  }
  const table = await readHeaderTable(source);
  if (selection.kind === "shot" || selection.kind === "cmp") {
    return await readTraceGather(source, table, selection, unit);
  }
  const file = source.info.path;
  const offsets = [...new Set(table.offset)].sort((a, b) => a - b);
  const offset = "offset" in selection && selection.offset !== undefined
    ? pickOffset(regularAxis(offsets, "offset", file), selection.offset, file)
    : undefined;
  const keepOffset = (i: number) => offset === undefined || table.offset[i] === offset;
  const name = file.split(/[\\/]/).pop() ?? file;
  const what = offset !== undefined
    ? `, offset ${offset}`
    : offsets.length > 1
    ? ` (stack of ${offsets.length} offsets)`
    : "";
  const line = line2d(table);
  const lineSection = async (l: Line2d) => {
    const key = table[l.along];
    const kept = select(table, (i) => keepOffset(i));
    requireTraces(kept, `the line${what}`, file);
    return await traceSection(source, table, key, kept, {
      xLabel: "CDP and distance along the line",
      what: l.along,
      title: `${name}: 2-D line${what}`,
      rows: (x, y) => {
        const rows = lineRows(x, y, unit);
        return { rows, note: "", xLabel: rows ? undefined : "CDP" };
      },
    });
  };

  switch (selection.kind) {
    case "line": {
      if (!line) {
        throw new PstmError(
          `is a 3-D volume (inlines ${describeValues(table.inline)}, crosslines ` +
            `${describeValues(table.crossline)}); give --inline N, --crossline N, --time T or ` +
            `--gather IL,XL (or --shot, --cmp, --traces for traces in file order)`,
          { file, field: "command line" },
        );
      }
      return await lineSection(line);
    }
    case "inline": {
      const n = selection.inline;
      requireLine(table.inline, n, "inline", file);
      if (line?.along === "crossline") return await lineSection(line);
      const kept = select(table, (i) => table.inline[i] === n && keepOffset(i));
      requireTraces(kept, `inline ${n}${what}`, file);
      return await traceSection(source, table, table.crossline, kept, {
        xLabel: "Crossline",
        what: "crossline",
        title: `${name}: inline ${n}${what}`,
        rows: (x, y) => sectionRows("xl", x, y, unit),
      });
    }
    case "crossline": {
      const n = selection.crossline;
      requireLine(table.crossline, n, "crossline", file);
      if (line?.along === "inline") return await lineSection(line);
      const kept = select(table, (i) => table.crossline[i] === n && keepOffset(i));
      requireTraces(kept, `crossline ${n}${what}`, file);
      return await traceSection(source, table, table.inline, kept, {
        xLabel: "Inline",
        what: "inline",
        title: `${name}: crossline ${n}${what}`,
        rows: (x, y) => sectionRows("il", x, y, unit),
      });
    }
    case "gather": {
      let inline: number, crossline: number;
      if ("cdp" in selection) {
        if (!line) {
          throw new PstmError(
            `--gather ${selection.cdp} (one number, a CDP) is for a 2-D line; this file has ` +
              `inlines ${describeValues(table.inline)} and crosslines ` +
              `${describeValues(table.crossline)}: give --gather IL,XL`,
            { file, field: "--gather" },
          );
        }
        requireLine(table[line.along], selection.cdp, "CDP", file);
        if (line.along === "cdp") {
          const cdp = selection.cdp;
          return await traceSection(
            source,
            table,
            table.offset,
            select(table, (i) => table.cdp[i] === cdp),
            {
              xLabel: `Offset (${unit})`,
              what: "offset",
              title: `${name}: gather at CDP ${cdp}`,
              rows: () => ({ note: "" }),
            },
          );
        }
        [inline, crossline] = line.along === "crossline"
          ? [line.fixed, selection.cdp]
          : [selection.cdp, line.fixed];
      } else {
        ({ inline, crossline } = selection);
      }
      requireLine(table.inline, inline, "inline", file);
      const onLine = select(table, (i) => table.inline[i] === inline);
      const kept = onLine.filter((i) => table.crossline[i] === crossline);
      if (kept.length === 0) {
        const there = regularAxis(onLine.map((i) => table.crossline[i]), "crossline", file);
        throw new PstmError(
          `crossline ${crossline} is not on inline ${inline}; its crosslines are ` +
            describeAxis(there),
          { file, field: "--gather" },
        );
      }
      const at = line
        ? `CDP ${line.along === "crossline" ? crossline : inline}`
        : `inline ${inline}, crossline ${crossline}`;
      return await traceSection(source, table, table.offset, kept, {
        xLabel: `Offset (${unit})`,
        what: "offset",
        title: `${name}: gather at ${at}`,
        rows: () => ({ note: "" }),
      });
    }
    case "time":
      if (line) {
        throw new PstmError(
          `is a 2-D line (${
            line.along === "cdp"
              ? "CDPs"
              : `${
                line.along === "crossline" ? "inline" : "crossline"
              } ${line.fixed}, ${line.along}s`
          } ${describeValues(table[line.along])}): a time slice needs a 3-D ` +
            `volume; plot the line (no selector) or a gather (--gather CDP)`,
          { file, field: "--time" },
        );
      }
      return await timeSlice(source, table, selection.time, keepOffset, `${what}`, name, unit);
  }
}

/** The line of a 2-D file: one inline and several crosslines, or the other way round. */
function line2d(table: HeaderTable): Line2d | undefined {
  const inlines = new Set(table.inline), crosslines = new Set(table.crossline);
  if (inlines.size === 1 && crosslines.size > 1) {
    return { along: "crossline", fixed: table.inline[0] };
  }
  if (crosslines.size === 1 && inlines.size > 1) {
    return { along: "inline", fixed: table.crossline[0] };
  }
  if (inlines.size === 1 && crosslines.size === 1 && new Set(table.cdp).size > 1) {
    return { along: "cdp", fixed: 0 };
  }
  return undefined;
}

/** "1, 2, 3" for a few distinct values, "1..900 (412 values)" for many. */
function describeValues(values: Float64Array): string {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= 6) return distinct.join(", ");
  return `${distinct[0]}..${distinct[distinct.length - 1]} (${distinct.length} values)`;
}

function select(table: HeaderTable, keep: (i: number) => boolean): number[] {
  const kept: number[] = [];
  for (let i = 0; i < table.count; i++) if (keep(i)) kept.push(i);
  return kept;
}

function requireLine(values: Float64Array, n: number, what: string, file: string): void {
  if (values.includes(n)) return;
  throw new PstmError(
    `${what} ${n} is not in the file; its ${what}s are ${
      describeAxis(regularAxis(values, what, file))
    }`,
    { file, field: `--${what}` },
  );
}

function requireTraces(kept: number[], what: string, file: string): void {
  if (kept.length > 0) return;
  throw new PstmError(`no traces at ${what}`, { file, field: "--offset" });
}

function pickOffset(offsets: RegularAxis, wanted: number, file: string): number {
  let best = offsets.values[0];
  for (const v of offsets.values) if (Math.abs(v - wanted) < Math.abs(best - wanted)) best = v;
  // Within half a class spacing of a class's offset (a tie is ambiguous).
  const distance = Math.abs(best - wanted);
  if (offsets.values.length > 1 ? distance >= offsets.step / 2 : distance > 0.5) {
    throw new PstmError(
      `offset ${wanted} is not an offset class of the file; its offsets are ` +
        describeAxis(offsets),
      { file, field: "--offset" },
    );
  }
  return best;
}

function timeAxis(source: SectionSource): { axis: AxisSpec; label: string } {
  const { dt, t0 } = source.info;
  return dt > 0
    ? { axis: { first: t0, step: dt }, label: "Time (s)" }
    : { axis: { first: 0, step: 1 }, label: "Sample" };
}

/** Runs of consecutive trace indices, each at most `maxRun` long. */
function runs(indices: number[], maxRun: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const i of indices) {
    const last = out[out.length - 1];
    if (last && last[0] + last[1] === i && last[1] < maxRun) last[1]++;
    else out.push([i, 1]);
  }
  return out;
}

/**
 * Throws when two selected traces share a cell and an offset: the file is
 * then not a volume with one trace per inline, crossline and offset (a 2-D
 * line with zero inline/crossline headers, or raw pre-stack data).
 */
function requireUnique(
  table: HeaderTable,
  kept: number[],
  cellOf: (i: number) => number,
  cells: number,
  file: string,
  key = "inline",
): void {
  const offsets = [...new Set(kept.map((i) => table.offset[i]))];
  const offsetIndex = new Map(offsets.map((h, k) => [h, k]));
  const seen = new Int32Array(cells * offsets.length).fill(-1);
  for (const i of kept) {
    const slot = cellOf(i) * offsets.length + (offsetIndex.get(table.offset[i]) ?? 0);
    if (seen[slot] < 0) {
      seen[slot] = i;
      continue;
    }
    if (key === "cdp") {
      throw new PstmError(
        `traces ${seen[slot]} and ${i} both have CDP ${table.cdp[i]} (bytes 21-24) and offset ` +
          `${table.offset[i]}; expected one trace per CDP and offset along a 2-D line; plot the ` +
          `traces in file order with --traces A:B`,
        { file, trace: i },
      );
    }
    throw new PstmError(
      `traces ${seen[slot]} and ${i} both have inline ${table.inline[i]}, crossline ` +
        `${table.crossline[i]} and offset ${table.offset[i]}; expected one trace per inline ` +
        `(bytes 189-192), crossline (bytes 193-196) and offset (bytes 37-40), as in a 3-D ` +
        `post-stack volume or pstm output; pre-stack traces plot in file order with --shot, ` +
        `--cmp or --traces`,
      { file, trace: i },
    );
  }
}

async function traceSection(
  source: SectionSource,
  table: HeaderTable,
  key: Float64Array,
  kept: number[],
  labels: {
    xLabel: string;
    what: string;
    title: string;
    rows: (
      x: Float64Array,
      y: Float64Array,
    ) => { rows?: TickRow[]; note: string; xLabel?: string };
  },
): Promise<Section> {
  const { ns, path } = source.info;
  const axis = regularAxis(kept.map((i) => key[i]), labels.what, path);
  const cols = axis.count;
  requireUnique(table, kept, (i) => axisIndex(axis, key[i]), cols, path, labels.what);
  const data = new Float32Array(ns * cols).fill(NaN);
  const filled = new Uint8Array(cols);
  const colX = new Float64Array(cols).fill(NaN), colY = new Float64Array(cols).fill(NaN);
  for (const i of kept) {
    const col = axisIndex(axis, key[i]);
    if (Number.isNaN(colX[col])) [colX[col], colY[col]] = [table.cdpx[i], table.cdpy[i]];
  }
  const { rows, note, xLabel = labels.xLabel } = labels.rows(colX, colY);
  for (const [first, count] of runs(kept, Math.max(1, Math.floor(READ_SAMPLES / ns)))) {
    const { samples } = await source.readTraces(first, count);
    for (let j = 0; j < count; j++) {
      const col = axisIndex(axis, key[first + j]);
      const add = filled[col] === 1;
      filled[col] = 1;
      for (let r = 0; r < ns; r++) {
        const v = samples[j * ns + r];
        data[r * cols + col] = add ? data[r * cols + col] + v : v;
      }
    }
  }
  const time = timeAxis(source);
  return {
    data,
    rows: ns,
    cols,
    xAxis: { first: axis.first, step: axis.step },
    yAxis: time.axis,
    xLabel: note ? `${xLabel} (CDP ${note})` : xLabel,
    yLabel: time.label,
    xTickRows: rows,
    yUp: false,
    title: labels.title,
    tracesRead: kept.length,
  };
}

async function timeSlice(
  source: SectionSource,
  table: HeaderTable,
  time: number,
  keepOffset: (i: number) => boolean,
  what: string,
  name: string,
  unit: LengthUnit,
): Promise<Section> {
  const { ns, dt, t0, path } = source.info;
  const step = dt > 0 ? dt : 1;
  const k = Math.round((time - t0) / step);
  if (!(k >= 0 && k < ns)) {
    throw new PstmError(
      `time ${time} s is outside the traces, which span ${t0} to ` +
        `${+(t0 + (ns - 1) * step).toFixed(6)} s`,
      { file: path, field: "--time" },
    );
  }
  const kept = select(table, keepOffset);
  requireTraces(kept, `time ${time} s${what}`, path);
  const inlines = regularAxis(kept.map((i) => table.inline[i]), "inline", path);
  const crosslines = regularAxis(kept.map((i) => table.crossline[i]), "crossline", path);
  const [rows, cols] = [inlines.count, crosslines.count];
  const cellOf = (i: number) =>
    axisIndex(inlines, table.inline[i]) * cols + axisIndex(crosslines, table.crossline[i]);
  requireUnique(table, kept, cellOf, rows * cols, path);
  const data = new Float32Array(rows * cols).fill(NaN);
  for (const [first, count] of runs(kept, Math.max(1, Math.floor(READ_SAMPLES / ns)))) {
    const { samples } = await source.readTraces(first, count);
    for (let j = 0; j < count; j++) {
      const i = first + j;
      const cell = cellOf(i);
      const v = samples[j * ns + k];
      data[cell] = Number.isNaN(data[cell]) ? v : data[cell] + v;
    }
  }
  const actual = t0 + k * step;
  const axes = sliceAxes(
    kept.map((i) => table.inline[i]),
    kept.map((i) => table.crossline[i]),
    kept.map((i) => table.cdpx[i]),
    kept.map((i) => table.cdpy[i]),
    inlines,
    crosslines,
    unit,
  );
  return {
    data,
    rows,
    cols,
    xAxis: { first: crosslines.first, step: crosslines.step },
    yAxis: { first: inlines.first, step: inlines.step },
    xLabel: "Crossline",
    yLabel: axes.ySecondary ? `${axes.ySecondary.name} and Inline` : "Inline",
    xTickRows: axes.xRows,
    ySecondary: axes.ySecondary,
    yUp: true,
    title: `${name}: time ${+actual.toFixed(6)} s${what}`,
    tracesRead: kept.length,
  };
}

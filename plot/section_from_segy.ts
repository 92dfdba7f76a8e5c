/**
 * Extracts what `pstm plot` shows from a SEG-Y volume: an inline or a
 * crossline section, a time slice, or a common-image gather. Headers are read
 * first in one header-only pass; then only the traces needed are read.
 * Traces of the same bin in different offset classes are summed (the stack)
 * unless one offset is picked.
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";
import type { AxisSpec } from "./plot_options.ts";
import { axisIndex, describeAxis, type RegularAxis, regularAxis } from "./regular_axis.ts";
import { type HeaderTable, readHeaderTable, type SectionSource } from "./section_source.ts";

/** What to extract. */
export type SectionSelection =
  | { kind: "inline"; inline: number; offset?: number }
  | { kind: "crossline"; crossline: number; offset?: number }
  | { kind: "time"; time: number; offset?: number }
  | { kind: "gather"; inline: number; crossline: number };

/** A 2-D array ready for renderRaster, with its axes and a title. */
export interface Section {
  /** `rows * cols` values, row after row; NaN where no trace exists. */
  data: Float32Array;
  /** Rows (time samples; inlines for a time slice). */
  rows: number;
  /** Columns (crosslines, inlines or offsets). */
  cols: number;
  /** Column coordinates. */
  xAxis: AxisSpec;
  /** Row coordinates. */
  yAxis: AxisSpec;
  /** x axis label. */
  xLabel: string;
  /** y axis label. */
  yLabel: string;
  /** Whether row 0 belongs at the bottom (maps). */
  yUp: boolean;
  /** A title naming the file and the selection. */
  title: string;
  /** Number of traces read (besides the header pass). */
  tracesRead: number;
}

/** Samples per trace read at once, at most (bounds memory). */
const READ_SAMPLES = 1 << 22;

/**
 * Extracts a section, a time slice or a gather.
 *
 * @param source the SEG-Y file
 * @param selection what to extract
 * @returns the 2-D array with axes and title
 * @throws PstmError when the inline, crossline, time or offset is not in the
 *   file (the message gives what is available)
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
): Promise<Section> {
  const table = await readHeaderTable(source);
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

  switch (selection.kind) {
    case "inline": {
      const n = selection.inline;
      requireLine(table.inline, n, "inline", file);
      const kept = select(table, (i) => table.inline[i] === n && keepOffset(i));
      requireTraces(kept, `inline ${n}${what}`, file);
      return await traceSection(source, table, table.crossline, kept, {
        xLabel: "Crossline",
        what: "crossline",
        title: `${name}: inline ${n}${what}`,
      });
    }
    case "crossline": {
      const n = selection.crossline;
      requireLine(table.crossline, n, "crossline", file);
      const kept = select(table, (i) => table.crossline[i] === n && keepOffset(i));
      requireTraces(kept, `crossline ${n}${what}`, file);
      return await traceSection(source, table, table.inline, kept, {
        xLabel: "Inline",
        what: "inline",
        title: `${name}: crossline ${n}${what}`,
      });
    }
    case "gather": {
      const { inline, crossline } = selection;
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
      return await traceSection(source, table, table.offset, kept, {
        xLabel: "Offset",
        what: "offset",
        title: `${name}: gather at inline ${inline}, crossline ${crossline}`,
      });
    }
    case "time":
      return await timeSlice(source, table, selection.time, keepOffset, `${what}`, name);
  }
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
    throw new PstmError(
      `traces ${seen[slot]} and ${i} both have inline ${table.inline[i]}, crossline ` +
        `${table.crossline[i]} and offset ${table.offset[i]}; expected one trace per inline ` +
        `(bytes 189-192), crossline (bytes 193-196) and offset (bytes 37-40), as in a 3-D ` +
        `post-stack volume or pstm output`,
      { file, trace: i },
    );
  }
}

async function traceSection(
  source: SectionSource,
  table: HeaderTable,
  key: Float64Array,
  kept: number[],
  labels: { xLabel: string; what: string; title: string },
): Promise<Section> {
  const { ns, path } = source.info;
  const axis = regularAxis(kept.map((i) => key[i]), labels.what, path);
  const cols = axis.count;
  requireUnique(table, kept, (i) => axisIndex(axis, key[i]), cols, path);
  const data = new Float32Array(ns * cols).fill(NaN);
  const filled = new Uint8Array(cols);
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
    xLabel: labels.xLabel,
    yLabel: time.label,
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
  return {
    data,
    rows,
    cols,
    xAxis: { first: crosslines.first, step: crosslines.step },
    yAxis: { first: inlines.first, step: inlines.step },
    xLabel: "Crossline",
    yLabel: "Inline",
    yUp: true,
    title: `${name}: time ${+actual.toFixed(6)} s${what}`,
    tracesRead: kept.length,
  };
}

/**
 * Gathers of input traces in file order for `pstm plot`: one shot, one CMP
 * or a range of traces of any SEG-Y / SU file (pre-stack data as recorded or
 * sorted), one column per trace, with offset (or any header) labelling the
 * columns and time down.
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";
import { headerLabel, type LengthUnit, resolveHeaderName } from "./header_labels.ts";
import type { Section } from "./section.ts";
import type { HeaderTable, SectionSource } from "./section_source.ts";

/** Which traces of a file to show in file order. */
export type TraceSelection =
  | {
    kind: "shot";
    /** Field record (bytes 9-12), or energy source point (17-20) when every field record is 0. */
    shot?: number;
    /** Instead of a number: the shot trace `atTrace` (zero-based) belongs to. */
    atTrace?: number;
    /** Header labelling the columns (default "offset"). */
    axisHeader?: string;
  }
  | {
    kind: "cmp";
    /** CDP number (bytes 21-24). */
    cdp?: number;
    /** Inline number (bytes 189-192), with crossline. */
    inline?: number;
    /** Crossline number (bytes 193-196), with inline. */
    crossline?: number;
    /** Instead of a number: the CMP trace `atTrace` (zero-based) belongs to. */
    atTrace?: number;
    /** Header labelling the columns (default "offset"). */
    axisHeader?: string;
  }
  | {
    kind: "traces";
    /** First trace, zero-based. */
    first: number;
    /** Last trace, zero-based, inclusive. */
    last: number;
    /** Header labelling the columns (default "offset"). */
    axisHeader?: string;
  };

/** Most traces one gather plot shows. */
export const MAX_GATHER_TRACES = 20_000;

/** Samples read at once, at most (bounds memory). */
const READ_SAMPLES = 1 << 22;

/**
 * The traces a selection picks, in file order, and a few words saying which.
 *
 * @param table every trace's headers (only the count is needed for a range)
 * @param selection the shot, CMP or range
 * @param file the file, for messages
 * @returns the zero-based trace indices and a description ("shot 12 (field record)")
 * @throws PstmError when nothing matches (the message says what the file has), when the file has
 *   no shots (an image or stack), or when more than MAX_GATHER_TRACES traces match
 */
export function selectTraces(
  table: HeaderTable | { count: number },
  selection: TraceSelection,
  file: string,
): { indices: number[]; what: string } {
  const result = pick(table, selection, file);
  if (result.indices.length > MAX_GATHER_TRACES) {
    throw new PstmError(
      `${result.what} has ${result.indices.length} traces; a gather plot shows at most ` +
        `${MAX_GATHER_TRACES}: pick fewer (--traces A:B)`,
      { file, field: `--${selection.kind}` },
    );
  }
  return result;
}

function pick(
  table: HeaderTable | { count: number },
  selection: TraceSelection,
  file: string,
): { indices: number[]; what: string } {
  const n = table.count;
  if (selection.kind === "traces") {
    const { first, last } = selection;
    if (!(Number.isInteger(first) && Number.isInteger(last) && 0 <= first && first <= last)) {
      throw new PstmError(`--traces must be A:B with 0 <= A <= B, got ${first}:${last}`, {
        file,
        field: "--traces",
      });
    }
    if (last >= n) {
      throw new PstmError(
        `--traces ${first}:${last} reaches past the last trace; the file has ${n} traces ` +
          `(0 to ${n - 1})`,
        { file, field: "--traces" },
      );
    }
    return {
      indices: Array.from({ length: last - first + 1 }, (_, k) => first + k),
      what: `traces ${first}-${last}`,
    };
  }
  const flag = `--${selection.kind}`;
  if (selection.atTrace !== undefined) {
    const t = selection.atTrace;
    if (!(Number.isInteger(t) && t >= 0 && t < n)) {
      throw new PstmError(
        `${flag} @${t}: no such trace; the file has ${n} traces (0 to ${n - 1})`,
        { file, field: flag },
      );
    }
  }
  if (!("fldr" in table)) {
    throw new RangeError(`Cannot select --${selection.kind} as the header table was not read`);
  }
  if (selection.kind === "shot") return pickShot(table, selection, file);
  return pickCmp(table, selection, file);
}

function pickShot(
  table: HeaderTable,
  selection: { shot?: number; atTrace?: number },
  file: string,
): { indices: number[]; what: string } {
  const t = selection.atTrace;
  const key = t !== undefined
    ? (table.fldr[t] !== 0 ? "fldr" : table.ep[t] !== 0 ? "ep" : "position")
    : (anyNonZero(table.fldr) ? "fldr" : anyNonZero(table.ep) ? "ep" : "none");
  if (key === "position" || key === "none") requirePrestack(table, file, "--shot");
  if (key === "none") {
    throw new PstmError(
      "the traces carry no field record numbers (bytes 9-12) or energy source points " +
        "(bytes 17-20), all 0; pick a shot by one of its traces: --shot @T (the traces with " +
        "trace T's source X/Y)",
      { file, field: "--shot" },
    );
  }
  if (key === "position" && t !== undefined) {
    const [x, y] = [table.sx[t], table.sy[t]];
    return {
      indices: matching(table.count, (i) => table.sx[i] === x && table.sy[i] === y),
      what: `shot at source X ${x}, Y ${y} (of trace ${t})`,
    };
  }
  const column = key === "fldr" ? table.fldr : table.ep;
  const name = key === "fldr" ? "field record" : "source point";
  const value = t !== undefined ? column[t] : selection.shot ?? 0;
  const indices = matching(table.count, (i) => column[i] === value);
  if (indices.length === 0) {
    throw new PstmError(
      `no traces with ${name} ${value} (bytes ${key === "fldr" ? "9-12" : "17-20"}); the ` +
        `file's ${name}s are ${describeValues(column)}`,
      { file, field: "--shot" },
    );
  }
  return { indices, what: `shot ${value} (${name})` };
}

function pickCmp(
  table: HeaderTable,
  selection: { cdp?: number; inline?: number; crossline?: number; atTrace?: number },
  file: string,
): { indices: number[]; what: string } {
  const t = selection.atTrace;
  if (t !== undefined) {
    if (table.cdp[t] !== 0) return pickCmp(table, { cdp: table.cdp[t] }, file);
    if (table.inline[t] !== 0 || table.crossline[t] !== 0) {
      return pickCmp(table, { inline: table.inline[t], crossline: table.crossline[t] }, file);
    }
    const [x, y] = [table.cdpx[t], table.cdpy[t]];
    return {
      indices: matching(table.count, (i) => table.cdpx[i] === x && table.cdpy[i] === y),
      what: `CMP at X ${x}, Y ${y} (of trace ${t})`,
    };
  }
  if (selection.inline !== undefined && selection.crossline !== undefined) {
    const { inline, crossline } = selection;
    const indices = matching(
      table.count,
      (i) => table.inline[i] === inline && table.crossline[i] === crossline,
    );
    if (indices.length === 0) {
      throw new PstmError(
        `no traces at inline ${inline}, crossline ${crossline} (bytes 189-196); the file's ` +
          `inlines are ${describeValues(table.inline)}, crosslines ${
            describeValues(table.crossline)
          }`,
        { file, field: "--cmp" },
      );
    }
    return { indices, what: `CMP at inline ${inline}, crossline ${crossline}` };
  }
  if (!anyNonZero(table.cdp)) {
    throw new PstmError(
      "the traces carry no CDP numbers (bytes 21-24), all 0; pick the CMP by --cmp IL,XL " +
        "(inline, crossline) or by one of its traces: --cmp @T",
      { file, field: "--cmp" },
    );
  }
  const cdp = selection.cdp ?? 0;
  const indices = matching(table.count, (i) => table.cdp[i] === cdp);
  if (indices.length === 0) {
    throw new PstmError(
      `no traces with CDP ${cdp} (bytes 21-24); the file's CDPs are ${describeValues(table.cdp)}`,
      { file, field: "--cmp" },
    );
  }
  return { indices, what: `CMP ${cdp}` };
}

/**
 * Throws unless the file looks pre-stack: some trace has its source and
 * receiver at different places (bytes 73-88) or a non-zero offset.
 */
function requirePrestack(table: HeaderTable, file: string, flag: string): void {
  for (let i = 0; i < table.count; i++) {
    if (table.offset[i] !== 0) return;
    if (table.sx[i] !== table.gx[i] || table.sy[i] !== table.gy[i]) return;
  }
  throw new PstmError(
    "has no shots: every trace has offset 0 and its source and receiver at one place (bytes " +
      "73-88), as in an image or a stack; plot it with --inline, --crossline, --time or " +
      "--gather, or its traces in file order with --traces A:B",
    { file, field: flag },
  );
}

function anyNonZero(values: Float64Array): boolean {
  return values.some((v) => v !== 0);
}

function matching(count: number, keep: (i: number) => boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) if (keep(i)) out.push(i);
  return out;
}

/** "1, 2, 3" for a few distinct values, "1..900 (412 values)" for many. */
function describeValues(values: Float64Array): string {
  const distinct = [...new Set(values)].sort((a, b) => a - b);
  if (distinct.length <= 6) return distinct.join(", ");
  return `${distinct[0]}..${distinct[distinct.length - 1]} (${distinct.length} values)`;
}

/**
 * Reads the traces a selection picks, one column per trace in file order.
 *
 * @param source the file
 * @param table every trace's headers (readHeaderTable); a range needs only the trace count
 * @param selection the shot, CMP or range
 * @param unit the survey's length unit, for the axis labels
 * @returns the section: time down, traces across, labelled by the axis header and trace number
 * @throws PstmError as selectTraces, or for an unknown --axis-header
 */
export async function readTraceGather(
  source: SectionSource,
  table: HeaderTable | { count: number },
  selection: TraceSelection,
  unit: LengthUnit,
): Promise<Section> {
  const { ns, dt, t0, path } = source.info;
  const field = resolveHeaderName(selection.axisHeader ?? "offset");
  const { indices, what } = selectTraces(table, selection, path);
  const cols = indices.length;
  const data = new Float32Array(ns * cols);
  const axisValues = new Float64Array(cols);
  const perRead = Math.max(1, Math.floor(READ_SAMPLES / ns));
  let col = 0;
  for (let k = 0; k < cols;) {
    let run = 1;
    while (k + run < cols && indices[k + run] === indices[k] + run && run < perRead) run++;
    const batch = await source.readTraces(indices[k], run);
    const column = field === "sx" || field === "sy" || field === "gx" || field === "gy"
      ? batch[field] ?? batch.headers[field]
      : batch.headers[field];
    if (!column) {
      throw new PstmError(`the trace headers carry no "${field}" field`, {
        file: path,
        trace: indices[k],
        field: "--axis-header",
      });
    }
    for (let j = 0; j < run; j++, col++) {
      axisValues[col] = column[j];
      for (let r = 0; r < ns; r++) data[r * cols + col] = batch.samples[j * ns + r];
    }
    k += run;
  }
  const name = path.split(/[\\/]/).pop() ?? path;
  return {
    data,
    rows: ns,
    cols,
    xAxis: { first: 0, step: 1 },
    yAxis: dt > 0 ? { first: t0, step: dt } : { first: 0, step: 1 },
    xLabel: `${headerLabel(field, unit)}, traces in file order`,
    yLabel: dt > 0 ? "Time (s)" : "Sample",
    xTickRows: [
      { name: "", values: axisValues },
      { name: "trace", values: Float64Array.from(indices) },
    ],
    yUp: false,
    title: selection.kind === "traces"
      ? `${name}: ${what}`
      : `${name}: ${what}, ${cols} trace${cols === 1 ? "" : "s"}`,
    tracesRead: cols,
    traces: indices,
  };
}

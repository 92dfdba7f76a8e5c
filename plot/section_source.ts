/**
 * What plotting needs from a SEG-Y file (SegyFile provides it): its sample
 * axis and trace count, header-only reads and trace reads.
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";

/** The headers of a run of traces: each field as one array. */
export interface HeaderColumns {
  /** Header fields by name (inline, crossline, offset, ...). */
  headers: Record<string, Float64Array>;
  /** Source X (SegyFile's batches carry it here rather than in `headers`). */
  sx?: Float64Array;
  /** Source Y. */
  sy?: Float64Array;
  /** Receiver X. */
  gx?: Float64Array;
  /** Receiver Y. */
  gy?: Float64Array;
}

/** Samples of a run of traces, trace after trace. */
export interface SampleColumns extends HeaderColumns {
  /** `count * ns` samples. */
  samples: Float32Array;
}

/** A random-access SEG-Y source (SegyFile satisfies it). */
export interface SectionSource {
  /** Sample axis, trace count and the file's path. */
  readonly info: {
    /** Path for messages. */
    path: string;
    /** Samples per trace. */
    ns: number;
    /** Sample interval, seconds (0 when unknown). */
    dt: number;
    /** Time of the first sample, seconds. */
    t0: number;
    /** Number of traces. */
    traceCount: number;
  };
  /**
   * Reads the headers of traces `first .. first + count - 1` without their
   * samples; `fields` names the header fields wanted.
   */
  readHeaders(
    first: number,
    count: number,
    fields?: readonly string[],
  ): Promise<HeaderColumns> | HeaderColumns;
  /** Reads traces `first .. first + count - 1`, headers and samples. */
  readTraces(first: number, count: number): Promise<SampleColumns> | SampleColumns;
}

/** The header fields plotting uses, for every trace of a file. */
export interface HeaderTable {
  /** Number of traces. */
  count: number;
  /** Inline number (bytes 189-192) of each trace. */
  inline: Float64Array;
  /** Crossline number (bytes 193-196) of each trace. */
  crossline: Float64Array;
  /** Offset (bytes 37-40) of each trace. */
  offset: Float64Array;
  /** CDP number (bytes 21-24); 0 where the file gives none. */
  cdp: Float64Array;
  /** Field record number (bytes 9-12); 0 where the file gives none. */
  fldr: Float64Array;
  /** Energy source point number (bytes 17-20); 0 where the file gives none. */
  ep: Float64Array;
  /** CDP X (bytes 181-184, scalar 71 applied); 0 where the file gives none. */
  cdpx: Float64Array;
  /** CDP Y (bytes 185-188). */
  cdpy: Float64Array;
  /** Source X (bytes 73-76). */
  sx: Float64Array;
  /** Source Y (bytes 77-80). */
  sy: Float64Array;
  /** Receiver X (bytes 81-84). */
  gx: Float64Array;
  /** Receiver Y (bytes 85-88). */
  gy: Float64Array;
}

const HEADER_CHUNK = 65536;
const PLOT_FIELDS = ["inline", "crossline", "offset"] as const;
const OPTIONAL_FIELDS = ["cdp", "fldr", "ep", "cdpx", "cdpy"] as const;
const POSITION_FIELDS = ["sx", "sy", "gx", "gy"] as const;

/**
 * Reads the header fields plotting uses (inline, crossline, offset, CDP,
 * field record, source point, CDP and source/receiver positions) of every
 * trace in one header-only pass, `chunk` traces at a time.
 *
 * @param source the file
 * @param chunk traces per read
 * @returns the table
 * @throws PstmError when the file has no traces or its headers lack inline, crossline or offset
 */
export async function readHeaderTable(
  source: SectionSource,
  chunk = HEADER_CHUNK,
): Promise<HeaderTable> {
  const count = source.info.traceCount;
  if (!(count > 0)) {
    throw new PstmError("the file holds no traces; expected seismic traces", {
      file: source.info.path,
    });
  }
  const table: HeaderTable = {
    count,
    inline: new Float64Array(count),
    crossline: new Float64Array(count),
    offset: new Float64Array(count),
    cdp: new Float64Array(count),
    fldr: new Float64Array(count),
    ep: new Float64Array(count),
    cdpx: new Float64Array(count),
    cdpy: new Float64Array(count),
    sx: new Float64Array(count),
    sy: new Float64Array(count),
    gx: new Float64Array(count),
    gy: new Float64Array(count),
  };
  for (let first = 0; first < count; first += chunk) {
    const n = Math.min(chunk, count - first);
    const columns = await source.readHeaders(first, n, [...PLOT_FIELDS, ...OPTIONAL_FIELDS]);
    const { headers } = columns;
    for (const name of OPTIONAL_FIELDS) {
      if (headers[name]) table[name].set(headers[name].subarray(0, n), first);
    }
    for (const name of POSITION_FIELDS) {
      const column = columns[name] ?? headers[name];
      if (column) table[name].set(column.subarray(0, n), first);
    }
    for (const name of PLOT_FIELDS) {
      const column = headers[name];
      if (!column) {
        throw new PstmError(`the trace headers carry no "${name}" field`, {
          file: source.info.path,
          trace: first,
          field: name,
        });
      }
      table[name].set(column.subarray(0, n), first);
    }
  }
  return table;
}

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
}

const HEADER_CHUNK = 65536;
const PLOT_FIELDS = ["inline", "crossline", "offset"] as const;

/**
 * Reads inline, crossline and offset of every trace in one header-only pass,
 * `chunk` traces at a time.
 *
 * @param source the file
 * @param chunk traces per read
 * @returns the table
 * @throws PstmError when the file has no traces or its headers lack a field
 */
export async function readHeaderTable(
  source: SectionSource,
  chunk = HEADER_CHUNK,
): Promise<HeaderTable> {
  const count = source.info.traceCount;
  if (!(count > 0)) {
    throw new PstmError("the file holds no traces; expected a post-stack or pstm output volume", {
      file: source.info.path,
    });
  }
  const table: HeaderTable = {
    count,
    inline: new Float64Array(count),
    crossline: new Float64Array(count),
    offset: new Float64Array(count),
  };
  for (let first = 0; first < count; first += chunk) {
    const n = Math.min(chunk, count - first);
    const { headers } = await source.readHeaders(first, n, PLOT_FIELDS);
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

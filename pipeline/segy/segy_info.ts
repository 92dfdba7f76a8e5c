/**
 * What pstm knows about a SEG-Y or Seismic Unix file once its file headers
 * are parsed, and the entry point that works it out from the first bytes
 * (used by both SegyFile and SegyTraceStream).
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { resolveSegyLayout } from "./segy_layout.ts";
import { resolveSuLayout } from "./su_layout.ts";
import { TEXT_HEADER_BYTES, type TextEncoding, textScores } from "./text_header.ts";

/** Kind of input file. */
export type SegyKind = "segy" | "su";

/** Everything known about a file after its file headers are parsed. */
export interface SegyInfo {
  /** Path of the file ("-" for stdin, or the stream's name). */
  path: string;
  /** "segy" (3600-byte file header) or "su" (Seismic Unix: trace headers only). */
  kind: SegyKind;
  /** SEG-Y revision as a number (0, 1, 2, 2.1); 0 for SU. */
  revision: number;
  /** Sample format code (5 for SU). */
  format: number;
  /** Sample format name, e.g. "IBM float32". */
  formatName: string;
  /** Bytes per sample. */
  sampleBytes: number;
  /** Byte order of headers and samples. */
  littleEndian: boolean;
  /** Encoding of the textual header ("none" for SU). */
  textEncoding: TextEncoding | "none";
  /** Textual header decoded to ASCII, 80-character lines joined by "\n" ("" for SU). */
  textHeader: string;
  /** Number of 3200-byte extended textual headers. */
  extendedTextHeaders: number;
  /** Number of 240-byte trace header extensions after each standard trace header (skipped). */
  traceHeaderExtensions: number;
  /** Samples per trace. */
  ns: number;
  /** Sample interval, seconds (0 when the file gives none). */
  dt: number;
  /** Time of the first sample, seconds, from the first trace's delay (bytes 109, 215). */
  t0: number;
  /**
   * Binary header measurement system (bytes 3255-3256): 1 metres, 2 feet, 0 (or absent: SU)
   * not stated, read as metres (pipeline/segy/units.ts).
   */
  measurementSystem?: number;
  /** Number of traces; -1 for a stream (not known in advance). */
  traceCount: number;
  /** Bytes per trace: headers (240 x (1 + extensions)) plus samples. */
  traceBytes: number;
  /** Byte offset of the first trace. */
  dataOffset: number;
  /** File size in bytes; -1 for a stream. */
  fileSize: number;
  /** Things that were odd but could be worked around. */
  warnings: string[];
}

/** Result of looking at the first bytes: the info, or how many bytes are needed to decide. */
export type LayoutResult = { info: SegyInfo } | { need: number };

/** Options for {@link resolveLayout}. */
export interface LayoutOptions {
  /** Force SEG-Y or SU instead of detecting. */
  format?: SegyKind;
}

/**
 * Works out the layout of a SEG-Y or SU file from its first bytes. When
 * `total` (the file size) is known, ns and the trace header extension count
 * are checked against it; for a stream it is undefined until the stream
 * ends. Returns `{ need }` when more bytes are needed to decide.
 *
 * @param bytes the first bytes of the file (as many as available)
 * @param total the file size, or undefined when not known yet
 * @param path the file's name for messages
 * @param options forced kind
 * @returns the info, or the number of bytes needed
 * @throws PstmError when the headers are not valid SEG-Y / SU
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { resolveLayout } from "./segy_info.ts";
 * const r = resolveLayout(new Uint8Array(0), undefined, "-");
 * assert("need" in r && r.need === 3600);
 * ```
 */
export function resolveLayout(
  bytes: Uint8Array,
  total: number | undefined,
  path: string,
  options: LayoutOptions = {},
): LayoutResult {
  if (options.format === "su") return resolveSuLayout(bytes, total, path);
  if (options.format === "segy") return resolveSegyLayout(bytes, total, path);
  if (total !== undefined && total < 3600) {
    if (/\.(sgy|segy)$/i.test(path)) {
      throw new PstmError(
        `file is ${total} bytes: shorter than the 3600-byte SEG-Y file header ` +
          "(textual + binary); expected a SEG-Y file (or pass --su for Seismic Unix)",
        { file: path, field: "file size" },
      );
    }
    return resolveSuLayout(bytes, total, path);
  }
  if (bytes.length < 3600) return { need: 3600 };
  const { ascii, ebcdic } = textScores(bytes.subarray(0, TEXT_HEADER_BYTES));
  if (Math.max(ascii, ebcdic) >= TEXT_HEADER_BYTES / 2) {
    return resolveSegyLayout(bytes, total, path);
  }
  let su: LayoutResult | undefined;
  try {
    su = resolveSuLayout(bytes, total, path);
  } catch {
    su = undefined;
  }
  return su ?? resolveSegyLayout(bytes, total, path);
}

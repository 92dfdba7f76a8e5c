/**
 * Binary file header byte positions (1-based, as in segyio) and the
 * byte-order detection rule.
 *
 * @module
 */

/** Size of textual + binary file header, bytes. */
export const FILE_HEADER_BYTES = 3600;

/** Job identification number (i4). */
export const BIN_JOB_ID = 3201;
/** Line number (i4). */
export const BIN_LINE = 3205;
/** Reel number (i4). */
export const BIN_REEL = 3209;
/** Data traces per ensemble (i2). */
export const BIN_TRACES = 3213;
/** Sample interval, microseconds (u2: up to 65,535 us). */
export const BIN_INTERVAL = 3217;
/** Samples per data trace (u2). */
export const BIN_SAMPLES = 3221;
/** Data sample format code (u2). */
export const BIN_FORMAT = 3225;
/** Ensemble fold (i2). */
export const BIN_ENSEMBLE_FOLD = 3227;
/** Trace sorting code (i2). */
export const BIN_SORTING = 3229;
/** Measurement system: 1 metres, 2 feet (i2). */
export const BIN_MEASUREMENT_SYSTEM = 3255;
/** Rev 2: extended samples per data trace (i4). */
export const BIN_EXT_SAMPLES = 3269;
/** Rev 2: extended sample interval (f8). */
export const BIN_EXT_INTERVAL = 3273;
/** Rev 2: the integer constant 16909060 (0x01020304), written in the file's byte order. */
export const BIN_BYTE_ORDER = 3297;
/** SEG-Y revision: major byte (rev 2) or the whole 16-bit 0x0100 (rev 1). */
export const BIN_SEGY_REVISION = 3501;
/** SEG-Y revision minor byte (rev 2). */
export const BIN_SEGY_REVISION_MINOR = 3502;
/** Fixed length trace flag (i2). */
export const BIN_TRACE_FLAG = 3503;
/** Number of extended textual headers, -1 for "until ((SEG: EndText))" (i2). */
export const BIN_EXT_HEADERS = 3505;
/** Rev 2: maximum number of additional 240-byte trace headers (i4; segyio writes i2). */
export const BIN_MAX_ADDITIONAL_TRACE_HEADERS = 3507;
/** Rev 2: byte offset of the first trace (u8). */
export const BIN_FIRST_TRACE_OFFSET = 3521;

/** The rev 2 byte-order constant. */
export const BYTE_ORDER_CONSTANT = 16909060;

/**
 * Offset in the 3600-byte file header (0-based) of a 1-based byte position.
 *
 * @param byte 1-based position, e.g. {@link BIN_SAMPLES}
 * @returns 0-based offset
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { at, BIN_SAMPLES } from "./binary_header.ts";
 * assert(at(BIN_SAMPLES) === 3220);
 * ```
 */
export function at(byte: number): number {
  return byte - 1;
}

/**
 * Reads an unsigned 64-bit value as a number (exact below 2^53).
 *
 * @param view the bytes
 * @param offset 0-based offset
 * @param littleEndian byte order
 * @returns the value
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { getUint64 } from "./binary_header.ts";
 * const v = new DataView(new Uint8Array([0, 0, 0, 1, 0, 0, 0, 2]).buffer);
 * assert(getUint64(v, 0, false) === 4294967298);
 * ```
 */
export function getUint64(view: DataView, offset: number, littleEndian: boolean): number {
  const hi = view.getUint32(offset + (littleEndian ? 4 : 0), littleEndian);
  const lo = view.getUint32(offset + (littleEndian ? 0 : 4), littleEndian);
  return hi * 4294967296 + lo;
}

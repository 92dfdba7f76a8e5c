/**
 * Time of the first sample from a trace header: delay recording time
 * (bytes 109-110, ms) with the time scalar (bytes 215-216) when it is a
 * valid power of ten.
 *
 * @module
 */

import { TR_DELAY_REC_TIME, TR_TIME_SCALAR } from "./header_map.ts";

const VALID_TIME_SCALARS = new Set([1, 10, 100, 1000, 10000, -10, -100, -1000, -10000]);

/**
 * t0 in seconds from the trace header at `offset`.
 *
 * @param view the bytes
 * @param offset 0-based offset of the trace header
 * @param littleEndian byte order
 * @param warnings where to note an ignored time scalar
 * @returns t0, seconds
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { firstTraceT0 } from "./trace_time.ts";
 * const header = new DataView(new ArrayBuffer(240));
 * header.setInt16(108, 100); // 100 ms
 * assert(firstTraceT0(header, 0, false, []) === 0.1);
 * ```
 */
export function firstTraceT0(
  view: DataView,
  offset: number,
  littleEndian: boolean,
  warnings: string[],
): number {
  const delay = view.getInt16(offset + TR_DELAY_REC_TIME - 1, littleEndian);
  const scalar = view.getInt16(offset + TR_TIME_SCALAR - 1, littleEndian);
  let ms = delay;
  if (scalar !== 0 && VALID_TIME_SCALARS.has(scalar)) {
    ms = scalar < 0 ? delay / -scalar : delay * scalar;
  } else if (scalar !== 0 && delay !== 0) {
    warnings.push(`time scalar ${scalar} (trace bytes 215-216) is not a power of ten; ignored`);
  }
  return ms / 1000;
}

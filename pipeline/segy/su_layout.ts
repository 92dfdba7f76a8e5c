/**
 * Seismic Unix layout resolution: no file headers, 240-byte trace headers,
 * IEEE float32 samples, byte order detected from the plausibility of ns.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { TR_SAMPLE_COUNT, TR_SAMPLE_INTER, TRACE_HEADER_BYTES } from "./header_map.ts";
import type { LayoutResult } from "./segy_info.ts";
import { firstTraceT0 } from "./trace_time.ts";

/**
 * Resolves the layout of a Seismic Unix file; see `resolveLayout` in
 * segy_info.ts. With the file size known, a byte order fits when the size is
 * a whole number of traces; on a stream, when the second trace header (if
 * any) repeats ns.
 *
 * @param bytes the first bytes
 * @param total file size when known
 * @param path file name for messages
 * @returns the info, or the number of bytes needed
 * @throws PstmError when neither byte order gives a consistent layout
 */
export function resolveSuLayout(
  bytes: Uint8Array,
  total: number | undefined,
  path: string,
): LayoutResult {
  const file = path;
  if (total === 0) {
    throw new PstmError("file is empty; expected Seismic Unix traces", {
      file,
      field: "file size",
    });
  }
  if (bytes.length < TRACE_HEADER_BYTES) {
    if (total !== undefined && total < TRACE_HEADER_BYTES) {
      throw new PstmError(
        `file is ${total} bytes, shorter than one 240-byte trace header`,
        { file, trace: 0, field: "file size" },
      );
    }
    return { need: TRACE_HEADER_BYTES };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nsAt = TR_SAMPLE_COUNT - 1;
  let best: { le: boolean; score: number } | undefined;
  let need = 0;
  for (const le of [false, true]) {
    const ns = view.getUint16(nsAt, le);
    if (ns === 0) continue;
    const tb = TRACE_HEADER_BYTES + 4 * ns;
    let score = 0;
    if (total !== undefined) {
      if (total % tb !== 0) continue;
      score += 2;
      if (total > tb && bytes.length >= tb + TRACE_HEADER_BYTES) {
        if (view.getUint16(tb + nsAt, le) !== ns) continue;
        score += 1;
      }
    } else if (bytes.length >= tb + TRACE_HEADER_BYTES) {
      if (view.getUint16(tb + nsAt, le) !== ns) continue;
      score += 3;
    } else {
      need = Math.max(need, tb + TRACE_HEADER_BYTES);
      continue;
    }
    const dt = view.getUint16(TR_SAMPLE_INTER - 1, le);
    if (dt > 0 && dt < 0x8000) score += 1;
    if (!best || score > best.score) best = { le, score };
  }
  if (!best && need > 0) return { need };
  if (!best) {
    throw new PstmError(
      `not a Seismic Unix file: ns at trace bytes 115-116 reads ${view.getUint16(nsAt, false)} ` +
        `(big-endian) / ${view.getUint16(nsAt, true)} (little-endian) and neither gives ` +
        (total !== undefined ? `a whole number of traces in ${total} bytes` : "a repeating layout"),
      { file, trace: 0, field: "ns (trace bytes 115-116)" },
    );
  }
  const littleEndian = best.le;
  const ns = view.getUint16(nsAt, littleEndian);
  const traceBytes = TRACE_HEADER_BYTES + 4 * ns;
  const warnings: string[] = [];
  const dtUs = view.getUint16(TR_SAMPLE_INTER - 1, littleEndian);
  if (dtUs === 0) warnings.push("sample interval (trace bytes 117-118) is 0");
  return {
    info: {
      path,
      kind: "su",
      revision: 0,
      format: 5,
      formatName: "IEEE float32",
      sampleBytes: 4,
      littleEndian,
      textEncoding: "none",
      textHeader: "",
      extendedTextHeaders: 0,
      traceHeaderExtensions: 0,
      ns,
      dt: dtUs * 1e-6,
      t0: firstTraceT0(view, 0, littleEndian, warnings),
      traceCount: total !== undefined ? total / traceBytes : -1,
      traceBytes,
      dataOffset: 0,
      fileSize: total ?? -1,
      warnings,
    },
  };
}

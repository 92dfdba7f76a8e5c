/**
 * SEG-Y layout resolution: byte order, revision, sample format, extended
 * textual headers, trace header extensions, ns (checked against the file
 * size) and dt, from the first bytes of a file.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import {
  at,
  BIN_BYTE_ORDER,
  BIN_EXT_HEADERS,
  BIN_EXT_INTERVAL,
  BIN_EXT_SAMPLES,
  BIN_FIRST_TRACE_OFFSET,
  BIN_FORMAT,
  BIN_INTERVAL,
  BIN_MAX_ADDITIONAL_TRACE_HEADERS,
  BIN_MEASUREMENT_SYSTEM,
  BIN_SAMPLES,
  BIN_SEGY_REVISION,
  BYTE_ORDER_CONSTANT,
  FILE_HEADER_BYTES,
  getUint64,
} from "./binary_header.ts";
import { TR_SAMPLE_COUNT, TR_SAMPLE_INTER, TRACE_HEADER_BYTES } from "./header_map.ts";
import { DEFINED_FORMAT_CODES, SAMPLE_FORMATS } from "./sample_formats.ts";
import type { LayoutResult, SegyInfo } from "./segy_info.ts";
import {
  decodeTextHeader,
  detectTextEncoding,
  isEndTextRecord,
  TEXT_HEADER_BYTES,
} from "./text_header.ts";
import { firstTraceT0 } from "./trace_time.ts";

/** At most this many extended textual headers are searched for ((SEG: EndText)). */
export const MAX_EXTENDED_TEXT_HEADERS = 1000;

/**
 * Resolves the layout of a SEG-Y file; see `resolveLayout` in segy_info.ts.
 *
 * @param bytes the first bytes of the file
 * @param total file size when known
 * @param path file name for messages
 * @returns the info, or the number of bytes needed
 * @throws PstmError for invalid headers or a size that does not fit
 */
export function resolveSegyLayout(
  bytes: Uint8Array,
  total: number | undefined,
  path: string,
): LayoutResult {
  const file = path;
  if (total !== undefined && total < FILE_HEADER_BYTES) {
    throw new PstmError(
      `file is ${total} bytes, shorter than the ${FILE_HEADER_BYTES}-byte SEG-Y file header`,
      { file, field: "file size" },
    );
  }
  if (bytes.length < FILE_HEADER_BYTES) return { need: FILE_HEADER_BYTES };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const warnings: string[] = [];

  // Byte order: the rev 2 constant when present, else the plausible format code.
  let littleEndian: boolean;
  let rev2Marker = false;
  if (view.getUint32(at(BIN_BYTE_ORDER), false) === BYTE_ORDER_CONSTANT) {
    littleEndian = false;
    rev2Marker = true;
  } else if (view.getUint32(at(BIN_BYTE_ORDER), true) === BYTE_ORDER_CONSTANT) {
    littleEndian = true;
    rev2Marker = true;
  } else {
    const be = view.getUint16(at(BIN_FORMAT), false);
    const le = view.getUint16(at(BIN_FORMAT), true);
    if (DEFINED_FORMAT_CODES.has(be)) littleEndian = false;
    else if (DEFINED_FORMAT_CODES.has(le)) littleEndian = true;
    else {
      throw new PstmError(
        `sample format code is ${be} (big-endian) / ${le} (little-endian); expected one of ` +
          `${[...SAMPLE_FORMATS.keys()].join(", ")}`,
        { file, field: "format (binary header bytes 3225-3226)" },
      );
    }
  }
  const format = view.getUint16(at(BIN_FORMAT), littleEndian);
  const sampleFormat = SAMPLE_FORMATS.get(format);
  if (!sampleFormat) {
    throw new PstmError(
      format === 4
        ? "sample format 4 (fixed point with gain) is obsolete and not supported"
        : `sample format code is ${format}; expected one of ${
          [...SAMPLE_FORMATS.keys()].join(", ")
        }`,
      { file, field: "format (binary header bytes 3225-3226)" },
    );
  }

  const revision = readRevision(bytes, view, littleEndian, warnings);
  const rev2 = revision >= 2 || rev2Marker;

  // Extended textual headers: a fixed count, or -1 = until ((SEG: EndText)).
  const extCount = view.getInt16(at(BIN_EXT_HEADERS), littleEndian);
  let extendedTextHeaders = 0;
  if (extCount === -1) {
    for (let k = 0;; k++) {
      const end = FILE_HEADER_BYTES + (k + 1) * TEXT_HEADER_BYTES;
      if (k >= MAX_EXTENDED_TEXT_HEADERS || (total !== undefined && end > total)) {
        throw new PstmError(
          `extended textual header count is -1 but no ((SEG: EndText)) stanza was found in ` +
            `${k} records`,
          { file, field: "extended textual headers (binary header bytes 3505-3506)" },
        );
      }
      if (bytes.length < end) return { need: end };
      if (isEndTextRecord(bytes.subarray(end - TEXT_HEADER_BYTES, end))) {
        extendedTextHeaders = k + 1;
        break;
      }
    }
  } else if (extCount > 0) {
    extendedTextHeaders = extCount;
  } else if (extCount < -1) {
    warnings.push(`extended textual header count ${extCount} is invalid; read as 0`);
  }
  let dataOffset = FILE_HEADER_BYTES + extendedTextHeaders * TEXT_HEADER_BYTES;
  if (total !== undefined && dataOffset > total) {
    throw new PstmError(
      `${extendedTextHeaders} extended textual headers need ${dataOffset} bytes but the file ` +
        `has ${total}`,
      { file, field: "extended textual headers (binary header bytes 3505-3506)" },
    );
  }

  let extensions = 0;
  if (rev2) {
    const firstOffset = getUint64(view, at(BIN_FIRST_TRACE_OFFSET), littleEndian);
    if (firstOffset > 0 && firstOffset !== dataOffset) {
      if (firstOffset >= FILE_HEADER_BYTES && (total === undefined || firstOffset <= total)) {
        dataOffset = firstOffset;
      } else {
        warnings.push(`byte offset of first trace ${firstOffset} (bytes 3521-3528) ignored`);
      }
    }
    extensions = readExtensionCount(view, littleEndian, warnings);
  }

  const binNs = view.getUint16(at(BIN_SAMPLES), littleEndian);
  const extNs = rev2 ? view.getInt32(at(BIN_EXT_SAMPLES), littleEndian) : 0;
  const primaryNs = extNs > 0 && extNs <= 0x7fffffff ? extNs : binNs;
  if (primaryNs !== binNs) {
    warnings.push(`extended ns ${extNs} (bytes 3269-3272) overrides binary ns ${binNs}`);
  }

  // The first trace header is needed for its ns (fallback), dt and delay.
  const firstHeaderEnd = dataOffset + TRACE_HEADER_BYTES;
  if (bytes.length < firstHeaderEnd && (total === undefined || total >= firstHeaderEnd)) {
    return { need: firstHeaderEnd };
  }
  const haveFirst = bytes.length >= firstHeaderEnd;
  const traceNs = haveFirst ? view.getUint16(dataOffset + at(TR_SAMPLE_COUNT), littleEndian) : 0;

  const size = sampleFormat.bytes;
  const traceBytesOf = (ns: number, ext: number) => TRACE_HEADER_BYTES * (1 + ext) + ns * size;
  let ns = primaryNs;
  let traceCount = -1;
  if (total !== undefined) {
    const available = total - dataOffset;
    if (available === 0) {
      throw new PstmError(
        `file holds no traces: it ends right after its ${dataOffset} bytes of file headers`,
        { file, field: "trace count" },
      );
    }
    const candidates: [number, number, string][] = [
      [primaryNs, extensions, ""],
      [primaryNs, 0, `ignored ${extensions} trace header extensions (file size fits without)`],
      [
        traceNs,
        extensions,
        `binary ns ${primaryNs} does not fit the file size; ` +
        `using ns ${traceNs} from the first trace header`,
      ],
      [
        traceNs,
        0,
        `binary ns ${primaryNs} does not fit the file size; using ns ${traceNs} ` +
        `from the first trace header and no trace header extensions`,
      ],
    ];
    const chosen = candidates.find(([n, e]) => n > 0 && available % traceBytesOf(n, e) === 0);
    if (!chosen) {
      if (primaryNs === 0 && traceNs === 0) {
        throw new PstmError(
          "ns is 0 in the binary header and in the first trace header; expected samples per trace",
          { file, field: "ns (binary header bytes 3221-3222, trace bytes 115-116)" },
        );
      }
      const n = primaryNs > 0 ? primaryNs : traceNs;
      const tb = traceBytesOf(n, extensions);
      const complete = Math.floor(available / tb);
      throw new PstmError(
        `file ends inside trace ${complete}: each trace takes ${tb} bytes (` +
          `${TRACE_HEADER_BYTES * (1 + extensions)} header bytes + ${n} samples x ${size} bytes)` +
          ` but only ${available - complete * tb} bytes remain after ${complete} complete traces` +
          (traceNs > 0 && traceNs !== n
            ? ` (the first trace header's ns ${traceNs} does not fit either)`
            : ""),
        { file, trace: complete, field: "file size" },
      );
    }
    [ns, extensions] = chosen;
    if (chosen[2]) warnings.push(chosen[2]);
    traceCount = available / traceBytesOf(ns, extensions);
  } else {
    if (ns === 0) ns = traceNs;
    if (ns === 0) {
      throw new PstmError(
        "ns is 0 in the binary header and in the first trace header; expected samples per trace",
        { file, field: "ns (binary header bytes 3221-3222, trace bytes 115-116)" },
      );
    }
  }
  if (haveFirst && traceNs !== 0 && traceNs !== ns) {
    warnings.push(`first trace header says ns ${traceNs}; using ${ns} (file layout)`);
  }

  // Sample interval (unsigned 16-bit microseconds, up to 65.535 ms): the rev 2 extended
  // interval when present (it overrides bytes 3217-3218), else binary, else the first trace.
  let dtUs = view.getUint16(at(BIN_INTERVAL), littleEndian);
  const firstDt = haveFirst ? view.getUint16(dataOffset + at(TR_SAMPLE_INTER), littleEndian) : 0;
  if (dtUs >= 0x8000 && firstDt > 0 && firstDt < 0x8000) {
    // a negative signed value more likely than an interval above 32.767 ms next to a short one
    warnings.push(
      `binary sample interval ${dtUs} us (${dtUs - 0x10000} as signed 16-bit) disagrees with ` +
        `trace 0's ${firstDt} us; using ${firstDt} us`,
    );
    dtUs = firstDt;
  }
  if (rev2) {
    const ext = view.getFloat64(at(BIN_EXT_INTERVAL), littleEndian);
    if (Number.isFinite(ext) && ext > 0 && ext < 1e7) {
      if (dtUs !== 0 && Math.abs(ext - dtUs) > 1e-6 * ext) {
        warnings.push(
          `extended sample interval ${ext} us (bytes 3273-3280) overrides binary ${dtUs} us`,
        );
      }
      dtUs = ext;
    }
  }
  if (dtUs <= 0) {
    const traceDt = firstDt;
    if (traceDt > 0) {
      warnings.push(`binary sample interval is ${dtUs} us; using ${traceDt} us from trace 0`);
      dtUs = traceDt;
    } else {
      warnings.push(`no positive sample interval (binary ${dtUs} us, trace ${traceDt} us)`);
      dtUs = 0;
    }
  }
  const t0 = haveFirst ? firstTraceT0(view, dataOffset, littleEndian, warnings) : 0;

  const textEncoding = detectTextEncoding(bytes.subarray(0, TEXT_HEADER_BYTES));
  const info: SegyInfo = {
    path,
    kind: "segy",
    revision,
    format,
    formatName: sampleFormat.name,
    sampleBytes: size,
    littleEndian,
    textEncoding,
    textHeader: decodeTextHeader(bytes.subarray(0, TEXT_HEADER_BYTES), textEncoding),
    extendedTextHeaders,
    traceHeaderExtensions: extensions,
    ns,
    dt: dtUs * 1e-6,
    t0,
    measurementSystem: view.getInt16(at(BIN_MEASUREMENT_SYSTEM), littleEndian),
    traceCount,
    traceBytes: traceBytesOf(ns, extensions),
    dataOffset,
    fileSize: total ?? -1,
    warnings,
  };
  return { info };
}

/** Revision from bytes 3501-3502, accepting the several conventions seen in real files. */
function readRevision(
  bytes: Uint8Array,
  view: DataView,
  littleEndian: boolean,
  warnings: string[],
): number {
  const major = bytes[at(BIN_SEGY_REVISION)];
  const minor = bytes[at(BIN_SEGY_REVISION) + 1];
  const whole = view.getUint16(at(BIN_SEGY_REVISION), littleEndian);
  if (major >= 1 && major <= 2 && minor <= 9) return major + minor / 10;
  if (whole === 0x0100 || whole === 1 || whole === 100) return 1;
  if (whole === 0x0200 || whole === 2) return 2;
  if (whole === 0x0201) return 2.1;
  if (whole !== 0) {
    warnings.push(
      `revision field 0x${whole.toString(16).padStart(4, "0")} not recognised; read as 0`,
    );
  }
  return 0;
}

/** Rev 2 trace header extension count: i4 per the standard, i2 as segyio writes it. */
function readExtensionCount(view: DataView, littleEndian: boolean, warnings: string[]): number {
  const asInt32 = view.getInt32(at(BIN_MAX_ADDITIONAL_TRACE_HEADERS), littleEndian);
  if (asInt32 >= 0 && asInt32 <= 100) return asInt32;
  const asInt16 = view.getInt16(at(BIN_MAX_ADDITIONAL_TRACE_HEADERS), littleEndian);
  if (asInt16 >= 0 && asInt16 <= 100) return asInt16;
  warnings.push(
    `trace header extension count ${asInt32} (bytes 3507-3510) is implausible; read as 0`,
  );
  return 0;
}

/**
 * Turns a TraceBatch into SEG-Y rev 1 trace bytes: big-endian headers per
 * the header map (coordinates and elevations re-scaled to integers with the
 * file's scalars), IEEE float32 big-endian samples.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { TraceBatch } from "./trace_batch.ts";
import {
  DEFAULT_HEADER_MAP,
  type HeaderMap,
  type HeaderType,
  TR_DELAY_REC_TIME,
  TR_ELEV_SCALAR,
  TR_SAMPLE_COUNT,
  TR_SAMPLE_INTER,
  TR_SEQ_FILE,
  TR_SEQ_LINE,
  TR_SOURCE_GROUP_SCALAR,
  TR_TRACE_ID,
  TRACE_HEADER_BYTES,
} from "./header_map.ts";
import { numberToIbm } from "./sample_formats.ts";

const RANGES: Record<HeaderType, [number, number]> = {
  i1: [-128, 127],
  u1: [0, 255],
  i2: [-32768, 32767],
  u2: [0, 65535],
  i4: [-2147483648, 2147483647],
  u4: [0, 4294967295],
  f4: [-Infinity, Infinity],
};

/** Fields the encoder sets itself, whatever the batch holds. */
const RESERVED = new Set(["ns", "dt", "delrt", "scalco", "scalel", "scalet"]);

/** What the encoder needs to know about the output file. */
export interface TraceEncoding {
  /** Output file name for messages. */
  path: string;
  /** Samples per trace. */
  ns: number;
  /** Sample interval, microseconds (stored in bytes 117-118). */
  dtUs: number;
  /** Delay recording time, ms (bytes 109-110). */
  delayMs: number;
  /** Coordinate scalar written to bytes 71-72. */
  coordinateScalar: number;
  /** Elevation scalar written to bytes 69-70. */
  elevationScalar: number;
  /** Header positions. */
  headerMap?: Readonly<HeaderMap>;
  /** Sample format: "ieee" float32 (default) or "ibm" float. */
  sampleFormat?: "ieee" | "ibm";
}

/**
 * Writes one header value with range checking.
 *
 * @param view destination
 * @param offset 0-based byte offset
 * @param type value type
 * @param value the value (rounded for integer types)
 * @param where file, trace and field for the error message
 * @throws PstmError when the value is not finite or does not fit the type
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { setHeaderValue } from "./trace_encoder.ts";
 * const view = new DataView(new ArrayBuffer(4));
 * setHeaderValue(view, 0, "i4", 12.4, { file: "x", trace: 0, field: "sx" });
 * assert(view.getInt32(0) === 12);
 * ```
 */
export function setHeaderValue(
  view: DataView,
  offset: number,
  type: HeaderType,
  value: number,
  where: { file: string; trace: number; field: string },
): void {
  const v = type === "f4" ? value : Math.round(value);
  const [lo, hi] = RANGES[type];
  if (!Number.isFinite(v) || v < lo || v > hi) {
    throw new PstmError(`value ${value} does not fit header type ${type} [${lo}, ${hi}]`, where);
  }
  switch (type) {
    case "i1":
      return view.setInt8(offset, v);
    case "u1":
      return view.setUint8(offset, v);
    case "i2":
      return view.setInt16(offset, v, false);
    case "u2":
      return view.setUint16(offset, v, false);
    case "i4":
      return view.setInt32(offset, v, false);
    case "u4":
      return view.setUint32(offset, v, false);
    case "f4":
      return view.setFloat32(offset, v, false);
  }
}

/**
 * Encodes a batch as SEG-Y trace bytes (240-byte header + ns float32 each).
 * Header fields of `batch.headers` that the map names are written (unknown
 * names are ignored); sx, sy, gx, gy come from the batch's arrays; ns, dt,
 * delrt and the scalars from `encoding`; tracl and tracr default to the
 * 1-based trace index in the file, trid (29-30) to 1 (seismic data). Samples are IEEE
 * float32, or IBM float with `encoding.sampleFormat` "ibm".
 *
 * @param batch the traces (`batch.ns` must equal `encoding.ns`)
 * @param firstIndex index in the output file of the batch's first trace
 * @param encoding output layout
 * @returns the bytes
 * @throws PstmError when ns differs or a value does not fit its header field
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { encodeTraces } from "./trace_encoder.ts";
 * const batch = { firstTrace: 0, count: 1, ns: 1, dt: 0.004, t0: 0, samples: new Float32Array([2]),
 *   sx: new Float64Array([1.5]), sy: new Float64Array(1), gx: new Float64Array(1),
 *   gy: new Float64Array(1), headers: {} };
 * const bytes = encodeTraces(batch, 0, { path: "x", ns: 1, dtUs: 4000, delayMs: 0,
 *   coordinateScalar: -100, elevationScalar: -100 });
 * assert(new DataView(bytes.buffer).getInt32(72) === 150);
 * ```
 */
export function encodeTraces(
  batch: TraceBatch,
  firstIndex: number,
  encoding: TraceEncoding,
): Uint8Array {
  const { ns, path } = encoding;
  if (batch.ns !== ns) {
    throw new PstmError(`batch has ${batch.ns} samples per trace; the file has ${ns}`, {
      file: path,
      trace: firstIndex,
      field: "ns",
    });
  }
  if (batch.samples.length < batch.count * ns) {
    throw new PstmError(
      `batch holds ${batch.samples.length} samples; expected ${batch.count} x ${ns}`,
      { file: path, trace: firstIndex, field: "samples" },
    );
  }
  const map = encoding.headerMap ?? DEFAULT_HEADER_MAP;
  const stride = TRACE_HEADER_BYTES + 4 * ns;
  const bytes = new Uint8Array(batch.count * stride);
  const view = new DataView(bytes.buffer);
  const factor = (scalar: number) => (scalar < 0 ? -scalar : 1 / scalar);
  const coordinateFactor = factor(encoding.coordinateScalar);
  const elevationFactor = factor(encoding.elevationScalar);

  const columns: { name: string; values: ArrayLike<number> }[] = [
    { name: "sx", values: batch.sx },
    { name: "sy", values: batch.sy },
    { name: "gx", values: batch.gx },
    { name: "gy", values: batch.gy },
  ];
  for (const [name, values] of Object.entries(batch.headers)) {
    if (map[name] && !RESERVED.has(name)) columns.push({ name, values });
  }
  const hasTracl = "tracl" in batch.headers;
  const hasTracr = "tracr" in batch.headers;
  const hasTrid = "trid" in batch.headers;
  const ibm = encoding.sampleFormat === "ibm";
  for (let t = 0; t < batch.count; t++) {
    const base = t * stride;
    const trace = firstIndex + t;
    const at = (field: string) => ({ file: path, trace, field });
    if (!hasTracl) view.setInt32(base + TR_SEQ_LINE - 1, trace + 1, false);
    if (!hasTracr) view.setInt32(base + TR_SEQ_FILE - 1, trace + 1, false);
    if (!hasTrid) view.setInt16(base + TR_TRACE_ID - 1, 1, false); // 1: seismic data
    view.setInt16(base + TR_ELEV_SCALAR - 1, encoding.elevationScalar, false);
    view.setInt16(base + TR_SOURCE_GROUP_SCALAR - 1, encoding.coordinateScalar, false);
    view.setInt16(base + TR_DELAY_REC_TIME - 1, encoding.delayMs, false);
    view.setUint16(base + TR_SAMPLE_COUNT - 1, ns, false);
    view.setUint16(base + TR_SAMPLE_INTER - 1, encoding.dtUs, false);
    for (const { name, values } of columns) {
      const field = map[name];
      if (!field) continue;
      let value = values[t];
      if (field.scale === "coordinate") value *= coordinateFactor;
      else if (field.scale === "elevation") value *= elevationFactor;
      setHeaderValue(view, base + field.byte - 1, field.type, value, at(name));
    }
    const sampleBase = base + TRACE_HEADER_BYTES;
    const from = t * ns;
    if (ibm) {
      for (let i = 0; i < ns; i++) {
        view.setUint32(sampleBase + 4 * i, numberToIbm(batch.samples[from + i]), false);
      }
    } else {
      for (let i = 0; i < ns; i++) {
        view.setFloat32(sampleBase + 4 * i, batch.samples[from + i], false);
      }
    }
  }
  return bytes;
}

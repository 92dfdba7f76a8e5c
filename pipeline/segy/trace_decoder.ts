/**
 * Turns raw trace bytes (headers + samples) into columnar TraceBatches:
 * header fields pulled with a DataView per the header map, scalars applied,
 * samples converted to float32.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { newTraceBatch, type TraceBatch } from "./trace_batch.ts";
import {
  COORDINATE_FIELDS,
  DEFAULT_HEADER_MAP,
  HEADER_TYPE_BYTES,
  type HeaderField,
  type HeaderMap,
  type HeaderType,
  TR_ELEV_SCALAR,
  TR_SOURCE_GROUP_SCALAR,
  TRACE_HEADER_BYTES,
} from "./header_map.ts";
import { convertSamples } from "./sample_formats.ts";
import type { SegyInfo } from "./segy_info.ts";

interface CompiledField {
  name: string;
  offset: number;
  type: HeaderType;
  scale?: "coordinate" | "elevation";
}

/**
 * Checks a header map: every byte range inside the 240-byte header, every
 * type known.
 *
 * @param map the map
 * @param file file name for messages
 * @throws PstmError naming the bad field
 * @example
 * ```ts
 * import { validateHeaderMap } from "./trace_decoder.ts";
 * validateHeaderMap({ sx: { byte: 73, type: "i4" } }, "a.sgy");
 * ```
 */
export function validateHeaderMap(map: Readonly<HeaderMap>, file?: string): void {
  for (const [name, field] of Object.entries(map)) {
    const size = HEADER_TYPE_BYTES[field.type];
    if (size === undefined) {
      throw new PstmError(
        `header type "${field.type}" is not one of ${Object.keys(HEADER_TYPE_BYTES).join(", ")}`,
        { file, field: name },
      );
    }
    if (!Number.isInteger(field.byte) || field.byte < 1 || field.byte + size - 1 > 240) {
      throw new PstmError(
        `header bytes ${field.byte}-${
          field.byte + size - 1
        } fall outside the 240-byte trace header`,
        { file, field: name },
      );
    }
  }
}

/**
 * Decodes traces of one file layout into TraceBatches.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { TraceDecoder } from "./trace_decoder.ts";
 * import type { SegyInfo } from "./segy_info.ts";
 * const info = { ns: 2, format: 5, littleEndian: false, traceBytes: 248, dt: 0.004, t0: 0,
 *   path: "x", traceHeaderExtensions: 0 } as SegyInfo;
 * const bytes = new Uint8Array(248);
 * const view = new DataView(bytes.buffer);
 * view.setInt32(72, 1234); // sx
 * view.setFloat32(244, 1.5); // second sample
 * const batch = new TraceDecoder(info).decode(bytes, 0, 1);
 * assert(batch.sx[0] === 1234 && batch.samples[1] === 1.5);
 * ```
 */
export class TraceDecoder {
  readonly #info: SegyInfo;
  readonly #fields: CompiledField[];
  readonly #coordinateScalar: CompiledField;
  readonly #elevationScalar: CompiledField;
  readonly #headerNames: string[];

  /**
   * @param info the file layout
   * @param map header field positions (validated)
   * @param fields names of the fields to put in `headers` (default: all of the map);
   *   sx, sy, gx, gy are always decoded
   */
  constructor(
    info: SegyInfo,
    map: Readonly<HeaderMap> = DEFAULT_HEADER_MAP,
    fields?: readonly string[],
  ) {
    validateHeaderMap(map, info.path);
    this.#info = info;
    const wanted = new Set<string>(fields ?? Object.keys(map));
    for (const name of COORDINATE_FIELDS) wanted.add(name);
    const compiled: CompiledField[] = [];
    for (const name of wanted) {
      const field = map[name];
      if (!field) {
        throw new PstmError(
          `header field "${name}" is not in the header map (known: ${Object.keys(map).join(", ")})`,
          { file: info.path, field: name },
        );
      }
      compiled.push(compile(name, field));
    }
    this.#fields = compiled;
    this.#headerNames = compiled.map((f) => f.name).filter((n) =>
      !(COORDINATE_FIELDS as readonly string[]).includes(n)
    );
    this.#coordinateScalar = compile(
      "scalco",
      map.scalco ?? { byte: TR_SOURCE_GROUP_SCALAR, type: "i2" },
    );
    this.#elevationScalar = compile("scalel", map.scalel ?? { byte: TR_ELEV_SCALAR, type: "i2" });
  }

  /** Names of the fields decoded into `batch.headers`. */
  get headerNames(): readonly string[] {
    return this.#headerNames;
  }

  /**
   * An empty batch with arrays sized for `count` traces.
   *
   * @param firstTrace index of the first trace in the file
   * @param count number of traces
   * @param withSamples whether to allocate samples (else an empty Float32Array)
   * @returns the batch
   */
  allocate(firstTrace: number, count: number, withSamples: boolean): TraceBatch {
    const { ns, dt, t0 } = this.#info;
    return newTraceBatch({
      firstTrace,
      count,
      ns,
      dt,
      t0,
      headers: this.#headerNames,
      withSamples,
    });
  }

  /**
   * Decodes `count` whole traces from `bytes` (starting at `byteOffset`) into
   * `batch` at trace position `index`.
   *
   * @param batch destination (from {@link allocate})
   * @param index first trace position in the batch
   * @param bytes raw trace bytes
   * @param byteOffset offset in `bytes` of the first trace
   * @param count number of traces
   * @param withSamples whether to convert samples too
   */
  decodeInto(
    batch: TraceBatch,
    index: number,
    bytes: Uint8Array,
    byteOffset: number,
    count: number,
    withSamples: boolean,
  ): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const { traceBytes: stride, littleEndian: le, ns, format } = this.#info;
    const scalco = new Float64Array(count);
    const scalel = new Float64Array(count);
    readColumn(view, byteOffset, stride, count, le, this.#coordinateScalar, scalco, 0);
    readColumn(view, byteOffset, stride, count, le, this.#elevationScalar, scalel, 0);
    for (const field of this.#fields) {
      const target = field.name === "sx"
        ? batch.sx
        : field.name === "sy"
        ? batch.sy
        : field.name === "gx"
        ? batch.gx
        : field.name === "gy"
        ? batch.gy
        : batch.headers[field.name];
      readColumn(view, byteOffset, stride, count, le, field, target, index);
      if (field.scale) applyScalars(target, index, field.scale === "coordinate" ? scalco : scalel);
    }
    if (!withSamples) return;
    const headerBytes = TRACE_HEADER_BYTES * (1 + this.#info.traceHeaderExtensions);
    for (let t = 0; t < count; t++) {
      convertSamples(
        view,
        byteOffset + t * stride + headerBytes,
        ns,
        format,
        le,
        batch.samples,
        (index + t) * ns,
      );
    }
  }

  /**
   * Decodes `count` whole traces at the start of `bytes` into a new batch.
   *
   * @param bytes raw trace bytes
   * @param firstTrace index in the file of the first trace
   * @param count number of traces
   * @param withSamples whether to convert samples (default true)
   * @returns the batch
   */
  decode(bytes: Uint8Array, firstTrace: number, count: number, withSamples = true): TraceBatch {
    const batch = this.allocate(firstTrace, count, withSamples);
    this.decodeInto(batch, 0, bytes, 0, count, withSamples);
    return batch;
  }
}

function compile(name: string, field: HeaderField): CompiledField {
  return { name, offset: field.byte - 1, type: field.type, scale: field.scale };
}

function readColumn(
  view: DataView,
  base: number,
  stride: number,
  count: number,
  le: boolean,
  field: CompiledField,
  out: Float64Array,
  index: number,
): void {
  let p = base + field.offset;
  const end = index + count;
  switch (field.type) {
    case "i4":
      for (let i = index; i < end; i++, p += stride) out[i] = view.getInt32(p, le);
      return;
    case "i2":
      for (let i = index; i < end; i++, p += stride) out[i] = view.getInt16(p, le);
      return;
    case "u2":
      for (let i = index; i < end; i++, p += stride) out[i] = view.getUint16(p, le);
      return;
    case "u4":
      for (let i = index; i < end; i++, p += stride) out[i] = view.getUint32(p, le);
      return;
    case "f4":
      for (let i = index; i < end; i++, p += stride) out[i] = view.getFloat32(p, le);
      return;
    case "i1":
      for (let i = index; i < end; i++, p += stride) out[i] = view.getInt8(p);
      return;
    case "u1":
      for (let i = index; i < end; i++, p += stride) out[i] = view.getUint8(p);
      return;
  }
}

function applyScalars(values: Float64Array, index: number, scalars: Float64Array): void {
  for (let t = 0; t < scalars.length; t++) {
    const s = scalars[t];
    if (s < 0) values[index + t] /= -s;
    else if (s > 0) values[index + t] *= s;
  }
}

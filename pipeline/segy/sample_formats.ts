/**
 * SEG-Y sample formats and their conversion to float32. Conversion works on
 * a byte range of one format and byte order, with DataView reads and bit
 * arithmetic (IBM floats), no per-sample allocation.
 *
 * @module
 */

/** One SEG-Y data sample format (binary header bytes 3225-3226). */
export interface SampleFormat {
  /** Format code. */
  code: number;
  /** Human-readable name. */
  name: string;
  /** Bytes per sample. */
  bytes: number;
}

/** The sample formats pstm reads (format 4, fixed point with gain, is obsolete and refused). */
export const SAMPLE_FORMATS: ReadonlyMap<number, SampleFormat> = new Map(
  ([
    [1, "IBM float32", 4],
    [2, "int32", 4],
    [3, "int16", 2],
    [5, "IEEE float32", 4],
    [6, "IEEE float64", 8],
    [7, "int24", 3],
    [8, "int8", 1],
    [9, "int64", 8],
    [10, "uint32", 4],
    [11, "uint16", 2],
    [12, "uint64", 8],
    [15, "uint24", 3],
    [16, "uint8", 1],
  ] as const).map(([code, name, bytes]) => [code, { code, name, bytes }]),
);

/** Format codes defined by SEG-Y rev 2.1 (4 is defined but not supported). */
export const DEFINED_FORMAT_CODES: ReadonlySet<number> = new Set([
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  8,
  9,
  10,
  11,
  12,
  15,
  16,
]);

// 16^(e-64) / 2^24 for the 7-bit IBM exponent e: value = fraction * IBM_SCALE[e].
const IBM_SCALE = new Float64Array(128);
for (let e = 0; e < 128; e++) IBM_SCALE[e] = Math.pow(2, 4 * (e - 64) - 24);

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Converts one IBM System/360 single-precision float (given as its 32 bits)
 * to a JavaScript number.
 *
 * @param bits the 32 bits as an unsigned integer
 * @returns the value
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { ibmToNumber } from "./sample_formats.ts";
 * assert(ibmToNumber(0x41100000) === 1 && ibmToNumber(0xc276a000) === -118.625);
 * ```
 */
export function ibmToNumber(bits: number): number {
  const v = (bits & 0xffffff) * IBM_SCALE[(bits >>> 24) & 0x7f];
  return bits & 0x80000000 ? -v : v;
}

/**
 * Encodes a number as IBM float bits (truncating the fraction); used to
 * write IBM test data.
 *
 * @param value the number
 * @returns the 32 bits as an unsigned integer
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { numberToIbm, ibmToNumber } from "./sample_formats.ts";
 * assert(ibmToNumber(numberToIbm(-118.625)) === -118.625);
 * ```
 */
export function numberToIbm(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return 0;
  const sign = value < 0 ? 0x80000000 : 0;
  let m = Math.abs(value);
  let e = 64;
  while (m >= 1 && e < 127) {
    m /= 16;
    e++;
  }
  while (m < 1 / 16 && e > 0) {
    m *= 16;
    e--;
  }
  const fraction = Math.min(Math.floor(m * 16777216), 0xffffff);
  return (sign | (e << 24) | fraction) >>> 0;
}

/**
 * Converts `count` samples of one format and byte order, starting at
 * `byteOffset` in `view`, into `out` starting at `outOffset`.
 *
 * @param view the bytes
 * @param byteOffset where the first sample starts
 * @param count number of samples
 * @param format SEG-Y format code (see {@link SAMPLE_FORMATS})
 * @param littleEndian byte order of the samples
 * @param out destination
 * @param outOffset index in `out` of the first sample
 * @throws RangeError for a format code not in {@link SAMPLE_FORMATS}
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { convertSamples } from "./sample_formats.ts";
 * const view = new DataView(new Uint8Array([0x41, 0x10, 0, 0, 0, 3]).buffer);
 * const out = new Float32Array(2);
 * convertSamples(view, 0, 1, 1, false, out, 0); // IBM 1.0
 * convertSamples(view, 4, 1, 3, false, out, 1); // int16 3
 * assert(out[0] === 1 && out[1] === 3);
 * ```
 */
export function convertSamples(
  view: DataView,
  byteOffset: number,
  count: number,
  format: number,
  littleEndian: boolean,
  out: Float32Array,
  outOffset: number,
): void {
  const le = littleEndian;
  let p = byteOffset;
  const end = outOffset + count;
  switch (format) {
    case 1:
      for (let i = outOffset; i < end; i++, p += 4) {
        const bits = view.getUint32(p, le);
        const v = (bits & 0xffffff) * IBM_SCALE[(bits >>> 24) & 0x7f];
        out[i] = bits & 0x80000000 ? -v : v;
      }
      return;
    case 2:
      for (let i = outOffset; i < end; i++, p += 4) out[i] = view.getInt32(p, le);
      return;
    case 3:
      for (let i = outOffset; i < end; i++, p += 2) out[i] = view.getInt16(p, le);
      return;
    case 5:
      if (le === HOST_LITTLE_ENDIAN) {
        new Uint8Array(out.buffer, out.byteOffset + outOffset * 4, count * 4).set(
          new Uint8Array(view.buffer, view.byteOffset + byteOffset, count * 4),
        );
        return;
      }
      for (let i = outOffset; i < end; i++, p += 4) out[i] = view.getFloat32(p, le);
      return;
    case 6:
      for (let i = outOffset; i < end; i++, p += 8) out[i] = view.getFloat64(p, le);
      return;
    case 7:
    case 15: {
      const signed = format === 7;
      for (let i = outOffset; i < end; i++, p += 3) {
        const b0 = view.getUint8(p);
        const b1 = view.getUint8(p + 1);
        const b2 = view.getUint8(p + 2);
        let v = le ? (b2 << 16) | (b1 << 8) | b0 : (b0 << 16) | (b1 << 8) | b2;
        if (signed && v & 0x800000) v -= 0x1000000;
        out[i] = v;
      }
      return;
    }
    case 8:
      for (let i = outOffset; i < end; i++, p++) out[i] = view.getInt8(p);
      return;
    case 9:
    case 12: {
      const hiOffset = le ? 4 : 0;
      const loOffset = le ? 0 : 4;
      for (let i = outOffset; i < end; i++, p += 8) {
        const hi = format === 9
          ? view.getInt32(p + hiOffset, le)
          : view.getUint32(p + hiOffset, le);
        out[i] = hi * 4294967296 + view.getUint32(p + loOffset, le);
      }
      return;
    }
    case 10:
      for (let i = outOffset; i < end; i++, p += 4) out[i] = view.getUint32(p, le);
      return;
    case 11:
      for (let i = outOffset; i < end; i++, p += 2) out[i] = view.getUint16(p, le);
      return;
    case 16:
      for (let i = outOffset; i < end; i++, p++) out[i] = view.getUint8(p);
      return;
    default:
      throw new RangeError(`Cannot convert samples as format ${format} is not supported`);
  }
}

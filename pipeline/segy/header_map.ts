/**
 * Trace-header byte positions, named once (as in segyio), and the
 * user-overridable header map that says which field is read from which
 * bytes with which type.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";

/** Size of a standard SEG-Y trace header, bytes. */
export const TRACE_HEADER_BYTES = 240;

/** Trace sequence number within line (1-based byte position). */
export const TR_SEQ_LINE = 1;
/** Trace sequence number within file. */
export const TR_SEQ_FILE = 5;
/** Original field record number. */
export const TR_FIELD_RECORD = 9;
/** Trace number within the field record. */
export const TR_NUMBER_ORIG_FIELD = 13;
/** Energy source point number. */
export const TR_ENERGY_SOURCE_POINT = 17;
/** Ensemble (CDP) number. */
export const TR_ENSEMBLE = 21;
/** Trace number within the ensemble. */
export const TR_NUM_IN_ENSEMBLE = 25;
/** Trace identification code. */
export const TR_TRACE_ID = 29;
/** Source-receiver offset. */
export const TR_OFFSET = 37;
/** Receiver group elevation. */
export const TR_RECV_GROUP_ELEV = 41;
/** Surface elevation at source. */
export const TR_SOURCE_SURF_ELEV = 45;
/** Scalar applied to elevations and depths (bytes 41-68). */
export const TR_ELEV_SCALAR = 69;
/** Scalar applied to coordinates (bytes 73-88, 181-188). */
export const TR_SOURCE_GROUP_SCALAR = 71;
/** Source X. */
export const TR_SOURCE_X = 73;
/** Source Y. */
export const TR_SOURCE_Y = 77;
/** Group (receiver) X. */
export const TR_GROUP_X = 81;
/** Group (receiver) Y. */
export const TR_GROUP_Y = 85;
/** Coordinate units. */
export const TR_COORD_UNITS = 89;
/** Delay recording time, ms. */
export const TR_DELAY_REC_TIME = 109;
/** Mute time, start, ms (int16). */
export const TR_MUTE_START = 111;
/** Mute time, end, ms (int16). */
export const TR_MUTE_END = 113;
/**
 * Source-receiver azimuth of an output class, whole degrees clockwise from north (int32 in the
 * bytes SEG-Y rev 1 leaves unassigned; pstm writes it with --azimuth-sectors).
 */
export const TR_AZIMUTH = 233;
/** Number of samples in this trace. */
export const TR_SAMPLE_COUNT = 115;
/** Sample interval of this trace, microseconds. */
export const TR_SAMPLE_INTER = 117;
/** CDP X. */
export const TR_CDP_X = 181;
/** CDP Y. */
export const TR_CDP_Y = 185;
/** Inline number (3-D). */
export const TR_INLINE = 189;
/** Crossline number (3-D). */
export const TR_CROSSLINE = 193;
/** Scalar applied to the times in bytes 95-114. */
export const TR_TIME_SCALAR = 215;

/** A header value type: signed/unsigned integers of 1, 2, 4 bytes, or IEEE float32. */
export type HeaderType = "i1" | "u1" | "i2" | "u2" | "i4" | "u4" | "f4";

/** Byte size of each header type. */
export const HEADER_TYPE_BYTES: Readonly<Record<HeaderType, number>> = {
  i1: 1,
  u1: 1,
  i2: 2,
  u2: 2,
  i4: 4,
  u4: 4,
  f4: 4,
};

/**
 * Which scalar is applied to a field when read (and inverted when written):
 * "coordinate" uses bytes 71-72, "elevation" bytes 69-70. A negative scalar
 * divides, a positive one multiplies, 0 means 1.
 */
export type HeaderScale = "coordinate" | "elevation";

/** Where one trace-header field lives. */
export interface HeaderField {
  /** 1-based byte position in the 240-byte trace header. */
  byte: number;
  /** Value type (stored in the file's byte order). */
  type: HeaderType;
  /** Scalar applied on read, if any. */
  scale?: HeaderScale;
}

/** Field name -> position and type. */
export type HeaderMap = Record<string, HeaderField>;

/**
 * The default trace-header map (SEG-Y rev 1 positions, Seismic Unix names).
 * `sx`, `sy`, `gx`, `gy`, `cdpx`, `cdpy` get the coordinate scalar,
 * `gelev`, `selev` the elevation scalar; `offset` stays as stored.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { DEFAULT_HEADER_MAP } from "./header_map.ts";
 * assert.equal(DEFAULT_HEADER_MAP.sx.byte, 73);
 * assert.equal(DEFAULT_HEADER_MAP.sx.scale, "coordinate");
 * ```
 */
export const DEFAULT_HEADER_MAP: Readonly<HeaderMap> = Object.freeze(
  {
    tracl: { byte: TR_SEQ_LINE, type: "i4" },
    tracr: { byte: TR_SEQ_FILE, type: "i4" },
    fldr: { byte: TR_FIELD_RECORD, type: "i4" },
    tracf: { byte: TR_NUMBER_ORIG_FIELD, type: "i4" },
    ep: { byte: TR_ENERGY_SOURCE_POINT, type: "i4" },
    cdp: { byte: TR_ENSEMBLE, type: "i4" },
    cdpt: { byte: TR_NUM_IN_ENSEMBLE, type: "i4" },
    trid: { byte: TR_TRACE_ID, type: "i2" },
    offset: { byte: TR_OFFSET, type: "i4" },
    gelev: { byte: TR_RECV_GROUP_ELEV, type: "i4", scale: "elevation" },
    selev: { byte: TR_SOURCE_SURF_ELEV, type: "i4", scale: "elevation" },
    scalel: { byte: TR_ELEV_SCALAR, type: "i2" },
    scalco: { byte: TR_SOURCE_GROUP_SCALAR, type: "i2" },
    sx: { byte: TR_SOURCE_X, type: "i4", scale: "coordinate" },
    sy: { byte: TR_SOURCE_Y, type: "i4", scale: "coordinate" },
    gx: { byte: TR_GROUP_X, type: "i4", scale: "coordinate" },
    gy: { byte: TR_GROUP_Y, type: "i4", scale: "coordinate" },
    counit: { byte: TR_COORD_UNITS, type: "i2" },
    delrt: { byte: TR_DELAY_REC_TIME, type: "i2" },
    muts: { byte: TR_MUTE_START, type: "i2" },
    mute: { byte: TR_MUTE_END, type: "i2" },
    azim: { byte: TR_AZIMUTH, type: "i4" },
    ns: { byte: TR_SAMPLE_COUNT, type: "u2" },
    dt: { byte: TR_SAMPLE_INTER, type: "u2" },
    cdpx: { byte: TR_CDP_X, type: "i4", scale: "coordinate" },
    cdpy: { byte: TR_CDP_Y, type: "i4", scale: "coordinate" },
    inline: { byte: TR_INLINE, type: "i4" },
    crossline: { byte: TR_CROSSLINE, type: "i4" },
    scalet: { byte: TR_TIME_SCALAR, type: "i2" },
  } satisfies HeaderMap,
);

/** segyio's (and other common) names of header fields, as names of {@link DEFAULT_HEADER_MAP}. */
export const HEADER_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  iline: "inline",
  xline: "crossline",
  inline_3d: "inline",
  crossline_3d: "crossline",
  cdp_x: "cdpx",
  cdp_y: "cdpy",
  sourcex: "sx",
  sourcey: "sy",
  groupx: "gx",
  groupy: "gy",
  source_x: "sx",
  source_y: "sy",
  group_x: "gx",
  group_y: "gy",
  sourcegroupscalar: "scalco",
});

/** The fields every TraceBatch carries in dedicated arrays rather than in `headers`. */
export const COORDINATE_FIELDS = ["sx", "sy", "gx", "gy"] as const;

/**
 * Parses a `NAME=BYTE:TYPE` override of a field of the default map (TYPE
 * may be left out: the field keeps its type). NAME may also be one of
 * segyio's names ({@link HEADER_ALIASES}: iline, xline, cdp_x, cdp_y, ...);
 * any other name is refused, listing the known ones.
 *
 * @param spec the text, e.g. "sx=73:i4" or "inline=9:i4"
 * @returns the field name and its position
 * @throws PstmError when the text is malformed, the name unknown or the bytes fall outside the
 *   240-byte header
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseHeaderOverride } from "./header_map.ts";
 * const { name, field } = parseHeaderOverride("inline=9:i4");
 * assert(name === "inline" && field.byte === 9 && field.type === "i4");
 * ```
 */
export function parseHeaderOverride(spec: string): { name: string; field: HeaderField } {
  const where = { field: "--header" };
  const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([0-9]+)\s*(?::\s*([a-z0-9]+))?\s*$/.exec(spec);
  if (!match) {
    throw new PstmError(
      `header override "${spec}" is not NAME=BYTE:TYPE (for example sx=73:i4; types ` +
        `${Object.keys(HEADER_TYPE_BYTES).join(", ")})`,
      where,
    );
  }
  const [, given, byteText, typeText] = match;
  const name = HEADER_ALIASES[given.toLowerCase()] ?? given;
  const known = DEFAULT_HEADER_MAP[name];
  if (!known) {
    throw new PstmError(
      `header override "${spec}": "${given}" is not a header pstm reads; known names: ` +
        `${Object.keys(DEFAULT_HEADER_MAP).join(", ")} (segyio's ` +
        `${Object.keys(HEADER_ALIASES).join(", ")} are accepted too)`,
      where,
    );
  }
  const type = (typeText ?? known?.type ?? "i4") as HeaderType;
  if (!(type in HEADER_TYPE_BYTES)) {
    throw new PstmError(
      `header override "${spec}": type "${typeText}" is not one of ` +
        Object.keys(HEADER_TYPE_BYTES).join(", "),
      where,
    );
  }
  const byte = Number(byteText);
  const size = HEADER_TYPE_BYTES[type];
  if (byte < 1 || byte + size - 1 > TRACE_HEADER_BYTES) {
    throw new PstmError(
      `header override "${spec}": bytes ${byte}-${byte + size - 1} fall outside the ` +
        `${TRACE_HEADER_BYTES}-byte trace header (expected 1 <= BYTE <= ${
          TRACE_HEADER_BYTES - size + 1
        } for ${type})`,
      where,
    );
  }
  const field: HeaderField = { byte, type };
  if (known?.scale) field.scale = known.scale;
  return { name, field };
}

/**
 * The default map with overrides applied (each `NAME=BYTE:TYPE` replaces or
 * adds one field).
 *
 * @param overrides override texts, see {@link parseHeaderOverride}
 * @param base the map to start from
 * @returns a new map
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { headerMapWith } from "./header_map.ts";
 * const map = headerMapWith(["cdpx=73:i4"]);
 * assert(map.cdpx.byte === 73 && map.cdpx.scale === "coordinate");
 * ```
 */
export function headerMapWith(
  overrides: readonly string[],
  base: Readonly<HeaderMap> = DEFAULT_HEADER_MAP,
): HeaderMap {
  const map: HeaderMap = { ...base };
  for (const text of overrides) {
    const { name, field } = parseHeaderOverride(text);
    map[name] = field;
  }
  return map;
}

/**
 * Applies a header scalar to a stored value: a negative scalar divides, a
 * positive one multiplies, zero means one (SEG-Y rev 1, bytes 69-72).
 *
 * @param value the stored integer
 * @param scalar the stored scalar (bytes 69-70 or 71-72)
 * @returns the scaled value
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { applyScalar } from "./header_map.ts";
 * assert(applyScalar(12345, -100) === 123.45 && applyScalar(7, 10) === 70);
 * assert(applyScalar(7, 0) === 7);
 * ```
 */
export function applyScalar(value: number, scalar: number): number {
  if (scalar === 0) return value;
  return scalar < 0 ? value / -scalar : value * scalar;
}

/**
 * Offset classes: class = floor((|offset| - first) / width), classes 0..count-1. Each class
 * is one output volume; together they form common-image gathers and the stack is their sum.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";

/** Offset classes `first`, `first + width`, ... (`count` of them), offsets in metres. */
export interface OffsetClasses {
  /** Smallest absolute offset of class 0, m (>= 0). */
  first: number;
  /** Width of each class, m (> 0; Infinity for the single default class). */
  width: number;
  /** Number of classes (>= 1). */
  count: number;
  /**
   * Azimuth sectors splitting each offset class (`--azimuth-sectors`): output class
   * offsetClass * nsectors + sector. Absent: one sector.
   */
  sectors?: AzimuthSectors;
}

/** Largest number of offset classes accepted. */
export const MAX_OFFSET_CLASSES = 100_000;

/**
 * The classes used when none are given: one class holding every offset (the stack), whose
 * representative offset is 0.
 *
 * @returns `{ first: 0, width: Infinity, count: 1 }`
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { defaultOffsetClasses, offsetClassOf } from "./offset_classes.ts";
 * assert(offsetClassOf(12345, defaultOffsetClasses()) === 0);
 * ```
 */
export function defaultOffsetClasses(): OffsetClasses {
  return { first: 0, width: Infinity, count: 1 };
}

/**
 * Parses `--offset-classes FIRST:WIDTH:COUNT` (metres, metres, integer).
 *
 * @param text the flag value, e.g. "0:200:16"
 * @param field the flag or config field named in errors
 * @returns the classes
 * @throws PstmError when FIRST < 0, WIDTH <= 0 or COUNT is not a positive integer
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseOffsetClasses } from "./offset_classes.ts";
 * const c = parseOffsetClasses("100:200:8");
 * assert(c.first === 100 && c.width === 200 && c.count === 8);
 * ```
 */
export function parseOffsetClasses(text: string, field = "--offset-classes"): OffsetClasses {
  const parts = text.split(":").map((s) => s.trim());
  if (parts.length !== 3) {
    throw new PstmError(
      `expected FIRST:WIDTH:COUNT (e.g. 0:200:16; metres, metres, classes), got "${text}"`,
      { field },
    );
  }
  const [first, width, count] = parts.map((s, i) => {
    const value = Number(s);
    if (s === "" || !Number.isFinite(value)) {
      throw new PstmError(`expected a finite number, got "${s}"`, {
        field: `${field} ${["FIRST", "WIDTH", "COUNT"][i]}`,
      });
    }
    return value;
  });
  return checkOffsetClasses({ first, width, count }, field);
}

/**
 * Checks offset classes (from a flag or a config file).
 *
 * @param classes the classes
 * @param field the flag or config field named in errors
 * @returns the same classes
 * @throws PstmError naming the field and what was expected
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkOffsetClasses } from "./offset_classes.ts";
 * assert(checkOffsetClasses({ first: 0, width: 50, count: 4 }).count === 4);
 * ```
 */
export function checkOffsetClasses(
  classes: OffsetClasses,
  field = "offset classes",
): OffsetClasses {
  const { first, width, count } = classes;
  if (!(Number.isFinite(first) && first >= 0)) {
    throw new PstmError(`FIRST must be an offset >= 0 m, got ${first}`, {
      field: `${field} FIRST`,
    });
  }
  if (!(width > 0) || Number.isNaN(width) || (width === Infinity && count !== 1)) {
    throw new PstmError(`WIDTH must be a class width > 0 m, got ${width}`, {
      field: `${field} WIDTH`,
    });
  }
  if (!(Number.isInteger(count) && count >= 1 && count <= MAX_OFFSET_CLASSES)) {
    throw new PstmError(`COUNT must be an integer in 1..${MAX_OFFSET_CLASSES}, got ${count}`, {
      field: `${field} COUNT`,
    });
  }
  return { first, width, count };
}

/**
 * The class of an offset: floor((|offset| - first) / width), or -1 outside 0..count-1 (and
 * for a non-finite offset).
 *
 * @param offset source-receiver offset, m (its sign is ignored)
 * @param classes the classes
 * @returns the class index or -1
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { offsetClassOf } from "./offset_classes.ts";
 * const c = { first: 100, width: 200, count: 2 };
 * assert(offsetClassOf(-350, c) === 1 && offsetClassOf(50, c) === -1);
 * ```
 */
export function offsetClassOf(offset: number, classes: OffsetClasses): number {
  const rel = Math.abs(offset) - classes.first;
  if (!(rel >= 0) || !Number.isFinite(rel)) return -1; // below the first class, or NaN
  const cls = Math.floor(rel / classes.width);
  return cls < classes.count ? cls : -1;
}

/**
 * Classes of a batch of offsets, into `out` (allocation-free when `out` is given).
 *
 * @param offsets offsets, m
 * @param classes the classes
 * @param out where to write; a new Int32Array by default
 * @returns `out`, `offsetClassOf` of each offset
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { offsetClassesOf } from "./offset_classes.ts";
 * const out = offsetClassesOf(new Float64Array([10, 60, 500]), { first: 0, width: 50, count: 4 });
 * assert(out.join() === "0,1,-1");
 * ```
 */
export function offsetClassesOf(
  offsets: ArrayLike<number>,
  classes: OffsetClasses,
  out: Int32Array = new Int32Array(offsets.length),
): Int32Array {
  for (let i = 0; i < offsets.length; i++) out[i] = offsetClassOf(offsets[i], classes);
  return out;
}

/**
 * The representative offset of a class (its centre, first + (c + 0.5)*width), written to the
 * output trace header bytes 37-40; 0 for the single default class of infinite width.
 *
 * @param cls class index, 0..count-1
 * @param classes the classes
 * @returns the offset, m
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { classOffset } from "./offset_classes.ts";
 * assert(classOffset(1, { first: 100, width: 200, count: 4 }) === 400);
 * ```
 */
export function classOffset(cls: number, classes: OffsetClasses): number {
  if (classes.width === Infinity) return classes.first;
  return classes.first + (cls + 0.5) * classes.width;
}

/** Most classes {@link suggestOffsetClasses} proposes (each class is one output volume). */
export const MAX_SUGGESTED_OFFSET_CLASSES = 32;

/** Most distinct offsets (rounded to 0.1 m) for the offsets to count as regularly spaced. */
const MAX_REGULAR_OFFSETS = 1000;

/**
 * Offset classes for a survey's offset distribution, as `pstm scan` suggests them.
 *
 * The number of classes follows the mean fold (each class should keep about one trace per
 * bin), at most {@link MAX_SUGGESTED_OFFSET_CLASSES}. When the offsets take a few regularly
 * spaced values (a marine streamer, an orthogonal land template: at most 1000 distinct values
 * to 0.1 m), the class width is a whole number of offset increments and the class edges lie
 * half an increment below each offset, so no offset sits on an edge and each class centre is
 * the mean of the offsets it holds. Otherwise the width is a round number (1, 2, 2.5 or 5
 * times a power of ten) and the first edge a multiple of it. The last class holds the
 * largest offset. A single offset value gets one class centred on it.
 *
 * @param offsets absolute offsets, m (signs are ignored; non-finite values skipped)
 * @param meanFold traces per live bin of the output grid (the scan's fold mean)
 * @returns classes covering every offset
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { suggestOffsetClasses } from "./offset_classes.ts";
 * // a streamer: offsets 300, 325, ..., 1275 m, fold 20 per bin
 * const offsets = Array.from({ length: 40 }, (_, k) => 300 + 25 * k);
 * assert.deepEqual(suggestOffsetClasses(offsets, 20), { first: 287.5, width: 50, count: 20 });
 * ```
 */
export function suggestOffsetClasses(offsets: ArrayLike<number>, meanFold: number): OffsetClasses {
  let min = Infinity, max = -Infinity;
  const distinct = new Set<number>();
  for (let i = 0; i < offsets.length; i++) {
    const o = Math.abs(offsets[i]);
    if (!Number.isFinite(o)) continue;
    if (o < min) min = o;
    if (o > max) max = o;
    if (distinct.size <= MAX_REGULAR_OFFSETS) distinct.add(Math.round(o * 10) / 10);
  }
  if (!Number.isFinite(min)) return { first: 0, width: 1, count: 1 };
  if (max - min < 0.05) {
    return min > 0 ? { first: 0, width: 2 * min, count: 1 } : { first: 0, width: 1, count: 1 };
  }
  const target = Math.max(1, Math.min(MAX_SUGGESTED_OFFSET_CLASSES, Math.round(meanFold)));
  const inc = distinct.size <= MAX_REGULAR_OFFSETS ? medianGap([...distinct]) : 0;
  let first: number, width: number;
  if (inc > 0) {
    const steps = Math.round((max - min) / inc) + 1; // offset values spanned
    width = Math.max(1, Math.round(steps / target)) * inc;
    first = Math.max(0, min - inc / 2);
  } else {
    width = roundNumber((max - min) / target);
    first = Math.floor(min / width) * width;
  }
  const count = Math.min(MAX_OFFSET_CLASSES, Math.floor((max - first) / width) + 1);
  return { first, width, count };
}

/** Median gap between sorted distinct values (the offset increment); 0 for fewer than 2. */
function medianGap(values: number[]): number {
  values.sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < values.length; i++) gaps.push(values[i] - values[i - 1]);
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return Math.round(gaps[Math.floor(gaps.length / 2)] * 10) / 10;
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten that is >= value (value > 0). */
function roundNumber(value: number): number {
  const p = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= value * (1 - 1e-9)) return m * p;
  return 10 * p;
}

/**
 * The `--offset-classes` value for classes (FIRST:WIDTH:COUNT).
 *
 * @param classes the classes
 * @returns e.g. "287.5:50:20"
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { formatOffsetClasses, parseOffsetClasses } from "./offset_classes.ts";
 * assert.equal(formatOffsetClasses(parseOffsetClasses("287.5:50:20")), "287.5:50:20");
 * ```
 */
export function formatOffsetClasses(classes: OffsetClasses): string {
  return `${classes.first}:${classes.width}:${classes.count}`;
}

/**
 * Source-receiver azimuth sectors: edges in degrees, ascending, spanning part or all of
 * 0..180 (azimuth measured clockwise from north, +y, folded onto 0..180 since a trace and its
 * reciprocal image alike). Sector s holds azimuths in [edges[s], edges[s + 1]).
 */
export interface AzimuthSectors {
  /** Sector edges, degrees, strictly increasing within 0..180 (at least two). */
  edges: number[];
}

/** Largest number of azimuth sectors accepted. */
export const MAX_AZIMUTH_SECTORS = 360;

/**
 * Parses `--azimuth-sectors`: a count N (N equal sectors over 0..180) or explicit edges
 * "E0,E1,...,EN" in degrees.
 *
 * @param text the flag value, e.g. "4" or "0,30,90,150,180"
 * @param field the flag or job key named in errors
 * @returns the sectors
 * @throws PstmError (exit 2) naming the field for a count of 0, a non-integer, edges that do
 *   not increase or leave 0..180
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseAzimuthSectors } from "./offset_classes.ts";
 * assert.deepEqual(parseAzimuthSectors("4").edges, [0, 45, 90, 135, 180]);
 * assert.deepEqual(parseAzimuthSectors("0,60,180").edges, [0, 60, 180]);
 * assert.throws(() => parseAzimuthSectors("0"), /at least 1/);
 * ```
 */
export function parseAzimuthSectors(text: string, field = "--azimuth-sectors"): AzimuthSectors {
  const parts = text.split(",").map((s) => s.trim());
  const values = parts.map(Number);
  if (parts.some((p) => p === "") || values.some((v) => !Number.isFinite(v))) {
    throw new PstmError(
      `expected a sector count N or edges E0,E1,...,EN in degrees (0..180), got "${text}"`,
      { field },
    );
  }
  if (values.length === 1) {
    const n = values[0];
    if (!(Number.isInteger(n) && n >= 1 && n <= MAX_AZIMUTH_SECTORS)) {
      throw new PstmError(
        `the sector count must be an integer of at least 1 (at most ${MAX_AZIMUTH_SECTORS}), ` +
          `got ${text}`,
        { field },
      );
    }
    return { edges: Array.from({ length: n + 1 }, (_, k) => (180 * k) / n) };
  }
  for (let k = 0; k < values.length; k++) {
    if (values[k] < 0 || values[k] > 180) {
      throw new PstmError(`edges must lie in 0..180 degrees, got ${values[k]}`, { field });
    }
    if (k > 0 && !(values[k] > values[k - 1])) {
      throw new PstmError(`edges must increase: ${values[k]} after ${values[k - 1]}`, { field });
    }
  }
  if (values.length - 1 > MAX_AZIMUTH_SECTORS) {
    throw new PstmError(`at most ${MAX_AZIMUTH_SECTORS} sectors, got ${values.length - 1}`, {
      field,
    });
  }
  return { edges: values };
}

/**
 * The source-receiver azimuth of a trace, degrees clockwise from north (+y) folded onto
 * [0, 180).
 *
 * @param sx source x
 * @param sy source y
 * @param gx receiver x
 * @param gy receiver y
 * @returns the azimuth, degrees in [0, 180) (0 for zero offset)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { traceAzimuth } from "./offset_classes.ts";
 * assert.equal(traceAzimuth(0, 0, 100, 0), 90); // receiver east of the source
 * assert.equal(traceAzimuth(0, 0, 0, -100), 0); // south is north folded
 * ```
 */
export function traceAzimuth(sx: number, sy: number, gx: number, gy: number): number {
  let az = (Math.atan2(gx - sx, gy - sy) * 180) / Math.PI;
  if (az < 0) az += 180;
  if (az >= 180) az -= 180;
  return az;
}

/**
 * The sector of an azimuth (degrees in [0, 180)), or -1 outside the edges.
 *
 * @param azimuth degrees
 * @param sectors the sectors
 * @returns the sector index or -1
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { sectorOf } from "./offset_classes.ts";
 * const s = { edges: [0, 60, 120, 180] };
 * assert.equal(sectorOf(90, s), 1);
 * assert.equal(sectorOf(179.9, s), 2);
 * ```
 */
export function sectorOf(azimuth: number, sectors: AzimuthSectors): number {
  const e = sectors.edges;
  if (!(azimuth >= e[0] && azimuth < e[e.length - 1])) return -1;
  let s = 0;
  while (azimuth >= e[s + 1]) s++;
  return s;
}

/**
 * The output class of a trace: offsetClass * nsectors + sector (-1 when either is out), so
 * the gathers run over offset classes, each split into azimuth sectors.
 *
 * @param offset source-receiver offset, m
 * @param azimuth source-receiver azimuth, degrees in [0, 180)
 * @param classes the offset classes and their azimuth sectors (none: one sector)
 * @returns the class index or -1
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { traceClassOf } from "./offset_classes.ts";
 * const classes = { first: 0, width: 100, count: 2 };
 * assert.equal(traceClassOf(150, 100, { ...classes, sectors: { edges: [0, 90, 180] } }), 3);
 * assert.equal(traceClassOf(150, 100, classes), 1);
 * ```
 */
export function traceClassOf(offset: number, azimuth: number, classes: OffsetClasses): number {
  const sectors = classes.sectors;
  const c = offsetClassOf(offset, classes);
  if (c < 0 || !sectors) return c;
  const s = sectorOf(azimuth, sectors);
  return s < 0 ? -1 : c * (sectors.edges.length - 1) + s;
}

/**
 * Number of output classes: offset classes times azimuth sectors.
 *
 * @param classes the offset classes and their azimuth sectors (none: one)
 * @returns the count
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { outputClassCount } from "./offset_classes.ts";
 * const sectors = { edges: [0, 90, 180] };
 * assert.equal(outputClassCount({ count: 3, sectors }), 6);
 * ```
 */
export function outputClassCount(classes: Pick<OffsetClasses, "count" | "sectors">): number {
  return classes.count * (classes.sectors ? classes.sectors.edges.length - 1 : 1);
}

/**
 * The offset class and azimuth sector of an output class.
 *
 * @param cls output class, 0..outputClassCount - 1
 * @param classes the offset classes and sectors
 * @returns the representative offset (class centre, m) and azimuth (sector centre, degrees;
 *   undefined without sectors)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { outputClassOffsetAzimuth } from "./offset_classes.ts";
 * const classes = { first: 0, width: 100, count: 2, sectors: { edges: [0, 90, 180] } };
 * assert.deepEqual(outputClassOffsetAzimuth(3, classes), { offset: 150, azimuth: 135 });
 * ```
 */
export function outputClassOffsetAzimuth(
  cls: number,
  classes: OffsetClasses,
): { offset: number; azimuth?: number } {
  const e = classes.sectors?.edges;
  if (!e) return { offset: classOffset(cls, classes) };
  const n = e.length - 1, s = cls % n;
  return { offset: classOffset(Math.floor(cls / n), classes), azimuth: 0.5 * (e[s] + e[s + 1]) };
}

/**
 * `pstm scan`: a header-only pass over a SEG-Y file that summarises its
 * layout and geometry and suggests an output grid.
 *
 * @module
 */

import { describeUnits, type SurveyUnits, surveyUnits } from "../segy/units.ts";
import type { GridSpec } from "./grid.ts";
import { SpacingMeter, type SurveySpacing } from "./trace_spacing.ts";
import { formatOffsetClasses, type OffsetClasses, suggestOffsetClasses } from "./offset_classes.ts";
import type { SegyFile } from "../segy/segy_file.ts";
import type { SegyInfo } from "../segy/segy_info.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/** A numeric range. */
export interface Extent {
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
}

/** A rectangle in x and y. */
export interface XYExtent {
  /** Range of x (easting). */
  x: Extent;
  /** Range of y (northing). */
  y: Extent;
}

/**
 * A regular output grid. Bin (ix, iy) has its centre at
 * `(x0, y0) + ix * dx * (cos a, sin a) + iy * dy * (-sin a, cos a)` where
 * `a = azimuthDeg` is measured in degrees counter-clockwise from the +x
 * (east) axis to the inline axis, i.e. the direction along which `ix` grows
 * (along an inline: the crossline number changes with `ix`). `iy` grows
 * 90 degrees counter-clockwise from it (inline number changes with `iy`).
 * (x0, y0) is the centre of bin (0, 0). When the headers carry inline and
 * crossline numbers, bin (ix, iy) is crossline `crossline0 + ix *
 * crosslineStep` of inline `inline0 + iy * inlineStep`.
 */
export interface SuggestedGrid extends GridSpec {
  /** How the grid was found: "inline/crossline headers" or "principal axes of midpoints". */
  method: string;
}

/** Result of {@link scanSegy}; JSON-friendly (plain numbers and arrays). */
export interface ScanSummary {
  /** File path. */
  path: string;
  /** "segy" or "su". */
  kind: string;
  /** SEG-Y revision. */
  revision: number;
  /** Sample format code. */
  format: number;
  /** Sample format name. */
  formatName: string;
  /** "big-endian" or "little-endian". */
  byteOrder: string;
  /**
   * The survey's units from the binary header's measurement system: coordinates, offsets and
   * the grid below are in `length`, velocities for it in `velocity`. Absent: metres.
   */
  units?: SurveyUnits;
  /** Number of traces. */
  traces: number;
  /** Samples per trace. */
  samples: number;
  /** Sample interval, seconds. */
  dt: number;
  /** Time of the first sample, seconds. */
  t0: number;
  /** Trace-header ns (115-116) against the file's ns. */
  traceLength: { consistent: boolean; mismatches: number; firstMismatch?: number };
  /** Source coordinates. */
  source: XYExtent;
  /** Receiver coordinates. */
  receiver: XYExtent;
  /**
   * Midpoints: (source + receiver) / 2 when both are present, else CDP X/Y,
   * else the one position the file carries (post-stack files).
   */
  midpoint: XYExtent & { from: "source/receiver" | "cdpx/cdpy" | "source" | "receiver" };
  /**
   * Absolute offsets (header 37, or from coordinates when that is all zero), a histogram
   * (bin k spans `start + k * width` to `start + (k + 1) * width`; `centres[k]` is its middle)
   * and suggested offset classes (`--offset-classes FIRST:WIDTH:COUNT`).
   */
  offset: {
    from: "header" | "coordinates";
    min: number;
    max: number;
    histogram: { start: number; width: number; centres: number[]; counts: number[] };
    suggestedClasses: OffsetClasses;
  };
  /** Inline numbers (header bytes per the map), when they vary or are non-zero. */
  inline?: Extent;
  /** Crossline numbers, when present. */
  crossline?: Extent;
  /** Traces per bin of the suggested grid (over live bins for min/mean). */
  fold: { min: number; mean: number; max: number; liveBins: number; totalBins: number };
  /** Suggested output grid. */
  grid: SuggestedGrid;
  /**
   * The survey's trace spacing along the suggested grid's axes (the antialiasing spacing
   * `pstm migrate` uses by default) and whether it is a 2-D line.
   */
  traceSpacing: SurveySpacing;
  /** Reader and scan warnings. */
  warnings: string[];
  /** Traces per bin, `[iy * nx + ix]`, when asked for with `keepFoldMap`. */
  foldCounts?: Uint32Array;
}

/** Options for {@link scanSegy}. */
export interface ScanOptions {
  /** Traces per header batch (default 65536). */
  batchSize?: number;
  /** Number of offset histogram bins (default 16). */
  offsetBins?: number;
  /** Force the grid spacing instead of estimating it. */
  spacing?: { dx: number; dy: number };
  /** Largest number of grid bins for the fold count (default 50,000,000). */
  maxBins?: number;
  /** Keep the fold of every bin in `foldCounts` (for `pstm scan --plot`). */
  keepFoldMap?: boolean;
}

const FIELDS = ["offset", "ns", "cdpx", "cdpy", "inline", "crossline"];

class Range {
  min = Infinity;
  max = -Infinity;
  add(v: number) {
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
  get(): Extent {
    return Number.isFinite(this.min) ? { min: this.min, max: this.max } : { min: 0, max: 0 };
  }
}

/**
 * Scans the trace headers of a file (no samples) in large batches.
 *
 * @param file the open file
 * @param options batch size, histogram bins, forced spacing
 * @returns the summary
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyFile } from "../segy/segy_file.ts";
 * import { scanSegy } from "./scan.ts";
 * const url = new URL("../../../shared/data/segy/f3.sgy", import.meta.url);
 * using file = await SegyFile.open(url.pathname);
 * const summary = await scanSegy(file);
 * assert(summary.traces === 414 && summary.grid.nx * summary.grid.ny === 414);
 * ```
 */
export async function scanSegy(file: SegyFile, options: ScanOptions = {}): Promise<ScanSummary> {
  const info = file.info;
  const batchSize = options.batchSize ?? 65536;
  const n = info.traceCount;
  async function* batches() {
    let batch: TraceBatch | undefined; // the accumulator copies what it keeps: reuse one
    for (let first = 0; first < n; first += batchSize) {
      batch = await file.readHeaders(first, Math.min(batchSize, n - first), FIELDS, batch);
      yield batch;
    }
  }
  return await scanBatches(info, batches(), options);
}

/**
 * Scans batches from any source (e.g. a SegyTraceStream on stdin); the
 * batches must carry the header fields offset, ns, cdpx, cdpy, inline and
 * crossline.
 *
 * @param info the file's info (traceCount may be -1 for a stream), or a promise of it
 *   (e.g. `SegyTraceStream.info`, which resolves once the batches start flowing)
 * @param batches the trace batches in file order
 * @param options histogram bins, forced spacing
 * @returns the summary
 */
export async function scanBatches(
  info: SegyInfo | Promise<SegyInfo>,
  batches: AsyncIterable<TraceBatch>,
  options: ScanOptions = {},
): Promise<ScanSummary> {
  let acc: Accumulator | undefined;
  for await (const batch of batches) {
    if (!acc) {
      const known = await info;
      acc = new Accumulator(Math.max(known.traceCount, 1024), known.ns);
    }
    acc.add(batch);
  }
  const known = await info;
  acc ??= new Accumulator(1, known.ns);
  return summarise({ ...known, traceCount: acc.count }, acc, options);
}

/** Per-trace values kept for the second (in-memory) pass, plus running sums. */
class Accumulator {
  readonly sx = new Range();
  readonly sy = new Range();
  readonly gx = new Range();
  readonly gy = new Range();
  readonly il = new Range();
  readonly xl = new Range();
  mx: Float64Array;
  my: Float64Array;
  cx: Float64Array;
  cy: Float64Array;
  headerOffset: Float64Array;
  coordOffset: Float64Array;
  inline: Float64Array;
  crossline: Float64Array;
  nsMismatches = 0;
  firstMismatch = -1;
  anySource = false;
  anyReceiver = false;
  anyCdp = false;
  anyHeaderOffset = false;
  count = 0;
  constructor(n: number, readonly ns: number) {
    this.mx = new Float64Array(n);
    this.my = new Float64Array(n);
    this.cx = new Float64Array(n);
    this.cy = new Float64Array(n);
    this.headerOffset = new Float64Array(n);
    this.coordOffset = new Float64Array(n);
    this.inline = new Float64Array(n);
    this.crossline = new Float64Array(n);
  }

  #grow(need: number): void {
    if (need <= this.mx.length) return;
    const size = Math.max(need, this.mx.length * 2);
    const grow = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    this.mx = grow(this.mx);
    this.my = grow(this.my);
    this.cx = grow(this.cx);
    this.cy = grow(this.cy);
    this.headerOffset = grow(this.headerOffset);
    this.coordOffset = grow(this.coordOffset);
    this.inline = grow(this.inline);
    this.crossline = grow(this.crossline);
  }

  add(b: TraceBatch): void {
    this.#grow(this.count + b.count);
    const h = b.headers;
    for (let t = 0; t < b.count; t++) {
      const i = this.count + t;
      const sx = b.sx[t], sy = b.sy[t], gx = b.gx[t], gy = b.gy[t];
      this.sx.add(sx);
      this.sy.add(sy);
      this.gx.add(gx);
      this.gy.add(gy);
      if (sx !== 0 || sy !== 0) this.anySource = true;
      if (gx !== 0 || gy !== 0) this.anyReceiver = true;
      this.mx[i] = (sx + gx) / 2;
      this.my[i] = (sy + gy) / 2;
      this.cx[i] = h.cdpx[t];
      this.cy[i] = h.cdpy[t];
      if (h.cdpx[t] !== 0 || h.cdpy[t] !== 0) this.anyCdp = true;
      this.headerOffset[i] = Math.abs(h.offset[t]);
      if (h.offset[t] !== 0) this.anyHeaderOffset = true;
      this.coordOffset[i] = Math.hypot(gx - sx, gy - sy);
      this.inline[i] = h.inline[t];
      this.crossline[i] = h.crossline[t];
      this.il.add(h.inline[t]);
      this.xl.add(h.crossline[t]);
      if (h.ns[t] !== this.ns) {
        this.nsMismatches++;
        if (this.firstMismatch < 0) this.firstMismatch = i;
      }
    }
    this.count += b.count;
  }
}

function summarise(info: SegyInfo, acc: Accumulator, options: ScanOptions): ScanSummary {
  const warnings = [...info.warnings];
  // Midpoints need both sources and receivers; post-stack files often carry only one
  // position (CDP X/Y, or the source X/Y set to the CDP).
  const both = acc.anySource && acc.anyReceiver;
  const from: ScanSummary["midpoint"]["from"] = both
    ? "source/receiver"
    : acc.anyCdp
    ? "cdpx/cdpy"
    : acc.anySource
    ? "source"
    : "receiver";
  if (!both) {
    const [xs, ys] = from === "cdpx/cdpy" ? [acc.cx, acc.cy] : [acc.mx, acc.my];
    const k = from === "cdpx/cdpy" ? 1 : 2; // acc.mx holds (s + g) / 2 with one of them zero
    for (let i = 0; i < acc.count; i++) {
      acc.mx[i] = xs[i] * k;
      acc.my[i] = ys[i] * k;
    }
  }
  const mx = acc.mx;
  const my = acc.my;
  const mxr = new Range(), myr = new Range();
  for (let i = 0; i < acc.count; i++) {
    mxr.add(mx[i]);
    myr.add(my[i]);
  }
  const fromHeader = acc.anyHeaderOffset || !both;
  const offsets = fromHeader ? acc.headerOffset : acc.coordOffset;
  const offsetRange = new Range();
  for (let i = 0; i < acc.count; i++) offsetRange.add(offsets[i]);
  const { min: omin, max: omax } = offsetRange.get();
  const bins = options.offsetBins ?? 16;
  const width = omax > omin ? (omax - omin) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < acc.count; i++) {
    counts[Math.min(bins - 1, Math.floor((offsets[i] - omin) / width))]++;
  }
  const hasLines = acc.il.get().max !== acc.il.get().min && acc.xl.get().max !== acc.xl.get().min;
  let grid = hasLines ? gridFromLines(acc, mx, my, warnings) : undefined;
  grid ??= gridFromMidpoints(acc.count, mx, my, options.spacing);
  if (options.spacing && grid.method !== "principal axes of midpoints") {
    grid = gridFromMidpoints(acc.count, mx, my, options.spacing);
  }
  const foldCounts = foldOf(grid, acc.count, mx, my, options.maxBins ?? 50_000_000, warnings);
  const meter = new SpacingMeter(grid);
  for (let i = 0; i < acc.count; i++) meter.add(mx[i], my[i]);
  const traceSpacing = meter.result();
  const fold = foldStatistics(foldCounts, grid.nx * grid.ny);
  const centres = counts.map((_, k) => omin + (k + 0.5) * width);
  const meanFold = fold.mean > 0 ? fold.mean : acc.count / Math.max(1, grid.nx * grid.ny);
  const suggestedClasses = suggestOffsetClasses(offsets.subarray(0, acc.count), meanFold);
  const summary: ScanSummary = {
    path: info.path,
    kind: info.kind,
    revision: info.revision,
    format: info.format,
    formatName: info.formatName,
    byteOrder: info.littleEndian ? "little-endian" : "big-endian",
    units: surveyUnits(info.measurementSystem),
    traces: info.traceCount,
    samples: info.ns,
    dt: info.dt,
    t0: info.t0,
    traceLength: {
      consistent: acc.nsMismatches === 0,
      mismatches: acc.nsMismatches,
      ...(acc.firstMismatch >= 0 ? { firstMismatch: acc.firstMismatch } : {}),
    },
    source: { x: acc.sx.get(), y: acc.sy.get() },
    receiver: { x: acc.gx.get(), y: acc.gy.get() },
    midpoint: { x: mxr.get(), y: myr.get(), from },
    offset: {
      from: fromHeader ? "header" : "coordinates",
      min: omin,
      max: omax,
      histogram: { start: omin, width, centres, counts },
      suggestedClasses,
    },
    fold,
    ...(options.keepFoldMap && foldCounts ? { foldCounts } : {}),
    grid,
    traceSpacing,
    warnings,
  };
  if (acc.il.get().max !== 0 || acc.il.get().min !== 0) summary.inline = acc.il.get();
  if (acc.xl.get().max !== 0 || acc.xl.get().min !== 0) summary.crossline = acc.xl.get();
  return summary;
}

/** Smallest positive gap between distinct values (the line number increment). */
function lineStep(values: Float64Array, n: number): number {
  const unique = [...new Set(values.subarray(0, n))].sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < unique.length; i++) step = Math.min(step, unique[i] - unique[i - 1]);
  return Number.isFinite(step) ? step : 1;
}

/** Least-squares fit of position = origin + il * A + xl * B; undefined when it does not fit. */
function gridFromLines(
  acc: Accumulator,
  mx: Float64Array,
  my: Float64Array,
  warnings: string[],
): SuggestedGrid | undefined {
  const n = acc.count;
  const i0 = acc.inline[0], j0 = acc.crossline[0], x0 = mx[0], y0 = my[0];
  // Normal equations for [1, i, j] (centred on trace 0).
  let si = 0, sj = 0, sii = 0, sjj = 0, sij = 0;
  let sx = 0, sxi = 0, sxj = 0, sy = 0, syi = 0, syj = 0, sxx = 0, syy = 0;
  for (let t = 0; t < n; t++) {
    const i = acc.inline[t] - i0, j = acc.crossline[t] - j0, x = mx[t] - x0, y = my[t] - y0;
    si += i;
    sj += j;
    sii += i * i;
    sjj += j * j;
    sij += i * j;
    sx += x;
    sxi += x * i;
    sxj += x * j;
    sy += y;
    syi += y * i;
    syj += y * j;
    sxx += x * x;
    syy += y * y;
  }
  const m = [[n, si, sj], [si, sii, sij], [sj, sij, sjj]];
  const bx = solve3(m, [sx, sxi, sxj]);
  const by = solve3(m, [sy, syi, syj]);
  if (!bx || !by) return undefined;
  const A = [bx[1], by[1]]; // per inline number
  const B = [bx[2], by[2]]; // per crossline number
  const lenB = Math.hypot(B[0], B[1]);
  const lenA = Math.hypot(A[0], A[1]);
  if (lenA === 0 || lenB === 0) return undefined;
  const rss = sxx - (bx[0] * sx + bx[1] * sxi + bx[2] * sxj) +
    syy - (by[0] * sy + by[1] * syi + by[2] * syj);
  const ilStep = lineStep(acc.inline, n);
  const xlStep = lineStep(acc.crossline, n);
  const u = [B[0] / lenB, B[1] / lenB];
  const v = [-u[1], u[0]];
  const across = A[0] * v[0] + A[1] * v[1];
  const dx = lenB * xlStep;
  const dy = Math.abs(across) * ilStep;
  const rms = Math.sqrt(Math.max(0, rss) / n);
  if (dy === 0 || rms > 0.25 * Math.min(dx, dy)) {
    warnings.push(
      `inline/crossline headers do not match the coordinates (rms misfit ${rms.toFixed(2)}); ` +
        "grid estimated from midpoints instead",
    );
    return undefined;
  }
  const { min: ilMin, max: ilMax } = acc.il.get();
  const { min: xlMin, max: xlMax } = acc.xl.get();
  const inline0 = across > 0 ? ilMin : ilMax;
  const crossline0 = xlMin;
  const di = inline0 - i0, dj = crossline0 - j0;
  const azimuthDeg = wrapAzimuth(Math.atan2(u[1], u[0]) * 180 / Math.PI);
  return {
    x0: x0 + bx[0] + bx[1] * di + bx[2] * dj,
    y0: y0 + by[0] + by[1] * di + by[2] * dj,
    dx,
    dy,
    nx: Math.round((xlMax - xlMin) / xlStep) + 1,
    ny: Math.round((ilMax - ilMin) / ilStep) + 1,
    azimuthDeg,
    inline0,
    crossline0,
    inlineStep: across > 0 ? ilStep : -ilStep,
    crosslineStep: xlStep,
    method: "inline/crossline headers",
  };
}

function solve3(m: number[][], b: number[]): number[] | undefined {
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
    a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
    a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-9) return undefined;
  return [0, 1, 2].map((k) => det(m.map((row, r) => row.map((v, c) => (c === k ? b[r] : v)))) / d);
}

/**
 * Typical spacing of projected positions: the median gap between distinct
 * values, where values closer than 1/1000 of the extent (or 0.1 unit) are
 * the same position (coordinate rounding, jitter).
 */
function typicalGap(values: Float64Array, range: number): number {
  const tolerance = Math.max(1e-3 * range, 0.1);
  const sorted = Float64Array.from(values).sort();
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const g = sorted[i] - sorted[i - 1];
    if (g > tolerance) gaps.push(g);
  }
  if (gaps.length === 0) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/** Grid from the principal axes of the midpoints and their typical spacing. */
function gridFromMidpoints(
  n: number,
  mx: Float64Array,
  my: Float64Array,
  spacing?: { dx: number; dy: number },
): SuggestedGrid {
  let cx = 0, cy = 0;
  for (let i = 0; i < n; i++) {
    cx += mx[i];
    cy += my[i];
  }
  cx /= Math.max(n, 1);
  cy /= Math.max(n, 1);
  let sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const x = mx[i] - cx, y = my[i] - cy;
    sxx += x * x;
    syy += y * y;
    sxy += x * y;
  }
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const u = [Math.cos(theta), Math.sin(theta)];
  const v = [-u[1], u[0]];
  const pu = new Float64Array(n), pv = new Float64Array(n);
  const ru = new Range(), rv = new Range();
  for (let i = 0; i < n; i++) {
    const x = mx[i] - cx, y = my[i] - cy;
    pu[i] = x * u[0] + y * u[1];
    pv[i] = x * v[0] + y * v[1];
    ru.add(pu[i]);
    rv.add(pv[i]);
  }
  const { min: umin, max: umax } = ru.get();
  const { min: vmin, max: vmax } = rv.get();
  // Floor: 1 survey unit or 1/1000 of the extent, so scattered midpoints do not explode nx.
  const limit = (gap: number, range: number) => Math.max(gap, range / 1000, 1);
  let dx = spacing?.dx ?? limit(typicalGap(pu, umax - umin), umax - umin);
  let dy = spacing?.dy ?? limit(typicalGap(pv, vmax - vmin), vmax - vmin);
  if (!(dx > 0)) dx = dy > 0 ? dy : 1;
  if (!(dy > 0)) dy = dx;
  // a 2-D line has no spacing across it: one row of bins as wide as they are long
  if (Math.round((vmax - vmin) / dy) === 0 && !spacing?.dy) dy = dx;
  else if (Math.round((umax - umin) / dx) === 0 && !spacing?.dx) dx = dy;
  const azimuthDeg = wrapAzimuth(theta * 180 / Math.PI);
  return {
    x0: cx + umin * u[0] + vmin * v[0],
    y0: cy + umin * u[1] + vmin * v[1],
    dx,
    dy,
    nx: Math.round((umax - umin) / dx) + 1,
    ny: Math.round((vmax - vmin) / dy) + 1,
    azimuthDeg,
    method: "principal axes of midpoints",
  };
}

function foldOf(
  grid: SuggestedGrid,
  n: number,
  mx: Float64Array,
  my: Float64Array,
  maxBins: number,
  warnings: string[],
): Uint32Array | undefined {
  const totalBins = grid.nx * grid.ny;
  if (totalBins > maxBins) {
    warnings.push(`grid has ${totalBins} bins (> ${maxBins}); fold not computed`);
    return undefined;
  }
  const a = grid.azimuthDeg * Math.PI / 180;
  const u = [Math.cos(a), Math.sin(a)];
  const v = [-u[1], u[0]];
  const counts = new Uint32Array(totalBins);
  for (let i = 0; i < n; i++) {
    const x = mx[i] - grid.x0, y = my[i] - grid.y0;
    const ix = Math.round((x * u[0] + y * u[1]) / grid.dx);
    const iy = Math.round((x * v[0] + y * v[1]) / grid.dy);
    if (ix >= 0 && ix < grid.nx && iy >= 0 && iy < grid.ny) counts[iy * grid.nx + ix]++;
  }
  return counts;
}

function foldStatistics(counts: Uint32Array | undefined, totalBins: number): ScanSummary["fold"] {
  if (!counts) return { min: 0, mean: 0, max: 0, liveBins: 0, totalBins };
  let min = Infinity, max = 0, live = 0, sum = 0;
  for (const c of counts) {
    if (c === 0) continue;
    live++;
    sum += c;
    if (c < min) min = c;
    if (c > max) max = c;
  }
  return { min: live ? min : 0, mean: live ? sum / live : 0, max, liveBins: live, totalBins };
}

/**
 * A human-readable report of a scan.
 *
 * @param s the summary
 * @returns lines of text
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyFile } from "../segy/segy_file.ts";
 * import { formatScanSummary, scanSegy } from "./scan.ts";
 * const url = new URL("../../../shared/data/segy/f3.sgy", import.meta.url);
 * using file = await SegyFile.open(url.pathname);
 * assert(formatScanSummary(await scanSegy(file)).includes("18 x 23 bins"));
 * ```
 */
export function formatScanSummary(s: ScanSummary): string {
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const xy = (e: XYExtent) => `x ${f(e.x.min)}..${f(e.x.max)}, y ${f(e.y.min)}..${f(e.y.max)}`;
  const g = s.grid;
  const lines = [
    `file        ${s.path}`,
    `layout      ${
      s.kind === "su" ? "Seismic Unix" : `SEG-Y rev ${s.revision}`
    }, format ${s.format} ` +
    `(${s.formatName}), ${s.byteOrder}`,
    `units       ${describeUnits(s.units ?? surveyUnits(0))}`,
    `traces      ${s.traces} x ${s.samples} samples, dt ${s.dt * 1000} ms, t0 ${s.t0 * 1000} ms`,
    `trace ns    ${
      s.traceLength.consistent
        ? "all equal to the file's ns"
        : `${s.traceLength.mismatches} traces differ (first: trace ${s.traceLength.firstMismatch})`
    }`,
    `source      ${xy(s.source)}`,
    `receiver    ${xy(s.receiver)}`,
    `midpoint    ${xy(s.midpoint)} (from ${s.midpoint.from})`,
    `|offset|    ${f(s.offset.min)}..${f(s.offset.max)} (from ${s.offset.from})`,
  ];
  const peak = Math.max(1, ...s.offset.histogram.counts);
  lines.push(`  ${"centre".padStart(10)} ${"traces".padStart(8)}`);
  s.offset.histogram.counts.forEach((c, k) => {
    const centre = s.offset.histogram.centres[k];
    lines.push(
      `  ${f(centre).padStart(10)} ${String(c).padStart(8)} ${
        "#".repeat(Math.round(40 * c / peak))
      }`,
    );
  });
  const oc = s.offset.suggestedClasses;
  lines.push(
    `offset      ${oc.count} classes of ${f(oc.width)} from ${f(oc.first)}: ` +
      `--offset-classes ${formatOffsetClasses(oc)}`,
  );
  if (s.inline) lines.push(`inline      ${s.inline.min}..${s.inline.max}`);
  if (s.crossline) lines.push(`crossline   ${s.crossline.min}..${s.crossline.max}`);
  lines.push(
    `grid        origin (${f(g.x0)}, ${f(g.y0)}), ${f(g.dx)} x ${
      f(g.dy)
    }, ${g.nx} x ${g.ny} bins, ` +
      `azimuth ${f(g.azimuthDeg)} deg (${g.method})`,
    `  --grid ${[g.x0, g.y0, g.dx, g.dy, g.nx, g.ny, g.azimuthDeg].map(f).join(",")}`,
  );
  if (g.inline0 !== undefined) {
    lines.push(
      `  bin (0,0) = inline ${g.inline0}, crossline ${g.crossline0}; steps ` +
        `${g.inlineStep} per iy, ${g.crosslineStep} per ix`,
    );
  }
  const ts = s.traceSpacing;
  const unit = (s.units ?? surveyUnits(0)).length;
  lines.push(
    `spacing     ${f(ts.along)} ${unit} along the grid azimuth, ${f(ts.across)} ${unit} ` +
      `across: ${ts.how}`,
  );
  lines.push(
    `fold        min ${s.fold.min}, mean ${f(s.fold.mean)}, max ${s.fold.max} over ` +
      `${s.fold.liveBins} live of ${s.fold.totalBins} bins`,
  );
  for (const w of s.warnings) lines.push(`warning     ${w}`);
  return lines.join("\n");
}

/**
 * An azimuth in [0, 360) degrees; one within 1e-7 degrees of a whole degree is that degree
 * (coordinates rounded to their scalar's step, e.g. feet at -100, put -1e-9 for 0: not 360).
 */
function wrapAzimuth(deg: number): number {
  const whole = Math.round(deg);
  const snapped = Math.abs(deg - whole) < 1e-7 ? whole : deg;
  const wrapped = ((snapped % 360) + 360) % 360;
  return wrapped === 0 ? 0 : wrapped; // never -0
}

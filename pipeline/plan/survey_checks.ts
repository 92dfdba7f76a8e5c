/**
 * Plausibility checks of a survey, from its headers (gathered batch by batch
 * during the header scan) and a few traces' samples: coordinate scalars
 * outside the SEG-Y set, header offsets that disagree with the coordinates,
 * no geometry, outliers far from the rest, and sample values implausible for
 * the declared format. Each refusal is exit 2 naming what looked wrong and
 * how to run anyway (`--header`, or `--no-check NAME`).
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { SegyFile } from "../segy/segy_file.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";
import { fromMetres, type LengthUnit } from "../segy/units.ts";
import type { CheckName } from "./checks.ts";
import { overrideHint } from "./checks.ts";
import type { GeometrySource } from "./geometry_index.ts";

/** The coordinate scalars SEG-Y allows (0 means 1). */
export const VALID_COORDINATE_SCALARS: ReadonlySet<number> = new Set([
  0,
  1,
  -1,
  10,
  -10,
  100,
  -100,
  1000,
  -1000,
  10000,
  -10000,
]);

/** A coordinate beyond this (m, or arc-seconds) is not on Earth: 100,000 km. */
export const MAX_PLAUSIBLE_COORDINATE = 1e8;

/** A midpoint this many times the median distance from the survey's median midpoint is an outlier. */
export const OUTLIER_FACTOR = 50;

/** How many trace numbers a message lists. */
const LISTED = 5;

/**
 * Gathers what the survey checks need while the headers are scanned, then
 * runs them. Feed every batch of the header scan to {@link add}, then call
 * {@link checkGeometry} with the finished geometry table.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SurveyChecks } from "./survey_checks.ts";
 * import { GeometryTable } from "./geometry_table.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 2, ns: 1, dt: 0.004, headers: ["scalco", "offset"] });
 * batch.headers.scalco.set([12345, 12345]);
 * batch.gx.set([100, 200]);
 * const checks = new SurveyChecks("in.sgy", new Set());
 * checks.add(batch);
 * const table = new GeometryTable();
 * table.append(batch);
 * assert.throws(() => checks.checkGeometry(table), /coordinate scalar 12345/);
 * ```
 */
export class SurveyChecks {
  readonly #file: string;
  readonly #skip: ReadonlySet<CheckName>;
  #badScalars = 0;
  #badScalarTraces: number[] = [];
  #badScalarValue = 0;
  #offsetsGiven = 0;
  #offsetsDisagree = 0;
  #offsetExample: { trace: number; header: number; coordinates: number } | undefined;
  #ratios: number[] = [];
  readonly #unit: LengthUnit;

  /**
   * @param file the input's name for messages ("stdin" for a spool)
   * @param skip checks turned off with --no-check
   * @param unit the survey's length unit (its thresholds are in metres and converted)
   */
  constructor(file: string, skip: ReadonlySet<CheckName>, unit: LengthUnit = "m") {
    this.#file = file;
    this.#skip = skip;
    this.#unit = unit;
  }

  /**
   * Takes one batch of the header scan (its coordinates scaled, `scalco` and
   * `offset` in `headers` as stored).
   *
   * @param batch headers of consecutive traces
   */
  add(batch: TraceBatch): void {
    const scalco = batch.headers.scalco;
    const offset = batch.headers.offset;
    for (let k = 0; k < batch.count; k++) {
      const trace = batch.firstTrace + k;
      if (scalco && !VALID_COORDINATE_SCALARS.has(scalco[k])) {
        if (this.#badScalars++ === 0) this.#badScalarValue = scalco[k];
        if (this.#badScalarTraces.length < LISTED) this.#badScalarTraces.push(trace);
      }
      if (!offset) continue;
      const header = Math.abs(offset[k]);
      const coordinates = Math.hypot(batch.gx[k] - batch.sx[k], batch.gy[k] - batch.sy[k]);
      if (header === 0 && coordinates === 0) continue;
      this.#offsetsGiven++;
      if (header === 0) continue; // counted below: offsets left unset are not a disagreement
      const tolerance = Math.max(fromMetres(1, this.#unit), 0.05 * Math.max(header, coordinates));
      if (Math.abs(header - coordinates) > tolerance) {
        this.#offsetsDisagree++;
        this.#offsetExample ??= { trace, header: offset[k], coordinates };
        if (this.#ratios.length < 4096) this.#ratios.push(coordinates / header);
      }
    }
  }

  /**
   * Runs the header checks on the finished scan: scalars, offsets, geometry, outliers.
   *
   * @param geometry every trace's coordinates
   * @throws PstmError exit 2 for the first check that fails
   */
  checkGeometry(geometry: GeometrySource): void {
    this.#checkScalars();
    if (!this.#skip.has("geometry")) checkHasGeometry(geometry, this.#file);
    if (!this.#skip.has("outliers")) checkOutliers(geometry, this.#file, this.#unit);
    this.#checkOffsets();
  }

  #checkScalars(): void {
    if (this.#badScalars === 0 || this.#skip.has("coordinate-scalar")) return;
    throw new PstmError(
      `coordinate scalar ${this.#badScalarValue} in ${this.#badScalars} trace(s) (first: ` +
        `${this.#badScalarTraces.join(", ")}); expected 0 (= 1), +-1, 10, 100, 1000 or 10000 ` +
        `(SEG-Y rev 1): the scalar may sit at other bytes (--header scalco=BYTE:i2) ` +
        overrideHint("coordinate-scalar"),
      { file: this.#file, trace: this.#badScalarTraces[0], field: "scalco (trace bytes 71-72)" },
    );
  }

  #checkOffsets(): void {
    if (this.#skip.has("offsets") || this.#offsetsGiven === 0) return;
    if (this.#offsetsDisagree <= 0.5 * this.#offsetsGiven) return;
    const example = this.#offsetExample!;
    const ratio = median(this.#ratios);
    const power = Math.round(Math.log10(ratio));
    const hint = Math.abs(ratio / 10 ** power - 1) < 0.05 && power !== 0
      ? `the coordinates are ${10 ** power} x the header offsets: a coordinate scalar ` +
        `(bytes 71-72) of ${power > 0 ? -(10 ** power) : 10 ** -power} missing?`
      : "a coordinate scalar or byte-position problem?";
    throw new PstmError(
      `for ${this.#offsetsDisagree} of ${this.#offsetsGiven} traces the header offset ` +
        `(bytes 37-40) disagrees with the source-receiver distance from the coordinates ` +
        `(trace ${example.trace}: offset ${example.header}, coordinates ` +
        `${example.coordinates.toFixed(1)}); ${hint} Check the scalar and --header ` +
        `sx/sy/gx/gy/offset positions ${overrideHint("offsets")}`,
      { file: this.#file, trace: example.trace, field: "offset (trace bytes 37-40)" },
    );
  }
}

/** Refuses a survey whose traces all share one midpoint (more than one trace). */
function checkHasGeometry(g: GeometrySource, file: string): void {
  if (g.count < 2) return;
  let mx = NaN, my = NaN;
  for (const band of g.bands()) {
    if (band.first === 0) [mx, my] = [band.mx[0], band.my[0]];
    for (let k = 0; k < band.count; k++) {
      if (band.mx[k] !== mx || band.my[k] !== my) return;
    }
  }
  throw new PstmError(
    `all ${g.count} traces have their midpoint at (${mx}, ${my}): no geometry; expected ` +
      "source and receiver coordinates at trace bytes 73-88 (give their positions with " +
      `--header sx=BYTE:i4 ...) ${overrideHint("geometry")}`,
    { file, field: "sx, sy, gx, gy (trace bytes 73-88)" },
  );
}

/**
 * Refuses a survey with midpoints far from the rest: coordinates beyond any
 * place on Earth, or more than {@link OUTLIER_FACTOR} times the median
 * distance from the median midpoint (the median distance taken as at least
 * 100 m, 328 ft in feet). Counts them and names the first traces.
 */
function checkOutliers(g: GeometrySource, file: string, unit: LengthUnit): void {
  if (g.count < 2) return;
  const step = Math.max(1, Math.floor(g.count / 65536));
  const xs: number[] = [], ys: number[] = [];
  for (const band of g.bands()) {
    for (let k = (step - (band.first % step)) % step; k < band.count; k += step) {
      xs.push(band.mx[k]);
      ys.push(band.my[k]);
    }
  }
  const cx = median(xs), cy = median(ys);
  const spread = Math.max(
    fromMetres(100, unit),
    median(xs.map((x, i) => Math.hypot(x - cx, ys[i] - cy))),
  );
  const limit = OUTLIER_FACTOR * spread;
  let count = 0;
  const first: number[] = [];
  for (const band of g.bands()) {
    for (let k = 0; k < band.count; k++) {
      const mx = band.mx[k], my = band.my[k];
      // |sx|, |gx|, |sy|, |gy| <= max(|mx|, |my|) + half offset: no coordinate beyond the
      // limit escapes this bound
      const far = Math.max(Math.abs(mx), Math.abs(my)) + band.halfOffset[k] >
          MAX_PLAUSIBLE_COORDINATE ||
        Math.hypot(mx - cx, my - cy) > limit;
      if (!far) continue;
      count++;
      if (first.length < LISTED) first.push(band.first + k);
    }
  }
  if (count === 0) return;
  throw new PstmError(
    `${count} of ${g.count} traces (first: ${first.join(", ")}) lie far from the rest: ` +
      `midpoints more than ${limit.toFixed(0)} ${unit} from the survey's median midpoint ` +
      `(${cx.toFixed(1)}, ${cy.toFixed(1)}), where half the traces lie within ` +
      `${
        spread.toFixed(0)
      } ${unit}, or coordinates beyond ${MAX_PLAUSIBLE_COORDINATE} ${unit}; check ` +
      `their coordinates and scalars ${overrideHint("outliers")}`,
    { file, trace: first[0], field: "sx, sy, gx, gy (trace bytes 73-88)" },
  );
}

/**
 * Checks that sample values are plausible for the declared format, from a
 * few traces spread over the file: IEEE floats (format 5) that are mostly
 * denormal or beyond 1e30 (integers or IBM floats read as IEEE), or 32-bit
 * integers (format 2) of 1e7 and more whose bits are ordinary IEEE floats.
 *
 * @param samples decoded samples of a few traces
 * @param format the declared sample format code
 * @param file the input's name for messages
 * @param skip checks turned off
 * @throws PstmError exit 2 naming the format field
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkSampleValues } from "./survey_checks.ts";
 * const floats = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i + 1));
 * const asInt = Float32Array.from(new Int32Array(floats.buffer));
 * checkSampleValues(floats, 5, "a.sgy", new Set());
 * assert.throws(() => checkSampleValues(asInt, 2, "a.sgy", new Set()), /format 5/);
 * ```
 */
export function checkSampleValues(
  samples: Float32Array,
  format: number,
  file: string,
  skip: ReadonlySet<CheckName>,
): void {
  if (skip.has("amplitudes")) return;
  const nonzero = samples.filter((v) => v !== 0);
  if (nonzero.length < 16) return;
  const where = { file, field: "format (binary header bytes 3225-3226)" };
  if (format === 5) {
    const odd = nonzero.filter((v) =>
      !Number.isFinite(v) || Math.abs(v) > 1e30 ||
      Math.abs(v) < 1e-30
    ).length;
    if (odd <= 0.5 * nonzero.length) return;
    const asInt = new Int32Array(Float32Array.from(nonzero).buffer);
    const intLike = median(Array.from(asInt, Math.abs)) < 1e7;
    throw new PstmError(
      `sample format 5 (IEEE float) but ${odd} of ${nonzero.length} nonzero samples of the ` +
        "traces checked are below 1e-30, above 1e30 or not finite" +
        (intLike ? "; read as 32-bit integers (format 2) they look like data" : "") +
        ` ${overrideHint("amplitudes")}`,
      where,
    );
  }
  if (format === 2) {
    const magnitudes = Array.from(nonzero, Math.abs);
    if (median(magnitudes) < 1e7) return;
    const bits = new Int32Array(nonzero.length);
    nonzero.forEach((v, i) => (bits[i] = v));
    const asFloat = new Float32Array(bits.buffer);
    const plausible = asFloat.filter((v) =>
      Number.isFinite(v) && Math.abs(v) > 1e-20 && Math.abs(v) < 1e20
    )
      .length;
    if (plausible < 0.9 * nonzero.length) return;
    throw new PstmError(
      `sample format 2 (32-bit integer) but the samples checked have a median magnitude of ` +
        `${median(magnitudes).toExponential(2)}, and read as IEEE floats (format 5) their bits ` +
        `look like data (${plausible} of ${nonzero.length} between 1e-20 and 1e20): the ` +
        `format code is likely wrong ${overrideHint("amplitudes")}`,
      where,
    );
  }
}

function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * Runs {@link checkSampleValues} on up to `traces` traces spread evenly over the file.
 *
 * @param file the open input
 * @param name the input's name for messages
 * @param skip checks turned off
 * @param traces how many traces to look at
 * @throws PstmError exit 2 when the samples are implausible for the declared format
 */
export async function checkSurveySamples(
  file: SegyFile,
  name: string,
  skip: ReadonlySet<CheckName>,
  traces = 16,
): Promise<void> {
  if (skip.has("amplitudes")) return;
  const { traceCount, ns, format } = file.info;
  const count = Math.min(traces, traceCount);
  const samples = new Float32Array(count * ns);
  for (let i = 0; i < count; i++) {
    const trace = Math.floor((i * traceCount) / count);
    samples.set((await file.readTraces(trace, 1)).samples, i * ns);
  }
  checkSampleValues(samples, format, name, skip);
}

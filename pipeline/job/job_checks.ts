/**
 * Checks of a job against its survey, before any output is created: velocity
 * times far past the record (milliseconds given as seconds), velocities in
 * the other unit than the survey's (ft/s for a survey in metres), offset classes
 * that no trace falls in, and an output grid that no midpoint falls in. Each
 * refusal is exit 2 with what was seen and the `--no-check NAME` that
 * overrides it.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { type CheckName, overrideHint } from "../plan/checks.ts";
import type { GeometrySource } from "../plan/geometry_index.ts";
import { binOf, type GridSpec } from "../plan/grid.ts";
import { type OffsetClasses, offsetClassOf } from "../plan/offset_classes.ts";
import { parseVelocityFlag } from "../velocity/velocity.ts";
import { parsePicksTable } from "../velocity/velocity_picks.ts";
import { fromMetres, METRES_PER_FOOT, type SurveyUnits, surveyUnits } from "../segy/units.ts";
import type { JobConfig } from "./job_config.ts";
import type { JobSetup } from "./setup.ts";

/** What the job checks look at. */
export interface JobCheckInputs {
  /**
   * Every trace's midpoint and half offset, band by band (absent for a run that follows a
   * plan file: `pstm plan` checked them with the same options).
   */
  geometry?: GeometrySource;
  /** The output grid. */
  grid: GridSpec;
  /** The offset classes, and whether the user gave them (the default class takes every trace). */
  classes: OffsetClasses;
  /** Whether `--offset-classes` was given. */
  classesGiven: boolean;
  /** Whether `--grid` was given (the suggested grid covers the survey). */
  gridGiven: boolean;
  /** The `--velocity` value. */
  velocity: string;
  /**
   * The velocity model's range and the survey's units, for the velocity-unit check (absent: not
   * checked) and the units in the other checks' messages (absent: metres).
   */
  velocityRange?: { min: number; max: number; units: SurveyUnits };
  /** `--replacement-velocity`, when given (checked with velocityRange's units). */
  replacementVelocity?: number;
  /** The latest time of the record or of the output axis, s. */
  recordEnd: number;
  /** Checks turned off. */
  skip: ReadonlySet<CheckName>;
}

/**
 * Runs the job checks.
 *
 * @param inputs the job and its survey
 * @throws PstmError exit 2 for the first check that fails
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkJob } from "./job_checks.ts";
 * import { GeometryTable } from "../plan/geometry_table.ts";
 * const geometry = new GeometryTable();
 * geometry.count = 1;
 * const base = { geometry, grid: { x0: 0, y0: 0, dx: 10, dy: 10, nx: 2, ny: 2, azimuthDeg: 0 },
 *   classes: { first: 0, width: 1e9, count: 1 }, classesGiven: false, gridGiven: true,
 *   recordEnd: 1.2, skip: new Set<never>() };
 * await checkJob({ ...base, velocity: "0:1800,1.2:2500" });
 * await assert.rejects(checkJob({ ...base, velocity: "0:1800,1200:2500" }), /ms/);
 * ```
 */
export async function checkJob(inputs: JobCheckInputs): Promise<void> {
  if (!inputs.skip.has("velocity-times")) await checkVelocityTimes(inputs);
  if (!inputs.skip.has("velocity-unit")) checkVelocityUnit(inputs);
  if (inputs.classesGiven && !inputs.skip.has("offset-classes")) checkOffsetClasses(inputs);
  if (inputs.gridGiven && !inputs.skip.has("grid")) checkGridCatches(inputs);
}

/** Refuses velocity times beyond ten times the record (and 20 s past it): ms given as s. */
async function checkVelocityTimes(inputs: JobCheckInputs): Promise<void> {
  const spec = parseVelocityFlag(inputs.velocity);
  let latest = 0;
  let source = "--velocity";
  if (spec.kind === "function") latest = Math.max(...spec.fn.taus);
  else if (spec.kind === "picks") {
    let text: string;
    try {
      text = await Deno.readTextFile(spec.path);
    } catch {
      return; // the velocity reader reports an unreadable file
    }
    source = spec.path;
    for (const location of parsePicksTable(text, spec.path).locations) {
      for (const tau of location.taus) latest = Math.max(latest, tau);
    }
  } else return;
  const end = inputs.recordEnd;
  if (!(latest > 10 * end && latest > end + 20)) return;
  throw new PstmError(
    `velocity times reach ${latest} s but the record ends at ${end.toFixed(3)} s: times in ` +
      `ms? Give tau in seconds (e.g. 0:1800,${end.toFixed(1)}:2500) ` +
      overrideHint("velocity-times"),
    { file: source === "--velocity" ? undefined : source, field: "--velocity" },
  );
}

/** RMS (and replacement) velocities of rock stay below this, m/s. */
export const MAX_PLAUSIBLE_VELOCITY = 7000;
/** The fastest RMS velocity of a section is at least about water's, m/s. */
export const MIN_PLAUSIBLE_VMAX = 1400;

/**
 * Refuses velocities in the other unit than the survey's: in metres, a velocity above
 * {@link MAX_PLAUSIBLE_VELOCITY} m/s (ft/s given); in feet, a fastest velocity below
 * {@link MIN_PLAUSIBLE_VMAX} m/s in ft/s (m/s given) or above the maximum in ft/s.
 */
function checkVelocityUnit(inputs: JobCheckInputs): void {
  const range = inputs.velocityRange;
  if (!range) return;
  const { units } = range;
  const u = units.velocity;
  const feet = units.length === "ft";
  const high = fromMetres(MAX_PLAUSIBLE_VELOCITY, units.length);
  const low = fromMetres(MIN_PLAUSIBLE_VMAX, units.length);
  const system = feet || units.measurementSystem === 1
    ? `the survey is in ${feet ? "feet" : "metres"} (binary header measurement system ` +
      `${units.measurementSystem})`
    : `the survey is read as metres (binary header measurement system ` +
      `${units.measurementSystem}: not stated)`;
  const fix = feet
    ? "give velocities in ft/s (m/s x 3.2808)"
    : "give velocities in m/s (ft/s x 0.3048), or set the measurement system (bytes " +
      "3255-3256) to 2 if the coordinates are in feet";
  const refuse = (what: string, v: number, field: string, why: string) => {
    throw new PstmError(
      `${what} is ${Math.round(v)} ${u}, ${why}; ${system}: velocities in ${
        feet ? "m/s" : "ft/s"
      }? ` +
        `${fix} ${overrideHint("velocity-unit")}`,
      { field },
    );
  };
  const rv = inputs.replacementVelocity;
  if (range.max > high) {
    refuse(
      "the fastest velocity",
      range.max,
      "--velocity",
      `faster than RMS velocities of rock (below ${Math.round(high)} ${u})`,
    );
  }
  if (feet && range.max < low) {
    refuse(
      "the fastest velocity",
      range.max,
      "--velocity",
      `${Math.round(range.max * METRES_PER_FOOT)} m/s: slower than water (${Math.round(low)} ${u})`,
    );
  }
  if (rv !== undefined && rv > high) {
    refuse(
      "the replacement velocity",
      rv,
      "--replacement-velocity",
      `faster than the near surface can be (below ${Math.round(high)} ${u})`,
    );
  }
}

/** Refuses offset classes that no trace's source-receiver distance falls in. */
function checkOffsetClasses(inputs: JobCheckInputs): void {
  const { geometry: g, classes } = inputs;
  if (!g || g.count === 0) return;
  const m = inputs.velocityRange?.units.length ?? "m";
  let lo = Infinity, hi = -Infinity;
  for (const band of g.bands()) {
    for (let k = 0; k < band.count; k++) {
      const h = 2 * band.halfOffset[k];
      if (offsetClassOf(h, classes) >= 0) return;
      lo = Math.min(lo, h);
      hi = Math.max(hi, h);
    }
  }
  const end = classes.first + classes.width * classes.count;
  throw new PstmError(
    `no trace falls in any offset class: the classes cover offsets ${classes.first} to ${end} ` +
      `${m}, the survey's offsets (source-receiver distances) run from ${lo.toFixed(1)} to ` +
      `${hi.toFixed(1)} ${m} ${overrideHint("offset-classes")}`,
    { field: "--offset-classes" },
  );
}

/** Refuses an output grid that no midpoint falls in (within half a bin of its edge bins). */
function checkGridCatches(inputs: JobCheckInputs): void {
  const { geometry: g, grid } = inputs;
  if (!g || g.count === 0) return;
  const m = inputs.velocityRange?.units.length ?? "m";
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const band of g.bands()) {
    for (let k = 0; k < band.count; k++) {
      const x = band.mx[k], y = band.my[k];
      const b = binOf(grid, x, y);
      if (b.ix > -0.5 && b.ix < grid.nx - 0.5 && b.iy > -0.5 && b.iy < grid.ny - 0.5) return;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  throw new PstmError(
    `no trace midpoint falls inside the output grid (origin ${grid.x0}, ${grid.y0}, ` +
      `${grid.nx} x ${grid.ny} bins of ${grid.dx} x ${grid.dy} ${m}, azimuth ${grid.azimuthDeg}); ` +
      `the midpoints span x ${minX.toFixed(1)} to ${maxX.toFixed(1)}, y ${minY.toFixed(1)} to ` +
      `${maxY.toFixed(1)}: check --grid against pstm scan's suggestion ${overrideHint("grid")}`,
    { field: "--grid" },
  );
}

/**
 * Runs {@link checkJob} for a job and its setup (the record's end taken from
 * the input and the output time axis).
 *
 * @param job the validated job
 * @param setup the job's setup
 * @param skip checks turned off
 * @throws PstmError exit 2 for the first check that fails
 */
export async function checkJobAgainstSurvey(
  job: JobConfig,
  setup:
    & Pick<JobSetup, "geometry" | "grid" | "classes" | "time" | "info">
    & Partial<Pick<JobSetup, "velocity">>,
  skip: ReadonlySet<CheckName>,
): Promise<void> {
  const { info, time } = setup;
  await checkJob({
    geometry: setup.geometry.source,
    grid: setup.grid,
    classes: setup.classes,
    classesGiven: job.offsetClasses !== undefined,
    gridGiven: job.grid !== undefined,
    velocity: job.velocity,
    ...(setup.velocity
      ? {
        velocityRange: {
          min: setup.velocity.min,
          max: setup.velocity.max,
          units: surveyUnits(info.measurementSystem),
        },
      }
      : {}),
    ...(job.replacementVelocity !== undefined
      ? { replacementVelocity: job.replacementVelocity }
      : {}),
    recordEnd: Math.max(info.t0 + (info.ns - 1) * info.dt, time.tau0 + (time.ntau - 1) * time.dtau),
    skip,
  });
}

/**
 * Checks of a job against its survey, before any output is created: velocity
 * times far past the record (milliseconds given as seconds), offset classes
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

/** Refuses offset classes that no trace's source-receiver distance falls in. */
function checkOffsetClasses(inputs: JobCheckInputs): void {
  const { geometry: g, classes } = inputs;
  if (!g || g.count === 0) return;
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
      `m, the survey's offsets (source-receiver distances) run from ${lo.toFixed(1)} to ` +
      `${hi.toFixed(1)} m ${overrideHint("offset-classes")}`,
    { field: "--offset-classes" },
  );
}

/** Refuses an output grid that no midpoint falls in (within half a bin of its edge bins). */
function checkGridCatches(inputs: JobCheckInputs): void {
  const { geometry: g, grid } = inputs;
  if (!g || g.count === 0) return;
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
      `${grid.nx} x ${grid.ny} bins of ${grid.dx} x ${grid.dy} m, azimuth ${grid.azimuthDeg}); ` +
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
  setup: Pick<JobSetup, "geometry" | "grid" | "classes" | "time" | "info">,
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
    recordEnd: Math.max(info.t0 + (info.ns - 1) * info.dt, time.tau0 + (time.ntau - 1) * time.dtau),
    skip,
  });
}

/**
 * The migration a processing geophysicist expects when only input, output and velocity are
 * given (full mode), or the bare formula of DESIGN.md 3 with `plain`: every setting the job
 * left open is chosen here from the survey, with the reason, for the summary and `--plan`.
 *
 * | setting | full mode (default) | plain |
 * |---|---|---|
 * | antialiasing | on, the survey's trace spacing along each grid axis | off |
 * | rho filter | 2d on a 2-D line, 3d otherwise | none |
 * | maximum angle | 60 degrees | none |
 * | taper | 0.2 of the aperture | 0 |
 * | aperture | the maximum angle's reach at the last output time and the fastest velocity, at most the survey's midpoint extent | none |
 * | traveltime table | on only with VTI eta and one v(tau) velocity (measured faster there, docs/performance.md); else off | the same |
 *
 * @module
 */

import type { RhoName, TraveltimeTableMode } from "../../core/options.ts";
import { PstmError } from "../../core/errors.ts";
import type { GridSpec } from "../plan/grid.ts";
import type { SurveySpacing } from "../plan/trace_spacing.ts";
import type { JobConfig } from "./job_config.ts";
import { describeUnits, type LengthUnit, type SurveyUnits, surveyUnits } from "../segy/units.ts";

/**
 * Full-mode values of the settings that do not depend on the survey.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { FULL_MODE_DEFAULTS } from "./defaults.ts";
 * assert(FULL_MODE_DEFAULTS.maxAngle > 0 && FULL_MODE_DEFAULTS.maxAngle < 90);
 * assert(FULL_MODE_DEFAULTS.taper > 0 && FULL_MODE_DEFAULTS.taper < 1);
 * ```
 */
export const FULL_MODE_DEFAULTS = { maxAngle: 60, taper: 0.2 } as const;

/** The settings a job runs with, each chosen or given, and why. */
export interface MigrationSettings {
  /** "full" or "plain". */
  mode: "full" | "plain";
  /** Aperture radius, m; 0: unlimited. */
  aperture: number;
  /** Maximum aperture angle, degrees; 0: none. */
  maxAngle: number;
  /** Tapered fraction of the aperture. */
  taper: number;
  /** Triangle antialiasing. */
  aa: boolean;
  /** Rho filter. */
  rho: RhoName;
  /** Traveltimes from the lookup table ("on") or computed directly ("off"). */
  traveltimeTable: TraveltimeTableMode;
  /** Antialiasing trace spacing along the grid azimuth, m. */
  traceSpacing: number;
  /** Antialiasing trace spacing across it, m. */
  traceSpacingY: number;
  /**
   * The survey's units (binary header measurement system): lengths here and velocities are in
   * them. Absent: metres.
   */
  units?: SurveyUnits;
  /** Why each was chosen: grid, rho, spacing, aperture, angle, traveltime table. */
  reasons: {
    grid: string;
    rho: string;
    spacing: string;
    aperture: string;
    angle: string;
    table: string;
  };
}

/** What the survey tells the defaults. */
export interface SurveyFacts {
  /** The output grid. */
  grid: GridSpec;
  /** Where the grid came from, e.g. "--grid" or "suggested by the scan (...)". */
  gridFrom: string;
  /** The measured trace spacing and dimensionality. */
  spacing: SurveySpacing;
  /** Last output time, s. */
  tmax: number;
  /** Fastest velocity of the model, m/s (ft/s in feet). */
  vmax: number;
  /** The survey's units (default: metres). */
  units?: SurveyUnits;
  /** The velocity is one v(tau) in every bin (`VelocityModel.laterallyConstant`). */
  laterallyConstant?: boolean;
}

/**
 * Fills the settings the job left open from the survey.
 *
 * @param job the validated job (keys it gives win)
 * @param survey grid, measured spacing, time and velocity range
 * @returns the settings and their reasons
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { resolveSettings } from "./defaults.ts";
 * const job = parseJobConfig({ input: "in.sgy", output: "out.sgy", velocity: "2000" });
 * const grid = { x0: 0, y0: 0, dx: 12.5, dy: 12.5, nx: 161, ny: 1, azimuthDeg: 0 };
 * const spacing = { dimensions: 2 as const, along: 12.5, across: 12.5, extentAlong: 2000,
 *   extentAcross: 0, how: "2-D line" };
 * const s = resolveSettings(job, { grid, gridFrom: "--grid", spacing, tmax: 1.2, vmax: 2500 });
 * assert.equal(s.rho, "2d");
 * assert(s.aa && s.traceSpacing === 12.5 && s.maxAngle === 60);
 * assert.equal(s.aperture, 2000); // the 60-degree reach (2598 m) capped at the line's length
 * assert.equal(s.traveltimeTable, "off"); // no eta: computed directly
 * ```
 */
export function resolveSettings(job: JobConfig, survey: SurveyFacts): MigrationSettings {
  const plain = job.plain;
  const { spacing } = survey;
  const given = (key: string) => `given (${key})`;
  const units = survey.units ?? surveyUnits(0);
  const m: LengthUnit = units.length;
  const maxAngle = job.maxAngle ?? (plain ? 0 : FULL_MODE_DEFAULTS.maxAngle);
  const taper = job.taper ?? (plain ? 0 : FULL_MODE_DEFAULTS.taper);
  const aa = job.aa ?? !plain;
  const rho: RhoName = job.rho ?? (plain ? "none" : spacing.dimensions === 2 ? "2d" : "3d");
  const rhoWhy = job.rho !== undefined
    ? given("rho")
    : plain
    ? "plain"
    : `the survey is ${spacing.dimensions === 2 ? "a 2-D line" : "3-D"}`;
  const traceSpacing = job.traceSpacing ?? spacing.along;
  const traceSpacingY = job.traceSpacingY ?? job.traceSpacing ?? spacing.across;
  const spacingWhy = job.traceSpacing !== undefined
    ? given("aa-spacing")
    : `measured: ${spacing.how}`;
  let aperture = 0;
  let apertureWhy = plain ? "plain: unlimited" : "";
  if (job.aperture !== undefined) {
    aperture = job.aperture === "none" ? 0 : job.aperture;
    apertureWhy = given("aperture");
  } else if (!plain) {
    const extent = Math.hypot(spacing.extentAlong, spacing.extentAcross);
    const angled = maxAngle > 0 && maxAngle < 90;
    const reach = angled
      ? 0.5 * survey.tmax * survey.vmax * Math.tan((maxAngle * Math.PI) / 180)
      : Infinity;
    const radius = Math.min(reach, extent);
    aperture = radius > 0 && Number.isFinite(radius) ? Math.ceil(radius / 10) * 10 : 0;
    apertureWhy = aperture === 0
      ? "unlimited (the survey has no extent)"
      : reach <= extent
      ? `the ${maxAngle}-degree reach at ${survey.tmax.toFixed(2)} s and ${
        Math.round(survey.vmax)
      } ${units.velocity}`
      : `the survey's midpoint extent (${Math.round(extent)} ${m})`;
  }
  const angleWhy = job.maxAngle !== undefined ? given("max-angle") : plain ? "plain" : "default";
  const table = chooseTraveltimeTable(job, survey.laterallyConstant === true);
  return {
    mode: plain ? "plain" : "full",
    aperture,
    maxAngle,
    taper,
    aa,
    rho,
    traveltimeTable: table.mode,
    traceSpacing,
    traceSpacingY,
    units,
    reasons: {
      grid: survey.gridFrom,
      rho: rhoWhy,
      spacing: spacingWhy,
      aperture: apertureWhy,
      angle: angleWhy,
      table: table.why,
    },
  };
}

/**
 * The traveltime table of a job: as given, or on only where it was measured faster than
 * computing each traveltime: with VTI eta (the table saves the eta division; 1.04x-1.24x on the
 * standard sub-grid, antialiased or not); without eta direct was faster (docs/performance.md).
 * The table needs one v(tau) in every bin, so that every tile builds the same rows and the image
 * does not depend on the tiling.
 *
 * @param job the job (`traveltimeTable`, `eta`)
 * @param laterallyConstant whether the velocity is one v(tau) in every bin
 * @returns the mode and why
 * @throws PstmError (exit 2) for `on` with a velocity that varies between bins
 */
function chooseTraveltimeTable(
  job: Pick<JobConfig, "traveltimeTable" | "eta">,
  laterallyConstant: boolean,
): { mode: TraveltimeTableMode; why: string } {
  if (job.traveltimeTable === "on" && !laterallyConstant) {
    throw new PstmError(
      "--traveltime-table on needs a velocity that is one v(tau) in every bin (a constant or " +
        "tau:v pairs); this velocity varies between bins; leave the flag out or give off",
      { field: "--traveltime-table" },
    );
  }
  if (job.traveltimeTable !== undefined) {
    return { mode: job.traveltimeTable, why: "given (traveltime-table)" };
  }
  if (job.eta !== 0 && laterallyConstant) {
    return { mode: "on", why: "VTI eta on one v(tau): measured faster than direct" };
  }
  return {
    mode: "off",
    why: job.eta !== 0
      ? "the velocity varies between bins"
      : "without eta direct was measured faster than the table",
  };
}

/**
 * The settings as lines for people (the job summary and `--plan`).
 *
 * @param s the settings
 * @param grid the output grid
 * @returns text lines, indented two spaces
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { formatSettings } from "./defaults.ts";
 * const lines = formatSettings({ mode: "full", aperture: 2000, maxAngle: 60, taper: 0.2,
 *   aa: true, rho: "2d", traveltimeTable: "off", traceSpacing: 12.5, traceSpacingY: 12.5,
 *   reasons: { grid: "--grid", rho: "the survey is a 2-D line", spacing: "measured",
 *   aperture: "reach", angle: "default", table: "direct" } },
 *   { x0: 0, y0: 0, dx: 12.5, dy: 12.5, nx: 161, ny: 1, azimuthDeg: 0 });
 * assert(lines.some((l) => l.includes("rho          2d (the survey is a 2-D line)")));
 * ```
 */
export function formatSettings(s: MigrationSettings, grid: GridSpec): string[] {
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  const units = s.units ?? surveyUnits(0);
  const m = units.length;
  return [
    `  units        ${describeUnits(units)}`,
    `  mode         ${s.mode}${s.mode === "plain" ? " (DESIGN.md 3: the bare formula)" : ""}`,
    `  grid         ${grid.nx} x ${grid.ny} bins of ${f(grid.dx)} x ${f(grid.dy)} ${m} from ` +
    `(${f(grid.x0)}, ${f(grid.y0)}), azimuth ${f(grid.azimuthDeg)} deg (${s.reasons.grid})`,
    `  rho          ${s.rho} (${s.reasons.rho})`,
    `  traveltimes  ${s.traveltimeTable === "on" ? "lookup table" : "direct"} (${s.reasons.table})`,
    `  antialiasing ${
      s.aa
        ? `on, ${f(s.traceSpacing)} ${m} along the azimuth, ${f(s.traceSpacingY)} ${m} across`
        : "off"
    }${s.aa ? ` (${s.reasons.spacing})` : ""}`,
    `  aperture     ${
      s.aperture > 0 ? `${f(s.aperture)} ${m}` : "unlimited"
    } (${s.reasons.aperture}), ` +
    `max angle ${s.maxAngle > 0 ? `${f(s.maxAngle)} deg` : "none"} (${s.reasons.angle}), ` +
    `taper ${f(s.taper)}`,
  ];
}

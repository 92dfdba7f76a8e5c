/**
 * The survey's length unit, from the SEG-Y binary header's measurement
 * system (bytes 3255-3256: 1 metres, 2 feet; 0, absent or anything else:
 * not stated, read as metres). Velocities are in that unit per second, and
 * the plausibility checks that have thresholds in metres convert them.
 *
 * @module
 */

/** Length unit of a survey: metres or feet. */
export type LengthUnit = "m" | "ft";

/** Velocity unit of a survey: m/s or ft/s. */
export type VelocityUnit = "m/s" | "ft/s";

/** The units a survey's coordinates and velocities are in. */
export interface SurveyUnits {
  /** Coordinates, offsets, bins, apertures: "m" or "ft". */
  length: LengthUnit;
  /** Velocities: "m/s" or "ft/s". */
  velocity: VelocityUnit;
  /** The binary header's measurement system as read (1 metres, 2 feet, 0 not stated). */
  measurementSystem: number;
}

/**
 * Metres in one international foot.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { METRES_PER_FOOT } from "./units.ts";
 * assert.equal(Math.round(10_000 * METRES_PER_FOOT), 3048); // 10,000 ft/s is 3,048 m/s
 * ```
 */
export const METRES_PER_FOOT = 0.3048;

/**
 * The units of a survey from its binary header's measurement system.
 *
 * @param measurementSystem bytes 3255-3256 (undefined for SU, which has no binary header)
 * @returns the units: feet for 2, metres otherwise
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { surveyUnits } from "./units.ts";
 * assert.deepEqual(surveyUnits(2), { length: "ft", velocity: "ft/s", measurementSystem: 2 });
 * assert.equal(surveyUnits(0).length, "m"); // not stated: metres
 * ```
 */
export function surveyUnits(measurementSystem: number | undefined): SurveyUnits {
  const system = measurementSystem ?? 0;
  return system === 2
    ? { length: "ft", velocity: "ft/s", measurementSystem: system }
    : { length: "m", velocity: "m/s", measurementSystem: system };
}

/**
 * A length given in metres expressed in a survey's unit (thresholds of the checks).
 *
 * @param metres the length in metres (or a velocity in m/s)
 * @param unit the survey's length unit
 * @returns the same length in that unit
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { fromMetres } from "./units.ts";
 * assert.equal(fromMetres(100, "m"), 100);
 * assert(Math.abs(fromMetres(0.3048, "ft") - 1) < 1e-12);
 * ```
 */
export function fromMetres(metres: number, unit: LengthUnit): number {
  return unit === "ft" ? metres / METRES_PER_FOOT : metres;
}

/**
 * How the units are described to people: "m (binary header measurement system 1)".
 *
 * @param units the survey's units
 * @returns one line
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { describeUnits, surveyUnits } from "./units.ts";
 * assert.match(describeUnits(surveyUnits(2)), /^ft, velocities in ft\/s/);
 * ```
 */
export function describeUnits(units: SurveyUnits): string {
  const why = units.measurementSystem === 1 || units.measurementSystem === 2
    ? `binary header measurement system ${units.measurementSystem}`
    : "measurement system not stated: metres";
  return `${units.length}, velocities in ${units.velocity} (${why})`;
}

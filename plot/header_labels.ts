/**
 * Axis labels for trace-header fields: the field a name means (the default
 * header map's names and segyio's aliases), a readable label and its unit.
 *
 * @module
 */

import { PstmError } from "../core/errors.ts";
import { DEFAULT_HEADER_MAP, HEADER_ALIASES } from "../pipeline/segy/header_map.ts";

import type { LengthUnit } from "../pipeline/segy/units.ts";

export type { LengthUnit } from "../pipeline/segy/units.ts";

const LABELS: Record<string, string> = {
  offset: "Offset",
  sx: "Source X",
  sy: "Source Y",
  gx: "Receiver X",
  gy: "Receiver Y",
  cdpx: "CDP X",
  cdpy: "CDP Y",
  gelev: "Receiver elevation",
  selev: "Source elevation",
  cdp: "CDP",
  fldr: "Field record",
  ep: "Source point",
  tracf: "Channel",
  tracl: "Trace in line",
  tracr: "Trace in file",
  cdpt: "Trace in CDP",
  inline: "Inline",
  crossline: "Crossline",
  azim: "Azimuth (deg)",
};

const LENGTHS = new Set(["offset", "sx", "sy", "gx", "gy", "cdpx", "cdpy", "gelev", "selev"]);

/**
 * The field of the default header map a name means: one of its names, or a
 * segyio alias (iline, cdp_x, ...), in any case.
 *
 * @param name the name given (e.g. on `--axis-header`)
 * @returns the field's name in the header map
 * @throws PstmError listing the known names when the name is unknown
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { resolveHeaderName } from "./header_labels.ts";
 * assert.equal(resolveHeaderName("CDP_X"), "cdpx");
 * assert.equal(resolveHeaderName("offset"), "offset");
 * ```
 */
export function resolveHeaderName(name: string): string {
  const key = name.trim().toLowerCase();
  if (key in DEFAULT_HEADER_MAP) return key;
  if (key in HEADER_ALIASES) return HEADER_ALIASES[key];
  throw new PstmError(
    `unknown trace header "${name}"; expected one of ${
      Object.keys(DEFAULT_HEADER_MAP).join(", ")
    } (or ${Object.keys(HEADER_ALIASES).join(", ")})`,
    { field: "--axis-header" },
  );
}

/**
 * The axis label of a header field, with its unit for lengths.
 *
 * @param field a name of the default header map
 * @param unit the survey's length unit
 * @returns e.g. "Offset (m)", "Source X (ft)", "CDP"
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { headerLabel } from "./header_labels.ts";
 * assert.equal(headerLabel("offset", "ft"), "Offset (ft)");
 * assert.equal(headerLabel("fldr", "m"), "Field record");
 * ```
 */
export function headerLabel(field: string, unit: LengthUnit): string {
  const label = LABELS[field] ?? field;
  return LENGTHS.has(field) ? `${label} (${unit})` : label;
}

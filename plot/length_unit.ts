/**
 * The length unit of a SEG-Y file, from the measurement system of its binary
 * header (bytes 3255-3256: 1 metres, 2 feet).
 *
 * @module
 */

import { BIN_MEASUREMENT_SYSTEM } from "../pipeline/segy/binary_header.ts";
import type { LengthUnit } from "./header_labels.ts";

/**
 * Reads the measurement system of a SEG-Y file: "ft" when bytes 3255-3256
 * hold 2, "m" otherwise (1, 0 or anything else, and for Seismic Unix files,
 * which have no binary header).
 *
 * @param path the file
 * @param info its kind and byte order (SegyFile's `info`)
 * @returns the unit
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { readLengthUnit } from "./length_unit.ts";
 * const f3 = new URL("../../shared/data/segy/f3.sgy", import.meta.url).pathname;
 * assert.equal(await readLengthUnit(f3, { kind: "segy", littleEndian: false }), "m");
 * ```
 */
export async function readLengthUnit(
  path: string,
  info: { kind: string; littleEndian: boolean },
): Promise<LengthUnit> {
  if (info.kind !== "segy") return "m";
  using file = await Deno.open(path, { read: true });
  await file.seek(BIN_MEASUREMENT_SYSTEM - 1, Deno.SeekMode.Start);
  const bytes = new Uint8Array(2);
  let got = 0;
  while (got < 2) {
    const n = await file.read(bytes.subarray(got));
    if (n === null) return "m";
    got += n;
  }
  const code = new DataView(bytes.buffer).getInt16(0, info.littleEndian);
  return code === 2 ? "ft" : "m";
}

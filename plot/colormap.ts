/**
 * Colour maps: "grey" and "seismic" (blue-white-red, white at the middle) for
 * amplitudes, "viridis" (sequential) for fold and velocity.
 *
 * @module
 */

import type { Rgb } from "./raster.ts";
import { type ColormapName, COLORMAPS, isOption } from "../core/options.ts";

export type { ColormapName } from "../core/options.ts";

/** Names accepted by `--colormap` (core/options.ts `COLORMAPS`). */
export const COLORMAP_NAMES: readonly ColormapName[] = COLORMAPS.names;

/** Colour stops at evenly spaced positions from 0 to 1. */
const STOPS: Record<ColormapName, readonly Rgb[]> = {
  // low amplitudes black, high white
  grey: [[0, 0, 0], [255, 255, 255]],
  // dark blue, blue, white (zero), red, dark red: matplotlib's "seismic"
  seismic: [[0, 0, 77], [0, 0, 255], [255, 255, 255], [255, 0, 0], [128, 0, 0]],
  // matplotlib's viridis sampled at 0, 0.1, ..., 1
  viridis: [
    [68, 1, 84],
    [72, 36, 117],
    [65, 68, 135],
    [53, 95, 141],
    [42, 120, 142],
    [33, 145, 140],
    [34, 168, 132],
    [68, 191, 112],
    [122, 209, 81],
    [189, 223, 38],
    [253, 231, 37],
  ],
};

/**
 * The colour of position `t` in [0, 1] on a colour map (clamped; linear
 * between stops).
 *
 * @param name the colour map
 * @param t position, 0 = low end, 1 = high end
 * @returns the colour
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { colorAt } from "./colormap.ts";
 * assert(colorAt("seismic", 0.5).join() === "255,255,255");
 * ```
 */
export function colorAt(name: ColormapName, t: number): Rgb {
  const stops = STOPS[name];
  const u = Math.min(1, Math.max(0, Number.isNaN(t) ? 0.5 : t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const [a, b] = [stops[i], stops[i + 1]];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** A colour lookup table: `size` RGB triples from the low end to the high end. */
export interface ColorLut {
  /** Number of entries (odd, so that the middle entry is exactly t = 0.5). */
  size: number;
  /** `size * 3` bytes. */
  rgb: Uint8Array;
}

/**
 * Builds a lookup table for fast per-pixel colouring.
 *
 * @param name the colour map
 * @param size entries (odd keeps t = 0.5 exact)
 * @returns the table
 */
export function buildLut(name: ColormapName, size = 1023): ColorLut {
  const rgb = new Uint8Array(size * 3);
  for (let i = 0; i < size; i++) rgb.set(colorAt(name, i / (size - 1)), i * 3);
  return { size, rgb };
}

/**
 * Checks a user-given colour map name.
 *
 * @param name the name
 * @returns true when it is one of COLORMAP_NAMES
 */
export function isColormapName(name: string): name is ColormapName {
  return isOption(COLORMAPS, name);
}

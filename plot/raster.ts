/**
 * An RGBA pixel raster and the few drawing primitives the plots need.
 *
 * @module
 */

/** An 8-bit RGB colour. */
export type Rgb = readonly [number, number, number];

/** An RGBA image, row-major, 4 bytes per pixel, alpha always 255. */
export interface Raster {
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
  /** `width * height * 4` bytes: r, g, b, a for each pixel, row after row. */
  rgba: Uint8Array;
}

/** White, the background of every plot. */
export const WHITE: Rgb = [255, 255, 255];
/** Black, used for axes and text. */
export const BLACK: Rgb = [0, 0, 0];

/**
 * Creates a raster filled with one colour.
 *
 * @param width width in pixels (a positive integer)
 * @param height height in pixels (a positive integer)
 * @param background fill colour
 * @returns the raster
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { createRaster } from "./raster.ts";
 * const r = createRaster(2, 1, [255, 0, 0]);
 * assert(r.rgba.length === 8 && r.rgba[0] === 255 && r.rgba[3] === 255);
 * ```
 */
export function createRaster(width: number, height: number, background: Rgb = WHITE): Raster {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(
      `Cannot create raster as width and height must be positive integers: ` +
        `current values are ${width} x ${height}`,
    );
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) {
    rgba[i] = background[0];
    rgba[i + 1] = background[1];
    rgba[i + 2] = background[2];
    rgba[i + 3] = 255;
  }
  return { width, height, rgba };
}

/**
 * Sets one pixel; coordinates outside the raster are ignored.
 *
 * @param raster the raster
 * @param x column
 * @param y row
 * @param color colour
 */
export function setPixel(raster: Raster, x: number, y: number, color: Rgb): void {
  if (x < 0 || y < 0 || x >= raster.width || y >= raster.height) return;
  const i = (y * raster.width + x) * 4;
  raster.rgba[i] = color[0];
  raster.rgba[i + 1] = color[1];
  raster.rgba[i + 2] = color[2];
  raster.rgba[i + 3] = 255;
}

/**
 * Reads one pixel's colour.
 *
 * @param raster the raster
 * @param x column
 * @param y row
 * @returns its r, g, b
 */
export function getPixel(raster: Raster, x: number, y: number): Rgb {
  if (x < 0 || y < 0 || x >= raster.width || y >= raster.height) {
    throw new RangeError(
      `Cannot read pixel (${x}, ${y}) as it lies outside the ${raster.width} x ${raster.height} raster`,
    );
  }
  const i = (y * raster.width + x) * 4;
  return [raster.rgba[i], raster.rgba[i + 1], raster.rgba[i + 2]];
}

/**
 * Fills an axis-aligned rectangle, clipped to the raster.
 *
 * @param raster the raster
 * @param x left column
 * @param y top row
 * @param width width in pixels
 * @param height height in pixels
 * @param color colour
 */
export function fillRect(
  raster: Raster,
  x: number,
  y: number,
  width: number,
  height: number,
  color: Rgb,
): void {
  const x0 = Math.max(0, Math.round(x));
  const y0 = Math.max(0, Math.round(y));
  const x1 = Math.min(raster.width, Math.round(x + width));
  const y1 = Math.min(raster.height, Math.round(y + height));
  for (let row = y0; row < y1; row++) {
    for (let col = x0; col < x1; col++) setPixel(raster, col, row, color);
  }
}

/**
 * Draws the outline of a rectangle `thickness` pixels wide, just outside the
 * given box so that the box's own pixels are left untouched.
 *
 * @param raster the raster
 * @param x left column of the box
 * @param y top row of the box
 * @param width box width
 * @param height box height
 * @param color colour
 * @param thickness line width in pixels
 */
export function strokeRect(
  raster: Raster,
  x: number,
  y: number,
  width: number,
  height: number,
  color: Rgb,
  thickness = 1,
): void {
  const t = thickness;
  fillRect(raster, x - t, y - t, width + 2 * t, t, color);
  fillRect(raster, x - t, y + height, width + 2 * t, t, color);
  fillRect(raster, x - t, y, t, height, color);
  fillRect(raster, x + width, y, t, height, color);
}

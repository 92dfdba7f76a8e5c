/**
 * PNG encoding of rasters (through fast-png) and writing them to disk.
 *
 * @module
 */

import { encode } from "fast-png";
import { PstmError } from "../core/errors.ts";
import type { Raster } from "./raster.ts";

/**
 * Encodes a raster as an 8-bit RGB PNG.
 *
 * @param raster the image
 * @returns the PNG file bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { createRaster } from "./raster.ts";
 * import { encodePng } from "./png.ts";
 * const png = encodePng(createRaster(4, 3));
 * assert(png[1] === 0x50 && png[2] === 0x4e && png[3] === 0x47); // "PNG"
 * ```
 */
export function encodePng(raster: Raster): Uint8Array {
  const rgb = new Uint8Array(raster.width * raster.height * 3);
  for (let i = 0, o = 0; i < raster.rgba.length; i += 4, o += 3) {
    rgb[o] = raster.rgba[i];
    rgb[o + 1] = raster.rgba[i + 1];
    rgb[o + 2] = raster.rgba[i + 2];
  }
  return encode({ width: raster.width, height: raster.height, data: rgb, channels: 3, depth: 8 });
}

/**
 * Writes PNG bytes to a file, turning file-system failures into a PstmError
 * that names the file (exit code 1).
 *
 * @param path output path
 * @param png the bytes
 */
export async function writePng(path: string, png: Uint8Array): Promise<void> {
  try {
    await Deno.writeFile(path, png);
  } catch (error) {
    throw new PstmError(
      `cannot write the PNG: ${error instanceof Error ? error.message : error}`,
      { file: path },
      1,
      { cause: error },
    );
  }
}

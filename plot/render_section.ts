/**
 * Renders a 2-D array straight to PNG bytes.
 *
 * @module
 */

import { encodePng } from "./png.ts";
import type { SectionPlotOptions } from "./plot_options.ts";
import { renderRaster } from "./render_raster.ts";

/**
 * Renders `rows x cols` values (row-major, e.g. time down and traces across)
 * as a PNG with axes, title and colour bar; see renderRaster for the
 * options.
 *
 * @param data `rows * cols` values, row after row
 * @param rows number of rows
 * @param cols number of columns
 * @param options title, colour map, clip, axes, size
 * @returns the PNG file bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { decode } from "fast-png";
 * import { renderSection } from "./render_section.ts";
 * const png = renderSection(new Float32Array(50 * 20), 50, 20, { width: 400 });
 * assert(decode(png).width === 400);
 * ```
 */
export function renderSection(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  options: SectionPlotOptions = {},
): Uint8Array {
  return encodePng(renderRaster(data, rows, cols, options));
}

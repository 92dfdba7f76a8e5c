/**
 * Renders a fold map (traces per bin on the output grid) as a PNG.
 *
 * @module
 */

import type { ValueRange } from "./clip.ts";
import { encodePng } from "./png.ts";
import type { AxisSpec } from "./plot_options.ts";
import { type RenderedPlot, renderRaster } from "./render_raster.ts";

/** Options of renderFoldMap. */
export interface FoldMapOptions {
  /** Title (default "Fold"). */
  title?: string;
  /** Coordinates of the x bins (default first 0, step 1). */
  xAxis?: AxisSpec;
  /** Coordinates of the y bins (default first 0, step 1). */
  yAxis?: AxisSpec;
  /** x axis label (default "x (m)"). */
  xLabel?: string;
  /** y axis label (default "y (m)"). */
  yLabel?: string;
  /** Total image width in pixels. */
  width?: number;
  /** Total image height in pixels. */
  height?: number;
}

/**
 * Renders fold on an `nx x ny` grid, stored x fastest (`fold[iy * nx + ix]`),
 * as a map with y increasing upward, the sequential "viridis" colour map
 * from zero to the largest fold, and a colour bar labelled "fold".
 *
 * @param fold `nx * ny` counts
 * @param nx bins along x
 * @param ny bins along y
 * @param options title, axes, size
 * @returns the PNG file bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { decode } from "fast-png";
 * import { renderFoldMap } from "./fold_map.ts";
 * const png = renderFoldMap(new Uint32Array([0, 1, 2, 3, 4, 5]), 3, 2);
 * assert(decode(png).height > 200);
 * ```
 */
export function renderFoldMap(
  fold: Float32Array | Uint32Array | ArrayLike<number>,
  nx: number,
  ny: number,
  options: FoldMapOptions = {},
): Uint8Array {
  return encodePng(renderFoldMapRaster(fold, nx, ny, options));
}

/**
 * Like renderFoldMap, but returns the raster and its layout instead of PNG
 * bytes.
 *
 * @param fold `nx * ny` counts, x fastest
 * @param nx bins along x
 * @param ny bins along y
 * @param options title, axes, size
 * @returns the rendered plot
 */
export function renderFoldMapRaster(
  fold: Float32Array | Uint32Array | ArrayLike<number>,
  nx: number,
  ny: number,
  options: FoldMapOptions = {},
): RenderedPlot {
  return renderRaster(fold, ny, nx, {
    title: options.title ?? "Fold",
    colormap: "viridis",
    range: foldRange(fold),
    xAxis: options.xAxis ?? { first: 0, step: 1 },
    yAxis: options.yAxis ?? { first: 0, step: 1 },
    xLabel: options.xLabel ?? "x (m)",
    yLabel: options.yLabel ?? "y (m)",
    yUp: true,
    colorbarLabel: "fold",
    width: options.width,
    height: options.height,
  });
}

/** Zero (or the smallest fold, if negative) to the largest fold, at least [0, 1]. */
function foldRange(fold: ArrayLike<number>): ValueRange {
  let min = 0;
  let max = 1;
  for (let i = 0; i < fold.length; i++) {
    if (fold[i] < min) min = fold[i];
    if (fold[i] > max) max = fold[i];
  }
  return { min, max };
}

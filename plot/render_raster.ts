/**
 * Renders a 2-D array (rows x cols, e.g. time down and traces across) into
 * an RGBA raster with axes, title and colour bar.
 *
 * @module
 */

import { clipRange, type ValueRange } from "./clip.ts";
import { buildLut } from "./colormap.ts";
import { drawAxes } from "./draw_axes.ts";
import { colorbarLabels, drawColorbar } from "./draw_colorbar.ts";
import { cellPixel, drawImage } from "./draw_image.ts";
import { type Box, computeLayout, type Tick } from "./plot_layout.ts";
import type { SectionPlotOptions } from "./plot_options.ts";
import { createRaster, type Raster } from "./raster.ts";

/** A rendered plot: the raster plus where its parts are. */
export interface RenderedPlot extends Raster {
  /** The data area. */
  plot: Box;
  /** The colour bar. */
  colorbar: Box;
  /** The values mapped to the colour map's ends. */
  range: ValueRange;
  /** The title as drawn, wrapped and shortened to the image width. */
  titleLines: string[];
  /** Where the x tick labels are: their pixel and their text in each row. */
  xTicks: Tick[];
  /**
   * The pixel (image column and row) showing data cell (row, col).
   *
   * @param row data row
   * @param col data column
   * @returns the pixel
   */
  pixelOf(row: number, col: number): { x: number; y: number };
}

/**
 * Renders `rows x cols` values (row-major) into an RGBA raster: the data
 * coloured through a colour map with percentile clipping, a frame with
 * ticks and numeric labels, axis labels, a title and a colour bar.
 *
 * @param data `rows * cols` values, row after row
 * @param rows number of rows (y axis)
 * @param cols number of columns (x axis)
 * @param options title, colour map, clip, axes, size
 * @returns the raster and its layout
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { renderRaster } from "./render_raster.ts";
 * const data = new Float32Array(20 * 10);
 * data[5 * 10 + 3] = 1;
 * const plot = renderRaster(data, 20, 10, { title: "spike" });
 * const { x, y } = plot.pixelOf(5, 3);
 * const i = (y * plot.width + x) * 4;
 * assert(plot.rgba[i] === 128 && plot.rgba[i + 2] === 0); // dark red
 * ```
 */
export function renderRaster(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  options: SectionPlotOptions = {},
): RenderedPlot {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new RangeError(
      `Cannot render as rows and cols must be positive integers: current values are ` +
        `${rows} x ${cols}`,
    );
  }
  if (data.length !== rows * cols) {
    throw new RangeError(
      `Cannot render as data must hold rows * cols = ${rows * cols} values: ` +
        `current length is ${data.length}`,
    );
  }
  for (const [name, axis] of [["xAxis", options.xAxis], ["yAxis", options.yAxis]] as const) {
    if (axis && (!Number.isFinite(axis.first) || !Number.isFinite(axis.step) || axis.step === 0)) {
      throw new RangeError(
        `Cannot render as ${name} needs a finite first and a non-zero step: ` +
          `current values are ${axis.first}, ${axis.step}`,
      );
    }
  }
  const colormap = options.colormap ?? "seismic";
  const symmetric = options.symmetric ?? colormap !== "viridis";
  const range = options.range ?? clipRange(data, options.clipPercentile ?? 99, symmetric);
  if (!(range.max > range.min)) {
    throw new RangeError(
      `Cannot render as range.max must exceed range.min: current values are ` +
        `${range.min}, ${range.max}`,
    );
  }
  const lut = buildLut(colormap);
  const layout = computeLayout(rows, cols, options, colorbarLabels(range));
  const raster = createRaster(layout.width, layout.height);
  const yUp = options.yUp === true;
  drawImage(
    raster,
    layout.plot,
    { data, rows, cols },
    range,
    lut,
    options.interpolation ?? "nearest",
    yUp,
  );
  drawAxes(raster, layout, {
    xLabel: options.xLabel ?? "trace",
    yLabel: options.yLabel ?? "sample",
  });
  drawColorbar(
    raster,
    layout.colorbar,
    range,
    lut,
    options.colorbarLabel ?? "amplitude",
    layout.textScale,
  );
  return {
    ...raster,
    plot: layout.plot,
    colorbar: layout.colorbar,
    range,
    titleLines: layout.titleLines,
    xTicks: layout.xTicks,
    pixelOf: (row, col) => cellPixel(layout.plot, rows, cols, row, col, yUp),
  };
}

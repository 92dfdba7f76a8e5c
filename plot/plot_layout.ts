/**
 * Where everything goes in a plot: margins, plot area, colour bar, and the
 * axis ticks that fit without their labels overlapping.
 *
 * @module
 */

import { formatTick, niceStep, tickValues } from "./axis_ticks.ts";
import { GLYPH_ADVANCE, textHeight, textWidth } from "./font.ts";
import type { AxisSpec, SectionPlotOptions } from "./plot_options.ts";

/** An axis-aligned box in pixels. */
export interface Box {
  /** Left column. */
  x: number;
  /** Top row. */
  y: number;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** One tick: its value, label and pixel position along the axis. */
export interface Tick {
  /** Coordinate value. */
  value: number;
  /** Label text. */
  label: string;
  /** Pixel column (x axis) or row (y axis) in the image. */
  pixel: number;
}

/** The geometry of a plot. */
export interface PlotLayout {
  /** Image width. */
  width: number;
  /** Image height. */
  height: number;
  /** The data area. */
  plot: Box;
  /** The colour bar. */
  colorbar: Box;
  /** Text scale (pixels per font pixel). */
  textScale: number;
  /** Ticks along the x axis. */
  xTicks: Tick[];
  /** Ticks along the y axis. */
  yTicks: Tick[];
}

/** Default plot-area width in pixels. */
export const DEFAULT_PLOT_WIDTH = 720;
const MIN_PLOT = 16;

/**
 * Lays out a plot of `rows x cols` data.
 *
 * @param rows data rows
 * @param cols data columns
 * @param options plot options
 * @param colorbarLabels the labels written beside the colour bar (for its margin)
 * @returns the layout
 */
export function computeLayout(
  rows: number,
  cols: number,
  options: SectionPlotOptions,
  colorbarLabels: string[],
): PlotLayout {
  const s = options.textScale ?? ((options.width ?? 900) >= 600 ? 2 : 1);
  const fh = textHeight(s);
  const pad = 4 * s;
  const tick = 4 * s;
  const xAxis = options.xAxis ?? { first: 1, step: 1 };
  const yAxis = options.yAxis ?? { first: 0, step: 1 };

  const top = options.title ? pad * 2 + fh + pad * 2 : pad * 3;
  const bottom = tick + pad + fh + pad * 2 + fh + pad * 2;
  const barGap = 8 * s;
  const barWidth = 8 * s;
  const labelWidth = Math.max(...colorbarLabels.map((t) => textWidth(t, s)), 0);
  const right = barGap + barWidth + pad + labelWidth + pad * 2 +
    (options.colorbarLabel === "" ? 0 : fh + pad * 2);

  // The left margin depends on the y tick labels, which depend on the plot
  // height, which may depend on the plot width: two passes settle it.
  let left = pad + fh + pad * 2 + textWidth("0000", s) + pad + tick;
  let plotWidth = 0;
  let plotHeight = 0;
  let yTicks: Tick[] = [];
  for (let pass = 0; pass < 2; pass++) {
    plotWidth = options.width !== undefined
      ? options.width - left - right
      : options.plotWidth ?? DEFAULT_PLOT_WIDTH;
    if (plotWidth < MIN_PLOT) {
      throw new RangeError(
        `Cannot lay out the plot as width ${options.width} leaves ${plotWidth} px for the data; ` +
          `it needs at least ${left + right + MIN_PLOT}`,
      );
    }
    plotHeight = options.height !== undefined
      ? options.height - top - bottom
      : defaultPlotHeight(rows, cols, plotWidth);
    if (plotHeight < MIN_PLOT) {
      throw new RangeError(
        `Cannot lay out the plot as height ${options.height} leaves ${plotHeight} px for the ` +
          `data; it needs at least ${top + bottom + MIN_PLOT}`,
      );
    }
    yTicks = axisTicks(yAxis, rows, top, plotHeight, options.yUp === true, () => 3 * fh, s);
    const widest = Math.max(0, ...yTicks.map((t) => textWidth(t.label, s)));
    left = pad + fh + pad * 2 + widest + pad + tick;
  }
  const xTicks = axisTicks(
    xAxis,
    cols,
    left,
    plotWidth,
    false,
    (labels) => Math.max(0, ...labels.map((l) => textWidth(l, s))) + 3 * GLYPH_ADVANCE * s,
    s,
  );
  const plot = { x: left, y: top, width: plotWidth, height: plotHeight };
  const titleWidth = options.title ? textWidth(options.title, s) + 2 * pad : 0;
  return {
    width: Math.max(left + plotWidth + right, titleWidth),
    height: top + plotHeight + bottom,
    plot,
    colorbar: { x: left + plotWidth + barGap, y: top, width: barWidth, height: plotHeight },
    textScale: s,
    xTicks,
    yTicks,
  };
}

/**
 * The plot height for data of `rows x cols` at `plotWidth`: square cells
 * when that is reasonable, at least 2 px per row when the data is small, no
 * less than 200 px and no more than 1.25 times the width (or 600 px, for
 * narrow plots such as gathers).
 *
 * @param rows data rows
 * @param cols data columns
 * @param plotWidth plot-area width
 * @returns the plot-area height
 */
export function defaultPlotHeight(rows: number, cols: number, plotWidth: number): number {
  let h = Math.round((plotWidth * rows) / cols);
  h = Math.max(h, Math.min(2 * rows, plotWidth), 200);
  return Math.min(h, Math.max(600, Math.round(1.25 * plotWidth)));
}

/**
 * Pixel position (image column or row) of a coordinate value along an axis
 * of `n` cells drawn over `length` pixels from `start`.
 *
 * @param axis the axis coordinates
 * @param n number of cells
 * @param start first pixel of the plot area along the axis
 * @param length plot-area length in pixels
 * @param upward whether cell 0 is at the far end (y axes of maps)
 * @param value the coordinate
 * @returns the pixel (fractional)
 */
export function valueToPixel(
  axis: AxisSpec,
  n: number,
  start: number,
  length: number,
  upward: boolean,
  value: number,
): number {
  const cell = (value - axis.first) / axis.step;
  const along = ((cell + 0.5) * length) / n;
  return upward ? start + length - along : start + along;
}

function axisTicks(
  axis: AxisSpec,
  n: number,
  start: number,
  length: number,
  upward: boolean,
  minSpacing: (labels: string[]) => number,
  scale: number,
): Tick[] {
  const a = axis.first - 0.5 * axis.step;
  const b = axis.first + (n - 0.5) * axis.step;
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const pixelsPerUnit = length / Math.abs(n * axis.step);
  const maxTicks = Math.max(1, Math.floor(length / (4 * GLYPH_ADVANCE * scale)));
  for (let count = maxTicks; count >= 1; count--) {
    const step = niceStep(hi - lo, count);
    const values = tickValues(lo, hi, step);
    const labels = values.map((v) => formatTick(v, step));
    if (count > 1 && step * pixelsPerUnit < minSpacing(labels)) continue;
    return values.map((value, i) => ({
      value,
      label: labels[i],
      pixel: Math.round(valueToPixel(axis, n, start, length, upward, value) - 0.5),
    }));
  }
  return [];
}

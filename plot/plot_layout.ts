/**
 * Where everything goes in a plot: margins, plot area, colour bar, and the
 * axis ticks that fit without their labels overlapping.
 *
 * @module
 */

import { formatTick, niceStep, tickValues } from "./axis_ticks.ts";
import { wrapText } from "./fit_text.ts";
import { GLYPH_ADVANCE, textHeight, textWidth } from "./font.ts";
import type { AxisSpec, SectionPlotOptions, TickRow } from "./plot_options.ts";

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
  /** Label text (of the first row). */
  label: string;
  /** Labels of every tick row, nearest the axis first (x axis: one per row; y axis: own, secondary). */
  labels: string[];
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
  /** Names of the x tick rows, nearest the axis first. */
  xRowNames: string[];
  /** Name of the secondary y tick column ("" for none). */
  ySecondaryName: string;
  /** The title as drawn: wrapped and shortened to the image width (none: no title). */
  titleLines: string[];
}

/** Most lines a title is wrapped onto. */
export const MAX_TITLE_LINES = 2;

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
  const pad = 4 * s;
  const title = options.title ?? "";
  let layout = layoutWithTitle(rows, cols, options, colorbarLabels, title ? 1 : 0);
  if (!title) return layout;
  let lines = wrapText(title, layout.width - 2 * pad, s, MAX_TITLE_LINES);
  if (lines.length > 1) {
    layout = layoutWithTitle(rows, cols, options, colorbarLabels, lines.length);
    lines = wrapText(title, layout.width - 2 * pad, s, lines.length);
  }
  return { ...layout, titleLines: lines };
}

/** Lays out the plot with room for `titleLines` lines of title. */
function layoutWithTitle(
  rows: number,
  cols: number,
  options: SectionPlotOptions,
  colorbarLabels: string[],
  titleLines: number,
): PlotLayout {
  const s = options.textScale ?? ((options.width ?? 900) >= 600 ? 2 : 1);
  const fh = textHeight(s);
  const pad = 4 * s;
  const tick = 4 * s;
  const xAxis = options.xAxis ?? { first: 1, step: 1 };
  const yAxis = options.yAxis ?? { first: 0, step: 1 };
  const xRows: TickRow[] = options.xTickRows?.length ? options.xTickRows : [{ name: "" }];
  const ySecondary = options.ySecondary;

  const top = titleLines > 0 ? pad * 2 + titleLines * (fh + pad) - pad + pad * 2 : pad * 3;
  const bottom = tick + pad + xRows.length * (fh + pad) + pad + fh + pad * 2;
  const barGap = 8 * s;
  const barWidth = 8 * s;
  const labelWidth = Math.max(...colorbarLabels.map((t) => textWidth(t, s)), 0);
  const right = barGap + barWidth + pad + labelWidth + pad * 2 +
    (options.colorbarLabel === "" ? 0 : fh + pad * 2);
  const rowNames = Math.max(0, ...xRows.map((r) => textWidth(r.name, s)));
  const minLeft = rowNames > 0 ? rowNames + tick + pad * 3 : 0;

  // The left margin depends on the y tick labels, which depend on the plot
  // height, which may depend on the plot width: two passes settle it.
  let left = Math.max(minLeft, pad + fh + pad * 2 + textWidth("0000", s) + pad + tick);
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
    const yRows: TickRow[] = ySecondary ? [{ name: "" }, ySecondary] : [{ name: "" }];
    yTicks = axisTicks(yAxis, rows, top, plotHeight, options.yUp === true, () => 3 * fh, s, yRows);
    const widest = (k: number) => Math.max(0, ...yTicks.map((t) => textWidth(t.labels[k], s)));
    const labels = widest(0) + (ySecondary ? pad * 3 + widest(1) : 0);
    left = Math.max(minLeft, pad + fh + pad * 2 + labels + pad + tick);
  }
  const xTicks = axisTicks(
    xAxis,
    cols,
    left,
    plotWidth,
    false,
    (labels) => Math.max(0, ...labels.map((l) => textWidth(l, s))) + 3 * GLYPH_ADVANCE * s,
    s,
    xRows,
  );
  const plot = { x: left, y: top, width: plotWidth, height: plotHeight };
  return {
    width: left + plotWidth + right,
    height: top + plotHeight + bottom,
    plot,
    colorbar: { x: left + plotWidth + barGap, y: top, width: barWidth, height: plotHeight },
    textScale: s,
    xTicks,
    yTicks,
    xRowNames: xRows.map((r) => r.name),
    ySecondaryName: ySecondary?.name ?? "",
    titleLines: [],
  };
}

/**
 * A tick row's label for a value: whole numbers as they are, others rounded
 * to whole numbers from 1000 up, one decimal from 100 up and three
 * significant digits below (blank for NaN).
 *
 * @param value the value
 * @returns the label
 */
export function formatRowValue(value: number): string {
  if (!Number.isFinite(value)) return "";
  if (Number.isInteger(value)) return String(value);
  const a = Math.abs(value);
  if (a >= 1000) return value.toFixed(0);
  if (a >= 100) return value.toFixed(1);
  return String(Number(value.toPrecision(3)));
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
  rows: TickRow[],
): Tick[] {
  const a = axis.first - 0.5 * axis.step;
  const b = axis.first + (n - 0.5) * axis.step;
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  const pixelsPerUnit = length / Math.abs(n * axis.step);
  const maxTicks = Math.max(1, Math.floor(length / (4 * GLYPH_ADVANCE * scale)));
  const rowLabel = (row: TickRow, value: number, step: number): string => {
    if (!row.values) return formatTick(value, step);
    const cell = Math.round((value - axis.first) / axis.step);
    return cell >= 0 && cell < n ? formatRowValue(row.values[cell]) : "";
  };
  for (let count = maxTicks; count >= 1; count--) {
    const step = niceStep(hi - lo, count);
    // Rows that label cells need ticks on cell centres, a cell or more apart.
    const cellRows = rows.some((r) => r.values);
    if (cellRows && count > 1 && step < Math.abs(axis.step) * (1 - 1e-9)) continue;
    const onCell = (v: number) => {
      const cell = (v - axis.first) / axis.step;
      return Math.abs(cell - Math.round(cell)) < 1e-6;
    };
    const values = tickValues(lo, hi, step).filter((v) => !cellRows || onCell(v));
    if (values.length === 0 && count > 1) continue;
    const labels = values.map((v) => rows.map((row) => rowLabel(row, v, step)));
    if (count > 1 && step * pixelsPerUnit < minSpacing(labels.flat())) continue;
    return values.map((value, i) => ({
      value,
      label: labels[i][0],
      labels: labels[i],
      pixel: Math.round(valueToPixel(axis, n, start, length, upward, value) - 0.5),
    }));
  }
  return [];
}

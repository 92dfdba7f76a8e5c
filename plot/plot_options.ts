/**
 * The options every raster plot takes (sections, slices, gathers, fold maps).
 *
 * @module
 */

import type { ValueRange } from "./clip.ts";
import type { ColormapName } from "./colormap.ts";

/** How one data axis maps to coordinates: cell `i` sits at `first + i * step`. */
export interface AxisSpec {
  /** Coordinate of the first row or column (its centre). */
  first: number;
  /** Coordinate increment per row or column (non-zero; may be negative). */
  step: number;
}

/**
 * A row of tick labels under the x axis (or a column beside the y axis):
 * at each tick, the value of the cell under it.
 */
export interface TickRow {
  /** Name written at the row's start, with its unit ("X (m)"); "" for none. */
  name: string;
  /**
   * One value per column (row) of the data, NaN where there is none; absent:
   * the axis' own coordinate (the tick value).
   */
  values?: ArrayLike<number>;
}

/** How data values are sampled onto plot pixels. */
export type Interpolation = "nearest" | "bilinear";

/** Options of renderRaster / renderSection. Every field is optional. */
export interface SectionPlotOptions {
  /** Title above the plot. */
  title?: string;
  /** Colour map (default "seismic"). */
  colormap?: ColormapName;
  /** Percentile clip, in (0, 100] (default 99; 100 shows the full range). */
  clipPercentile?: number;
  /** Clip symmetrically about zero (default: true except for "viridis"). */
  symmetric?: boolean;
  /** Explicit value range; overrides clipping. */
  range?: ValueRange;
  /** Column coordinates (default first 1, step 1). */
  xAxis?: AxisSpec;
  /** Row coordinates (default first 0, step 1). */
  yAxis?: AxisSpec;
  /** Label under the x axis, with its unit (default "trace"). */
  xLabel?: string;
  /** Label beside the y axis, with its unit (default "sample"). */
  yLabel?: string;
  /**
   * Rows of tick labels under the x axis, nearest the axis first (default:
   * one unnamed row of the axis' coordinate). Ticks sit at nice values of
   * `xAxis`; each row labels them with its own values (a line number, CDP X,
   * offset ...).
   */
  xTickRows?: TickRow[];
  /**
   * A second column of y tick labels, left of the axis' own (a distance
   * beside the inline numbers of a time slice).
   */
  ySecondary?: TickRow;
  /** Row 0 at the bottom and the y axis increasing upward (maps); default false (time down). */
  yUp?: boolean;
  /** Label of the colour bar (default "amplitude"). */
  colorbarLabel?: string;
  /** Total image width in pixels; the plot area is what the margins leave. */
  width?: number;
  /** Total image height in pixels; default from the data's aspect, capped. */
  height?: number;
  /** Plot-area width when `width` is not given (default 720). */
  plotWidth?: number;
  /** Text scale in pixels per font pixel (default 2, or 1 for images under 600 px wide). */
  textScale?: number;
  /** Sampling of data onto pixels (default "nearest"). */
  interpolation?: Interpolation;
}

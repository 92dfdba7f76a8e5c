/**
 * What `pstm plot` hands the renderer: a 2-D array with its axes, labels and
 * title.
 *
 * @module
 */

import type { AxisSpec, TickRow } from "./plot_options.ts";

/** A 2-D array ready for renderRaster, with its axes and a title. */
export interface Section {
  /** `rows * cols` values, row after row; NaN where no trace exists. */
  data: Float32Array;
  /** Rows (time samples; inlines for a time slice). */
  rows: number;
  /** Columns (crosslines, inlines, offsets or traces). */
  cols: number;
  /** Column coordinates. */
  xAxis: AxisSpec;
  /** Row coordinates. */
  yAxis: AxisSpec;
  /** x axis label, with its unit. */
  xLabel: string;
  /** y axis label, with its unit. */
  yLabel: string;
  /** Rows of x tick labels (line numbers, CDP X/Y, offsets, trace numbers); absent: the x axis' own. */
  xTickRows?: TickRow[];
  /** A second column of y tick labels (a distance beside inline numbers). */
  ySecondary?: TickRow;
  /** Whether row 0 belongs at the bottom (maps). */
  yUp: boolean;
  /** A title naming the file and the selection. */
  title: string;
  /** Number of traces read (besides the header pass). */
  tracesRead: number;
  /** For gathers in trace order: the file's (zero-based) trace index of each column. */
  traces?: number[];
}

/**
 * Draws the frame, ticks, tick labels, axis labels and title of a plot.
 *
 * @module
 */

import { drawText, textHeight, textWidth } from "./font.ts";
import type { PlotLayout } from "./plot_layout.ts";
import { BLACK, fillRect, type Raster, strokeRect } from "./raster.ts";

/** Text drawn around the plot area. */
export interface AxisText {
  /** Title, centred above the plot area. */
  title?: string;
  /** Label under the x axis. */
  xLabel: string;
  /** Label left of the y axis, reading upward. */
  yLabel: string;
}

/**
 * Draws a frame just outside the plot area, outward ticks with their labels
 * on the bottom and left edges, the axis labels and the title.
 *
 * @param raster the image
 * @param layout the plot geometry
 * @param text title and axis labels
 */
export function drawAxes(raster: Raster, layout: PlotLayout, text: AxisText): void {
  const { plot, textScale: s } = layout;
  const fh = textHeight(s);
  const pad = 4 * s;
  const tick = 4 * s;
  const line = Math.max(1, s >> 1);
  strokeRect(raster, plot.x, plot.y, plot.width, plot.height, BLACK, line);

  const bottom = plot.y + plot.height + line;
  for (const t of layout.xTicks) {
    fillRect(raster, t.pixel, bottom, line, tick, BLACK);
    const w = textWidth(t.label, s);
    const x = Math.min(Math.max(0, t.pixel - (w >> 1)), raster.width - w);
    drawText(raster, t.label, x, bottom + tick + pad, BLACK, s);
  }
  const xLabelWidth = textWidth(text.xLabel, s);
  drawText(
    raster,
    text.xLabel,
    plot.x + ((plot.width - xLabelWidth) >> 1),
    bottom + tick + pad + fh + pad * 2,
    BLACK,
    s,
  );

  const left = plot.x - line;
  for (const t of layout.yTicks) {
    fillRect(raster, left - tick, t.pixel, tick, line, BLACK);
    const w = textWidth(t.label, s);
    const y = Math.min(Math.max(0, t.pixel - (fh >> 1)), raster.height - fh);
    drawText(raster, t.label, left - tick - pad - w, y, BLACK, s);
  }
  const yLabelLength = textWidth(text.yLabel, s);
  drawText(
    raster,
    text.yLabel,
    pad,
    plot.y + ((plot.height - yLabelLength) >> 1),
    BLACK,
    s,
    "up",
  );

  if (text.title) {
    const w = textWidth(text.title, s);
    const x = Math.max(pad, Math.min(plot.x + ((plot.width - w) >> 1), raster.width - w - pad));
    drawText(raster, text.title, x, pad * 2, BLACK, s);
  }
}

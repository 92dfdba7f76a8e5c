/**
 * Draws the frame, ticks, tick labels, axis labels and title of a plot.
 *
 * @module
 */

import { shortenText } from "./fit_text.ts";
import { drawText, textHeight, textWidth } from "./font.ts";
import type { PlotLayout } from "./plot_layout.ts";
import { BLACK, fillRect, type Raster, strokeRect } from "./raster.ts";

/** Text drawn around the plot area. */
export interface AxisText {
  /** Label under the x axis. */
  xLabel: string;
  /** Label left of the y axis, reading upward. */
  yLabel: string;
}

/**
 * Draws a frame just outside the plot area, outward ticks with their labels
 * on the bottom and left edges (every x tick row, and the second y column),
 * the axis labels (shortened to fit) and the title lines of the layout.
 *
 * @param raster the image
 * @param layout the plot geometry
 * @param text axis labels
 */
export function drawAxes(raster: Raster, layout: PlotLayout, text: AxisText): void {
  const { plot, textScale: s } = layout;
  const fh = textHeight(s);
  const pad = 4 * s;
  const tick = 4 * s;
  const line = Math.max(1, s >> 1);
  strokeRect(raster, plot.x, plot.y, plot.width, plot.height, BLACK, line);

  const bottom = plot.y + plot.height + line;
  const rowY = (k: number) => bottom + tick + pad + k * (fh + pad);
  for (const t of layout.xTicks) {
    fillRect(raster, t.pixel, bottom, line, tick, BLACK);
    t.labels.forEach((label, k) => {
      const w = textWidth(label, s);
      const x = Math.min(Math.max(0, t.pixel - (w >> 1)), raster.width - w);
      drawText(raster, label, x, rowY(k), BLACK, s);
    });
  }
  layout.xRowNames.forEach((name, k) => {
    if (!name) return;
    const w = textWidth(name, s);
    drawText(raster, name, Math.max(0, plot.x - tick - pad - w), rowY(k), BLACK, s);
  });
  const xLabel = shortenText(text.xLabel, raster.width - 2 * pad, s);
  const xLabelWidth = textWidth(xLabel, s);
  drawText(
    raster,
    xLabel,
    Math.max(
      pad,
      Math.min(plot.x + ((plot.width - xLabelWidth) >> 1), raster.width - xLabelWidth - pad),
    ),
    rowY(layout.xRowNames.length) + pad,
    BLACK,
    s,
  );

  const left = plot.x - line;
  const ownWidth = Math.max(0, ...layout.yTicks.map((t) => textWidth(t.labels[0], s)));
  for (const t of layout.yTicks) {
    fillRect(raster, left - tick, t.pixel, tick, line, BLACK);
    const y = Math.min(Math.max(0, t.pixel - (fh >> 1)), raster.height - fh);
    const w = textWidth(t.labels[0], s);
    drawText(raster, t.labels[0], left - tick - pad - w, y, BLACK, s);
    if (t.labels.length > 1) {
      const w2 = textWidth(t.labels[1], s);
      drawText(raster, t.labels[1], left - tick - pad - ownWidth - pad * 3 - w2, y, BLACK, s);
    }
  }
  const yLabel = shortenText(text.yLabel, plot.height, s);
  const yLabelLength = textWidth(yLabel, s);
  drawText(
    raster,
    yLabel,
    pad,
    plot.y + ((plot.height - yLabelLength) >> 1),
    BLACK,
    s,
    "up",
  );

  layout.titleLines.forEach((titleLine, k) => {
    const w = textWidth(titleLine, s);
    const x = Math.max(pad, Math.min(plot.x + ((plot.width - w) >> 1), raster.width - w - pad));
    drawText(raster, titleLine, x, pad * 2 + k * (fh + pad), BLACK, s);
  });
}

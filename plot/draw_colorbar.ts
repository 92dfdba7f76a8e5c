/**
 * Draws a vertical colour bar with its end values (and zero, when the range
 * is centred on it) and its label.
 *
 * @module
 */

import { formatValue } from "./axis_ticks.ts";
import type { ValueRange } from "./clip.ts";
import type { ColorLut } from "./colormap.ts";
import { drawText, textHeight, textWidth } from "./font.ts";
import type { Box } from "./plot_layout.ts";
import { BLACK, fillRect, type Raster, strokeRect } from "./raster.ts";

/**
 * The labels written beside the colour bar: max at the top, min at the
 * bottom, and "0" in the middle when the range is symmetric about zero.
 *
 * @param range the displayed range
 * @returns the labels, top to bottom
 */
export function colorbarLabels(range: ValueRange): string[] {
  const labels = [formatValue(range.max), formatValue(range.min)];
  if (range.min === -range.max) labels.splice(1, 0, "0");
  return labels;
}

/**
 * Draws the colour bar in `box`: high values at the top.
 *
 * @param raster the image
 * @param box where the bar goes
 * @param range the values at the bar's ends
 * @param lut the colour map
 * @param label text written beside the bar, reading upward ("" for none)
 * @param scale text scale
 */
export function drawColorbar(
  raster: Raster,
  box: Box,
  range: ValueRange,
  lut: ColorLut,
  label: string,
  scale: number,
): void {
  for (let j = 0; j < box.height; j++) {
    const t = 1 - (j + 0.5) / box.height;
    const k = Math.min(lut.size - 1, Math.round(t * (lut.size - 1)));
    const color = [lut.rgb[k * 3], lut.rgb[k * 3 + 1], lut.rgb[k * 3 + 2]] as const;
    fillRect(raster, box.x, box.y + j, box.width, 1, color);
  }
  const line = Math.max(1, scale >> 1);
  strokeRect(raster, box.x, box.y, box.width, box.height, BLACK, line);

  const fh = textHeight(scale);
  const pad = 4 * scale;
  const x = box.x + box.width + line + pad;
  const labels = colorbarLabels(range);
  drawText(raster, labels[0], x, box.y, BLACK, scale);
  drawText(raster, labels[labels.length - 1], x, box.y + box.height - fh, BLACK, scale);
  if (labels.length === 3) {
    drawText(raster, labels[1], x, box.y + ((box.height - fh) >> 1), BLACK, scale);
  }
  if (label) {
    const widest = Math.max(...labels.map((l) => textWidth(l, scale)));
    const length = textWidth(label, scale);
    drawText(
      raster,
      label,
      x + widest + pad * 2,
      box.y + ((box.height - length) >> 1),
      BLACK,
      scale,
      "up",
    );
  }
}

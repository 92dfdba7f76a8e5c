/**
 * A PNG bar chart of end-to-end throughput (traces/s, log scale) against
 * survey size, one bar per backend and configuration, drawn with the plot/
 * raster helpers.
 *
 * @module
 */

import { drawText, textWidth } from "../plot/font.ts";
import { encodePng, writePng } from "../plot/png.ts";
import { createRaster, fillRect, type Rgb } from "../plot/raster.ts";

/** One bar. */
export interface ChartBar {
  /** Group label on the x axis (e.g. the survey size). */
  group: string;
  /** Series (legend) label, e.g. "cpu" or "cpu, table on". */
  series: string;
  /** traces/s. */
  value: number;
}

const COLORS: Rgb[] = [
  [31, 119, 180],
  [255, 127, 14],
  [44, 160, 44],
  [214, 39, 40],
  [148, 103, 189],
  [140, 86, 75],
];

/**
 * Draws the chart and writes it as PNG.
 *
 * @param path output PNG
 * @param bars the bars (groups and series in first-seen order)
 * @param title chart title
 */
export async function writeThroughputChart(
  path: string,
  bars: ChartBar[],
  title: string,
): Promise<void> {
  const groups = [...new Set(bars.map((b) => b.group))];
  const series = [...new Set(bars.map((b) => b.series))];
  const W = 900, H = 480, left = 80, right = 20, top = 40, bottom = 110;
  const r = createRaster(W, H);
  const plotW = W - left - right, plotH = H - top - bottom;
  const values = bars.map((b) => b.value).filter((v) => v > 0);
  const lo = Math.floor(Math.log10(Math.min(...values, 10)));
  const hi = Math.ceil(Math.log10(Math.max(...values, 100)));
  const yOf = (v: number) => top + plotH * (1 - (Math.log10(v) - lo) / (hi - lo));
  const ink: Rgb = [0, 0, 0], grid: Rgb = [220, 220, 220];
  drawText(r, title, left, 12, ink, 2);
  for (let e = lo; e <= hi; e++) {
    const y = Math.round(yOf(10 ** e));
    fillRect(r, left, y, plotW, 1, grid);
    const label = e >= 6 ? `1e${e}` : String(10 ** e);
    drawText(r, label, left - 8 - textWidth(label, 1), y - 3, ink, 1);
  }
  fillRect(r, left, top, 1, plotH, ink);
  fillRect(r, left, top + plotH, plotW, 1, ink);
  drawText(r, "traces/s (log)", 8, top + plotH / 2 + 40, ink, 1, "up");
  const groupW = plotW / Math.max(1, groups.length);
  const barW = Math.max(4, Math.floor((groupW * 0.8) / Math.max(1, series.length)));
  groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + groupW * 0.1;
    series.forEach((s, si) => {
      const bar = bars.find((b) => b.group === g && b.series === s);
      if (!bar || !(bar.value > 0)) return;
      const y = yOf(bar.value);
      fillRect(r, x0 + si * barW, y, barW - 2, top + plotH - y, COLORS[si % COLORS.length]);
      const label = bar.value >= 1000 ? `${(bar.value / 1000).toFixed(1)}k` : bar.value.toFixed(0);
      drawText(r, label, x0 + si * barW, y - 10, ink, 1);
    });
    drawText(r, g, x0, top + plotH + 8, ink, 1);
  });
  series.forEach((s, si) => {
    const y = top + plotH + 30 + 14 * si;
    fillRect(r, left, y, 10, 8, COLORS[si % COLORS.length]);
    drawText(r, s, left + 16, y, ink, 1);
  });
  await writePng(path, encodePng(r));
}

/**
 * Paints data into the plot area: each pixel samples the data (nearest or
 * bilinear) and takes its colour from the colour map.
 *
 * @module
 */

import type { ValueRange } from "./clip.ts";
import type { ColorLut } from "./colormap.ts";
import type { Box } from "./plot_layout.ts";
import type { Interpolation } from "./plot_options.ts";
import type { Raster, Rgb } from "./raster.ts";

/** Colour of pixels whose data is NaN (no data). */
export const NO_DATA_COLOR: Rgb = [190, 190, 190];

/** The data grid being drawn. */
export interface DataGrid {
  /** `rows * cols` values, row after row. */
  data: ArrayLike<number>;
  /** Number of rows. */
  rows: number;
  /** Number of columns. */
  cols: number;
}

/**
 * Paints `grid` into `box` of `raster`, row 0 at the top (or at the bottom
 * when `yUp`). Values at or beyond the range's ends take the end colours.
 *
 * @param raster the image
 * @param box the plot area
 * @param grid the data
 * @param range the values mapped to the colour map's ends
 * @param lut the colour map
 * @param interpolation nearest or bilinear
 * @param yUp whether row 0 is at the bottom
 */
export function drawImage(
  raster: Raster,
  box: Box,
  grid: DataGrid,
  range: ValueRange,
  lut: ColorLut,
  interpolation: Interpolation,
  yUp: boolean,
): void {
  const { data, rows, cols } = grid;
  const scale = (lut.size - 1) / (range.max - range.min);
  const colX = sampling(cols, box.width);
  const rowY = sampling(rows, box.height);
  for (let py = 0; py < box.height; py++) {
    const v = rowY(yUp ? box.height - 1 - py : py);
    const out = ((box.y + py) * raster.width + box.x) * 4;
    for (let px = 0; px < box.width; px++) {
      const u = colX(px);
      let value: number;
      if (interpolation === "nearest") {
        value = data[v.nearest * cols + u.nearest];
      } else {
        const top = data[v.i0 * cols + u.i0] * (1 - u.f) + data[v.i0 * cols + u.i1] * u.f;
        const bottom = data[v.i1 * cols + u.i0] * (1 - u.f) + data[v.i1 * cols + u.i1] * u.f;
        value = top * (1 - v.f) + bottom * v.f;
      }
      const o = out + px * 4;
      if (Number.isNaN(value)) {
        raster.rgba.set(NO_DATA_COLOR, o);
      } else {
        const k = Math.min(lut.size - 1, Math.max(0, Math.round((value - range.min) * scale)));
        raster.rgba[o] = lut.rgb[k * 3];
        raster.rgba[o + 1] = lut.rgb[k * 3 + 1];
        raster.rgba[o + 2] = lut.rgb[k * 3 + 2];
      }
      raster.rgba[o + 3] = 255;
    }
  }
}

/** Where pixel `p` of `length` pixels samples `n` cells. */
interface Sample {
  /** Nearest cell. */
  nearest: number;
  /** Cell at or before the pixel centre. */
  i0: number;
  /** Cell after it (clamped). */
  i1: number;
  /** Weight of i1. */
  f: number;
}

function sampling(n: number, length: number): (p: number) => Sample {
  const table: Sample[] = [];
  for (let p = 0; p < length; p++) {
    const u = ((p + 0.5) * n) / length - 0.5;
    const nearest = Math.min(n - 1, Math.floor(((p + 0.5) * n) / length));
    const i0 = Math.max(0, Math.min(n - 1, Math.floor(u)));
    const i1 = Math.min(n - 1, i0 + 1);
    const f = Math.max(0, Math.min(1, u - i0));
    table.push({ nearest, i0, i1, f });
  }
  return (p) => table[p];
}

/**
 * The pixel (image column and row) whose sample is nearest the centre of data
 * cell (row, col) in a plot area.
 *
 * @param box the plot area
 * @param rows data rows
 * @param cols data columns
 * @param row data row
 * @param col data column
 * @param yUp whether row 0 is at the bottom
 * @returns the pixel
 */
export function cellPixel(
  box: Box,
  rows: number,
  cols: number,
  row: number,
  col: number,
  yUp = false,
): { x: number; y: number } {
  const x = Math.floor(((col + 0.5) * box.width) / cols);
  const yDown = Math.floor(((row + 0.5) * box.height) / rows);
  return { x: box.x + x, y: box.y + (yUp ? box.height - 1 - yDown : yDown) };
}

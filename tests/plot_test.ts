import assert from "node:assert/strict";
import { decode } from "fast-png";
import { formatTick, formatValue, niceStep, tickValues } from "../plot/axis_ticks.ts";
import { clipRange, percentile } from "../plot/clip.ts";
import { colorAt } from "../plot/colormap.ts";
import { NO_DATA_COLOR } from "../plot/draw_image.ts";
import { renderFoldMap, renderFoldMapRaster } from "../plot/fold_map.ts";
import { drawText, glyphRows, textWidth } from "../plot/font.ts";
import { createRaster, getPixel, type Raster, type Rgb } from "../plot/raster.ts";
import { type RenderedPlot, renderRaster } from "../plot/render_raster.ts";
import { renderSection } from "../plot/render_section.ts";

const WHITE: Rgb = [255, 255, 255];
const SEISMIC_MAX: Rgb = [128, 0, 0];
const SEISMIC_MIN: Rgb = [0, 0, 77];

function pixel(plot: RenderedPlot, row: number, col: number): Rgb {
  const { x, y } = plot.pixelOf(row, col);
  return getPixel(plot, x, y);
}

/** Counts pixels in a box that differ from white. */
function inked(raster: Raster, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(raster.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(raster.width, x1); x++) {
      if (getPixel(raster, x, y).join() !== "255,255,255") n++;
    }
  }
  return n;
}

/** A 60 x 40 section of small noise with one bright spike. */
function spikeSection(row: number, col: number, amplitude = 50): Float32Array {
  const data = new Float32Array(60 * 40);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 1.7) * 0.5;
  data[row * 40 + col] = amplitude;
  return data;
}

Deno.test("renderRaster shows a spike as the extreme colour at its cell", () => {
  const plot = renderRaster(spikeSection(17, 29), 60, 40, { clipPercentile: 100 });
  assert.deepEqual(pixel(plot, 17, 29), SEISMIC_MAX);
  assert.notDeepEqual(pixel(plot, 17, 28), SEISMIC_MAX);
  assert.notDeepEqual(pixel(plot, 18, 29), SEISMIC_MAX);
  // The spike's cell is a block of pixels; every dark-red pixel of the plot area is in it.
  const { x: cx, y: cy } = plot.pixelOf(17, 29);
  const cellW = plot.plot.width / 40;
  const cellH = plot.plot.height / 60;
  for (let y = plot.plot.y; y < plot.plot.y + plot.plot.height; y++) {
    for (let x = plot.plot.x; x < plot.plot.x + plot.plot.width; x++) {
      if (getPixel(plot, x, y).join() === SEISMIC_MAX.join()) {
        assert.ok(Math.abs(x - cx) <= cellW && Math.abs(y - cy) <= cellH, `stray at ${x},${y}`);
      }
    }
  }
});

Deno.test("renderRaster places cell (r, c) proportionally inside the plot area", () => {
  const plot = renderRaster(new Float32Array(60 * 40), 60, 40, {});
  const { x, y } = plot.pixelOf(30, 10);
  assert.ok(Math.abs(x - (plot.plot.x + (10.5 / 40) * plot.plot.width)) <= 1);
  assert.ok(Math.abs(y - (plot.plot.y + (30.5 / 60) * plot.plot.height)) <= 1);
  const up = renderRaster(new Float32Array(60 * 40), 60, 40, { yUp: true });
  assert.ok(up.pixelOf(0, 0).y > up.pixelOf(59, 0).y, "row 0 is at the bottom when yUp");
});

Deno.test("renderRaster clips at the percentile: larger values saturate to the end colours", () => {
  // 1000 values -1..1 plus two outliers well beyond the 99th percentile of |a|.
  const cols = 1002;
  const data = new Float32Array(cols);
  for (let i = 0; i < 1000; i++) data[i] = -1 + (2 * i) / 999;
  data[1000] = 40;
  data[1001] = -40;
  const plot = renderRaster(data, 1, cols, { clipPercentile: 99, width: 2400 });
  assert.ok(plot.range.max > 0.95 && plot.range.max < 1.5, `clip at ${plot.range.max}`);
  assert.equal(plot.range.min, -plot.range.max);
  assert.deepEqual(pixel(plot, 0, 1000), SEISMIC_MAX);
  assert.deepEqual(pixel(plot, 0, 1001), SEISMIC_MIN);
  assert.deepEqual(pixel(plot, 0, 0), colorAt("seismic", (-1 / plot.range.max + 1) / 2));
  // Without clipping the same values are far from the ends.
  const full = renderRaster(data, 1, cols, { clipPercentile: 100, width: 2400 });
  assert.equal(full.range.max, 40);
  assert.notDeepEqual(pixel(full, 0, 999), SEISMIC_MAX);
});

Deno.test("renderRaster seismic map is white at zero and grey map is mid-grey", () => {
  const data = new Float32Array(20 * 20);
  data[0] = 3;
  data[1] = -3;
  const seismic = renderRaster(data, 20, 20, {});
  assert.deepEqual(pixel(seismic, 10, 10), WHITE);
  assert.deepEqual(pixel(seismic, 0, 0), SEISMIC_MAX);
  assert.deepEqual(pixel(seismic, 0, 1), SEISMIC_MIN);
  const grey = renderRaster(data, 20, 20, { colormap: "grey" });
  assert.deepEqual(pixel(grey, 10, 10), [128, 128, 128]);
  assert.deepEqual(pixel(grey, 0, 0), WHITE);
  assert.deepEqual(pixel(grey, 0, 1), [0, 0, 0]);
});

Deno.test("renderRaster sequential map clips to [P(100-p), P(p)]", () => {
  const data = new Float32Array(101).map((_, i) => i);
  const plot = renderRaster(data, 1, 101, { colormap: "viridis", clipPercentile: 90 });
  assert.deepEqual(plot.range, { min: 10, max: 90 });
  assert.deepEqual(pixel(plot, 0, 3), colorAt("viridis", 0));
  assert.deepEqual(pixel(plot, 0, 95), colorAt("viridis", 1));
});

Deno.test("renderRaster draws axes, labels, title and colour bar in the margins", () => {
  const plot = renderRaster(spikeSection(5, 5), 60, 40, {
    title: "Inline 120",
    xAxis: { first: 1000, step: 1 },
    yAxis: { first: 0, step: 0.004 },
    xLabel: "Crossline",
    yLabel: "Time (s)",
  });
  const p = plot.plot;
  assert.ok(inked(plot, 0, p.y, p.x - 2, p.y + p.height) > 200, "y tick labels and label");
  assert.ok(inked(plot, p.x, p.y + p.height + 2, p.x + p.width, plot.height) > 200, "x axis");
  assert.ok(inked(plot, p.x, 0, p.x + p.width, p.y - 2) > 50, "title");
  const bar = plot.colorbar;
  const [top, bottom] = [
    getPixel(plot, bar.x + 2, bar.y),
    getPixel(plot, bar.x + 2, bar.y + bar.height - 1),
  ];
  assert.ok(top[0] >= 128 && top[0] < 135 && top[1] === 0 && top[2] === 0, `top ${top}`);
  assert.ok(bottom[0] === 0 && bottom[2] >= 77 && bottom[2] < 85, `bottom ${bottom}`);
  assert.ok(inked(plot, bar.x + bar.width + 2, bar.y, plot.width, bar.y + 20) > 20, "max label");
  // Frame: the pixel just left of the plot area is black.
  assert.deepEqual(getPixel(plot, p.x - 1, p.y + 5), [0, 0, 0]);
});

Deno.test("renderRaster sizes: default about 720 px of plot, --width honoured", () => {
  const plot = renderRaster(new Float32Array(500 * 100), 500, 100, {});
  assert.equal(plot.plot.width, 720);
  assert.equal(plot.plot.height, 900, "tall sections are capped at 1.25 x width");
  assert.ok(plot.width >= 800 && plot.width <= 1100);
  const narrow = renderRaster(new Float32Array(500 * 100), 500, 100, { width: 500, height: 400 });
  assert.equal(narrow.width, 500);
  assert.equal(narrow.height, 400);
  const small = renderRaster(new Float32Array(10 * 10), 10, 10, {});
  assert.ok(small.plot.height >= 200);
});

Deno.test("renderRaster bilinear blends neighbouring cells", () => {
  const data = Float32Array.from([-1, 1]);
  const plot = renderRaster(data, 1, 2, { interpolation: "bilinear", clipPercentile: 100 });
  const mid = getPixel(plot, plot.plot.x + plot.plot.width / 2, plot.plot.y + 5);
  assert.ok(mid[0] > 200 && mid[1] > 200 && mid[2] > 200, `near white: ${mid}`);
  const nearest = renderRaster(data, 1, 2, { clipPercentile: 100 });
  const edge = getPixel(nearest, nearest.plot.x + nearest.plot.width / 2, nearest.plot.y + 5);
  assert.deepEqual(edge, SEISMIC_MAX);
});

Deno.test("renderRaster shows NaN as no data and rejects bad shapes", () => {
  const data = new Float32Array(4).fill(NaN);
  data[0] = 1;
  assert.deepEqual(pixel(renderRaster(data, 2, 2, {}), 1, 1), NO_DATA_COLOR);
  assert.throws(() => renderRaster(new Float32Array(5), 2, 2, {}), RangeError);
  assert.throws(() => renderRaster(new Float32Array(0), 0, 2, {}), RangeError);
  assert.throws(() => renderRaster(data, 2, 2, { xAxis: { first: 0, step: 0 } }), RangeError);
  assert.throws(() => renderRaster(data, 2, 2, { width: 50 }), RangeError);
});

Deno.test("renderSection encodes a PNG whose pixels match renderRaster", () => {
  const data = spikeSection(40, 3, -20);
  const options = { title: "t", width: 640 };
  const plot = renderRaster(data, 60, 40, options);
  const png = decode(renderSection(data, 60, 40, options));
  assert.equal(png.width, 640);
  assert.equal(png.height, plot.height);
  assert.equal(png.depth, 8);
  const { x, y } = plot.pixelOf(40, 3);
  const i = (y * png.width + x) * png.channels;
  assert.deepEqual([png.data[i], png.data[i + 1], png.data[i + 2]], SEISMIC_MIN);
});

Deno.test("renderFoldMap uses a sequential map from 0, y upward, and a fold colour bar", () => {
  const nx = 30;
  const ny = 20;
  const fold = new Uint32Array(nx * ny).fill(5);
  fold[0] = 48; // ix 0, iy 0: bottom-left
  fold[nx * ny - 1] = 0; // top-right
  const plot = renderFoldMapRaster(fold, nx, ny, { xAxis: { first: 500, step: 25 } });
  assert.deepEqual(plot.range, { min: 0, max: 48 });
  const p = plot.plot;
  assert.deepEqual(getPixel(plot, p.x + 1, p.y + p.height - 2), colorAt("viridis", 1));
  assert.deepEqual(getPixel(plot, p.x + p.width - 2, p.y + 1), colorAt("viridis", 0));
  assert.ok(
    inked(plot, plot.colorbar.x + plot.colorbar.width + 2, p.y, plot.width, p.y + p.height) > 50,
  );
  const png = decode(renderFoldMap(fold, nx, ny));
  assert.ok(png.width > 700 && png.height > 300);
});

Deno.test("drawText draws glyphs, upward text and descenders", () => {
  assert.equal(textWidth("abc", 2), 34);
  assert.equal(glyphRows("0").length, 7);
  assert.equal(glyphRows("g").length, 9);
  assert.deepEqual(glyphRows("\u00e9"), [31, 17, 17, 17, 17, 17, 31]);
  const r = createRaster(40, 40);
  drawText(r, "-", 0, 0, [0, 0, 0], 2);
  assert.deepEqual(getPixel(r, 2, 6), [0, 0, 0]);
  assert.deepEqual(getPixel(r, 0, 6), [255, 255, 255]);
  const up = createRaster(40, 40);
  drawText(up, "-", 0, 0, [0, 0, 0], 1, "up");
  // A horizontal dash turned a quarter turn is vertical: column 3, rows 1..3.
  assert.deepEqual([1, 2, 3].map((y) => getPixel(up, 3, y)[0]), [0, 0, 0]);
  assert.equal(inked(up, 0, 0, 40, 40), 3);
});

Deno.test("percentile and clipRange handle ranks, NaN, zeros and constants", () => {
  assert.equal(percentile([5, 1, 3, NaN, 2, 4], 50), 3);
  assert.equal(percentile([1, 2], 50), 1.5);
  assert.ok(Number.isNaN(percentile([NaN], 50)));
  const sparse = new Float32Array(1000);
  sparse[7] = -0.25;
  assert.deepEqual(clipRange(sparse, 99, true), { min: -0.25, max: 0.25 });
  assert.deepEqual(clipRange(new Float32Array(4).fill(2), 99, false), { min: 1.5, max: 2.5 });
  assert.throws(() => clipRange(sparse, 0, true), RangeError);
});

Deno.test("niceStep, tickValues and formatters give readable ticks", () => {
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(1000, 4), 500);
  assert.deepEqual(tickValues(0.002, 0.302, 0.05), [0.05, 0.1, 0.15, 0.2, 0.25, 0.3]);
  assert.equal(formatTick(0.1, 0.05), "0.10");
  assert.equal(formatTick(1200, 100), "1200");
  assert.equal(formatValue(6584.28), "6584");
  assert.equal(formatValue(-0.01234), "-0.0123");
  assert.equal(formatValue(2.5e-7), "2.5e-7");
});

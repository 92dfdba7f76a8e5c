/**
 * Pictures of seismic data: sections, time slices, gathers and fold maps as
 * PNG, with axes, title and colour bar, drawn with a built-in bitmap font.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { decode } from "fast-png";
 * import { renderSection } from "./mod.ts";
 * const data = new Float32Array(100 * 30).map((_, i) => Math.sin(i / 7));
 * const png = renderSection(data, 100, 30, {
 *   title: "Inline 120",
 *   xAxis: { first: 200, step: 1 },
 *   yAxis: { first: 0, step: 0.004 },
 *   xLabel: "Crossline",
 *   yLabel: "Time (s)",
 * });
 * assert(decode(png).width > 800);
 * ```
 *
 * @module
 */

export { clipRange, percentile, type ValueRange } from "./clip.ts";
export { COLORMAP_NAMES, type ColormapName } from "./colormap.ts";
export { type FoldMapOptions, renderFoldMap, renderFoldMapRaster } from "./fold_map.ts";
export { encodePng, writePng } from "./png.ts";
export type { AxisSpec, Interpolation, SectionPlotOptions, TickRow } from "./plot_options.ts";
export type { Tick } from "./plot_layout.ts";
export { headerLabel, type LengthUnit, resolveHeaderName } from "./header_labels.ts";
export type { Raster, Rgb } from "./raster.ts";
export { type RenderedPlot, renderRaster } from "./render_raster.ts";
export { renderSection } from "./render_section.ts";
export {
  readSection,
  type ReadSectionOptions,
  type Section,
  type SectionSelection,
} from "./section_from_segy.ts";
export {
  MAX_GATHER_TRACES,
  readTraceGather,
  selectTraces,
  type TraceSelection,
} from "./trace_gather.ts";
export { type HeaderTable, readHeaderTable, type SectionSource } from "./section_source.ts";

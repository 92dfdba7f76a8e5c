/**
 * Synthetic prestack surveys with known truth: point diffractors, flat and
 * dipping reflectors in a v_rms(tau) medium, generated trace by trace as a
 * stream of batches so memory stays flat whatever the size.
 *
 * Events use the same straight-ray double-square-root traveltime the
 * migration assumes (docs/algorithm.md), so a correct migration focuses each
 * diffractor at exactly its (x, y, tau).
 *
 * @module
 */

import type { GridSpec } from "../plan/grid.ts";
import { PstmError } from "../../core/errors.ts";
import { parseOption, SYNTH_ORDER, type SynthOrder } from "../../core/options.ts";
import { newTraceBatch, type TraceBatch } from "../segy/trace_batch.ts";

/** A point diffractor at image position (x, y) and two-way vertical time tau. */
export interface Diffractor {
  /** Easting, m. */
  x: number;
  /** Northing, m. */
  y: number;
  /** Two-way vertical time, s. */
  tau: number;
  /** Amplitude of its wavelet. */
  amplitude: number;
}

/**
 * A planar reflector: zero-offset time tau0 at the survey centre and time
 * dips (s/m) along x and y; 0 dips make it flat. Prestack times follow the
 * NMO hyperbola t = sqrt(tau(m)^2 + offset^2 / v^2) at each midpoint m.
 */
export interface Reflector {
  /** Zero-offset two-way time at the survey centre, s. */
  tau0: number;
  /** Time dip along x, s/m. */
  dipX: number;
  /** Time dip along y, s/m. */
  dipY: number;
  /** Amplitude. */
  amplitude: number;
}

/** Everything that defines a synthetic survey. */
export interface SynthSpec {
  /** Preset name. */
  name: string;
  /** 2 for a line (ny = 1), 3 for a 3-D survey. */
  dimension: 2 | 3;
  /** Centre of the first midpoint bin, m. */
  x0: number;
  /** Centre of the first midpoint bin, m. */
  y0: number;
  /** Azimuth of the midpoint grid's first axis, degrees counter-clockwise from +x. */
  azimuthDeg: number;
  /** Midpoint spacing along the first axis, m. */
  dx: number;
  /** Midpoint spacing along the second axis, m. */
  dy: number;
  /** Midpoints along the first axis. */
  nx: number;
  /** Midpoints along the second axis (1 for 2-D). */
  ny: number;
  /** Absolute offsets recorded at each midpoint, m. */
  offsets: number[];
  /** "inline": every offset along the first axis; "wide": azimuth rotates per trace. */
  offsetAzimuth: "inline" | "wide";
  /** Samples per trace. */
  ns: number;
  /** Sample interval, s. */
  dt: number;
  /** v_rms(tau) picks, increasing tau, m/s. */
  velocity: { tau: number; v: number }[];
  /** Point diffractors. */
  diffractors: Diffractor[];
  /** Planar reflectors. */
  reflectors: Reflector[];
  /** Ricker peak frequency, Hz. */
  frequency: number;
  /** Standard deviation of added Gaussian noise (0: none). */
  noise: number;
  /** Seed of the noise generator. */
  seed: number;
  /**
   * Width in bins of the fold taper at the survey edges, as real surveys have
   * (far offsets missing near the edges); 0 or absent: full fold everywhere.
   */
  foldTaper?: number;
  /**
   * Land topography: surface elevation e(x, y) = datum + amplitude (1 + sin(2 pi x /
   * wavelength) cos(2 pi y / wavelength)) at every source and receiver (written to bytes
   * 41-48), and every event delayed by the vertical time between the surface and the datum at
   * the replacement velocity, ((e_s - datum) + (e_g - datum)) / replacementVelocity: the
   * survey images only after elevation statics to the datum. Absent: flat, elevation 0.
   */
  topography?: {
    datum: number;
    amplitude: number;
    wavelength: number;
    replacementVelocity: number;
  };
  /** Order of the traces in the file (default "cmp"); see {@link SYNTH_ORDERS}. */
  order?: SynthOrder;
  /**
   * Length unit of every length and velocity of the spec (default "m": metres and m/s); "ft"
   * writes the binary header's measurement system 2 (see {@link synthInFeet}).
   */
  unit?: "m" | "ft";
}

/** Feet in one metre (1 / 0.3048). */
const FEET_PER_METRE = 1 / 0.3048;

/**
 * The same survey in feet: every coordinate, offset, bin size, event position and velocity
 * (ft/s) scaled by 1 / 0.3048 and time dips by 0.3048, so that every traveltime, and so every
 * sample, is the metric survey's; `unit` "ft" makes the file say so (measurement system 2). A
 * migration with the velocities in ft/s focuses the diffractors at the metric positions in
 * feet and at the same times.
 *
 * @param spec a survey in metres
 * @returns the survey in feet
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { synthInFeet, synthPreset } from "./synth.ts";
 * const metric = synthPreset("small3d");
 * const feet = synthInFeet(metric);
 * assert.equal(feet.unit, "ft");
 * assert(Math.abs(feet.dx * 0.3048 - metric.dx) < 1e-9);
 * assert(Math.abs(feet.velocity[0].v * 0.3048 - metric.velocity[0].v) < 1e-9);
 * ```
 */
export function synthInFeet(spec: SynthSpec): SynthSpec {
  if (spec.unit === "ft") return spec;
  const f = (v: number) => v * FEET_PER_METRE;
  return {
    ...spec,
    unit: "ft",
    x0: f(spec.x0),
    y0: f(spec.y0),
    dx: f(spec.dx),
    dy: f(spec.dy),
    offsets: spec.offsets.map(f),
    velocity: spec.velocity.map((p) => ({ tau: p.tau, v: f(p.v) })),
    diffractors: spec.diffractors.map((d) => ({ ...d, x: f(d.x), y: f(d.y) })),
    reflectors: spec.reflectors.map((r) => ({
      ...r,
      dipX: r.dipX / FEET_PER_METRE,
      dipY: r.dipY / FEET_PER_METRE,
    })),
    ...(spec.topography
      ? {
        topography: {
          datum: f(spec.topography.datum),
          amplitude: f(spec.topography.amplitude),
          wavelength: f(spec.topography.wavelength),
          replacementVelocity: f(spec.topography.replacementVelocity),
        },
      }
      : {}),
  };
}

/**
 * Trace orders a synthetic survey can be written in. The same traces (same
 * geometry, same samples) in a different order:
 *
 * - `cmp`: by midpoint (second axis, then first), offsets within a midpoint;
 * - `offset`: common-offset sections, each in `cmp` order;
 * - `shot`: by source position as field data arrive from an orthogonal layout:
 *   source lines run along the second axis (across the inlines) and step
 *   along the first, shots fire in line order, and each shot's traces follow
 *   by offset. The traces that reach a strip of inlines are spread over the
 *   whole file.
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SYNTH_ORDERS } from "./synth.ts";
 * assert(SYNTH_ORDERS.includes("shot"));
 * ```
 */
export const SYNTH_ORDERS: readonly SynthOrder[] = SYNTH_ORDER.names;
export type { SynthOrder } from "../../core/options.ts";

/** Names of the built-in presets. */
export const SYNTH_PRESETS = ["demo3d", "small3d", "line2d", "wide3d", "standard"] as const;
/** A preset name. */
export type SynthPreset = typeof SYNTH_PRESETS[number];

/**
 * Returns the spec of a preset, optionally scaled to about `traces` traces
 * (the midpoint grid grows or shrinks, the events stay in place relative to it).
 *
 * @param preset preset name
 * @param traces desired trace count, or undefined for the preset's own
 * @returns the survey spec
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { synthPreset, synthTraceCount } from "./synth.ts";
 * const spec = synthPreset("small3d");
 * assert(synthTraceCount(spec) === spec.nx * spec.ny * spec.offsets.length);
 * ```
 */
export function synthPreset(preset: string, traces?: number): SynthSpec {
  const base = presetSpec(preset);
  if (traces === undefined) return base;
  if (!Number.isInteger(traces) || traces < base.offsets.length || traces > 1e9) {
    throw new PstmError(
      `--traces must be an integer between ${base.offsets.length} and 1e9, got ${traces}`,
      { field: "--traces" },
    );
  }
  // a fold taper removes traces near the edges: refine the size a few times
  let spec = resized(base, Math.max(1, Math.round(traces / base.offsets.length)));
  for (let i = 0; i < 4 && base.foldTaper; i++) {
    const ratio = traces / synthTraceCount(spec);
    spec = resized(base, Math.max(1, Math.round(spec.nx * spec.ny * ratio)));
  }
  return spec;
}

/** The spec with about `bins` midpoints, events kept at the same place relative to the centre. */
function resized(base: SynthSpec, bins: number): SynthSpec {
  let nx: number, ny: number;
  if (base.dimension === 2) [nx, ny] = [bins, 1];
  else {
    const aspect = base.nx / base.ny;
    ny = Math.max(1, Math.round(Math.sqrt(bins / aspect)));
    nx = Math.max(1, Math.round(bins / ny));
  }
  const cx = (base.nx - 1) / 2, cy = (base.ny - 1) / 2;
  const ncx = (nx - 1) / 2, ncy = (ny - 1) / 2;
  const [ux, uy] = axes(base.azimuthDeg);
  const shift = (ncx - cx) * base.dx, shiftY = (ncy - cy) * base.dy;
  return {
    ...base,
    nx,
    ny,
    x0: base.x0 - shift * ux[0] - shiftY * uy[0],
    y0: base.y0 - shift * ux[1] - shiftY * uy[1],
  };
}

function presetSpec(preset: string): SynthSpec {
  const common = {
    x0: 1000,
    y0: 2000,
    azimuthDeg: 0,
    offsetAzimuth: "inline" as const,
    frequency: 20,
    noise: 0,
    seed: 1,
    reflectors: [] as Reflector[],
  };
  switch (preset) {
    case "demo3d":
      return {
        ...common,
        name: "demo3d",
        dimension: 3,
        dx: 20,
        dy: 20,
        nx: 41,
        ny: 41,
        offsets: [100, 300, 500, 700],
        ns: 376,
        dt: 0.004,
        velocity: [{ tau: 0, v: 1800 }, { tau: 1.5, v: 2600 }],
        diffractors: [
          { x: 1400, y: 2400, tau: 0.6, amplitude: 1 },
          { x: 1240, y: 2300, tau: 0.9, amplitude: 1 },
          { x: 1560, y: 2520, tau: 1.2, amplitude: 1 },
        ],
        reflectors: [{ tau0: 1.35, dipX: 0, dipY: 0, amplitude: 0.5 }],
        foldTaper: 6,
      };
    case "small3d":
      return {
        ...common,
        name: "small3d",
        dimension: 3,
        dx: 25,
        dy: 25,
        nx: 13,
        ny: 11,
        offsets: [150, 450],
        ns: 150,
        dt: 0.004,
        velocity: [{ tau: 0, v: 2000 }, { tau: 0.6, v: 2400 }],
        diffractors: [{ x: 1150, y: 2125, tau: 0.3, amplitude: 1 }],
        reflectors: [{ tau0: 0.44, dipX: 0, dipY: 0, amplitude: 0.5 }],
      };
    case "line2d":
      return {
        ...common,
        name: "line2d",
        dimension: 2,
        dx: 12.5,
        dy: 12.5,
        nx: 161,
        ny: 1,
        offsets: Array.from({ length: 12 }, (_, i) => 50 + 100 * i),
        ns: 300,
        dt: 0.004,
        velocity: [{ tau: 0, v: 1800 }, { tau: 1.2, v: 2500 }],
        diffractors: [
          { x: 1500, y: 2000, tau: 0.5, amplitude: 1 },
          { x: 2000, y: 2000, tau: 0.8, amplitude: 1 },
        ],
        reflectors: [{ tau0: 1.0, dipX: 0, dipY: 0, amplitude: 0.5 }],
      };
    case "wide3d":
      return {
        ...common,
        name: "wide3d",
        dimension: 3,
        azimuthDeg: 30,
        offsetAzimuth: "wide",
        dx: 25,
        dy: 25,
        nx: 17,
        ny: 15,
        offsets: [200, 400, 600],
        ns: 200,
        dt: 0.004,
        velocity: [{ tau: 0, v: 2000 }, { tau: 0.8, v: 2500 }],
        diffractors: [{ x: 1100, y: 2250, tau: 0.45, amplitude: 1 }],
      };
    case "standard":
      // DESIGN.md section 6: one offset class of 31,310 traces, 1,001 samples at 4 ms
      return {
        ...common,
        name: "standard",
        dimension: 3,
        dx: 68,
        dy: 62,
        nx: 190,
        ny: 165,
        offsets: [500],
        offsetAzimuth: "wide",
        ns: 1001,
        dt: 0.004,
        velocity: [{ tau: 0, v: 1800 }, { tau: 4, v: 4200 }],
        diffractors: [
          { x: 7400, y: 7100, tau: 1.5, amplitude: 1 },
          { x: 4000, y: 4000, tau: 2.5, amplitude: 1 },
        ],
        reflectors: [{ tau0: 3.0, dipX: 0, dipY: 0, amplitude: 0.5 }],
      };
    default:
      throw new PstmError(
        `unknown synthetic preset "${preset}"; expected one of ${SYNTH_PRESETS.join(", ")}`,
        { field: "--preset" },
      );
  }
}

/**
 * Number of traces a spec generates.
 *
 * @param spec the survey
 * @returns nx * ny * offsets
 */
export function synthTraceCount(spec: SynthSpec): number {
  if (!spec.foldTaper) return spec.nx * spec.ny * spec.offsets.length;
  let total = 0;
  for (let iy = 0; iy < spec.ny; iy++) {
    for (let ix = 0; ix < spec.nx; ix++) total += offsetsAt(spec, ix, iy);
  }
  return total;
}

/** Offsets recorded at midpoint bin (ix, iy): fewer near the edges with a fold taper. */
function offsetsAt(spec: SynthSpec, ix: number, iy: number): number {
  const n = spec.offsets.length;
  if (!spec.foldTaper) return n;
  const edge = Math.min(ix, iy, spec.nx - 1 - ix, spec.ny - 1 - iy);
  return Math.min(n, 1 + Math.floor((edge * n) / spec.foldTaper));
}

/**
 * The velocity of a spec as the `--velocity` text pstm migrate takes.
 *
 * @param spec the survey
 * @returns e.g. "0:1800,1.5:2600"
 */
export function synthVelocityText(spec: SynthSpec): string {
  return spec.velocity.map((p) => `${p.tau}:${p.v}`).join(",");
}

/**
 * The survey's midpoint grid, the natural output grid to migrate it onto.
 *
 * @param spec the survey
 * @returns the grid (bin (0, 0) at the first midpoint)
 */
export function synthGrid(spec: SynthSpec): GridSpec {
  const { x0, y0, dx, dy, nx, ny, azimuthDeg } = spec;
  return { x0, y0, dx, dy, nx, ny, azimuthDeg };
}

/**
 * The `--grid` flag of the survey's midpoint grid.
 *
 * @param spec the survey
 * @returns "X0,Y0,DX,DY,NX,NY,AZIMUTH"
 */
export function synthGridFlag(spec: SynthSpec): string {
  return [spec.x0, spec.y0, spec.dx, spec.dy, spec.nx, spec.ny, spec.azimuthDeg].join(",");
}

/**
 * RMS velocity of the spec at two-way time tau (linear, constant outside).
 *
 * @param spec the survey
 * @param tau two-way time, s
 * @returns m/s
 */
export function synthVelocityAt(spec: SynthSpec, tau: number): number {
  const picks = spec.velocity;
  if (tau <= picks[0].tau) return picks[0].v;
  for (let i = 1; i < picks.length; i++) {
    if (tau <= picks[i].tau) {
      const f = (tau - picks[i - 1].tau) / (picks[i].tau - picks[i - 1].tau);
      return picks[i - 1].v + f * (picks[i].v - picks[i - 1].v);
    }
  }
  return picks[picks.length - 1].v;
}

function axes(azimuthDeg: number): [[number, number], [number, number]] {
  const a = (azimuthDeg * Math.PI) / 180;
  return [[Math.cos(a), Math.sin(a)], [-Math.sin(a), Math.cos(a)]];
}

/**
 * The JSON truth file of a survey: its spec, trace count, where each event
 * is, and the migration settings that image it.
 *
 * @param spec the survey
 * @returns a JSON-friendly object
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { synthPreset, synthTraceCount, synthTruth } from "./synth.ts";
 * const spec = synthPreset("small3d");
 * assert.equal(synthTruth(spec).traces, synthTraceCount(spec));
 * ```
 */
export function synthTruth(spec: SynthSpec): Record<string, unknown> {
  const [ux, uy] = axes(spec.azimuthDeg);
  return {
    spec,
    traces: synthTraceCount(spec),
    velocity: synthVelocityText(spec),
    midpointGrid: {
      x0: spec.x0,
      y0: spec.y0,
      dx: spec.dx,
      dy: spec.dy,
      nx: spec.nx,
      ny: spec.ny,
      azimuthDeg: spec.azimuthDeg,
      gridFlag: synthGridFlag(spec),
      timeFlag: `0,${spec.dt},${spec.ns}`,
      corner: [
        spec.x0 + (spec.nx - 1) * spec.dx * ux[0] + (spec.ny - 1) * spec.dy * uy[0],
        spec.y0 + (spec.nx - 1) * spec.dx * ux[1] + (spec.ny - 1) * spec.dy * uy[1],
      ],
    },
    diffractors: spec.diffractors,
    reflectors: spec.reflectors,
  };
}

/**
 * Checks a `--order` value.
 *
 * @param text the value
 * @returns the order
 * @throws PstmError naming the accepted orders
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseSynthOrder } from "./synth.ts";
 * assert.equal(parseSynthOrder("shot"), "shot");
 * assert.throws(() => parseSynthOrder("random"));
 * ```
 */
export function parseSynthOrder(text: string): SynthOrder {
  return parseOption(SYNTH_ORDER, text);
}

/**
 * The traces of a spec in CMP order as (midpoint bin, offset index) pairs:
 * trace i of the CMP-order survey is at bin `bins[i]` with offset
 * `offsets[i]`. This index i is a trace's identity whatever the file order.
 */
function cmpTraces(spec: SynthSpec): { bins: Uint32Array; offsets: Uint16Array } {
  const total = synthTraceCount(spec);
  const bins = new Uint32Array(total), offsets = new Uint16Array(total);
  let i = 0;
  for (let bin = 0; bin < spec.nx * spec.ny; bin++) {
    const n = offsetsAt(spec, bin % spec.nx, Math.floor(bin / spec.nx));
    for (let io = 0; io < n; io++, i++) [bins[i], offsets[i]] = [bin, io];
  }
  return { bins, offsets };
}

/**
 * The file order of a spec's traces: position n of the file holds the trace
 * whose CMP-order index is `order[n]` (undefined: CMP order, nothing held).
 */
function fileOrder(spec: SynthSpec): Uint32Array | undefined {
  const order = spec.order ?? "cmp";
  if (order === "cmp") return undefined;
  const { bins, offsets } = cmpTraces(spec);
  const total = bins.length;
  const keys = new Float64Array(total);
  if (order === "offset") {
    for (let i = 0; i < total; i++) keys[i] = offsets[i];
  } else {
    // source station along each axis, rounded to the midpoint spacing
    const half = new Float64Array(2);
    let umin = Infinity, vmin = Infinity, vmax = -Infinity;
    const su = new Float64Array(total), sv = new Float64Array(total);
    for (let i = 0; i < total; i++) {
      halfOffsetOnAxes(spec, i, offsets[i], half);
      const ix = bins[i] % spec.nx, iy = Math.floor(bins[i] / spec.nx);
      su[i] = Math.round(ix - half[0] / spec.dx);
      sv[i] = Math.round(iy - half[1] / spec.dy);
      umin = Math.min(umin, su[i]);
      vmin = Math.min(vmin, sv[i]);
      vmax = Math.max(vmax, sv[i]);
    }
    const nv = vmax - vmin + 1, noff = spec.offsets.length;
    for (let i = 0; i < total; i++) {
      keys[i] = ((su[i] - umin) * nv + (sv[i] - vmin)) * noff + offsets[i];
    }
  }
  const order32 = new Uint32Array(total);
  for (let i = 0; i < total; i++) order32[i] = i;
  // stable: ties keep CMP order
  return order32.sort((a, b) => keys[a] - keys[b] || a - b);
}

/** Half the source-to-receiver vector of CMP-order trace i, on the grid's axes, m. */
function halfOffsetOnAxes(spec: SynthSpec, i: number, io: number, out: Float64Array): void {
  const offset = spec.offsets[io];
  const az = offsetAzimuth(spec, i) - (spec.azimuthDeg * Math.PI) / 180;
  out[0] = 0.5 * offset * Math.cos(az);
  out[1] = 0.5 * offset * Math.sin(az);
}

/** Azimuth of CMP-order trace i's source-to-receiver vector, radians from +x. */
function offsetAzimuth(spec: SynthSpec, i: number): number {
  // along the first axis, or rotating with the trace for wide azimuth
  return spec.offsetAzimuth === "wide"
    ? (spec.azimuthDeg + 137.5 * i) * Math.PI / 180
    : spec.azimuthDeg * Math.PI / 180;
}

/**
 * Generates the survey as batches of traces in the spec's order (`cmp` by
 * default: sorted by midpoint, second axis then first, and offset; see
 * {@link SYNTH_ORDERS}). A trace's geometry and samples do not depend on the
 * order (noise aside: it is drawn in file order). Headers: offset, cdpx,
 * cdpy, inline (second-axis index + 1), crossline (first-axis index + 1),
 * cdp. A non-CMP order holds 10 bytes per trace while generating.
 *
 * @param spec the survey
 * @param batchSize traces per batch
 * @yields batches of traces
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { synthBatches, synthPreset, synthTraceCount } from "./synth.ts";
 * const spec = synthPreset("small3d");
 * let traces = 0;
 * for (const batch of synthBatches(spec, 500)) traces += batch.count;
 * assert.equal(traces, synthTraceCount(spec));
 * ```
 */
export function* synthBatches(spec: SynthSpec, batchSize = 1024): Generator<TraceBatch> {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer: current value is ${batchSize}`);
  }
  const total = synthTraceCount(spec);
  const [ux, uy] = axes(spec.azimuthDeg);
  const noffsets = spec.offsets.length;
  const random = gaussian(spec.seed);
  const centreX = spec.x0 + ((spec.nx - 1) / 2) * spec.dx * ux[0] +
    ((spec.ny - 1) / 2) * spec.dy * uy[0];
  const centreY = spec.y0 + ((spec.nx - 1) / 2) * spec.dx * ux[1] +
    ((spec.ny - 1) / 2) * spec.dy * uy[1];
  const wavelet = new Ricker(spec.frequency);
  const order = fileOrder(spec);
  const identities = order ? cmpTraces(spec) : undefined;
  let bin = 0, io = 0; // CMP order: the next trace's midpoint bin and offset index
  for (let first = 0; first < total; first += batchSize) {
    const count = Math.min(batchSize, total - first);
    const batch = newTraceBatch({
      firstTrace: first,
      count,
      ns: spec.ns,
      dt: spec.dt,
      headers: spec.topography ? [...SYNTH_HEADERS, "selev", "gelev"] : SYNTH_HEADERS,
    });
    for (let k = 0; k < count; k++) {
      const n = first + k;
      let id = n; // the trace's CMP-order index
      if (order && identities) {
        id = order[n];
        [bin, io] = [identities.bins[id], identities.offsets[id]];
      } else {
        if (
          io >=
            (spec.foldTaper ? offsetsAt(spec, bin % spec.nx, Math.floor(bin / spec.nx)) : noffsets)
        ) {
          bin++;
          io = 0;
        }
      }
      const ix = bin % spec.nx, iy = Math.floor(bin / spec.nx);
      const mx = spec.x0 + ix * spec.dx * ux[0] + iy * spec.dy * uy[0];
      const my = spec.y0 + ix * spec.dx * ux[1] + iy * spec.dy * uy[1];
      const offset = spec.offsets[io];
      const az = offsetAzimuth(spec, id);
      const hx = 0.5 * offset * Math.cos(az), hy = 0.5 * offset * Math.sin(az);
      const sx = mx - hx, sy = my - hy, gx = mx + hx, gy = my + hy;
      batch.sx[k] = sx;
      batch.sy[k] = sy;
      batch.gx[k] = gx;
      batch.gy[k] = gy;
      batch.headers.offset[k] = offset;
      batch.headers.cdpx[k] = mx;
      batch.headers.cdpy[k] = my;
      batch.headers.inline[k] = iy + 1;
      batch.headers.crossline[k] = ix + 1;
      batch.headers.cdp[k] = bin + 1;
      let delay = 0; // surface to datum and back at the replacement velocity
      if (spec.topography) {
        const { datum, amplitude, wavelength, replacementVelocity } = spec.topography;
        const elevation = (x: number, y: number) =>
          datum +
          amplitude *
            (1 +
              Math.sin((2 * Math.PI * x) / wavelength) * Math.cos((2 * Math.PI * y) / wavelength));
        const es = elevation(sx, sy), eg = elevation(gx, gy);
        batch.headers.selev[k] = es;
        batch.headers.gelev[k] = eg;
        delay = (es - datum + eg - datum) / replacementVelocity;
      }
      const trace = batch.samples.subarray(k * spec.ns, (k + 1) * spec.ns);
      for (const d of spec.diffractors) {
        const v = synthVelocityAt(spec, d.tau);
        const h = d.tau / 2;
        const t = Math.sqrt(h * h + ((d.x - sx) ** 2 + (d.y - sy) ** 2) / (v * v)) +
          Math.sqrt(h * h + ((d.x - gx) ** 2 + (d.y - gy) ** 2) / (v * v));
        wavelet.add(trace, t + delay, spec.dt, d.amplitude);
      }
      for (const r of spec.reflectors) {
        const tau = r.tau0 + r.dipX * (mx - centreX) + r.dipY * (my - centreY);
        if (tau <= 0) continue;
        const v = synthVelocityAt(spec, tau);
        wavelet.add(
          trace,
          Math.sqrt(tau * tau + (offset * offset) / (v * v)) + delay,
          spec.dt,
          r.amplitude,
        );
      }
      if (spec.noise > 0) {
        for (let i = 0; i < spec.ns; i++) trace[i] += spec.noise * random();
      }
      if (!order) io++;
    }
    yield batch;
  }
}

/** Header fields of a synthetic trace. */
const SYNTH_HEADERS = ["offset", "cdpx", "cdpy", "inline", "crossline", "cdp"];

/** A Ricker wavelet added into traces at arbitrary (fractional) times. */
class Ricker {
  readonly #a: number;
  readonly #halfWidth: number;
  constructor(frequency: number) {
    this.#a = (Math.PI * frequency) ** 2;
    this.#halfWidth = 1.5 / frequency;
  }
  /** Adds amplitude * ricker(t_i - t) to the samples within the wavelet's support. */
  add(trace: Float32Array, t: number, dt: number, amplitude: number): void {
    const first = Math.max(0, Math.ceil((t - this.#halfWidth) / dt));
    const last = Math.min(trace.length - 1, Math.floor((t + this.#halfWidth) / dt));
    for (let i = first; i <= last; i++) {
      const s = (i * dt - t) ** 2 * this.#a;
      trace[i] += amplitude * (1 - 2 * s) * Math.exp(-s);
    }
  }
}

/** Deterministic standard normal numbers (mulberry32 + Box-Muller). */
function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/**
 * The reference Kirchhoff PSTM kernel: plain TypeScript in float64, written
 * for clarity, the oracle every other backend is tested against. It holds
 * only math; docs/algorithm.md states the same formulas with citations.
 *
 * Arguments and units
 * | name       | layout               | unit                           |
 * |------------|----------------------|--------------------------------|
 * | params     | KernelParams         | s, m, m/s, degrees             |
 * | points     | [npoints][2] x, y    | m, relative to the grid origin |
 * | velocity   | [npoints][ntau]      | m/s (RMS)                      |
 * | traces     | [ntraces][ns]        | amplitude (double integral when antialias) |
 * | geometry   | [ntraces][4] sx sy gx gy | m, relative to the grid origin |
 * | traceClass | [ntraces]            | offset class index             |
 * | image      | [nclass][npoints][ntau] | accumulated amplitude       |
 *
 * @module
 */

import type { KernelParams } from "../backend.ts";
import { stretchRatioLimit } from "../stretch_mute.ts";

/**
 * Accumulates `ntraces` traces into `image` and returns the number of
 * (trace, output sample) contributions summed.
 *
 * @param p tile parameters
 * @param points output columns, `[npoints][2]`
 * @param velocity RMS velocity, `[npoints][ntau]`
 * @param ntraces number of traces
 * @param traces samples, `[ntraces][ns]`
 * @param geometry sx, sy, gx, gy per trace, `[ntraces][4]`
 * @param traceClass offset class per trace
 * @param image accumulator, `[nclass][npoints][ntau]`
 * @returns contributions summed
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { referenceAccumulate } from "./reference_kernel.ts";
 * const p = { ns: 3, t0: 0, dt: 1, npoints: 1, ntau: 1, tau0: 1, dtau: 1, nclass: 1,
 *   aperture: 0, maxAngle: 0, taper: 0, antialias: false, traceSpacing: 1,
 *   weights: "none" as const, eta: 0 };
 * const image = new Float32Array(1);
 * referenceAccumulate(p, new Float32Array(2), new Float32Array([1000]), 1,
 *   new Float32Array([0, 5, 0]), new Float32Array(4), new Int32Array(1), image);
 * assert(image[0] === 5); // zero offset, tau = 1 s reads t = 1 s
 * ```
 */
export function referenceAccumulate(
  p: KernelParams,
  points: Float32Array,
  velocity: Float32Array,
  ntraces: number,
  traces: Float32Array,
  geometry: Float32Array,
  traceClass: Int32Array,
  image: Float32Array,
): number {
  const tanMax = p.maxAngle > 0 && p.maxAngle < 90 ? Math.tan((p.maxAngle * Math.PI) / 180) : 0;
  const spacingY = p.traceSpacingY !== undefined && p.traceSpacingY > 0
    ? p.traceSpacingY
    : p.traceSpacing;
  const aaCos = Math.cos(((p.spacingAzimuthDeg ?? 0) * Math.PI) / 180);
  const aaSin = Math.sin(((p.spacingAzimuthDeg ?? 0) * Math.PI) / 180);
  // stretch mute: kept while x^2 / v^2 <= stretch tau^2 (the bound follows eta)
  const stretch = stretchRatioLimit(p.stretchMute ?? 0, p.eta);
  let contributions = 0;
  for (let k = 0; k < ntraces; k++) {
    const cls = traceClass[k];
    if (cls < 0 || cls >= p.nclass) continue;
    const sx = geometry[4 * k], sy = geometry[4 * k + 1];
    const gx = geometry[4 * k + 2], gy = geometry[4 * k + 3];
    const mx = 0.5 * (sx + gx), my = 0.5 * (sy + gy);
    const offset2 = (gx - sx) ** 2 + (gy - sy) ** 2;
    const trace = traces.subarray(k * p.ns, (k + 1) * p.ns);
    for (let j = 0; j < p.npoints; j++) {
      const px = points[2 * j], py = points[2 * j + 1];
      // horizontal distances: image point to source, to receiver, to midpoint
      const ds2 = (px - sx) ** 2 + (py - sy) ** 2;
      const dr2 = (px - gx) ** 2 + (py - gy) ** 2;
      const dm = Math.hypot(px - mx, py - my);
      // radius aperture: a hard disc around the midpoint
      if (p.aperture > 0 && dm > p.aperture) continue;
      const out = (cls * p.npoints + j) * p.ntau;
      for (let it = 0; it < p.ntau; it++) {
        const tau = p.tau0 + it * p.dtau;
        const v = velocity[j * p.ntau + it];
        const h = 0.5 * tau; // one-way vertical time
        // stretch mute: left out where the offset stretches the wavelet beyond the limit
        if (stretch > 0 && offset2 / (v * v) > stretch * tau * tau) continue;
        // aperture ratio q in [0, 1]: 1 at the edge of the radius or angle aperture
        let q = p.aperture > 0 ? dm / p.aperture : 0;
        if (tanMax > 0) {
          const reach = h * v * tanMax; // horizontal reach of the maximum angle
          if (dm > reach) continue;
          if (reach > 0) q = Math.max(q, dm / reach);
        }
        const taper = taperWeight(q, p.taper);
        // time from source to image point and from image point to receiver
        const ts = legTime(h, ds2, v, p.eta);
        const tr = legTime(h, dr2, v, p.eta);
        const t = ts + tr;
        const u = (t - p.t0) / p.dt;
        if (!(u >= 0 && u <= p.ns - 1)) continue; // outside the trace: contributes 0
        let value: number;
        if (p.antialias) {
          // operator dip |grad_p t| (s/m) sets the triangle half-width in samples
          const gxs = (ts > 0 ? (px - sx) / (v * v * ts) : 0) +
            (tr > 0 ? (px - gx) / (v * v * tr) : 0);
          const gys = (ts > 0 ? (py - sy) / (v * v * ts) : 0) +
            (tr > 0 ? (py - gy) / (v * v * tr) : 0);
          // ... projected on the spacing azimuth and across it, each times its trace spacing
          const along = (gxs * aaCos + gys * aaSin) * p.traceSpacing;
          const across = (gys * aaCos - gxs * aaSin) * spacingY;
          const width = Math.max(1, Math.hypot(along, across) / p.dt);
          value = (2 * lerpClamped(trace, u) - lerpClamped(trace, u - width) -
            lerpClamped(trace, u + width)) / (width * width);
        } else {
          value = lerpClamped(trace, u);
        }
        let w = 1;
        if (p.weights !== "none") {
          const cs = ts > 0 ? h / ts : 1, cr = tr > 0 ? h / tr : 1;
          w = 0.5 * (cs + cr); // obliquity
          if (p.weights === "spreading") w *= t > 0 ? tau / t : 1; // spreading, normalised at the apex
        }
        image[out + it] += taper * w * value;
        contributions++;
      }
    }
  }
  return contributions;
}

/**
 * One-way traveltime of a straight-ray leg: vertical time h, horizontal
 * distance squared x2, RMS velocity v, Alkhalifah's eta (0: hyperbolic).
 */
export function legTime(h: number, x2: number, v: number, eta: number): number {
  let t2 = h * h + x2 / (v * v);
  if (eta !== 0) {
    const denominator = v * v * (h * h * v * v + (1 + 2 * eta) * x2);
    if (denominator > 0) t2 -= (2 * eta * x2 * x2) / denominator;
  }
  return t2 > 0 ? Math.sqrt(t2) : 0;
}

/** Cosine taper over the outer `fraction` of the aperture; q = 1 at its edge. */
export function taperWeight(q: number, fraction: number): number {
  if (fraction <= 0) return 1;
  const start = 1 - fraction;
  if (q <= start) return 1;
  if (q >= 1) return 0;
  return 0.5 * (1 + Math.cos((Math.PI * (q - start)) / fraction));
}

/** Linear interpolation at fractional sample u, u clamped to [0, n-1]. */
export function lerpClamped(trace: Float32Array, u: number): number {
  const last = trace.length - 1;
  if (u <= 0) return trace[0];
  if (u >= last) return trace[last];
  const i = Math.floor(u);
  const f = u - i;
  return (1 - f) * trace[i] + f * trace[i + 1];
}

/**
 * The WGSL source of the WebGPU Kirchhoff PSTM kernel: only the math of
 * backends/reference/reference_kernel.ts, in float32. Planning, chunking,
 * uploads and read-back live in webgpu_tile.ts.
 *
 * Arguments and units
 * | binding | name        | layout                          | unit                      |
 * |---------|-------------|---------------------------------|---------------------------|
 * | 0       | prm         | Params (uniform, 84 bytes)      | s, m, m/s                 |
 * | 1       | points      | [npoints][2] x, y               | m, from the grid origin   |
 * | 2       | velocity    | [npoints][ntau]                 | m/s (RMS)                 |
 * | 3       | image       | [nclass][npoints][ntau] (rw)    | accumulated amplitude     |
 * | 4       | traces      | [ntraces][ns]                   | amplitude (double integral with antialiasing) |
 * | 5       | geometry    | [ntraces] vec4 sx, sy, gx, gy   | m, from the grid origin   |
 * | 6       | class_range | [nclass][2] first, end trace    | trace index in the batch  |
 * | 7       | counter     | [2] low, high word (rw, atomic) | contributions, 64-bit     |
 *
 * One invocation per output sample (class, point, tau): a workgroup covers
 * WG_SIZE consecutive output times of one column of one offset class, so the
 * point, the class and the trace loop are uniform across it. The host groups
 * the traces of a batch by class; each invocation loops over its class's
 * traces, sums in a register and adds the sum into its own image element (no
 * atomics, so successive dispatches accumulate). Workgroups are numbered
 * linearly over a 2-D dispatch grid: group = id.x + id.y * num_workgroups.x.
 *
 * @module
 */

import { optionCode, WEIGHTS } from "../../core/options.ts";

/**
 * WGSL of the migration kernel; entry point `migrate`, override constant `WG_SIZE`. The
 * weight constants are the codes of core/options.ts `WEIGHTS` (the pstm_weights values).
 */
export const MIGRATE_WGSL = /* wgsl */ `
// Tile parameters: field for field pstm_params (with tan(max angle) precomputed)
// plus the shape of this dispatch. 21 four-byte words.
struct Params {
  ns: u32,            // samples per input trace
  t0: f32,            // time of the first input sample, s
  dt: f32,            // input sample interval, s
  npoints: u32,       // output columns in this chunk
  ntau: u32,          // output samples per column
  tau0: f32,          // first output time, s
  dtau: f32,          // output sample interval, s
  nclass: u32,        // offset classes
  aperture: f32,      // aperture radius, m; <= 0: unlimited
  tan_max: f32,       // tan(maximum angle); 0: unlimited
  taper: f32,         // tapered fraction of the aperture, 0..1
  antialias: u32,     // 1: triangle antialiasing (traces hold the double integral)
  trace_spacing: f32, // antialiasing trace spacing along the spacing azimuth, m
  weights: u32,       // a pstm_weights code: WEIGHTS_NONE, obliquity, WEIGHTS_SPREADING
  eta: f32,           // VTI anellipticity; 0: hyperbolic legs
  tau_groups: u32,    // workgroups along tau per column: ceil(ntau / WG_SIZE)
  total_groups: u32,  // tau_groups * npoints * nclass
  spacing_y: f32,     // antialiasing trace spacing across the spacing azimuth, m
  aa_cos: f32,        // cos and sin of the spacing azimuth
  aa_sin: f32,
  stretch_k: f32,     // stretch mute: keep x^2 / v^2 <= stretch_k tau^2 (backends/stretch_mute.ts); 0: off
}

override WG_SIZE: u32 = 64u;
const WEIGHTS_NONE: u32 = ${optionCode(WEIGHTS, "none")}u;
const WEIGHTS_SPREADING: u32 = ${optionCode(WEIGHTS, "spreading")}u;
const PI: f32 = 3.14159265358979;

@group(0) @binding(0) var<uniform> prm: Params;
@group(0) @binding(1) var<storage, read> points: array<f32>;
@group(0) @binding(2) var<storage, read> velocity: array<f32>;
@group(0) @binding(3) var<storage, read_write> image: array<f32>;
@group(0) @binding(4) var<storage, read> traces: array<f32>;
@group(0) @binding(5) var<storage, read> geometry: array<vec4<f32>>;
@group(0) @binding(6) var<storage, read> class_range: array<u32>;
@group(0) @binding(7) var<storage, read_write> counter: array<atomic<u32>, 2>;

var<workgroup> group_count: atomic<u32>;

// One-way time of a straight-ray leg: vertical time h, horizontal distance
// squared x2, RMS velocity v, Alkhalifah's eta. With a = x2 / v^2 the eta term
// 2 eta x2^2 / (v^2 (h^2 v^2 + (1 + 2 eta) x2)) is 2 eta a^2 / (h^2 + (1 + 2 eta) a),
// which keeps float32 away from x2^2.
fn leg_time(h: f32, x2: f32, v: f32, eta: f32) -> f32 {
  let a = x2 / (v * v);
  var t2 = h * h + a;
  if (eta != 0.0) {
    let d = h * h + (1.0 + 2.0 * eta) * a;
    if (d > 0.0) {
      t2 -= 2.0 * eta * a * a / d;
    }
  }
  return select(0.0, sqrt(max(t2, 0.0)), t2 > 0.0);
}

// Cosine taper over the outer fraction of the aperture; q = 1 at its edge.
fn taper_weight(q: f32, fraction: f32) -> f32 {
  if (fraction <= 0.0) {
    return 1.0;
  }
  let start = 1.0 - fraction;
  if (q <= start) {
    return 1.0;
  }
  if (q >= 1.0) {
    return 0.0;
  }
  return 0.5 * (1.0 + cos(PI * (q - start) / fraction));
}

// Linear interpolation in the trace starting at traces[base], u clamped to [0, ns-1].
fn lerp_clamped(base: u32, u: f32) -> f32 {
  let last = prm.ns - 1u;
  if (u <= 0.0) {
    return traces[base];
  }
  if (u >= f32(last)) {
    return traces[base + last];
  }
  let i = min(u32(floor(u)), last - 1u);
  let f = u - f32(i);
  return (1.0 - f) * traces[base + i] + f * traces[base + i + 1u];
}

@compute @workgroup_size(WG_SIZE)
fn migrate(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  if (lid == 0u) {
    atomicStore(&group_count, 0u);
  }
  workgroupBarrier();

  let group = wid.x + wid.y * nwg.x;
  var count = 0u;
  if (group < prm.total_groups) {
    let column = group / prm.tau_groups; // class * npoints + point
    let cls = column / prm.npoints;
    let j = column % prm.npoints;
    let it = (group % prm.tau_groups) * WG_SIZE + lid;
    if (it < prm.ntau) {
      let px = points[2u * j];
      let py = points[2u * j + 1u];
      let tau = prm.tau0 + f32(it) * prm.dtau;
      let v = velocity[j * prm.ntau + it];
      let h = 0.5 * tau; // one-way vertical time
      let reach = h * v * prm.tan_max; // horizontal reach of the maximum angle
      let last = f32(prm.ns - 1u);
      var acc = 0.0;
      let k_end = class_range[2u * cls + 1u];
      for (var k = class_range[2u * cls]; k < k_end; k++) {
        let g = geometry[k]; // sx, sy, gx, gy
        // horizontal distances: image point to source, to receiver, to midpoint
        let ds = vec2<f32>(px - g.x, py - g.y);
        let dr = vec2<f32>(px - g.z, py - g.w);
        let dm = length(vec2<f32>(px - 0.5 * (g.x + g.z), py - 0.5 * (g.y + g.w)));
        // radius aperture (a hard disc around the midpoint), then the angle aperture;
        // q in [0, 1] is 1 at the edge of either
        var inside = !(prm.aperture > 0.0 && dm > prm.aperture);
        // stretch mute: left out where the offset stretches the wavelet beyond the limit
        let off = vec2<f32>(g.z - g.x, g.w - g.y);
        if (prm.stretch_k > 0.0 && dot(off, off) / (v * v) > prm.stretch_k * tau * tau) {
          inside = false;
        }
        var q = select(0.0, dm / prm.aperture, prm.aperture > 0.0);
        if (prm.tan_max > 0.0) {
          inside = inside && dm <= reach;
          if (reach > 0.0) {
            q = max(q, dm / reach);
          }
        }
        if (inside) {
          // time from source to image point and from image point to receiver
          let ts = leg_time(h, dot(ds, ds), v, prm.eta);
          let tr = leg_time(h, dot(dr, dr), v, prm.eta);
          let t = ts + tr;
          let u = (t - prm.t0) / prm.dt;
          if (u >= 0.0 && u <= last) { // outside the trace contributes 0
            let base = k * prm.ns;
            var value: f32;
            if (prm.antialias != 0u) {
              // operator dip |grad_p t| (s/m) sets the triangle half-width in samples
              let vv = v * v;
              let grad = select(vec2<f32>(0.0), ds / (vv * ts), ts > 0.0) +
                select(vec2<f32>(0.0), dr / (vv * tr), tr > 0.0);
              // ... projected on the spacing azimuth and across it, each times its spacing
              let along = (grad.x * prm.aa_cos + grad.y * prm.aa_sin) * prm.trace_spacing;
              let across = (grad.y * prm.aa_cos - grad.x * prm.aa_sin) * prm.spacing_y;
              let width = max(1.0, length(vec2<f32>(along, across)) / prm.dt);
              value = (2.0 * lerp_clamped(base, u) - lerp_clamped(base, u - width) -
                lerp_clamped(base, u + width)) / (width * width);
            } else {
              value = lerp_clamped(base, u);
            }
            var w = 1.0;
            if (prm.weights != WEIGHTS_NONE) {
              let cs = select(1.0, h / ts, ts > 0.0);
              let cr = select(1.0, h / tr, tr > 0.0);
              w = 0.5 * (cs + cr); // obliquity
              if (prm.weights == WEIGHTS_SPREADING) {
                w *= select(1.0, tau / t, t > 0.0); // spreading, normalised at the apex
              }
            }
            acc += taper_weight(q, prm.taper) * w * value;
            count += 1u;
          }
        }
      }
      let out = column * prm.ntau + it;
      image[out] = image[out] + acc;
    }
  }

  // contributions: a workgroup sum, then one 64-bit add (carry into the high word)
  atomicAdd(&group_count, count);
  workgroupBarrier();
  if (lid == 0u) {
    let n = atomicLoad(&group_count);
    let old = atomicAdd(&counter[0], n);
    if (old + n < old) {
      atomicAdd(&counter[1], 1u);
    }
  }
}
`;

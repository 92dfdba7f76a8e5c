/*
 * cpu_kernel.cpp — the CPU Kirchhoff PSTM kernel: only math.
 *
 * It reproduces backends/reference/reference_kernel.ts in float32 (the
 * reference is float64); docs/algorithm.md states the formulas.
 *
 * Arguments and units
 * | name        | meaning                                           | unit        |
 * |-------------|---------------------------------------------------|-------------|
 * | h[it]       | one-way vertical time tau / 2                     | s           |
 * | inv_v2[it]  | 1 / v_rms(x, y, tau)^2 of the column              | s^2/m^2     |
 * | reach[it]   | h v tan(max angle): how far the angle reaches     | m           |
 * | ds2, dr2    | squared horizontal distance point-source, -receiver | m^2       |
 * | dm          | horizontal distance point-midpoint                | m           |
 * | off2        | squared source-receiver offset (stretch mute)     | m^2         |
 * | trace[i]    | sample at t0 + i dt, i in [0, ns)                 | amplitude   |
 * | out[it]     | image column at tau = 2 h[it]                     | amplitude   |
 *
 * The tau loop is written for `omp simd`: float math, selects instead of
 * branches, gathers for the sample lookups. Features that are off are
 * compiled out through template flags.
 */
#include "cpu_kernel.h"
#include "stretch_mute.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>

namespace pstm::cpu {
namespace {

constexpr double kPi = 3.14159265358979323846;

/** x clamped to [0, last]; NaN gives 0. */
inline float clamp_index(float x, float last) {
  x = x > 0.f ? x : 0.f;
  return x < last ? x : last;
}

/**
 * Linear interpolation at a fractional sample uc already clamped to
 * [0, last]; at uc == last the second sample is the last one again.
 */
inline float lerp_at(const float* __restrict trace, float uc, int last) {
  const float base = std::floor(uc);  // floor() keeps the loop if-convertible for GCC
  const int i = static_cast<int>(base);
  const float f = uc - base;
  const int next = i + 1 < last ? i + 1 : last;
  return (1.f - f) * trace[i] + f * trace[next];
}

/**
 * Cosine taper over the outer fraction of the aperture, 1 inside, 0 at the
 * edge: 0.5 (1 + cos(pi x)) with x = (q - start) / fraction clamped to
 * [0, 1], written as 0.5 (1 - sin(y)), y = pi (x - 1/2) in [-pi/2, pi/2], with
 * sin as its Taylor series to y^11 (error < 6e-8), so the loop vectorises.
 */
inline float taper_weight(float q, float start, float inv_fraction) {
  float x = (q - start) * inv_fraction;
  x = x > 0.f ? x : 0.f;
  x = x < 1.f ? x : 1.f;
  const float y = static_cast<float>(kPi) * (x - 0.5f);
  const float y2 = y * y;
  float s = -1.f / 39916800.f;         // -1/11!
  s = s * y2 + 1.f / 362880.f;         // +1/9!
  s = s * y2 - 1.f / 5040.f;           // -1/7!
  s = s * y2 + 1.f / 120.f;            // +1/5!
  s = s * y2 - 1.f / 6.f;              // -1/3!
  s = (s * y2 + 1.f) * y;              // y - y^3/3! + ...
  return 0.5f * (1.f - s);
}

/** One trace into one output column, specialised on the features in use. */
template <bool AA, bool ANGLE, bool TAPER, bool WEIGHTS, bool ETA, bool TABLE, bool STRETCH>
ColumnCounts column_kernel(const TileConsts& c, const Column& col, const Pair& pr,
                           float* __restrict out) {
  const float* __restrict h_of = col.h;
  const float* __restrict inv_v2_of = col.inv_v2;
  const float* __restrict reach_of = col.reach;
  const float* __restrict trace = pr.trace;
  const float* __restrict ts_lo = pr.ts_lo;
  const float* __restrict ts_hi = pr.ts_hi;
  const float* __restrict tr_lo = pr.tr_lo;
  const float* __restrict tr_hi = pr.tr_hi;
  const float fs = pr.fs, fr = pr.fr;
  const float t0 = c.t0, inv_dt = c.inv_dt, last = c.last;
  const int last_index = static_cast<int>(c.last);
  const float ds2 = pr.ds2, dr2 = pr.dr2, dm = pr.dm, q_radius = pr.q_radius;
  const float dxs = pr.dxs, dys = pr.dys, dxr = pr.dxr, dyr = pr.dyr;
  const float aa_ux = c.aa_ux, aa_uy = c.aa_uy, aa_vx = c.aa_vx, aa_vy = c.aa_vy;
  const float taper_start = 1.f - c.taper;
  const float inv_taper = c.taper > 0.f ? 1.f / c.taper : 0.f;
  const float eta2 = 2.f * c.eta, eta1 = 1.f + 2.f * c.eta;
  const bool spreading = c.weights == PSTM_WEIGHTS_SPREADING;
  [[maybe_unused]] const float off2 = pr.off2, stretch_k4 = c.stretch_k4;
  // without an angle aperture the taper depends on the pair only
  const float pair_taper = TAPER ? taper_weight(q_radius, taper_start, inv_taper) : 1.f;

  int32_t count = 0;
#pragma omp simd reduction(+ : count)
  for (int32_t it = pr.it0; it < pr.it1; ++it) {
    [[maybe_unused]] const float h = h_of[it];
    [[maybe_unused]] const float h2 = h * h;
    [[maybe_unused]] const float inv_v2 = inv_v2_of[it];

    // 1. Angle aperture: the pair counts only where the maximum angle reaches
    //    the midpoint distance; q is the aperture ratio (1 at the edge) for
    //    the taper, the larger of the radius and the angle ratio.
    bool inside = true;
    float q = q_radius;
    if constexpr (ANGLE) {
      const float reach = reach_of[it];
      inside = !(dm > reach);
      const float q_angle = reach > 0.f ? dm / reach : 0.f;
      q = q_angle > q ? q_angle : q;
    }
    // Stretch mute: the sample is left out where the offset stretches the
    // wavelet beyond the limit, x^2 / v^2 > ((1 + s)^2 - 1) tau^2 for eta = 0
    // (the bound follows eta: make_consts).
    if constexpr (STRETCH) inside = inside && !(off2 * inv_v2 > stretch_k4 * h2);

    // 2. Time from the source to the image point and from the image point to
    //    the receiver (straight rays, RMS velocity): t^2 = h^2 + x^2 / v^2,
    //    or, with a traveltime table, interpolated linearly in sqrt(distance)
    //    between the two rows that bracket x (eta is already in the table).
    float ts, tr;
    bool s_pos, r_pos;
    if constexpr (TABLE) {
      ts = (1.f - fs) * ts_lo[it] + fs * ts_hi[it];
      tr = (1.f - fr) * tr_lo[it] + fr * tr_hi[it];
      s_pos = ts > 0.f;
      r_pos = tr > 0.f;
    } else {
      const float a_s = ds2 * inv_v2;  // x_s^2 / v^2, s^2
      const float a_r = dr2 * inv_v2;  // x_r^2 / v^2, s^2
      float ts2 = h2 + a_s;
      float tr2 = h2 + a_r;
      if constexpr (ETA) {
        // Alkhalifah's VTI correction of each leg, divided through by v^4:
        // t^2 -= 2 eta a^2 / (h^2 + (1 + 2 eta) a), where the denominator is > 0.
        const float den_s = h2 + eta1 * a_s;
        const float den_r = h2 + eta1 * a_r;
        ts2 -= den_s > 0.f ? eta2 * a_s * a_s / den_s : 0.f;
        tr2 -= den_r > 0.f ? eta2 * a_r * a_r / den_r : 0.f;
      }
      // (the masks s_pos / r_pos are reused below so GCC vectorises the selects)
      s_pos = ts2 > 0.f;
      r_pos = tr2 > 0.f;
      ts = s_pos ? std::sqrt(ts2) : 0.f;
      tr = r_pos ? std::sqrt(tr2) : 0.f;
    }
    const float t = ts + tr;

    // 3. Fractional input sample; a time outside the trace contributes 0.
    //    The sample is valid when clamping to [0, ns - 1] leaves u unchanged
    //    (NaN never is); a sample outside the angle aperture gets u = -1.
    //    (One float comparison instead of a chain of bools: GCC 12 vectorises it.)
    float u = (t - t0) * inv_dt;
    if constexpr (ANGLE || STRETCH) u = inside ? u : -1.f;
    const float uc = clamp_index(u, last);
    const bool valid = uc == u;

    // 4. The sample (lerpClamped of the reference): plain linear
    //    interpolation, or the Lumley-Claerbout-Bevc triangle filter read from
    //    the double-integrated trace, its half-width in samples set by the
    //    operator dip |grad_p t| and the trace spacing.
    float value;
    if constexpr (AA) {
      const float inv_ts = s_pos ? 1.f / ts : 0.f;
      const float inv_tr = r_pos ? 1.f / tr : 0.f;
      const float dip_x = inv_v2 * (dxs * inv_ts + dxr * inv_tr);  // dt/dx, s/m
      const float dip_y = inv_v2 * (dys * inv_ts + dyr * inv_tr);  // dt/dy, s/m
      // the dip along and across the spacing azimuth, each times its trace spacing
      const float along = aa_ux * dip_x + aa_uy * dip_y;
      const float across = aa_vx * dip_x + aa_vy * dip_y;
      float width = std::sqrt(along * along + across * across);
      width = width > 1.f ? width : 1.f;
      value = (2.f * lerp_at(trace, uc, last_index) -
               lerp_at(trace, clamp_index(u - width, last), last_index) -
               lerp_at(trace, clamp_index(u + width, last), last_index)) /
              (width * width);
    } else {
      value = lerp_at(trace, uc, last_index);
    }

    // 5. Weights: taper, obliquity 0.5 (h/ts + h/tr), spreading tau / t.
    float w = 1.f;
    if constexpr (TAPER) w = ANGLE ? taper_weight(q, taper_start, inv_taper) : pair_taper;
    if constexpr (WEIGHTS) {
      const float cs = s_pos ? h / ts : 1.f;
      const float cr = r_pos ? h / tr : 1.f;
      float ww = 0.5f * (cs + cr);
      const float spread = (s_pos | r_pos) ? 2.f * h / t : 1.f;
      ww *= spreading ? spread : 1.f;
      w *= ww;
    }

    // 6. Sum into the image; a select keeps NaN from rejected lanes out.
    out[it] += valid ? w * value : 0.f;
    count += valid ? 1 : 0;
  }
  return {count, 0, 0};
}

template <std::size_t... F>
constexpr std::array<ColumnKernel, sizeof...(F)> make_table(std::index_sequence<F...>) {
  return {&column_kernel<(F & 1) != 0, (F & 2) != 0, (F & 4) != 0, (F & 8) != 0,
                         (F & 16) != 0, (F & 32) != 0, (F & 64) != 0>...};
}

constexpr auto kKernels = make_table(std::make_index_sequence<128>{});

}  // namespace

TileConsts make_consts(const pstm_params& p) {
  TileConsts c{};
  c.ntau = p.ntau;
  c.tau0 = p.tau0;
  c.dtau = p.dtau;
  c.t0 = p.t0;
  c.inv_dt = static_cast<float>(1.0 / p.dt);
  c.last = static_cast<float>(p.ns - 1);
  c.t_end = static_cast<float>(double(p.t0) + double(p.ns - 1) * p.dt);
  c.aperture = p.aperture;
  const bool angle = p.max_angle > 0.f && p.max_angle < 90.f;
  c.tan_max = angle ? static_cast<float>(std::tan(p.max_angle * kPi / 180.0)) : 0.f;
  c.taper = p.taper;
  c.antialias = p.antialias != 0;
  const double along = double(p.trace_spacing) / p.dt;
  const double across = (p.trace_spacing_y > 0.f ? double(p.trace_spacing_y) : p.trace_spacing) / p.dt;
  const double az = double(p.spacing_azimuth) * kPi / 180.0;
  c.aa_ux = static_cast<float>(std::cos(az) * along);
  c.aa_uy = static_cast<float>(std::sin(az) * along);
  c.aa_vx = static_cast<float>(-std::sin(az) * across);
  c.aa_vy = static_cast<float>(std::cos(az) * across);
  c.weights = p.weights;
  c.eta = p.eta;
  // stretch mute: x^2 / v^2 <= stretch_k4 h^2 is kept; the bound follows eta (stretch_mute.h)
  c.stretch_k4 = static_cast<float>(4.0 * stretch_ratio_limit(p.stretch_mute, p.eta));
  // Every leg takes at least h, so t >= tau: output times later than the
  // end of the trace read nothing (two indices of slack for rounding).
  const double x = (double(p.t0) + double(p.ns - 1) * p.dt - p.tau0) / p.dtau;
  const double cap = std::floor(std::min(x, double(p.ntau))) + 2.0;
  c.it_cap = static_cast<int32_t>(std::clamp(cap, 0.0, double(p.ntau)));
  return c;
}

bool make_pair(const TileConsts& c, const Column& col, double px, double py, double sx,
               double sy, double gx, double gy, const float* trace, Pair* pair) {
  // horizontal distances: image point to source, to receiver, to midpoint
  const double dxs = px - sx, dys = py - sy, dxr = px - gx, dyr = py - gy;
  const double dmx = px - 0.5 * (sx + gx), dmy = py - 0.5 * (sy + gy);
  const double dm = std::sqrt(dmx * dmx + dmy * dmy);  // (hypot is several times slower)
  // radius aperture: a hard disc around the midpoint
  if (c.aperture > 0.f && dm > c.aperture) return false;
  Pair& pr = *pair;
  pr.trace = trace;
  pr.dxs = float(dxs), pr.dys = float(dys), pr.dxr = float(dxr), pr.dyr = float(dyr);
  pr.ds2 = float(dxs * dxs + dys * dys);
  pr.dr2 = float(dxr * dxr + dyr * dyr);
  pr.dm = float(dm);
  pr.q_radius = c.aperture > 0.f ? float(dm / c.aperture) : 0.f;
  pr.off2 = float((gx - sx) * (gx - sx) + (gy - sy) * (gy - sy));
  pr.ts_lo = pr.ts_hi = pr.tr_lo = pr.tr_hi = nullptr;
  pr.fs = pr.fr = 0.f;
  pr.it0 = 0;
  pr.it1 = c.it_cap;
  // angle aperture: no sample before the running maximum of the reach
  // passes dm contributes (the kernel still tests every sample)
  if (c.tan_max > 0.f) {
    pr.it0 = int32_t(std::lower_bound(col.reach_max, col.reach_max + pr.it1, pr.dm) -
                     col.reach_max);
  }
  // time: t >= t_lb(h) = sqrt(h^2 + a) + sqrt(h^2 + b), a = ds2 / vmax'^2,
  // b = dr2 / vmax'^2, increasing with h; drop the deep indices whose t_lb is
  // past the trace end (with slack): t_lb(h) = T at h^2 = T^2/4 - (a + b)/2 +
  // (a - b)^2 / (4 T^2), the inverse of the double square root. Keeping an
  // index or two too many is harmless: the kernel tests every sample.
  const double slack = 1e-5 * (std::fabs(c.t0) + 1.0 / c.inv_dt);
  const double T = (c.t_end + slack) / (1.0 - 1e-5);
  const double a = pr.ds2 * double(col.inv_vmax2), b = pr.dr2 * double(col.inv_vmax2);
  if (!(T > std::sqrt(a) + std::sqrt(b))) return false;  // even h = 0 is past the end
  const double h2 = 0.25 * T * T - 0.5 * (a + b) + (a - b) * (a - b) / (4.0 * T * T);
  const double last = std::floor((2.0 * std::sqrt(std::max(h2, 0.0)) - c.tau0) / c.dtau) + 2.0;
  pr.it1 = int32_t(std::clamp(last, double(pr.it0), double(pr.it1)));
  // stretch mute: skip the leading samples the kernel would leave out (same float test)
  if (c.stretch_k4 > 0.f) {
    while (pr.it0 < pr.it1 &&
           pr.off2 * col.inv_v2[pr.it0] > c.stretch_k4 * (col.h[pr.it0] * col.h[pr.it0])) {
      ++pr.it0;
    }
  }
  return pr.it0 < pr.it1;
}

void fill_travel_table(const TileConsts& c, const float* h, const float* inv_v2, int32_t nx,
                       double du, float* table) {
  const int32_t ntau = c.ntau;
  const double eta = c.eta;
  for (int32_t k = 0; k < nx; ++k) {
    const double u2 = double(k) * du * (double(k) * du);  // x = u^2
    const double x2 = u2 * u2;
    float* row = table + size_t(k) * size_t(ntau);
    for (int32_t it = 0; it < ntau; ++it) {
      const double h2 = double(h[it]) * h[it];
      const double a = x2 * inv_v2[it];
      double t2 = h2 + a;
      const double den = h2 + (1.0 + 2.0 * eta) * a;
      if (eta != 0.0 && den > 0.0) t2 -= 2.0 * eta * a * a / den;
      row[it] = t2 > 0.0 ? float(std::sqrt(t2)) : 0.f;
    }
  }
}

bool table_legs(const TravelTable& table, Pair* pair) {
  Pair& pr = *pair;
  const float us = std::sqrt(std::sqrt(pr.ds2)) * table.inv_du;  // u = sqrt(x)
  const float ur = std::sqrt(std::sqrt(pr.dr2)) * table.inv_du;
  const float last = float(table.nx - 1);
  if (!(us < last) || !(ur < last)) return false;
  const int32_t ks = int32_t(us), kr = int32_t(ur);
  const size_t ntau = size_t(table.ntau);
  pr.ts_lo = table.t + size_t(ks) * ntau;
  pr.ts_hi = pr.ts_lo + ntau;
  pr.tr_lo = table.t + size_t(kr) * ntau;
  pr.tr_hi = pr.tr_lo + ntau;
  pr.fs = us - float(ks);
  pr.fr = ur - float(kr);
  return true;
}

ColumnKernel select_portable_kernel(const TileConsts& c, bool table) {
  const bool angle = c.tan_max > 0.f;
  const bool taper = c.taper > 0.f && (c.aperture > 0.f || angle);
  const bool weights = c.weights != PSTM_WEIGHTS_NONE;
  const bool eta = c.eta != 0.f;
  const bool stretch = c.stretch_k4 > 0.f;
  const unsigned index = (c.antialias ? 1u : 0u) | (angle ? 2u : 0u) | (taper ? 4u : 0u) |
                         (weights ? 8u : 0u) | (eta && !table ? 16u : 0u) |
                         (table ? 32u : 0u) | (stretch ? 64u : 0u);
  return kKernels[index];
}

#if !defined(PSTM_HAVE_HWY)
std::vector<KernelTarget> kernel_targets() { return {{"portable", true, &select_portable_kernel}}; }
#endif

}  // namespace pstm::cpu

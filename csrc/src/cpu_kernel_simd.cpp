/*
 * cpu_kernel_simd.cpp — the CPU column kernel in portable SIMD (Highway),
 * compiled once per instruction set (SSE4, AVX2, AVX-512 on x86-64, NEON on
 * ARM64, and Highway's emulated 128-bit baseline) and picked at run time, so
 * one build runs on every node of a cluster. Only math: the same formulas as
 * the portable kernel (cpu_kernel.cpp) and docs/algorithm.md, in vectors of
 * N output samples of one (trace, column) pair.
 *
 * Where the time goes, and the two ideas that remove it (docs/performance.md):
 * - Square roots: each leg is t = x * rsqrt(x) with one Newton step
 *   (relative error ~1e-7 after the step, float rounding), instead of the
 *   divider-bound sqrt; 1/t for the weights and dips is the same rsqrt.
 * - Sample lookups: for a non-decreasing v(tau) each leg's time has
 *   dt/dtau <= 1/2, so the N lanes of one vector read input samples within
 *   about N dtau/dt + 2 of each other. The kernel loads the 2N + 1 samples
 *   from the lower of the first and the last lane's index and permutes them
 *   into place (AVX-512: vpermt2ps; AVX2: two vpermps and a blend) instead of
 *   gathering. Each vector checks that every contributing lane's two samples
 *   lie in the window and else gathers: velocity inversions, output sampling
 *   coarser than the input, wide antialiasing triangles and the trace end all
 *   stay exact.
 * And one idea that lets the core overlap them: the vectors of a chunk go
 * through the square roots first and through the lookups after, so the
 * lookups of one vector do not wait on its own chain of square roots.
 */
#include <cstdint>
#include <cstdlib>
#include <cstring>

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "cpu_kernel_simd.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep
#include <hwy/highway.h>

#include "cpu_kernel.h"

HWY_BEFORE_NAMESPACE();
namespace pstm::cpu {
namespace HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using DF = hn::ScalableTag<float>;
using DI = hn::RebindToSigned<DF>;
using VF = hn::Vec<DF>;
using VI = hn::Vec<DI>;
using MF = hn::Mask<DF>;

constexpr double kPi = 3.14159265358979323846;

/** Whether this target permutes a window of 2N samples instead of gathering. */
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL || HWY_TARGET == HWY_AVX2
constexpr bool kWindow = true;
#else
constexpr bool kWindow = false;
#endif

/** Lanes idx (0..2N-1) of the 2N-sample window [lo | hi]. */
HWY_INLINE VF window_lookup(VF lo, VF hi, VI idx) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  return VF{_mm512_permutex2var_ps(lo.raw, idx.raw, hi.raw)};
#elif HWY_TARGET == HWY_AVX2
  const __m256 a = _mm256_permutevar8x32_ps(lo.raw, idx.raw);
  const __m256 b = _mm256_permutevar8x32_ps(hi.raw, idx.raw);
  // bit 3 of idx picks hi: shifted into the sign bit that blendv reads
  return VF{_mm256_blendv_ps(a, b, _mm256_castsi256_ps(_mm256_slli_epi32(idx.raw, 28)))};
#else
  (void)hi;
  (void)idx;
  return lo;  // not used: kWindow is false
#endif
}

/** Whether this target has a hardware 1/sqrt estimate worth refining. */
#if HWY_TARGET == HWY_EMU128 || HWY_TARGET == HWY_SCALAR
constexpr bool kEstimate = false;
#else
constexpr bool kEstimate = true;
#endif

/**
 * sqrt(x) for x > 0 and, with INV, 1 / sqrt(x): from the hardware estimate
 * r ~ 1/sqrt(x) (12 to 14 bits on x86), t = x r corrected once with the
 * exact residual x - t^2 (an FMA), which leaves float rounding; 1/sqrt(x)
 * by one Newton step on r. Targets without an estimate divide.
 */
template <bool INV>
HWY_INLINE VF sqrt_and_inverse(DF d, VF x, VF* inverse) {
  if constexpr (!kEstimate) {
    const VF t = hn::Sqrt(x);
    if constexpr (INV) *inverse = hn::Div(hn::Set(d, 1.f), t);
    return t;
  } else {
    VF r = hn::ApproximateReciprocalSqrt(x);
#if HWY_TARGET == HWY_NEON
    const VF half_x = hn::Mul(x, hn::Set(d, 0.5f));
    r = hn::Mul(r, hn::NegMulAdd(hn::Mul(half_x, r), r, hn::Set(d, 1.5f)));  // 8 -> 16 bits
#endif
    const VF t = hn::Mul(x, r);
    const VF residual = hn::NegMulAdd(t, t, x);
    const VF half_r = hn::Mul(hn::Set(d, 0.5f), r);
    // the Newton step r (1.5 - x r^2 / 2), with x r^2 / 2 = t (r / 2)
    if constexpr (INV) *inverse = hn::Mul(r, hn::NegMulAdd(t, half_r, hn::Set(d, 1.5f)));
    return hn::MulAdd(half_r, residual, t);
  }
}

/**
 * sqrt(x) and 1 / x for x >= 1 (the triangle's half-width from its square):
 * one Newton step on the 1/sqrt estimate r, then x r and r^2 (a few ulp;
 * targets without an estimate take the square root and divide).
 */
HWY_INLINE VF sqrt_and_reciprocal(DF d, VF x, VF* reciprocal) {
  if constexpr (!kEstimate) {
    *reciprocal = hn::Div(hn::Set(d, 1.f), x);
    return hn::Sqrt(x);
  } else {
    VF r = hn::ApproximateReciprocalSqrt(x);
    const VF half_x = hn::Mul(x, hn::Set(d, 0.5f));
#if HWY_TARGET == HWY_NEON
    r = hn::Mul(r, hn::NegMulAdd(hn::Mul(half_x, r), r, hn::Set(d, 1.5f)));  // 8 -> 16 bits
#endif
    r = hn::Mul(r, hn::NegMulAdd(hn::Mul(half_x, r), r, hn::Set(d, 1.5f)));
    *reciprocal = hn::Mul(r, r);
    return hn::Mul(x, r);
  }
}

/** 1 / x for x > 0: the hardware estimate and one Newton step (targets without one divide). */
HWY_INLINE VF reciprocal(DF d, VF x) {
  if constexpr (!kEstimate) {
    return hn::Div(hn::Set(d, 1.f), x);
  } else {
    VF r = hn::ApproximateReciprocal(x);
#if HWY_TARGET == HWY_NEON
    r = hn::Mul(r, hn::NegMulAdd(x, r, hn::Set(d, 2.f)));  // 8 -> 16 bits
#endif
    return hn::Mul(r, hn::NegMulAdd(x, r, hn::Set(d, 2.f)));
  }
}

/** x clamped to [0, last]; NaN gives 0. */
HWY_INLINE VF clamp_index(DF d, VF x, VF last) {
  return hn::Min(hn::IfThenElseZero(hn::Gt(x, hn::Zero(d)), x), last);
}

/**
 * The integer part of x, for lanes in [0, 2^31) (elsewhere any value): one
 * truncating conversion. Highway's ConvertTo adds a fix-up for lanes beyond
 * the int32 range (4 more instructions on x86) that sample indices never need.
 */
HWY_INLINE VI index_of(DF d, VF x) {
#if HWY_TARGET == HWY_AVX3 || HWY_TARGET == HWY_AVX3_DL
  (void)d;
  return VI{_mm512_cvttps_epi32(x.raw)};
#elif HWY_TARGET == HWY_AVX2
  (void)d;
  return VI{_mm256_cvttps_epi32(x.raw)};
#elif HWY_TARGET == HWY_SSE4
  (void)d;
  return VI{_mm_cvttps_epi32(x.raw)};
#else
  (void)d;
  return hn::ConvertTo(DI(), x);
#endif
}

/**
 * Lanes of idx outside [0, 2N - 1] (sample idx of the window and of the
 * window shifted by one inside the 2N + 1 samples loaded): one unsigned
 * comparison.
 */
HWY_INLINE MF outside_window(DF d, VI idx) {
  const DI di;
  const hn::RebindToUnsigned<DI> du;
  const auto last = hn::Set(du, uint32_t(2 * hn::Lanes(d) - 1));
  return hn::RebindMask(d, hn::RebindMask(di, hn::Gt(hn::BitCast(du, idx), last)));
}

/**
 * The window start for lookups whose lowest lane index lies near the lower
 * of the first and the last lane of `i`, minus `slack`, clamped so that the
 * 2N + 1 samples from it lie inside the trace (ns > 2N).
 */
HWY_INLINE int32_t window_start(DF d, VI i, int32_t ns, int32_t slack) {
  const int32_t n = int32_t(hn::Lanes(d));
  const int32_t first = hn::GetLane(i), end = hn::ExtractLane(i, size_t(n - 1));
  // a lane that need not be right may hold any index (the triangle's ends
  // are not clamped above 0 / below last; far beyond the trace, or NaN, the
  // conversion gives INT32_MIN): no signed overflow
  const int32_t low = first < end ? first : end;
  const int32_t start = low < slack ? 0 : low - slack;
  return start > ns - 2 * n - 1 ? ns - 2 * n - 1 : start;
}

/**
 * The samples trace[start..start + 2N] in registers: lookups at window index
 * x in [0, 2N - 1] read sample start + x from [lo | hi] and the next one, at
 * the same index, from [lo1 | hi1] (loaded one sample later: no index + 1).
 */
struct Window {
  VF lo, hi, lo1, hi1;
};

HWY_INLINE Window load_window(DF d, const float* HWY_RESTRICT trace, int32_t start) {
  const int32_t n = int32_t(hn::Lanes(d));
  const float* p = trace + start;
  return {hn::LoadU(d, p), hn::LoadU(d, p + n), hn::LoadU(d, p + 1), hn::LoadU(d, p + n + 1)};
}

/** a + f (b - a) from the window at index x (0..2N-1) with fraction f. */
HWY_INLINE VF window_lerp(const Window& w, VI x, VF f) {
  const VF a = window_lookup(w.lo, w.hi, x);
  const VF b = window_lookup(w.lo1, w.hi1, x);
  return hn::MulAdd(f, hn::Sub(b, a), a);
}

/** Samples i and i + 1 (clamped to the trace) by gathers. */
HWY_INLINE void gather_pair(DF d, const float* HWY_RESTRICT trace, int32_t ns, VI i, VF* a,
                            VF* b) {
  const DI di;
  const VI i1 = hn::Min(hn::Add(i, hn::Set(di, 1)), hn::Set(di, ns - 1));
  *a = hn::GatherIndex(d, trace, i);
  *b = hn::GatherIndex(d, trace, i1);
}

/**
 * Linear interpolation of trace[0..ns) at fractional samples uc (clamped to
 * [0, ns - 1]); only the lanes of `need` must be right.
 */
HWY_INLINE VF lerp_at(DF d, const float* HWY_RESTRICT trace, int32_t ns, VF uc, MF need,
                      ColumnCounts* counts) {
  const DI di;
  const VF base = hn::Floor(uc);
  const VI i = index_of(d, uc);  // uc >= 0: the integer part is floor(uc)
  const VF f = hn::Sub(uc, base);
  if constexpr (kWindow) {
    const int32_t n = int32_t(hn::Lanes(d));
    if (ns > 2 * n) {
      // window from two samples before the first or the last lane, whichever
      // is lower (the times fall with tau where v(tau) rises fast at far offsets)
      const int32_t start = window_start(d, i, ns, 2);
      const VI idx = hn::Sub(i, hn::Set(di, start));
      if (hn::AllFalse(d, hn::And(outside_window(d, idx), need))) {
        counts->windowed++;
        return window_lerp(load_window(d, trace, start), idx, f);
      }
    }
  }
  counts->gathered++;
  VF a, b;
  gather_pair(d, trace, ns, i, &a, &b);
  return hn::MulAdd(f, hn::Sub(b, a), a);
}

/**
 * The triangle filter's three lookups at ub <= uc <= ua: 2 I(uc) - I(ub) -
 * I(ua). uc lies in [0, ns - 1]; ub and ua need only lie in it where `need`
 * (ub >= 0, ua <= ns - 1; the other bound follows from ub <= uc <= ua), and
 * are clamped here before the rare gathers. Where the lanes of `need` read
 * within one 2N-sample window (narrow triangles), one window serves all
 * three; else each lookup takes its own window or gathers (lerp_at).
 */
HWY_INLINE VF triangle_at(DF d, const float* HWY_RESTRICT trace, int32_t ns, VF ub, VF uc,
                          VF ua, VF last, MF need, ColumnCounts* counts) {
  const VF two = hn::Set(d, 2.f);
  if constexpr (kWindow) {
    const DI di;
    const int32_t n = int32_t(hn::Lanes(d));
    if (ns > 2 * n) {
      const VI ib = index_of(d, ub), ia = index_of(d, ua);
      const int32_t start = window_start(d, ib, ns, 1);
      const VI s = hn::Set(di, start);
      const VI xb = hn::Sub(ib, s), xa = hn::Sub(ia, s);
      // ib <= ic <= ia lane by lane: xb >= 0 and xa <= 2N - 1 bound all three
      if (hn::AllFalse(d, hn::And(hn::Or(outside_window(d, xb), outside_window(d, xa)), need))) {
        counts->windowed += 3;
        const Window w = load_window(d, trace, start);
        const VI xc = hn::Sub(index_of(d, uc), s);
        const VF centre = window_lerp(w, xc, hn::Sub(uc, hn::Floor(uc)));
        const VF before = window_lerp(w, xb, hn::Sub(ub, hn::Floor(ub)));
        const VF after = window_lerp(w, xa, hn::Sub(ua, hn::Floor(ua)));
        return hn::Sub(hn::MulSub(centre, two, before), after);  // 2 c exact: as 2 c - b - a
      }
    }
  }
  const VF centre = lerp_at(d, trace, ns, uc, need, counts);
  const VF before = lerp_at(d, trace, ns, clamp_index(d, ub, last), need, counts);
  const VF after = lerp_at(d, trace, ns, clamp_index(d, ua, last), need, counts);
  return hn::Sub(hn::MulSub(centre, two, before), after);
}

/** The cosine taper of cpu_kernel.cpp (Taylor series of sin to y^11). */
HWY_INLINE VF taper_weight(DF d, VF q, float start, float inv_fraction) {
  VF x = hn::Mul(hn::Sub(q, hn::Set(d, start)), hn::Set(d, inv_fraction));
  x = hn::Min(hn::Max(x, hn::Zero(d)), hn::Set(d, 1.f));
  const VF y = hn::Mul(hn::Set(d, float(kPi)), hn::Sub(x, hn::Set(d, 0.5f)));
  const VF y2 = hn::Mul(y, y);
  VF s = hn::Set(d, -1.f / 39916800.f);
  s = hn::MulAdd(s, y2, hn::Set(d, 1.f / 362880.f));
  s = hn::MulAdd(s, y2, hn::Set(d, -1.f / 5040.f));
  s = hn::MulAdd(s, y2, hn::Set(d, 1.f / 120.f));
  s = hn::MulAdd(s, y2, hn::Set(d, -1.f / 6.f));
  s = hn::Mul(hn::MulAdd(s, y2, hn::Set(d, 1.f)), y);
  return hn::Mul(hn::Set(d, 0.5f), hn::Sub(hn::Set(d, 1.f), s));
}

/**
 * One trace into one output column. AA and TABLE are compiled in; the rarer
 * features (angle aperture, taper, weights, eta, stretch mute) are tested once per vector
 * through loop-invariant flags when EXTRAS is on.
 */
template <bool AA, bool TABLE, bool EXTRAS>
ColumnCounts column_kernel(const TileConsts& c, const Column& col, const Pair& pr,
                           float* HWY_RESTRICT out) {
  const DF d;
  const int32_t n = int32_t(hn::Lanes(d));
  const int32_t it0 = pr.it0, it1 = pr.it1;
  if (it1 - it0 < n) return select_portable_kernel(c, TABLE)(c, col, pr, out);

  const float* HWY_RESTRICT trace = pr.trace;
  // (locals: the stores to out would otherwise reload them from col every vector)
  const float* HWY_RESTRICT h_of = col.h;
  const float* HWY_RESTRICT inv_v2_of = col.inv_v2;
  const float* HWY_RESTRICT reach_of = col.reach;
  const float* HWY_RESTRICT ts_lo = pr.ts_lo;
  const float* HWY_RESTRICT ts_hi = pr.ts_hi;
  const float* HWY_RESTRICT tr_lo = pr.tr_lo;
  const float* HWY_RESTRICT tr_hi = pr.tr_hi;
  const int32_t ns = int32_t(c.last) + 1;
  const bool angle = EXTRAS && c.tan_max > 0.f;
  const bool taper = EXTRAS && c.taper > 0.f && (c.aperture > 0.f || angle);
  const bool weights = EXTRAS && c.weights != PSTM_WEIGHTS_NONE;
  const bool spreading = EXTRAS && c.weights == PSTM_WEIGHTS_SPREADING;
  const bool eta = EXTRAS && !TABLE && c.eta != 0.f;
  const bool stretch = EXTRAS && c.stretch_k4 > 0.f;
  const VF off2 = hn::Set(d, pr.off2), stretch_k4 = hn::Set(d, c.stretch_k4);
  const float taper_start = 1.f - c.taper;
  const float inv_taper = c.taper > 0.f ? 1.f / c.taper : 0.f;
  const VF ds2 = hn::Set(d, pr.ds2), dr2 = hn::Set(d, pr.dr2), dm = hn::Set(d, pr.dm);
  const VF q_radius = hn::Set(d, pr.q_radius);
  const VF fs = hn::Set(d, pr.fs), fr = hn::Set(d, pr.fr);
  const VF inv_dt = hn::Set(d, c.inv_dt), t0 = hn::Set(d, c.t0), last = hn::Set(d, c.last);
  const VF eta1 = hn::Set(d, 1.f + 2.f * c.eta), eta2 = hn::Set(d, 2.f * c.eta);
  const VF tiny = hn::Set(d, 1e-30f);  // below it a leg time counts as 0 (no rsqrt of 0)
  const VF v_taper_start = hn::Set(d, taper_start);
  const VF aa_s_along = hn::Set(d, c.aa_ux * pr.dxs + c.aa_uy * pr.dys);
  const VF aa_r_along = hn::Set(d, c.aa_ux * pr.dxr + c.aa_uy * pr.dyr);
  const VF aa_s_across = hn::Set(d, c.aa_vx * pr.dxs + c.aa_vy * pr.dys);
  const VF aa_r_across = hn::Set(d, c.aa_vx * pr.dxr + c.aa_vy * pr.dyr);
  const bool pair_tapered = taper && pr.q_radius > taper_start;
  const VF pair_taper = hn::Set(
      d, taper ? hn::GetLane(taper_weight(d, q_radius, taper_start, inv_taper)) : 1.f);

  ColumnCounts counts{0, 0, 0};
  // The vectors of a chunk in two passes: first the times, lookup positions
  // and weights of every vector, then the lookups and sums. Each pass is a
  // loop of short, independent iterations; in one loop the lookups wait on
  // the long chain of square roots before them, and the core's reorder
  // window holds too few vectors to hide it.
  constexpr int32_t kChunk = 16;  // vectors per chunk
  constexpr size_t kMaxN = HWY_MAX_BYTES / sizeof(float);
  HWY_ALIGN float chunk_uc[kChunk * kMaxN];           // the sample (triangle's centre)
  HWY_ALIGN float chunk_ub[AA ? kChunk * kMaxN : 1];  // the triangle's ends
  HWY_ALIGN float chunk_ua[AA ? kChunk * kMaxN : 1];
  HWY_ALIGN float chunk_scale[kChunk * kMaxN];        // 1 / width^2 times the weights
  uint8_t chunk_valid[kChunk][8];                     // mask bits of the summed lanes
  int32_t chunk_at[kChunk];                           // the vector's first sample
  const bool scaled = AA || taper || weights;
  for (int32_t chunk = it0; chunk < it1; chunk += kChunk * n) {
    const int32_t chunk_end = it1 - chunk < kChunk * n ? it1 : chunk + kChunk * n;
    int32_t nv = 0;
    // full vectors from it0; the last, partial one is shifted back to end at
    // it1 with its first lanes (already summed) masked off
    for (int32_t it = chunk; it < chunk_end; it += n, nv++) {
      int32_t at = it;
      MF valid = hn::FirstN(d, size_t(n));
      if (it + n > it1) {
        at = it1 - n;
        valid = hn::Not(hn::FirstN(d, size_t(it - at)));
      }
      const VF h = hn::LoadU(d, h_of + at);
      const VF h2 = hn::Mul(h, h);
      const VF inv_v2 = hn::LoadU(d, inv_v2_of + at);

      // 1. angle aperture, and the aperture ratio q for the taper
      // The taper weight falls with q = max(q_angle, q_radius), so where no
      // valid lane's q_angle passes the taper's start the weight is the
      // pair's, w(q_radius) (1 inside the start): the division and the
      // series only for vectors in the angle's taper zone, a band of tau
      // after it0 (the radius taper alone covers 36% of the pairs at 0.2).
      VF q = q_radius;
      bool angle_tapered = false;  // some valid lane lies in the angle's taper zone
      if (angle) {
        const VF reach = hn::LoadU(d, reach_of + at);
        valid = hn::AndNot(hn::Gt(dm, reach), valid);
        if (taper) {
          angle_tapered =
              !hn::AllFalse(d, hn::And(hn::Gt(dm, hn::Mul(v_taper_start, reach)), valid));
        }
        if (angle_tapered) {
          const VF q_angle = hn::IfThenElseZero(hn::Gt(reach, hn::Zero(d)), hn::Div(dm, reach));
          q = hn::Max(q_angle, q);
        }
      }

      // stretch mute: out where the offset stretches the sample beyond the limit
      if (stretch) {
        valid = hn::AndNot(hn::Gt(hn::Mul(off2, inv_v2), hn::Mul(stretch_k4, h2)), valid);
      }

      // 2. leg times ts, tr and their inverses (0 where the leg time is 0)
      VF ts, tr, inv_ts, inv_tr;
      MF s_pos, r_pos;
      if constexpr (TABLE) {
        const VF s_lo = hn::LoadU(d, ts_lo + at), s_hi = hn::LoadU(d, ts_hi + at);
        const VF r_lo = hn::LoadU(d, tr_lo + at), r_hi = hn::LoadU(d, tr_hi + at);
        ts = hn::MulAdd(fs, hn::Sub(s_hi, s_lo), s_lo);
        tr = hn::MulAdd(fr, hn::Sub(r_hi, r_lo), r_lo);
        s_pos = hn::Gt(ts, hn::Zero(d));
        r_pos = hn::Gt(tr, hn::Zero(d));
        if (AA || weights) {
          const VF one = hn::Set(d, 1.f);
          inv_ts = hn::IfThenElseZero(s_pos, reciprocal(d, hn::IfThenElse(s_pos, ts, one)));
          inv_tr = hn::IfThenElseZero(r_pos, reciprocal(d, hn::IfThenElse(r_pos, tr, one)));
        }
      } else {
        const VF a_s = hn::Mul(ds2, inv_v2), a_r = hn::Mul(dr2, inv_v2);
        VF ts2 = hn::Add(h2, a_s), tr2 = hn::Add(h2, a_r);
        if (eta) {
          // Alkhalifah's VTI correction: t^2 -= 2 eta a^2 / (h^2 + (1 + 2 eta) a)
          const VF den_s = hn::MulAdd(eta1, a_s, h2), den_r = hn::MulAdd(eta1, a_r, h2);
          const MF ok_s = hn::Gt(den_s, hn::Zero(d)), ok_r = hn::Gt(den_r, hn::Zero(d));
          ts2 = hn::Sub(ts2, hn::IfThenElseZero(ok_s, hn::Div(hn::Mul(eta2, hn::Mul(a_s, a_s)),
                                                                 den_s)));
          tr2 = hn::Sub(tr2, hn::IfThenElseZero(ok_r, hn::Div(hn::Mul(eta2, hn::Mul(a_r, a_r)),
                                                                 den_r)));
        }
        s_pos = hn::Gt(ts2, tiny);
        r_pos = hn::Gt(tr2, tiny);
        // a leg time of 0 (below tiny) stays 0, and so does its inverse
        const VF xs = hn::Max(ts2, tiny), xr = hn::Max(tr2, tiny);
        if (AA || weights) {
          ts = hn::IfThenElseZero(s_pos, sqrt_and_inverse<true>(d, xs, &inv_ts));
          tr = hn::IfThenElseZero(r_pos, sqrt_and_inverse<true>(d, xr, &inv_tr));
          inv_ts = hn::IfThenElseZero(s_pos, inv_ts);
          inv_tr = hn::IfThenElseZero(r_pos, inv_tr);
        } else {
          ts = hn::IfThenElseZero(s_pos, sqrt_and_inverse<false>(d, xs, nullptr));
          tr = hn::IfThenElseZero(r_pos, sqrt_and_inverse<false>(d, xr, nullptr));
        }
      }
      const VF t = hn::Add(ts, tr);

      // 3. fractional input sample; outside the trace contributes 0
      const VF u = hn::Mul(hn::Sub(t, t0), inv_dt);
      const VF uc = clamp_index(d, u, last);
      valid = hn::And(valid, hn::Eq(uc, u));

      // 4. where the sample is read: the triangle's ends and 1 / width^2
      VF scale = hn::Set(d, 1.f);
      if constexpr (AA) {
        // the dip (dt/dx, dt/dy) = inv_v2 (d_s / ts + d_r / tr) along and
        // across the spacing azimuth, each times its trace spacing, with the
        // pair's distances projected once (aa_s_along = u . d_s, ...)
        const VF along =
            hn::Mul(inv_v2, hn::MulAdd(aa_s_along, inv_ts, hn::Mul(aa_r_along, inv_tr)));
        const VF across =
            hn::Mul(inv_v2, hn::MulAdd(aa_s_across, inv_ts, hn::Mul(aa_r_across, inv_tr)));
        // half-width in samples, at least 1: width^2 = max(along^2 + across^2, 1)
        const VF width2 =
            hn::Max(hn::MulAdd(along, along, hn::Mul(across, across)), hn::Set(d, 1.f));
        const VF width = sqrt_and_reciprocal(d, width2, &scale);
        // where valid, 0 <= u <= last: before <= u needs only the lower bound,
        // after >= u only the upper one (triangle_at clamps both before gathers)
        hn::Store(hn::Max(hn::Sub(u, width), hn::Zero(d)), d, chunk_ub + nv * n);
        hn::Store(hn::Min(hn::Add(u, width), last), d, chunk_ua + nv * n);
      }

      // 5. weights: taper, obliquity 0.5 (h/ts + h/tr), spreading tau / t
      if (angle_tapered) {
        scale = hn::Mul(scale, taper_weight(d, q, taper_start, inv_taper));
      } else if (pair_tapered) {
        scale = hn::Mul(scale, pair_taper);
      }
      if (weights) {
        const VF one = hn::Set(d, 1.f);
        const VF cs = hn::IfThenElse(s_pos, hn::Mul(h, inv_ts), one);
        const VF cr = hn::IfThenElse(r_pos, hn::Mul(h, inv_tr), one);
        VF w = hn::Mul(hn::Set(d, 0.5f), hn::Add(cs, cr));
        if (spreading) {
          const MF any = hn::Or(s_pos, r_pos);
          const VF t_safe = hn::IfThenElse(any, t, one);
          w = hn::Mul(w, hn::IfThenElse(any, hn::Mul(hn::Add(h, h), reciprocal(d, t_safe)), one));
        }
        scale = hn::Mul(scale, w);
      }

      hn::Store(uc, d, chunk_uc + nv * n);
      if (scaled) hn::Store(scale, d, chunk_scale + nv * n);
      hn::StoreMaskBits(d, valid, chunk_valid[nv]);
      chunk_at[nv] = at;
      counts.contributions += int64_t(hn::CountTrue(d, valid));
    }

    // 6. the samples: linear interpolation, or the triangle filter; summed
    // into the image (the select keeps NaN of rejected lanes out)
    for (int32_t k = 0; k < nv; k++) {
      const MF valid = hn::LoadMaskBits(d, chunk_valid[k]);
      const VF uc = hn::Load(d, chunk_uc + k * n);
      VF value;
      if constexpr (AA) {
        value = triangle_at(d, trace, ns, hn::Load(d, chunk_ub + k * n), uc,
                            hn::Load(d, chunk_ua + k * n), last, valid, &counts);
      } else {
        value = lerp_at(d, trace, ns, uc, valid, &counts);
      }
      if (scaled) value = hn::Mul(value, hn::Load(d, chunk_scale + k * n));
      float* HWY_RESTRICT o = out + chunk_at[k];
      hn::StoreU(hn::Add(hn::LoadU(d, o), hn::IfThenElseZero(valid, value)), d, o);
    }
  }
  return counts;
}

}  // namespace

/** The kernel of this target for the tile's features. */
ColumnKernel select(const TileConsts& c, bool table) {
  const bool angle = c.tan_max > 0.f;
  const bool taper = c.taper > 0.f && (c.aperture > 0.f || angle);
  const bool extras = angle || taper || c.weights != PSTM_WEIGHTS_NONE || c.eta != 0.f ||
                      c.stretch_k4 > 0.f;
  static constexpr ColumnKernel kKernels[8] = {
      &column_kernel<false, false, false>, &column_kernel<true, false, false>,
      &column_kernel<false, true, false>,  &column_kernel<true, true, false>,
      &column_kernel<false, false, true>,  &column_kernel<true, false, true>,
      &column_kernel<false, true, true>,   &column_kernel<true, true, true>};
  return kKernels[(c.antialias ? 1 : 0) | (table ? 2 : 0) | (extras ? 4 : 0)];
}

}  // namespace HWY_NAMESPACE
}  // namespace pstm::cpu
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace pstm::cpu {
namespace {

/** Whether this CPU runs the instructions Highway compiles a target with. */
bool cpu_runs([[maybe_unused]] int64_t target) {
#if HWY_ARCH_X86 && defined(__GNUC__)
  __builtin_cpu_init();
  const bool sse4 = __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul") &&
                    __builtin_cpu_supports("aes");
  const bool avx2 = sse4 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                    __builtin_cpu_supports("bmi2") && __builtin_cpu_supports("f16c");
  const bool avx3 = avx2 && __builtin_cpu_supports("avx512f") &&
                    __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                    __builtin_cpu_supports("avx512bw");
  if (target == HWY_AVX3) return avx3;
  if (target == HWY_AVX2) return avx2;
  if (target == HWY_SSE4) return sse4;
#endif
  return target == HWY_STATIC_TARGET || target == HWY_EMU128 || target == HWY_SCALAR;
}

struct Compiled {
  const char* name;
  int64_t target;
  ColumnKernel (*select)(const TileConsts&, bool);
};

// best first; a target the compiler did not build has a null select
constexpr Compiled kCompiled[] = {
#if HWY_ARCH_X86
    {"avx3", HWY_AVX3, HWY_CHOOSE_AVX3(select)},
    {"avx2", HWY_AVX2, HWY_CHOOSE_AVX2(select)},
    {"sse4", HWY_SSE4, HWY_CHOOSE_SSE4(select)},
#elif HWY_ARCH_ARM
    {"neon", HWY_NEON, HWY_CHOOSE_NEON(select)},
#endif
    {"emu128", HWY_EMU128, HWY_CHOOSE_FALLBACK(select)},
};

}  // namespace

std::vector<KernelTarget> kernel_targets() {
  std::vector<KernelTarget> out;
  for (const Compiled& c : kCompiled) {
    if (c.select != nullptr) out.push_back({c.name, cpu_runs(c.target), c.select});
  }
  out.push_back({"portable", true, &select_portable_kernel});
  return out;
}

}  // namespace pstm::cpu
#endif  // HWY_ONCE

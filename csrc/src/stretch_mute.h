/*
 * stretch_mute.h — the stretch mute's bound for the VTI (eta) moveout, the
 * same computation as backends/stretch_mute.ts (docs/algorithm.md, "Stretch
 * mute"), shared by the CPU and CUDA hosts: a sample is left out where
 * x^2 / (v tau)^2 exceeds it.
 */
#ifndef PSTM_STRETCH_MUTE_H
#define PSTM_STRETCH_MUTE_H

namespace pstm {

/**
 * Whether the offset-to-time ratio alpha = x^2 / (v tau)^2 is stretched
 * beyond s under the Alkhalifah-Tsvankin moveout: T = (t / tau)^2,
 * G = d(t^2) / d(tau^2), stretch = sqrt(T) / G - 1 (G <= 0: infinite).
 */
inline bool stretch_exceeds(double alpha, double s, double eta) {
  const double d = 1.0 + (1.0 + 2.0 * eta) * alpha;
  const double t2 = 1.0 + alpha - 2.0 * eta * alpha * alpha / d;
  const double g = 1.0 + 2.0 * eta * alpha * alpha / (d * d);
  return !(g > 0.0) || t2 > (1.0 + s) * (1.0 + s) * g * g;
}

/**
 * The bound on x^2 / (v tau)^2: (1 + s)^2 - 1 for eta = 0, else the smallest
 * ratio where stretch_exceeds holds (scan 1e-12..1e12 by 1.2 %, then
 * bisection); 0 for s <= 0 (no mute).
 */
inline double stretch_ratio_limit(double s, double eta) {
  if (!(s > 0.0)) return 0.0;
  if (eta == 0.0) return (1.0 + s) * (1.0 + s) - 1.0;
  double lo = 0.0, hi = 1e-12;
  while (hi < 1e12 && !stretch_exceeds(hi, s, eta)) {
    lo = hi;
    hi *= 1.012;
  }
  for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (stretch_exceeds(mid, s, eta)) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return lo;
}

}  // namespace pstm

#endif  // PSTM_STRETCH_MUTE_H

/*
 * baseline_loop.cpp — pstm_bench_baseline_loop (pstm_bench.h): the minimal
 * vectorised OpenMP loop the kernel is benchmarked against.
 */
#include <omp.h>

#include <cmath>

#include "pstm_bench.h"

namespace {

/** One trace into one output column: every output sample, gathers for the samples. */
void column(int32_t ntau, float tau0, float dtau, float t0, float inv_dt, float last, int32_t ns,
            float ds2, float dr2, const float* __restrict v, const float* __restrict trace,
            float* __restrict out) {
#pragma omp simd
  for (int32_t it = 0; it < ntau; ++it) {
    const float h = 0.5f * (tau0 + float(it) * dtau);
    const float inv_v2 = 1.f / (v[it] * v[it]);
    const float t = std::sqrt(h * h + ds2 * inv_v2) + std::sqrt(h * h + dr2 * inv_v2);
    const float u = (t - t0) * inv_dt;
    float uc = u > 0.f ? u : 0.f;
    uc = uc < last ? uc : last;
    const bool inside = uc == u;
    const float base = std::floor(uc);  // (floor and selects: GCC 12 vectorises the loop)
    const int32_t i = int32_t(base);
    const int32_t next = i + 1 < ns ? i + 1 : i;
    const float f = uc - base;
    const float value = (1.f - f) * trace[i] + f * trace[next];
    out[it] += inside ? value : 0.f;
  }

}

}  // namespace

extern "C" PSTM_API pstm_status pstm_bench_baseline_loop(const pstm_params* params,
                                                         int32_t threads, const float* points,
                                                         const float* velocity, int32_t ntraces,
                                                         const float* traces,
                                                         const float* geometry,
                                                         const int32_t* trace_class,
                                                         float* image) {
  if (params == nullptr || points == nullptr || velocity == nullptr || image == nullptr ||
      (ntraces > 0 && (traces == nullptr || geometry == nullptr || trace_class == nullptr))) {
    return PSTM_ERR_INVALID_ARGUMENT;
  }
  const int32_t ns = params->ns, npoints = params->npoints, ntau = params->ntau;
  const int32_t nclass = params->nclass;
  const float t0 = params->t0, tau0 = params->tau0, dtau = params->dtau;
  const float last = float(ns - 1);
  const float inv_dt = 1.f / params->dt;
  const int nthreads = threads > 0 ? threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(nthreads)
  for (int32_t j = 0; j < npoints; ++j) {
    const float px = points[2 * j], py = points[2 * j + 1];
    const float* v = velocity + size_t(j) * ntau;
    for (int32_t k = 0; k < ntraces; ++k) {
      const int32_t cls = trace_class[k];
      if (cls < 0 || cls >= nclass) continue;
      const float* g = geometry + 4 * size_t(k);
      const float* trace = traces + size_t(k) * ns;
      const float ds2 = (px - g[0]) * (px - g[0]) + (py - g[1]) * (py - g[1]);
      const float dr2 = (px - g[2]) * (px - g[2]) + (py - g[3]) * (py - g[3]);
      float* out = image + (size_t(cls) * npoints + j) * ntau;
      column(ntau, tau0, dtau, t0, inv_dt, last, ns, ds2, dr2, v, trace, out);
    }
  }
  return PSTM_OK;
}

/*
 * minimal_loop.cpp — pstm_minimal_loop: the benchmark ceiling. The plainest
 * single-threaded triple loop (trace x point x output sample) with the
 * straight-ray double square root and linear interpolation, plain mode
 * (w = 1), no aperture and no skipping. Compiled with the kernel's flags.
 */
#include <cmath>

#include "common.h"

extern "C" PSTM_API pstm_status pstm_minimal_loop(const pstm_params* params, const float* points,
                                                  const float* velocity, int32_t ntraces,
                                                  const float* traces, const float* geometry,
                                                  const int32_t* trace_class, float* image) {
  if (pstm_status s = pstm::check_params(params); s != PSTM_OK) return s;
  const pstm_params& p = *params;
  if (pstm_status s = pstm::check_tile_inputs(p, points, velocity, image); s != PSTM_OK) return s;
  if (pstm_status s = pstm::check_batch(p, ntraces, traces, geometry, trace_class); s != PSTM_OK) {
    return s;
  }
  const float last = float(p.ns - 1);
  for (int32_t k = 0; k < ntraces; ++k) {
    const int32_t cls = trace_class[k];
    if (cls < 0 || cls >= p.nclass) continue;
    const float* g = geometry + 4 * size_t(k);
    const float* trace = traces + size_t(k) * p.ns;
    for (int32_t j = 0; j < p.npoints; ++j) {
      const float px = points[2 * j], py = points[2 * j + 1];
      const float ds2 = (px - g[0]) * (px - g[0]) + (py - g[1]) * (py - g[1]);
      const float dr2 = (px - g[2]) * (px - g[2]) + (py - g[3]) * (py - g[3]);
      const float* v = velocity + size_t(j) * p.ntau;
      float* out = image + (size_t(cls) * p.npoints + j) * p.ntau;
      for (int32_t it = 0; it < p.ntau; ++it) {
        const float h = 0.5f * (p.tau0 + it * p.dtau);
        const float t = std::sqrt(h * h + ds2 / (v[it] * v[it])) +
                        std::sqrt(h * h + dr2 / (v[it] * v[it]));
        const float u = (t - p.t0) / p.dt;
        if (u >= 0.f && u <= last) {
          const int32_t i = u < last ? int32_t(u) : p.ns - 1;
          const float f = u - float(i);
          const float next = i + 1 < p.ns ? trace[i + 1] : trace[i];
          out[it] += (1.f - f) * trace[i] + f * next;
        }
      }
    }
  }
  return PSTM_OK;
}

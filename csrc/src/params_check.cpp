/*
 * params_check.cpp — validation of pstm_params and of the buffers of a tile
 * and a batch, shared by the CPU and CUDA builds. Each failure names the
 * field and what was expected (PSTM_ERR_INVALID_ARGUMENT).
 */
#include <cmath>
#include <cstdint>

#include "common.h"

namespace pstm {
namespace {

// Largest element count of one buffer: keeps byte sizes far from overflow.
constexpr int64_t kMaxElements = int64_t(1) << 40;

pstm_status bad(const char* field, const char* expected, double got) {
  return fail(PSTM_ERR_INVALID_ARGUMENT, "pstm_params.%s must be %s: got %g", field, expected,
              got);
}

bool finite(float x) { return std::isfinite(x); }

}  // namespace

pstm_status check_params(const pstm_params* p) {
  if (p == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "params is NULL");
  // sizes
  if (p->ns < 1) return bad("ns", ">= 1", p->ns);
  if (p->npoints < 1) return bad("npoints", ">= 1", p->npoints);
  if (p->ntau < 1) return bad("ntau", ">= 1", p->ntau);
  if (p->nclass < 1) return bad("nclass", ">= 1", p->nclass);
  if (image_size(*p) > kMaxElements) {
    return fail(PSTM_ERR_INVALID_ARGUMENT,
                "pstm_params.nclass * npoints * ntau must be <= 2^40: got %lld",
                static_cast<long long>(image_size(*p)));
  }
  // input and output time axes
  if (!finite(p->t0)) return bad("t0", "finite", p->t0);
  if (!(finite(p->dt) && p->dt > 0)) return bad("dt", "> 0 and finite", p->dt);
  if (!(finite(p->tau0) && p->tau0 >= 0)) return bad("tau0", ">= 0 and finite", p->tau0);
  if (!(finite(p->dtau) && p->dtau > 0)) return bad("dtau", "> 0 and finite", p->dtau);
  if (!std::isfinite(double(p->tau0) + double(p->ntau) * p->dtau)) {
    return bad("dtau", "small enough that tau0 + ntau * dtau is finite", p->dtau);
  }
  // aperture
  if (!finite(p->aperture)) return bad("aperture", "finite (<= 0: unlimited)", p->aperture);
  if (!finite(p->max_angle)) return bad("max_angle", "finite (<= 0: none)", p->max_angle);
  if (!(finite(p->taper) && p->taper >= 0 && p->taper <= 1)) {
    return bad("taper", "in [0, 1]", p->taper);
  }
  // antialiasing, weights, anisotropy
  if (p->antialias != 0 && p->antialias != 1) return bad("antialias", "0 or 1", p->antialias);
  if (!finite(p->trace_spacing)) return bad("trace_spacing", "finite", p->trace_spacing);
  if (p->antialias == 1 && !(p->trace_spacing > 0)) {
    return bad("trace_spacing", "> 0 when antialias is 1", p->trace_spacing);
  }
  if (!finite(p->trace_spacing_y)) return bad("trace_spacing_y", "finite", p->trace_spacing_y);
  if (!finite(p->spacing_azimuth)) return bad("spacing_azimuth", "finite", p->spacing_azimuth);
  if (p->weights != PSTM_WEIGHTS_NONE && p->weights != PSTM_WEIGHTS_OBLIQUITY &&
      p->weights != PSTM_WEIGHTS_SPREADING) {
    return bad("weights", "0 (none), 1 (obliquity) or 2 (spreading)", p->weights);
  }
  if (!(finite(p->eta) && p->eta > -0.5f)) return bad("eta", "> -0.5 and finite", p->eta);
  if (p->reserved0 != 0) {
    return bad("reserved0", "0 (CPU threads are the context's: pstm_context_create)", p->reserved0);
  }
  if (p->reserved != 0) return bad("reserved", "0", p->reserved);
  if (!(finite(p->stretch_mute) && p->stretch_mute >= 0)) {
    return bad("stretch_mute", ">= 0 and finite (0: off)", p->stretch_mute);
  }
  return PSTM_OK;
}

pstm_status check_tile_inputs(const pstm_params& p, const float* points, const float* velocity,
                              const float* image) {
  if (points == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "points is NULL");
  if (velocity == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "velocity is NULL");
  if (image == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "image is NULL");
  for (int64_t i = 0; i < int64_t(p.npoints) * 2; ++i) {
    if (!finite(points[i])) {
      return fail(PSTM_ERR_INVALID_ARGUMENT, "points[%lld] (point %lld, %s) must be finite: got %g",
                  static_cast<long long>(i), static_cast<long long>(i / 2), i % 2 ? "y" : "x",
                  double(points[i]));
    }
  }
  const int64_t nv = int64_t(p.npoints) * p.ntau;
  for (int64_t i = 0; i < nv; ++i) {
    if (!(finite(velocity[i]) && velocity[i] > 0)) {
      return fail(PSTM_ERR_INVALID_ARGUMENT,
                  "velocity[%lld] (point %lld, tau index %lld) must be > 0 and finite: got %g",
                  static_cast<long long>(i), static_cast<long long>(i / p.ntau),
                  static_cast<long long>(i % p.ntau), double(velocity[i]));
    }
  }
  return PSTM_OK;
}

pstm_status check_batch(const pstm_params& p, int32_t ntraces, const float* traces,
                        const float* geometry, const int32_t* trace_class) {
  if (ntraces < 0) {
    return fail(PSTM_ERR_INVALID_ARGUMENT, "ntraces must be >= 0: got %d", ntraces);
  }
  if (ntraces == 0) return PSTM_OK;
  if (traces == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "traces is NULL");
  if (geometry == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "geometry is NULL");
  if (trace_class == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "trace_class is NULL");
  if (int64_t(ntraces) * p.ns > kMaxElements) {
    return fail(PSTM_ERR_INVALID_ARGUMENT, "ntraces * ns must be <= 2^40: got %lld",
                static_cast<long long>(int64_t(ntraces) * p.ns));
  }
  static const char* const names[4] = {"sx", "sy", "gx", "gy"};
  for (int64_t i = 0; i < int64_t(ntraces) * 4; ++i) {
    if (!finite(geometry[i])) {
      return fail(PSTM_ERR_INVALID_ARGUMENT, "geometry of trace %lld (%s) must be finite: got %g",
                  static_cast<long long>(i / 4), names[i % 4], double(geometry[i]));
    }
  }
  return PSTM_OK;
}

}  // namespace pstm

/*
 * cuda_kernel.cuh — the CUDA Kirchhoff PSTM kernel's arguments, its
 * per-sample math and its launcher. Math only: the host code in
 * cuda_host.cu does allocation, copies and validation.
 *
 * The formulas are those of backends/reference/reference_kernel.ts (the
 * float64 oracle) evaluated in float32; docs/algorithm.md cites them. The
 * helpers are __host__ __device__ so a host program can check them against
 * the reference without a GPU.
 */
#ifndef PSTM_CUDA_KERNEL_CUH
#define PSTM_CUDA_KERNEL_CUH

#include <cuda_runtime.h>
#include <stdint.h>

#include "pstm.h"

namespace pstm_cuda {

/**
 * Threads per block = output samples per block = traces per chunk: the
 * kernel walks a batch in chunks of kChunk traces, and the host gives it the
 * bounding box of each chunk's midpoints (launch_migrate's `bounds`).
 */
constexpr int kChunk = 128;

/**
 * Kernel arguments: pstm_params with the derived constants precomputed on
 * the host. Passed by value, so it lives in the kernel's constant bank.
 *
 * | field        | meaning                                         | unit   |
 * |--------------|-------------------------------------------------|--------|
 * | ns, t0, dt   | input samples, first time, interval             | s      |
 * | inv_dt       | 1 / dt                                          | 1/s    |
 * | npoints      | output columns in the tile                      |        |
 * | ntau         | output samples per column                       |        |
 * | tau0, dtau   | first output time, interval                     | s      |
 * | nclass       | offset classes                                  |        |
 * | ntraces      | traces in this batch                            |        |
 * | aperture     | radius of the disc around the midpoint; 0: none | m      |
 * | inv_aperture | 1 / aperture, 0 when unlimited                  | 1/m    |
 * | tan_max      | tan(max angle); 0: no angle limit               |        |
 * | taper        | tapered fraction of the aperture, 0..1          |        |
 * | antialias    | 1: traces hold the double integral              |        |
 * | aa_u         | (cos a, sin a) trace_spacing / dt: dip along    | m/s    |
 * |              | the spacing azimuth a (s/m) -> samples          |        |
 * | aa_v         | (-sin a, cos a) trace_spacing_y / dt: across    | m/s    |
 * | weights      | a pstm_weights value                            |        |
 * | eta          | VTI anellipticity of each leg; 0: isotropic     |        |
 * | stretch_k4   | stretch mute: keep x^2 / v^2 <= stretch_k4 h^2, | 1      |
 * |              | 4 stretch_ratio_limit(s, eta) (stretch_mute.h); |        |
 * |              | 4 ((1 + s)^2 - 1) for eta = 0; 0: off           |        |
 */
struct KernelArgs {
  int32_t ns;
  float t0, dt, inv_dt;
  int32_t npoints, ntau;
  float tau0, dtau;
  int32_t nclass;
  int32_t ntraces;
  float aperture, inv_aperture;
  float tan_max;
  float taper;
  int32_t antialias;
  float aa_ux, aa_uy;
  float aa_vx, aa_vy;
  int32_t weights;
  float eta;
  float stretch_k4;
};

/** Derives the kernel arguments of a tile from validated parameters (ntraces = 0). */
KernelArgs make_kernel_args(const pstm_params& p);

/**
 * True when the plain kernel computes the same as the full one: no taper,
 * no angle limit, no antialiasing, no weights, no eta, no stretch mute (a hard
 * radius disc is plain). Plain mode then skips the per-sample work it does not need.
 */
inline bool is_plain(const KernelArgs& a) {
  return a.taper <= 0.0f && a.tan_max <= 0.0f && a.antialias == 0 && a.weights == 0 &&
         a.eta == 0.0f && a.stretch_k4 <= 0.0f;
}

/**
 * One-way traveltime of a straight-ray leg: vertical time h, horizontal
 * distance squared x2, velocity squared v2 and its inverse, Alkhalifah's
 * eta (0: hyperbolic). Same as legTime() of the reference.
 */
__host__ __device__ inline float leg_time(float h, float x2, float v2, float inv_v2, float eta) {
  float t2 = h * h + x2 * inv_v2;
  if (eta != 0.0f) {
    const float denominator = v2 * (h * h * v2 + (1.0f + 2.0f * eta) * x2);
    if (denominator > 0.0f) t2 -= (2.0f * eta * x2 * x2) / denominator;
  }
  return t2 > 0.0f ? sqrtf(t2) : 0.0f;
}

/** Cosine taper over the outer `fraction` of the aperture; q = 1 at its edge. */
__host__ __device__ inline float taper_weight(float q, float fraction) {
  if (fraction <= 0.0f) return 1.0f;
  const float start = 1.0f - fraction;
  if (q <= start) return 1.0f;
  if (q >= 1.0f) return 0.0f;
  return 0.5f * (1.0f + cosf(3.14159265358979f * (q - start) / fraction));
}

/** Linear interpolation at fractional sample u of trace[0..n), u clamped to [0, n-1]. */
__host__ __device__ inline float lerp_clamped(const float* __restrict__ trace, int32_t n, float u) {
  const int32_t last = n - 1;
  if (u <= 0.0f) return trace[0];
  if (u >= float(last)) return trace[last];
  const int32_t i = int32_t(u);  // u > 0, so truncation is floor
  const float f = u - float(i);
  return (1.0f - f) * trace[i] + f * trace[i + 1];
}

/**
 * Triangle antialiasing (Lumley-Claerbout-Bevc) from the double-integrated
 * trace: the operator dip |grad_p t| (s/m), from the two legs' horizontal
 * offsets (dx, dy = image point minus source / receiver), projected on the
 * spacing azimuth and across it and scaled by each axis' trace spacing / dt,
 * sets the triangle half-width in samples (>= 1); the second difference over that width,
 * divided by width^2, is the triangle-filtered sample.
 */
__host__ __device__ inline float antialiased_sample(const float* __restrict__ trace, int32_t ns,
                                                    float u, float ts, float tr, float v2,
                                                    float dxs, float dys, float dxr, float dyr,
                                                    const KernelArgs& a) {
  const float as = ts > 0.0f ? 1.0f / (v2 * ts) : 0.0f;
  const float ar = tr > 0.0f ? 1.0f / (v2 * tr) : 0.0f;
  const float gx = dxs * as + dxr * ar;
  const float gy = dys * as + dyr * ar;
  const float along = a.aa_ux * gx + a.aa_uy * gy;
  const float across = a.aa_vx * gx + a.aa_vy * gy;
  const float width = fmaxf(1.0f, sqrtf(along * along + across * across));
  return (2.0f * lerp_clamped(trace, ns, u) - lerp_clamped(trace, ns, u - width) -
          lerp_clamped(trace, ns, u + width)) /
         (width * width);
}

/**
 * Amplitude weight (docs/algorithm.md): obliquity 0.5 (cos_s + cos_r) with
 * cos = h / t_leg; spreading multiplies by tau / t (1 at the apex).
 */
__host__ __device__ inline float amplitude_weight(int32_t weights, float h, float tau, float ts,
                                                  float tr) {
  if (weights == PSTM_WEIGHTS_NONE) return 1.0f;
  const float cs = ts > 0.0f ? h / ts : 1.0f;
  const float cr = tr > 0.0f ? h / tr : 1.0f;
  float w = 0.5f * (cs + cr);
  if (weights == PSTM_WEIGHTS_SPREADING) {
    const float t = ts + tr;
    w *= t > 0.0f ? tau / t : 1.0f;
  }
  return w;
}

/**
 * Writes the bounding box of the midpoints of each chunk of kChunk traces,
 * bounds[c] = {xmin, ymin, xmax, ymax} for c < ceil(ntraces / kChunk),
 * computed exactly as the kernel computes a midpoint (host code).
 */
void chunk_bounds(int32_t ntraces, const float* geometry, float* bounds);

/**
 * Enqueues the kernel for one batch on `stream`: adds every trace of the
 * batch into image [nclass][npoints][ntau] and adds the number of
 * (trace, output sample) contributions summed to *contributions.
 * Device pointers only (bounds from chunk_bounds); a.ntraces must be > 0.
 * Returns the launch error.
 */
cudaError_t launch_migrate(const KernelArgs& a, const float* points, const float* velocity,
                           const float* traces, const float* geometry,
                           const int32_t* trace_class, const float* bounds, float* image,
                           unsigned long long* contributions, cudaStream_t stream);

}  // namespace pstm_cuda

#endif  // PSTM_CUDA_KERNEL_CUH

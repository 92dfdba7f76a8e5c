/*
 * cuda_kernel.cu — the CUDA Kirchhoff PSTM kernel (math only).
 *
 * Work decomposition
 *   one thread   = one output sample (point, tau) of one offset class; it
 *                  keeps its sum in a register over the whole batch and
 *                  writes it once: no atomics on the image.
 *   one block    = kBlock consecutive output samples of one point, so every
 *                  per-trace quantity that depends only on the point (the
 *                  distances to source, receiver and midpoint, the radius
 *                  aperture) is the same for the whole block.
 *   grid         = (npoints, ceil(ntau / kBlock), nclass).
 *
 * The batch is walked in chunks of kBlock traces. A chunk whose midpoints'
 * bounding box (computed by the host) lies beyond the aperture of the
 * block's point is skipped whole: batches read from a sorted survey are
 * spatially compact, so most blocks skip most chunks at the cost of one
 * 16-byte read. Otherwise every thread looks at one trace of the chunk,
 * keeps it when it has the block's class and its midpoint lies inside the
 * aperture (the radius, and the largest max-angle reach of the block), and
 * the kept traces are compacted, in batch order, into shared memory with
 * their distances precomputed. Then each thread sums the kept traces at its
 * own output sample. Traces far from the point cost one test per block
 * instead of one per sample.
 *
 * The samples themselves are read from global memory through the read-only
 * cache: the threads of a warp read neighbouring samples of the same trace,
 * and a trace is read by every point near it, so L1/L2 serve most loads.
 * (Staging whole traces in shared memory would load ns samples per trace
 * per block where a block uses only the ~kBlock samples its taus map to.)
 */
#include "cuda_kernel.cuh"
#include "stretch_mute.h"

#include <math.h>

namespace pstm_cuda {

namespace {

constexpr int kBlock = kChunk;  // output samples per block = traces per chunk (4 warps)
// A chunk is skipped when its box is farther than the aperture by more than
// this relative margin, which covers the rounding of the two distances.
constexpr float kBoxMargin = 1.0001f;
constexpr int kWarps = kBlock / 32;
constexpr unsigned kFullMask = 0xffffffffu;

/** The kept traces of one chunk, compacted; every field is per trace. */
struct TraceStage {
  int32_t trace[kBlock];  // index in the batch
  float ds2[kBlock];      // |p - s|^2, m^2
  float dr2[kBlock];      // |p - r|^2, m^2
  float dm[kBlock];       // |p - m|, m
  float dxs[kBlock], dys[kBlock];  // p - s, m (antialiasing)
  float dxr[kBlock], dyr[kBlock];  // p - r, m (antialiasing)
  float off2[kBlock];     // |r - s|^2, m^2 (stretch mute)
};

/** Largest x over the block; every thread of the block must call it. */
__device__ float block_max(float x) {
  __shared__ float warp_max[kWarps];
  for (int offset = 16; offset > 0; offset /= 2) {
    x = fmaxf(x, __shfl_down_sync(kFullMask, x, offset));
  }
  if (threadIdx.x % 32 == 0) warp_max[threadIdx.x / 32] = x;
  __syncthreads();
  float result = warp_max[0];
  for (int w = 1; w < kWarps; ++w) result = fmaxf(result, warp_max[w]);
  return result;
}

/** Sum of x over the block, valid in thread 0; every thread must call it. */
__device__ unsigned long long block_sum(unsigned long long x) {
  __shared__ unsigned long long warp_sum[kWarps];
  for (int offset = 16; offset > 0; offset /= 2) {
    x += __shfl_down_sync(kFullMask, x, offset);
  }
  if (threadIdx.x % 32 == 0) warp_sum[threadIdx.x / 32] = x;
  __syncthreads();
  unsigned long long result = 0;
  for (int w = 0; w < kWarps; ++w) result += warp_sum[w];
  return result;
}

/**
 * The kernel. kFull = false is plain mode (weight 1, no taper, no angle
 * limit, no antialiasing, no eta; radius disc allowed); kFull = true adds
 * every switch of KernelArgs.
 *
 * | argument     | layout                       | unit                   |
 * |--------------|------------------------------|------------------------|
 * | a            | KernelArgs (by value)        | s, m, m/s              |
 * | points       | [npoints][2] x, y            | m, from grid origin    |
 * | velocity     | [npoints][ntau]              | m/s (RMS)              |
 * | traces       | [ntraces][ns]                | amplitude              |
 * | geometry     | [ntraces] float4 sx sy gx gy | m, from grid origin    |
 * | trace_class  | [ntraces]                    | offset class           |
 * | bounds       | [nchunks] float4 xmin ymin xmax ymax | m, midpoint boxes  |
 * | image        | [nclass][npoints][ntau]      | accumulated amplitude  |
 * | contributions| one counter                  | (trace, sample) pairs  |
 */
template <bool kFull>
__global__ void __launch_bounds__(kBlock)
    migrate_kernel(const KernelArgs a, const float* __restrict__ points,
                   const float* __restrict__ velocity, const float* __restrict__ traces,
                   const float4* __restrict__ geometry, const int32_t* __restrict__ trace_class,
                   const float4* __restrict__ bounds, float* __restrict__ image,
                   unsigned long long* __restrict__ contributions) {
  const int32_t point = blockIdx.x;
  const int32_t cls = blockIdx.z;
  if (point >= a.npoints || cls >= a.nclass) return;  // guard: the whole block leaves
  // Threads past the last output sample stay: they help stage traces and
  // take part in the block-wide steps, but sum nothing.
  const int32_t it = blockIdx.y * kBlock + threadIdx.x;
  const bool active = it < a.ntau;
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;

  __shared__ TraceStage stage;
  __shared__ int32_t warp_kept[kWarps];

  // This thread's output sample: the image point, the output time, the
  // one-way vertical time h and the RMS velocity, read once.
  const float px = points[2 * point], py = points[2 * point + 1];
  const float tau = a.tau0 + float(it) * a.dtau;
  const float h = 0.5f * tau;
  const float v = active ? velocity[size_t(point) * a.ntau + it] : 1.0f;
  const float v2 = v * v, inv_v2 = 1.0f / v2;
  const float last = float(a.ns - 1);

  // Maximum angle: the horizontal reach of the angle at this sample, and the
  // largest reach in the block (a trace beyond it is out for every thread).
  float reach = 0.0f, inv_reach = 0.0f, block_reach = 0.0f;
  if (kFull && a.tan_max > 0.0f) {
    reach = h * v * a.tan_max;
    inv_reach = reach > 0.0f ? 1.0f / reach : 0.0f;
    block_reach = block_max(active ? reach : 0.0f);
  }

  float sum = 0.0f;
  uint32_t count = 0;
  for (int32_t first = 0; first < a.ntraces; first += kBlock) {
    // 0. Skip the chunk when no midpoint of it can be inside the aperture.
    //    Every thread computes the same test, so the whole block skips.
    const float4 box = bounds[first / kBlock];
    const float bx = fmaxf(fmaxf(box.x - px, px - box.z), 0.0f);
    const float by = fmaxf(fmaxf(box.y - py, py - box.w), 0.0f);
    const float gap = sqrtf(bx * bx + by * by);
    if (a.aperture > 0.0f && gap > kBoxMargin * a.aperture) continue;
    if (kFull && a.tan_max > 0.0f && gap > kBoxMargin * block_reach) continue;

    // 1. Each thread looks at one trace of the chunk: right class, inside
    //    the radius (a hard disc around the midpoint) and the angle reach.
    const int32_t k = first + int32_t(threadIdx.x);
    bool keep = false;
    float4 g = make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    float dm = 0.0f;
    if (k < a.ntraces && trace_class[k] == cls) {
      g = geometry[k];
      dm = hypotf(px - 0.5f * (g.x + g.z), py - 0.5f * (g.y + g.w));
      keep = !(a.aperture > 0.0f && dm > a.aperture);
      if (kFull && a.tan_max > 0.0f && dm > block_reach) keep = false;
    }

    // 2. Compact the kept traces to the front of the stage, in batch order
    //    (a ballot per warp, then the warps' counts), so the summation order
    //    is deterministic.
    const unsigned ballot = __ballot_sync(kFullMask, keep);
    if (lane == 0) warp_kept[warp] = __popc(ballot);
    __syncthreads();
    int32_t slot = __popc(ballot & ((1u << lane) - 1u)), nkept = 0;
    for (int w = 0; w < kWarps; ++w) {
      if (w < warp) slot += warp_kept[w];
      nkept += warp_kept[w];
    }
    if (keep) {
      stage.trace[slot] = k;
      stage.dxs[slot] = px - g.x;
      stage.dys[slot] = py - g.y;
      stage.dxr[slot] = px - g.z;
      stage.dyr[slot] = py - g.w;
      stage.ds2[slot] = stage.dxs[slot] * stage.dxs[slot] + stage.dys[slot] * stage.dys[slot];
      stage.dr2[slot] = stage.dxr[slot] * stage.dxr[slot] + stage.dyr[slot] * stage.dyr[slot];
      stage.dm[slot] = dm;
      stage.off2[slot] = (g.z - g.x) * (g.z - g.x) + (g.w - g.y) * (g.w - g.y);
    }
    __syncthreads();

    // 3. Each thread adds the kept traces at its output sample.
    if (active) {
      for (int32_t s = 0; s < nkept; ++s) {
        float weight = 1.0f;
        if (kFull) {
          // aperture ratio q in [0, 1]: 1 at the edge of the radius or angle aperture
          const float dm_s = stage.dm[s];
          float q = dm_s * a.inv_aperture;
          if (a.tan_max > 0.0f) {
            if (dm_s > reach) continue;
            if (reach > 0.0f) q = fmaxf(q, dm_s * inv_reach);
          }
          weight = taper_weight(q, a.taper);
          // stretch mute: x^2 / v^2 > ((1 + s)^2 - 1) tau^2 is left out
          if (a.stretch_k4 > 0.0f && stage.off2[s] * inv_v2 > a.stretch_k4 * (h * h)) continue;
        }
        // time from source to image point and from image point to receiver
        const float eta = kFull ? a.eta : 0.0f;
        const float ts = leg_time(h, stage.ds2[s], v2, inv_v2, eta);
        const float tr = leg_time(h, stage.dr2[s], v2, inv_v2, eta);
        const float u = (ts + tr - a.t0) * a.inv_dt;
        if (!(u >= 0.0f && u <= last)) continue;  // outside the trace: contributes 0
        const float* trace = traces + size_t(stage.trace[s]) * a.ns;
        float value;
        if (kFull && a.antialias) {
          value = antialiased_sample(trace, a.ns, u, ts, tr, v2, stage.dxs[s], stage.dys[s],
                                     stage.dxr[s], stage.dyr[s], a);
        } else {
          value = lerp_clamped(trace, a.ns, u);
        }
        if (kFull) weight *= amplitude_weight(a.weights, h, tau, ts, tr);
        sum += weight * value;
        ++count;
      }
    }
    __syncthreads();  // the next chunk rewrites the stage
  }

  // Each thread owns its output sample: one read-modify-write per batch.
  if (active && count > 0) image[(size_t(cls) * a.npoints + point) * a.ntau + it] += sum;
  const unsigned long long block_count = block_sum(count);
  if (threadIdx.x == 0 && block_count > 0) atomicAdd(contributions, block_count);
}

}  // namespace

KernelArgs make_kernel_args(const pstm_params& p) {
  KernelArgs a{};
  a.ns = p.ns;
  a.t0 = p.t0;
  a.dt = p.dt;
  a.inv_dt = 1.0f / p.dt;
  a.npoints = p.npoints;
  a.ntau = p.ntau;
  a.tau0 = p.tau0;
  a.dtau = p.dtau;
  a.nclass = p.nclass;
  a.ntraces = 0;
  a.aperture = p.aperture > 0.0f ? p.aperture : 0.0f;
  a.inv_aperture = p.aperture > 0.0f ? 1.0f / p.aperture : 0.0f;
  a.tan_max = p.max_angle > 0.0f && p.max_angle < 90.0f
                  ? float(tan(double(p.max_angle) * 3.14159265358979323846 / 180.0))
                  : 0.0f;
  a.taper = p.taper;
  a.antialias = p.antialias;
  const double along = p.antialias ? double(p.trace_spacing) / p.dt : 0.0;
  const double across =
      p.antialias ? (p.trace_spacing_y > 0.0f ? double(p.trace_spacing_y) : p.trace_spacing) / p.dt
                  : 0.0;
  const double az = double(p.spacing_azimuth) * 3.14159265358979323846 / 180.0;
  a.aa_ux = float(cos(az) * along);
  a.aa_uy = float(sin(az) * along);
  a.aa_vx = float(-sin(az) * across);
  a.aa_vy = float(cos(az) * across);
  a.weights = p.weights;
  a.eta = p.eta;
  // the bound follows eta (stretch_mute.h, as the CPU kernel)
  a.stretch_k4 = float(4.0 * pstm::stretch_ratio_limit(p.stretch_mute, p.eta));
  return a;
}

void chunk_bounds(int32_t ntraces, const float* geometry, float* bounds) {
  for (int32_t first = 0; first < ntraces; first += kChunk) {
    const int32_t end = first + kChunk < ntraces ? first + kChunk : ntraces;
    float xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (int32_t k = first; k < end; ++k) {
      const float* g = geometry + 4 * size_t(k);
      const float mx = 0.5f * (g[0] + g[2]), my = 0.5f * (g[1] + g[3]);
      xmin = fminf(xmin, mx), xmax = fmaxf(xmax, mx);
      ymin = fminf(ymin, my), ymax = fmaxf(ymax, my);
    }
    float* box = bounds + 4 * size_t(first / kChunk);
    box[0] = xmin, box[1] = ymin, box[2] = xmax, box[3] = ymax;
  }
}

cudaError_t launch_migrate(const KernelArgs& a, const float* points, const float* velocity,
                           const float* traces, const float* geometry,
                           const int32_t* trace_class, const float* bounds, float* image,
                           unsigned long long* contributions, cudaStream_t stream) {
  const dim3 grid(unsigned(a.npoints), unsigned((a.ntau + kBlock - 1) / kBlock),
                  unsigned(a.nclass));
  // geometry is [ntraces][4] floats from cudaMalloc (256-byte aligned): one float4 per trace
  const float4* geometry4 = reinterpret_cast<const float4*>(geometry);
  const float4* bounds4 = reinterpret_cast<const float4*>(bounds);
  if (is_plain(a)) {
    migrate_kernel<false><<<grid, kBlock, 0, stream>>>(a, points, velocity, traces, geometry4,
                                                        trace_class, bounds4, image,
                                                        contributions);
  } else {
    migrate_kernel<true><<<grid, kBlock, 0, stream>>>(a, points, velocity, traces, geometry4,
                                                       trace_class, bounds4, image, contributions);
  }
  return cudaGetLastError();
}

}  // namespace pstm_cuda

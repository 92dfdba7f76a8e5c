/*
 * cuda_host.cu — the pstm C ABI (csrc/include/pstm.h) on a CUDA device:
 * devices, contexts, tiles, batches and statistics. The kernel is in
 * cuda_kernel.cu; validation and the last-error store are shared with the
 * CPU build (common.h, params_check.cpp, last_error.cpp).
 *
 * Buffers
 *   per tile:     points, velocity and image on the device, allocated at
 *                 pstm_tile_open and freed at pstm_tile_finish / destroy.
 *   per context:  two batch slots (double buffering), each a pinned host
 *                 staging buffer and a device buffer for samples, geometry,
 *                 classes and the midpoint box of each chunk of traces
 *                 (pstm_cuda::chunk_bounds), grown when a batch is larger,
 *                 then reused.
 *
 * Streams: a copy stream moves a batch from its pinned slot to the device
 * while the compute stream runs the kernel of the previous batch.
 * pstm_tile_accumulate copies the caller's batch into the pinned slot, so it
 * returns as soon as the copy and the kernel are enqueued; it waits only for
 * the kernel that last used the same slot (two batches ago).
 *
 *   host:     [memcpy k -> slot k%2] [enqueue]   [wait kernel k-1] [memcpy k+1] ...
 *   copy:                 [H2D k]                               [H2D k+1]
 *   compute:      ... kernel k-1 ...  [kernel k .........................] [kernel k+1]
 *
 * Statistics: kernel time from a pair of events around each launch, read
 * when the slot is reused and at pstm_tile_finish; contributions from a
 * 64-bit device counter (one atomicAdd per block), read at finish. So the
 * statistics are exact after pstm_tile_finish and may lag before it.
 *
 * A context serialises its calls with a mutex: Deno's nonblocking FFI calls
 * run on worker threads, and several tiles of one context may be fed at
 * once. Every call makes the context's device current on its own thread.
 */
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "common.h"
#include "cuda_kernel.cuh"
#include "pstm.h"

using pstm::fail;
using pstm_cuda::KernelArgs;

namespace {

/** Records "file:line: call failed: cudaErrorX (text)" and maps the error to a status. */
pstm_status cuda_failure(cudaError_t err, const char* call, const char* file, int line) {
  cudaGetLastError();  // clear a non-sticky error so that later calls start clean
  const char* base = std::strrchr(file, '/');
  const pstm_status code =
      err == cudaErrorMemoryAllocation ? PSTM_ERR_OUT_OF_MEMORY : PSTM_ERR_DEVICE;
  return fail(code, "%s:%d: %s failed: %s (%s)", base ? base + 1 : file, line, call,
              cudaGetErrorName(err), cudaGetErrorString(err));
}

}  // namespace

/** Returns from the enclosing function with a pstm_status when a CUDA call fails. */
#define CUDA_CHECK(call)                                               \
  do {                                                                 \
    const cudaError_t cuda_check_err_ = (call);                        \
    if (cuda_check_err_ != cudaSuccess) {                              \
      return cuda_failure(cuda_check_err_, #call, __FILE__, __LINE__); \
    }                                                                  \
  } while (0)

/** Returns from the enclosing function when a pstm call fails. */
#define PSTM_CHECK(call)                                          \
  do {                                                            \
    const pstm_status pstm_check_status_ = (call);                \
    if (pstm_check_status_ != PSTM_OK) return pstm_check_status_; \
  } while (0)

namespace {

// Grid limits of the launch in cuda_kernel.cu: blockIdx.y walks ntau in
// blocks of 128 samples, blockIdx.z the offset classes.
constexpr int64_t kMaxGridYZ = 65535;
constexpr int64_t kBlockTau = 128;

/** One half of the double buffer: a batch in pinned host memory and on the device. */
struct BatchSlot {
  float* host_traces = nullptr;  // [sample_capacity], pinned
  float* host_geometry = nullptr;  // [4 * trace_capacity], pinned
  int32_t* host_class = nullptr;   // [trace_capacity], pinned
  float* host_bounds = nullptr;    // [4 * chunks(trace_capacity)], pinned
  float* dev_traces = nullptr;
  float* dev_geometry = nullptr;
  int32_t* dev_class = nullptr;
  float* dev_bounds = nullptr;
  size_t sample_capacity = 0;  // floats
  size_t trace_capacity = 0;   // traces
  cudaEvent_t copied = nullptr;        // the slot's upload is done (no timing)
  cudaEvent_t kernel_start = nullptr;  // around the slot's last kernel
  cudaEvent_t kernel_stop = nullptr;
  bool in_flight = false;  // a kernel was enqueued and its time not read yet
};

}  // namespace

struct pstm_tile;

struct pstm_context {
  int32_t device = 0;
  mutable std::mutex mutex;  // guards everything below
  cudaStream_t compute = nullptr;
  cudaStream_t copy = nullptr;
  BatchSlot slots[2];
  int next_slot = 0;
  unsigned long long* dev_contributions = nullptr;  // since the context was created
  std::vector<pstm_tile*> tiles;                     // open tiles
  double kernel_seconds = 0;
  double contributions = 0;
  uint64_t device_bytes = 0;  // held now
  uint64_t device_peak = 0;   // held at most
};

struct pstm_tile {
  pstm_context* ctx = nullptr;
  pstm_params params{};
  KernelArgs args{};
  float* host_image = nullptr;  // the caller's buffer, written back at finish
  float* dev_points = nullptr;
  float* dev_velocity = nullptr;
  float* dev_image = nullptr;
  size_t points_bytes = 0, velocity_bytes = 0, image_bytes = 0;
  bool finished = false;
};

namespace {

/** Chunks of pstm_cuda::kChunk traces in n traces. */
size_t chunks(size_t n) { return (n + pstm_cuda::kChunk - 1) / pstm_cuda::kChunk; }

/** cudaMalloc with the bytes counted in the context; *ptr is NULL on failure. */
pstm_status device_alloc(pstm_context* ctx, void** ptr, size_t bytes) {
  const cudaError_t err = cudaMalloc(ptr, bytes);
  if (err != cudaSuccess) {
    *ptr = nullptr;
    return cuda_failure(err, "cudaMalloc", __FILE__, __LINE__);
  }
  ctx->device_bytes += bytes;
  ctx->device_peak = std::max(ctx->device_peak, ctx->device_bytes);
  return PSTM_OK;
}

/** cudaMallocHost (pinned memory); *ptr is NULL on failure. */
pstm_status pinned_alloc(void** ptr, size_t bytes) {
  const cudaError_t err = cudaMallocHost(ptr, bytes);
  if (err != cudaSuccess) {
    *ptr = nullptr;
    return cuda_failure(err, "cudaMallocHost", __FILE__, __LINE__);
  }
  return PSTM_OK;
}

/** cudaFree of a device_alloc buffer of `bytes` (NULL is allowed). */
void device_free(pstm_context* ctx, void* ptr, size_t bytes) {
  if (ptr == nullptr) return;
  cudaFree(ptr);
  ctx->device_bytes -= bytes;
}

/** Frees a slot's sample buffers. */
void free_slot_samples(pstm_context* ctx, BatchSlot& s) {
  cudaFreeHost(s.host_traces);
  device_free(ctx, s.dev_traces, s.sample_capacity * sizeof(float));
  s.host_traces = s.dev_traces = nullptr;
  s.sample_capacity = 0;
}

/** Frees a slot's per-trace buffers (geometry, classes, chunk boxes). */
void free_slot_traces(pstm_context* ctx, BatchSlot& s) {
  cudaFreeHost(s.host_geometry);
  cudaFreeHost(s.host_class);
  cudaFreeHost(s.host_bounds);
  device_free(ctx, s.dev_geometry, s.trace_capacity * 4 * sizeof(float));
  device_free(ctx, s.dev_class, s.trace_capacity * sizeof(int32_t));
  device_free(ctx, s.dev_bounds, chunks(s.trace_capacity) * 4 * sizeof(float));
  s.host_geometry = s.dev_geometry = s.host_bounds = s.dev_bounds = nullptr;
  s.host_class = s.dev_class = nullptr;
  s.trace_capacity = 0;
}

/** Allocates the sample buffers for s.sample_capacity floats. */
pstm_status alloc_slot_samples(pstm_context* ctx, BatchSlot& s) {
  const size_t bytes = s.sample_capacity * sizeof(float);
  PSTM_CHECK(pinned_alloc(reinterpret_cast<void**>(&s.host_traces), bytes));
  return device_alloc(ctx, reinterpret_cast<void**>(&s.dev_traces), bytes);
}

/** Allocates the per-trace buffers for s.trace_capacity traces. */
pstm_status alloc_slot_traces(pstm_context* ctx, BatchSlot& s) {
  const size_t geometry_bytes = s.trace_capacity * 4 * sizeof(float);
  const size_t class_bytes = s.trace_capacity * sizeof(int32_t);
  const size_t bounds_bytes = chunks(s.trace_capacity) * 4 * sizeof(float);
  PSTM_CHECK(pinned_alloc(reinterpret_cast<void**>(&s.host_geometry), geometry_bytes));
  PSTM_CHECK(pinned_alloc(reinterpret_cast<void**>(&s.host_class), class_bytes));
  PSTM_CHECK(pinned_alloc(reinterpret_cast<void**>(&s.host_bounds), bounds_bytes));
  PSTM_CHECK(device_alloc(ctx, reinterpret_cast<void**>(&s.dev_geometry), geometry_bytes));
  PSTM_CHECK(device_alloc(ctx, reinterpret_cast<void**>(&s.dev_class), class_bytes));
  return device_alloc(ctx, reinterpret_cast<void**>(&s.dev_bounds), bounds_bytes);
}

/**
 * Grows a slot so that it holds ntraces traces of ns samples; the slot must
 * be idle. A buffer that cannot be allocated leaves the slot empty.
 */
pstm_status reserve_slot(pstm_context* ctx, BatchSlot& s, size_t ntraces, size_t ns) {
  if (ntraces * ns > s.sample_capacity) {
    free_slot_samples(ctx, s);
    s.sample_capacity = ntraces * ns;  // the size the free functions release
    const pstm_status status = alloc_slot_samples(ctx, s);
    if (status != PSTM_OK) {
      free_slot_samples(ctx, s);
      return status;
    }
  }
  if (ntraces > s.trace_capacity) {
    free_slot_traces(ctx, s);
    s.trace_capacity = ntraces;
    const pstm_status status = alloc_slot_traces(ctx, s);
    if (status != PSTM_OK) {
      free_slot_traces(ctx, s);
      return status;
    }
  }
  return PSTM_OK;
}

/** Adds the time of the slot's last kernel to the statistics; its stop event must be done. */
pstm_status harvest_kernel_time(pstm_context* ctx, BatchSlot& s) {
  if (!s.in_flight) return PSTM_OK;
  float ms = 0.0f;
  CUDA_CHECK(cudaEventElapsedTime(&ms, s.kernel_start, s.kernel_stop));
  ctx->kernel_seconds += double(ms) / 1000.0;
  s.in_flight = false;
  return PSTM_OK;
}

/** Frees a tile's device buffers (after its kernels are done). */
void release_tile_buffers(pstm_tile* tile) {
  pstm_context* ctx = tile->ctx;
  device_free(ctx, tile->dev_points, tile->points_bytes);
  device_free(ctx, tile->dev_velocity, tile->velocity_bytes);
  device_free(ctx, tile->dev_image, tile->image_bytes);
  tile->dev_points = tile->dev_velocity = tile->dev_image = nullptr;
}

/** Frees everything a context holds except its tiles; safe on a half-built context. */
void release_context(pstm_context* ctx) {
  if (ctx->compute) cudaStreamSynchronize(ctx->compute);
  if (ctx->copy) cudaStreamSynchronize(ctx->copy);
  for (BatchSlot& s : ctx->slots) {
    free_slot_samples(ctx, s);
    free_slot_traces(ctx, s);
    if (s.copied) cudaEventDestroy(s.copied);
    if (s.kernel_start) cudaEventDestroy(s.kernel_start);
    if (s.kernel_stop) cudaEventDestroy(s.kernel_stop);
    s = BatchSlot{};
  }
  device_free(ctx, ctx->dev_contributions, sizeof(unsigned long long));
  ctx->dev_contributions = nullptr;
  if (ctx->compute) cudaStreamDestroy(ctx->compute);
  if (ctx->copy) cudaStreamDestroy(ctx->copy);
  ctx->compute = ctx->copy = nullptr;
}

/**
 * Number of CUDA devices. 0 when none can be used, with the reason written
 * to reason[0..len) (left empty when there are devices).
 */
int32_t count_devices(char* reason, size_t len) {
  reason[0] = '\0';
  int n = 0;
  const cudaError_t err = cudaGetDeviceCount(&n);
  if (err != cudaSuccess) {
    // cudaErrorNoDevice, cudaErrorInsufficientDriver (no libcuda or an old
    // one), cudaErrorSystemDriverMismatch, ...: whatever the cause, this
    // machine has no usable CUDA device, which is not the caller's error.
    cudaGetLastError();
    std::snprintf(reason, len, "cudaGetDeviceCount returned %s (%s)", cudaGetErrorName(err),
                  cudaGetErrorString(err));
    return 0;
  }
  if (n == 0) std::snprintf(reason, len, "the CUDA driver reports none");
  return n;
}

/** PSTM_OK when `device` names an existing CUDA device. */
pstm_status check_device(int32_t device) {
  char reason[256];
  const int32_t n = count_devices(reason, sizeof reason);
  if (n == 0) {
    return fail(PSTM_ERR_NO_DEVICE, "CUDA device %d does not exist: 0 CUDA devices: %s", device,
                reason);
  }
  if (device < 0 || device >= n) {
    return fail(PSTM_ERR_NO_DEVICE, "CUDA device %d does not exist: %d CUDA device%s", device, n,
                n == 1 ? "" : "s");
  }
  return PSTM_OK;
}

pstm_status create_context(int32_t device, pstm_context* ctx) {
  ctx->device = device;
  CUDA_CHECK(cudaSetDevice(device));
  CUDA_CHECK(cudaStreamCreateWithFlags(&ctx->compute, cudaStreamNonBlocking));
  CUDA_CHECK(cudaStreamCreateWithFlags(&ctx->copy, cudaStreamNonBlocking));
  for (BatchSlot& s : ctx->slots) {
    CUDA_CHECK(cudaEventCreateWithFlags(&s.copied, cudaEventDisableTiming));
    CUDA_CHECK(cudaEventCreate(&s.kernel_start));
    CUDA_CHECK(cudaEventCreate(&s.kernel_stop));
  }
  PSTM_CHECK(device_alloc(ctx, reinterpret_cast<void**>(&ctx->dev_contributions),
                          sizeof(unsigned long long)));
  CUDA_CHECK(cudaMemset(ctx->dev_contributions, 0, sizeof(unsigned long long)));
  return PSTM_OK;
}

pstm_status open_tile(pstm_context* ctx, pstm_tile* tile, const float* points,
                      const float* velocity, float* image) {
  const pstm_params& p = tile->params;
  tile->points_bytes = size_t(p.npoints) * 2 * sizeof(float);
  tile->velocity_bytes = size_t(p.npoints) * size_t(p.ntau) * sizeof(float);
  tile->image_bytes = size_t(pstm::image_size(p)) * sizeof(float);
  PSTM_CHECK(device_alloc(ctx, reinterpret_cast<void**>(&tile->dev_points), tile->points_bytes));
  PSTM_CHECK(
      device_alloc(ctx, reinterpret_cast<void**>(&tile->dev_velocity), tile->velocity_bytes));
  PSTM_CHECK(device_alloc(ctx, reinterpret_cast<void**>(&tile->dev_image), tile->image_bytes));
  // Pageable uploads on the compute stream: they return once the host data
  // is staged and run before any kernel of this tile.
  CUDA_CHECK(cudaMemcpyAsync(tile->dev_points, points, tile->points_bytes,
                             cudaMemcpyHostToDevice, ctx->compute));
  CUDA_CHECK(cudaMemcpyAsync(tile->dev_velocity, velocity, tile->velocity_bytes,
                             cudaMemcpyHostToDevice, ctx->compute));
  CUDA_CHECK(cudaMemcpyAsync(tile->dev_image, image, tile->image_bytes, cudaMemcpyHostToDevice,
                             ctx->compute));
  return PSTM_OK;
}

pstm_status accumulate(pstm_tile* tile, int32_t ntraces, const float* traces,
                       const float* geometry, const int32_t* trace_class) {
  pstm_context* ctx = tile->ctx;
  const size_t n = size_t(ntraces), ns = size_t(tile->params.ns);
  BatchSlot& s = ctx->slots[ctx->next_slot];

  // Wait for the kernel that last read this slot (two batches ago); the
  // kernel of the other slot may still run, and the upload below overlaps it.
  if (s.in_flight) {
    CUDA_CHECK(cudaEventSynchronize(s.kernel_stop));
    PSTM_CHECK(harvest_kernel_time(ctx, s));
  }
  PSTM_CHECK(reserve_slot(ctx, s, n, ns));

  // The caller's buffers are free once copied into the pinned slot.
  std::memcpy(s.host_traces, traces, n * ns * sizeof(float));
  std::memcpy(s.host_geometry, geometry, n * 4 * sizeof(float));
  std::memcpy(s.host_class, trace_class, n * sizeof(int32_t));
  pstm_cuda::chunk_bounds(ntraces, s.host_geometry, s.host_bounds);

  CUDA_CHECK(cudaMemcpyAsync(s.dev_traces, s.host_traces, n * ns * sizeof(float),
                             cudaMemcpyHostToDevice, ctx->copy));
  CUDA_CHECK(cudaMemcpyAsync(s.dev_geometry, s.host_geometry, n * 4 * sizeof(float),
                             cudaMemcpyHostToDevice, ctx->copy));
  CUDA_CHECK(cudaMemcpyAsync(s.dev_class, s.host_class, n * sizeof(int32_t),
                             cudaMemcpyHostToDevice, ctx->copy));
  CUDA_CHECK(cudaMemcpyAsync(s.dev_bounds, s.host_bounds, chunks(n) * 4 * sizeof(float),
                             cudaMemcpyHostToDevice, ctx->copy));
  CUDA_CHECK(cudaEventRecord(s.copied, ctx->copy));

  KernelArgs args = tile->args;
  args.ntraces = ntraces;
  CUDA_CHECK(cudaStreamWaitEvent(ctx->compute, s.copied, 0));
  CUDA_CHECK(cudaEventRecord(s.kernel_start, ctx->compute));
  CUDA_CHECK(pstm_cuda::launch_migrate(args, tile->dev_points, tile->dev_velocity, s.dev_traces,
                                       s.dev_geometry, s.dev_class, s.dev_bounds, tile->dev_image,
                                       ctx->dev_contributions, ctx->compute));
  CUDA_CHECK(cudaEventRecord(s.kernel_stop, ctx->compute));
  s.in_flight = true;
  ctx->next_slot ^= 1;
  return PSTM_OK;
}

pstm_status finish(pstm_tile* tile) {
  pstm_context* ctx = tile->ctx;
  CUDA_CHECK(cudaMemcpyAsync(tile->host_image, tile->dev_image, tile->image_bytes,
                             cudaMemcpyDeviceToHost, ctx->compute));
  unsigned long long total = 0;
  CUDA_CHECK(cudaMemcpyAsync(&total, ctx->dev_contributions, sizeof total,
                             cudaMemcpyDeviceToHost, ctx->compute));
  CUDA_CHECK(cudaStreamSynchronize(ctx->compute));
  for (BatchSlot& s : ctx->slots) PSTM_CHECK(harvest_kernel_time(ctx, s));
  ctx->contributions = double(total);
  release_tile_buffers(tile);
  tile->finished = true;
  return PSTM_OK;
}

/** Removes a tile from its context and frees it; the context's mutex must be held. */
void destroy_tile_locked(pstm_tile* tile) {
  pstm_context* ctx = tile->ctx;
  if (tile->dev_image != nullptr) cudaStreamSynchronize(ctx->compute);  // its kernels
  release_tile_buffers(tile);
  auto& tiles = ctx->tiles;
  tiles.erase(std::remove(tiles.begin(), tiles.end(), tile), tiles.end());
  delete tile;
}

}  // namespace

extern "C" {

PSTM_API int32_t pstm_abi_version(void) { return PSTM_ABI_VERSION; }

PSTM_API const char* pstm_backend_name(void) { return "cuda"; }

PSTM_API pstm_status pstm_device_count(int32_t* count) {
  if (count == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "count is NULL");
  char reason[256];
  *count = count_devices(reason, sizeof reason);
  // No device is a normal answer (PSTM_OK); its reason is left for
  // pstm_last_error() so that callers can say why CUDA is unavailable.
  if (*count == 0) fail(PSTM_OK, "0 CUDA devices: %s", reason);
  return PSTM_OK;
}

PSTM_API pstm_status pstm_device_info(int32_t device, char* name, int32_t name_len,
                                      uint64_t* free_bytes, uint64_t* total_bytes) {
  if (name == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "name is NULL");
  if (name_len < 1) {
    return fail(PSTM_ERR_INVALID_ARGUMENT, "name_len must be >= 1: got %d", name_len);
  }
  if (free_bytes == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "free_bytes is NULL");
  if (total_bytes == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "total_bytes is NULL");
  PSTM_CHECK(check_device(device));
  cudaDeviceProp prop{};
  CUDA_CHECK(cudaGetDeviceProperties(&prop, device));
  size_t free_now = 0, total = 0;
  CUDA_CHECK(cudaSetDevice(device));
  CUDA_CHECK(cudaMemGetInfo(&free_now, &total));
  std::snprintf(name, size_t(name_len), "%s", prop.name);
  *free_bytes = free_now;
  *total_bytes = total;
  return PSTM_OK;
}

PSTM_API pstm_status pstm_context_create(int32_t device, int32_t threads, pstm_context** out) {
  (void)threads;  // CPU threads: not used by the CUDA build
  if (out == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "out is NULL");
  PSTM_CHECK(check_device(device));
  pstm_context* ctx = new (std::nothrow) pstm_context();
  if (ctx == nullptr) return fail(PSTM_ERR_OUT_OF_MEMORY, "cannot allocate a CUDA context");
  const pstm_status status = create_context(device, ctx);
  if (status != PSTM_OK) {
    release_context(ctx);
    delete ctx;
    return status;
  }
  *out = ctx;
  return PSTM_OK;
}

PSTM_API int32_t pstm_context_threads(const pstm_context* ctx) {
  (void)ctx;  // no CPU threads run the CUDA kernels
  return 0;
}

PSTM_API const char* pstm_context_target(const pstm_context* ctx) {
  return ctx == nullptr ? "" : "cuda";
}

PSTM_API void pstm_context_destroy(pstm_context* ctx) {
  if (ctx == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(ctx->mutex);
    cudaSetDevice(ctx->device);
    while (!ctx->tiles.empty()) destroy_tile_locked(ctx->tiles.back());
    release_context(ctx);
  }
  delete ctx;
}

PSTM_API pstm_status pstm_tile_open(pstm_context* ctx, const pstm_params* params,
                                    const float* points, const float* velocity, float* image,
                                    pstm_tile** out) {
  if (ctx == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "ctx is NULL");
  if (out == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "out is NULL");
  PSTM_CHECK(pstm::check_params(params));
  PSTM_CHECK(pstm::check_tile_inputs(*params, points, velocity, image));
  if ((int64_t(params->ntau) + kBlockTau - 1) / kBlockTau > kMaxGridYZ) {
    return fail(PSTM_ERR_INVALID_ARGUMENT, "pstm_params.ntau must be <= %lld for CUDA: got %d",
                static_cast<long long>(kMaxGridYZ * kBlockTau), params->ntau);
  }
  if (params->nclass > kMaxGridYZ) {
    return fail(PSTM_ERR_INVALID_ARGUMENT, "pstm_params.nclass must be <= %lld for CUDA: got %d",
                static_cast<long long>(kMaxGridYZ), params->nclass);
  }
  pstm_tile* tile = new (std::nothrow) pstm_tile();
  if (tile == nullptr) return fail(PSTM_ERR_OUT_OF_MEMORY, "cannot allocate a CUDA tile");
  tile->ctx = ctx;
  tile->params = *params;
  tile->args = pstm_cuda::make_kernel_args(*params);
  tile->host_image = image;
  std::lock_guard<std::mutex> lock(ctx->mutex);
  const cudaError_t err = cudaSetDevice(ctx->device);
  if (err != cudaSuccess) {
    delete tile;
    return cuda_failure(err, "cudaSetDevice(ctx->device)", __FILE__, __LINE__);
  }
  try {
    ctx->tiles.push_back(tile);
  } catch (const std::exception& e) {
    delete tile;
    return fail(PSTM_ERR_OUT_OF_MEMORY, "pstm_tile_open: %s", e.what());
  }
  const pstm_status status = open_tile(ctx, tile, points, velocity, image);
  if (status != PSTM_OK) {
    destroy_tile_locked(tile);
    return status;
  }
  *out = tile;
  return PSTM_OK;
}

PSTM_API pstm_status pstm_tile_accumulate(pstm_tile* tile, int32_t ntraces, const float* traces,
                                          const float* geometry, const int32_t* trace_class) {
  if (tile == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "tile is NULL");
  PSTM_CHECK(pstm::check_batch(tile->params, ntraces, traces, geometry, trace_class));
  if (tile->finished) {
    return fail(PSTM_ERR_INVALID_ARGUMENT, "tile is finished: open a new tile to accumulate");
  }
  if (ntraces == 0) return PSTM_OK;
  std::lock_guard<std::mutex> lock(tile->ctx->mutex);
  CUDA_CHECK(cudaSetDevice(tile->ctx->device));
  return accumulate(tile, ntraces, traces, geometry, trace_class);
}

PSTM_API pstm_status pstm_tile_set_traveltime_table(pstm_tile* tile, int32_t nx,
                                                    float max_distance) {
  (void)tile;
  (void)nx;
  (void)max_distance;
  return fail(PSTM_ERR_UNSUPPORTED,
              "pstm_tile_set_traveltime_table is not supported by the cuda backend");
}

PSTM_API pstm_status pstm_tile_finish(pstm_tile* tile) {
  if (tile == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "tile is NULL");
  if (tile->finished) return PSTM_OK;  // the image is already final
  std::lock_guard<std::mutex> lock(tile->ctx->mutex);
  CUDA_CHECK(cudaSetDevice(tile->ctx->device));
  return finish(tile);
}

PSTM_API void pstm_tile_destroy(pstm_tile* tile) {
  if (tile == nullptr) return;
  pstm_context* ctx = tile->ctx;
  std::lock_guard<std::mutex> lock(ctx->mutex);
  cudaSetDevice(ctx->device);
  destroy_tile_locked(tile);
}

PSTM_API pstm_status pstm_context_stats(const pstm_context* ctx, pstm_stats* out) {
  if (ctx == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "ctx is NULL");
  if (out == nullptr) return fail(PSTM_ERR_INVALID_ARGUMENT, "out is NULL");
  std::lock_guard<std::mutex> lock(ctx->mutex);
  out->kernel_seconds = ctx->kernel_seconds;
  out->contributions = ctx->contributions;
  out->device_bytes = ctx->device_peak;
  out->window_lookups = 0;  // the CPU kernel's lookup paths
  out->gather_lookups = 0;
  return PSTM_OK;
}

}  // extern "C"

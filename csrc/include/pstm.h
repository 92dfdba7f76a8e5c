/*
 * pstm.h — the only C ABI of the pstm native library (CPU and CUDA builds).
 *
 * Calling convention (after segyio): every function that can fail returns a
 * pstm_status; PSTM_OK (0) is success. Inputs come first, outputs last;
 * outputs are left untouched on failure. The library never calls exit().
 * A failing call stores a human-readable message retrievable with
 * pstm_last_error(). The message is kept process-wide, not per thread:
 * Deno runs `nonblocking` FFI calls on a worker thread and reads the
 * message afterwards from its own thread.
 *
 * Both libpstm_cpu and libpstm_cuda export exactly these symbols; the host
 * (Deno FFI or a C driver) picks a library, not a symbol prefix.
 *
 * Units: coordinates in metres relative to the output-grid origin, times in
 * seconds, velocities in m/s, angles in degrees.
 */
#ifndef PSTM_H
#define PSTM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define PSTM_API __declspec(dllexport)
#else
#define PSTM_API __attribute__((visibility("default")))
#endif

/** ABI version; bump when a struct or signature changes. */
#define PSTM_ABI_VERSION 5

/** Status codes: one flat enum, 0 is success. */
typedef enum pstm_status {
  PSTM_OK = 0,
  PSTM_ERR_INVALID_ARGUMENT = 1, /* a size, pointer or parameter out of range */
  PSTM_ERR_OUT_OF_MEMORY = 2,    /* host or device allocation failed */
  PSTM_ERR_NO_DEVICE = 3,        /* no device with that index (CUDA build) */
  PSTM_ERR_DEVICE = 4,           /* a CUDA runtime call failed */
  PSTM_ERR_INTERNAL = 5,         /* anything else */
  PSTM_ERR_UNSUPPORTED = 6       /* this build or machine lacks the feature asked for */
} pstm_status;

/** Amplitude weights (docs/algorithm.md, "Amplitude weights"). */
typedef enum pstm_weights {
  PSTM_WEIGHTS_NONE = 0,
  PSTM_WEIGHTS_OBLIQUITY = 1,
  PSTM_WEIGHTS_SPREADING = 2
} pstm_weights;

/**
 * Parameters of one output tile. Every field is 4 bytes wide so the layout
 * has no padding (the host writes it with a DataView: 20 fields, 80 bytes).
 */
typedef struct pstm_params {
  int32_t ns;            /*  0 samples per input trace (>= 1)                   */
  float t0;              /*  4 time of the first input sample, s                */
  float dt;              /*  8 input sample interval, s (> 0)                   */
  int32_t npoints;       /* 12 output points (columns) in the tile (>= 1)       */
  int32_t ntau;          /* 16 output samples per column (>= 1)                 */
  float tau0;            /* 20 first output time, s (>= 0)                      */
  float dtau;            /* 24 output sample interval, s (> 0)                  */
  int32_t nclass;        /* 28 offset classes (>= 1)                            */
  float aperture;        /* 32 aperture radius, m; <= 0: unlimited              */
  float max_angle;       /* 36 maximum aperture angle, deg; <= 0 or >= 90: none */
  float taper;           /* 40 tapered fraction of the aperture, 0..1           */
  int32_t antialias;     /* 44 0 off, 1 on: traces hold the double integral     */
  float trace_spacing;   /* 48 antialiasing trace spacing along spacing_azimuth, m (> 0) */
  int32_t weights;       /* 52 a pstm_weights value                              */
  float eta;             /* 56 VTI anellipticity eta (0: isotropic, > -0.5)     */
  int32_t reserved0;     /* 60 must be 0 (was threads until ABI 5: CPU threads are set
                                in one place, pstm_context_create)              */
  int32_t reserved;      /* 64 must be 0                                        */
  float trace_spacing_y; /* 68 antialiasing trace spacing across spacing_azimuth, m;
                                <= 0: the same as trace_spacing                 */
  float spacing_azimuth; /* 72 direction of trace_spacing, degrees counter-clockwise
                                from +x (the output grid's ix axis)             */
  float stretch_mute;    /* 76 stretch mute, a fraction (0.3 = 30 %); 0: off. A sample
                                at tau is left out when the trace's offset x stretches
                                it by more under the eta moveout: 1 / (dt/dtau) - 1 >
                                stretch_mute, for eta = 0 sqrt(1 + x^2 / (v tau)^2) - 1
                                (docs/algorithm.md, "Stretch mute")             */
} pstm_params;

/** Opaque backend context (thread pool or CUDA device, streams, buffers). */
typedef struct pstm_context pstm_context;
/** Opaque output tile being accumulated. */
typedef struct pstm_tile pstm_tile;

/** Returns PSTM_ABI_VERSION of the built library. */
PSTM_API int32_t pstm_abi_version(void);

/** Name of the backend compiled into this library: "cpu" or "cuda". */
PSTM_API const char* pstm_backend_name(void);

/**
 * Message of the most recent failure in the process ("" if none), whichever
 * thread made the failing call. The pointer stays valid until the next pstm
 * call on the calling thread.
 */
PSTM_API const char* pstm_last_error(void);

/** Number of devices: 1 for the CPU build, CUDA devices (0 without a GPU). */
PSTM_API pstm_status pstm_device_count(int32_t* count);

/**
 * Describes device `device`: a NUL-terminated name into name[0..name_len),
 * and free / total memory in bytes (host memory for the CPU build).
 */
PSTM_API pstm_status pstm_device_info(int32_t device, char* name, int32_t name_len,
                                      uint64_t* free_bytes, uint64_t* total_bytes);

/**
 * Creates a context on `device`. threads: the CPU threads every kernel call
 * of the context runs on (the one place they are set), 0 = all cores
 * (OMP_NUM_THREADS, else every core); ignored by the CUDA build.
 * PSTM_ERR_UNSUPPORTED when PSTM_SIMD names a kernel this CPU cannot run.
 */
PSTM_API pstm_status pstm_context_create(int32_t device, int32_t threads, pstm_context** out);

/**
 * The CPU threads the context's kernels run on: the team size of its most
 * recent pstm_tile_accumulate, or, before any, the number it will use (the
 * threads given to pstm_context_create, or all cores for 0). 0 for the CUDA
 * build and for NULL.
 */
PSTM_API int32_t pstm_context_threads(const pstm_context* ctx);

/**
 * The instruction set the context's kernels run on: "avx3" (AVX-512),
 * "avx2", "sse4", "neon", "emu128", "portable" (CPU build; the best this
 * CPU runs, or the one named by the environment variable PSTM_SIMD when the
 * context was created, else PSTM_ERR_UNSUPPORTED), "cuda" (CUDA build).
 * "" for NULL.
 */
PSTM_API const char* pstm_context_target(const pstm_context* ctx);

/** Destroys a context and every tile still open on it. NULL is allowed. */
PSTM_API void pstm_context_destroy(pstm_context* ctx);

/**
 * Opens an output tile.
 *   params    tile and migration parameters (copied)
 *   points    [npoints][2] x, y of each output column, m (relative to grid origin)
 *   velocity  [npoints][ntau] RMS velocity, m/s, all > 0
 *   image     [nclass][npoints][ntau] accumulator; the CPU build adds into it in
 *             place, the CUDA build uploads it here and writes it back in
 *             pstm_tile_finish. All three buffers must stay valid until finish.
 */
PSTM_API pstm_status pstm_tile_open(pstm_context* ctx, const pstm_params* params,
                                    const float* points, const float* velocity, float* image,
                                    pstm_tile** out);

/**
 * Adds a batch of traces into an open tile.
 *   ntraces   traces in the batch (0 is allowed and does nothing)
 *   traces    [ntraces][ns] preprocessed samples (the double integral when
 *             params.antialias is 1)
 *   geometry  [ntraces][4] sx, sy, gx, gy, m (relative to grid origin)
 *   trace_class [ntraces] offset class; traces outside 0..nclass-1 are skipped
 * Safe to call from a thread other than the one that opened the tile, but
 * not concurrently on the same tile.
 */
PSTM_API pstm_status pstm_tile_accumulate(pstm_tile* tile, int32_t ntraces, const float* traces,
                                          const float* geometry, const int32_t* trace_class);

/**
 * Switches an open tile to a traveltime lookup table (optional; CPU build
 * only, the CUDA build returns PSTM_ERR_UNSUPPORTED).
 *   nx            rows of the table (2..1048576), or 0 to switch the table
 *                 off again (direct computation)
 *   max_distance  horizontal leg distance of the last row, m (> 0)
 * Row k holds the one-way leg time of every output sample at distance
 * x_k = max_distance (k / (nx - 1))^2: rows uniform in u = sqrt(x), with
 * du = sqrt(max_distance) / (nx - 1). The library builds the table from the
 * tile's velocity (eta included); it needs the same v(tau) in every column
 * (constant and v(tau) models) and fails with PSTM_ERR_INVALID_ARGUMENT
 * otherwise. Leg times are then interpolated linearly in u between the two
 * bracketing rows, which errs by at most du^2 sqrt(2) / (4 v) seconds at
 * any depth; a pair with a leg beyond max_distance is computed directly.
 * Same threading rule as pstm_tile_accumulate.
 */
PSTM_API pstm_status pstm_tile_set_traveltime_table(pstm_tile* tile, int32_t nx,
                                                    float max_distance);

/** Makes the image buffer given to pstm_tile_open final (CUDA: downloads it). */
PSTM_API pstm_status pstm_tile_finish(pstm_tile* tile);

/** Frees a tile (finished or not). NULL is allowed. */
PSTM_API void pstm_tile_destroy(pstm_tile* tile);

/** Statistics of a context since it was created. */
typedef struct pstm_stats {
  double kernel_seconds;     /* time spent in the kernel (CUDA: device time) */
  double contributions;      /* (trace, output sample) pairs actually summed */
  uint64_t device_bytes;     /* peak device memory held (0 for the CPU build) */
  double window_lookups;     /* SIMD sample lookups served from a register window (CPU) */
  double gather_lookups;     /* SIMD sample lookups that gathered instead (CPU; 0 for CUDA) */
} pstm_stats;

/** Reads the statistics of a context. */
PSTM_API pstm_status pstm_context_stats(const pstm_context* ctx, pstm_stats* out);

#ifdef __cplusplus
}
#endif

#endif /* PSTM_H */

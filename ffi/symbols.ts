/**
 * The native symbols of libpstm_cpu and libpstm_cuda (csrc/include/pstm.h),
 * in one literal. `pstm_status` is an int32; handles are pointers; structs
 * and output parameters are buffers.
 *
 * The heavy calls (`pstm_tile_accumulate`, `pstm_tile_finish`) are
 * `nonblocking`: they run on a worker thread and return a Promise, so the
 * next batch can be read while the kernel runs.
 *
 * @module
 */

/** Symbol table passed to `Deno.dlopen`. */
export const SYMBOLS = {
  /** int32_t pstm_abi_version(void) */
  pstm_abi_version: { parameters: [], result: "i32" },
  /** const char* pstm_backend_name(void) */
  pstm_backend_name: { parameters: [], result: "pointer" },
  /** const char* pstm_last_error(void) */
  pstm_last_error: { parameters: [], result: "pointer" },
  /** pstm_status pstm_device_count(int32_t* count) */
  pstm_device_count: {
    parameters: [
      "buffer", // int32_t* count (out)
    ],
    result: "i32",
  },
  /** pstm_status pstm_device_info(device, name, name_len, free_bytes, total_bytes) */
  pstm_device_info: {
    parameters: [
      "i32", // int32_t device
      "buffer", // char* name (out, NUL-terminated)
      "i32", // int32_t name_len
      "buffer", // uint64_t* free_bytes (out)
      "buffer", // uint64_t* total_bytes (out)
    ],
    result: "i32",
  },
  /** pstm_status pstm_context_create(device, threads, out) */
  pstm_context_create: {
    parameters: [
      "i32", // int32_t device
      "i32", // int32_t threads (0: all cores): the one place CPU threads are set
      "buffer", // pstm_context** out
    ],
    result: "i32",
  },
  /** void pstm_context_destroy(pstm_context* ctx) */
  pstm_context_destroy: {
    parameters: [
      "pointer", // pstm_context* ctx (NULL allowed)
    ],
    result: "void",
  },
  /** pstm_status pstm_tile_open(ctx, params, points, velocity, image, out) */
  pstm_tile_open: {
    parameters: [
      "pointer", // pstm_context* ctx
      "buffer", // const pstm_params* params (80 bytes, copied)
      "buffer", // const float* points [npoints][2] (kept until finish)
      "buffer", // const float* velocity [npoints][ntau] (kept until finish)
      "buffer", // float* image [nclass][npoints][ntau] (kept until finish)
      "buffer", // pstm_tile** out
    ],
    result: "i32",
  },
  /** pstm_status pstm_tile_accumulate(tile, ntraces, traces, geometry, trace_class) */
  pstm_tile_accumulate: {
    parameters: [
      "pointer", // pstm_tile* tile
      "i32", // int32_t ntraces
      "buffer", // const float* traces [ntraces][ns]
      "buffer", // const float* geometry [ntraces][4] sx, sy, gx, gy
      "buffer", // const int32_t* trace_class [ntraces]
    ],
    result: "i32",
    nonblocking: true,
  },
  /** pstm_status pstm_tile_set_traveltime_table(tile, nx, max_distance) (CPU build only) */
  pstm_tile_set_traveltime_table: {
    parameters: [
      "pointer", // pstm_tile* tile
      "i32", // int32_t nx (0: off)
      "f32", // float max_distance, m
    ],
    result: "i32",
  },
  /** pstm_status pstm_tile_finish(pstm_tile* tile) */
  pstm_tile_finish: {
    parameters: [
      "pointer", // pstm_tile* tile
    ],
    result: "i32",
    nonblocking: true,
  },
  /** void pstm_tile_destroy(pstm_tile* tile) */
  pstm_tile_destroy: {
    parameters: [
      "pointer", // pstm_tile* tile (NULL allowed)
    ],
    result: "void",
  },
  /** int32_t pstm_context_threads(const pstm_context* ctx): CPU threads the kernels run on */
  pstm_context_threads: {
    parameters: [
      "pointer", // const pstm_context* ctx
    ],
    result: "i32",
  },
  /** const char* pstm_context_target(const pstm_context* ctx): the kernels' instruction set */
  pstm_context_target: {
    parameters: [
      "pointer", // const pstm_context* ctx
    ],
    result: "pointer",
  },
  /** pstm_status pstm_context_stats(const pstm_context* ctx, pstm_stats* out) */
  pstm_context_stats: {
    parameters: [
      "pointer", // const pstm_context* ctx
      "buffer", // pstm_stats* out (40 bytes)
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** An opened pstm native library. */
export type PstmLibrary = Deno.DynamicLibrary<typeof SYMBOLS>;

/** `PSTM_ABI_VERSION` of the header these bindings were written for. */
export const ABI_VERSION = 5;

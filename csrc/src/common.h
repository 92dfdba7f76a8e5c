/*
 * common.h — internal host-side helpers shared by libpstm_cpu and
 * libpstm_cuda (not part of the ABI): the last-error store and the
 * validation of parameters and buffers. Sources: last_error.cpp,
 * params_check.cpp. Every check runs before any caller pointer is read
 * beyond the one being checked, and names the offending field.
 */
#ifndef PSTM_COMMON_H
#define PSTM_COMMON_H

#include <cstdint>

#include "pstm.h"

namespace pstm {

/**
 * Records a failure message (printf-style) for pstm_last_error() and returns
 * `code`, so a check can end with `return fail(...)`.
 */
pstm_status fail(pstm_status code, const char* format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** Validates every field of `p` (sizes, intervals, ranges, finiteness). */
pstm_status check_params(const pstm_params* p);

/**
 * Validates the fixed inputs of a tile: non-null pointers, finite points,
 * finite positive velocities. `p` must already have passed check_params.
 */
pstm_status check_tile_inputs(const pstm_params& p, const float* points, const float* velocity,
                              const float* image);

/**
 * Validates a batch: ntraces >= 0, non-null buffers when ntraces > 0, a
 * batch size that fits in memory, finite geometry. Samples are not checked:
 * NaN or Inf samples propagate into the image where they contribute.
 */
pstm_status check_batch(const pstm_params& p, int32_t ntraces, const float* traces,
                        const float* geometry, const int32_t* trace_class);

/** Elements of the image, nclass * npoints * ntau (valid after check_params). */
inline int64_t image_size(const pstm_params& p) {
  return int64_t(p.nclass) * int64_t(p.npoints) * int64_t(p.ntau);
}

}  // namespace pstm

#endif  // PSTM_COMMON_H

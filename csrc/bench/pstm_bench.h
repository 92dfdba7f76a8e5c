/*
 * pstm_bench.h — libpstm_bench, the benchmarks' baseline (not part of the
 * production ABI in pstm.h; nothing but bench/ and the ctest drivers loads
 * it).
 */
#ifndef PSTM_BENCH_H
#define PSTM_BENCH_H

#include "pstm.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The baseline the CPU kernel is measured against, a floor rather than a
 * ceiling: the minimal vectorised loop that anyone would write first. OpenMP
 * over output columns on `threads` threads (0: all cores), the traces of a
 * column in turn, then `omp simd` over the output samples: the straight-ray
 * double square root and linear interpolation (gathers), plain mode (w = 1),
 * no aperture and no skipping; compiled for the build machine
 * (-march=native), so it uses the widest vectors there. Adds into `image` as
 * one open/accumulate/finish cycle of the kernel with the same arguments
 * would; only p->ns, t0, dt, npoints, ntau, tau0, dtau and nclass are read.
 * Arguments are not validated beyond NULL checks: benchmarks only.
 */
PSTM_API pstm_status pstm_bench_baseline_loop(const pstm_params* params, int32_t threads,
                                              const float* points, const float* velocity,
                                              int32_t ntraces, const float* traces,
                                              const float* geometry, const int32_t* trace_class,
                                              float* image);

/**
 * The clock the cores run at while `threads` of them (0: all cores) are busy,
 * in GHz, into *ghz: each thread times a chain of dependent integer adds (one
 * cycle each) for about `seconds` after as long a warm-up, and the mean is
 * taken. The kernel bench's hardware bound uses it; /proc/cpuinfo gives only
 * the nominal clock. PSTM_ERR_INVALID_ARGUMENT for a NULL ghz or seconds
 * outside (0, 10].
 */
PSTM_API pstm_status pstm_bench_core_clock(int32_t threads, double seconds, double* ghz);

#ifdef __cplusplus
}
#endif

#endif /* PSTM_BENCH_H */

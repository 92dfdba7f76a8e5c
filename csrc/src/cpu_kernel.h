/*
 * cpu_kernel.h — the CPU Kirchhoff PSTM kernel (math only): the constants of
 * a tile, the scalars of one (output column, trace) pair, and the column
 * kernel that sums one trace into one output column. Threads, allocation and
 * validation live in cpu_backend.cpp.
 */
#ifndef PSTM_CPU_KERNEL_H
#define PSTM_CPU_KERNEL_H

#include <cstdint>
#include <vector>

#include "pstm.h"

namespace pstm::cpu {

/** Constants of a tile, derived once from pstm_params. */
struct TileConsts {
  int32_t ntau;         // output samples per column
  double tau0, dtau;    // first output time and output sample interval, s
  float t0;             // time of input sample 0, s
  float inv_dt;         // 1 / dt, 1/s
  float last;           // ns - 1: the last valid fractional sample index
  float t_end;          // t0 + (ns - 1) dt: the latest time inside a trace, s
  float aperture;       // radius aperture, m (<= 0: unlimited)
  float tan_max;        // tan(max angle) (0: no angle aperture)
  float taper;          // tapered fraction of the aperture, 0..1
  bool antialias;       // triangle antialiasing on
  float aa_ux, aa_uy;   // (cos a, sin a) trace_spacing / dt: dip along the azimuth -> samples
  float aa_vx, aa_vy;   // (-sin a, cos a) trace_spacing_y / dt: dip across it -> samples
  int32_t weights;      // pstm_weights
  float eta;            // VTI anellipticity
  float stretch_k4;     // stretch mute: keep x^2 / v^2 <= stretch_k4 h^2, 4 stretch_ratio_limit(s, eta); 0: off
  int32_t it_cap;       // no output index >= it_cap can read inside a trace
};

/** Derives the tile constants from validated parameters. */
TileConsts make_consts(const pstm_params& p);

/** Per-column arrays of a tile, each [ntau]; reach arrays only with an angle aperture. */
struct Column {
  const float* h;          // one-way vertical time tau / 2, s (shared by all columns)
  const float* inv_v2;     // 1 / v_rms^2, s^2/m^2
  const float* reach;      // h v tan(max angle): horizontal reach of the angle, m
  const float* reach_max;  // running maximum of reach over 0..it, m
  float inv_vmax2;         // 1 / (max v over the column)^2, divided by (1 + 2 eta) if eta > 0
};

/** Scalars of one (column, trace) pair and the range of tau indices to visit. */
struct Pair {
  const float* trace;  // the trace's ns samples
  float dxs, dys;      // image point minus source, m
  float dxr, dyr;      // image point minus receiver, m
  float ds2, dr2;      // squared horizontal distances to source and receiver, m^2
  float dm;            // horizontal distance to the midpoint, m
  float q_radius;      // dm / aperture (0 without a radius aperture)
  float off2;          // squared source-receiver offset, m^2 (for the stretch mute)
  int32_t it0, it1;    // visit tau indices [it0, it1)
  // traveltime table (set by table_legs): rows bracketing each leg's distance
  const float* ts_lo;  // table row at distance floor(|x_s| / dx), [ntau] one-way times, s
  const float* ts_hi;  // the next row
  const float* tr_lo;  // same for the receiver leg
  const float* tr_hi;
  float fs, fr;        // interpolation weights of the *_hi rows, 0..1
};

/**
 * Traveltime table of a tile whose velocity is the same function of tau in
 * every column: t[k][it] = one-way leg time at horizontal distance
 * x_k = (k du)^2 and output sample it (VTI eta included). The rows are
 * uniform in u = sqrt(x), where t(u) = sqrt(h^2 + u^4 / v^2) has
 * |d2t/du2| <= 2 sqrt(2) / v at every h: linear interpolation in u errs by
 * at most du^2 sqrt(2) / (4 v), also at the apex (uniform rows in x err by
 * dx^2 / (8 v^2 h), unbounded as h -> 0).
 */
struct TravelTable {
  const float* t;  // [nx][ntau] one-way times, s
  int32_t nx;      // rows
  int32_t ntau;    // output samples per row
  float inv_du;    // 1 / du, 1/sqrt(m)
};

/**
 * Fills table[nx][ntau] with the one-way leg time sqrt(h^2 + x^2 / v^2)
 * (minus Alkhalifah's eta term) at x = (k du)^2, for a column's h and 1 / v^2.
 */
void fill_travel_table(const TileConsts& c, const float* h, const float* inv_v2, int32_t nx,
                       double du, float* table);

/**
 * Points the pair at the table rows bracketing its source and receiver
 * distances; false when a distance lies beyond the last row (the caller then
 * computes the times directly).
 */
bool table_legs(const TravelTable& table, Pair* pair);

/**
 * Fills the pair scalars of output point (px, py) and trace (sx, sy, gx, gy)
 * and returns false when the radius aperture rejects the pair or no tau
 * index can contribute. Distances are formed in double, then rounded.
 */
bool make_pair(const TileConsts& c, const Column& col, double px, double py, double sx,
               double sy, double gx, double gy, const float* trace, Pair* pair);

/** What one column kernel call did. */
struct ColumnCounts {
  int64_t contributions;  // (trace, output sample) pairs summed
  int64_t windowed;       // SIMD vectors of sample lookups served from a register window
  int64_t gathered;       // SIMD vectors of sample lookups that gathered (portable: 0, 0)
};

/** Sums one trace into one output column. */
using ColumnKernel = ColumnCounts (*)(const TileConsts& c, const Column& col, const Pair& pair,
                                      float* out);

/**
 * Picks the portable C++ column kernel (auto-vectorised for the build's
 * baseline instruction set) specialised for the features the tile uses; with
 * `table` the leg times come from the pair's table rows (table_legs).
 */
ColumnKernel select_portable_kernel(const TileConsts& c, bool table = false);

/** An instruction set the column kernel was compiled for. */
struct KernelTarget {
  const char* name;    // "avx3" (AVX-512), "avx2", "sse4", "neon", "emu128", "portable"
  bool supported;      // this CPU runs it
  ColumnKernel (*select)(const TileConsts& c, bool table);  // as select_portable_kernel
};

/**
 * The compiled targets, best first: the Highway SIMD kernels of
 * cpu_kernel_simd.cpp (when built with Highway), then "portable".
 */
std::vector<KernelTarget> kernel_targets();

}  // namespace pstm::cpu

#endif  // PSTM_CPU_KERNEL_H

/*
 * cpu_backend.cpp — host side of libpstm_cpu: contexts, tiles, validation,
 * the OpenMP loop over output columns, statistics. The math is in
 * cpu_kernel.cpp.
 *
 * Parallelism: each thread owns whole output columns (points), so no two
 * threads write the same image sample and no atomics are needed. For one
 * column the loop visits the traces of the batch, then the output samples.
 */
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <mutex>
#include <new>
#include <set>
#include <vector>

#include "common.h"
#include "cpu_kernel.h"
#include "cpu_midpoint_index.h"

struct pstm_context {
  int32_t threads = 1;          // threads of every kernel call (resolved at creation: >= 1)
  std::atomic<int32_t> team{0}; // team size of the latest accumulate (0: none yet)
  pstm::cpu::KernelTarget target{};  // the instruction set the kernels run on
  std::mutex mutex;             // guards stats and tiles
  pstm_stats stats{};
  std::set<pstm_tile*> tiles;   // open tiles, destroyed with the context
};

struct pstm_tile {
  pstm_context* ctx = nullptr;
  pstm_params params{};
  pstm::cpu::TileConsts consts{};
  const float* points = nullptr;  // caller's [npoints][2]
  float* image = nullptr;         // caller's [nclass][npoints][ntau], summed in place
  std::vector<float> h;           // [ntau] tau / 2
  std::vector<float> inv_v2;      // [npoints][ntau] 1 / v^2
  std::vector<float> reach;       // [npoints][ntau] h v tan(max angle) (angle aperture only)
  std::vector<float> reach_max;   // [npoints][ntau] running maximum of reach
  std::vector<float> inv_vmax2;   // [npoints] bound used to stop at the trace end
  pstm::cpu::MidpointIndex index;  // the traces each column can see
  std::vector<float> table;       // [table_nx][ntau] traveltime table (empty: direct times)
  int32_t table_nx = 0;           // rows of the table, 0 when off
  double table_du = 0;            // row spacing in sqrt(distance), sqrt(m)
};

namespace {

using Clock = std::chrono::steady_clock;

/** The threads of a context: the given count, or for 0 OMP_NUM_THREADS or all cores. */
int32_t thread_count(int32_t threads) {
  return threads > 0 ? threads : std::max(1, omp_get_max_threads());
}

/** Per-tile tables: h, 1 / v^2, the angle reach and its running maximum. */
void build_tables(pstm_tile& t, const float* velocity) {
  const pstm_params& p = t.params;
  const auto& c = t.consts;
  const size_t ntau = size_t(p.ntau), npoints = size_t(p.npoints);
  t.h.resize(ntau);
  for (size_t it = 0; it < ntau; ++it) t.h[it] = float(0.5 * (p.tau0 + double(it) * p.dtau));
  t.inv_v2.resize(npoints * ntau);
  t.inv_vmax2.resize(npoints);
  const bool angle = c.tan_max > 0.f;
  if (angle) {
    t.reach.resize(npoints * ntau);
    t.reach_max.resize(npoints * ntau);
  }
  // a leg is never shorter than sqrt(h^2 + a / (1 + 2 eta)) for eta > 0
  const double eta_factor = p.eta > 0 ? 1.0 + 2.0 * p.eta : 1.0;
  for (size_t j = 0; j < npoints; ++j) {
    const float* v = velocity + j * ntau;
    double vmax = 0;
    float running = -1.f;
    for (size_t it = 0; it < ntau; ++it) {
      t.inv_v2[j * ntau + it] = float(1.0 / (double(v[it]) * v[it]));
      vmax = std::max(vmax, double(v[it]));
      if (angle) {
        const float r = t.h[it] * v[it] * c.tan_max;
        running = std::max(running, r);
        t.reach[j * ntau + it] = r;
        t.reach_max[j * ntau + it] = running;
      }
    }
    t.inv_vmax2[j] = float(1.0 / (vmax * vmax * eta_factor) * (1.0 - 1e-6));
  }
  // no trace contributes beyond the radius aperture, nor beyond the largest
  // angle reach (make_pair starts at the first index whose running reach
  // passes the midpoint distance): the midpoint index uses this bound
  double reach = p.aperture > 0.f ? double(p.aperture) : 0.0;
  if (angle) {
    double angle_reach = 0;
    for (size_t j = 0; j < npoints; ++j) {
      angle_reach = std::max(angle_reach, double(t.reach_max[j * ntau + ntau - 1]));
    }
    reach = reach > 0 ? std::min(reach, angle_reach) : angle_reach;
  }
  const double mid_reach = reach > 0 ? reach * (1.0 + 1e-6) + 1e-3 : 0.0;  // rounding margin
  t.index.set_tile(t.points, p.npoints, mid_reach);
}

pstm_status accumulate(pstm_tile& t, int32_t ntraces, const float* traces, const float* geometry,
                       const int32_t* trace_class) {
  using namespace pstm::cpu;
  const pstm_params& p = t.params;
  const TileConsts& c = t.consts;
  const size_t ntau = size_t(p.ntau);
  const ColumnKernel kernel = t.ctx->target.select(c, false);
  const bool use_table = t.table_nx > 0;
  const ColumnKernel table_kernel = use_table ? t.ctx->target.select(c, true) : kernel;
  const TravelTable table{t.table.data(), t.table_nx, p.ntau,
                          use_table ? float(1.0 / t.table_du) : 0.f};
  const bool angle = c.tan_max > 0.f;
  int64_t contributions = 0, windowed = 0, gathered = 0;
  // With an aperture bound much smaller than the tile, each column visits
  // only the traces whose midpoints lie in the 3 x 3 cells around it, in
  // batch order (so the sums are bit-identical to visiting every trace).
  const bool indexed = t.index.index_batch(ntraces, geometry);
  const auto start = Clock::now();
#pragma omp parallel num_threads(t.ctx->threads)
  {
    if (omp_get_thread_num() == 0) t.ctx->team.store(omp_get_num_threads());
    std::vector<int32_t> candidates;  // this thread's traces near the current column
    if (!indexed) {
      candidates.resize(size_t(ntraces));
      for (int32_t k = 0; k < ntraces; ++k) candidates[size_t(k)] = k;
    }
    // indexed: only the points near the batch's midpoints; else every point
    const int32_t nvisit = indexed ? int32_t(t.index.active().size()) : p.npoints;
#pragma omp for schedule(dynamic, 1) reduction(+ : contributions, windowed, gathered)
    for (int32_t v = 0; v < nvisit; ++v) {
      const int32_t j = indexed ? t.index.active()[size_t(v)] : v;
      const Column col{t.h.data(), t.inv_v2.data() + size_t(j) * ntau,
                       angle ? t.reach.data() + size_t(j) * ntau : nullptr,
                       angle ? t.reach_max.data() + size_t(j) * ntau : nullptr,
                       t.inv_vmax2[size_t(j)]};
      const double px = t.points[2 * size_t(j)], py = t.points[2 * size_t(j) + 1];
      if (indexed) t.index.candidates(px, py, &candidates);
      for (const int32_t k : candidates) {
        const int32_t cls = trace_class[k];
        if (cls < 0 || cls >= p.nclass) continue;
        const float* g = geometry + 4 * size_t(k);
        Pair pair;
        if (!make_pair(c, col, px, py, g[0], g[1], g[2], g[3], traces + size_t(k) * size_t(p.ns),
                       &pair)) {
          continue;
        }
        float* out = t.image + (size_t(cls) * size_t(p.npoints) + size_t(j)) * ntau;
        // pairs farther than the table reaches take the direct times
        const bool tabled = use_table && table_legs(table, &pair);
        const ColumnCounts n = (tabled ? table_kernel : kernel)(c, col, pair, out);
        contributions += n.contributions;
        windowed += n.windowed;
        gathered += n.gathered;
      }
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();

  std::lock_guard<std::mutex> lock(t.ctx->mutex);
  t.ctx->stats.kernel_seconds += seconds;
  t.ctx->stats.contributions += double(contributions);
  t.ctx->stats.window_lookups += double(windowed);
  t.ctx->stats.gather_lookups += double(gathered);
  return PSTM_OK;
}

/**
 * The kernels' instruction set: the best this CPU runs, or the one named by
 * the environment variable PSTM_SIMD (e.g. "avx2", "portable"), for tests
 * and for comparing nodes.
 */
pstm_status choose_target(pstm::cpu::KernelTarget* out) {
  const std::vector<pstm::cpu::KernelTarget> targets = pstm::cpu::kernel_targets();
  const char* wanted = std::getenv("PSTM_SIMD");
  std::string known;
  for (const auto& target : targets) {
    known += known.empty() ? "" : ", ";
    known += std::string(target.name) + (target.supported ? "" : " (not on this CPU)");
    if (wanted != nullptr && *wanted != '\0' && std::strcmp(wanted, target.name) != 0) continue;
    if (!target.supported) break;
    *out = target;
    return PSTM_OK;
  }
  return pstm::fail(PSTM_ERR_UNSUPPORTED,
                    "PSTM_SIMD=%s: this CPU does not run it; the kernels compiled in: %s",
                    wanted != nullptr ? wanted : "", known.c_str());
}

}  // namespace

extern "C" {

PSTM_API int32_t pstm_abi_version(void) { return PSTM_ABI_VERSION; }

PSTM_API const char* pstm_backend_name(void) { return "cpu"; }

PSTM_API pstm_status pstm_device_count(int32_t* count) {
  if (count == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "count is NULL");
  *count = 1;
  return PSTM_OK;
}

PSTM_API pstm_status pstm_context_create(int32_t device, int32_t threads, pstm_context** out) {
  if (out == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "out is NULL");
  if (threads < 0) {
    return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "threads must be >= 0 (0: all cores): got %d",
                      threads);
  }
  if (device != 0) {
    return pstm::fail(PSTM_ERR_NO_DEVICE, "device %d does not exist: the CPU build has device 0",
                      device);
  }
  pstm::cpu::KernelTarget target{};
  if (pstm_status s = choose_target(&target); s != PSTM_OK) return s;
  auto* ctx = new (std::nothrow) pstm_context;
  if (ctx == nullptr) return pstm::fail(PSTM_ERR_OUT_OF_MEMORY, "cannot allocate a context");
  ctx->threads = thread_count(threads);
  ctx->target = target;
  *out = ctx;
  return PSTM_OK;
}

PSTM_API int32_t pstm_context_threads(const pstm_context* ctx) {
  if (ctx == nullptr) return 0;
  const int32_t team = ctx->team.load();
  return team > 0 ? team : ctx->threads;
}

PSTM_API void pstm_context_destroy(pstm_context* ctx) {
  if (ctx == nullptr) return;
  for (pstm_tile* tile : ctx->tiles) delete tile;
  delete ctx;
}

PSTM_API pstm_status pstm_tile_open(pstm_context* ctx, const pstm_params* params,
                                    const float* points, const float* velocity, float* image,
                                    pstm_tile** out) {
  if (ctx == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "ctx is NULL");
  if (out == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "out is NULL");
  if (pstm_status s = pstm::check_params(params); s != PSTM_OK) return s;
  if (pstm_status s = pstm::check_tile_inputs(*params, points, velocity, image); s != PSTM_OK) {
    return s;
  }
  pstm_tile* tile = nullptr;
  try {
    tile = new pstm_tile;
    tile->ctx = ctx;
    tile->params = *params;
    tile->consts = pstm::cpu::make_consts(*params);
    tile->points = points;
    tile->image = image;
    build_tables(*tile, velocity);
    std::lock_guard<std::mutex> lock(ctx->mutex);
    ctx->tiles.insert(tile);
  } catch (const std::bad_alloc&) {
    delete tile;
    return pstm::fail(PSTM_ERR_OUT_OF_MEMORY, "cannot allocate the tables of a %d x %d tile",
                      params->npoints, params->ntau);
  } catch (...) {
    delete tile;
    return pstm::fail(PSTM_ERR_INTERNAL, "unexpected failure while opening a tile");
  }
  *out = tile;
  return PSTM_OK;
}

PSTM_API pstm_status pstm_tile_accumulate(pstm_tile* tile, int32_t ntraces, const float* traces,
                                          const float* geometry, const int32_t* trace_class) {
  if (tile == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "tile is NULL");
  const pstm_status s = pstm::check_batch(tile->params, ntraces, traces, geometry, trace_class);
  if (s != PSTM_OK || ntraces == 0) return s;
  try {
    return accumulate(*tile, ntraces, traces, geometry, trace_class);
  } catch (const std::bad_alloc&) {
    return pstm::fail(PSTM_ERR_OUT_OF_MEMORY, "cannot allocate a batch of %d traces", ntraces);
  } catch (...) {
    return pstm::fail(PSTM_ERR_INTERNAL, "unexpected failure while accumulating a batch");
  }
}

PSTM_API pstm_status pstm_tile_set_traveltime_table(pstm_tile* tile, int32_t nx,
                                                    float max_distance) {
  if (tile == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "tile is NULL");
  if (nx == 0) {
    std::vector<float>().swap(tile->table);
    tile->table_nx = 0;
    return PSTM_OK;
  }
  const pstm_params& p = tile->params;
  if (nx < 2 || nx > (1 << 20)) {
    return pstm::fail(PSTM_ERR_INVALID_ARGUMENT,
                      "traveltime table: nx must be 0 (off) or 2..1048576: got %d", nx);
  }
  if (!(max_distance > 0.f) || !std::isfinite(max_distance)) {
    return pstm::fail(PSTM_ERR_INVALID_ARGUMENT,
                      "traveltime table: max_distance must be finite and > 0: got %g",
                      double(max_distance));
  }
  if (int64_t(nx) * int64_t(p.ntau) > (int64_t(1) << 31) / int64_t(sizeof(float))) {
    return pstm::fail(PSTM_ERR_INVALID_ARGUMENT,
                      "traveltime table: %d x %d entries are too many", nx, p.ntau);
  }
  // the table holds one velocity function: every column must share column 0's
  const size_t ntau = size_t(p.ntau);
  const float* first = tile->inv_v2.data();
  for (size_t j = 1; j < size_t(p.npoints); ++j) {
    if (std::memcmp(first, first + j * ntau, ntau * sizeof(float)) != 0) {
      return pstm::fail(PSTM_ERR_INVALID_ARGUMENT,
                        "traveltime table: the velocity of column %zu differs from column 0; "
                        "a table needs the same v(tau) in every column of the tile", j);
    }
  }
  try {
    tile->table.assign(size_t(nx) * ntau, 0.f);
  } catch (const std::bad_alloc&) {
    return pstm::fail(PSTM_ERR_OUT_OF_MEMORY, "cannot allocate a %d x %d traveltime table", nx,
                      p.ntau);
  }
  const double du = std::sqrt(double(max_distance)) / double(nx - 1);
  pstm::cpu::fill_travel_table(tile->consts, tile->h.data(), first, nx, du, tile->table.data());
  tile->table_nx = nx;
  tile->table_du = du;
  return PSTM_OK;
}

PSTM_API pstm_status pstm_tile_finish(pstm_tile* tile) {
  if (tile == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "tile is NULL");
  return PSTM_OK;  // the image was summed in place
}

PSTM_API void pstm_tile_destroy(pstm_tile* tile) {
  if (tile == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(tile->ctx->mutex);
    tile->ctx->tiles.erase(tile);
  }
  delete tile;
}

PSTM_API const char* pstm_context_target(const pstm_context* ctx) {
  return ctx == nullptr ? "" : ctx->target.name;
}

PSTM_API pstm_status pstm_context_stats(const pstm_context* ctx, pstm_stats* out) {
  if (ctx == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "ctx is NULL");
  if (out == nullptr) return pstm::fail(PSTM_ERR_INVALID_ARGUMENT, "out is NULL");
  auto* mutable_ctx = const_cast<pstm_context*>(ctx);
  std::lock_guard<std::mutex> lock(mutable_ctx->mutex);
  *out = ctx->stats;
  return PSTM_OK;
}

}  // extern "C"

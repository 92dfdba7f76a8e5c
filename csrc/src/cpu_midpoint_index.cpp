/*
 * cpu_midpoint_index.cpp — the midpoint cells of a tile (cpu_midpoint_index.h):
 * counting sorts of the points (once per tile) and of each batch's traces.
 */
#include "cpu_midpoint_index.h"

#include <algorithm>
#include <cmath>

namespace pstm::cpu {

int32_t CellGrid::cell(double x, double y) const {
  const double fx = std::floor((x - x0) * inv), fy = std::floor((y - y0) * inv);
  if (!(fx >= 0 && fy >= 0 && fx < nx && fy < ny)) return -1;
  return int32_t(fy) * nx + int32_t(fx);
}

void MidpointIndex::set_tile(const float* points, int32_t npoints, double reach) {
  points_ = points;
  npoints_ = npoints;
  reach_ = reach;
  xmin_ = ymin_ = 1e300;
  xmax_ = ymax_ = -1e300;
  for (int32_t j = 0; j < npoints; ++j) {
    xmin_ = std::min(xmin_, double(points[2 * j]));
    xmax_ = std::max(xmax_, double(points[2 * j]));
    ymin_ = std::min(ymin_, double(points[2 * j + 1]));
    ymax_ = std::max(ymax_, double(points[2 * j + 1]));
  }
  usable_ = false;
  if (reach <= 0) return;
  const double nx = std::floor((xmax_ - xmin_) / reach) + 3;
  const double ny = std::floor((ymax_ - ymin_) / reach) + 3;
  if (nx * ny < 16 || nx * ny > 4e6) return;  // at most ~all cells touched anyway
  grid_ = CellGrid{xmin_ - reach, ymin_ - reach, 1.0 / reach, int32_t(nx), int32_t(ny)};
  usable_ = true;
  point_start_.clear();
}

void MidpointIndex::index_points() {
  const size_t ncells = size_t(grid_.nx) * size_t(grid_.ny);
  if (point_start_.size() == ncells + 1) return;  // the grid depends on the tile only
  const size_t npoints = size_t(npoints_);
  std::vector<int32_t> cell_of(npoints);
  point_start_.assign(ncells + 1, 0);
  point_index_.resize(npoints);
  for (size_t j = 0; j < npoints; ++j) {
    cell_of[j] = grid_.cell(points_[2 * j], points_[2 * j + 1]);  // inside the border
    point_start_[size_t(cell_of[j]) + 1]++;
  }
  for (size_t c = 0; c < ncells; ++c) point_start_[c + 1] += point_start_[c];
  std::vector<int32_t> fill(point_start_.begin(), point_start_.end() - 1);
  for (size_t j = 0; j < npoints; ++j) {
    point_index_[size_t(fill[size_t(cell_of[j])]++)] = int32_t(j);
  }
}

bool MidpointIndex::index_batch(int32_t ntraces, const float* geometry) {
  if (!usable_ || ntraces < 16) return false;
  const CellGrid& g = grid_;
  const size_t ncells = size_t(g.nx) * size_t(g.ny);
  cell_start_.assign(ncells + 1, 0);
  cell_trace_.resize(size_t(ntraces));
  std::vector<int32_t> cell_of(static_cast<size_t>(ntraces));
  for (int32_t k = 0; k < ntraces; ++k) {
    const float* q = geometry + 4 * size_t(k);
    cell_of[size_t(k)] = g.cell(0.5 * (double(q[0]) + q[2]), 0.5 * (double(q[1]) + q[3]));
    if (cell_of[size_t(k)] >= 0) cell_start_[size_t(cell_of[size_t(k)]) + 1]++;
  }
  for (size_t c = 0; c < ncells; ++c) cell_start_[c + 1] += cell_start_[c];
  std::vector<int32_t> fill(cell_start_.begin(), cell_start_.end() - 1);
  for (int32_t k = 0; k < ntraces; ++k) {
    if (cell_of[size_t(k)] >= 0) cell_trace_[size_t(fill[size_t(cell_of[size_t(k)])]++)] = k;
  }
  // the points that can see a trace: those in the 3 x 3 cells around a trace's cell
  index_points();
  std::vector<uint8_t> near(ncells, 0);
  for (size_t c = 0; c < ncells; ++c) {
    if (cell_start_[c] == cell_start_[c + 1]) continue;
    const int32_t cx = int32_t(c % size_t(g.nx)), cy = int32_t(c / size_t(g.nx));
    for (int32_t y = std::max(cy - 1, 0); y <= std::min(cy + 1, g.ny - 1); ++y) {
      for (int32_t x = std::max(cx - 1, 0); x <= std::min(cx + 1, g.nx - 1); ++x) {
        near[size_t(y) * size_t(g.nx) + size_t(x)] = 1;
      }
    }
  }
  active_.clear();
  for (size_t c = 0; c < ncells; ++c) {
    if (!near[c]) continue;
    active_.insert(active_.end(), point_index_.begin() + point_start_[c],
                   point_index_.begin() + point_start_[c + 1]);
  }
  return true;
}

void MidpointIndex::candidates(double px, double py, std::vector<int32_t>* out) const {
  const CellGrid& g = grid_;
  out->clear();
  const int32_t home = g.cell(px, py);  // never -1: points lie inside the border
  const int32_t hx = home % g.nx, hy = home / g.nx;
  for (int32_t cy = std::max(hy - 1, 0); cy <= std::min(hy + 1, g.ny - 1); ++cy) {
    for (int32_t cx = std::max(hx - 1, 0); cx <= std::min(hx + 1, g.nx - 1); ++cx) {
      const size_t cell = size_t(cy) * size_t(g.nx) + size_t(cx);
      out->insert(out->end(), cell_trace_.begin() + cell_start_[cell],
                  cell_trace_.begin() + cell_start_[cell + 1]);
    }
  }
  std::sort(out->begin(), out->end());
}

}  // namespace pstm::cpu

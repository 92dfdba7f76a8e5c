/*
 * cpu_midpoint_index.h — which traces of a batch an output column can see,
 * for tiles whose aperture bound is small next to the tile: square cells of
 * the aperture's side over the columns' bounding box, the batch's traces
 * sorted into them by midpoint, and the columns near any trace.
 */
#ifndef PSTM_CPU_MIDPOINT_INDEX_H
#define PSTM_CPU_MIDPOINT_INDEX_H

#include <cstdint>
#include <vector>

namespace pstm::cpu {

/**
 * The cells: side `reach` over the points' bounding box plus a border of one
 * cell, so a point sees every midpoint within `reach` in the 3 x 3 cells
 * around its own.
 */
struct CellGrid {
  double x0 = 0, y0 = 0, inv = 0;  // lower corner of cell (0, 0) and 1 / side
  int32_t nx = 0, ny = 0;          // cells along x and y
  int32_t cell(double x, double y) const;  // -1: beyond the border
};

/** The index of one tile; index_batch refills it per batch. */
class MidpointIndex {
 public:
  /**
   * Sets the tile: its points ([npoints][2], kept by pointer) and the
   * largest midpoint distance that can contribute (m; <= 0: unlimited).
   */
  void set_tile(const float* points, int32_t npoints, double reach);

  /**
   * Sorts the batch's traces by midpoint cell (stable) and lists the points
   * near them. Returns false, indexing nothing, where indexing does not pay
   * (no reach, fewer than 16 traces, a reach as large as the tile).
   */
  bool index_batch(int32_t ntraces, const float* geometry);

  /** Points within one cell of a trace of the last indexed batch. */
  const std::vector<int32_t>& active() const { return active_; }

  /**
   * The traces in the 3 x 3 cells around point (px, py), in batch order
   * (so sums are bit-identical to visiting every trace), into *out.
   */
  void candidates(double px, double py, std::vector<int32_t>* out) const;

 private:
  void index_points();

  const float* points_ = nullptr;
  int32_t npoints_ = 0;
  double reach_ = 0;
  double xmin_ = 0, ymin_ = 0, xmax_ = 0, ymax_ = 0;  // the points' bounding box
  CellGrid grid_{};
  bool usable_ = false;                 // the grid pays for this tile
  std::vector<int32_t> cell_start_;     // [ncells + 1] CSR offsets of the batch's traces
  std::vector<int32_t> cell_trace_;     // trace indices sorted by cell (stable)
  std::vector<int32_t> point_start_;    // [ncells + 1] CSR offsets of the points by cell
  std::vector<int32_t> point_index_;    // [npoints] point indices sorted by cell
  std::vector<int32_t> active_;         // points near the batch's midpoints
};

}  // namespace pstm::cpu

#endif  // PSTM_CPU_MIDPOINT_INDEX_H

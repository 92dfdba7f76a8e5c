/**
 * Where energy focused in a migrated volume: used by the demo to report
 * where each synthetic diffractor imaged, and by tests to check it.
 *
 * The focus is the maximum of the local energy (squared amplitude summed
 * with triangular weights over a few samples, one by default).
 *
 * @module
 */

import { binCentre, binOf, type GridSpec, type TimeAxis } from "./grid.ts";
import { SegyFile } from "./segy/segy_file.ts";

/** A stacked image: `[ny][nx][ntau]` on a grid. */
export interface StackVolume {
  /** The grid. */
  grid: GridSpec;
  /** The time axis. */
  time: TimeAxis;
  /** Samples, `[iy][ix][it]`. */
  data: Float32Array;
}

/** Where an event focused. */
export interface Focus {
  /** Bin along the first axis. */
  ix: number;
  /** Bin along the second axis. */
  iy: number;
  /** Output sample. */
  it: number;
  /** Survey x of the bin centre. */
  x: number;
  /** Survey y of the bin centre. */
  y: number;
  /** Two-way time, s. */
  tau: number;
  /** Local energy at the focus. */
  energy: number;
}

/**
 * Reads a pstm output volume and sums its offset classes (the stack).
 *
 * @param path the output SEG-Y
 * @param grid its grid
 * @param nclass offset classes in it
 * @returns the stack
 */
export async function readStack(
  path: string,
  grid: GridSpec,
  nclass: number,
): Promise<StackVolume> {
  using file = await SegyFile.open(path);
  const { ns, dt, t0 } = file.info;
  const data = new Float32Array(grid.nx * grid.ny * ns);
  const perRow = grid.nx * nclass;
  for (let iy = 0; iy < grid.ny; iy++) {
    const batch = await file.readTraces(iy * perRow, perRow);
    for (let k = 0; k < perRow; k++) {
      const ix = Math.floor(k / nclass);
      const out = (iy * grid.nx + ix) * ns;
      for (let i = 0; i < ns; i++) data[out + i] += batch.samples[k * ns + i];
    }
  }
  return { grid, time: { tau0: t0, dtau: dt, ntau: ns }, data };
}

/**
 * The focus of the energy nearest to (x, y, tau): searched within `bins`
 * bins and `samples` samples of it.
 *
 * @param volume the stack
 * @param x expected x
 * @param y expected y
 * @param tau expected time, s
 * @param window half-window of the energy sum, samples
 * @param bins search radius, bins
 * @param samples search radius, samples
 * @returns where the energy peaks
 */
export function findFocus(
  volume: StackVolume,
  x: number,
  y: number,
  tau: number,
  window = 1,
  bins = 3,
  samples = 15,
): Focus {
  const { grid, time, data } = volume;
  const b = binOf(grid, x, y);
  const cx = Math.round(b.ix), cy = Math.round(b.iy);
  const ct = Math.round((tau - time.tau0) / time.dtau);
  let best: Focus | undefined;
  for (let iy = Math.max(0, cy - bins); iy <= Math.min(grid.ny - 1, cy + bins); iy++) {
    for (let ix = Math.max(0, cx - bins); ix <= Math.min(grid.nx - 1, cx + bins); ix++) {
      const trace = (iy * grid.nx + ix) * time.ntau;
      for (let it = Math.max(0, ct - samples); it <= Math.min(time.ntau - 1, ct + samples); it++) {
        let energy = 0;
        for (let j = Math.max(0, it - window); j <= Math.min(time.ntau - 1, it + window); j++) {
          const w = 1 - Math.abs(j - it) / (window + 1);
          energy += w * data[trace + j] ** 2;
        }
        if (!best || energy > best.energy) {
          const c = binCentre(grid, ix, iy);
          best = { ix, iy, it, x: c.x, y: c.y, tau: time.tau0 + it * time.dtau, energy };
        }
      }
    }
  }
  return best ?? { ix: cx, iy: cy, it: ct, x, y, tau, energy: 0 };
}

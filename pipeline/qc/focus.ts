/**
 * Where energy focused in a migrated volume: used by the demo to report
 * where each synthetic diffractor imaged, and by tests to check it.
 *
 * The focus is the maximum of the envelope (the modulus of the analytic
 * signal, from a Hilbert transform of each trace), which peaks at the event
 * whatever its phase: a point diffractor images zero-phase without a rho
 * filter and with a 90-degree phase with the 3-D derivative, for example.
 *
 * @module
 */

import { Fft } from "../dsp/fft.ts";
import { binCentre, binOf, type GridSpec, type TimeAxis } from "../plan/grid.ts";
import { SegyFile } from "../segy/segy_file.ts";

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
  /** Envelope at the focus. */
  energy: number;
}

/**
 * Reads a pstm output volume and sums its offset classes (the stack).
 *
 * @param path the output SEG-Y
 * @param grid its grid
 * @param nclass offset classes in it
 * @returns the stack
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { readStack } from "./focus.ts";
 * import { SegyWriter } from "../segy/segy_writer.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const dir = await Deno.makeTempDir();
 * const writer = await SegyWriter.create(`${dir}/v.sgy`, { ns: 8, dt: 0.004, t0: 0 });
 * const batch = newTraceBatch({ count: 4, ns: 8, dt: 0.004, headers: [] }); // 2 bins x 2 classes
 * batch.samples.fill(1);
 * await writer.write(batch);
 * await writer.close();
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 2, ny: 1, azimuthDeg: 0 };
 * const stack = await readStack(`${dir}/v.sgy`, grid, 2);
 * assert.equal(stack.data[0], 2); // the two classes of bin 0 summed
 * await Deno.remove(dir, { recursive: true });
 * ```
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
 * The focus nearest to (x, y, tau): the envelope maximum searched within
 * `bins` bins and `samples` samples of it.
 *
 * @param volume the stack
 * @param x expected x
 * @param y expected y
 * @param tau expected time, s
 * @param bins search radius, bins
 * @param samples search radius, samples
 * @returns where the envelope peaks
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { findFocus } from "./focus.ts";
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 5, ny: 5, azimuthDeg: 0 };
 * const time = { tau0: 0, dtau: 0.004, ntau: 64 };
 * const data = new Float32Array(5 * 5 * 64);
 * data[(3 * 5 + 2) * 64 + 40] = 1; // a spike in bin (2, 3) at 0.16 s
 * const f = findFocus({ grid, time, data }, 50, 70, 0.15);
 * assert.deepStrictEqual([f.ix, f.iy, f.it], [2, 3, 40]);
 * ```
 */
export function findFocus(
  volume: StackVolume,
  x: number,
  y: number,
  tau: number,
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
      const start = (iy * grid.nx + ix) * time.ntau;
      const env = envelope(data.subarray(start, start + time.ntau));
      for (let it = Math.max(0, ct - samples); it <= Math.min(time.ntau - 1, ct + samples); it++) {
        if (!best || env[it] > best.energy) {
          const c = binCentre(grid, ix, iy);
          best = { ix, iy, it, x: c.x, y: c.y, tau: time.tau0 + it * time.dtau, energy: env[it] };
        }
      }
    }
  }
  return best ?? { ix: cx, iy: cy, it: ct, x, y, tau, energy: 0 };
}

/**
 * The envelope of a trace: |analytic signal|, by FFT with zero padding.
 *
 * @param trace samples
 * @returns the envelope, same length
 */
export function envelope(trace: Float32Array): Float64Array {
  const fft = new Fft(Fft.nextPowerOfTwo(2 * trace.length));
  const n = fft.size;
  const re = new Float64Array(n), im = new Float64Array(n);
  re.set(trace);
  fft.forward(re, im);
  // analytic signal: keep DC and Nyquist, double positive frequencies, drop negative ones
  for (let k = 1; k < n / 2; k++) {
    re[k] *= 2;
    im[k] *= 2;
  }
  for (let k = n / 2 + 1; k < n; k++) re[k] = im[k] = 0;
  fft.inverse(re, im);
  const out = new Float64Array(trace.length);
  for (let i = 0; i < trace.length; i++) out[i] = Math.hypot(re[i], im[i]);
  return out;
}

/**
 * SEG-Y (or SU) velocity volumes: one RMS velocity trace per location, samples in m/s on the
 * file's own time axis. Each trace is placed at its CDP X/Y (bytes 181/185, with the
 * coordinate scalar); when every trace has CDP X/Y = 0 the traces are placed by inline and
 * crossline (bytes 189/193) through the output grid's numbering. Each trace is resampled onto
 * the output time axis (linear, constant beyond its first and last sample) as it is read;
 * lateral interpolation and the coverage check are pipeline/velocity_scattered.ts's.
 *
 * Memory: the resampled volume, 4 * traces * ntau bytes.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { binCentre, binOfLine, type GridSpec, type TimeAxis } from "../plan/grid.ts";
import { SegyFile } from "../segy/segy_file.ts";
import { checkVelocityValue, type VelocityModel } from "./velocity_model.ts";
import { ScatteredVelocity } from "./velocity_scattered.ts";

/** Velocity traces read per batch. */
const BATCH = 2048;
/** Largest resampled volume accepted, bytes. */
const MAX_VOLUME_BYTES = 2 ** 32;

/**
 * Reads a SEG-Y velocity volume and builds its velocity model on the output grid.
 *
 * @param path the volume's path
 * @param grid the output grid
 * @param time the output time axis
 * @param tolerance how far outside the volume's traces a bin may lie, m (default one bin)
 * @param extrapolate bins beyond take their nearest trace's function, with a warning
 * @returns the model
 * @throws PstmError naming the file, trace and sample of a bad velocity, or when the volume
 *   does not cover the grid
 * @example
 * ```ts ignore
 * import { velocityFromSegy } from "./velocity_segy.ts";
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 10, ny: 10, azimuthDeg: 0 };
 * const model = await velocityFromSegy("vrms.sgy", grid, { tau0: 0, dtau: 0.004, ntau: 1001 });
 * const column = model.sample(0, 1, 0, 1);
 * ```
 */
export async function velocityFromSegy(
  path: string,
  grid: GridSpec,
  time: TimeAxis,
  tolerance?: number,
  extrapolate = false,
): Promise<VelocityModel> {
  using file = await SegyFile.open(path);
  const { ns, dt, t0, traceCount } = file.info;
  if (!(dt > 0)) {
    throw new PstmError("the velocity volume has no sample interval", {
      file: path,
      field: "dt (binary header bytes 3217-3218, trace header bytes 117-118)",
    });
  }
  if (traceCount < 1) throw new PstmError("the velocity volume has no traces", { file: path });
  if (4 * traceCount * time.ntau > MAX_VOLUME_BYTES) {
    throw new PstmError(
      `the velocity volume resampled to ${time.ntau} output samples would take ` +
        `${4 * traceCount * time.ntau} bytes; decimate it`,
      { file: path },
    );
  }
  const xs = new Float64Array(traceCount), ys = new Float64Array(traceCount);
  const inlines = new Float64Array(traceCount), crosslines = new Float64Array(traceCount);
  const functions = new Float32Array(traceCount * time.ntau);
  for (let first = 0; first < traceCount; first += BATCH) {
    const batch = await file.readTraces(first, Math.min(BATCH, traceCount - first));
    const h = batch.headers;
    for (let k = 0; k < batch.count; k++) {
      const trace = first + k;
      xs[trace] = h.cdpx?.[k] ?? 0;
      ys[trace] = h.cdpy?.[k] ?? 0;
      inlines[trace] = h.inline?.[k] ?? 0;
      crosslines[trace] = h.crossline?.[k] ?? 0;
      _resample(
        batch.samples.subarray(k * ns, (k + 1) * ns),
        t0,
        dt,
        time,
        functions.subarray(trace * time.ntau, (trace + 1) * time.ntau),
        path,
        trace,
      );
    }
  }
  const byLine = xs.every((v) => v === 0) && ys.every((v) => v === 0);
  if (byLine) {
    if (inlines.every((v) => v === 0) && crosslines.every((v) => v === 0)) {
      throw new PstmError(
        "the velocity traces have neither CDP X/Y nor inline/crossline numbers to place them",
        { file: path, field: "cdpx/cdpy (bytes 181/185), inline/crossline (bytes 189/193)" },
      );
    }
    for (let i = 0; i < traceCount; i++) {
      const b = binOfLine(grid, inlines[i], crosslines[i]);
      const p = binCentre(grid, b.ix, b.iy);
      xs[i] = p.x;
      ys[i] = p.y;
    }
  }
  const what = `velocity volume of ${traceCount} traces placed by ` +
    (byLine ? "inline/crossline" : "CDP X/Y");
  return new ScatteredVelocity(grid, time, {
    xs,
    ys,
    functions,
    file: path,
    what,
    tolerance,
    extrapolate,
  });
}

/** Resamples one velocity trace onto the output axis, checking the samples it uses. */
function _resample(
  samples: Float32Array,
  t0: number,
  dt: number,
  time: TimeAxis,
  out: Float32Array,
  file: string,
  trace: number,
): void {
  const last = samples.length - 1;
  const check = (i: number) =>
    checkVelocityValue(samples[i], {
      file,
      trace,
      field: `sample ${i} (t = ${(t0 + i * dt).toFixed(4)} s)`,
    });
  for (let it = 0; it < time.ntau; it++) {
    const u = (time.tau0 + it * time.dtau - t0) / dt;
    if (u <= 0) out[it] = check(0);
    else if (u >= last) out[it] = check(last);
    else {
      const i = Math.floor(u), f = u - i;
      out[it] = (1 - f) * check(i) + f * check(i + 1);
    }
  }
}

/**
 * A short calibration of the job's backend for the plan-only mode (`pstm migrate --plan`):
 * real traces of a few of the plan's tiles, read and preprocessed as a pass would, are
 * migrated into a thinned lattice of those tiles' own output columns (their own velocity)
 * for about half a second, doubling the traces each round. It measures what the estimate
 * extrapolates: the fraction of (trace, output sample) pairs the kernel sums (aperture,
 * angle and taper leave the others out), contributions per second, and the read and
 * preprocessing time per trace.
 *
 * @module
 */

import type { Backend, KernelBatch, TileInputs } from "../../backends/backend.ts";
import { TracePreprocessor } from "../dsp/preprocess.ts";
import { gridPoints } from "../plan/grid.ts";
import { traceClassOf } from "../plan/offset_classes.ts";
import {
  makeFootprint,
  type PlanRequest,
  type TileInfo,
  type TilePlan,
} from "../plan/tile_plan.ts";
import { binBatch } from "../streams/bin_geometry_stream.ts";
import type { JobSetup } from "./setup.ts";

/** Tiles sampled at most (spread over the run's tiles). */
const SAMPLE_TILES = 4;
/** Traces read per sampled tile at most (from the middle of its trace range). */
const SAMPLE_TRACES = 256;
/** Lattice columns along each axis of a sampled tile at most. */
const LATTICE_SIDE = 32;

/** What the calibration measured. */
export interface KernelCalibration {
  /** Backend name. */
  backend: string;
  /** The device it ran on. */
  device: string;
  /** Tiles sampled. */
  tiles: number;
  /** Distinct input traces migrated (those of the sample that reach their tile). */
  traces: number;
  /** Output columns of the sampled lattices. */
  columns: number;
  /** Wall time of the timed kernel rounds, s. */
  seconds: number;
  /** (trace, output sample) pairs given to the kernel in the timed rounds. */
  pairs: number;
  /** Of them, the pairs the kernel summed (the backend's count). */
  contributions: number;
  /**
   * Contributions per second of wall time in the last (largest) round, tiles opened and
   * finished included.
   */
  contributionsPerSecond: number;
  /** Seconds to read one input trace (samples and headers). */
  readSecondsPerTrace: number;
  /** Seconds to preprocess one trace (rho filter, antialiasing integration). */
  preprocessSecondsPerTrace: number;
}

/** One sampled tile: its lattice's inputs, the sample batch, the traces that reach it. */
interface Sample {
  inputs: TileInputs;
  batch: KernelBatch;
  keep: Int32Array;
}

/**
 * Calibrates the backend on the plan's own tiles and traces (see the module doc).
 *
 * @param ctx the job's setup, the planner's request (footprint), this run's plan, the backend
 * @param seconds how long the timed rounds run at least (default 0.5 s; the last round may
 *   take as long as all before it)
 * @returns the figures, or undefined when no tile of this run has traces
 */
export async function calibrateKernel(
  ctx: {
    setup: Pick<
      JobSetup,
      "input" | "info" | "grid" | "velocity" | "params" | "classes" | "settings"
    >;
    request: PlanRequest;
    plan: Pick<TilePlan, "tiles" | "passes" | "tileNx" | "tileNy" | "ntx">;
    backend: Backend;
  },
  seconds = 0.5,
): Promise<KernelCalibration | undefined> {
  const { setup, plan, backend } = ctx;
  const ids = plan.passes.flatMap((p) => p.tileIds);
  if (ids.length === 0) return undefined;
  const picks = [
    ...new Set(
      Array.from(
        { length: Math.min(SAMPLE_TILES, ids.length) },
        (_, i) => ids[Math.floor(((i + 0.5) * ids.length) / Math.min(SAMPLE_TILES, ids.length))],
      ),
    ),
  ];
  const { info, grid, classes } = setup;
  const preprocessor = new TracePreprocessor({
    ns: info.ns,
    dt: info.dt,
    rho: setup.settings.rho,
    antialias: setup.settings.aa,
  });
  const footprint = makeFootprint(ctx.request, plan.tileNx, plan.tileNy);
  const samples: Sample[] = [];
  let readSeconds = 0, preprocessSeconds = 0, read = 0;
  for (const id of picks) {
    const tile = plan.tiles[id];
    const span = tile.lastTrace - tile.firstTrace + 1;
    const count = Math.min(SAMPLE_TRACES, span);
    const first = tile.firstTrace + Math.floor((span - count) / 2);
    let start = performance.now();
    const batch = await setup.input.file.readTraces(first, count);
    readSeconds += (performance.now() - start) / 1000;
    read += count;
    start = performance.now();
    const traces = preprocessor.apply(batch.samples, batch.count);
    preprocessSeconds += (performance.now() - start) / 1000;
    const binned = binBatch({ ...batch, samples: traces }, {
      origin: [grid.x0, grid.y0],
      classOf: (offset, azimuth) => traceClassOf(offset, azimuth, classes),
      footprint,
    });
    const tx = id % plan.ntx, ty = Math.floor(id / plan.ntx);
    const keep: number[] = [];
    for (let k = 0; k < batch.count; k++) {
      const f = binned.footprint.subarray(4 * k, 4 * k + 4);
      if (f[0] >= 0 && tx >= f[0] && tx <= f[1] && ty >= f[2] && ty <= f[3]) keep.push(k);
    }
    if (keep.length === 0) continue;
    samples.push({
      inputs: latticeInputs(tile, setup),
      batch: {
        count: batch.count,
        traces,
        geometry: binned.geometry,
        traceClass: binned.traceClass,
      },
      keep: Int32Array.from(keep),
    });
  }
  const perTrace = (s: number) => (read > 0 ? s / read : 0);
  const figures = {
    backend: backend.name,
    device: backend.device,
    tiles: samples.length,
    traces: samples.reduce((n, s) => n + s.keep.length, 0),
    columns: samples.reduce((n, s) => n + s.inputs.params.npoints, 0),
    readSecondsPerTrace: perTrace(readSeconds),
    preprocessSecondsPerTrace: perTrace(preprocessSeconds),
  };
  if (samples.length === 0) {
    return { ...figures, seconds: 0, pairs: 0, contributions: 0, contributionsPerSecond: 0 };
  }
  await migrate(backend, samples[0], 1); // warm-up: threads, device, caches
  // rounds of doubling traces until the time is spent; the rate is the last round's (the
  // largest: the least dominated by opening and finishing tiles), the fraction all rounds'
  const started = performance.now();
  let pairs = 0, contributions = 0, last = { seconds: 0, contributions: 0 };
  for (let round = 0; round < 1000; round++) {
    const before = backend.stats().contributions;
    const start = performance.now();
    for (const sample of samples) pairs += await migrate(backend, sample, 2 ** round);
    const summed = backend.stats().contributions - before;
    contributions += summed;
    last = { seconds: (performance.now() - start) / 1000, contributions: summed };
    if (performance.now() - started >= 1000 * seconds) break;
  }
  return {
    ...figures,
    seconds: (performance.now() - started) / 1000,
    pairs,
    contributions,
    contributionsPerSecond: last.seconds > 0 ? last.contributions / last.seconds : 0,
  };
}

/** Migrates the first `traces` kept traces of a sample into a new tile; returns the pairs. */
async function migrate(backend: Backend, sample: Sample, traces: number): Promise<number> {
  const n = Math.min(traces, sample.keep.length);
  const tile = backend.openTile(sample.inputs);
  try {
    await tile.accumulate({ ...sample.batch, traceIndex: sample.keep.subarray(0, n) });
    await tile.finish();
  } finally {
    tile.close();
  }
  const { npoints, ntau } = sample.inputs.params;
  return n * npoints * ntau;
}

/**
 * A thinned lattice of a tile's columns (at most LATTICE_SIDE along each axis, spread over the
 * tile) with their velocity, as one tile's inputs.
 */
function latticeInputs(
  tile: Pick<TileInfo, "ix0" | "ix1" | "iy0" | "iy1">,
  setup: Pick<JobSetup, "grid" | "velocity" | "params">,
): TileInputs {
  const along = (a0: number, a1: number) => {
    const n = Math.min(LATTICE_SIDE, a1 - a0);
    return Array.from({ length: n }, (_, i) => a0 + Math.floor(((i + 0.5) * (a1 - a0)) / n));
  };
  const xs = along(tile.ix0, tile.ix1), ys = along(tile.iy0, tile.iy1);
  const ntau = setup.params.ntau;
  const npoints = xs.length * ys.length;
  const points = new Float32Array(2 * npoints);
  const velocity = new Float32Array(npoints * ntau);
  let j = 0;
  for (const iy of ys) {
    for (const ix of xs) {
      points.set(gridPoints(setup.grid, ix, ix + 1, iy, iy + 1), 2 * j);
      velocity.set(setup.velocity.sample(ix, ix + 1, iy, iy + 1), ntau * j);
      j++;
    }
  }
  return { params: { ...setup.params, npoints }, points, velocity };
}

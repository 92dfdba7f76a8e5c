/**
 * The interface every migration backend implements (reference, cpu, cuda,
 * webgpu). A backend accumulates batches of preprocessed traces into output
 * tiles; planning, preprocessing and I/O stay outside it.
 *
 * @module
 */

import type { WeightsName } from "../core/options.ts";

export type { WeightsName } from "../core/options.ts";

/**
 * Parameters of one output tile; field for field `pstm_params` of
 * csrc/include/pstm.h (docs/algorithm.md states the math).
 */
export interface KernelParams {
  /** Samples per input trace. */
  ns: number;
  /** Time of the first input sample, s. */
  t0: number;
  /** Input sample interval, s. */
  dt: number;
  /** Output columns in the tile. */
  npoints: number;
  /** Output samples per column. */
  ntau: number;
  /** First output time, s. */
  tau0: number;
  /** Output sample interval, s. */
  dtau: number;
  /** Offset classes. */
  nclass: number;
  /** Aperture radius, m; <= 0 means unlimited. */
  aperture: number;
  /** Maximum aperture angle, degrees; <= 0 or >= 90 means unlimited. */
  maxAngle: number;
  /** Tapered fraction of the aperture, 0..1. */
  taper: number;
  /** Triangle antialiasing on (traces then hold the double integral). */
  antialias: boolean;
  /**
   * Input trace spacing used by antialiasing along `spacingAzimuthDeg` (the output grid's ix
   * axis), m.
   */
  traceSpacing: number;
  /** Input trace spacing across `spacingAzimuthDeg` (the grid's iy axis), m; <= 0 or absent: `traceSpacing`. */
  traceSpacingY?: number;
  /** Direction of `traceSpacing`, degrees counter-clockwise from +x; absent: 0. */
  spacingAzimuthDeg?: number;
  /** Amplitude weights (core/options.ts `WEIGHTS` lists them and their encodings). */
  weights: WeightsName;
  /**
   * Stretch mute as a fraction (0.3 = 30 %); 0 or absent: off. A sample at tau is left out
   * of the image when the trace's offset x stretches it by more under the moveout with `eta`:
   * 1 / (dt/dtau) - 1 > stretchMute, for eta = 0 sqrt(1 + x^2 / (v tau)^2) - 1
   * (docs/algorithm.md, "Stretch mute"; backends/stretch_mute.ts).
   */
  stretchMute?: number;
  /** VTI anellipticity eta; 0 is isotropic. */
  eta: number;
}

/** The fixed inputs of one tile: where its columns are and their velocity. */
export interface TileInputs {
  /** Tile parameters. */
  params: KernelParams;
  /** `[npoints][2]` x, y of each output column relative to the grid origin, m. */
  points: Float32Array;
  /** `[npoints][ntau]` RMS velocity, m/s. */
  velocity: Float32Array;
}

/** A batch of preprocessed traces as the kernels take it. */
export interface KernelBatch {
  /** Number of traces. */
  count: number;
  /** `[count][ns]` preprocessed samples (double integral with antialiasing). */
  traces: Float32Array;
  /** `[count][4]` sx, sy, gx, gy relative to the grid origin, m. */
  geometry: Float32Array;
  /** `[count]` offset class of each trace; out of range means skipped. */
  traceClass: Int32Array;
  /**
   * Optional: the traces of this batch to sum, as strictly ascending indices
   * in `[0, count)`; the others are skipped like a trace of an out-of-range
   * class. Absent: every trace. One batch can so go to several tiles, each
   * with its own selection, without copying samples (`selectedClasses`).
   */
  traceIndex?: Int32Array;
}

/** An output tile being accumulated by a backend. */
export interface BackendTile {
  /** Adds a batch of traces into the tile. */
  accumulate(batch: KernelBatch): Promise<void>;
  /** Finishes the tile and returns its image `[nclass][npoints][ntau]`. */
  finish(): Promise<Float32Array>;
  /** Frees the tile's resources; safe to call twice. */
  close(): void;
  /**
   * Optional: switches the tile to a traveltime lookup table of `nx` rows
   * covering leg distances up to `maxDistance` metres (rows uniform in
   * sqrt(distance); nx = 0: direct computation again). Only backends that
   * support it define it; it needs the same v(tau) in every column of the
   * tile and rejects otherwise. Call it between batches.
   */
  setTraveltimeTable?(nx: number, maxDistance: number): Promise<void>;
  /**
   * Optional (checkpoints): a copy of the partial sums so far, after the
   * pending batches, `[nclass][npoints][ntau]`. Backends whose sums live
   * where the host cannot read them between batches leave it out.
   */
  snapshot?(): Promise<Float32Array>;
  /**
   * Optional (resuming a checkpoint): sets the partial sums before the
   * first batch; defined exactly where `snapshot` is.
   */
  restore?(image: Float32Array): void;
}

/** Statistics a backend keeps across tiles. */
export interface BackendStats {
  /** Seconds spent in the kernel (device time on a GPU). */
  kernelSeconds: number;
  /** (trace, output sample) pairs summed. */
  contributions: number;
  /** Peak device memory held, bytes (0 on CPU backends). */
  deviceBytes: number;
  /**
   * CPU threads the kernels ran on (the native CPU backend: its latest batch, or the count it
   * will use before any); absent where no CPU thread pool runs them.
   */
  threads?: number;
}

/** A migration backend. */
export interface Backend {
  /** "reference", "cpu", "cuda" or "webgpu". */
  readonly name: string;
  /** Human description of the device it runs on. */
  readonly device: string;
  /**
   * Bytes of device memory open tiles may use (a share of the GPU's free
   * memory); undefined when tiles live in host memory.
   */
  readonly memoryLimit?: number;
  /** Opens an output tile. */
  openTile(inputs: TileInputs): BackendTile;
  /**
   * Bytes one output column holds while its tile is open, host and device together: the
   * image (`nclass` x `ntau` floats), the velocity and point the tile is given, and the
   * backend's own per-column arrays. The planner sizes tiles to the memory budget with it.
   */
  bytesPerColumn(params: KernelParams): number;
  /** Statistics so far. */
  stats(): BackendStats;
  /** Releases the backend; safe to call twice. */
  close(): void;
}

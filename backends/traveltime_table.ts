/**
 * The traveltime lookup table: when a tile's velocity is the same function
 * of tau in every column (constant and v(tau) models), the one-way leg time
 * t(h, x) = sqrt(h^2 + x^2 / v(tau)^2) (eta term included) depends only on
 * the output sample and the horizontal distance x, so a backend that
 * supports it (`BackendTile.setTraveltimeTable`, the CPU build) tabulates it
 * once per tile and interpolates linearly between rows.
 *
 * Which variable the rows are uniform in: in x^2, t = sqrt(h^2 + s / v^2)
 * has t'' = 1 / (4 v^4 t^3), unbounded near the apex as h -> 0; in x,
 * t'' = h^2 / (v^2 t^3) <= 1 / (v^2 h), still unbounded at shallow times
 * (rows 0.5 v dtau apart gave relative L2 ~1e-4 on small3d). In u = sqrt(x),
 * t = sqrt(h^2 + u^4 / v^2) has |t''(u)| <= 2 sqrt(2) / v at every h, so
 * linear interpolation errs by at most du^2 sqrt(2) / (4 v) seconds
 * everywhere. The rows are spaced for an error of TIME_ERROR_PER_DTAU output
 * samples at v_min: du = sqrt(4 eps v_min / sqrt(2)); ~1,250 rows cover 3 km
 * at 1,800 m/s and 4 ms (5 MB for 1,001 samples); measured: image relative L2 ~4e-5
 * against direct times (float32 rounding sets a floor near 2e-5).
 *
 * `TraveltimeTableBackend` wraps a backend: in mode "on" every tile of a backend that has a
 * table (the CPU build) uses one, in "off" none. The job decides the mode once, from the job
 * alone (pipeline/job/defaults.ts): the table only where the velocity is one v(tau) in every
 * bin, so every tile of a job builds the same rows (the spacing comes from the job's slowest
 * velocity and the rows cover the job's largest leg distance) and the image does not depend on
 * the tiling, the run or a resume. Measured on the standard sub-grid (docs/performance.md), the
 * table is faster only with VTI eta, where it saves the eta division; that is where a job that
 * does not say gets it.
 *
 * @module
 */

import type {
  Backend,
  BackendStats,
  BackendTile,
  KernelBatch,
  KernelParams,
  TileInputs,
} from "./backend.ts";
import type { TraveltimeTableMode } from "../core/options.ts";
import { TileLifecycle } from "./tile_lifecycle.ts";

export type { TraveltimeTableMode } from "../core/options.ts";

/** Largest interpolation error of a leg time, in output samples (see the module notes). */
export const TIME_ERROR_PER_DTAU = 1e-4;
/** Largest table built per tile, bytes (farther pairs are computed directly). */
export const MAX_TABLE_BYTES = 64 * 1024 * 1024;

/** What the run used, for the summary. */
export interface TraveltimeTableReport {
  /** The job's mode. */
  mode: TraveltimeTableMode;
  /** "table" or "direct": what the run used. */
  used: "table" | "direct";
  /** Why: the job's reason for the mode, or why a table was not built. */
  reason: string;
  /** Tiles that used a table. */
  tilesWithTable: number;
}

/** Options of the wrapper. */
export interface TraveltimeTableOptions {
  /** on or off, as the job decided. */
  mode: TraveltimeTableMode;
  /** Why the job decided so (for the report), e.g. "given (traveltime-table)". */
  reason?: string;
  /**
   * Largest horizontal leg distance that can contribute, m: the aperture
   * reach plus the largest half offset. Pairs beyond the table are computed
   * directly, so an underestimate only costs speed.
   */
  maxDistance: number;
}

/**
 * Rows and spacing of the table for a tile, or undefined when the tile's
 * velocity varies between columns (or the tile is empty).
 *
 * @param inputs the tile's parameters, points and velocity
 * @param maxDistance largest leg distance to cover, m
 * @returns `{ nx, maxDistance }` or undefined
 */
export function tableShape(
  inputs: TileInputs,
  maxDistance: number,
): { nx: number; maxDistance: number } | undefined {
  const { params, velocity } = inputs;
  const ntau = params.ntau, npoints = params.npoints;
  if (npoints < 1 || velocity.length < npoints * ntau) return undefined;
  for (let j = 1; j < npoints; j++) {
    const base = j * ntau;
    for (let it = 0; it < ntau; it++) {
      if (velocity[base + it] !== velocity[it]) return undefined;
    }
  }
  let vmin = Infinity;
  for (let it = 0; it < ntau; it++) vmin = Math.min(vmin, velocity[it]);
  const eps = TIME_ERROR_PER_DTAU * params.dtau;
  const du = Math.sqrt((4 * eps * vmin) / Math.SQRT2);
  if (!(du > 0) || !Number.isFinite(du) || !(maxDistance > 0)) return undefined;
  const cap = Math.floor(MAX_TABLE_BYTES / (4 * ntau));
  const distance = Math.min(maxDistance, 1e7);
  const nx = Math.max(2, Math.min(Math.ceil(Math.sqrt(distance) / du) + 1, cap, 1 << 20));
  return { nx, maxDistance: distance };
}

/**
 * The largest half offset (source-receiver distance / 2) in a geometry, m.
 *
 * @param g coordinates of every trace
 * @returns the largest half offset
 */
export function maxHalfOffset(
  g: {
    count: number;
    sx: ArrayLike<number>;
    sy: ArrayLike<number>;
    gx: ArrayLike<number>;
    gy: ArrayLike<number>;
  },
): number {
  let max = 0;
  for (let i = 0; i < g.count; i++) {
    max = Math.max(max, Math.hypot(g.gx[i] - g.sx[i], g.gy[i] - g.sy[i]));
  }
  return 0.5 * max;
}

/**
 * A Backend that adds the traveltime table to the tiles of another one.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { TraveltimeTableBackend } from "./traveltime_table.ts";
 * import { ReferenceBackend } from "./reference/reference_backend.ts";
 * const backend = new TraveltimeTableBackend(new ReferenceBackend(),
 *   { mode: "on", reason: "given", maxDistance: 3000 });
 * const report = backend.report();
 * assert.equal(report.used, "direct"); // no tile yet, and the reference has no table
 * assert.equal(report.mode, "on");
 * ```
 */
export class TraveltimeTableBackend implements Backend {
  readonly name: string;
  readonly device: string;
  readonly memoryLimit?: number;
  #inner: Backend;
  #options: TraveltimeTableOptions;
  #tilesWithTable = 0;
  #whyNot?: string;

  /**
   * @param inner the backend doing the work
   * @param options mode, its reason and the largest leg distance
   */
  constructor(inner: Backend, options: TraveltimeTableOptions) {
    this.#inner = inner;
    this.#options = options;
    this.name = inner.name;
    this.device = inner.device;
    if (inner.memoryLimit !== undefined) this.memoryLimit = inner.memoryLimit;
  }

  /**
   * Opens a tile of the inner backend, with a table in mode "on" where the backend has one.
   *
   * @param inputs the tile's parameters, points and velocity
   * @returns the tile
   */
  openTile(inputs: TileInputs): BackendTile {
    const tile = this.#inner.openTile(inputs);
    if (this.#options.mode === "off") return tile;
    if (!tile.setTraveltimeTable) {
      this.#whyNot = `the ${this.#inner.name} backend computes traveltimes directly`;
      return tile;
    }
    const shape = tableShape(inputs, this.#options.maxDistance);
    if (!shape) {
      this.#whyNot = "the tile's velocity varies between columns";
      return tile;
    }
    this.#tilesWithTable++;
    return new TabledTile(tile, shape);
  }

  /**
   * @param params the tile parameters
   * @returns the inner backend's bytes per column (the table is a fixed cost per tile)
   */
  bytesPerColumn(params: KernelParams): number {
    return this.#inner.bytesPerColumn(params);
  }

  /** @returns the inner backend's statistics */
  stats(): BackendStats {
    return this.#inner.stats();
  }

  /** Closes the inner backend. */
  close(): void {
    this.#inner.close();
  }

  /** @returns what the run used, and why */
  report(): TraveltimeTableReport {
    const { mode } = this.#options;
    const reason = this.#options.reason ?? (mode === "on" ? "given" : "default");
    return {
      mode,
      used: this.#tilesWithTable > 0 ? "table" : "direct",
      reason: this.#whyNot && this.#tilesWithTable === 0 ? `${reason}; ${this.#whyNot}` : reason,
      tilesWithTable: this.#tilesWithTable,
    };
  }
}

/**
 * A tile that builds its table before its first batch. Its calls queue in the shared lifecycle
 * (backends/tile_lifecycle.ts), so the table is in place before any batch is summed.
 */
class TabledTile implements BackendTile {
  #inner: BackendTile;
  #shape: { nx: number; maxDistance: number };
  #applied = false;
  #life: TileLifecycle;

  constructor(inner: BackendTile, shape: { nx: number; maxDistance: number }) {
    this.#inner = inner;
    this.#shape = shape;
    this.#life = new TileLifecycle("tile", () => inner.close());
  }

  accumulate(batch: KernelBatch): Promise<void> {
    return this.#life.call("accumulate", () => this.#accumulate(batch));
  }

  async #accumulate(batch: KernelBatch): Promise<void> {
    if (!this.#applied) {
      this.#applied = true;
      await this.#inner.setTraveltimeTable!(this.#shape.nx, this.#shape.maxDistance);
    }
    await this.#inner.accumulate(batch);
  }

  finish(): Promise<Float32Array> {
    return this.#life.finish(() => this.#inner.finish());
  }

  get snapshot(): (() => Promise<Float32Array>) | undefined {
    const inner = this.#inner;
    return inner.snapshot ? () => inner.snapshot!() : undefined;
  }

  get restore(): ((image: Float32Array) => void) | undefined {
    const inner = this.#inner;
    return inner.restore ? (image) => inner.restore!(image) : undefined;
  }

  close(): void {
    this.#life.close();
  }
}

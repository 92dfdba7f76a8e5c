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
 * `TraveltimeTableBackend` wraps a backend: in mode "on" every applicable
 * tile uses a table, in "off" none, and in "auto" the first batch of the run
 * is migrated both ways into small scratch tiles (a strided sample of the
 * tile's columns) and the faster way is kept for the rest of the run.
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

/** What the run decided, for the summary. */
export interface TraveltimeTableReport {
  /** The job's mode. */
  mode: TraveltimeTableMode;
  /** "table" or "direct": what the run used (undecided runs report "direct"). */
  used: "table" | "direct";
  /** Why: "calibrated", "forced", "not applicable", "unsupported by the backend", ... */
  reason: string;
  /** Calibration: seconds per calibration batch with the table, if measured. */
  tableSeconds?: number;
  /** Calibration: seconds per calibration batch computed directly, if measured. */
  directSeconds?: number;
  /** Tiles that used a table. */
  tilesWithTable: number;
}

/** Options of the wrapper. */
export interface TraveltimeTableOptions {
  /** auto, on or off. */
  mode: TraveltimeTableMode;
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
 *   { mode: "auto", maxDistance: 3000 });
 * assert(backend.report().used === "direct"); // the reference has no table
 * ```
 */
export class TraveltimeTableBackend implements Backend {
  readonly name: string;
  readonly device: string;
  readonly memoryLimit?: number;
  #inner: Backend;
  #options: TraveltimeTableOptions;
  #decision: "table" | "direct" | undefined;
  #reason: string;
  #tries = 0;
  #tableSeconds?: number;
  #directSeconds?: number;
  #tilesWithTable = 0;
  #applicable = false;

  /**
   * @param inner the backend doing the work
   * @param options mode and the largest leg distance
   */
  constructor(inner: Backend, options: TraveltimeTableOptions) {
    this.#inner = inner;
    this.#options = options;
    this.name = inner.name;
    this.device = inner.device;
    if (inner.memoryLimit !== undefined) this.memoryLimit = inner.memoryLimit;
    this.#decision = options.mode === "off"
      ? "direct"
      : options.mode === "on"
      ? "table"
      : undefined;
    this.#reason = options.mode === "auto" ? "not calibrated (no applicable tile)" : "forced";
  }

  /**
   * Opens a tile of the inner backend, with a table when decided and applicable.
   *
   * @param inputs the tile's parameters, points and velocity
   * @returns the tile
   */
  openTile(inputs: TileInputs): BackendTile {
    const tile = this.#inner.openTile(inputs);
    if (this.#decision === "direct" || !tile.setTraveltimeTable) return tile;
    const shape = tableShape(inputs, this.#options.maxDistance);
    if (!shape) return tile;
    this.#applicable = true;
    return new TabledTile(this, tile, inputs, shape);
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

  /** @returns what the run decided and measured */
  report(): TraveltimeTableReport {
    const used = this.#tilesWithTable > 0 ? "table" : "direct";
    let reason = this.#reason;
    if (this.#options.mode !== "off" && !this.#applicable) {
      reason = "not applicable (velocity varies between columns, or the backend has no table)";
    }
    const report: TraveltimeTableReport = {
      mode: this.#options.mode,
      used,
      reason,
      tilesWithTable: this.#tilesWithTable,
    };
    if (this.#tableSeconds !== undefined) report.tableSeconds = this.#tableSeconds;
    if (this.#directSeconds !== undefined) report.directSeconds = this.#directSeconds;
    return report;
  }

  /** @internal the current decision (undefined: calibrate on the next batch) */
  decision(): "table" | "direct" | undefined {
    return this.#decision;
  }

  /** @internal counts a tile that switched to the table */
  counted(): void {
    this.#tilesWithTable++;
  }

  /** @internal the backend refused the table: compute directly from now on */
  refused(message: string): void {
    this.#decision = "direct";
    this.#reason = `unsupported by the backend: ${message}`;
  }

  /**
   * @internal Times one batch both ways on scratch tiles (a strided sample of
   * the tile's columns) and decides; undecided while the batch is too small
   * to time (5 tries, then direct).
   */
  async calibrate(
    inputs: TileInputs,
    shape: { nx: number; maxDistance: number },
    batch: KernelBatch,
  ): Promise<void> {
    const { params, points, velocity } = inputs;
    const stride = Math.max(1, Math.floor(params.npoints / 256));
    const m = Math.ceil(params.npoints / stride);
    const subPoints = new Float32Array(2 * m);
    const subVelocity = new Float32Array(m * params.ntau);
    for (let i = 0; i < m; i++) {
      const j = i * stride;
      subPoints[2 * i] = points[2 * j];
      subPoints[2 * i + 1] = points[2 * j + 1];
      subVelocity.set(velocity.subarray(j * params.ntau, (j + 1) * params.ntau), i * params.ntau);
    }
    const sub: TileInputs = {
      params: { ...params, npoints: m },
      points: subPoints,
      velocity: subVelocity,
    };
    const direct = this.#inner.openTile(sub);
    const tabled = this.#inner.openTile(sub);
    try {
      try {
        await tabled.setTraveltimeTable!(shape.nx, shape.maxDistance);
      } catch (error) {
        this.refused((error as Error).message);
        return;
      }
      let tDirect = Infinity, tTable = Infinity;
      for (let round = 0; round < 2; round++) {
        let start = performance.now();
        await direct.accumulate(batch);
        tDirect = Math.min(tDirect, performance.now() - start);
        start = performance.now();
        await tabled.accumulate(batch);
        tTable = Math.min(tTable, performance.now() - start);
      }
      this.#tries++;
      if (Math.max(tDirect, tTable) < 2 && this.#tries < 5) return; // too little work to time
      this.#directSeconds = tDirect / 1000;
      this.#tableSeconds = tTable / 1000;
      this.#decision = tTable < tDirect ? "table" : "direct";
      this.#reason = "calibrated on the first batch";
    } finally {
      direct.close();
      tabled.close();
    }
  }
}

/**
 * A tile that switches to the table once the backend has decided for it. Its calls queue in
 * the shared lifecycle (backends/tile_lifecycle.ts), so a calibration and the switch never
 * interleave with another batch.
 */
class TabledTile implements BackendTile {
  #owner: TraveltimeTableBackend;
  #inner: BackendTile;
  #inputs: TileInputs;
  #shape: { nx: number; maxDistance: number };
  #applied = false;
  #life: TileLifecycle;

  constructor(
    owner: TraveltimeTableBackend,
    inner: BackendTile,
    inputs: TileInputs,
    shape: { nx: number; maxDistance: number },
  ) {
    this.#owner = owner;
    this.#inner = inner;
    this.#inputs = inputs;
    this.#shape = shape;
    this.#life = new TileLifecycle("tile", () => inner.close());
  }

  accumulate(batch: KernelBatch): Promise<void> {
    return this.#life.call("accumulate", () => this.#accumulate(batch));
  }

  async #accumulate(batch: KernelBatch): Promise<void> {
    if (batch.count > 0 && this.#owner.decision() === undefined) {
      await this.#owner.calibrate(this.#inputs, this.#shape, batch);
    }
    if (!this.#applied && this.#owner.decision() === "table") {
      this.#applied = true;
      try {
        await this.#inner.setTraveltimeTable!(this.#shape.nx, this.#shape.maxDistance);
        this.#owner.counted();
      } catch (error) {
        this.#owner.refused((error as Error).message);
      }
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

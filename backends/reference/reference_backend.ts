/**
 * The reference backend: the float64 TypeScript kernel behind the Backend
 * interface. Slow; the oracle for tests and small jobs.
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
} from "../backend.ts";
import { referenceAccumulate } from "./reference_kernel.ts";
import { TileLifecycle } from "../tile_lifecycle.ts";
import { selectedClasses, validateBatch, validateTileInputs } from "../validate_tile.ts";

/**
 * A Backend that runs `referenceAccumulate` on the main thread.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { ReferenceBackend } from "./reference_backend.ts";
 * const backend = new ReferenceBackend();
 * assert(backend.name === "reference");
 * backend.close();
 * ```
 */
export class ReferenceBackend implements Backend {
  /** Always "reference". */
  readonly name = "reference";
  /** Always "TypeScript (float64)". */
  readonly device = "TypeScript (float64)";
  #stats: BackendStats = { kernelSeconds: 0, contributions: 0, deviceBytes: 0 };

  /**
   * Opens a tile that accumulates into a fresh image.
   *
   * @param inputs tile parameters, points and velocity
   * @returns the tile
   * @throws {PstmError} exit code 2 for bad parameters, points or velocity (validate_tile.ts)
   */
  openTile(inputs: TileInputs): BackendTile {
    validateTileInputs(inputs);
    return new ReferenceTile(inputs, this.#stats);
  }

  /**
   * Bytes one output column holds while its tile is open: the image, and the velocity and
   * point the tile is given.
   *
   * @param params the tile parameters (nclass, ntau)
   * @returns bytes per column
   */
  bytesPerColumn(params: KernelParams): number {
    return 4 * params.ntau * (params.nclass + 1) + 8;
  }

  /**
   * The backend's statistics so far.
   *
   * @returns kernel time and contributions so far
   */
  stats(): BackendStats {
    return { ...this.#stats };
  }

  /** Nothing to release. */
  close(): void {}
}

/** A tile of the reference backend: an image in host memory and the shared lifecycle. */
class ReferenceTile implements BackendTile {
  #inputs: TileInputs;
  #stats: BackendStats;
  #image: Float32Array | null;
  #life = new TileLifecycle("reference tile", () => (this.#image = null));

  constructor(inputs: TileInputs, stats: BackendStats) {
    const p = inputs.params;
    this.#inputs = inputs;
    this.#stats = stats;
    this.#image = new Float32Array(p.nclass * p.npoints * p.ntau);
  }

  accumulate(batch: KernelBatch): Promise<void> {
    try {
      this.#life.usable("accumulate");
      validateBatch(this.#inputs.params, batch);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#life.call("accumulate", () => {
      const { params, points, velocity } = this.#inputs;
      const start = performance.now();
      this.#stats.contributions += referenceAccumulate(
        params,
        points,
        velocity,
        batch.count,
        batch.traces,
        batch.geometry,
        selectedClasses(batch),
        this.#image!,
      );
      this.#stats.kernelSeconds += (performance.now() - start) / 1000;
      return Promise.resolve();
    });
  }

  finish(): Promise<Float32Array> {
    return this.#life.finish(() => Promise.resolve(this.#image!));
  }

  snapshot(): Promise<Float32Array> {
    return this.#life.call("snapshot", () => Promise.resolve(this.#image!.slice()));
  }

  restore(image: Float32Array): void {
    this.#life.usable("restore");
    this.#image!.set(image);
  }

  close(): void {
    this.#life.close();
  }
}

/**
 * The reference backend: the float64 TypeScript kernel behind the Backend
 * interface. Slow; the oracle for tests and small jobs.
 *
 * @module
 */

import type { Backend, BackendStats, BackendTile, KernelBatch, TileInputs } from "../backend.ts";
import { referenceAccumulate } from "./reference_kernel.ts";
import { validateBatch, validateTileInputs } from "../validate_tile.ts";

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
    const { params, points, velocity } = inputs;
    const image = new Float32Array(params.nclass * params.npoints * params.ntau);
    const stats = this.#stats;
    return {
      accumulate(batch: KernelBatch): Promise<void> {
        try {
          validateBatch(params, batch);
        } catch (error) {
          return Promise.reject(error);
        }
        const start = performance.now();
        stats.contributions += referenceAccumulate(
          params,
          points,
          velocity,
          batch.count,
          batch.traces,
          batch.geometry,
          batch.traceClass,
          image,
        );
        stats.kernelSeconds += (performance.now() - start) / 1000;
        return Promise.resolve();
      },
      finish: () => Promise.resolve(image),
      close() {},
    };
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

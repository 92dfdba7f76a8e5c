/**
 * One output tile accumulated by a native library (CPU or CUDA build).
 *
 * The native side keeps pointers to the points, velocity and image buffers
 * from open to finish, and reads each batch while its nonblocking call runs:
 * this object holds references to all of them until then, so the garbage
 * collector cannot free them. Callers must not modify or transfer those
 * buffers before `finish()` resolves.
 *
 * @module
 */

import type { BackendTile, KernelBatch, KernelParams } from "../backend.ts";
import { checkBatch } from "./native_buffers.ts";
import { selectedClasses } from "../validate_tile.ts";
import { TileLifecycle } from "../tile_lifecycle.ts";
import { check } from "../../ffi/status.ts";
import type { PstmLibrary } from "../../ffi/symbols.ts";
import { PstmError } from "../../core/errors.ts";

/** What a tile needs from the backend that opened it. */
export interface TileOwner {
  /** The opened library. */
  readonly lib: PstmLibrary;
  /** Called once the native tile is destroyed. */
  released(tile: NativeTile): void;
}

/** The buffers native code points into while the tile is open. */
export interface TileBuffers {
  /** `[npoints][2]` output columns. */
  points: Float32Array<ArrayBuffer>;
  /** `[npoints][ntau]` RMS velocity. */
  velocity: Float32Array<ArrayBuffer>;
  /** `[nclass][npoints][ntau]` accumulator. */
  image: Float32Array<ArrayBuffer>;
}

/**
 * A BackendTile over a native `pstm_tile*`. Calls on one tile run one after
 * another; `close()` while a call runs frees the tile once it returns
 * (backends/tile_lifecycle.ts).
 */
export class NativeTile implements BackendTile {
  #owner: TileOwner;
  #handle: Deno.PointerValue;
  #params: KernelParams;
  #buffers: TileBuffers | null;
  #life: TileLifecycle = new TileLifecycle("native tile", () => this.#destroy());
  #hostSums: boolean;

  /**
   * Wraps an opened native tile (use `NativeBackend.openTile`).
   *
   * @param owner the backend that opened it
   * @param handle the `pstm_tile*`
   * @param params its parameters
   * @param buffers the buffers given to `pstm_tile_open`
   * @param hostSums whether the library sums into `buffers.image` in place (the CPU build),
   *   so that it can be copied and set between batches (checkpoints)
   */
  constructor(
    owner: TileOwner,
    handle: Deno.PointerValue,
    params: KernelParams,
    buffers: TileBuffers,
    hostSums = false,
  ) {
    this.#owner = owner;
    this.#handle = handle;
    this.#params = params;
    this.#buffers = buffers;
    this.#hostSums = hostSums;
  }

  /** A copy of the partial sums after the pending batches (CPU build only). */
  get snapshot(): (() => Promise<Float32Array>) | undefined {
    if (!this.#hostSums) return undefined;
    return () => this.#life.call("snapshot", () => Promise.resolve(this.#buffers!.image.slice()));
  }

  /** Sets the partial sums before the first batch (CPU build only). */
  get restore(): ((image: Float32Array) => void) | undefined {
    if (!this.#hostSums) return undefined;
    return (image) => {
      this.#life.usable("restore");
      if (image.length !== this.#buffers!.image.length) {
        throw new PstmError(
          `restore: expected ${this.#buffers!.image.length} samples, got ${image.length}`,
          { field: "checkpoint" },
        );
      }
      this.#buffers!.image.set(image);
    };
  }

  /**
   * Adds a batch into the tile through the nonblocking
   * `pstm_tile_accumulate`; the batch buffers must stay unmodified until the
   * returned promise settles.
   *
   * @param batch traces, geometry and class of each trace
   * @returns a promise that rejects with a PstmError: exit code 2 for a bad
   *   batch (nothing crosses to native code), 1 when the tile is finished or
   *   closed or the native call fails
   */
  accumulate(batch: KernelBatch): Promise<void> {
    try {
      this.#life.usable("accumulate");
      checkBatch(this.#params, batch);
    } catch (error) {
      return Promise.reject(error);
    }
    if (batch.count === 0 || batch.traceIndex?.length === 0) return this.#life.idle();
    // the library takes no index: traces outside it get class -1 (the samples are not copied)
    const classes = selectedClasses(batch);
    return this.#life.call("accumulate", async () => {
      const status = await this.#owner.lib.symbols.pstm_tile_accumulate(
        this.#handle,
        batch.count,
        batch.traces as Float32Array<ArrayBuffer>,
        batch.geometry as Float32Array<ArrayBuffer>,
        classes as Int32Array<ArrayBuffer>,
      );
      check(this.#owner.lib, status, "pstm_tile_accumulate");
    });
  }

  /**
   * Switches the tile to a traveltime lookup table (`pstm_tile_set_traveltime_table`,
   * CPU build only) after the pending batches; nx = 0 switches it off.
   *
   * @param nx rows of the table (0: off, else 2..1048576)
   * @param maxDistance leg distance of the last row, m (rows uniform in sqrt(distance))
   * @returns a promise that rejects with a PstmError when the library refuses
   *   (the CUDA build, or a velocity that differs between columns)
   */
  setTraveltimeTable(nx: number, maxDistance: number): Promise<void> {
    try {
      this.#life.usable("setTraveltimeTable");
      const ok = nx === 0 ||
        (Number.isInteger(nx) && nx >= 2 && nx <= 1 << 20 && maxDistance > 0 &&
          Number.isFinite(Math.fround(maxDistance)));
      if (!ok) {
        throw new PstmError(
          `expected nx 0 or 2..1048576 and maxDistance > 0, got ${nx}, ${maxDistance}`,
          { field: "traveltimeTable" },
        );
      }
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#life.call("setTraveltimeTable", () => {
      const status = this.#owner.lib.symbols.pstm_tile_set_traveltime_table(
        this.#handle,
        nx,
        nx === 0 ? 1 : maxDistance,
      );
      check(this.#owner.lib, status, "pstm_tile_set_traveltime_table");
      return Promise.resolve();
    });
  }

  /**
   * Waits for pending batches, finishes the tile, frees its native side and
   * returns the image `[nclass][npoints][ntau]`. Calling it again returns
   * the same image.
   *
   * @returns the accumulated image
   */
  finish(): Promise<Float32Array> {
    return this.#life.finish(async () => {
      const status = await this.#owner.lib.symbols.pstm_tile_finish(this.#handle);
      check(this.#owner.lib, status, "pstm_tile_finish");
      return this.#buffers!.image; // the finish promise keeps it once the tile is freed
    });
  }

  /** Frees the native tile (after a running call returns); safe to call twice. */
  close(): void {
    this.#life.close();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Frees the native side once, never while a call runs (the lifecycle's release). */
  #destroy(): void {
    if (this.#handle === null) return;
    this.#owner.lib.symbols.pstm_tile_destroy(this.#handle);
    this.#handle = null;
    this.#buffers = null; // native code no longer points into them
    this.#owner.released(this);
  }
}

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
import { check } from "../../ffi/status.ts";
import type { PstmLibrary } from "../../ffi/symbols.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";

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
 * another; `close()` while a call runs frees the tile once it returns.
 */
export class NativeTile implements BackendTile {
  #owner: TileOwner;
  #handle: Deno.PointerValue;
  #params: KernelParams;
  #buffers: TileBuffers | null;
  #queue: Promise<unknown> = Promise.resolve();
  #busy = 0;
  #finished = false;
  #closing = false;

  /**
   * Wraps an opened native tile (use `NativeBackend.openTile`).
   *
   * @param owner the backend that opened it
   * @param handle the `pstm_tile*`
   * @param params its parameters
   * @param buffers the buffers given to `pstm_tile_open`
   */
  constructor(
    owner: TileOwner,
    handle: Deno.PointerValue,
    params: KernelParams,
    buffers: TileBuffers,
  ) {
    this.#owner = owner;
    this.#handle = handle;
    this.#params = params;
    this.#buffers = buffers;
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
      this.#usable("accumulate");
      checkBatch(this.#params, batch);
    } catch (error) {
      return Promise.reject(error);
    }
    if (batch.count === 0) return this.#queue.then(() => {});
    return this.#enqueue(async () => {
      const status = await this.#owner.lib.symbols.pstm_tile_accumulate(
        this.#handle,
        batch.count,
        batch.traces as Float32Array<ArrayBuffer>,
        batch.geometry as Float32Array<ArrayBuffer>,
        batch.traceClass as Int32Array<ArrayBuffer>,
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
      this.#usable("setTraveltimeTable");
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
    return this.#enqueue(() => {
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
    const buffers = this.#buffers;
    if (this.#finished && buffers) return this.#queue.then(() => buffers.image);
    try {
      this.#usable("finish");
    } catch (error) {
      return Promise.reject(error);
    }
    this.#finished = true;
    return this.#enqueue(async () => {
      const status = await this.#owner.lib.symbols.pstm_tile_finish(this.#handle);
      check(this.#owner.lib, status, "pstm_tile_finish");
      const image = this.#buffers!.image;
      this.#closing = true; // the native side is no longer needed
      return image;
    });
  }

  /** Frees the native tile (after a running call returns); safe to call twice. */
  close(): void {
    this.#closing = true;
    if (this.#busy === 0) this.#destroy();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #usable(call: string): void {
    if (this.#closing || this.#handle === null) {
      throw new PstmError(`${call}: the tile is closed`, {}, EXIT_RUNTIME);
    }
    if (this.#finished) {
      throw new PstmError(`${call}: the tile is already finished`, {}, EXIT_RUNTIME);
    }
  }

  #enqueue<T>(run: () => Promise<T>): Promise<T> {
    this.#busy++;
    const next = this.#queue.catch(() => {}).then(run).finally(() => {
      this.#busy--;
      if (this.#closing && this.#busy === 0) this.#destroy();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  #destroy(): void {
    if (this.#handle === null) return;
    this.#owner.lib.symbols.pstm_tile_destroy(this.#handle);
    this.#handle = null;
    this.#buffers = this.#finished ? this.#buffers : null;
    this.#owner.released(this);
  }
}

/**
 * The lifecycle every BackendTile shares: calls on one tile run one after
 * another (a call queue), `finish()` runs once and a second call returns the
 * same result, calls after finish or close are refused, and `close()` while
 * a call runs frees the tile's resources once that call returns, so nothing
 * is freed under a running kernel. NativeTile, WebGpuTile, the reference
 * tile and the traveltime-table tile all hold one of these instead of their
 * own copy of the rules.
 *
 * @module
 */

import { EXIT_RUNTIME, PstmError } from "../core/errors.ts";

/**
 * A tile's call queue and open / finished / closed state.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { TileLifecycle } from "./tile_lifecycle.ts";
 * let freed = 0;
 * const life = new TileLifecycle("tile", () => freed++);
 * const order: number[] = [];
 * const a = life.call("accumulate", async () => { await Promise.resolve(); order.push(1); });
 * const b = life.call("accumulate", () => { order.push(2); return Promise.resolve(); });
 * life.close(); // deferred: calls are running
 * await Promise.all([a, b]);
 * assert.deepStrictEqual(order, [1, 2]);
 * assert.equal(freed, 1);
 * assert.throws(() => life.usable("accumulate"), /closed/);
 * ```
 */
export class TileLifecycle {
  #what: string;
  #release: () => void;
  #queue: Promise<unknown> = Promise.resolve();
  #busy = 0;
  #finished = false;
  #closing = false;
  #released = false;
  #result: Promise<unknown> | null = null;

  /**
   * @param what the tile, for messages ("WebGPU tile")
   * @param release frees the tile's resources; called exactly once, never while a call runs
   */
  constructor(what: string, release: () => void) {
    this.#what = what;
    this.#release = release;
  }

  /** True once `close()` was called or the tile finished: running calls should stop early. */
  get closing(): boolean {
    return this.#closing;
  }

  /** True once the resources were released. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * Throws unless the tile takes calls (open, not finished, not closed).
   *
   * @param call the call, for the message
   * @throws {PstmError} exit code 1 when the tile is finished or closed
   */
  usable(call: string): void {
    if (this.#finished) {
      throw new PstmError(
        `cannot ${call}: the ${this.#what} is already finished`,
        {},
        EXIT_RUNTIME,
      );
    }
    if (this.#closing) {
      throw new PstmError(`cannot ${call}: the ${this.#what} is closed`, {}, EXIT_RUNTIME);
    }
  }

  /**
   * Runs `run` after every call queued before it, if the tile takes calls.
   *
   * @param call the call, for the message
   * @param run the work
   * @returns its result; rejects (nothing queued) when the tile is finished or closed
   */
  call<T>(call: string, run: () => Promise<T>): Promise<T> {
    try {
      this.usable(call);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#enqueue(run);
  }

  /**
   * Resolves when every call queued so far has settled.
   *
   * @returns a promise that does not reject
   */
  idle(): Promise<void> {
    return this.#queue.then(() => {});
  }

  /**
   * Runs `run` once after the queued calls, then releases the tile. A second
   * call returns the first one's result.
   *
   * @param run reads the result back
   * @returns the result
   */
  finish<T>(run: () => Promise<T>): Promise<T> {
    if (this.#result !== null) return this.#result as Promise<T>;
    try {
      this.usable("finish");
    } catch (error) {
      return Promise.reject(error);
    }
    this.#finished = true;
    const result = this.#enqueue(async () => {
      try {
        return await run();
      } finally {
        this.#closing = true; // the resources are no longer needed
      }
    });
    this.#result = result;
    return result;
  }

  /** Frees the resources now, or when the running call returns; safe to call twice. */
  close(): void {
    this.#closing = true;
    if (this.#busy === 0) this.#free();
  }

  #enqueue<T>(run: () => Promise<T>): Promise<T> {
    this.#busy++;
    const next = this.#queue.then(run).finally(() => {
      this.#busy--;
      if (this.#closing && this.#busy === 0) this.#free();
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  #free(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release();
  }
}

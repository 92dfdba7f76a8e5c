/**
 * A free list of trace batches that a pass hands back once the kernel is done with them, so
 * that reading the next batches decodes into the same arrays instead of allocating new ones.
 * V8 frees an ArrayBuffer only when a garbage collection finds it dead, and starts one for
 * external memory only after tens of MB have piled up: without reuse, a pass's garbage
 * batches, not its live ones, set the peak resident memory.
 *
 * @module
 */

import type { TraceBatch } from "./trace_batch.ts";

/**
 * Batches given back, at most `limit` kept. Give back only a batch nothing else holds or will
 * read again: the next read overwrites its arrays.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { BatchPool } from "./batch_pool.ts";
 * import { newTraceBatch } from "./trace_batch.ts";
 * const pool = new BatchPool();
 * const batch = newTraceBatch({ count: 4, ns: 10, dt: 0.004 });
 * pool.release(batch);
 * assert.equal(pool.take(3), undefined); // only a batch of the same count is handed out
 * assert.equal(pool.take(4), batch);
 * assert.equal(pool.take(4), undefined);
 * ```
 */
export class BatchPool {
  readonly #free: TraceBatch[] = [];
  readonly #limit: number;
  #reused = 0;
  #missed = 0;

  /**
   * An empty pool.
   *
   * @param limit batches kept at most (the batches in flight of a pass; more are dropped)
   */
  constructor(limit = 8) {
    this.#limit = limit;
  }

  /** How many batches `take` has handed out. */
  get reused(): number {
    return this.#reused;
  }

  /**
   * How many times `take` found no batch (each time the reader allocated a new one): after a
   * pass, the batches it allocated, so the most it held at once plus the short last batch.
   */
  get missed(): number {
    return this.#missed;
  }

  /**
   * A batch given back that holds `count` traces, removed from the pool.
   *
   * @param count traces wanted
   * @returns the batch, or undefined when none of that count is free
   */
  take(count: number): TraceBatch | undefined {
    const i = this.#free.findIndex((b) => b.count === count);
    if (i < 0) {
      this.#missed++;
      return undefined;
    }
    this.#reused++;
    return this.#free.splice(i, 1)[0];
  }

  /**
   * Gives a batch back for a later read to decode into.
   *
   * @param batch a batch nothing holds any more
   */
  release(batch: TraceBatch): void {
    if (this.#free.length < this.#limit && !this.#free.includes(batch)) this.#free.push(batch);
  }
}

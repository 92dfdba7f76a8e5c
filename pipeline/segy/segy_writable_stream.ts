/**
 * A WritableStream of TraceBatches that appends them to a SegyWriter.
 *
 * @module
 */

import type { TraceBatch } from "./trace_batch.ts";
import type { SegyWriter } from "./segy_writer.ts";

/**
 * Appends every batch to `writer` and closes it when the stream closes (or
 * is aborted).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyWriter } from "./segy_writer.ts";
 * import { SegyWritableStream } from "./segy_writable_stream.ts";
 * const path = await Deno.makeTempFile({ suffix: ".sgy" });
 * const writer = await SegyWriter.create(path, { ns: 1, dt: 0.004 });
 * const one = { firstTrace: 0, count: 1, ns: 1, dt: 0.004, t0: 0, samples: new Float32Array(1),
 *   sx: new Float64Array(1), sy: new Float64Array(1), gx: new Float64Array(1),
 *   gy: new Float64Array(1), headers: {} };
 * await ReadableStream.from([one, one]).pipeTo(new SegyWritableStream(writer));
 * assert((await Deno.stat(path)).size === 3600 + 2 * 244);
 * await Deno.remove(path);
 * ```
 */
export class SegyWritableStream extends WritableStream<TraceBatch> {
  /**
   * Creates a sink that writes each batch with `writer`.
   *
   * @param writer where the batches go (closed with the stream)
   */
  constructor(writer: SegyWriter) {
    super({
      write: (batch) => writer.write(batch),
      close: () => writer.close(),
      abort: () => writer.close(),
    });
  }
}

/**
 * SEG-Y / SU bytes from a pipe or stdin -> TraceBatches.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { TraceBatch } from "./trace_batch.ts";
import { DEFAULT_HEADER_MAP, type HeaderMap } from "./header_map.ts";
import { resolveLayout, type SegyInfo, type SegyKind } from "./segy_info.ts";
import { TraceDecoder, validateHeaderMap } from "./trace_decoder.ts";

/** Options for {@link SegyTraceStream}. */
export interface SegyTraceStreamOptions {
  /** Name used in messages and `info.path` (default "-"). */
  name?: string;
  /** Traces per batch (default 1024). */
  batchSize?: number;
  /** Trace header positions. */
  headerMap?: Readonly<HeaderMap>;
  /** Force SEG-Y or SU instead of detecting. */
  format?: SegyKind;
}

/** File headers larger than this are refused on a stream. */
const MAX_PREFIX_BYTES = 16 << 20;

/** A stream buffers at most this many bytes of traces: one batch, and a trace must fit. */
const MAX_BATCH_BYTES = 64 << 20;

/**
 * Parses a SEG-Y or SU byte stream into batches of traces. Chunk boundaries
 * may fall anywhere; memory holds the file headers and one batch being
 * filled plus one parsed batch waiting to be read. Parsing starts once bytes
 * are piped in, so `await stream.info` resolves before the first read. Without a
 * file size, ns comes from the binary header (or the first trace header when
 * that is 0). The stream errors with a PstmError when it ends inside a trace.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyTraceStream } from "./segy_trace_stream.ts";
 * const url = new URL("../../../shared/data/segy/small.sgy", import.meta.url);
 * const file = await Deno.open(url.pathname);
 * const stream = new SegyTraceStream({ name: "small.sgy", batchSize: 10 });
 * let traces = 0;
 * for await (const batch of file.readable.pipeThrough(stream)) traces += batch.count;
 * assert(traces === 25 && (await stream.info).ns === 50);
 * ```
 */
export class SegyTraceStream extends TransformStream<Uint8Array, TraceBatch> {
  /**
   * Resolves once the file headers are parsed (rejects if they are invalid);
   * needs bytes piped into `writable`, not a read from `readable`.
   */
  readonly info: Promise<SegyInfo>;

  /**
   * Creates a stream that parses SEG-Y or SU bytes into trace batches.
   *
   * @param options name, batch size, header map, forced kind
   */
  constructor(options: SegyTraceStreamOptions = {}) {
    const name = options.name ?? "-";
    const batchSize = options.batchSize ?? 1024;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(
        `Cannot construct SegyTraceStream as batchSize must be a positive integer: current value is ${batchSize}`,
      );
    }
    const map = options.headerMap ?? DEFAULT_HEADER_MAP;
    validateHeaderMap(map, name);
    let resolveInfo!: (info: SegyInfo) => void;
    let rejectInfo!: (error: unknown) => void;
    const infoPromise = new Promise<SegyInfo>((resolve, reject) => {
      resolveInfo = resolve;
      rejectInfo = reject;
    });
    infoPromise.catch(() => {});

    // Header phase state (prefix: a view of a buffer grown geometrically; need: bytes to wait
    // for before looking again, so that tiny chunks do not make the header phase quadratic).
    let prefix = new Uint8Array(0);
    let need = 0;
    let info: SegyInfo | undefined;
    let decoder: TraceDecoder | undefined;
    let skip = 0; // bytes still to drop before the first trace
    // Trace phase state.
    let pending = new Uint8Array(0);
    let fill = 0;
    let nextTrace = 0;

    const emit = (controller: TransformStreamDefaultController<TraceBatch>, bytes: number) => {
      const count = Math.floor(bytes / info!.traceBytes);
      if (count === 0) return;
      controller.enqueue(
        decoder!.decode(pending.subarray(0, count * info!.traceBytes), nextTrace, count),
      );
      nextTrace += count;
    };

    const pushTraces = (
      chunk: Uint8Array,
      controller: TransformStreamDefaultController<TraceBatch>,
    ) => {
      let data = chunk;
      if (skip > 0) {
        const n = Math.min(skip, data.length);
        skip -= n;
        data = data.subarray(n);
      }
      while (data.length > 0) {
        const n = Math.min(pending.length - fill, data.length);
        pending.set(data.subarray(0, n), fill);
        fill += n;
        data = data.subarray(n);
        if (fill === pending.length) {
          emit(controller, fill);
          fill = 0;
        }
      }
    };

    const tryResolve = (total: number | undefined): boolean => {
      const result = resolveLayout(prefix, total, name, { format: options.format });
      if ("need" in result) {
        if (result.need > MAX_PREFIX_BYTES) {
          throw new PstmError(
            `file headers need ${result.need} bytes; at most ${MAX_PREFIX_BYTES} are buffered`,
            {
              file: name,
            },
          );
        }
        need = Math.max(result.need, Math.min(2 * prefix.length, MAX_PREFIX_BYTES));
        return false;
      }
      if (result.info.traceBytes > MAX_BATCH_BYTES) {
        throw new PstmError(
          `a trace takes ${result.info.traceBytes} bytes (ns ${result.info.ns}); a stream ` +
            `buffers at most ${MAX_BATCH_BYTES} (check binary header bytes 3221-3222, 3269-3272)`,
          { file: name, field: "ns" },
        );
      }
      info = result.info;
      decoder = new TraceDecoder(info, map);
      const perBatch = Math.min(batchSize, Math.floor(MAX_BATCH_BYTES / info.traceBytes));
      pending = new Uint8Array(perBatch * info.traceBytes);
      resolveInfo(info);
      return true;
    };

    const fail = (error: unknown) => {
      rejectInfo(error);
      throw error;
    };

    super(
      {
        transform(chunk, controller) {
          try {
            if (info) return pushTraces(chunk, controller);
            prefix = appendBytes(prefix, chunk);
            if (prefix.length < need || !tryResolve(undefined)) return;
            const rest = prefix.subarray(Math.min(info!.dataOffset, prefix.length));
            skip = Math.max(0, info!.dataOffset - prefix.length);
            prefix = new Uint8Array(0);
            pushTraces(rest, controller);
          } catch (error) {
            fail(error);
          }
        },
        flush(controller) {
          try {
            if (!info) {
              if (!tryResolve(prefix.length)) {
                throw new PstmError("stream ended inside the file headers", { file: name });
              }
              const rest = prefix.subarray(Math.min(info!.dataOffset, prefix.length));
              skip = Math.max(0, info!.dataOffset - prefix.length);
              pushTraces(rest, controller);
            }
            if (skip > 0) {
              throw new PstmError(`stream ended ${skip} bytes before the first trace`, {
                file: name,
                trace: 0,
              });
            }
            const complete = Math.floor(fill / info!.traceBytes);
            const rest = fill - complete * info!.traceBytes;
            emit(controller, fill);
            if (rest > 0) {
              throw new PstmError(
                `stream ends inside trace ${nextTrace}: expected ${
                  info!.traceBytes
                } bytes, got ${rest}`,
                { file: name, trace: nextTrace, field: "stream length" },
              );
            }
            if (nextTrace === 0) {
              throw new PstmError("stream holds no traces", { file: name, field: "trace count" });
            }
          } catch (error) {
            fail(error);
          }
        },
        // one batch may wait in the readable queue: the stream starts parsing as soon as bytes are
        // piped in, so `info` resolves before the first read
      },
      undefined,
      { highWaterMark: 1 },
    );
    this.info = infoPromise;
  }
}

/** `view` (a prefix of its buffer) with `chunk` appended, growing the buffer geometrically. */
function appendBytes(view: Uint8Array<ArrayBuffer>, chunk: Uint8Array): Uint8Array<ArrayBuffer> {
  const length = view.length + chunk.length;
  let buffer = view.buffer;
  if (view.byteOffset !== 0 || buffer.byteLength < length) {
    buffer = new ArrayBuffer(Math.max(length, 2 * view.length, 4096));
    new Uint8Array(buffer).set(view);
  }
  const out = new Uint8Array(buffer, 0, length);
  out.set(chunk, view.length);
  return out;
}

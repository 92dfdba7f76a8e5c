/**
 * Random-access reading of a SEG-Y or Seismic Unix file on disk.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { BatchPool } from "./batch_pool.ts";
import type { TraceBatch } from "./trace_batch.ts";
import { DEFAULT_HEADER_MAP, type HeaderMap, TRACE_HEADER_BYTES } from "./header_map.ts";
import { resolveLayout, type SegyInfo, type SegyKind } from "./segy_info.ts";
import { TraceDecoder } from "./trace_decoder.ts";

/** Options for {@link SegyFile.open}. */
export interface SegyOpenOptions {
  /** Trace header positions (default {@link DEFAULT_HEADER_MAP}). */
  headerMap?: Readonly<HeaderMap>;
  /** Force SEG-Y or SU (default: ".su" files are SU, others detected). */
  format?: SegyKind;
  /** The file's name in messages and `info.path` (default: the path), e.g. "stdin" for a spool. */
  name?: string;
}

/** Options for {@link SegyFile.stream}. */
export interface SegyStreamOptions {
  /** First trace (default 0). */
  first?: number;
  /** Number of traces (default: to the end). */
  count?: number;
  /** Traces per batch (default {@link DEFAULT_BATCH_SIZE}). */
  batchSize?: number;
  /** Skip the samples (header-only batches with an empty `samples`). */
  headersOnly?: boolean;
  /**
   * Batches given back by the stream's consumer once done with them: each read decodes into
   * one of the same size when there is one (sample reads only).
   */
  pool?: BatchPool;
}

/** Traces per batch when none is given. */
export const DEFAULT_BATCH_SIZE = 1024;

/**
 * Traces are read in chunks of about this many bytes into one buffer that the file keeps and
 * reuses (reads are serialised), so reading allocates only the batch it returns: a new buffer
 * per read would leave garbage for the garbage collector to find (V8 frees ArrayBuffers only
 * at a collection, and starts one only after tens of MB have piled up).
 */
export const HEADER_CHUNK_BYTES = 1 << 20;

/** Above this trace size, the header-only path reads each 240-byte header on its own. */
const WHOLE_TRACE_LIMIT = 64 << 10;

/**
 * A SEG-Y or SU file opened for random access. Reads are serialised (one
 * file position), so calls may overlap safely.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyFile } from "./segy_file.ts";
 * const url = new URL("../../../shared/data/segy/small.sgy", import.meta.url);
 * using file = await SegyFile.open(url.pathname);
 * const batch = await file.readTraces(0, 5);
 * assert(batch.count === 5 && batch.samples.length === 5 * file.info.ns);
 * ```
 */
export class SegyFile {
  /** Layout, headers and warnings. */
  readonly info: SegyInfo;
  readonly #file: Deno.FsFile;
  readonly #map: Readonly<HeaderMap>;
  readonly #decoder: TraceDecoder;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();
  /** The read buffer, reused by every read (at most one chunk, or one trace when larger). */
  #scratch = new Uint8Array(0);

  private constructor(file: Deno.FsFile, info: SegyInfo, map: Readonly<HeaderMap>) {
    this.#file = file;
    this.info = info;
    this.#map = map;
    this.#decoder = new TraceDecoder(info, map);
  }

  /**
   * Opens a file and parses its file headers.
   *
   * @param path the file
   * @param options header map and forced kind
   * @returns the open file
   * @throws PstmError when the file is missing or not valid SEG-Y / SU
   */
  static async open(path: string, options: SegyOpenOptions = {}): Promise<SegyFile> {
    const name = options.name ?? path;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true });
    } catch (error) {
      throw new PstmError(
        `cannot open: ${error instanceof Error ? error.message : error}`,
        { file: name },
        2,
        { cause: error },
      );
    }
    try {
      const { size } = await file.stat();
      const format = options.format ?? (/\.su$/i.test(path) ? "su" : undefined);
      let prefix = await readFully(file, 0, Math.min(size, 65536), name);
      for (;;) {
        const result = resolveLayout(prefix, size, name, { format });
        if ("info" in result) {
          return new SegyFile(file, result.info, options.headerMap ?? DEFAULT_HEADER_MAP);
        }
        if (result.need <= prefix.length || result.need > size) {
          throw new PstmError(`cannot parse the file headers (need ${result.need} bytes)`, {
            file: name,
          });
        }
        prefix = await readFully(
          file,
          0,
          Math.min(size, Math.max(result.need, prefix.length * 2)),
          name,
        );
      }
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /**
   * Reads `count` traces (headers and samples) starting at trace `first`.
   *
   * @param first index of the first trace
   * @param count number of traces
   * @param reuse a batch an earlier call returned to decode into (its arrays are
   *   overwritten) when it holds exactly `count` traces of every field; otherwise a new
   *   batch is allocated
   * @returns the batch (`reuse` itself when it was used)
   * @throws RangeError when the range is outside the file
   */
  readTraces(first: number, count: number, reuse?: TraceBatch): Promise<TraceBatch> {
    this.#checkRange(first, count);
    return this.#serial(async () => {
      const batch = reuse && fits(reuse, this.#decoder, count, this.info.ns)
        ? this.#reset(reuse, first)
        : this.#decoder.allocate(first, count, true);
      await this.#readChunked(this.#decoder, batch, first, count, true);
      return batch;
    });
  }

  /**
   * Reads only the trace headers of `count` traces starting at `first`
   * (`samples` is empty). Whole traces are read in chunks and the
   * fields pulled with a DataView; very long traces are read header by header.
   *
   * @param first index of the first trace
   * @param count number of traces
   * @param fields header fields to decode into `headers` (default: all in the map)
   * @param reuse a batch an earlier call returned, with the same `fields`, to decode into
   *   (its arrays are overwritten) when it holds exactly `count` traces; otherwise a new
   *   batch is allocated. Header scans that do not keep the batch reuse one, so that a
   *   pass over every header allocates one batch, not one per call.
   * @returns the batch (`reuse` itself when it was used)
   * @throws RangeError when the range is outside the file
   */
  readHeaders(
    first: number,
    count: number,
    fields?: readonly string[],
    reuse?: TraceBatch,
  ): Promise<TraceBatch> {
    this.#checkRange(first, count);
    const decoder = fields ? new TraceDecoder(this.info, this.#map, fields) : this.#decoder;
    return this.#serial(async () => {
      const batch = reuse && fits(reuse, decoder, count, 0)
        ? this.#reset(reuse, first)
        : decoder.allocate(first, count, false);
      if (this.info.traceBytes <= WHOLE_TRACE_LIMIT) {
        await this.#readChunked(decoder, batch, first, count, false);
      } else {
        const buffer = this.#buffer(TRACE_HEADER_BYTES);
        for (let t = 0; t < count; t++) {
          const offset = this.info.dataOffset + (first + t) * this.info.traceBytes;
          const bytes = await readFully(
            this.#file,
            offset,
            TRACE_HEADER_BYTES,
            this.info.path,
            buffer,
          );
          decoder.decodeInto(batch, t, bytes, 0, 1, false);
        }
      }
      return batch;
    });
  }

  /**
   * A stream of batches over a range of traces.
   *
   * @param options range, batch size, header-only
   * @returns the stream
   */
  stream(options: SegyStreamOptions = {}): ReadableStream<TraceBatch> {
    const first = options.first ?? 0;
    const count = options.count ?? this.info.traceCount - first;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new RangeError(
        `Cannot stream ${this.info.path} as batchSize must be a positive integer: current value is ${batchSize}`,
      );
    }
    this.#checkRange(first, count);
    let next = first;
    const end = first + count;
    return new ReadableStream<TraceBatch>({
      pull: async (controller) => {
        if (next >= end) {
          controller.close();
          return;
        }
        const n = Math.min(batchSize, end - next);
        const batch = options.headersOnly
          ? await this.readHeaders(next, n)
          : await this.readTraces(next, n, options.pool?.take(n));
        next += n;
        controller.enqueue(batch);
      },
    });
  }

  /** Closes the file; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#file.close();
  }

  /** Closes the file (for `using`). */
  [Symbol.dispose](): void {
    this.close();
  }

  /** Reads whole traces chunk by chunk into the reused buffer and decodes each chunk. */
  async #readChunked(
    decoder: TraceDecoder,
    batch: TraceBatch,
    first: number,
    count: number,
    withSamples: boolean,
  ): Promise<void> {
    const { traceBytes, dataOffset } = this.info;
    const perChunk = Math.max(1, Math.floor(HEADER_CHUNK_BYTES / traceBytes));
    const buffer = this.#buffer(Math.min(count, perChunk) * traceBytes);
    for (let done = 0; done < count;) {
      const n = Math.min(perChunk, count - done);
      const bytes = await readFully(
        this.#file,
        dataOffset + (first + done) * traceBytes,
        n * traceBytes,
        this.info.path,
        buffer,
      );
      decoder.decodeInto(batch, done, bytes, 0, n, withSamples);
      done += n;
    }
  }

  /** A batch to decode into again: its position and the file's time axis. */
  #reset(batch: TraceBatch, first: number): TraceBatch {
    const { ns, dt, t0 } = this.info;
    return Object.assign(batch, { firstTrace: first, ns, dt, t0 });
  }

  /**
   * The reused read buffer, at least `bytes` and at most twice as large: the header scan's
   * chunks do not stay allocated through the passes' smaller batch reads.
   */
  #buffer(bytes: number): Uint8Array {
    if (this.#scratch.length < bytes || this.#scratch.length > 2 * bytes) {
      this.#scratch = new Uint8Array(bytes);
    }
    return this.#scratch;
  }

  #checkRange(first: number, count: number): void {
    const total = this.info.traceCount;
    if (
      !Number.isInteger(first) || !Number.isInteger(count) || first < 0 || count < 0 ||
      first + count > total
    ) {
      throw new RangeError(
        `Cannot read traces [${first}, ${
          first + count
        }) of ${this.info.path} as it has ${total} traces`,
      );
    }
    if (this.#closed) throw new PstmError("file is closed", { file: this.info.path }, 1);
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => {});
    return run;
  }
}

/** Whether `batch` holds exactly `count` traces of `ns` samples and of every field `decoder` writes. */
function fits(batch: TraceBatch, decoder: TraceDecoder, count: number, ns: number): boolean {
  return batch.count === count && batch.samples.length === count * ns &&
    [batch.sx, batch.sy, batch.gx, batch.gy].every((a) => a.length === count) &&
    decoder.headerNames.every((name) => batch.headers[name]?.length === count);
}

/**
 * Reads exactly `length` bytes at `position`.
 *
 * @param file open file
 * @param position byte offset
 * @param length bytes to read
 * @param path file name for messages
 * @param buffer optional buffer to read into (at least `length` bytes)
 * @returns the bytes (a view of `buffer` when given)
 */
async function readFully(
  file: Deno.FsFile,
  position: number,
  length: number,
  path: string,
  buffer?: Uint8Array,
): Promise<Uint8Array> {
  const out = buffer ? buffer.subarray(0, length) : new Uint8Array(length);
  await file.seek(position, Deno.SeekMode.Start);
  let filled = 0;
  while (filled < length) {
    const n = await file.read(out.subarray(filled));
    if (n === null) {
      throw new PstmError(
        `unexpected end of file at byte ${position + filled}; expected ${length} bytes from ` +
          `byte ${position}`,
        { file: path, field: "file size" },
        1,
      );
    }
    filled += n;
  }
  return out;
}

/**
 * Writing SEG-Y rev 1 files: IEEE float32 (or IBM float), big-endian, EBCDIC textual
 * header, sequential appends or random-access writes into a preallocated
 * file (the tile writer's use), or a sequential stream to stdout ("-").
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { TraceBatch } from "./trace_batch.ts";
import {
  at,
  BIN_ENSEMBLE_FOLD,
  BIN_EXT_HEADERS,
  BIN_FORMAT,
  BIN_INTERVAL,
  BIN_JOB_ID,
  BIN_LINE,
  BIN_MEASUREMENT_SYSTEM,
  BIN_REEL,
  BIN_SAMPLES,
  BIN_SEGY_REVISION,
  BIN_SORTING,
  BIN_TRACE_FLAG,
  BIN_TRACES,
  FILE_HEADER_BYTES,
} from "./binary_header.ts";
import type { HeaderMap } from "./header_map.ts";
import { TRACE_HEADER_BYTES } from "./header_map.ts";
import { buildTextHeader } from "./text_header.ts";
import { encodeTraces, type TraceEncoding } from "./trace_encoder.ts";

/** Options for {@link SegyWriter.create}. */
export interface SegyWriterOptions {
  /** Samples per trace (1..65535). */
  ns: number;
  /** Sample interval, seconds (stored in whole microseconds, 1..65535). */
  dt: number;
  /** Time of the first sample, seconds (stored as delrt in whole ms; default 0). */
  t0?: number;
  /** Textual header content, lines separated by "\n" (40 lines of 80 characters kept). */
  textHeader?: string;
  /** Coordinate scalar for bytes 71-72: -100 (default) stores centimetres. */
  coordinateScalar?: number;
  /** Elevation scalar for bytes 69-70 (default -100). */
  elevationScalar?: number;
  /** Preallocate this many traces (for {@link SegyWriter.writeAt}). */
  traceCount?: number;
  /**
   * Empty an existing file first (default true). False keeps what earlier runs
   * or other shards wrote into a preallocated file; the file header is rewritten.
   */
  truncate?: boolean;
  /** Measurement system, 1 metres (default) or 2 feet. */
  measurementSystem?: 1 | 2;
  /** Header positions (default map). */
  headerMap?: Readonly<HeaderMap>;
  /** Sample format: "ieee" float32 (code 5, default) or "ibm" float (code 1). */
  sampleFormat?: "ieee" | "ibm";
  /**
   * Trace sorting code for bytes 3229-3230 (SEG-Y rev 1: 0 unknown, the default; 1 as
   * recorded; 2 CDP ensemble; ...).
   */
  sortingCode?: number;
  /** Traces per ensemble for bytes 3227-3228 (default 1). */
  ensembleFold?: number;
}

const VALID_SCALARS = new Set([1, 10, 100, 1000, 10000, -10, -100, -1000, -10000]);

/** Default textual header. */
const DEFAULT_TEXT = [
  "C 1 WRITTEN BY PSTM (KIRCHHOFF PRE-STACK TIME MIGRATION)",
  "C 2 SEG-Y REV 1, IEEE FLOAT32 SAMPLES, BIG-ENDIAN",
  "C 3 BYTES 189/193 INLINE/CROSSLINE, 181/185 CDP X/Y, 37 OFFSET, 71 COORD SCALAR",
].join("\n") + "\n".repeat(37) + "C40 END TEXTUAL HEADER";

/**
 * Builds the 3600-byte file header (EBCDIC text + rev 1 binary header).
 *
 * @param options ns, dt, text, measurement system, sample format, sorting code, fold
 * @returns the bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { buildFileHeader } from "./segy_writer.ts";
 * const h = buildFileHeader({ ns: 100, dt: 0.004, sampleFormat: "ibm", sortingCode: 2 });
 * assert(new DataView(h.buffer).getUint16(3220) === 100);
 * assert(new DataView(h.buffer).getUint16(3224) === 1); // IBM float
 * assert(new DataView(h.buffer).getInt16(3228) === 2); // CDP ensemble
 * ```
 */
export function buildFileHeader(options: SegyWriterOptions): Uint8Array {
  const bytes = new Uint8Array(FILE_HEADER_BYTES);
  bytes.set(buildTextHeader(options.textHeader ?? DEFAULT_TEXT), 0);
  const view = new DataView(bytes.buffer);
  view.setInt32(at(BIN_JOB_ID), 1, false);
  view.setInt32(at(BIN_LINE), 1, false);
  view.setInt32(at(BIN_REEL), 1, false);
  view.setInt16(at(BIN_TRACES), 1, false);
  view.setUint16(at(BIN_INTERVAL), Math.round(options.dt * 1e6), false);
  view.setUint16(at(BIN_SAMPLES), options.ns, false);
  view.setUint16(at(BIN_FORMAT), options.sampleFormat === "ibm" ? 1 : 5, false);
  view.setInt16(at(BIN_ENSEMBLE_FOLD), options.ensembleFold ?? 1, false);
  view.setInt16(at(BIN_SORTING), options.sortingCode ?? 0, false);
  view.setInt16(at(BIN_MEASUREMENT_SYSTEM), options.measurementSystem ?? 1, false);
  view.setUint16(at(BIN_SEGY_REVISION), 0x0100, false);
  view.setInt16(at(BIN_TRACE_FLAG), 1, false);
  view.setInt16(at(BIN_EXT_HEADERS), 0, false);
  return bytes;
}

/**
 * A SEG-Y rev 1 writer. Trace i lives at byte 3600 + i * (240 + 4 * ns).
 * Writes are serialised, so overlapping calls are safe.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyWriter } from "./segy_writer.ts";
 * const path = await Deno.makeTempFile({ suffix: ".sgy" });
 * const writer = await SegyWriter.create(path, { ns: 2, dt: 0.004 });
 * await writer.write({ firstTrace: 0, count: 1, ns: 2, dt: 0.004, t0: 0,
 *   samples: new Float32Array([1, 2]), sx: new Float64Array(1), sy: new Float64Array(1),
 *   gx: new Float64Array(1), gy: new Float64Array(1), headers: {} });
 * await writer.close();
 * assert((await Deno.stat(path)).size === 3600 + 248);
 * await Deno.remove(path);
 * ```
 */
export class SegyWriter {
  /** Output path ("-" for stdout). */
  readonly path: string;
  /** Bytes per trace. */
  readonly traceBytes: number;
  readonly #file: Deno.FsFile | undefined;
  readonly #encoding: TraceEncoding;
  #next = 0;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(path: string, file: Deno.FsFile | undefined, encoding: TraceEncoding) {
    this.path = path;
    this.#file = file;
    this.#encoding = encoding;
    this.traceBytes = TRACE_HEADER_BYTES + 4 * encoding.ns;
  }

  /**
   * Creates (by default truncates) the file and writes its file header.
   *
   * @param path output file, or "-" for stdout (sequential writes only)
   * @param options layout and header content
   * @returns the writer
   * @throws PstmError for invalid options or when the file cannot be created
   */
  static async create(path: string, options: SegyWriterOptions): Promise<SegyWriter> {
    const where = (field: string) => ({ file: path, field });
    if (!Number.isInteger(options.ns) || options.ns < 1 || options.ns > 65535) {
      throw new PstmError(`ns must be an integer in [1, 65535], got ${options.ns}`, where("ns"));
    }
    const dtUs = Math.round(options.dt * 1e6);
    if (!(dtUs >= 1 && dtUs <= 65535)) {
      throw new PstmError(
        `dt must be between 1 us and 65.535 ms (stored in whole microseconds), got ${options.dt} s`,
        where("dt"),
      );
    }
    const delayMs = Math.round((options.t0 ?? 0) * 1000);
    if (!(delayMs >= -32768 && delayMs <= 32767)) {
      throw new PstmError(`t0 ${options.t0} s does not fit delrt (int16 ms)`, where("t0"));
    }
    if (options.sortingCode !== undefined && !Number.isInteger(options.sortingCode)) {
      throw new PstmError(`sortingCode must be an integer, got ${options.sortingCode}`, {
        file: path,
        field: "sortingCode",
      });
    }
    const fold = options.ensembleFold ?? 1;
    if (!(Number.isInteger(fold) && fold >= 1 && fold <= 32767)) {
      throw new PstmError(`ensembleFold must be an integer in 1..32767, got ${fold}`, {
        file: path,
        field: "ensembleFold",
      });
    }
    const coordinateScalar = options.coordinateScalar ?? -100;
    const elevationScalar = options.elevationScalar ?? -100;
    for (
      const [name, s] of [["coordinateScalar", coordinateScalar], [
        "elevationScalar",
        elevationScalar,
      ]] as const
    ) {
      if (!VALID_SCALARS.has(s)) {
        throw new PstmError(
          `${name} must be one of ${[...VALID_SCALARS].join(", ")}, got ${s}`,
          where(name),
        );
      }
    }
    const encoding: TraceEncoding = {
      path,
      ns: options.ns,
      dtUs,
      delayMs,
      coordinateScalar,
      elevationScalar,
      headerMap: options.headerMap,
      sampleFormat: options.sampleFormat ?? "ieee",
    };
    const header = buildFileHeader(options);
    if (path === "-") {
      await writeAll(Deno.stdout, header);
      return new SegyWriter(path, undefined, encoding);
    }
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, {
        read: true,
        write: true,
        create: true,
        truncate: options.truncate ?? true,
      });
    } catch (error) {
      throw new PstmError(
        `cannot create: ${error instanceof Error ? error.message : error}`,
        { file: path },
        1,
        { cause: error },
      );
    }
    const writer = new SegyWriter(path, file, encoding);
    await writeAll(file, header);
    if (options.traceCount !== undefined) await writer.preallocate(options.traceCount);
    return writer;
  }

  /** Number of traces appended by {@link write} so far. */
  get tracesWritten(): number {
    return this.#next;
  }

  /**
   * Sizes the file for `traceCount` traces (zero-filled), for random-access writes.
   *
   * @param traceCount number of traces
   */
  preallocate(traceCount: number): Promise<void> {
    if (!Number.isInteger(traceCount) || traceCount < 0) {
      throw new RangeError(
        `Cannot preallocate ${this.path} as traceCount must be a non-negative integer: current value is ${traceCount}`,
      );
    }
    const file = this.#requireFile("preallocate");
    return this.#serial(() => file.truncate(FILE_HEADER_BYTES + traceCount * this.traceBytes));
  }

  /**
   * Appends a batch after the traces written so far.
   *
   * @param batch the traces
   */
  write(batch: TraceBatch): Promise<void> {
    this.#checkOpen();
    const index = this.#next;
    this.#next += batch.count;
    const bytes = encodeTraces(batch, index, this.#encoding);
    return this.#serial(async () => {
      if (!this.#file) return await writeAll(Deno.stdout, bytes);
      await this.#file.seek(FILE_HEADER_BYTES + index * this.traceBytes, Deno.SeekMode.Start);
      await writeAll(this.#file, bytes);
    });
  }

  /**
   * Writes a batch at trace index `traceIndex` (file only, not stdout).
   *
   * @param traceIndex index in the file of the batch's first trace
   * @param batch the traces
   */
  writeAt(traceIndex: number, batch: TraceBatch): Promise<void> {
    if (!Number.isInteger(traceIndex) || traceIndex < 0) {
      throw new RangeError(
        `Cannot write to ${this.path} as traceIndex must be a non-negative integer: current value is ${traceIndex}`,
      );
    }
    const file = this.#requireFile("writeAt");
    const bytes = encodeTraces(batch, traceIndex, this.#encoding);
    return this.#serial(async () => {
      await file.seek(FILE_HEADER_BYTES + traceIndex * this.traceBytes, Deno.SeekMode.Start);
      await writeAll(file, bytes);
    });
  }

  /** Flushes written data to disk (no-op for stdout). */
  sync(): Promise<void> {
    this.#checkOpen();
    return this.#serial(async () => {
      if (this.#file) await this.#file.sync();
    });
  }

  /** Waits for pending writes and closes the file; safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#queue;
    } finally {
      this.#file?.close();
    }
  }

  /** Closes the file (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #checkOpen(): void {
    if (this.#closed) throw new PstmError("writer is closed", { file: this.path }, 1);
  }

  #requireFile(operation: string): Deno.FsFile {
    this.#checkOpen();
    if (!this.#file) {
      throw new PstmError(`${operation} needs a file; stdout only takes sequential writes`, {
        file: this.path,
      });
    }
    return this.#file;
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    // I/O errors (disk full, EFBIG, EIO) name the file; a broken stdout pipe stays as it is.
    const run = this.#queue.then(task).catch((e) => {
      if (e instanceof PstmError || e instanceof Deno.errors.BrokenPipe) throw e;
      throw new PstmError(
        `cannot write: ${e instanceof Error ? e.message : e}`,
        {
          file: this.path,
        },
        1,
        { cause: e },
      );
    });
    this.#queue = run.catch(() => {});
    return run;
  }
}

async function writeAll(target: { write(p: Uint8Array): Promise<number> }, bytes: Uint8Array) {
  let done = 0;
  while (done < bytes.length) done += await target.write(bytes.subarray(done));
}

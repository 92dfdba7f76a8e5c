/**
 * The geometry index: every input trace's midpoint and half offset, written
 * by the header scan to a file and read back in bands, so that planning a
 * job holds a fixed amount of memory whatever the trace count (1e9 traces:
 * 20 GB on disk, one band of 65,536 traces in memory).
 *
 * Layout (little-endian):
 *
 * | bytes | what |
 * |---|---|
 * | 0..8 | magic `PSTMGEO1` |
 * | 8..12 | format version (1) |
 * | 12..16 | traces per block (65,536) |
 * | 16..24 | trace count (float64) |
 * | 24..32 | reserved (0) |
 * | blocks | per block of n traces: n float64 midpoint x, n float64 midpoint y, n float32 half offsets |
 * | table | one 32-bit checksum per block |
 * | metadata | JSON: the input's fingerprint and the index's statistics |
 * | trailer | JSON length (u32), checksum of header + table + JSON (u32), magic `PSTMGEOE` |
 *
 * A truncated file (size against the header's trace count), a damaged
 * header, table or metadata (trailer checksum) or a damaged block (its
 * checksum, checked as the block is read) is a `PstmError` naming the file:
 * an index is never used unless every byte read is the byte written.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/** Midpoints and half offsets of consecutive traces. */
export interface GeometryBand {
  /** Index of the band's first trace in the file. */
  first: number;
  /** Traces in the band. */
  count: number;
  /** Midpoint x, (sx + gx) / 2. */
  mx: Float64Array;
  /** Midpoint y, (sy + gy) / 2. */
  my: Float64Array;
  /** Half the source-receiver distance. */
  halfOffset: Float32Array;
}

/**
 * Where the planner reads trace geometry from: an in-memory table (small
 * jobs, tests) or the on-disk index (any size), band by band in file order.
 */
export interface GeometrySource {
  /** Number of traces. */
  readonly count: number;
  /** Bytes it holds in memory while read. */
  readonly bytes: number;
  /**
   * The traces in bands, in file order.
   *
   * @returns an iterable of bands (a band's arrays may be reused by the next)
   */
  bands(): Iterable<GeometryBand>;
}

/** What identifies the input an index was built from. */
export interface IndexedInput {
  /** Input path as given. */
  path: string;
  /** File size, bytes. */
  size: number;
  /** Modification time, ms since 1970 (0 when unknown). */
  mtime: number;
  /** Trace count. */
  traces: number;
  /** Samples per trace. */
  ns: number;
  /** Sample interval, s. */
  dt: number;
  /** Header overrides (`--header`), as given. */
  headers: string[];
}

/** Statistics the index keeps of its traces. */
export interface IndexStatistics {
  /** A 32-bit checksum of every block (the geometry's identity). */
  checksum: number;
  /** Largest half offset, m. */
  maxHalfOffset: number;
  /** Midpoint extent (NaN midpoints left out). */
  midpoint: { xmin: number; xmax: number; ymin: number; ymax: number };
}

/** The metadata JSON of an index. */
interface IndexMetadata extends IndexStatistics {
  /** The input it describes. */
  input: IndexedInput;
}

const MAGIC = "PSTMGEO1";
const END_MAGIC = "PSTMGEOE";
const VERSION = 1;
const HEADER_BYTES = 32;
const TRAILER_BYTES = 16;
/** Bytes per trace in the index. */
export const INDEX_BYTES_PER_TRACE = 20;
/** Traces per block (and per band read). */
export const INDEX_BLOCK_TRACES = 65536;

/**
 * A 32-bit FNV-1a style checksum of bytes, folded in 32-bit words.
 *
 * @param bytes the data
 * @param seed a previous checksum to continue from
 * @returns an unsigned 32-bit checksum
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checksum32 } from "./geometry_index.ts";
 * const a = checksum32(new Uint8Array([1, 2, 3, 4, 5]));
 * assert.notEqual(a, checksum32(new Uint8Array([1, 2, 3, 4, 6])));
 * assert.equal(a, checksum32(new Uint8Array([1, 2, 3, 4, 5])));
 * ```
 */
export function checksum32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  const words = Math.floor(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < words; i++) h = Math.imul(h ^ view.getUint32(4 * i, true), 16777619);
  for (let i = 4 * words; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619);
  return (h ^ bytes.length) >>> 0;
}

/** Bytes of block `b` of an index of `count` traces. */
function blockBytes(count: number, b: number): number {
  return INDEX_BYTES_PER_TRACE * Math.min(INDEX_BLOCK_TRACES, count - b * INDEX_BLOCK_TRACES);
}

/**
 * Writes the geometry index of the batches to `path` (through
 * `path.partial`, renamed when complete, so a crash never leaves a
 * half-written index under the final name).
 *
 * @param path the index file
 * @param batches header batches in file order (sx, sy, gx, gy)
 * @param input what identifies the input
 * @returns the open index
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { writeGeometryIndex } from "./geometry_index.ts";
 * import { synthBatches, synthPreset } from "../synth/synth.ts";
 * const path = await Deno.makeTempFile();
 * const spec = synthPreset("small3d");
 * const input = { path: "s.sgy", size: 1, mtime: 0, traces: 286, ns: 150, dt: 0.004, headers: [] };
 * using index = await writeGeometryIndex(path, synthBatches(spec), input);
 * assert.equal(index.count, 286);
 * assert.equal(index.statistics.maxHalfOffset, 225);
 * await Deno.remove(path);
 * ```
 */
export async function writeGeometryIndex(
  path: string,
  batches: AsyncIterable<TraceBatch> | Iterable<TraceBatch>,
  input: IndexedInput,
): Promise<GeometryIndex> {
  const writer = await GeometryIndexWriter.create(path, input);
  try {
    for await (const batch of batches) await writer.add(batch);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return await writer.finish();
}

/**
 * Writes a geometry index batch by batch (`add`), so that the header scan
 * can feed it and other consumers from one read. `finish` completes it;
 * `abort` removes the partial file.
 */
export class GeometryIndexWriter {
  readonly #path: string;
  readonly #input: IndexedInput;
  readonly #file: Deno.FsFile;
  #count = 0;
  #maxHalf = 0;
  #checksum = 0x811c9dc5;
  #xmin = Infinity;
  #xmax = -Infinity;
  #ymin = Infinity;
  #ymax = -Infinity;
  readonly #blockSums: number[] = [];
  readonly #buffer = new ArrayBuffer(INDEX_BYTES_PER_TRACE * INDEX_BLOCK_TRACES);
  readonly #mx = new Float64Array(this.#buffer, 0, INDEX_BLOCK_TRACES);
  readonly #my = new Float64Array(this.#buffer, 8 * INDEX_BLOCK_TRACES, INDEX_BLOCK_TRACES);
  readonly #half = new Float32Array(this.#buffer, 16 * INDEX_BLOCK_TRACES, INDEX_BLOCK_TRACES);
  #fill = 0;

  private constructor(path: string, input: IndexedInput, file: Deno.FsFile) {
    this.#path = path;
    this.#input = input;
    this.#file = file;
  }

  /**
   * Starts an index at `path` (written as `path.partial`).
   *
   * @param path the index file
   * @param input what identifies the input
   * @returns the writer
   */
  static async create(path: string, input: IndexedInput): Promise<GeometryIndexWriter> {
    const file = await Deno.open(`${path}.partial`, { write: true, create: true, truncate: true });
    const writer = new GeometryIndexWriter(path, input, file);
    await writeAll(file, headerBytes(0));
    return writer;
  }

  /**
   * Adds a batch's midpoints and half offsets.
   *
   * @param batch header batch (sx, sy, gx, gy), in file order
   */
  async add(batch: TraceBatch): Promise<void> {
    for (let k = 0; k < batch.count; k++) {
      const x = 0.5 * (batch.sx[k] + batch.gx[k]), y = 0.5 * (batch.sy[k] + batch.gy[k]);
      const h = 0.5 * Math.hypot(batch.gx[k] - batch.sx[k], batch.gy[k] - batch.sy[k]);
      const i = this.#fill;
      this.#mx[i] = x;
      this.#my[i] = y;
      this.#half[i] = h;
      if (h > this.#maxHalf) this.#maxHalf = h;
      if (x < this.#xmin) this.#xmin = x;
      if (x > this.#xmax) this.#xmax = x;
      if (y < this.#ymin) this.#ymin = y;
      if (y > this.#ymax) this.#ymax = y;
      if (++this.#fill === INDEX_BLOCK_TRACES) await this.#flush();
    }
    this.#count += batch.count;
  }

  async #flush(): Promise<void> {
    const fill = this.#fill;
    if (fill === 0) return;
    // a short (last) block is stored packed: its x, y and half offsets back to back
    const bytes = new Uint8Array(INDEX_BYTES_PER_TRACE * fill);
    bytes.set(new Uint8Array(this.#buffer, 0, 8 * fill), 0);
    bytes.set(new Uint8Array(this.#buffer, 8 * INDEX_BLOCK_TRACES, 8 * fill), 8 * fill);
    bytes.set(new Uint8Array(this.#buffer, 16 * INDEX_BLOCK_TRACES, 4 * fill), 16 * fill);
    const sum = checksum32(bytes);
    this.#blockSums.push(sum);
    this.#checksum = Math.imul(this.#checksum ^ sum, 16777619) >>> 0;
    await writeAll(this.#file, bytes);
    this.#fill = 0;
  }

  /**
   * Writes the block table, metadata and trailer, then the header, syncs and
   * renames the file into place.
   *
   * @returns the open index
   */
  async finish(): Promise<GeometryIndex> {
    try {
      await this.#flush();
      const metadata: IndexMetadata = {
        input: this.#input,
        checksum: this.#checksum,
        maxHalfOffset: this.#maxHalf,
        midpoint: { xmin: this.#xmin, xmax: this.#xmax, ymin: this.#ymin, ymax: this.#ymax },
      };
      const table = new Uint8Array(4 * this.#blockSums.length);
      const view = new DataView(table.buffer);
      this.#blockSums.forEach((s, i) => view.setUint32(4 * i, s, true));
      const json = new TextEncoder().encode(JSON.stringify(metadata));
      const header = headerBytes(this.#count);
      await writeAll(this.#file, table);
      await writeAll(this.#file, json);
      await writeAll(this.#file, trailerBytes(header, table, json));
      await this.#file.seek(0, Deno.SeekMode.Start);
      await writeAll(this.#file, header);
      await this.#file.sync();
    } catch (error) {
      await this.abort();
      throw error;
    }
    this.#file.close();
    await Deno.rename(`${this.#path}.partial`, this.#path);
    return GeometryIndex.open(this.#path);
  }

  /** Closes and removes the partial file. */
  async abort(): Promise<void> {
    try {
      this.#file.close();
    } catch { /* closed */ }
    await Deno.remove(`${this.#path}.partial`).catch(() => {});
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
}

function headerBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(HEADER_BYTES);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, VERSION, true);
  view.setUint32(12, INDEX_BLOCK_TRACES, true);
  view.setFloat64(16, count, true);
  return bytes;
}

function trailerBytes(header: Uint8Array, table: Uint8Array, json: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(TRAILER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, checksum32(json, checksum32(table, checksum32(header))), true);
  bytes.set(new TextEncoder().encode(END_MAGIC), 8);
  return bytes;
}

/**
 * An open geometry index, read band by band (synchronously: the planner is
 * synchronous). Dispose of it (or call `close`) when done.
 */
export class GeometryIndex implements GeometrySource {
  /** Number of traces. */
  readonly count: number;
  /** The input the index was built from. */
  readonly input: IndexedInput;
  /** Checksum, largest half offset and midpoint extent. */
  readonly statistics: IndexStatistics;
  /** The index file. */
  readonly path: string;
  readonly #file: Deno.FsFile;
  readonly #blockSums: Uint32Array;

  private constructor(
    path: string,
    file: Deno.FsFile,
    count: number,
    blockSums: Uint32Array,
    metadata: IndexMetadata,
  ) {
    this.path = path;
    this.#file = file;
    this.count = count;
    this.#blockSums = blockSums;
    const { input, ...statistics } = metadata;
    this.input = input;
    this.statistics = statistics;
  }

  /**
   * Opens an index and checks its size, header, block table and metadata.
   *
   * @param path the index file
   * @returns the index
   * @throws PstmError (exit 2) naming the file when it is truncated, damaged or not an index
   */
  static async open(path: string): Promise<GeometryIndex> {
    const file = await Deno.open(path, { read: true });
    try {
      const size = (await file.stat()).size;
      const bad = (what: string) =>
        new PstmError(
          `geometry index is ${what}; it is not used (remove it, and the scan writes it again)`,
          { file: path },
        );
      if (size < HEADER_BYTES + TRAILER_BYTES) throw bad(`truncated (${size} bytes)`);
      const header = readAt(file, 0, HEADER_BYTES);
      const view = new DataView(header.buffer);
      if (new TextDecoder().decode(header.subarray(0, 8)) !== MAGIC) {
        throw bad("not a pstm geometry index (no PSTMGEO1 magic)");
      }
      if (view.getUint32(8, true) !== VERSION) {
        throw bad(`of format version ${view.getUint32(8, true)}, expected ${VERSION}`);
      }
      const count = view.getFloat64(16, true);
      if (
        view.getUint32(12, true) !== INDEX_BLOCK_TRACES || !Number.isSafeInteger(count) ||
        count < 0
      ) {
        throw bad("damaged (header fields out of range)");
      }
      const blocks = Math.ceil(count / INDEX_BLOCK_TRACES);
      const tableAt = HEADER_BYTES + INDEX_BYTES_PER_TRACE * count;
      const trailer = readAt(file, size - TRAILER_BYTES, TRAILER_BYTES);
      const tview = new DataView(trailer.buffer);
      const jsonLength = tview.getUint32(0, true);
      const expected = tableAt + 4 * blocks + jsonLength + TRAILER_BYTES;
      if (
        new TextDecoder().decode(trailer.subarray(8)) !== END_MAGIC || size !== expected
      ) {
        throw bad(
          `truncated or damaged: ${size} bytes, expected ${
            size < tableAt ? `more than ${tableAt}` : expected
          } for ${count} traces`,
        );
      }
      const table = readAt(file, tableAt, 4 * blocks);
      const json = readAt(file, tableAt + 4 * blocks, jsonLength);
      if (checksum32(json, checksum32(table, checksum32(header))) !== tview.getUint32(4, true)) {
        throw bad("damaged (header, block table or metadata checksum)");
      }
      const sums = new Uint32Array(blocks);
      const tableView = new DataView(table.buffer);
      for (let b = 0; b < blocks; b++) sums[b] = tableView.getUint32(4 * b, true);
      let metadata: IndexMetadata;
      try {
        metadata = JSON.parse(new TextDecoder().decode(json));
      } catch {
        throw bad("damaged (metadata is not JSON)");
      }
      return new GeometryIndex(path, file, count, sums, metadata);
    } catch (error) {
      file.close();
      throw error;
    }
  }

  /** Bytes held while read: one block. */
  get bytes(): number {
    return INDEX_BYTES_PER_TRACE * Math.min(this.count, INDEX_BLOCK_TRACES);
  }

  /**
   * The traces in bands of one block, each checked against its checksum.
   *
   * @returns the bands (arrays reused from band to band)
   * @throws PstmError naming the file and block when a block is damaged
   */
  *bands(): Iterable<GeometryBand> {
    const blocks = this.#blockSums.length;
    let at = HEADER_BYTES;
    for (let b = 0; b < blocks; b++) {
      const n = Math.min(INDEX_BLOCK_TRACES, this.count - b * INDEX_BLOCK_TRACES);
      const bytes = readAt(this.#file, at, blockBytes(this.count, b));
      at += bytes.length;
      if (checksum32(bytes) !== this.#blockSums[b]) {
        throw new PstmError(
          `geometry index block ${b} (traces ${b * INDEX_BLOCK_TRACES}..` +
            `${b * INDEX_BLOCK_TRACES + n - 1}) is damaged (checksum); it is not used ` +
            "(remove the index, and the scan writes it again)",
          { file: this.path },
        );
      }
      yield {
        first: b * INDEX_BLOCK_TRACES,
        count: n,
        mx: new Float64Array(bytes.buffer, 0, n),
        my: new Float64Array(bytes.buffer, 8 * n, n),
        halfOffset: new Float32Array(bytes.buffer, 16 * n, n),
      };
    }
  }

  /**
   * Reads every block once, checking it (what the planner does anyway).
   *
   * @returns the number of traces checked
   */
  verify(): number {
    let n = 0;
    for (const band of this.bands()) n += band.count;
    return n;
  }

  /** Closes the file; safe to call twice. */
  close(): void {
    try {
      this.#file.close();
    } catch { /* already closed */ }
  }

  /** Closes the file. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Reads exactly `length` bytes at `offset` into a fresh (8-byte aligned) buffer. */
function readAt(file: Deno.FsFile, offset: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  file.seekSync(offset, Deno.SeekMode.Start);
  for (let done = 0; done < length;) {
    const n = file.readSync(bytes.subarray(done));
    if (n === null || n === 0) throw new PstmError("geometry index ends early", {});
    done += n;
  }
  return bytes;
}

/**
 * Which field of two inputs differs, for "this index (or plan) is of
 * another input" errors.
 *
 * @param a one input
 * @param b the other
 * @returns e.g. `size 1000 != 2000`, or undefined when they are the same
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { inputDifference } from "./geometry_index.ts";
 * const a = { path: "a.sgy", size: 1, mtime: 0, traces: 2, ns: 3, dt: 0.004, headers: [] };
 * assert.equal(inputDifference(a, { ...a }), undefined);
 * assert.equal(inputDifference(a, { ...a, traces: 5 }), "traces 2 != 5");
 * ```
 */
export function inputDifference(a: IndexedInput, b: IndexedInput): string | undefined {
  for (const key of ["size", "mtime", "traces", "ns", "dt", "headers"] as const) {
    const x = JSON.stringify(a[key]), y = JSON.stringify(b[key]);
    if (x !== y) return `${key} ${x} != ${y}`;
  }
  return undefined;
}

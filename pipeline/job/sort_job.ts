/**
 * `pstm sort`: rewrites a survey with its traces in tile-band order (bands
 * of output rows, the order the planner's strips of tiles want), in bounded
 * memory. Field data in shot order spread the traces of every tile over the
 * whole file, so a tight budget means passes that each read the whole survey
 * (bench/scale_bench.ts); after the sort each pass reads its band.
 *
 * A distribution sort in two reads and one write: a header pass counts the
 * traces of each band (O(bands) memory), then every trace is copied, bytes
 * untouched, into its band's buffer, written at the band's next place in the
 * preallocated output when full. Memory: one buffer per band (at most 256
 * bands, `bufferBytes` in all) plus one input batch, whatever the trace
 * count. Within a band the input order is kept. The input is not modified;
 * the output is written as OUT.partial and renamed when complete.
 *
 * @module
 */

import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { binOf, type GridSpec } from "../plan/grid.ts";
import { peakRss } from "../plan/memory.ts";
import { headerMapWith } from "../segy/header_map.ts";
import { SegyFile } from "../segy/segy_file.ts";

/** What to sort. */
export interface SortRequest {
  /** Input SEG-Y or SU file. */
  input: string;
  /** Output file (a new file; not the input). */
  output: string;
  /** The output grid whose rows (second axis) define the bands. */
  grid: GridSpec;
  /** Header overrides (`--header NAME=BYTE:TYPE`). */
  headers?: string[];
  /** Bytes of band buffers (default 64 MiB). */
  bufferBytes?: number;
  /** Most bands (default 256; fewer when the grid has fewer rows). */
  maxBands?: number;
}

/** What a sort did. */
export interface SortSummary {
  /** Traces copied. */
  traces: number;
  /** Bands of rows. */
  bands: number;
  /** Traces per band. */
  counts: number[];
  /** Header pass, s. */
  countSeconds: number;
  /** Copy pass, s. */
  copySeconds: number;
  /** Bytes written. */
  bytes: number;
  /** Peak resident memory of the process, bytes. */
  peakRss: number;
}

const BATCH = 8192;

/**
 * The band of a midpoint: its row of the grid (rounded, clamped to the grid)
 * scaled to `bands`.
 *
 * @param grid the output grid
 * @param bands number of bands
 * @param x midpoint x
 * @param y midpoint y
 * @returns 0..bands-1 (0 for non-finite coordinates)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { bandOf } from "./sort_job.ts";
 * const grid = { x0: 0, y0: 0, dx: 10, dy: 10, nx: 4, ny: 8, azimuthDeg: 0 };
 * assert.equal(bandOf(grid, 4, 5, 71), 3);
 * assert.equal(bandOf(grid, 4, 5, -500), 0);
 * assert.equal(bandOf(grid, 4, 5, 1e6), 3);
 * ```
 */
export function bandOf(grid: GridSpec, bands: number, x: number, y: number): number {
  const iy = Math.round(binOf(grid, x, y).iy);
  if (!Number.isFinite(iy)) return 0;
  const row = Math.min(grid.ny - 1, Math.max(0, iy));
  return Math.floor((row * bands) / grid.ny);
}

/**
 * Sorts a survey into tile-band order.
 *
 * @param request input, output, grid, buffer size
 * @returns what was done
 * @throws PstmError (exit 2) when the output is the input; exit 1 when it cannot be written
 */
export async function sortByBand(request: SortRequest): Promise<SortSummary> {
  const [a, b] = await Promise.all([realPath(request.input), realPath(request.output)]);
  if (a !== undefined && a === b) {
    throw new PstmError("the output must be a new file, not the input (pstm never modifies it)", {
      file: request.output,
      field: "-o",
    });
  }
  using file = await SegyFile.open(request.input, {
    headerMap: headerMapWith(request.headers ?? []),
  });
  const { traceCount: n, traceBytes, dataOffset } = file.info;
  const { grid } = request;
  const bands = Math.max(1, Math.min(grid.ny, request.maxBands ?? 256));
  const bandBuffer = Math.max(
    1,
    Math.floor((request.bufferBytes ?? 64 * 1024 * 1024) / bands / traceBytes),
  );
  // 1. header pass: traces per band
  let t = performance.now();
  const counts = new Array<number>(bands).fill(0);
  for (let first = 0; first < n; first += BATCH) {
    const batch = await file.readHeaders(first, Math.min(BATCH, n - first));
    for (let k = 0; k < batch.count; k++) {
      counts[
        bandOf(grid, bands, 0.5 * (batch.sx[k] + batch.gx[k]), 0.5 * (batch.sy[k] + batch.gy[k]))
      ]++;
    }
  }
  const countSeconds = (performance.now() - t) / 1000;
  // 2. copy pass: each trace's bytes into its band's buffer, flushed to the band's next place
  t = performance.now();
  const next = new Array<number>(bands);
  for (let i = 0, at = 0; i < bands; i++) [next[i], at] = [at, at + counts[i]];
  const partial = `${request.output}.partial`;
  const input = await Deno.open(request.input, { read: true });
  let output: Deno.FsFile | undefined;
  try {
    output = await Deno.open(partial, { write: true, create: true, truncate: true });
    await writeAt(output, 0, await readAt(input, 0, dataOffset, request.input));
    await output.truncate(dataOffset + n * traceBytes);
    const buffers = Array.from({ length: bands }, () => ({ bytes: new Uint8Array(0), fill: 0 }));
    const flush = async (band: number) => {
      const buffer = buffers[band];
      if (buffer.fill === 0) return;
      await writeAt(
        output!,
        dataOffset + next[band] * traceBytes,
        buffer.bytes.subarray(0, buffer.fill * traceBytes),
      );
      next[band] += buffer.fill;
      buffer.fill = 0;
    };
    for (let first = 0; first < n; first += BATCH) {
      const count = Math.min(BATCH, n - first);
      const headers = await file.readHeaders(first, count);
      const raw = await readAt(
        input,
        dataOffset + first * traceBytes,
        count * traceBytes,
        request.input,
      );
      for (let k = 0; k < count; k++) {
        const band = bandOf(
          grid,
          bands,
          0.5 * (headers.sx[k] + headers.gx[k]),
          0.5 * (headers.sy[k] + headers.gy[k]),
        );
        const buffer = buffers[band];
        // buffers grow to their share on first use: bands no trace reaches cost nothing
        if (buffer.bytes.length === 0) buffer.bytes = new Uint8Array(bandBuffer * traceBytes);
        buffer.bytes.set(
          raw.subarray(k * traceBytes, (k + 1) * traceBytes),
          buffer.fill * traceBytes,
        );
        if (++buffer.fill === bandBuffer) await flush(band);
      }
    }
    for (let band = 0; band < bands; band++) await flush(band);
    await output.sync();
  } catch (error) {
    output?.close();
    input.close();
    await Deno.remove(partial).catch(() => {});
    if (error instanceof PstmError) throw error;
    throw new PstmError(
      `cannot write the sorted survey: ${(error as Error).message}`,
      {
        file: request.output,
      },
      EXIT_RUNTIME,
      { cause: error },
    );
  }
  output.close();
  input.close();
  await Deno.rename(partial, request.output);
  return {
    traces: n,
    bands,
    counts,
    countSeconds,
    copySeconds: (performance.now() - t) / 1000,
    bytes: dataOffset + n * traceBytes,
    peakRss: peakRss(),
  };
}

async function realPath(path: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(path);
  } catch {
    return undefined;
  }
}

async function readAt(
  file: Deno.FsFile,
  offset: number,
  length: number,
  path: string,
): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  await file.seek(offset, Deno.SeekMode.Start);
  for (let done = 0; done < length;) {
    const got = await file.read(bytes.subarray(done));
    if (got === null) {
      throw new PstmError(`ends at byte ${offset + done}, expected ${offset + length}`, {
        file: path,
      });
    }
    done += got;
  }
  return bytes;
}

async function writeAt(file: Deno.FsFile, offset: number, bytes: Uint8Array): Promise<void> {
  await file.seek(offset, Deno.SeekMode.Start);
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
}

/**
 * The resume manifest: a JSON-lines file next to the output that records
 * finished tiles durably. Its first line identifies the job (a fingerprint of
 * the input and every option that changes the image); each further line
 * names one tile whose data was flushed to disk before the line was written.
 *
 * @module
 */

import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";

/** First line of a manifest. */
export interface ManifestHeader {
  /** Format version. */
  version: 1;
  /** Hash of the input and the options that shape the output. */
  fingerprint: string;
  /** Tiles in the whole job. */
  tiles: number;
  /** "I/N" for a shard, "" for a whole job. */
  shard: string;
  /** Bins per tile along each axis (a resumed run keeps the same tiles). */
  tileBins?: [number, number];
}

/** What a manifest on disk says. */
export interface ManifestContents {
  /** Its first line. */
  header: ManifestHeader;
  /** Tiles recorded as finished. */
  done: Set<number>;
  /** Bins per tile, from the header. */
  tileBins?: [number, number];
}

/**
 * An open manifest.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { Manifest } from "./manifest.ts";
 * const path = await Deno.makeTempFile();
 * const m = await Manifest.open(path, { version: 1, fingerprint: "x", tiles: 2, shard: "" }, false);
 * await m.record(1);
 * m.close();
 * const again = await Manifest.open(path, { version: 1, fingerprint: "x", tiles: 2, shard: "" }, true);
 * assert(again.done.has(1));
 * again.close();
 * ```
 */
export class Manifest {
  /** Tiles recorded as finished. */
  readonly done: Set<number>;
  /** Path of the manifest file. */
  readonly path: string;
  #file: Deno.FsFile | undefined;
  readonly #encoder = new TextEncoder();

  private constructor(path: string, file: Deno.FsFile, done: Set<number>) {
    this.path = path;
    this.#file = file;
    this.done = done;
  }

  /**
   * Opens a manifest: with `resume`, an existing one for the same job is read
   * and continued; otherwise a new one is started.
   *
   * @param path manifest path
   * @param header the job's identity
   * @param resume continue an existing manifest
   * @returns the manifest
   * @throws PstmError when resuming a manifest written for another job
   */
  static async open(path: string, header: ManifestHeader, resume: boolean): Promise<Manifest> {
    if (resume) {
      const previous = await Manifest.peek(path);
      if (previous) {
        if (
          previous.header.fingerprint !== header.fingerprint ||
          previous.header.shard !== header.shard
        ) {
          throw new PstmError(
            "the manifest was written for a different job (input, options or shard changed); " +
              "expected the same command line as the interrupted run, or run without --resume",
            { file: path, field: "fingerprint" },
          );
        }
        // a record torn by a kill has no newline: cut it off so the next record stands alone
        const bytes = await Deno.readFile(path);
        const end = bytes.lastIndexOf(10) + 1;
        if (end < bytes.length) await Deno.truncate(path, end);
        const file = await openOrExplain(path, { append: true });
        return new Manifest(path, file, previous.done);
      }
    }
    const file = await openOrExplain(path, { write: true, create: true, truncate: true });
    const manifest = new Manifest(path, file, new Set());
    await manifest.#append(header);
    return manifest;
  }

  /**
   * Reads a manifest without opening it for writing.
   *
   * @param path manifest path
   * @returns its contents, or undefined when there is none (or it is empty)
   * @throws PstmError when the file is not a pstm manifest
   */
  static async peek(path: string): Promise<ManifestContents | undefined> {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw new PstmError(`cannot read the manifest: ${(error as Error).message}`, {
        file: path,
      }, EXIT_RUNTIME);
    }
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    if (lines.length === 0) return undefined;
    const header = parseLine(lines[0], path, 1) as ManifestHeader;
    if (header?.version !== 1 || typeof header.fingerprint !== "string") {
      throw new PstmError("line 1 is not a pstm manifest header", { file: path });
    }
    const done = new Set<number>();
    lines.slice(1).forEach((line, i) => {
      try {
        const record = JSON.parse(line) as { tile?: unknown };
        if (typeof record.tile === "number") done.add(record.tile);
      } catch {
        // a torn last line (killed mid-write) is ignored: its tile is redone
        if (i !== lines.length - 2) {
          throw new PstmError(`line ${i + 2} is corrupt`, { file: path });
        }
      }
    });
    return { header, done, tileBins: header.tileBins };
  }

  /**
   * Records a finished tile; its data must already be flushed.
   *
   * @param tile tile id
   */
  async record(tile: number): Promise<void> {
    await this.#append({ tile });
    this.done.add(tile);
  }

  async #append(value: unknown): Promise<void> {
    await this.#write(JSON.stringify(value) + "\n");
  }

  async #write(text: string): Promise<void> {
    if (!this.#file) throw new PstmError("manifest is closed", { file: this.path }, EXIT_RUNTIME);
    const bytes = this.#encoder.encode(text);
    let written = 0;
    while (written < bytes.length) written += await this.#file.write(bytes.subarray(written));
    await this.#file.syncData();
  }

  /** Closes the file; safe twice. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  /** Closes the manifest. */
  [Symbol.dispose](): void {
    this.close();
  }
}

/** Opens the manifest; failures (missing folder, permissions) name the path (exit 1). */
async function openOrExplain(path: string, options: Deno.OpenOptions): Promise<Deno.FsFile> {
  try {
    return await Deno.open(path, options);
  } catch (error) {
    throw new PstmError(
      `cannot open the resume manifest: ${(error as Error).message}; expected a writable ` +
        "folder beside the output",
      { file: path },
      EXIT_RUNTIME,
      { cause: error },
    );
  }
}

function parseLine(line: string, path: string, number: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new PstmError(`line ${number} is not JSON; expected a pstm manifest`, {
      file: path,
    });
  }
}

/**
 * A stable hash (FNV-1a, 64-bit, hex) of a JSON-serialisable value, for
 * fingerprints.
 *
 * @param value anything JSON.stringify accepts
 * @returns 16 hex digits
 */
export function fingerprintOf(value: unknown): string {
  const text = JSON.stringify(value);
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

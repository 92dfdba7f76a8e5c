/**
 * Checkpoints of a migration job (`--checkpoint SECONDS`): at a batch
 * boundary, once the interval has passed, the partial sums of every open
 * tile and the input position (the next trace to read) are written to
 * `OUT.checkpoint` (a temporary file synced, then renamed over the last
 * one, so a kill leaves the previous checkpoint or the new one, never a torn
 * one). `--resume` restores the open tiles' sums and reads on from that
 * position: the sums continue in the same trace order, so the image is
 * bit-identical to an uninterrupted run. Tiles finished (in the manifest)
 * are not restored; a tile that finished after the checkpoint but was not
 * recorded is migrated again from its first trace.
 *
 * The file: one JSON line `{"version":1,"fingerprint":...,"next":N,
 * "tiles":[{"id":I,"samples":S},...]}`, then the tiles' float32 sums
 * (little-endian) in that order.
 *
 * @module
 */

import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";

/** Default interval between checkpoints, s. */
export const DEFAULT_CHECKPOINT_SECONDS = 300;

/** What a checkpoint holds. */
export interface CheckpointState {
  /** The first input trace not yet summed into the tiles. */
  next: number;
  /** Partial sums of the tiles open at `next`, by tile id. */
  tiles: Map<number, Float32Array>;
}

/** What MigrateTileStream needs to take checkpoints and resume from one. */
export interface StreamCheckpoint {
  /** Tiles restored from a checkpoint: their sums, summed up to trace `from` (exclusive). */
  restored: ReadonlyMap<number, Float32Array>;
  /** The first trace a restored tile still needs. */
  from: number;
  /** Whether a checkpoint is due now. */
  due(): boolean;
  /** Saves the open tiles' sums, all traces before `next` summed (each read when written). */
  save(next: number, tiles: SavedTile[]): Promise<void>;
}

/** One tile of a checkpoint being written: its sums are copied only when their turn comes. */
export interface SavedTile {
  /** Tile id. */
  id: number;
  /** Samples of its sums, `nclass * npoints * ntau`. */
  samples: number;
  /** A copy of its sums. */
  image(): Promise<Float32Array>;
}

/**
 * The checkpoint path beside a manifest (`OUT.manifest` -> `OUT.checkpoint`,
 * `OUT.shard-1-of-4.manifest` -> `OUT.shard-1-of-4.checkpoint`).
 *
 * @param manifest the manifest path
 * @returns the checkpoint path
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkpointPath } from "./checkpoint.ts";
 * assert.equal(checkpointPath("out.sgy.manifest"), "out.sgy.checkpoint");
 * ```
 */
export function checkpointPath(manifest: string): string {
  return manifest.replace(/\.manifest$/, "") + ".checkpoint";
}

/**
 * Writes a checkpoint atomically (temporary file, synced, renamed).
 *
 * @param path the checkpoint file
 * @param fingerprint the job's fingerprint (a resume of another job ignores it)
 * @param state the position and the open tiles' sums
 * @throws PstmError exit 1 when it cannot be written
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { readCheckpoint, writeCheckpoint } from "./checkpoint.ts";
 * const path = `${await Deno.makeTempDir()}/out.checkpoint`;
 * await writeCheckpoint(path, "f", { next: 7, tiles: new Map([[3, new Float32Array([1, 2])]]) });
 * const back = await readCheckpoint(path, "f");
 * assert.equal(back?.next, 7);
 * assert.deepEqual([...back!.tiles.get(3)!], [1, 2]);
 * assert.equal(await readCheckpoint(path, "other job"), undefined);
 * ```
 */
export async function writeCheckpoint(
  path: string,
  fingerprint: string,
  state: CheckpointState | { next: number; tiles: SavedTile[] },
): Promise<void> {
  const saved: SavedTile[] = state.tiles instanceof Map
    ? [...state.tiles].map(([id, image]) => ({
      id,
      samples: image.length,
      image: () => Promise.resolve(image),
    }))
    : state.tiles;
  const tiles = saved.map(({ id, samples }) => ({ id, samples }));
  const head = new TextEncoder().encode(
    JSON.stringify({ version: 1, fingerprint, next: state.next, tiles }) + "\n",
  );
  const temporary = `${path}.tmp`;
  try {
    const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    try {
      await writeAll(file, head);
      // one tile's copy at a time: a checkpoint needs at most one tile's memory more
      for (const tile of saved) {
        const image = await tile.image();
        if (image.length !== tile.samples) {
          throw new Error(`tile ${tile.id} has ${image.length} samples, expected ${tile.samples}`);
        }
        await writeAll(file, littleEndianBytes(image));
      }
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw new PstmError(
      `cannot write the checkpoint: ${(error as Error).message}`,
      { file: path },
      EXIT_RUNTIME,
      { cause: error },
    );
  }
}

/**
 * Reads a checkpoint written for the job with `fingerprint`.
 *
 * @param path the checkpoint file
 * @param fingerprint the job's fingerprint
 * @returns the state, or undefined when there is none, it is another job's or it is damaged
 */
export async function readCheckpoint(
  path: string,
  fingerprint: string,
): Promise<CheckpointState | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch {
    return undefined;
  }
  const newline = bytes.indexOf(10);
  if (newline < 0) return undefined;
  let head: { version?: number; fingerprint?: string; next?: number; tiles?: unknown };
  try {
    head = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline)));
  } catch {
    return undefined;
  }
  if (head.version !== 1 || head.fingerprint !== fingerprint) return undefined;
  if (!Number.isInteger(head.next) || !Array.isArray(head.tiles)) return undefined;
  const entries = head.tiles as { id: number; samples: number }[];
  const total = entries.reduce((n, t) => n + 4 * t.samples, 0);
  if (!(total === bytes.length - newline - 1)) return undefined;
  const tiles = new Map<number, Float32Array>();
  const view = new DataView(bytes.buffer, bytes.byteOffset + newline + 1);
  let at = 0;
  for (const { id, samples } of entries) {
    if (!Number.isInteger(id) || !Number.isInteger(samples)) return undefined;
    const image = new Float32Array(samples);
    for (let i = 0; i < samples; i++, at += 4) image[i] = view.getFloat32(at, true);
    tiles.set(id, image);
  }
  return { next: head.next!, tiles };
}

/**
 * The checkpointing of one run: restores what a previous run saved (with
 * `--resume`, dropping tiles the manifest records as done) and takes new
 * checkpoints every `seconds`.
 *
 * @param options the checkpoint path, the job's fingerprint, the interval (0: off),
 *   whether the run resumes, and the tiles already done
 * @returns the stream hooks, or undefined when checkpoints are off and nothing is restored
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { openCheckpoints } from "./checkpoint.ts";
 * const path = `${await Deno.makeTempDir()}/out.checkpoint`;
 * const c = await openCheckpoints({ path, fingerprint: "f", seconds: 0, resume: false,
 *   done: new Set() });
 * assert.equal(c, undefined);
 * ```
 */
export async function openCheckpoints(options: {
  path: string;
  fingerprint: string;
  seconds: number;
  resume: boolean;
  done: ReadonlySet<number>;
}): Promise<StreamCheckpoint | undefined> {
  const saved = options.resume
    ? await readCheckpoint(options.path, options.fingerprint)
    : undefined;
  if (!options.resume) await Deno.remove(options.path).catch(() => {});
  const restored = new Map<number, Float32Array>();
  for (const [id, image] of saved?.tiles ?? []) if (!options.done.has(id)) restored.set(id, image);
  if (options.seconds <= 0 && restored.size === 0) return undefined;
  let last = performance.now();
  return {
    restored,
    from: saved?.next ?? 0,
    due: () => options.seconds > 0 && performance.now() - last >= 1000 * options.seconds,
    async save(next, tiles) {
      await writeCheckpoint(options.path, options.fingerprint, { next, tiles });
      last = performance.now();
    },
  };
}

/**
 * Removes the checkpoints beside the job's manifests (when the job is complete).
 *
 * @param manifests every manifest of the job
 */
export async function removeCheckpoints(manifests: readonly string[]): Promise<void> {
  for (const manifest of manifests) {
    await Deno.remove(checkpointPath(manifest)).catch(() => {});
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let done = 0; done < bytes.length;) done += await file.write(bytes.subarray(done));
}

function littleEndianBytes(image: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(image.buffer, image.byteOffset, image.byteLength);
  const bytes = new Uint8Array(4 * image.length);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < image.length; i++) view.setFloat32(4 * i, image[i], true);
  return bytes;
}

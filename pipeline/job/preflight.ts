/**
 * Preflight of a migration job, before any work or allocation: the input and
 * the output are different files, the input is a file, the output is not a
 * directory and its folder is writable, the memory budget fits the machine,
 * the output fits the free disk space, and the input's sample interval is
 * usable. An allocation that fails anyway becomes a PstmError naming what
 * was allocated and the flag to change.
 *
 * @module
 */

import { EXIT_BAD_INPUT, EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { formatBytes, parseSize } from "../plan/memory.ts";
import { overrideHint } from "../plan/checks.ts";

/** The paths of a job, as the job file or the command line gave them. */
export interface JobPaths {
  /** Input path, "-" for stdin. */
  input: string;
  /** Output path. */
  output: string;
}

/**
 * Checks the input and output paths before anything is opened or created:
 * the input exists and is not a directory; the output is not a directory, is
 * not the input (nor are the files written beside it: OUT.partial,
 * OUT.manifest), compared by resolved path and by device and inode, so
 * `-o ./in.sgy`, an absolute path, a symbolic or a hard link are all caught;
 * and the output's folder accepts new files.
 *
 * @param paths the job's input and output
 * @throws PstmError exit 2 for a directory or input = output, exit 1 for an
 *   output folder that cannot be written
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkJobPaths } from "./preflight.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/in.sgy`, new Uint8Array(4));
 * await assert.rejects(checkJobPaths({ input: `${dir}/in.sgy`, output: `${dir}/./in.sgy` }));
 * await checkJobPaths({ input: `${dir}/in.sgy`, output: `${dir}/out.sgy` });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checkJobPaths(paths: JobPaths): Promise<void> {
  const input = paths.input === "-" ? undefined : await statOrUndefined(paths.input);
  if (paths.input !== "-") {
    if (!input) {
      throw new PstmError("no such file; expected a SEG-Y or SU file (or - for stdin)", {
        file: paths.input,
      });
    }
    if (input.isDirectory) {
      throw new PstmError("is a directory; expected a SEG-Y or SU file (or - for stdin)", {
        file: paths.input,
      });
    }
  }
  const output = await statOrUndefined(paths.output);
  if (output?.isDirectory) {
    throw new PstmError(
      "the output is a directory; expected a file name such as image.sgy",
      { file: paths.output, field: "-o/--output" },
    );
  }
  if (input) {
    const inputReal = await Deno.realPath(paths.input);
    for (const written of [paths.output, `${paths.output}.partial`, `${paths.output}.manifest`]) {
      if (await sameFile(inputReal, input, written)) {
        throw new PstmError(
          `the output ${written} is the input ${paths.input} (${inputReal}); pstm never ` +
            "writes over its input: choose another output name",
          { file: paths.input, field: "-o/--output" },
        );
      }
    }
  }
  await checkWritableFolder(paths.output);
}

/** Whether `path` names the same file as the input (resolved path, or device and inode). */
async function sameFile(inputReal: string, input: Deno.FileInfo, path: string): Promise<boolean> {
  const info = await statOrUndefined(path);
  if (info) {
    if (info.dev === input.dev && info.ino === input.ino && info.ino !== null) return true;
    return (await Deno.realPath(path).catch(() => path)) === inputReal;
  }
  // not there yet: its folder resolved, then its name
  const slash = path.lastIndexOf("/");
  const folder = slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
  const name = path.slice(slash + 1);
  const folderReal = await Deno.realPath(folder).catch(() => undefined);
  return folderReal !== undefined && `${folderReal.replace(/\/$/, "")}/${name}` === inputReal;
}

/** Creates and removes a probe file beside the output; exit 1 naming the output when it fails. */
async function checkWritableFolder(output: string): Promise<void> {
  const probe = `${output}.pstm-probe-${Deno.pid}`;
  try {
    const file = await Deno.open(probe, { write: true, createNew: true });
    file.close();
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    throw new PstmError(
      `cannot create the output: ${(error as Error).message}; expected a writable folder`,
      { file: output },
      EXIT_RUNTIME,
      { cause: error },
    );
  }
  await Deno.remove(probe).catch(() => {});
}

async function statOrUndefined(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch {
    return undefined;
  }
}

/**
 * Checks `--memory` against the machine's physical memory: a budget above it
 * would plan tiles that cannot be allocated.
 *
 * @param memory the `--memory` text, or undefined (the default budget fits)
 * @param physical physical memory in bytes (default: this machine's)
 * @returns the budget in bytes, or undefined when no flag was given
 * @throws PstmError exit 2 naming both sizes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkMemoryFlag } from "./preflight.ts";
 * assert.equal(checkMemoryFlag("1GiB", 8 * 1024 ** 3), 1024 ** 3);
 * assert.throws(() => checkMemoryFlag("16GiB", 8 * 1024 ** 3), /physical memory/);
 * ```
 */
export function checkMemoryFlag(
  memory: string | undefined,
  physical: number | undefined = physicalMemory(),
): number | undefined {
  if (memory === undefined) return undefined;
  const budget = parseSize(memory);
  if (physical !== undefined && budget > physical) {
    throw new PstmError(
      `a budget of ${memory} (${formatBytes(budget)}) is above this machine's ` +
        `${formatBytes(physical)} of physical memory; give at most that`,
      { field: "--memory" },
    );
  }
  return budget;
}

function physicalMemory(): number | undefined {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return undefined;
  }
}

/** What the output will take on disk. */
export interface OutputSize {
  /** The output path (the file written is OUT.partial). */
  output: string;
  /** Bytes of the finished output. */
  bytes: number;
  /** Whether an existing OUT.partial is continued (its allocated blocks count as written). */
  resume: boolean;
}

/**
 * Checks that the free space of the output's file system covers the output
 * (the preallocated OUT.partial is sparse: its blocks are taken as tiles land).
 *
 * @param size the output and its size
 * @param free free bytes of the output's file system (default: asked of `df`;
 *   where that fails the check is skipped)
 * @throws PstmError exit 2 with both sizes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkDiskSpace } from "./preflight.ts";
 * await checkDiskSpace({ output: "out.sgy", bytes: 1000, resume: false }, 5000);
 * await assert.rejects(checkDiskSpace({ output: "out.sgy", bytes: 9000, resume: false }, 5000));
 * ```
 */
export async function checkDiskSpace(size: OutputSize, free?: number): Promise<void> {
  const available = free ?? await freeBytes(folderOf(size.output));
  if (available === undefined) return;
  let written = 0;
  if (size.resume) {
    const partial = await statOrUndefined(`${size.output}.partial`);
    written = partial?.blocks != null ? partial.blocks * 512 : 0;
  }
  const needed = size.bytes - written;
  if (needed > available) {
    throw new PstmError(
      `the output takes ${formatBytes(size.bytes)} (${size.bytes} bytes) but its file system ` +
        `has ${formatBytes(available)} free; free space, choose another folder, or shrink the ` +
        `job (--grid, --time, --offset-classes) ${overrideHint("disk-space")}`,
      { file: size.output },
      EXIT_BAD_INPUT,
    );
  }
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

/**
 * Free bytes of the file system that holds (or will hold) `output`.
 *
 * @param output a file path (its folder is asked)
 * @returns bytes available to this user, or undefined where `df` cannot tell
 */
export function freeDiskBytes(output: string): Promise<number | undefined> {
  return freeBytes(folderOf(output));
}

/** Free bytes of the file system holding `folder` (POSIX `df -Pk`), or undefined. */
async function freeBytes(folder: string): Promise<number | undefined> {
  if (Deno.build.os === "windows") return undefined;
  try {
    const out = await new Deno.Command("df", {
      args: ["-Pk", folder],
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    if (out.code !== 0) return undefined;
    const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
    const available = Number(lines.at(-1)?.trim().split(/\s+/)[3]);
    return Number.isFinite(available) ? available * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Turns a failed allocation (V8's `RangeError: Array buffer allocation
 * failed`, or an invalid array length) into a PstmError naming what was
 * being allocated and the flags that size it; other errors pass through.
 *
 * @param error what was thrown
 * @param what what was being allocated, e.g. "the tiles of pass 1 (4 x 1.2 GiB)"
 * @returns the error to throw
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { explainAllocationFailure } from "./preflight.ts";
 * const e = explainAllocationFailure(new RangeError("Array buffer allocation failed"), "tiles");
 * assert(e instanceof Error && e.message.includes("--memory"));
 * ```
 */
export function explainAllocationFailure(error: unknown, what: string): unknown {
  if (!(error instanceof RangeError)) return error;
  if (!/allocation failed|invalid (typed )?array length/i.test(error.message)) return error;
  return new PstmError(
    `could not allocate ${what}: ${error.message}; the machine has less free memory than the ` +
      "budget: lower --memory (or --batch-size, --tile-bins)",
    { field: "--memory" },
    EXIT_RUNTIME,
    { cause: error },
  );
}

/**
 * Checks the input's sample interval: the kernel needs dt > 0. Reported
 * against the input file (stdin as "stdin") and the header fields it comes from.
 *
 * @param dt the input's sample interval, s
 * @param input the input's name for the message
 * @throws PstmError exit 2 naming the file and field
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { checkInputSampling } from "./preflight.ts";
 * checkInputSampling(0.004, "in.sgy");
 * assert.throws(() => checkInputSampling(0, "in.sgy"), /in\.sgy, field dt/);
 * ```
 */
export function checkInputSampling(dt: number, input: string): void {
  if (dt > 0 && Number.isFinite(dt)) return;
  throw new PstmError(
    `the sample interval is ${dt * 1e6} us in the binary header and in the first trace ` +
      "header; expected the interval in microseconds (> 0)",
    { file: input, field: "dt (binary header bytes 3217-3218, trace bytes 117-118)" },
  );
}

/**
 * Finding and loading the native libraries, in one place.
 *
 * Search order for the "cpu" or "cuda" library:
 * 1. `PSTM_CPU_LIBRARY` / `PSTM_CUDA_LIBRARY`: the path of the file itself;
 * 2. `PSTM_LIB_DIR`: a folder holding `libpstm_cpu.so` / `libpstm_cuda.so`;
 * 3. the local build, `build/` at the repository root (found from this
 *    module's URL), which `deno task build` fills.
 *
 * @module
 */

import { EXIT_RUNTIME, PstmError } from "../core/errors.ts";
import { ABI_VERSION, type PstmLibrary, SYMBOLS } from "./symbols.ts";

/** Which native library: the CPU build or the CUDA build. */
export type NativeKind = "cpu" | "cuda";

/** File name of a library on this platform, e.g. `libpstm_cpu.so`. */
export function libraryFileName(kind: NativeKind): string {
  switch (Deno.build.os) {
    case "windows":
      return `pstm_${kind}.dll`;
    case "darwin":
      return `libpstm_${kind}.dylib`;
    default:
      return `libpstm_${kind}.so`;
  }
}

/** The local build folder, `build/` at the repository root. */
export function localBuildDir(): string {
  return fromFileUrl(new URL("../build/", import.meta.url));
}

/**
 * Where the library of `kind` is looked for (the environment overrides,
 * then the local build). The file need not exist.
 *
 * @param kind "cpu" or "cuda"
 * @returns an absolute or environment-given path
 */
export function libraryPath(kind: NativeKind): string {
  const file = env(kind === "cpu" ? "PSTM_CPU_LIBRARY" : "PSTM_CUDA_LIBRARY");
  if (file) return file;
  const dir = env("PSTM_LIB_DIR");
  if (dir) return joinPath(dir, libraryFileName(kind));
  return joinPath(localBuildDir(), libraryFileName(kind));
}

/**
 * Opens the native library of `kind` and checks its ABI version.
 *
 * @param kind "cpu" or "cuda"
 * @returns the opened library; close it with `close()`
 * @throws {PstmError} exit code 1, with the load error as `cause`, when the
 *   file is missing or does not load, and when its ABI version differs
 */
export function openLibrary(kind: NativeKind): PstmLibrary {
  const path = libraryPath(kind);
  let lib: PstmLibrary;
  try {
    lib = Deno.dlopen(path, SYMBOLS);
  } catch (cause) {
    throw new PstmError(
      `cannot load the ${kind} library (${errorText(cause)}): run \`deno task build\`, ` +
        "or set PSTM_LIB_DIR to the folder holding it",
      { file: path },
      EXIT_RUNTIME,
      { cause },
    );
  }
  const abi = lib.symbols.pstm_abi_version();
  if (abi !== ABI_VERSION) {
    lib.close();
    throw new PstmError(
      `ABI version ${abi} of the library differs from ${ABI_VERSION} of these bindings: ` +
        "rebuild with `deno task build`",
      { file: path },
      EXIT_RUNTIME,
    );
  }
  return lib;
}

/** Whether a native library can be used here, and why not. */
export interface NativeAvailability {
  /** "cpu" or "cuda". */
  kind: NativeKind;
  /** True when the library loads and reports at least one device. */
  available: boolean;
  /** Where the library was looked for. */
  path: string;
  /** Devices the library reports (0 when it does not load). */
  devices: number;
  /** One line for `pstm info`, e.g. "cuda: 0 CUDA devices". */
  reason: string;
}

/**
 * Reports whether the library of `kind` is usable, with a reason such as
 * "cuda: libpstm_cuda.so not built (nvcc not found at build time)" or
 * "cuda: 0 CUDA devices". Never throws.
 *
 * @param kind "cpu" or "cuda"
 * @returns availability and a one-line reason
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { nativeAvailability } from "./library.ts";
 * const cuda = nativeAvailability("cuda");
 * assert(cuda.available || cuda.reason.startsWith("cuda: "));
 * ```
 */
export function nativeAvailability(kind: NativeKind): NativeAvailability {
  const path = libraryPath(kind);
  const result = { kind, available: false, path, devices: 0 };
  if (!exists(path)) {
    return {
      ...result,
      reason: `${kind}: ${libraryFileName(kind)} not built (${whyMissing(kind)})`,
    };
  }
  let lib: PstmLibrary | undefined;
  try {
    lib = openLibrary(kind);
    const count = new Int32Array(1);
    if (lib.symbols.pstm_device_count(count) !== 0) {
      return { ...result, reason: `${kind}: cannot count devices` };
    }
    const devices = count[0];
    const unit = kind === "cuda" ? "CUDA device" : "device";
    return {
      ...result,
      available: devices > 0,
      devices,
      reason: `${kind}: ${devices} ${unit}${devices === 1 ? "" : "s"} (${path})`,
    };
  } catch (error) {
    return { ...result, reason: `${kind}: ${errorText(error)}` };
  } finally {
    lib?.close();
  }
}

function whyMissing(kind: NativeKind): string {
  if (kind === "cuda") {
    try {
      const cache = Deno.readTextFileSync(joinPath(localBuildDir(), "CMakeCache.txt"));
      if (!/^CMAKE_CUDA_COMPILER:[A-Z]*=\S*\//m.test(cache)) return "nvcc not found at build time";
    } catch {
      // no build yet
    }
  }
  return "run `deno task build`";
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name) || undefined;
  } catch {
    return undefined; // no --allow-env: use the local build
  }
}

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function joinPath(dir: string, file: string): string {
  return dir.endsWith("/") || dir.endsWith("\\") ? dir + file : `${dir}/${file}`;
}

function fromFileUrl(url: URL): string {
  const path = decodeURIComponent(url.pathname);
  return Deno.build.os === "windows" ? path.replace(/^\/([A-Za-z]:)/, "$1") : path;
}

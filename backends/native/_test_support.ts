/**
 * Bench and test support for the native backends (not part of the API):
 * making sure the CPU library is built. The kernel cases (lattices,
 * synthetic batches, parameters, relative L2) live in
 * tests/helpers/kernel_cases.ts; they are re-exported here for the benches
 * that still import them from this module.
 *
 * @module
 */

import { libraryPath } from "../../ffi/library.ts";

export {
  type BatchShape,
  type Layout,
  makeBatch,
  makePoints,
  makeVelocity,
  plainParams,
  random,
  relativeL2,
} from "../../tests/helpers/kernel_cases.ts";

/**
 * Builds the native library with cmake when `build/libpstm_cpu.so` is
 * missing (as `deno task build` does); throws with a clear message when it
 * cannot.
 */
export async function ensureCpuLibrary(): Promise<void> {
  const path = libraryPath("cpu");
  if (await isFile(path)) return;
  const root = new URL("../../", import.meta.url).pathname;
  const steps = [
    ["-S", "csrc", "-B", "build", "-DCMAKE_BUILD_TYPE=Release"],
    ["--build", "build", "-j", "2"],
  ];
  for (const args of steps) {
    let ok = false;
    try {
      const result = await new Deno.Command("cmake", { args, cwd: root, stdout: "null" }).output();
      ok = result.success;
    } catch {
      ok = false;
    }
    if (!ok) throw new Error(`${path} is missing and cmake failed: run \`deno task build\``);
  }
  if (!(await isFile(path))) throw new Error(`${path} is missing: run \`deno task build\``);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * The clock the cores run at under load: `pstm_bench_core_clock` of
 * libpstm_bench (csrc/bench/pstm_bench.h), a timed chain of dependent integer
 * adds on every core. The kernel bench's hardware bound uses it, since
 * /proc/cpuinfo gives only the nominal clock (2.10 GHz read on the
 * development machine, whose cores run at 3.5 GHz). Bench-only.
 *
 * @module
 */

import { localBuildDir } from "../ffi/library.ts";

const SYMBOLS = {
  pstm_bench_core_clock: {
    parameters: [
      "i32", // int32_t threads (0: all cores)
      "f64", // double seconds
      "buffer", // double* ghz
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/**
 * Measures the clock of busy cores, GHz: the mean over `threads` threads
 * (0: all cores) of a chain of dependent adds timed for about `seconds`
 * after as long a warm-up.
 *
 * @param threads threads to run at once (0: all cores)
 * @param seconds the timed run per thread, in (0, 10]
 * @returns GHz
 * @example
 * ```ts ignore
 * console.log(`${measureCoreClock().toFixed(2)} GHz`);
 * ```
 */
export function measureCoreClock(threads = 0, seconds = 0.1): number {
  const dir = Deno.env.get("PSTM_LIB_DIR") ?? localBuildDir();
  const lib = Deno.dlopen(`${dir.replace(/\/$/, "")}/libpstm_bench.so`, SYMBOLS);
  try {
    const ghz = new Float64Array(1);
    const status = lib.symbols.pstm_bench_core_clock(threads, seconds, ghz);
    if (status !== 0) throw new Error(`pstm_bench_core_clock failed: status ${status}`);
    return ghz[0];
  } finally {
    lib.close();
  }
}

/** The highest "cpu MHz" of /proc/cpuinfo in GHz, the nominal clock (0 where it cannot be read). */
export function nominalClockGhz(): number {
  try {
    const mhz = [...Deno.readTextFileSync("/proc/cpuinfo").matchAll(/cpu MHz\s*:\s*([\d.]+)/g)]
      .map((m) => Number(m[1]));
    return mhz.length ? Math.max(...mhz) / 1000 : 0;
  } catch {
    return 0;
  }
}

/**
 * The benchmarks' baseline: `pstm_bench_baseline_loop` of libpstm_bench
 * (csrc/bench/pstm_bench.h), the minimal vectorised OpenMP loop that the CPU
 * kernel is measured against in the same run. Bench-only: the production
 * bindings (ffi/) do not know it.
 *
 * @module
 */

import type { KernelBatch, KernelParams } from "../backends/backend.ts";
import { encodeParams } from "../backends/native/native_params.ts";
import { localBuildDir } from "../ffi/library.ts";

const SYMBOLS = {
  pstm_bench_baseline_loop: {
    parameters: [
      "buffer", // const pstm_params* params
      "i32", // int32_t threads (0: all cores)
      "buffer", // const float* points
      "buffer", // const float* velocity
      "i32", // int32_t ntraces
      "buffer", // const float* traces
      "buffer", // const float* geometry
      "buffer", // const int32_t* trace_class
      "buffer", // float* image
    ],
    result: "i32",
  },
} as const satisfies Deno.ForeignLibraryInterface;

/** The opened baseline library. */
export interface BaselineLoop {
  /**
   * Adds the batch into `image` with the baseline loop on `threads` threads
   * (0: all cores), plain mode.
   */
  run(
    params: KernelParams,
    points: Float32Array<ArrayBuffer>,
    velocity: Float32Array<ArrayBuffer>,
    batch: KernelBatch,
    image: Float32Array<ArrayBuffer>,
    threads?: number,
  ): void;
  /** Unloads the library. */
  close(): void;
}

/**
 * Opens libpstm_bench from PSTM_LIB_DIR or the local build (`deno task build`).
 *
 * @returns the baseline loop
 * @example
 * ```ts ignore
 * const baseline = openBaselineLoop();
 * baseline.run(params, points, velocity, batch, image);
 * baseline.close();
 * ```
 */
export function openBaselineLoop(): BaselineLoop {
  const dir = Deno.env.get("PSTM_LIB_DIR") ?? localBuildDir();
  const lib = Deno.dlopen(`${dir.replace(/\/$/, "")}/libpstm_bench.so`, SYMBOLS);
  return {
    run(params, points, velocity, batch, image, threads = 0) {
      const status = lib.symbols.pstm_bench_baseline_loop(
        encodeParams(params),
        threads,
        points,
        velocity,
        batch.count,
        batch.traces as Float32Array<ArrayBuffer>,
        batch.geometry as Float32Array<ArrayBuffer>,
        batch.traceClass as Int32Array<ArrayBuffer>,
        image,
      );
      if (status !== 0) throw new Error(`pstm_bench_baseline_loop failed: status ${status}`);
    },
    close: () => lib.close(),
  };
}

/**
 * Thresholds of `deno task bench:gate` (bench/gate.ts), in one place. Each is
 * a ratio of two rates measured in the same run on the same machine, so a
 * slower or busier machine moves both sides; each sits well below the value
 * measured on the 2-core bench machine (figures in docs/performance.md) so
 * that noise from other processes on a shared 2-core machine does not fail
 * CI, while a kernel made 2x slower does.
 *
 * @module
 */

/** A gate: the measured ratio must be >= min. */
export interface Threshold {
  /** Lowest acceptable ratio. */
  min: number;
  /** What is compared, and why this margin. */
  why: string;
}

/**
 * The gates by name. "measured" figures: the bench machine (2-core AMD EPYC
 * with AVX-512), idle and while another 2-thread job ran; the self-test
 * (PSTM_GATE_SELFTEST=slow, the optimised side 3x slower) must fail each.
 */
export const THRESHOLDS = {
  /**
   * CPU backend plain mode (all threads) vs pstm_minimal_loop (one thread,
   * the practical ceiling). Issue 3's target is 1.5x; measured 5.6x idle.
   * 2.5 keeps the target with margin and still catches a 2x slower kernel.
   */
  cpuPlainVsMinimal: {
    min: 2.5,
    why: "cpu plain / minimal loop (target 1.5x; measured 5.6x idle)",
  },
  /**
   * CPU backend with triangle antialiasing vs the plain minimal loop. Target
   * 0.5x; measured 2.9x idle, 1.7x under load; 1.2 catches a 2.5x slower kernel.
   */
  cpuAntialiasedVsMinimal: {
    min: 1.2,
    why: "cpu antialiased / minimal loop (target 0.5x; measured 2.9x idle)",
  },
  /**
   * End-to-end traces/s of a 10,000-trace run split into 8 x 8-bin tiles (90
   * tiles) vs the same run in one in-memory tile (in-process runMigration).
   * More tiles re-select traces per tile and open more tiles; measured 0.63
   * idle; below 0.35 the streaming path has regressed.
   */
  streamedVsInMemory: {
    min: 0.35,
    why: "90 tiles / one in-memory tile, traces/s (measured 0.63 idle)",
  },
  /**
   * WebGPU backend vs the reference TypeScript kernel on a hardware adapter
   * (not measured: no GPU on the bench machine; a GPU should be >= 10x).
   */
  webgpuVsReference: {
    min: 3,
    why: "webgpu / reference TS kernel on a hardware adapter (not measured here)",
  },
  /**
   * The same on a software (fallback) adapter such as llvmpipe, which runs
   * the shader on the CPU: measured 0.96 idle; 0.4 catches a 2x slower shader.
   */
  webgpuFallbackVsReference: {
    min: 0.4,
    why: "webgpu on a software adapter / reference TS kernel (measured 0.96 idle)",
  },
  /**
   * CPU kernel with the traveltime table vs direct traveltimes on a tile of
   * the standard workload (v(tau) 1,800 -> 4,200 m/s, 1,001 samples,
   * aperture 1,500 m, 60 deg) with VTI eta 0.05, where the table should win:
   * measured 1.41x idle. Below 0.9 the table path has become slower than
   * direct.
   */
  tableVsDirect: {
    min: 0.9,
    why: "cpu table / cpu direct on a v(tau) tile with eta (measured 1.41x idle)",
  },
} as const satisfies Record<string, Threshold>;

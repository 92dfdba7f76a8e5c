/**
 * The native backends: the C++ CPU library and the CUDA library, both
 * behind csrc/include/pstm.h, called through Deno FFI.
 *
 * @module
 */

import type { Backend, BackendStats, BackendTile, KernelParams, TileInputs } from "../backend.ts";
import { checkTileBuffers } from "./native_buffers.ts";
import { type NativeKind, openLibrary } from "../../ffi/library.ts";
import { encodeParams } from "./native_params.ts";
import { check } from "../../ffi/status.ts";
import type { PstmLibrary } from "../../ffi/symbols.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { describeDevice, type NativeDevice } from "./native_info.ts";
import { NativeTile, type TileOwner } from "./native_tile.ts";

export { type NativeDevice, type NativeDeviceInfo, nativeDeviceInfo } from "./native_info.ts";
export type { NativeKind } from "../../ffi/library.ts";

/** Options of `NativeBackend.open`. */
export interface NativeBackendOptions {
  /**
   * CPU threads of every kernel call, 0 (default) = all cores (OMP_NUM_THREADS, else every
   * core); ignored by CUDA. The one place they are set: the tile parameters carry none.
   */
  threads?: number;
  /** Device index, default 0. */
  device?: number;
}

/**
 * A Backend over libpstm_cpu or libpstm_cuda. Tiles accumulate through
 * nonblocking native calls, so reading the next batch overlaps the kernel.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { NativeBackend } from "./native_backend.ts";
 * import { ReferenceBackend } from "../reference/reference_backend.ts";
 * import { makeBatch, makePoints, makeVelocity, plainParams } from "../../bench/kernel_cases.ts";
 * const params = plainParams({ npoints: 16 });
 * const inputs = { params, points: makePoints({ kind: "grid", nx: 4, ny: 4, spacing: 25 }),
 *   velocity: makeVelocity(params) };
 * const batch = makeBatch({ count: 64, extentX: 100, extentY: 100, maxHalfOffset: 300,
 *   azimuthSpreadDeg: 180, nclass: 1, ns: params.ns, integrated: false, seed: 1 });
 * const migrate = async (backend: NativeBackend | ReferenceBackend) => {
 *   const tile = backend.openTile(inputs);
 *   await tile.accumulate(batch);
 *   const image = await tile.finish();
 *   tile.close();
 *   return image;
 * };
 * using cpu = NativeBackend.open("cpu"); // needs build/libpstm_cpu.so (deno task build)
 * const reference = new ReferenceBackend();
 * const [a, b] = [await migrate(cpu), await migrate(reference)];
 * const err = Math.hypot(...a.map((v, i) => v - b[i])) / Math.hypot(...b);
 * reference.close();
 * assert(err < 1e-4, `cpu vs reference relative L2 ${err}`);
 * ```
 */
export class NativeBackend implements Backend {
  /** "cpu" or "cuda". */
  readonly name: NativeKind;
  /** The device, as the library names it, and the kernels' instruction set. */
  readonly device: string;
  /**
   * The instruction set the kernels run on: "avx3" (AVX-512), "avx2",
   * "sse4", "neon", "emu128" or "portable" on the CPU (the best the CPU
   * runs, or the environment's PSTM_SIMD), "cuda" on the GPU.
   */
  readonly target: string;
  /** For CUDA, 80% of the device's free memory when opened; undefined on the CPU. */
  readonly memoryLimit?: number;
  #lib: PstmLibrary;
  #context: Deno.PointerValue;
  #tiles = new Set<NativeTile>();
  #closing = false;
  #owner: TileOwner;

  private constructor(
    kind: NativeKind,
    lib: PstmLibrary,
    context: Deno.PointerValue,
    device: NativeDevice,
  ) {
    this.name = kind;
    const target = lib.symbols.pstm_context_target(context);
    this.target = target === null ? "" : Deno.UnsafePointerView.getCString(target);
    this.device = kind === "cpu" ? `${device.name}, ${this.target} kernels` : device.name;
    if (kind === "cuda") this.memoryLimit = Math.floor(0.8 * device.freeBytes);
    this.#lib = lib;
    this.#context = context;
    this.#owner = {
      lib,
      released: (tile) => {
        this.#tiles.delete(tile);
        if (this.#closing && this.#tiles.size === 0) this.#destroy();
      },
    };
  }

  /**
   * Loads the library of `kind` and creates a context on a device.
   *
   * @param kind "cpu" or "cuda"
   * @param options threads (CPU) and device index
   * @returns the backend; release it with `close()` or `using`
   * @throws {PstmError} when the library does not load (exit 1), an option
   *   is invalid (exit 2) or the device does not exist (exit 1)
   */
  static open(kind: NativeKind, options: NativeBackendOptions = {}): NativeBackend {
    const threads = options.threads ?? 0;
    const device = options.device ?? 0;
    for (const [field, value] of [["threads", threads], ["device", device]] as const) {
      if (!Number.isInteger(value) || value < 0 || value > 2 ** 31 - 1) {
        throw new PstmError(`must be an integer >= 0: got ${value}`, { field });
      }
    }
    const lib = openLibrary(kind);
    try {
      const out = new BigUint64Array(1);
      check(lib, lib.symbols.pstm_context_create(device, threads, out), "pstm_context_create");
      const context = Deno.UnsafePointer.create(out[0]);
      try {
        return new NativeBackend(kind, lib, context, describeDevice(lib, device));
      } catch (error) {
        lib.symbols.pstm_context_destroy(context);
        throw error;
      }
    } catch (error) {
      lib.close();
      throw error;
    }
  }

  /**
   * Opens an output tile. The image is allocated here, zeroed, and returned
   * by the tile's `finish()`. `points` and `velocity` must stay unmodified
   * until then.
   *
   * @param inputs parameters, output columns and velocity
   * @returns the tile
   * @throws {PstmError} exit code 2 for bad parameters or buffers
   */
  openTile(inputs: TileInputs): BackendTile {
    if (this.#closing) throw new PstmError("openTile: the backend is closed", {}, EXIT_RUNTIME);
    const { params, points, velocity } = inputs;
    const encoded = encodeParams(params);
    const image = new Float32Array(params.nclass * params.npoints * params.ntau);
    checkTileBuffers(params, points, velocity, image);
    const buffers = {
      points: points as Float32Array<ArrayBuffer>,
      velocity: velocity as Float32Array<ArrayBuffer>,
      image,
    };
    const out = new BigUint64Array(1);
    const status = this.#lib.symbols.pstm_tile_open(
      this.#context,
      encoded,
      buffers.points,
      buffers.velocity,
      image,
      out,
    );
    check(this.#lib, status, "pstm_tile_open");
    const handle = Deno.UnsafePointer.create(out[0]);
    const tile = new NativeTile(this.#owner, handle, params, buffers, this.name === "cpu");
    this.#tiles.add(tile);
    return tile;
  }

  /**
   * Bytes one output column holds while its tile is open: the image, the velocity and point
   * the tile is given, the library's 1/v^2 per sample, and with a maximum angle its reach
   * and running maximum per sample.
   *
   * @param params the tile parameters (nclass, ntau, maxAngle)
   * @returns bytes per column
   */
  bytesPerColumn(params: KernelParams): number {
    const arrays = params.maxAngle > 0 && params.maxAngle < 90 ? 4 : 2;
    return 4 * params.ntau * (params.nclass + arrays) + 8;
  }

  /**
   * The CPU threads the kernels run on (`pstm_context_threads`): the team of the latest batch,
   * or before any the count given to `open` (all cores for 0); 0 on CUDA.
   */
  get threads(): number {
    return this.#context === null ? 0 : this.#lib.symbols.pstm_context_threads(this.#context);
  }

  /**
   * Kernel time, contributions and peak device memory since the backend opened, and on the CPU
   * the threads the kernels ran on.
   */
  stats(): BackendStats {
    const s = this.#readStats();
    return {
      kernelSeconds: s.kernelSeconds,
      contributions: s.contributions,
      deviceBytes: s.deviceBytes,
      ...(this.name === "cpu" && this.#context !== null ? { threads: this.threads } : {}),
    };
  }

  /**
   * How the CPU kernel's SIMD sample lookups went since the backend opened:
   * vectors served from a register window, and vectors that gathered (the
   * exact fallback for velocity inversions, coarse output sampling, wide
   * antialiasing triangles and the trace end). Both 0 on CUDA and on the
   * portable kernel.
   *
   * @returns the two counts
   */
  lookups(): { window: number; gather: number } {
    const s = this.#readStats();
    return { window: s.windowLookups, gather: s.gatherLookups };
  }

  #readStats() {
    if (this.#context === null) {
      return {
        kernelSeconds: 0,
        contributions: 0,
        deviceBytes: 0,
        windowLookups: 0,
        gatherLookups: 0,
      };
    }
    const out = new Uint8Array(40);
    check(
      this.#lib,
      this.#lib.symbols.pstm_context_stats(this.#context, out),
      "pstm_context_stats",
    );
    const view = new DataView(out.buffer);
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    return {
      kernelSeconds: view.getFloat64(0, little),
      contributions: view.getFloat64(8, little),
      deviceBytes: Number(view.getBigUint64(16, little)),
      windowLookups: view.getFloat64(24, little),
      gatherLookups: view.getFloat64(32, little),
    };
  }

  /**
   * Closes every tile and releases the context and the library, once calls
   * still running return. Safe to call twice.
   */
  close(): void {
    if (this.#closing) return;
    this.#closing = true;
    for (const tile of [...this.#tiles]) tile.close();
    if (this.#tiles.size === 0) this.#destroy();
  }

  /** Same as `close()`, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #destroy(): void {
    if (this.#context === null) return;
    this.#lib.symbols.pstm_context_destroy(this.#context);
    this.#context = null;
    this.#lib.close();
  }
}

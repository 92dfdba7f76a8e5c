/**
 * The WebGPU backend: the Kirchhoff PSTM kernel of migrate_wgsl.ts run
 * through Deno's built-in WebGPU (Metal, Vulkan, DX12, or a software adapter
 * such as llvmpipe). Split as backends/native is: this file opens the
 * adapter and device and hands out tiles; webgpu_context.ts holds the device,
 * the kernel, shared buffers and statistics; webgpu_tile.ts one tile's
 * buffers, dispatches and read-back; webgpu_batch.ts regroups a batch by
 * class; work_split.ts splits tiles and batches to the device's limits. The
 * kernel (migrate_wgsl.ts) holds only math.
 *
 * @module
 */

import type { Backend, BackendStats, BackendTile, KernelParams, TileInputs } from "../backend.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { describeAdapter, requestWebGpuAdapter } from "./availability.ts";
import { WebGpuContext } from "./webgpu_context.ts";
import { WebGpuTile } from "./webgpu_tile.ts";
import type { SplitLimits } from "./work_split.ts";

/** Options of {@linkcode WebGpuBackend.open}. */
export interface WebGpuBackendOptions {
  /** Adapter preference; default "high-performance". */
  powerPreference?: GPUPowerPreference;
  /**
   * Largest storage binding to use, bytes; default and upper bound: the
   * device's maxStorageBufferBindingSize and maxBufferSize. Smaller values
   * force the split into point chunks and trace sub-batches (tests).
   */
  maxBindingBytes?: number;
  /** Largest workgroup count per dispatch dimension; default and upper bound: the device's. */
  maxWorkgroupsPerDimension?: number;
  /** Invocations per workgroup along tau; default 64, at most the device's limits. */
  workgroupSize?: number;
}

/**
 * A migration backend on WebGPU. One invocation per output sample (class,
 * point, tau), 64 along tau per workgroup, looping over the batch's traces of
 * its class; tiles larger than one storage binding are split into chunks of
 * points, batches into sub-batches.
 *
 * `stats().kernelSeconds` is wall time from each submit to its
 * `onSubmittedWorkDone` (overlapping submissions counted once), not GPU
 * timestamps; `contributions` are counted on the device and added when a
 * tile finishes.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { WebGpuBackend } from "./webgpu_backend.ts";
 * import { webgpuAvailability } from "./availability.ts";
 * if ((await webgpuAvailability()).available) {
 *   using backend = await WebGpuBackend.open();
 *   const params = { ns: 3, t0: 0, dt: 1, npoints: 1, ntau: 1, tau0: 1, dtau: 1, nclass: 1,
 *     aperture: 0, maxAngle: 0, taper: 0, antialias: false, traceSpacing: 1,
 *     weights: "none" as const, eta: 0 };
 *   const tile = backend.openTile({ params, points: new Float32Array(2),
 *     velocity: new Float32Array([1000]) });
 *   await tile.accumulate({ count: 1, traces: new Float32Array([0, 5, 0]),
 *     geometry: new Float32Array(4), traceClass: new Int32Array(1) });
 *   const image = await tile.finish();
 *   assert(image[0] === 5);
 *   tile.close();
 * }
 * ```
 */
export class WebGpuBackend implements Backend {
  /** Always "webgpu". */
  readonly name = "webgpu";
  /** The adapter's description, for example "llvmpipe (LLVM 15.0.6, 256 bits)". */
  readonly device: string;
  /** The limits the work split respects (after the options' caps). */
  readonly limits: Readonly<SplitLimits>;
  #ctx: WebGpuContext;

  private constructor(ctx: WebGpuContext, device: string) {
    this.#ctx = ctx;
    this.device = device;
    this.limits = ctx.limits;
  }

  /**
   * Requests an adapter and a device with the adapter's limits, and compiles
   * the kernel.
   *
   * @param options adapter preference and optional caps on the limits
   * @returns the backend
   * @throws {PstmError} exit 1 when no adapter exists or the device fails
   */
  static async open(options: WebGpuBackendOptions = {}): Promise<WebGpuBackend> {
    checkOption("maxBindingBytes", options.maxBindingBytes, 16);
    checkOption("maxWorkgroupsPerDimension", options.maxWorkgroupsPerDimension, 1);
    checkOption("workgroupSize", options.workgroupSize, 1);
    const { adapter, reason } = await requestWebGpuAdapter(options);
    if (adapter === null) {
      throw new PstmError(`WebGPU backend unavailable: ${reason}`, {
        field: "--backend webgpu",
      }, EXIT_RUNTIME);
    }
    const a = adapter.limits;
    let device: GPUDevice;
    try {
      device = await adapter.requestDevice({
        requiredLimits: {
          maxStorageBufferBindingSize: a.maxStorageBufferBindingSize,
          maxBufferSize: a.maxBufferSize,
          maxComputeWorkgroupsPerDimension: a.maxComputeWorkgroupsPerDimension,
          maxComputeInvocationsPerWorkgroup: a.maxComputeInvocationsPerWorkgroup,
          maxComputeWorkgroupSizeX: a.maxComputeWorkgroupSizeX,
          maxStorageBuffersPerShaderStage: a.maxStorageBuffersPerShaderStage,
        },
      });
    } catch (error) {
      throw new PstmError(
        `WebGPU requestDevice failed on ${describeAdapter(adapter)}`,
        { field: "--backend webgpu" },
        EXIT_RUNTIME,
        { cause: error },
      );
    }
    const d = device.limits;
    const limits: SplitLimits = {
      maxBindingBytes: Math.min(
        d.maxStorageBufferBindingSize,
        d.maxBufferSize,
        options.maxBindingBytes ?? Infinity,
      ),
      maxWorkgroupsPerDimension: Math.min(
        d.maxComputeWorkgroupsPerDimension,
        options.maxWorkgroupsPerDimension ?? Infinity,
      ),
      workgroupSize: Math.min(
        options.workgroupSize ?? 64,
        d.maxComputeInvocationsPerWorkgroup,
        d.maxComputeWorkgroupSizeX,
      ),
    };
    const ctx = await WebGpuContext.create(device, limits);
    return new WebGpuBackend(ctx, describeAdapter(adapter));
  }

  /**
   * Opens an output tile: uploads its points and velocity (per point chunk)
   * and a zeroed image.
   *
   * @param inputs the tile's parameters, points and velocity
   * @returns the tile
   * @throws {PstmError} exit 2 for inconsistent sizes, exit 1 when the tile cannot be split
   */
  openTile(inputs: TileInputs): BackendTile {
    return new WebGpuTile(this.#ctx, inputs);
  }

  /**
   * Bytes one output column holds while its tile is open: on the device its image, velocity
   * and point; on the host the velocity and point the tile is given and the image read back.
   * Counted together, since a software adapter or unified memory (Apple) puts the device
   * buffers in host memory.
   *
   * @param params the tile parameters (nclass, ntau)
   * @returns bytes per column
   */
  bytesPerColumn(params: KernelParams): number {
    return 2 * (4 * params.ntau * (params.nclass + 1) + 8);
  }

  /**
   * Statistics since the backend opened.
   *
   * @returns kernel seconds (submit-to-done wall time), contributions of finished tiles,
   * peak device bytes
   */
  stats(): BackendStats {
    return {
      kernelSeconds: this.#ctx.kernelMs / 1000,
      contributions: this.#ctx.contributions,
      deviceBytes: this.#ctx.peakBytes,
    };
  }

  /** Destroys every buffer and the device; safe to call twice. */
  close(): void {
    this.#ctx.close();
  }

  /** Same as {@linkcode WebGpuBackend.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}

function checkOption(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `Cannot open WebGpuBackend as ${name} must be an integer >= ${min}: current value is ${value}`,
    );
  }
}

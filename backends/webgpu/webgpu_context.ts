/**
 * The WebGPU device context of a backend and its tiles: the device, the
 * compiled kernel, the trace buffers shared by every tile, the byte count of
 * every buffer created, kernel timing and the lost-device state.
 *
 * @module
 */

import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { MIGRATE_WGSL } from "./migrate_wgsl.ts";
import type { SplitLimits } from "./work_split.ts";

/** Smallest buffer the backend creates (a binding may not be empty). */
const MIN_BUFFER_BYTES = 16;

/**
 * Device, pipeline, shared trace buffers and statistics; shared by a backend and its tiles
 * (internal to backends/webgpu: open one with `WebGpuBackend.open`).
 *
 * @example
 * ```ts ignore
 * const ctx = await WebGpuContext.create(device, limits);
 * const buffer = ctx.createBuffer("x", 64, GPUBufferUsage.STORAGE);
 * ctx.destroyBuffer(buffer);
 * ctx.close();
 * ```
 */
export class WebGpuContext {
  readonly device: GPUDevice;
  readonly limits: SplitLimits;
  readonly pipeline: GPUComputePipeline;
  readonly layout: GPUBindGroupLayout;
  kernelMs = 0;
  contributions = 0;
  peakBytes = 0;
  closed = false;
  lostReason: string | null = null;
  #bytes = 0;
  #lastDoneMs = 0;
  #lastDone: Promise<void> = Promise.resolve();
  #traces: GPUBuffer | null = null;
  #geometry: GPUBuffer | null = null;
  #ranges: GPUBuffer | null = null;
  #sizes = new Map<GPUBuffer, number>();
  #scratchTraces = new Float32Array(0);
  #scratchGeometry = new Float32Array(0);

  private constructor(
    device: GPUDevice,
    limits: SplitLimits,
    pipeline: GPUComputePipeline,
  ) {
    this.device = device;
    this.limits = limits;
    this.pipeline = pipeline;
    this.layout = pipeline.getBindGroupLayout(0);
    device.lost.then((info) => {
      if (!this.closed) this.lostReason = `${info.reason}: ${info.message}`;
    });
  }

  static async create(device: GPUDevice, limits: SplitLimits): Promise<WebGpuContext> {
    device.pushErrorScope("validation");
    const module = device.createShaderModule({ label: "pstm migrate", code: MIGRATE_WGSL });
    let pipeline: GPUComputePipeline;
    try {
      pipeline = await device.createComputePipelineAsync({
        label: "pstm migrate",
        layout: "auto",
        compute: { module, entryPoint: "migrate", constants: { WG_SIZE: limits.workgroupSize } },
      });
    } catch (error) {
      await device.popErrorScope();
      device.destroy();
      throw new PstmError(
        "WebGPU could not build the migration kernel",
        {
          field: "migrate_wgsl.ts",
        },
        EXIT_RUNTIME,
        { cause: error },
      );
    }
    const error = await device.popErrorScope();
    if (error !== null) {
      device.destroy();
      throw new PstmError(`WebGPU could not build the migration kernel: ${error.message}`, {
        field: "migrate_wgsl.ts",
      }, EXIT_RUNTIME);
    }
    return new WebGpuContext(device, limits, pipeline);
  }

  /** Throws when the backend is closed or the device lost. */
  check(what: string): void {
    if (this.closed) {
      throw new PstmError(`cannot ${what}: the WebGPU backend is closed`, {}, EXIT_RUNTIME);
    }
    if (this.lostReason !== null) {
      throw new PstmError(`cannot ${what}: WebGPU device lost (${this.lostReason})`, {
        field: "webgpu",
      }, EXIT_RUNTIME);
    }
  }

  createBuffer(label: string, size: number, usage: number): GPUBuffer {
    const bytes = Math.max(MIN_BUFFER_BYTES, Math.ceil(size / 4) * 4);
    const buffer = this.device.createBuffer({ label, size: bytes, usage });
    this.#sizes.set(buffer, bytes);
    this.#bytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.#bytes);
    return buffer;
  }

  destroyBuffer(buffer: GPUBuffer | null): void {
    if (buffer === null) return;
    const bytes = this.#sizes.get(buffer);
    if (bytes === undefined) return;
    this.#sizes.delete(buffer);
    this.#bytes -= bytes;
    buffer.destroy();
  }

  /** Reused trace, geometry and class-range buffers, grown (up to the binding limit) on demand. */
  sharedBuffers(traceBytes: number, geometryBytes: number, rangeBytes: number): {
    traces: GPUBuffer;
    geometry: GPUBuffer;
    ranges: GPUBuffer;
  } {
    const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    const grow = (buffer: GPUBuffer | null, bytes: number, label: string): GPUBuffer => {
      const have = buffer === null ? 0 : this.#sizes.get(buffer) ?? 0;
      if (buffer !== null && have >= bytes) return buffer;
      this.destroyBuffer(buffer);
      const cap = Math.floor(this.limits.maxBindingBytes / 4) * 4;
      return this.createBuffer(label, Math.max(bytes, Math.min(2 * have, cap)), usage);
    };
    this.#traces = grow(this.#traces, traceBytes, "pstm traces");
    this.#geometry = grow(this.#geometry, geometryBytes, "pstm geometry");
    this.#ranges = grow(this.#ranges, rangeBytes, "pstm class ranges");
    return { traces: this.#traces, geometry: this.#geometry, ranges: this.#ranges };
  }

  /** Host scratch for a sub-batch regrouped by class. */
  scratch(traceFloats: number, geometryFloats: number): [Float32Array, Float32Array] {
    if (this.#scratchTraces.length < traceFloats) {
      this.#scratchTraces = new Float32Array(traceFloats);
    }
    if (this.#scratchGeometry.length < geometryFloats) {
      this.#scratchGeometry = new Float32Array(geometryFloats);
    }
    return [this.#scratchTraces, this.#scratchGeometry];
  }

  /**
   * Submits kernel work and times it (submit to onSubmittedWorkDone, wall
   * clock, overlaps counted once); resolves when the previous submission is
   * done, so at most two are in flight.
   */
  async submitKernel(commands: GPUCommandBuffer): Promise<void> {
    const start = performance.now();
    this.device.queue.submit([commands]);
    const previous = this.#lastDone;
    this.#lastDone = this.device.queue.onSubmittedWorkDone().then(() => {
      const end = performance.now();
      this.kernelMs += Math.max(0, end - Math.max(start, this.#lastDoneMs));
      this.#lastDoneMs = Math.max(this.#lastDoneMs, end);
    });
    await previous;
  }

  /** Resolves when every kernel submitted so far is done. */
  drain(): Promise<void> {
    return this.#lastDone;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const buffer of [...this.#sizes.keys()]) this.destroyBuffer(buffer);
    this.#traces = this.#geometry = this.#ranges = null;
    this.device.destroy();
  }
}

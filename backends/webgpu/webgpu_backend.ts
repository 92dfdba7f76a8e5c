/**
 * The WebGPU backend: the Kirchhoff PSTM kernel of migrate_wgsl.ts run
 * through Deno's built-in WebGPU (Metal, Vulkan, DX12, or a software adapter
 * such as llvmpipe). This file is the driver: device set-up, the split of
 * tiles and batches to the device's limits, uploads, dispatches, read-back
 * and statistics. The kernel holds only math.
 *
 * @module
 */

import type {
  Backend,
  BackendStats,
  BackendTile,
  KernelBatch,
  KernelParams,
  TileInputs,
} from "../backend.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { validateBatch, validateTileInputs } from "../validate_tile.ts";
import { ANTIALIAS, optionCode, WEIGHTS } from "../../core/options.ts";
import { describeAdapter, requestWebGpuAdapter } from "./availability.ts";
import { MIGRATE_WGSL } from "./migrate_wgsl.ts";
import { type PointChunk, type SplitLimits, splitTile, type TileSplit } from "./work_split.ts";

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

/** Bytes of the kernel's uniform parameter block (21 four-byte words, padded to 16 bytes). */
const PARAMS_BYTES = 96;
/** Smallest buffer the backend creates (a binding may not be empty). */
const MIN_BUFFER_BYTES = 16;

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
 *     weights: "none" as const, eta: 0, threads: 0 };
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
  #ctx: _GpuContext;

  private constructor(ctx: _GpuContext, device: string) {
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
    const ctx = await _GpuContext.create(device, limits);
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

/** Device, pipeline, shared trace buffers and statistics; shared by a backend and its tiles. */
class _GpuContext {
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

  static async create(device: GPUDevice, limits: SplitLimits): Promise<_GpuContext> {
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
    return new _GpuContext(device, limits, pipeline);
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

/** The buffers of one point chunk of a tile. */
interface ChunkBuffers {
  chunk: PointChunk;
  params: GPUBuffer;
  points: GPUBuffer;
  velocity: GPUBuffer;
  image: GPUBuffer;
}

/** A batch's traces of one sub-batch grouped by class, ready to upload. */
interface GroupedBatch {
  traces: Float32Array;
  geometry: Float32Array;
  /** `[nclass][2]` first and end trace of each class in `traces`. */
  ranges: Uint32Array;
  /** Traces with a class in 0..nclass-1. */
  used: number;
}

/** An output tile on the device. */
class WebGpuTile implements BackendTile {
  #ctx: _GpuContext;
  #params: KernelParams;
  #split: TileSplit;
  #chunks: ChunkBuffers[] = [];
  #counter: GPUBuffer | null;
  #created: Promise<GPUError | null>;
  #state: "open" | "finishing" | "finished" | "closed" = "open";
  #result: Promise<Float32Array> | null = null;
  #queue: Promise<void> = Promise.resolve();

  constructor(ctx: _GpuContext, inputs: TileInputs) {
    ctx.check("open a tile");
    const p = inputs.params;
    validateTileInputs(inputs);
    this.#ctx = ctx;
    this.#params = { ...p };
    this.#split = splitTile(p, ctx.limits);
    const { device } = ctx;
    const tanMax = p.maxAngle > 0 && p.maxAngle < 90 ? Math.tan((p.maxAngle * Math.PI) / 180) : 0;
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    const storageIn = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
    for (const chunk of this.#split.chunks) {
      const params = ctx.createBuffer(
        "pstm params",
        PARAMS_BYTES,
        GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
      );
      device.queue.writeBuffer(params, 0, paramsBlock(p, chunk, tanMax));
      const points = ctx.createBuffer("pstm points", 8 * chunk.count, storageIn);
      device.queue.writeBuffer(
        points,
        0,
        bytesOf(inputs.points.subarray(2 * chunk.first, 2 * (chunk.first + chunk.count))),
      );
      const velocity = ctx.createBuffer("pstm velocity", 4 * chunk.count * p.ntau, storageIn);
      device.queue.writeBuffer(
        velocity,
        0,
        bytesOf(
          inputs.velocity.subarray(chunk.first * p.ntau, (chunk.first + chunk.count) * p.ntau),
        ),
      );
      const image = ctx.createBuffer(
        "pstm image",
        4 * p.nclass * chunk.count * p.ntau,
        GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
      );
      this.#chunks.push({ chunk, params, points, velocity, image });
    }
    this.#counter = ctx.createBuffer(
      "pstm contributions",
      8,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    );
    const validation = device.popErrorScope();
    const memory = device.popErrorScope();
    this.#created = Promise.all([validation, memory]).then(([v, m]) => v ?? m);
  }

  /**
   * Adds a batch: regroups each sub-batch by class when needed, uploads it
   * into the shared buffers and dispatches every point chunk. Calls on one
   * tile run one after the other; finish() waits for them.
   */
  async accumulate(batch: KernelBatch): Promise<void> {
    this.#checkOpen("accumulate into");
    validateBatch(this.#params, batch);
    const run = this.#queue.then(() => this.#accumulate(batch));
    this.#queue = run.catch(() => {});
    await run;
  }

  async #accumulate(batch: KernelBatch): Promise<void> {
    await this.#checkCreated();
    const p = this.#params;
    const ctx = this.#ctx;
    const { device } = ctx;
    const step = this.#split.tracesPerSubBatch;
    for (let first = 0; first < batch.count; first += step) {
      const count = Math.min(step, batch.count - first);
      const grouped = groupByClass(ctx, batch, first, count, p.ns, p.nclass);
      if (grouped.used === 0) continue;
      ctx.check("accumulate");
      if (this.#state === "closed") return; // closed while waiting
      device.pushErrorScope("validation");
      const shared = ctx.sharedBuffers(
        4 * grouped.used * p.ns,
        16 * grouped.used,
        4 * grouped.ranges.length,
      );
      const { queue } = device;
      queue.writeBuffer(shared.traces, 0, bytesOf(grouped.traces.subarray(0, grouped.used * p.ns)));
      queue.writeBuffer(
        shared.geometry,
        0,
        bytesOf(grouped.geometry.subarray(0, 4 * grouped.used)),
      );
      queue.writeBuffer(shared.ranges, 0, bytesOf(grouped.ranges));
      const encoder = device.createCommandEncoder({ label: "pstm accumulate" });
      const pass = encoder.beginComputePass({ label: "pstm migrate" });
      pass.setPipeline(ctx.pipeline);
      for (const c of this.#chunks) {
        pass.setBindGroup(
          0,
          device.createBindGroup({
            layout: ctx.layout,
            entries: [
              { binding: 0, resource: { buffer: c.params } },
              { binding: 1, resource: { buffer: c.points } },
              { binding: 2, resource: { buffer: c.velocity } },
              { binding: 3, resource: { buffer: c.image } },
              { binding: 4, resource: { buffer: shared.traces } },
              { binding: 5, resource: { buffer: shared.geometry } },
              { binding: 6, resource: { buffer: shared.ranges } },
              { binding: 7, resource: { buffer: this.#counter! } },
            ],
          }),
        );
        pass.dispatchWorkgroups(c.chunk.groupsX, c.chunk.groupsY);
      }
      pass.end();
      const submitted = ctx.submitKernel(encoder.finish());
      const error = await device.popErrorScope();
      await submitted;
      if (error !== null) {
        throw new PstmError(`WebGPU dispatch failed: ${error.message}`, {
          field: "webgpu",
        }, EXIT_RUNTIME);
      }
    }
  }

  /**
   * Waits for the kernels, reads the image back chunk by chunk and frees the
   * tile's device buffers.
   *
   * @returns the image `[nclass][npoints][ntau]`; a second call returns the same array
   */
  finish(): Promise<Float32Array> {
    if (this.#result !== null) return this.#result;
    this.#checkOpen("finish");
    this.#state = "finishing";
    this.#result = this.#readBack().finally(() => {
      if (this.#state === "finishing") this.#state = "finished";
      this.#release();
    });
    return this.#result;
  }

  /** Frees the tile's device buffers; safe to call twice. */
  close(): void {
    if (this.#state === "closed") return;
    const finishing = this.#state === "finishing";
    this.#state = "closed";
    if (!finishing) this.#release();
  }

  async #readBack(): Promise<Float32Array> {
    await this.#queue;
    await this.#checkCreated();
    const ctx = this.#ctx;
    const { device } = ctx;
    const p = this.#params;
    await ctx.drain();
    ctx.check("finish a tile");
    const result = new Float32Array(p.nclass * p.npoints * p.ntau);
    const largest = Math.max(...this.#chunks.map((c) => 4 * p.nclass * c.chunk.count * p.ntau));
    const staging = ctx.createBuffer(
      "pstm read-back",
      largest + 8,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    );
    try {
      for (let i = 0; i < this.#chunks.length; i++) {
        const c = this.#chunks[i];
        const bytes = 4 * p.nclass * c.chunk.count * p.ntau;
        const encoder = device.createCommandEncoder({ label: "pstm read-back" });
        encoder.copyBufferToBuffer(c.image, 0, staging, 0, bytes);
        if (i === 0) encoder.copyBufferToBuffer(this.#counter!, 0, staging, largest, 8);
        device.queue.submit([encoder.finish()]);
        await staging.mapAsync(GPUMapMode.READ);
        const mapped = staging.getMappedRange();
        const chunkImage = new Float32Array(mapped, 0, bytes / 4);
        const block = c.chunk.count * p.ntau; // one class of the chunk
        for (let cls = 0; cls < p.nclass; cls++) {
          result.set(
            chunkImage.subarray(cls * block, (cls + 1) * block),
            (cls * p.npoints + c.chunk.first) * p.ntau,
          );
        }
        if (i === 0) {
          const words = new Uint32Array(mapped, largest, 2);
          ctx.contributions += words[0] + words[1] * 2 ** 32;
        }
        staging.unmap();
      }
    } catch (error) {
      throw new PstmError("WebGPU read-back of a tile failed", { field: "webgpu" }, EXIT_RUNTIME, {
        cause: error,
      });
    } finally {
      ctx.destroyBuffer(staging);
    }
    return result;
  }

  #release(): void {
    if (this.#ctx.closed) return; // the device and its buffers are gone already
    for (const c of this.#chunks) {
      for (const b of [c.params, c.points, c.velocity, c.image]) this.#ctx.destroyBuffer(b);
    }
    this.#chunks = [];
    this.#ctx.destroyBuffer(this.#counter);
    this.#counter = null;
  }

  #checkOpen(what: string): void {
    if (this.#state !== "open") {
      throw new PstmError(`cannot ${what} a WebGPU tile that is ${this.#state}`, {}, EXIT_RUNTIME);
    }
    this.#ctx.check(`${what} a tile`);
  }

  async #checkCreated(): Promise<void> {
    const error = await this.#created;
    if (error !== null) {
      throw new PstmError(`WebGPU could not allocate the tile: ${error.message}`, {
        field: "webgpu",
      }, EXIT_RUNTIME);
    }
  }
}

/** The bytes of a typed array view, as the BufferSource `queue.writeBuffer` takes. */
function bytesOf(view: Float32Array | Uint32Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view.buffer as ArrayBuffer, view.byteOffset, view.byteLength);
}

/** The kernel's uniform block for one point chunk (see Params in migrate_wgsl.ts). */
function paramsBlock(p: KernelParams, chunk: PointChunk, tanMax: number): ArrayBuffer {
  const buffer = new ArrayBuffer(PARAMS_BYTES);
  const view = new DataView(buffer);
  const words: [number, "u" | "f"][] = [
    [p.ns, "u"],
    [p.t0, "f"],
    [p.dt, "f"],
    [chunk.count, "u"],
    [p.ntau, "u"],
    [p.tau0, "f"],
    [p.dtau, "f"],
    [p.nclass, "u"],
    [p.aperture, "f"],
    [tanMax, "f"],
    [p.taper, "f"],
    [optionCode(ANTIALIAS, p.antialias ? "on" : "off"), "u"],
    [p.traceSpacing, "f"],
    [optionCode(WEIGHTS, p.weights), "u"],
    [p.eta, "f"],
    [chunk.tauGroups, "u"],
    [chunk.totalGroups, "u"],
    [p.traceSpacingY !== undefined && p.traceSpacingY > 0 ? p.traceSpacingY : p.traceSpacing, "f"],
    [Math.cos(((p.spacingAzimuthDeg ?? 0) * Math.PI) / 180), "f"],
    [Math.sin(((p.spacingAzimuthDeg ?? 0) * Math.PI) / 180), "f"],
    [(p.stretchMute ?? 0) > 0 ? (1 + p.stretchMute!) ** 2 - 1 : 0, "f"],
  ];
  words.forEach(([value, type], i) => {
    if (type === "u") view.setUint32(4 * i, value, true);
    else view.setFloat32(4 * i, value, true);
  });
  return buffer;
}

/**
 * Traces `first .. first+count-1` of a batch with their classes in contiguous
 * runs: the batch's own arrays when each class already is one run, otherwise
 * a counting sort into scratch. Traces of other classes are dropped.
 */
function groupByClass(
  ctx: _GpuContext,
  batch: KernelBatch,
  first: number,
  count: number,
  ns: number,
  nclass: number,
): GroupedBatch {
  const classes = batch.traceClass;
  const ranges = new Uint32Array(2 * nclass);
  const seen = new Int32Array(nclass);
  const start = new Int32Array(nclass).fill(-1);
  let contiguous = true;
  let used = 0;
  let lo = count, hi = -1;
  for (let k = 0; k < count; k++) {
    const c = classes[first + k];
    if (c < 0 || c >= nclass) continue;
    if (start[c] < 0) start[c] = k;
    else if (start[c] + seen[c] !== k) contiguous = false;
    seen[c]++;
    used++;
    lo = Math.min(lo, k);
    hi = k;
  }
  if (used === 0) return { traces: batch.traces, geometry: batch.geometry, ranges, used };
  if (contiguous && hi - lo + 1 === used) {
    // the valid traces are one block lo..hi, each class one run inside it
    for (let c = 0; c < nclass; c++) {
      if (seen[c] > 0) {
        ranges[2 * c] = start[c] - lo;
        ranges[2 * c + 1] = start[c] - lo + seen[c];
      }
    }
    const k0 = first + lo;
    return {
      traces: batch.traces.subarray(k0 * ns, (k0 + used) * ns),
      geometry: batch.geometry.subarray(4 * k0, 4 * (k0 + used)),
      ranges,
      used,
    };
  }
  const [traces, geometry] = ctx.scratch(used * ns, 4 * used);
  const next = new Uint32Array(nclass);
  let offset = 0;
  for (let c = 0; c < nclass; c++) {
    ranges[2 * c] = next[c] = offset;
    offset += seen[c];
    ranges[2 * c + 1] = offset;
  }
  for (let k = first; k < first + count; k++) {
    const c = classes[k];
    if (c < 0 || c >= nclass) continue;
    const slot = next[c]++;
    traces.set(batch.traces.subarray(k * ns, (k + 1) * ns), slot * ns);
    geometry.set(batch.geometry.subarray(4 * k, 4 * k + 4), 4 * slot);
  }
  return { traces, geometry, ranges, used };
}

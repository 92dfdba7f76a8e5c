/**
 * One output tile on a WebGPU device: its point chunks' buffers (params,
 * points, velocity, image), the dispatch of each batch over them, and the
 * read-back. The call queue and close-while-running rules are the shared
 * backends/tile_lifecycle.ts.
 *
 * @module
 */

import { stretchRatioLimit } from "../stretch_mute.ts";
import type { BackendTile, KernelBatch, KernelParams, TileInputs } from "../backend.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { ANTIALIAS, optionCode, WEIGHTS } from "../../core/options.ts";
import { TileLifecycle } from "../tile_lifecycle.ts";
import { selectedClasses, validateBatch, validateTileInputs } from "../validate_tile.ts";
import { groupByClass } from "./webgpu_batch.ts";
import type { WebGpuContext } from "./webgpu_context.ts";
import { type PointChunk, splitTile, type TileSplit } from "./work_split.ts";

/** Bytes of the kernel's uniform parameter block (21 four-byte words, padded to 16 bytes). */
const PARAMS_BYTES = 96;

/** The buffers of one point chunk of a tile. */
interface ChunkBuffers {
  chunk: PointChunk;
  params: GPUBuffer;
  points: GPUBuffer;
  velocity: GPUBuffer;
  image: GPUBuffer;
}

/**
 * An output tile on the device (open one with `WebGpuBackend.openTile`).
 *
 * @example
 * ```ts ignore
 * const tile = new WebGpuTile(ctx, { params, points, velocity });
 * await tile.accumulate(batch);
 * const image = await tile.finish();
 * ```
 */
export class WebGpuTile implements BackendTile {
  #ctx: WebGpuContext;
  #params: KernelParams;
  #split: TileSplit;
  #chunks: ChunkBuffers[] = [];
  #counter: GPUBuffer | null;
  #created: Promise<GPUError | null>;
  #life: TileLifecycle = new TileLifecycle("WebGPU tile", () => this.#release());

  constructor(ctx: WebGpuContext, inputs: TileInputs) {
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
  accumulate(batch: KernelBatch): Promise<void> {
    try {
      this.#usable("accumulate");
      validateBatch(this.#params, batch);
    } catch (error) {
      return Promise.reject(error);
    }
    const selected = batch.traceIndex ? { ...batch, traceClass: selectedClasses(batch) } : batch;
    return this.#life.call("accumulate", () => this.#accumulate(selected));
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
      if (this.#life.closing) return; // closed while waiting: the rest is not wanted
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
    return this.#life.finish(() => this.#readBack());
  }

  /** Frees the tile's device buffers (after a running call returns); safe to call twice. */
  close(): void {
    this.#life.close();
  }

  async #readBack(): Promise<Float32Array> {
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

  #usable(call: string): void {
    this.#life.usable(call);
    this.#ctx.check(`${call} a tile`);
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
    [stretchRatioLimit(p.stretchMute ?? 0, p.eta), "f"],
  ];
  words.forEach(([value, type], i) => {
    if (type === "u") view.setUint32(4 * i, value, true);
    else view.setFloat32(4 * i, value, true);
  });
  return buffer;
}

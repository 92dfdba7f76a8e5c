import assert from "node:assert/strict";
import { ReferenceBackend } from "../backends/reference/reference_backend.ts";
import { BinGeometryStream } from "../pipeline/streams/bin_geometry_stream.ts";
import { GeometryTable } from "../pipeline/plan/geometry_table.ts";
import { binOf, gridPoints, type GridSpec } from "../pipeline/plan/grid.ts";
import { MigrateTileStream } from "../pipeline/streams/migrate_tile_stream.ts";
import { FiniteCheckStream } from "../pipeline/streams/finite_check_stream.ts";
import { PreprocessStream } from "../pipeline/streams/preprocess_stream.ts";
import { PstmError } from "../core/errors.ts";
import { newStageTimes } from "../pipeline/streams/stage_times.ts";
import { synthBatches, synthPreset, synthVelocityAt } from "../pipeline/synth/synth.ts";
import { makeFootprint, planTiles } from "../pipeline/plan/tile_plan.ts";
import { outputTraceIndex, TileWriter } from "../pipeline/streams/tile_writer.ts";
import type { TraceBatch } from "../pipeline/segy/trace_batch.ts";
import { plainParams } from "../bench/kernel_cases.ts";

const spec = { ...synthPreset("small3d"), nx: 9, ny: 7, ns: 100 };
const grid: GridSpec = {
  x0: spec.x0,
  y0: spec.y0,
  dx: spec.dx,
  dy: spec.dy,
  nx: spec.nx,
  ny: spec.ny,
  azimuthDeg: 0,
};
const time = { tau0: 0, dtau: 0.004, ntau: 100 };
const classes = { first: 0, width: 300, count: 2 };
const base = plainParams({
  ns: spec.ns,
  dt: spec.dt,
  npoints: 0,
  ...time,
  nclass: 2,
  aperture: 250,
});

function fromArray<T>(items: T[]): ReadableStream<T> {
  return new ReadableStream({
    start(controller) {
      items.forEach((item) => controller.enqueue(item));
      controller.close();
    },
  });
}

/** Migrates through the streams with the given tile shape; returns the output traces by index. */
async function migrateThroughStreams(tileBins: [number, number], batchSize: number) {
  const batches = [...synthBatches(spec, batchSize)];
  const geometry = new GeometryTable();
  batches.forEach((b) => geometry.append(b));
  const request = {
    nx: grid.nx,
    ny: grid.ny,
    dx: grid.dx,
    dy: grid.dy,
    ntau: time.ntau,
    nclass: 2,
    binOf: (x: number, y: number): [number, number] => {
      const b = binOf(grid, x, y);
      return [b.ix, b.iy];
    },
    reach: base.aperture,
    geometry,
    ns: spec.ns,
    batchSize,
    budget: 1 << 28,
    tileBins,
  };
  const plan = planTiles(request);
  const written = new Map<number, Float32Array>();
  const sink = {
    writeAt(index: number, batch: TraceBatch) {
      for (let k = 0; k < batch.count; k++) {
        written.set(index + k, batch.samples.slice(k * batch.ns, (k + 1) * batch.ns));
      }
      return Promise.resolve();
    },
    sync: () => Promise.resolve(),
  };
  const times = newStageTimes();
  for (const pass of plan.passes) {
    const inRange = batches.filter((b) =>
      b.firstTrace + b.count > pass.firstTrace && b.firstTrace <= pass.lastTrace
    );
    await fromArray(inRange)
      .pipeThrough(
        new BinGeometryStream({
          origin: [grid.x0, grid.y0],
          classOf: (offset) => Math.floor(offset / 300),
          footprint: makeFootprint(request, plan.tileNx, plan.tileNy),
        }),
      )
      .pipeThrough(
        new MigrateTileStream({
          backend: new ReferenceBackend(),
          tiles: pass.tileIds.map((id) => plan.tiles[id]),
          ntx: plan.ntx,
          tileInputs: (tile) => {
            const points = gridPoints(grid, tile.ix0, tile.ix1, tile.iy0, tile.iy1);
            const npoints = points.length / 2;
            const velocity = new Float32Array(npoints * time.ntau);
            for (let j = 0; j < npoints; j++) {
              for (let it = 0; it < time.ntau; it++) {
                velocity[j * time.ntau + it] = synthVelocityAt(spec, it * time.dtau);
              }
            }
            return { params: { ...base, npoints }, points, velocity };
          },
          times,
        }),
      )
      .pipeTo(new TileWriter({ sink, grid, time, classes, times }));
  }
  for (const id of plan.emptyTiles) {
    const tile = plan.tiles[id];
    for (let iy = tile.iy0; iy < tile.iy1; iy++) {
      for (let ix = tile.ix0; ix < tile.ix1; ix++) {
        for (let c = 0; c < 2; c++) {
          written.set(outputTraceIndex(grid, 2, ix, iy, c), new Float32Array(time.ntau));
        }
      }
    }
  }
  return { written, plan };
}

Deno.test("streams: many tiles and passes give the same image as one tile", async () => {
  const one = await migrateThroughStreams([grid.nx, grid.ny], 64);
  assert.equal(one.plan.tiles.length, 1);
  const many = await migrateThroughStreams([2, 3], 17);
  assert.ok(many.plan.tiles.length > 6);
  assert.equal(one.written.size, grid.nx * grid.ny * 2);
  assert.equal(many.written.size, one.written.size);
  let diff = 0, norm = 0;
  for (const [index, a] of one.written) {
    const b = many.written.get(index)!;
    for (let i = 0; i < a.length; i++) {
      diff += (a[i] - b[i]) ** 2;
      norm += a[i] ** 2;
    }
  }
  assert.ok(norm > 0, "the image is not empty");
  assert.ok(Math.sqrt(diff / norm) <= 1e-6, `relative L2 ${Math.sqrt(diff / norm)}`);
});

Deno.test("streams: the diffractor focuses at its bin and time", async () => {
  const { written } = await migrateThroughStreams([grid.nx, grid.ny], 64);
  const d = spec.diffractors[0];
  const b = binOf(grid, d.x, d.y);
  let best = { energy: -1, ix: -1, iy: -1, it: -1 };
  for (let iy = 0; iy < grid.ny; iy++) {
    for (let ix = 0; ix < grid.nx; ix++) {
      const a = written.get(outputTraceIndex(grid, 2, ix, iy, 0))!;
      const c = written.get(outputTraceIndex(grid, 2, ix, iy, 1))!;
      for (
        let it = Math.round(d.tau / time.dtau) - 15;
        it <= Math.round(d.tau / time.dtau) + 15;
        it++
      ) {
        let energy = 0;
        energy = Math.abs(a[it] + c[it]);
        if (energy > best.energy) best = { energy, ix, iy, it };
      }
    }
  }
  assert.equal(best.ix, Math.round(b.ix));
  assert.equal(best.iy, Math.round(b.iy));
  assert.ok(
    Math.abs(best.it * time.dtau - d.tau) <= time.dtau,
    `focused at ${best.it * time.dtau}`,
  );
});

Deno.test("streams: FiniteCheckStream names the trace of a NaN, or zeroes and counts every NaN/Inf", async () => {
  const [a, b] = [...synthBatches(spec, 64)];
  b.samples[3 * spec.ns + 5] = NaN;
  b.samples[7] = -Infinity;
  await assert.rejects(
    () =>
      fromArray([a, b]).pipeThrough(new FiniteCheckStream({ zero: false, file: "in.sgy" })).pipeTo(
        new WritableStream(),
      ),
    (e: unknown) =>
      e instanceof PstmError && e.exitCode === 2 && /in\.sgy/.test(e.message) &&
      /trace 64/.test(e.message) && /sample 7 is -Infinity/.test(e.message),
  );
  const seen: [number, number][] = [];
  const check = new FiniteCheckStream({
    zero: true,
    file: "in.sgy",
    onBatch: (traces, zeroed) => seen.push([traces, zeroed]),
  });
  const out = await Array.fromAsync(fromArray([a, b]).pipeThrough(check));
  assert.equal(out.length, 2);
  assert.deepEqual(seen, [[a.count, 0], [b.count, 2]]);
  assert.equal(check.zeroed, 2);
  assert.ok(out[1].samples.every(Number.isFinite));
  assert.equal(out[1].samples[3 * spec.ns + 5], 0);
});

Deno.test("streams: PreprocessStream preprocesses batch k+1 while the kernel of batch k runs", async () => {
  const batches = [...synthBatches(spec, 32)].slice(0, 4);
  const log: string[] = [];
  const preprocessor = {
    apply(samples: Float32Array) {
      log.push(`preprocess ${samples.length}`);
      return samples.map((v) => 2 * v);
    },
  };
  const release: (() => void)[] = [];
  const backend = {
    name: "slow",
    device: "test",
    openTile: () => ({
      async accumulate(batch: { count: number; traces: Float32Array }) {
        log.push("kernel start");
        await new Promise<void>((resolve) => release.push(resolve));
        log.push("kernel end");
        assert.equal(batch.traces[0], 2 * firstSample); // preprocessed samples reach the kernel
      },
      finish: () => Promise.resolve(new Float32Array(2 * 4 * time.ntau)),
      close() {},
    }),
    bytesPerColumn: () => 0,
    stats: () => ({ contributions: 0, kernelSeconds: 0, deviceBytes: 0 }),
    close() {},
  };
  const firstSample = batches[0].samples[0];
  // the kernel finishes a batch only after the next one was preprocessed (or after 50 ms)
  const timer = setInterval(() => release.shift()?.(), 50);
  const tile = {
    id: 0,
    ix0: 0,
    ix1: 2,
    iy0: 0,
    iy1: 2,
    firstTrace: 0,
    lastTrace: 1e9,
    traceCount: 1,
    bytes: 0,
  };
  const times = newStageTimes();
  const finished = await Array.fromAsync(
    fromArray(batches)
      .pipeThrough(new PreprocessStream(preprocessor, times))
      .pipeThrough(
        new BinGeometryStream({
          origin: [grid.x0, grid.y0],
          classOf: () => 0,
          footprint: (_x, _y, out) => (out.fill(0), true),
        }),
      )
      .pipeThrough(
        new MigrateTileStream({
          backend,
          tiles: [tile],
          ntx: 1,
          tileInputs: () => ({
            params: { ...base, npoints: 4 },
            points: new Float32Array(8),
            velocity: new Float32Array(4 * time.ntau),
          }),
          times,
        }),
      ),
  );
  clearInterval(timer);
  assert.equal(finished.length, 1);
  const firstKernelEnd = log.indexOf("kernel end");
  const preprocessed = log.slice(0, firstKernelEnd).filter((e) => e.startsWith("preprocess"));
  assert.ok(
    preprocessed.length >= 2,
    `before the first kernel call ended: ${log.slice(0, firstKernelEnd)}`,
  );
  assert.equal(log.filter((e) => e === "kernel end").length, batches.length);
  assert.ok(times.preprocess >= 0 && times.kernel > 0);
});

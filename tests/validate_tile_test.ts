/**
 * Every backend refuses the same bad tile inputs and batches with the same PstmError (exit code
 * 2, the field named): a NaN coordinate, a velocity of 0, a short buffer, a bad parameter. The
 * reference and webgpu backends used to sum such input silently into a wrong image. The cuda
 * cases are ignored (with the reason) where no GPU is found; webgpu where no adapter is.
 */

import assert from "node:assert/strict";
import type { Backend, KernelBatch } from "../backends/backend.ts";
import { ReferenceBackend } from "../backends/reference/reference_backend.ts";
import { NativeBackend } from "../backends/native/mod.ts";
import { webgpuAvailability, WebGpuBackend } from "../backends/webgpu/mod.ts";
import { nativeAvailability } from "../ffi/mod.ts";
import { PstmError } from "../core/errors.ts";
import { ensureCpuLibrary, makePoints, makeVelocity, plainParams } from "../bench/kernel_cases.ts";

await ensureCpuLibrary();
const gpu = await webgpuAvailability();
const cuda = nativeAvailability("cuda");

const BACKENDS: { name: string; why: string; open: () => Promise<Backend> }[] = [
  { name: "reference", why: "", open: () => Promise.resolve(new ReferenceBackend()) },
  { name: "cpu", why: "", open: () => Promise.resolve(NativeBackend.open("cpu")) },
  {
    name: "webgpu",
    why: gpu.available ? "" : gpu.reason,
    open: () => WebGpuBackend.open(),
  },
  {
    name: "cuda",
    why: cuda.available ? "" : cuda.reason,
    open: () => Promise.resolve(NativeBackend.open("cuda")),
  },
];

function inputs() {
  const params = plainParams({ npoints: 16, ntau: 40, ns: 60, dt: 0.004, dtau: 0.004 });
  const points = makePoints({ kind: "grid", nx: 4, ny: 4, spacing: 25 });
  return { params, points, velocity: makeVelocity(params) };
}

function batch(count: number, ns: number): KernelBatch {
  const geometry = new Float32Array(4 * count);
  for (let k = 0; k < count; k++) geometry.set([10 * k, 0, 10 * k + 40, 0], 4 * k);
  return {
    count,
    traces: new Float32Array(count * ns).fill(1),
    geometry,
    traceClass: new Int32Array(count),
  };
}

function refused(text: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof PstmError, `not a PstmError: ${e}`);
    assert.equal(e.exitCode, 2, e.message);
    assert.match(e.message, text);
    return true;
  };
}

for (const backend of BACKENDS) {
  const ignore = backend.why !== "";
  const because = ignore ? ` (skipped: ${backend.why})` : "";

  Deno.test({
    name:
      `${backend.name}: openTile refuses a velocity of 0, a NaN point, a bad parameter${because}`,
    ignore,
    async fn() {
      const b = await backend.open();
      try {
        const good = inputs();
        const slow = new Float32Array(good.velocity);
        slow[3 * good.params.ntau + 7] = 0;
        assert.throws(
          () => b.openTile({ ...good, velocity: slow }),
          refused(/velocity\[127\] \(point 3, tau index 7\): must be > 0 and finite: got 0/),
        );
        const nan = new Float32Array(good.points);
        nan[5] = Number.NaN;
        assert.throws(
          () => b.openTile({ ...good, points: nan }),
          refused(/points\[5\] \(point 2, y\): must be finite: got NaN/),
        );
        assert.throws(
          () => b.openTile({ ...good, points: good.points.subarray(2) }),
          refused(/field points: must hold 32 elements: got 30/),
        );
        assert.throws(
          () => b.openTile({ ...good, params: { ...good.params, dtau: 0 } }),
          refused(/params\.dtau: must be > 0 and finite: got 0/),
        );
      } finally {
        b.close();
      }
    },
  });

  Deno.test({
    name:
      `${backend.name}: accumulate refuses NaN geometry and short buffers, sums nothing of them${because}`,
    ignore,
    async fn() {
      const b = await backend.open();
      try {
        const good = inputs();
        const ns = good.params.ns;
        const tile = b.openTile(good);
        const bad = batch(3, ns);
        bad.geometry[6] = Number.NaN; // trace 1, gx
        await assert.rejects(
          tile.accumulate(bad),
          refused(/batch\.geometry\[6\] \(trace 1 of the batch, gx\): must be finite: got NaN/),
        );
        const skipped = batch(2, ns);
        skipped.traceClass[1] = 99; // skipped by the kernels, but its geometry still counts
        skipped.geometry[4] = Infinity;
        await assert.rejects(tile.accumulate(skipped), refused(/batch\.geometry\[4\]/));
        await assert.rejects(
          tile.accumulate({ ...batch(3, ns), traces: new Float32Array(3 * ns - 1) }),
          refused(/batch\.traces: must hold 180 elements: got 179/),
        );
        await assert.rejects(
          tile.accumulate({ ...batch(3, ns), count: -1 }),
          refused(/batch\.count: must be an integer >= 0: got -1/),
        );
        const image = await tile.finish();
        assert.ok(image.every((v) => v === 0), "a refused batch contributed");
        tile.close();
        const again = b.openTile(good);
        await again.accumulate(batch(3, ns));
        assert.ok((await again.finish()).some((v) => v !== 0), "a good batch after refusals");
        again.close();
      } finally {
        b.close();
      }
    },
  });
}

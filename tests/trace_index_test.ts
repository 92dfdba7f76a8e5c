import assert from "node:assert/strict";
import type { Backend, KernelBatch } from "../backends/backend.ts";
import { NativeBackend } from "../backends/native/native_backend.ts";
import { ReferenceBackend } from "../backends/reference/reference_backend.ts";
import { webgpuAvailability } from "../backends/webgpu/availability.ts";
import { WebGpuBackend } from "../backends/webgpu/webgpu_backend.ts";
import { selectedClasses, validateBatch } from "../backends/validate_tile.ts";
import { PstmError } from "../core/errors.ts";
import {
  ensureCpuLibrary,
  makeBatch,
  makePoints,
  makeVelocity,
  plainParams,
} from "../bench/kernel_cases.ts";
import { relativeL2 } from "./helpers/migrate_support.ts";

const params = plainParams({ ns: 120, ntau: 100, nclass: 2, npoints: 16, aperture: 400 });
const points = makePoints({ kind: "grid", nx: 4, ny: 4, spacing: 25 });
const velocity = makeVelocity(params);
const batch = makeBatch({
  count: 40,
  extentX: 100,
  extentY: 100,
  maxHalfOffset: 300,
  azimuthSpreadDeg: 90,
  nclass: 2,
  ns: params.ns,
  integrated: false,
  seed: 7,
});
const index = Int32Array.from({ length: 40 }, (_, k) => k).filter((k) => k % 3 !== 1);

/** The batch of the indexed traces, copied (what MigrateTileStream used to pass). */
function compacted(b: KernelBatch, keep: Int32Array): KernelBatch {
  const ns = params.ns;
  const out = {
    count: keep.length,
    traces: new Float32Array(keep.length * ns),
    geometry: new Float32Array(4 * keep.length),
    traceClass: new Int32Array(keep.length),
  };
  keep.forEach((k, j) => {
    out.traces.set(b.traces.subarray(k * ns, (k + 1) * ns), j * ns);
    out.geometry.set(b.geometry.subarray(4 * k, 4 * k + 4), 4 * j);
    out.traceClass[j] = b.traceClass[k];
  });
  return out;
}

async function image(backend: Backend, b: KernelBatch): Promise<Float32Array> {
  const tile = backend.openTile({ params, points, velocity });
  try {
    await tile.accumulate(b);
    return await tile.finish();
  } finally {
    tile.close();
  }
}

async function backends(): Promise<Backend[]> {
  await ensureCpuLibrary();
  const list: Backend[] = [new ReferenceBackend(), NativeBackend.open("cpu")];
  const gpu = await webgpuAvailability().catch(() => ({ available: false }));
  if (gpu.available) list.push(await WebGpuBackend.open());
  return list;
}

Deno.test("traceIndex: every backend sums exactly the indexed traces of a shared batch", async () => {
  for (const backend of await backends()) {
    const indexed = await image(backend, { ...batch, traceIndex: index });
    const copied = await image(backend, compacted(batch, index));
    const all = await image(backend, batch);
    assert.ok(copied.some((v) => v !== 0), `${backend.name}: the image is not empty`);
    assert.ok(
      relativeL2(indexed, copied) <= 1e-6,
      `${backend.name}: ${relativeL2(indexed, copied)}`,
    );
    assert.ok(relativeL2(all, copied) > 1e-3, `${backend.name}: the index makes a difference`);
    const none = await image(backend, { ...batch, traceIndex: new Int32Array(0) });
    assert.ok(none.every((v) => v === 0), `${backend.name}: an empty index sums nothing`);
    backend.close();
  }
});

Deno.test("traceIndex: the validator refuses indices out of range, repeated or descending", async () => {
  for (const bad of [[0, 40], [-1, 2], [3, 3], [5, 2]]) {
    const b = { ...batch, traceIndex: new Int32Array(bad) };
    assert.throws(
      () => validateBatch(params, b),
      (e: unknown) =>
        e instanceof PstmError && e.exitCode === 2 &&
        /batch\.traceIndex\[1|batch\.traceIndex\[0/.test(e.message),
      `${bad}`,
    );
    for (const backend of await backends()) {
      const tile = backend.openTile({ params, points, velocity });
      await assert.rejects(() => tile.accumulate(b), PstmError, `${backend.name} ${bad}`);
      tile.close();
      backend.close();
    }
  }
  assert.throws(
    () => validateBatch(params, { ...batch, traceIndex: [1, 2] as unknown as Int32Array }),
    /Int32Array/,
  );
  assert.deepEqual(
    [...selectedClasses({ ...batch, traceIndex: new Int32Array([1]) })].filter((c) => c >= 0)
      .length <= 1,
    true,
  );
});

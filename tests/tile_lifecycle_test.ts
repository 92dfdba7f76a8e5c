/**
 * The tile lifecycle every backend shares (backends/tile_lifecycle.ts): calls in order, finish
 * once, refusals after finish or close, close while a call runs frees once it returns; the same
 * rules on the reference, cpu, webgpu and traveltime-table tiles. And the per-column memory a
 * backend states (Backend.bytesPerColumn) is what the planner sizes tiles with.
 */

import assert from "node:assert/strict";
import { TileLifecycle } from "../backends/tile_lifecycle.ts";
import type { Backend, KernelBatch, KernelParams } from "../backends/backend.ts";
import { ReferenceBackend } from "../backends/reference/reference_backend.ts";
import { NativeBackend } from "../backends/native/mod.ts";
import { webgpuAvailability, WebGpuBackend } from "../backends/webgpu/mod.ts";
import { TraveltimeTableBackend } from "../backends/traveltime_table.ts";
import { EXIT_BAD_INPUT, EXIT_RUNTIME, PstmError } from "../core/errors.ts";
import { ensureCpuLibrary, makePoints, makeVelocity, plainParams } from "../bench/kernel_cases.ts";
import { makeSurvey, migrate } from "./helpers/migrate_support.ts";

await ensureCpuLibrary();
const gpu = await webgpuAvailability();

Deno.test("TileLifecycle runs calls in order and frees once, after the running call", async () => {
  let freed = 0;
  const life = new TileLifecycle("test tile", () => freed++);
  const order: string[] = [];
  let letGo = () => {};
  const gate = new Promise<void>((resolve) => (letGo = resolve));
  const first = life.call("accumulate", async () => {
    await gate;
    order.push("first");
  });
  const second = life.call("accumulate", () => {
    order.push("second");
    return Promise.resolve();
  });
  life.close();
  life.close();
  assert.equal(freed, 0, "freed under a running call");
  assert.ok(life.closing);
  await assert.rejects(life.call("accumulate", () => Promise.resolve()), /test tile is closed/);
  letGo();
  await Promise.all([first, second]);
  assert.deepEqual(order, ["first", "second"]);
  assert.equal(freed, 1);
  assert.ok(life.released);
});

Deno.test("TileLifecycle: finish runs once, returns the same result, then refuses calls", async () => {
  let freed = 0;
  const life = new TileLifecycle("test tile", () => freed++);
  let runs = 0;
  const failing = life.call("accumulate", () => Promise.reject(new Error("boom")));
  const a = life.finish(() => Promise.resolve(++runs));
  const b = life.finish(() => Promise.resolve(++runs));
  await assert.rejects(failing, /boom/); // a failed call does not stop the queue
  assert.equal(await a, 1);
  assert.equal(await b, 1);
  assert.equal(runs, 1);
  assert.equal(freed, 1);
  assert.throws(() => life.usable("accumulate"), (e: unknown) => {
    assert.ok(e instanceof PstmError && e.exitCode === EXIT_RUNTIME);
    assert.match(e.message, /cannot accumulate: the test tile is already finished/);
    return true;
  });
  life.close();
  assert.equal(freed, 1);
});

function inputs() {
  const params = plainParams({ npoints: 16, ntau: 40, ns: 60, dt: 0.004, dtau: 0.004 });
  const points = makePoints({ kind: "grid", nx: 4, ny: 4, spacing: 25 });
  const velocity = makeVelocity(params);
  // the same v(tau) in every column, so the traveltime table applies
  for (let j = 1; j < params.npoints; j++) {
    velocity.copyWithin(j * params.ntau, 0, params.ntau);
  }
  return { params, points, velocity };
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

const BACKENDS: { name: string; why: string; open: () => Promise<Backend> }[] = [
  { name: "reference", why: "", open: () => Promise.resolve(new ReferenceBackend()) },
  { name: "cpu", why: "", open: () => Promise.resolve(NativeBackend.open("cpu")) },
  { name: "webgpu", why: gpu.available ? "" : gpu.reason, open: () => WebGpuBackend.open() },
  {
    name: "cpu with the traveltime table",
    why: "",
    open: () =>
      Promise.resolve(
        new TraveltimeTableBackend(NativeBackend.open("cpu"), { mode: "on", maxDistance: 2000 }),
      ),
  },
];

for (const backend of BACKENDS) {
  const because = backend.why ? ` (skipped: ${backend.why})` : "";
  Deno.test({
    name:
      `${backend.name}: a tile finishes once, refuses calls after, closes twice safely${because}`,
    ignore: backend.why !== "",
    async fn() {
      const b = await backend.open();
      try {
        const good = inputs();
        const tile = b.openTile(good);
        const pending = [
          tile.accumulate(batch(5, good.params.ns)),
          tile.accumulate(batch(3, good.params.ns)),
        ];
        const image = tile.finish(); // queued after both batches
        await Promise.all(pending);
        const first = await image;
        assert.ok(first.some((v) => v !== 0));
        assert.equal(await tile.finish(), first, "a second finish returns the same image");
        await assert.rejects(tile.accumulate(batch(1, good.params.ns)), /already finished|closed/);
        tile.close();
        tile.close();
        const closed = b.openTile(good);
        const running = closed.accumulate(batch(20, good.params.ns));
        closed.close(); // while the call runs: freed once it returns
        await running;
        await assert.rejects(closed.finish(), /closed/);
      } finally {
        b.close();
      }
    },
  });
}

Deno.test("bytesPerColumn: each backend states its own per-column memory", async () => {
  const p: KernelParams = { ...plainParams(), nclass: 3, ntau: 100 };
  const angle: KernelParams = { ...p, maxAngle: 60 };
  const reference = new ReferenceBackend();
  assert.equal(reference.bytesPerColumn(p), 4 * 100 * (3 + 1) + 8); // image + velocity + point
  using cpu = NativeBackend.open("cpu");
  assert.equal(cpu.bytesPerColumn(p), 4 * 100 * (3 + 2) + 8); // + the library's 1/v^2
  assert.equal(cpu.bytesPerColumn(angle), 4 * 100 * (3 + 4) + 8); // + reach, running maximum
  const tabled = new TraveltimeTableBackend(reference, { mode: "on", maxDistance: 1000 });
  assert.equal(tabled.bytesPerColumn(p), reference.bytesPerColumn(p));
  if (gpu.available) {
    using webgpu = await WebGpuBackend.open();
    assert.equal(webgpu.bytesPerColumn(p), 2 * (4 * 100 * (3 + 1) + 8)); // device and host
  }
});

Deno.test("runMigration sizes tiles with the backend's bytesPerColumn", async () => {
  const survey = await makeSurvey("small3d", { ns: 100 });
  try {
    class Greedy extends ReferenceBackend {
      override bytesPerColumn(): number {
        return 1 << 30;
      }
    }
    await assert.rejects(
      migrate(survey, "greedy.sgy", { memory: "64MiB" }, { backend: new Greedy() }),
      (e: unknown) => {
        assert.ok(e instanceof PstmError && e.exitCode === EXIT_BAD_INPUT, String(e));
        assert.match(e.message, /one output column needs 1\.0 GiB/);
        return true;
      },
    );
    const lean = await migrate(survey, "lean.sgy", { memory: "64MiB" }, {
      backend: new ReferenceBackend(),
    });
    assert.equal(lean.summary.tilesWritten, lean.summary.tiles);
  } finally {
    await Deno.remove(survey.dir, { recursive: true });
  }
});

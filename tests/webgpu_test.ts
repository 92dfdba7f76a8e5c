/**
 * WebGpuBackend against the float64 reference kernel: plain and full mode on
 * several survey geometries, several classes and batches, a focusing
 * diffractor, and the limit-splitting path. Sizes suit the llvmpipe software
 * adapter; every test is skipped, with the reason in its name, when no
 * adapter exists.
 */

import assert from "node:assert/strict";
import type { KernelBatch, KernelParams } from "../backends/backend.ts";
import { webgpuAvailability } from "../backends/webgpu/availability.ts";
import { WebGpuBackend, type WebGpuBackendOptions } from "../backends/webgpu/webgpu_backend.ts";
import { splitTile } from "../backends/webgpu/work_split.ts";
import { PstmError } from "../core/errors.ts";
import {
  FULL_MODE as FULL,
  migrateSurvey,
  PLAIN_MODE as PLAIN,
  plainParams,
  random,
  referenceImage as reference,
  relativeL2,
  sliceBatch as slice,
  type Survey,
  survey as surveyOf,
  type SurveyConfig,
  type SurveyLayout,
} from "../bench/kernel_cases.ts";

const found = await webgpuAvailability();
const skip = !found.available;
const because = skip ? ` (skipped: ${found.reason})` : "";

/** 12 x 10 points (a line of 12), 400 traces of 250 samples, 96 output samples. */
const WEBGPU_SURVEY: SurveyConfig = {
  seed: 7,
  ntraces: 400,
  ns: 250,
  dt: 0.004,
  ntau: 96,
  tau0: 0.05,
  dtau: 0.008,
  nx: 12,
  ny: 10,
  origin: [40, 20],
  rotationDeg: 30,
  velocity: { v0: 1800, perSecond: 1500, perX: 0.2, perY: 0 },
  midpoints: { x0: -250, width: 800, y0: -250, height: 800 },
  sweep: { x0: -250, length: 800 },
  maxOffset: 1500,
  classWidth: 500,
  events: { t0: 0.1, span: 0.85 },
};

type Layout = Exclude<SurveyLayout, "sorted">;

function survey(
  layout: Layout,
  mode: Partial<KernelParams>,
  options: { ntraces?: number; nclass?: number; seed?: number } = {},
): Survey {
  return surveyOf(WEBGPU_SURVEY, layout, mode, options);
}

/** Migrates a survey on WebGPU in `batches` uneven batches. */
async function webgpu(
  s: Survey,
  batches = 1,
  options: WebGpuBackendOptions = {},
): Promise<{ image: Float32Array; contributions: number }> {
  using backend = await WebGpuBackend.open(options);
  const { image, contributions, stats } = await migrateSurvey(backend, s, batches);
  assert.ok(stats.kernelSeconds > 0, "kernel time measured");
  assert.ok(stats.deviceBytes > 0, "device bytes counted");
  return { image, contributions };
}

async function compare(s: Survey, batches = 1, options: WebGpuBackendOptions = {}) {
  const want = reference(s);
  const got = await webgpu(s, batches, options);
  const error = relativeL2(got.image, want.image);
  assert.ok(want.contributions > 0, "the survey contributes");
  assert.ok(error <= 1e-3, `relative L2 ${error.toExponential(2)} > 1e-3`);
  const countError = Math.abs(got.contributions - want.contributions) / want.contributions;
  assert.ok(
    countError <= 1e-3,
    `contributions ${got.contributions} vs reference ${want.contributions}`,
  );
  return { error, contributions: got.contributions, image: got.image };
}

for (const layout of ["narrow", "wide", "line", "rotated"] as const) {
  for (const [modeName, mode] of [["plain", PLAIN], ["full", FULL]] as const) {
    Deno.test({
      name: `WebGpuBackend matches the reference, ${modeName} mode, ${layout} geometry${because}`,
      ignore: skip,
      fn: async () => {
        await compare(survey(layout, mode));
      },
    });
  }
}

Deno.test({
  name: `WebGpuBackend matches the reference with anisotropic antialiasing spacing${because}`,
  ignore: skip,
  fn: async () => {
    const mode = { ...FULL, traceSpacing: 12.5, traceSpacingY: 100, spacingAzimuthDeg: 30 };
    await compare(survey("rotated", mode));
  },
});

Deno.test({
  name: `WebGpuBackend matches the reference with a stretch mute, plain and full mode${because}`,
  ignore: skip,
  fn: async () => {
    for (const mode of [PLAIN, FULL]) {
      const muted = survey("wide", { ...mode, stretchMute: 0.1 });
      const { contributions } = await compare(muted);
      assert.ok(contributions < 0.9 * reference(survey("wide", mode)).contributions, "muted");
    }
  },
});

Deno.test({
  name: `WebGpuBackend matches the reference with obliquity weights and no eta${because}`,
  ignore: skip,
  fn: async () => {
    await compare(survey("wide", { ...FULL, weights: "obliquity", eta: 0, taper: 0.5 }));
  },
});

Deno.test({
  name: `WebGpuBackend accumulates several classes over several batches${because}`,
  ignore: skip,
  fn: async () => {
    for (const mode of [PLAIN, FULL]) {
      const s = survey("wide", mode, { nclass: 3, seed: 11 });
      // classes are mixed in trace order, some traces out of range: the regrouping path
      const { image } = await compare(s, 3);
      const block = s.params.npoints * s.params.ntau;
      for (let c = 0; c < 3; c++) {
        const energy = image.subarray(c * block, (c + 1) * block).reduce((a, x) => a + x * x, 0);
        assert.ok(energy > 0, `class ${c} receives traces`);
      }
    }
  },
});

Deno.test({
  name: `WebGpuBackend takes batches already grouped by class without regrouping${because}`,
  ignore: skip,
  fn: async () => {
    const s = survey("narrow", FULL, { nclass: 2, seed: 5 });
    const order = [...Array(s.batch.count).keys()].sort((a, b) =>
      s.batch.traceClass[a] - s.batch.traceClass[b]
    );
    const ns = s.params.ns, b = s.batch;
    const sorted: KernelBatch = {
      count: b.count,
      traces: new Float32Array(b.count * ns),
      geometry: new Float32Array(4 * b.count),
      traceClass: new Int32Array(b.count),
    };
    order.forEach((k, i) => {
      sorted.traces.set(b.traces.subarray(k * ns, (k + 1) * ns), i * ns);
      sorted.geometry.set(b.geometry.subarray(4 * k, 4 * k + 4), 4 * i);
      sorted.traceClass[i] = b.traceClass[k];
    });
    await compare({ ...s, batch: sorted }, 2);
  },
});

Deno.test({
  name: `WebGpuBackend focuses a point diffractor at its position and time${because}`,
  ignore: skip,
  fn: async () => {
    const v = 2000, ns = 300, dt = 0.004, nx = 13, ny = 11, ntau = 100, dtau = 0.008;
    const target = { x: 150, y: 125, tau: 0.4 };
    const points = new Float32Array(2 * nx * ny);
    for (let j = 0; j < nx * ny; j++) {
      points[2 * j] = 25 * (j % nx);
      points[2 * j + 1] = 25 * Math.floor(j / nx);
    }
    const rand = random(3);
    const count = 600;
    const batch: KernelBatch = {
      count,
      traces: new Float32Array(count * ns),
      geometry: new Float32Array(4 * count),
      traceClass: new Int32Array(count),
    };
    const f = 25; // Ricker peak frequency, Hz
    for (let k = 0; k < count; k++) {
      const mx = -200 + 700 * rand(), my = -200 + 650 * rand();
      const h = 600 * rand(), az = 2 * Math.PI * rand();
      const s = [mx - h * Math.cos(az), my - h * Math.sin(az)];
      const g = [mx + h * Math.cos(az), my + h * Math.sin(az)];
      batch.geometry.set([...s, ...g], 4 * k);
      const leg = (x: number, y: number) =>
        Math.sqrt((target.tau / 2) ** 2 + ((x - target.x) ** 2 + (y - target.y) ** 2) / v ** 2);
      const t = leg(s[0], s[1]) + leg(g[0], g[1]);
      for (let i = 0; i < ns; i++) {
        const a = (Math.PI * f * (i * dt - t)) ** 2;
        batch.traces[k * ns + i] = (1 - 2 * a) * Math.exp(-a);
      }
    }
    const params = plainParams({ ns, dt, npoints: nx * ny, ntau, dtau, aperture: 800 });
    const s = { params, points, velocity: new Float32Array(nx * ny * ntau).fill(v), batch };
    const { image } = await compare(s);
    let best = 0;
    for (let i = 1; i < image.length; i++) if (image[i] > image[best]) best = i;
    const j = Math.floor(best / ntau), it = best % ntau;
    assert.deepEqual([points[2 * j], points[2 * j + 1]], [target.x, target.y]);
    assert.ok(Math.abs(it * dtau - target.tau) <= dtau, `focus at tau ${it * dtau}`);
  },
});

Deno.test({
  name: `WebGpuBackend splits tiles and batches to small limits with the same result${because}`,
  ignore: skip,
  fn: async () => {
    const small = { maxBindingBytes: 1 << 14, maxWorkgroupsPerDimension: 8, workgroupSize: 32 };
    const s = survey("rotated", FULL, { nclass: 3, ntraces: 150, seed: 9 });
    const split = splitTile(s.params, small);
    assert.ok(split.chunks.length > 1, "several point chunks");
    assert.ok(split.tracesPerSubBatch < s.batch.count, "several sub-batches");
    assert.ok(split.chunks.some((c) => c.groupsY > 1), "a 2-D dispatch");
    const whole = await webgpu(s, 2);
    const parts = await compare(s, 2, small);
    const error = relativeL2(parts.image, whole.image);
    assert.ok(error <= 1e-5, `split vs whole relative L2 ${error.toExponential(2)}`);
    assert.equal(parts.contributions, whole.contributions);
  },
});

Deno.test({
  name: `WebGpuBackend keeps two tiles apart when their batches interleave${because}`,
  ignore: skip,
  fn: async () => {
    const a = survey("wide", FULL, { nclass: 3, ntraces: 200, seed: 21 });
    const b = survey("narrow", PLAIN, { ntraces: 300, seed: 22 });
    using backend = await WebGpuBackend.open();
    const tileA = backend.openTile(a);
    const tileB = backend.openTile(b);
    const ns = a.params.ns;
    // not awaited: the shared trace buffers are rewritten and grown while work is queued
    const pending = [
      tileA.accumulate(slice(a.batch, ns, 0, 50)),
      tileB.accumulate(slice(b.batch, ns, 0, 300)),
      tileA.accumulate(slice(a.batch, ns, 50, 150)),
    ];
    const imageA = await tileA.finish(); // waits for the tile's queued batches
    const imageB = await tileB.finish();
    await Promise.all(pending);
    const errorA = relativeL2(imageA, reference(a).image);
    const errorB = relativeL2(imageB, reference(b).image);
    assert.ok(errorA <= 1e-3 && errorB <= 1e-3, `relative L2 ${errorA}, ${errorB}`);
    const want = reference(a).contributions + reference(b).contributions;
    const got = backend.stats().contributions;
    assert.ok(Math.abs(got - want) <= 1e-3 * want, `contributions ${got} vs reference ${want}`);
    tileA.close();
    tileB.close();
  },
});

Deno.test({
  name: `WebGpuBackend handles empty batches, skipped classes and close twice${because}`,
  ignore: skip,
  fn: async () => {
    const s = survey("line", PLAIN, { ntraces: 20 });
    using backend = await WebGpuBackend.open();
    assert.equal(backend.name, "webgpu");
    assert.ok(backend.device.length > 0);
    const tile = backend.openTile({ params: s.params, points: s.points, velocity: s.velocity });
    await tile.accumulate(slice(s.batch, s.params.ns, 0, 0));
    const skipped = slice(s.batch, s.params.ns, 0, 20);
    skipped.traceClass.fill(5);
    await tile.accumulate(skipped);
    const image = await tile.finish();
    assert.ok(image.every((x) => x === 0));
    assert.equal(backend.stats().contributions, 0);
    await assert.rejects(() => tile.accumulate(s.batch), PstmError);
    tile.close();
    tile.close();
    backend.close();
    backend.close();
    assert.throws(
      () => backend.openTile({ params: s.params, points: s.points, velocity: s.velocity }),
      PstmError,
    );
  },
});

Deno.test({
  name: `WebGpuBackend rejects inconsistent tile inputs with PstmError${because}`,
  ignore: skip,
  fn: async () => {
    const s = survey("line", PLAIN, { ntraces: 4 });
    using backend = await WebGpuBackend.open();
    assert.throws(
      () => backend.openTile({ ...s, points: new Float32Array(3) }),
      (e: unknown) => e instanceof PstmError && e.exitCode === 2 && /points/.test(e.message),
    );
    const tile = backend.openTile(s);
    await assert.rejects(
      () => tile.accumulate({ ...s.batch, traces: new Float32Array(10) }),
      (e: unknown) => e instanceof PstmError && /batch\.traces/.test(e.message),
    );
    tile.close();
  },
});

Deno.test("splitTile rejects a column larger than one binding with PstmError (exit 1)", () => {
  assert.throws(
    () =>
      splitTile({ npoints: 4, ntau: 1000, nclass: 8, ns: 100 }, {
        maxBindingBytes: 1 << 14,
        maxWorkgroupsPerDimension: 65535,
        workgroupSize: 64,
      }),
    (e: unknown) => e instanceof PstmError && e.exitCode === 1,
  );
});

Deno.test("webgpuAvailability reports an adapter and its limits, or why not", () => {
  assert.equal(typeof found.reason, "string");
  assert.ok(found.reason.length > 0);
  if (found.available) {
    assert.ok(found.adapter !== undefined && found.adapter.length > 0);
    assert.ok(found.limits !== undefined && found.limits.maxStorageBufferBindingSize > 0);
  }
});

const noGpu = (globalThis.navigator as Navigator | undefined)?.gpu === undefined;

Deno.test({
  name: `WebGpuBackend.open throws PstmError (exit 1) when no adapter exists${
    noGpu ? " (skipped: navigator.gpu is not defined)" : ""
  }`,
  ignore: noGpu,
  fn: noAdapter,
});

async function noAdapter(): Promise<void> {
  const gpu = navigator.gpu;
  Object.defineProperty(gpu, "requestAdapter", {
    value: () => Promise.resolve(null),
    configurable: true,
  });
  try {
    const none = await webgpuAvailability();
    assert.equal(none.available, false);
    assert.match(none.reason, /no WebGPU adapter/);
    await assert.rejects(
      () => WebGpuBackend.open(),
      (e: unknown) =>
        e instanceof PstmError && e.exitCode === 1 && /no WebGPU adapter/.test(e.message),
    );
  } finally {
    delete (gpu as unknown as Record<string, unknown>).requestAdapter;
  }
  assert.equal(typeof navigator.gpu.requestAdapter, "function");
}

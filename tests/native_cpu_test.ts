/**
 * The CPU backend against the float64 reference kernel on several survey
 * geometries, in plain mode (relative L2 <= 1e-4) and full mode (aperture,
 * maximum angle, taper, antialiasing, weights, eta: relative L2 <= 1e-3);
 * on every SIMD target the CPU runs (PSTM_SIMD); and the cases that break
 * the SIMD kernel's register window (velocity inversion, coarse output
 * sampling, eta, steep antialiasing), which must take the exact fallback.
 */

import assert from "node:assert/strict";
import type { KernelBatch, KernelParams } from "../backends/backend.ts";
import { NativeBackend } from "../backends/native/native_backend.ts";
import { UnsupportedError } from "../ffi/status.ts";
import {
  type BatchShape,
  ensureCpuLibrary,
  FULL_MODE,
  type Layout,
  makeBatch,
  makePoints,
  makeVelocity,
  plainParams,
  referenceImage,
  relativeL2,
  sliceBatch,
} from "../bench/kernel_cases.ts";

await ensureCpuLibrary();

const PLAIN_TOLERANCE = 1e-4;
const FULL_TOLERANCE = 1e-3;

/** Full mode: every feature on (a 450 m aperture). */
function fullParams(overrides: Partial<KernelParams>): KernelParams {
  return plainParams({ ...FULL_MODE, tau0: 0.02, aperture: 450, ...overrides });
}

interface Case {
  name: string;
  layout: Layout;
  shape: Omit<BatchShape, "integrated" | "ns" | "seed" | "nclass">;
  nclass?: number;
  batches?: number;
  /** Full-mode parameter overrides of this case. */
  full?: Partial<KernelParams>;
  /** Plain-mode parameter overrides of this case. */
  plain?: Partial<KernelParams>;
}

const CASES: Case[] = [
  {
    name: "narrow azimuth",
    layout: { kind: "grid", nx: 12, ny: 10, spacing: 25 },
    shape: { count: 80, extentX: 300, extentY: 250, maxHalfOffset: 600, azimuthSpreadDeg: 10 },
  },
  {
    name: "wide azimuth",
    layout: { kind: "grid", nx: 12, ny: 12, spacing: 25 },
    shape: { count: 80, extentX: 300, extentY: 300, maxHalfOffset: 500, azimuthSpreadDeg: 360 },
  },
  {
    name: "2-D line",
    layout: { kind: "line", n: 120, spacing: 12.5 },
    shape: { count: 100, extentX: 1500, extentY: 0, maxHalfOffset: 800, azimuthSpreadDeg: 0 },
  },
  {
    name: "rotated grid",
    layout: { kind: "grid", nx: 11, ny: 9, spacing: 25, azimuthDeg: 33 },
    shape: { count: 80, extentX: 250, extentY: 300, maxHalfOffset: 400, azimuthSpreadDeg: 90 },
  },
  {
    name: "several offset classes",
    layout: { kind: "grid", nx: 10, ny: 10, spacing: 25 },
    shape: { count: 120, extentX: 250, extentY: 250, maxHalfOffset: 700, azimuthSpreadDeg: 45 },
    nclass: 4,
  },
  {
    name: "multiple batches into one tile",
    layout: { kind: "grid", nx: 10, ny: 8, spacing: 25 },
    shape: { count: 90, extentX: 250, extentY: 200, maxHalfOffset: 500, azimuthSpreadDeg: 180 },
    nclass: 2,
    batches: 3,
  },
  {
    // 12.5 m CMPs along a 33-degree azimuth, 100 m between sail lines across it
    name: "anisotropic antialiasing spacing on a rotated grid",
    layout: { kind: "grid", nx: 11, ny: 9, spacing: 25, azimuthDeg: 33 },
    shape: { count: 80, extentX: 250, extentY: 300, maxHalfOffset: 400, azimuthSpreadDeg: 90 },
    full: { traceSpacing: 12.5, traceSpacingY: 100, spacingAzimuthDeg: 33 },
  },
  {
    // offsets to 1600 m over shallow times: a 15 % stretch mute leaves a good part out
    name: "stretch mute",
    layout: { kind: "grid", nx: 10, ny: 10, spacing: 25 },
    shape: { count: 100, extentX: 250, extentY: 250, maxHalfOffset: 800, azimuthSpreadDeg: 90 },
    nclass: 2,
    plain: { stretchMute: 0.15 },
    full: { stretchMute: 0.15 },
  },
];

/** Splits a batch into `n` consecutive batches. */
function split(batch: KernelBatch, ns: number, n: number): KernelBatch[] {
  const out: KernelBatch[] = [];
  const size = Math.ceil(batch.count / n);
  for (let start = 0; start < batch.count; start += size) {
    out.push(sliceBatch(batch, ns, start, Math.min(batch.count, start + size) - start));
  }
  return out;
}

async function compare(c: Case, full: boolean, seed: number): Promise<void> {
  const points = makePoints(c.layout);
  const nclass = c.nclass ?? 1;
  const overrides = { npoints: points.length / 2, nclass };
  const params = full
    ? fullParams({ ...c.full, ...overrides })
    : plainParams({ ...c.plain, ...overrides });
  const velocity = makeVelocity(params);
  const batch = makeBatch({ ...c.shape, nclass, ns: params.ns, integrated: full, seed });

  const { image: expected, contributions: count } = referenceImage({
    params,
    points,
    velocity,
    batch,
  });

  using backend = NativeBackend.open("cpu");
  const tile = backend.openTile({ params, points, velocity });
  // fire every batch without awaiting in between: the tile runs them in order
  await Promise.all(split(batch, params.ns, c.batches ?? 1).map((b) => tile.accumulate(b)));
  const image = await tile.finish();

  const misfit = relativeL2(image, expected);
  const tolerance = full ? FULL_TOLERANCE : PLAIN_TOLERANCE;
  assert.ok(count > 1000, `${c.name}: only ${count} reference contributions`);
  assert.ok(misfit <= tolerance, `${c.name} (${full ? "full" : "plain"}): L2 ${misfit}`);
  const contributions = backend.stats().contributions;
  assert.ok(
    Math.abs(contributions - count) <= 1e-3 * count,
    `${c.name}: ${contributions} contributions, reference ${count}`,
  );
}

Deno.test("the stretch mute case leaves out a good part of the contributions", () => {
  const c = CASES.find((c) => c.name === "stretch mute")!;
  const points = makePoints(c.layout);
  const counts = [0, 0.15].map((stretchMute) => {
    const params = plainParams({ npoints: points.length / 2, nclass: 2, stretchMute });
    const batch = makeBatch({ ...c.shape, nclass: 2, ns: params.ns, integrated: false, seed: 11 });
    return referenceImage({ params, points, velocity: makeVelocity(params), batch }).contributions;
  });
  assert.ok(counts[1] < 0.8 * counts[0], `contributions ${counts[1]} muted, ${counts[0]} not`);
});

for (const c of CASES) {
  Deno.test(`NativeBackend cpu matches the reference in plain mode: ${c.name}`, async () => {
    await compare(c, false, 11);
  });
  Deno.test(`NativeBackend cpu matches the reference in full mode: ${c.name}`, async () => {
    await compare(c, true, 23);
  });
}

Deno.test("the reference's per-axis antialiasing spacing: isotropic when equal, turns with the azimuth", () => {
  const points = makePoints({ kind: "grid", nx: 9, ny: 9, spacing: 25 });
  const shape = { count: 60, extentX: 200, extentY: 200, maxHalfOffset: 500, azimuthSpreadDeg: 90 };
  const params = fullParams({ npoints: points.length / 2 });
  const velocity = makeVelocity(params);
  const batch = makeBatch({ ...shape, nclass: 1, ns: params.ns, integrated: true, seed: 3 });
  const image = (p: Partial<KernelParams>) =>
    referenceImage({ params: { ...params, ...p }, points, velocity, batch }).image;
  const isotropic = image({ traceSpacing: 40 });
  assert.ok(
    relativeL2(image({ traceSpacing: 40, traceSpacingY: 40, spacingAzimuthDeg: 17 }), isotropic) <
      1e-12,
  );
  const along = image({ traceSpacing: 10, traceSpacingY: 80, spacingAzimuthDeg: 0 });
  const turned = image({ traceSpacing: 80, traceSpacingY: 10, spacingAzimuthDeg: 90 });
  assert.ok(relativeL2(turned, along) < 1e-9, "azimuth 90 swaps the axes");
  // a coarser crossline spacing filters more than the isotropic fine one
  assert.ok(relativeL2(along, image({ traceSpacing: 10 })) > 1e-2, "the y spacing matters");
});

Deno.test("NativeBackend cpu accumulates two open tiles at once", async () => {
  using backend = NativeBackend.open("cpu", { threads: 2 });
  const points = makePoints({ kind: "grid", nx: 9, ny: 9, spacing: 25 });
  const shape = { count: 60, extentX: 200, extentY: 200, maxHalfOffset: 500, azimuthSpreadDeg: 90 };
  const setups = [false, true].map((full, i) => {
    const overrides = { npoints: points.length / 2, nclass: 2 };
    const params = full ? fullParams(overrides) : plainParams(overrides);
    const velocity = makeVelocity(params);
    const batch = makeBatch({ ...shape, nclass: 2, ns: params.ns, integrated: full, seed: 5 + i });
    const expected = referenceImage({ params, points, velocity, batch }).image;
    return { full, params, velocity, batch, expected };
  });
  const tiles = setups.map((s) =>
    backend.openTile({ params: s.params, points, velocity: s.velocity })
  );
  await Promise.all(tiles.map((tile, i) => tile.accumulate(setups[i].batch)));
  const images = await Promise.all(tiles.map((tile) => tile.finish()));
  images.forEach((image, i) => {
    const misfit = relativeL2(image, setups[i].expected);
    assert.ok(
      misfit <= (setups[i].full ? FULL_TOLERANCE : PLAIN_TOLERANCE),
      `tile ${i}: ${misfit}`,
    );
  });
});

Deno.test("NativeBackend cpu focuses a point diffractor", async () => {
  const points = makePoints({ kind: "grid", nx: 15, ny: 15, spacing: 20 });
  const params = plainParams({ npoints: points.length / 2, ntau: 150, aperture: 600 });
  const velocity = new Float32Array(params.npoints * params.ntau).fill(2000);
  const [x0, y0, tauD] = [3 + 7 * 20, 7 + 7 * 20, 0.4];
  const count = 225;
  const traces = new Float32Array(count * params.ns);
  const geometry = new Float32Array(4 * count);
  for (let k = 0; k < count; k++) {
    const mx = (k % 15) * 20, my = Math.floor(k / 15) * 20, hx = ((k * 37) % 200) - 100;
    geometry.set([mx - hx, my, mx + hx, my], 4 * k);
    const leg = (x: number, y: number) =>
      Math.sqrt((tauD / 2) ** 2 + ((x0 - x) ** 2 + (y0 - y) ** 2) / 2000 ** 2);
    const i = Math.round((leg(mx - hx, my) + leg(mx + hx, my)) / params.dt);
    traces.set([-0.5, 1, -0.5], k * params.ns + i - 1);
  }
  using backend = NativeBackend.open("cpu");
  const tile = backend.openTile({ params, points, velocity });
  await tile.accumulate({ count, traces, geometry, traceClass: new Int32Array(count) });
  const image = await tile.finish();
  let best = 0;
  for (let i = 1; i < image.length; i++) if (image[i] > image[best]) best = i;
  const j = Math.floor(best / params.ntau), it = best % params.ntau;
  assert.deepEqual([points[2 * j], points[2 * j + 1]], [x0, y0]);
  assert.ok(Math.abs(it * params.dtau - tauD) <= 0.0041, `peak at tau ${it * params.dtau}`);
});

// ---- every SIMD target, and the cases that break the register window --------------

/** Kernel targets the library may hold (pstm_context_target names). */
const TARGETS = ["avx3", "avx2", "sse4", "neon", "emu128", "portable"];
/** Targets whose plain lookups use the register window (cpu_kernel_simd.cpp). */
const WINDOWED = new Set(["avx3", "avx2"]);

/** Opens the CPU backend on one kernel target; undefined when this CPU cannot run it. */
function openOn(target: string): NativeBackend | undefined {
  Deno.env.set("PSTM_SIMD", target);
  try {
    return NativeBackend.open("cpu");
  } catch (error) {
    if (error instanceof UnsupportedError) return undefined;
    throw error;
  } finally {
    Deno.env.delete("PSTM_SIMD");
  }
}

interface Survey {
  params: KernelParams;
  points: Float32Array<ArrayBuffer>;
  velocity: Float32Array<ArrayBuffer>;
  batch: KernelBatch;
}

/** Runs a survey on every target this CPU runs; checks each against the reference. */
async function everyTarget(
  name: string,
  s: Survey,
  tolerance: number,
  check: (target: string, lookups: { window: number; gather: number }) => void = () => {},
): Promise<string[]> {
  const expected = referenceImage(s);
  assert.ok(expected.contributions > 1000, `${name}: ${expected.contributions} contributions`);
  const ran: string[] = [];
  for (const target of TARGETS) {
    const backend = openOn(target);
    if (!backend) continue;
    try {
      assert.equal(backend.target, target);
      const tile = backend.openTile({ params: s.params, points: s.points, velocity: s.velocity });
      await tile.accumulate(s.batch);
      const image = await tile.finish();
      const misfit = relativeL2(image, expected.image);
      assert.ok(misfit <= tolerance, `${name} on ${target}: L2 ${misfit}`);
      const contributions = backend.stats().contributions;
      assert.ok(
        Math.abs(contributions - expected.contributions) <= 1e-3 * expected.contributions,
        `${name} on ${target}: ${contributions} contributions, reference ${expected.contributions}`,
      );
      check(target, backend.lookups());
      ran.push(target);
    } finally {
      backend.close();
    }
  }
  assert.ok(ran.includes("portable"), `${name}: ran ${ran}`);
  return ran;
}

/** A 12 x 12 tile, 80 traces, wide azimuth; `velocity(it)` in every column. */
function windowSurvey(
  overrides: Partial<KernelParams>,
  velocity: (it: number, p: KernelParams) => number,
  shape: { maxHalfOffset?: number; integrated?: boolean } = {},
): Survey {
  const points = makePoints({ kind: "grid", nx: 12, ny: 12, spacing: 25 });
  const params = plainParams({ npoints: points.length / 2, ...overrides });
  const v = new Float32Array(params.npoints * params.ntau);
  for (let j = 0; j < params.npoints; j++) {
    for (let it = 0; it < params.ntau; it++) v[j * params.ntau + it] = velocity(it, params);
  }
  const batch = makeBatch({
    count: 80,
    extentX: 300,
    extentY: 300,
    maxHalfOffset: shape.maxHalfOffset ?? 500,
    azimuthSpreadDeg: 360,
    nclass: 1,
    ns: params.ns,
    integrated: shape.integrated ?? false,
    seed: 31,
  });
  batch.traceClass.fill(0);
  return { params, points, velocity: v, batch };
}

Deno.test("NativeBackend cpu: every SIMD target this CPU runs matches the reference (plain and full)", async () => {
  const c = CASES[1];
  const points = makePoints(c.layout);
  for (const full of [false, true]) {
    const overrides = { npoints: points.length / 2, nclass: 1 };
    const params = full ? fullParams(overrides) : plainParams(overrides);
    const velocity = makeVelocity(params);
    const batch = makeBatch({ ...c.shape, nclass: 1, ns: params.ns, integrated: full, seed: 41 });
    const ran = await everyTarget(
      `${c.name} ${full ? "full" : "plain"}`,
      { params, points, velocity, batch },
      full ? FULL_TOLERANCE : PLAIN_TOLERANCE,
      (target, lookups) => {
        if (WINDOWED.has(target) && !full) {
          assert.ok(lookups.window > lookups.gather, `${target}: ${JSON.stringify(lookups)}`);
        }
      },
    );
    assert.ok(ran.length >= 2, `only ${ran} ran`);
  }
});

/** Share of SIMD lookup vectors that gathered. */
function gatherShare(lookups: { window: number; gather: number }): number {
  return lookups.gather / Math.max(1, lookups.window + lookups.gather);
}

/** Gather shares per windowed target of the benign survey (v rising, dtau = dt). */
const controlShare = new Map<string, number>();
const control = everyTarget(
  "control",
  windowSurvey({}, (it) => 1800 + 3 * it),
  PLAIN_TOLERANCE,
  (target, lookups) => controlShare.set(target, gatherShare(lookups)),
);

/**
 * On a windowed target the case must gather more often than the benign
 * survey does (whose gathers are the trace ends): the fallback was taken.
 */
async function gathers(name: string, s: Survey, tolerance: number): Promise<void> {
  await control;
  await everyTarget(name, s, tolerance, (target, lookups) => {
    if (!WINDOWED.has(target)) return;
    const share = gatherShare(lookups), base = controlShare.get(target)!;
    console.log(
      `${name} on ${target}: ${(100 * share).toFixed(2)}% of ${lookups.window + lookups.gather} ` +
        `lookup vectors gathered (benign survey ${(100 * base).toFixed(2)}%)`,
    );
    assert.ok(share > 1.5 * base, `${name} on ${target}: ${share} vs ${base}`);
  });
}

Deno.test("NativeBackend cpu: a velocity inversion stays exact (fallback to gathers)", async () => {
  // 3,000 m/s down to 1,500 m/s by 0.3 s, then rising: leg times grow faster than tau / 2
  const inversion = (it: number, p: KernelParams) => {
    const tau = p.tau0 + it * p.dtau;
    return tau < 0.3 ? 3000 - 5000 * tau : 1500 + 1500 * (tau - 0.3);
  };
  await gathers("inversion", windowSurvey({}, inversion, { maxHalfOffset: 800 }), PLAIN_TOLERANCE);
});

Deno.test("NativeBackend cpu: output sampled twice as coarse as the input, tau0 off the grid, stays exact", async () => {
  const params = { dtau: 0.008, tau0: 0.0123, ntau: 110 };
  await gathers("dtau = 2 dt", windowSurvey(params, (it) => 1800 + 6 * it), PLAIN_TOLERANCE);
});

Deno.test("NativeBackend cpu: VTI eta stays exact on every target, in the window and through the fallback", async () => {
  // eta 0.2 and -0.3 bend the leg times too little to leave the window (measured: no
  // gathers); with the output sampled at 2 dt the eta legs go through the gather fallback
  const shape = { maxHalfOffset: 900 };
  for (const eta of [0.2, -0.3]) {
    const s = windowSurvey({ eta }, (it) => 1800 + 3 * it, shape);
    await everyTarget(`eta ${eta}`, s, PLAIN_TOLERANCE);
  }
  const coarse = { eta: 0.2, dtau: 0.008, tau0: 0.0123, ntau: 110 };
  await gathers("eta 0.2, dtau = 2 dt", windowSurvey(coarse, (it) => 1800 + 6 * it, shape), 1e-4);
});

Deno.test("NativeBackend cpu: antialiasing at steep dips stays exact (wide triangles gather)", async () => {
  const s = windowSurvey({ antialias: true, traceSpacing: 60 }, (it) => 1500 + it, {
    maxHalfOffset: 900,
    integrated: true,
  });
  await gathers("antialiased, steep dips", s, FULL_TOLERANCE);
});

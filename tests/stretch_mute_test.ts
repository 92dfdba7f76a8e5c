/**
 * The stretch mute of the migration operator (docs/algorithm.md, "Stretch mute") against its
 * known answer on the reference kernel: a sample at tau is left out exactly where the trace's
 * offset x gives sqrt(1 + x^2 / (v tau)^2) - 1 > the limit, and with VTI eta where
 * 1 / (dt/dtau) - 1 of the eta moveout does; zero offset is never muted; the stack of the
 * classes stays the sum of the classes.
 */

import assert from "node:assert/strict";
import type { KernelParams } from "../backends/backend.ts";
import { legTime, referenceAccumulate } from "../backends/reference/reference_kernel.ts";
import { stretchExceeds, stretchRatioLimit } from "../backends/stretch_mute.ts";

const V = 2000;
const NTAU = 200;

/** One column at the midpoint of each trace, constant velocity, traces of ones. */
function migrate(
  offsets: number[],
  classes: number[],
  stretchMute: number,
  nclass = 1,
  eta = 0,
) {
  const p: KernelParams = {
    ns: 1001,
    t0: 0,
    dt: 0.004,
    npoints: 1,
    ntau: NTAU,
    tau0: 0,
    dtau: 0.01,
    nclass,
    aperture: 0,
    maxAngle: 0,
    taper: 0,
    antialias: false,
    traceSpacing: 25,
    weights: "none",
    eta,
    stretchMute,
  };
  const n = offsets.length;
  const geometry = new Float32Array(4 * n);
  offsets.forEach((x, k) => geometry.set([-x / 2, 0, x / 2, 0], 4 * k));
  const image = new Float32Array(nclass * NTAU);
  const count = referenceAccumulate(
    p,
    new Float32Array(2),
    new Float32Array(NTAU).fill(V),
    n,
    new Float32Array(n * p.ns).fill(1),
    geometry,
    Int32Array.from(classes),
    image,
  );
  return { image, count };
}

Deno.test("referenceAccumulate stretch mute: muted exactly above the stretch limit", () => {
  const x = 1500, s = 0.3;
  const { image } = migrate([x], [0], s);
  // sqrt(1 + x^2 / (v tau)^2) = 1 + s  <=>  tau = x / (v sqrt((1 + s)^2 - 1))
  const tauMute = x / (V * Math.sqrt((1 + s) ** 2 - 1));
  let muted = 0;
  for (let it = 0; it < NTAU; it++) {
    const tau = it * 0.01;
    const stretch = Math.sqrt(1 + (x / (V * tau)) ** 2) - 1;
    assert.equal(image[it], stretch > s ? 0 : 1, `tau ${tau}: stretch ${stretch}`);
    if (image[it] === 0) muted++;
  }
  assert.equal(muted, Math.floor(tauMute / 0.01) + 1); // tau 0 .. 0.90 s
  assert.ok(tauMute > 0.90 && tauMute < 0.91);
  assert.equal(muted, 91);
});

Deno.test("referenceAccumulate stretch mute: zero offset is kept, off keeps every sample", () => {
  assert.ok(migrate([0], [0], 0.1).image.every((v) => v === 1));
  const { image, count } = migrate([3000], [0], 0);
  assert.ok(image.every((v) => v === 1));
  assert.equal(count, NTAU);
});

Deno.test("referenceAccumulate stretch mute: classes mute per trace, the stack is their sum", () => {
  const offsets = [200, 900, 1600, 2300];
  const gathers = migrate(offsets, [0, 1, 2, 3], 0.2, 4).image;
  const stack = migrate(offsets, [0, 0, 0, 0], 0.2).image;
  for (let it = 0; it < NTAU; it++) {
    let sum = 0;
    for (let c = 0; c < 4; c++) sum += gathers[c * NTAU + it];
    assert.equal(stack[it], sum, `tau index ${it}`);
  }
  // farther offsets are muted down to later times
  const firstLive = (c: number) =>
    gathers.subarray(c * NTAU, (c + 1) * NTAU).findIndex((v) => v !== 0);
  const starts = [0, 1, 2, 3].map(firstLive);
  assert.deepEqual([...starts].sort((a, b) => a - b), starts);
  assert.ok(starts[3] > starts[0] + 50, `mute starts ${starts}`);
});

/** t(tau) of the kernel at the midpoint of a trace of offset x: both legs x / 2 long. */
function moveout(tau: number, x: number, v: number, eta: number): number {
  return 2 * legTime(tau / 2, (x / 2) ** 2, v, eta);
}

Deno.test("referenceAccumulate stretch mute with eta: muted where 1 / (dt/dtau) - 1 of the moveout exceeds the limit", () => {
  const s = 0.3, eta = 0.1;
  for (const x of [800, 1500, 2200]) {
    const { image } = migrate([x], [0], s, 1, eta);
    const isotropic = migrate([x], [0], s, 1, 0).image;
    let checked = 0, differ = 0;
    for (let it = 1; it < NTAU; it++) {
      const tau = it * 0.01;
      // the stretch from a central difference of the kernel's own traveltime (independent of
      // the closed form in backends/stretch_mute.ts)
      const e = 1e-6;
      const slope = (moveout(tau + e, x, V, eta) - moveout(tau - e, x, V, eta)) / (2 * e);
      const stretch = 1 / slope - 1;
      if (Math.abs(stretch - s) < 1e-5) continue; // on the limit: either is right
      assert.equal(image[it], stretch > s ? 0 : 1, `x ${x}, tau ${tau}: stretch ${stretch}`);
      checked++;
      if (image[it] !== isotropic[it]) differ++;
    }
    assert.ok(checked > NTAU - 5, `${checked} samples checked`);
    assert.equal(image[0], 0, "tau 0 is muted for x > 0");
    // eta > 0 flattens the far-offset moveout: less stretch, fewer samples muted than eta = 0
    assert.ok(differ > 0, `x ${x}: eta changes the muted samples`);
    assert.ok(image.reduce((a, b) => a + b) > isotropic.reduce((a, b) => a + b));
  }
});

Deno.test("stretchRatioLimit: eta 0 is the hyperbolic bound exactly, eta folds into one bound", () => {
  for (const s of [0.05, 0.3, 1, 5]) assert.equal(stretchRatioLimit(s, 0), (1 + s) ** 2 - 1);
  for (const eta of [-0.3, -0.1, 0.05, 0.1, 0.3, 1]) {
    const limit = stretchRatioLimit(0.3, eta);
    assert.ok(!stretchExceeds(limit, 0.3, eta) && stretchExceeds(limit * (1 + 1e-9), 0.3, eta));
    // a top mute: kept below the bound, muted above it
    for (const f of [0.1, 0.5, 0.9]) assert.ok(!stretchExceeds(f * limit, 0.3, eta));
    for (const f of [1.1, 2, 10, 1e6]) assert.ok(stretchExceeds(f * limit, 0.3, eta), `eta ${eta}`);
  }
});

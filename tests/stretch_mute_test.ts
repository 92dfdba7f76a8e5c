/**
 * The stretch mute of the migration operator (docs/algorithm.md, "Stretch mute") against its
 * known answer on the reference kernel: a sample at tau is left out exactly where the trace's
 * offset x gives sqrt(1 + x^2 / (v tau)^2) - 1 > the limit; zero offset is never muted; the
 * stack of the classes stays the sum of the classes.
 */

import assert from "node:assert/strict";
import type { KernelParams } from "../backends/backend.ts";
import { referenceAccumulate } from "../backends/reference/reference_kernel.ts";

const V = 2000;
const NTAU = 200;

/** One column at the midpoint of each trace, constant velocity, traces of ones. */
function migrate(offsets: number[], classes: number[], stretchMute: number, nclass = 1) {
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
    eta: 0,
    threads: 0,
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

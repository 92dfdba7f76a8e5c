/**
 * The stretch mute with VTI eta on every backend that runs here: with eta = 0.1 and a 30 %
 * stretch mute the CPU library (every SIMD target this CPU runs, and the scalar kernel) and
 * WebGPU (llvmpipe) leave out exactly the samples the reference does, and that set differs
 * from the one for eta = 0. Traces of ones: each image sample counts the traces kept there.
 */

import assert from "node:assert/strict";
import type { Backend, KernelParams } from "../backends/backend.ts";
import { NativeBackend } from "../backends/native/native_backend.ts";
import { ReferenceBackend } from "../backends/reference/reference_backend.ts";
import { webgpuAvailability } from "../backends/webgpu/availability.ts";
import { WebGpuBackend } from "../backends/webgpu/webgpu_backend.ts";
import { ensureCpuLibrary } from "../bench/kernel_cases.ts";
import { UnsupportedError } from "../ffi/status.ts";

const found = await webgpuAvailability();
const because = found.available ? "" : ` (WebGPU skipped: ${found.reason})`;

const NPOINTS = 8, NTAU = 150, NS = 700, NTRACES = 24;

function params(eta: number, stretchMute: number): KernelParams {
  return {
    ns: NS,
    t0: 0,
    dt: 0.004,
    npoints: NPOINTS,
    ntau: NTAU,
    tau0: 0,
    dtau: 0.0137, // not a multiple of dt: no sample sits on a round ratio
    nclass: 1,
    aperture: 0,
    maxAngle: 0,
    taper: 0,
    antialias: false,
    traceSpacing: 25,
    weights: "none",
    eta,
    stretchMute,
  };
}

/** Columns along x, v(tau) increasing with tau and x; traces at many offsets and azimuths. */
function inputs(p: KernelParams) {
  const points = new Float32Array(2 * NPOINTS);
  for (let j = 0; j < NPOINTS; j++) points.set([47 * j, 13 * j], 2 * j);
  const velocity = new Float32Array(NPOINTS * NTAU);
  for (let j = 0; j < NPOINTS; j++) {
    for (let it = 0; it < NTAU; it++) velocity[j * NTAU + it] = 1810 + 13 * j + 730 * it * p.dtau;
  }
  const geometry = new Float32Array(4 * NTRACES);
  for (let k = 0; k < NTRACES; k++) {
    const offset = 230 + 131.7 * k, az = 0.37 * k;
    const mx = 20 + 9.3 * k, my = -30 + 4.1 * k;
    const hx = 0.5 * offset * Math.cos(az), hy = 0.5 * offset * Math.sin(az);
    geometry.set([mx - hx, my - hy, mx + hx, my + hy], 4 * k);
  }
  const batch = {
    count: NTRACES,
    traces: new Float32Array(NTRACES * NS).fill(1),
    geometry,
    traceClass: new Int32Array(NTRACES),
  };
  return { points, velocity, batch };
}

async function run(backend: Backend, p: KernelParams) {
  const { points, velocity, batch } = inputs(p);
  const before = backend.stats().contributions;
  const tile = backend.openTile({ params: p, points, velocity });
  await tile.accumulate(batch);
  const image = await tile.finish();
  tile.close();
  return { image, contributions: backend.stats().contributions - before };
}

/** Opens the CPU backend on one SIMD target (PSTM_SIMD); undefined when this CPU lacks it. */
function cpuOn(target: string): NativeBackend | undefined {
  Deno.env.set("PSTM_SIMD", target);
  try {
    return NativeBackend.open("cpu", { threads: 2 });
  } catch (error) {
    if (error instanceof UnsupportedError) return undefined;
    throw error;
  } finally {
    Deno.env.delete("PSTM_SIMD");
  }
}

/** The backends to compare: the CPU library on each target this CPU runs, and WebGPU. */
async function backends(): Promise<[string, () => Promise<Backend | undefined>][]> {
  await ensureCpuLibrary();
  const list: [string, () => Promise<Backend | undefined>][] = [
    "avx3",
    "avx2",
    "sse4",
    "neon",
    "emu128",
    "portable",
  ].map((target) => [`cpu ${target}`, () => Promise.resolve(cpuOn(target))]);
  if (found.available) list.push(["webgpu", () => WebGpuBackend.open()]);
  return list;
}

Deno.test(`stretch mute with eta 0.1 at 30 %: cpu and webgpu leave out the reference's samples${because}`, async () => {
  const reference = new ReferenceBackend();
  const muted = await run(reference, params(0.1, 0.3));
  const isotropic = await run(reference, params(0, 0.3));
  const unmuted = await run(reference, params(0.1, 0));
  reference.close();
  // the mute leaves out a good part, and eta changes which samples
  assert.ok(muted.contributions < 0.9 * unmuted.contributions, `${muted.contributions}`);
  let differ = 0;
  for (let i = 0; i < muted.image.length; i++) if (muted.image[i] !== isotropic.image[i]) differ++;
  assert.ok(differ > 20, `${differ} samples differ between eta 0.1 and eta 0`);
  assert.ok(muted.contributions > isotropic.contributions, "eta > 0: less stretch, fewer muted");
  const ran: string[] = [];
  for (const [name, open] of await backends()) {
    const opened = await open();
    if (!opened) continue;
    ran.push(name);
    using backend = opened as Backend & Disposable;
    for (
      const [label, want, p] of [
        ["eta 0.1", muted, params(0.1, 0.3)],
        ["eta 0", isotropic, params(0, 0.3)],
      ] as const
    ) {
      const got = await run(backend, p);
      let wrong = 0, first = -1;
      for (let i = 0; i < want.image.length; i++) {
        if (got.image[i] !== want.image[i]) {
          wrong++;
          if (first < 0) first = i;
        }
      }
      assert.equal(
        wrong,
        0,
        `${name} ${label}: ${wrong} samples differ from the reference (first: column ` +
          `${Math.floor(first / NTAU)}, tau index ${first % NTAU}: ${got.image[first]} vs ` +
          `${want.image[first]})`,
      );
      assert.equal(got.contributions, want.contributions, `${name} ${label} contributions`);
    }
    console.log(
      `${name}: eta 0.1 keeps ${muted.contributions}, eta 0 keeps ${isotropic.contributions} ` +
        `of ${unmuted.contributions} contributions; ${differ} image samples differ`,
    );
  }
  assert.ok(ran.includes("cpu portable") && ran.length >= 2, `ran on ${ran}`);
});

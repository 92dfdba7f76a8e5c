import assert from "node:assert/strict";
import {
  parseSynthOrder,
  SYNTH_ORDERS,
  synthBatches,
  type SynthOrder,
  synthPreset,
  type SynthSpec,
  synthTraceCount,
  synthTruth,
  synthVelocityAt,
  synthVelocityText,
} from "../pipeline/synth/synth.ts";
import { makeSurvey, migrate, readAllSamples, relativeL2 } from "./helpers/migrate_support.ts";
import { legTime } from "../backends/reference/reference_kernel.ts";
import { PstmError } from "../core/errors.ts";

Deno.test("synthBatches yields every trace in batches with consistent geometry", () => {
  const spec = synthPreset("small3d");
  let count = 0, previous = -1;
  for (const batch of synthBatches(spec, 100)) {
    assert.equal(batch.firstTrace, previous + 1);
    previous = batch.firstTrace + batch.count - 1;
    count += batch.count;
    for (let k = 0; k < batch.count; k++) {
      const offset = Math.hypot(batch.gx[k] - batch.sx[k], batch.gy[k] - batch.sy[k]);
      assert.ok(Math.abs(offset - batch.headers.offset[k]) < 1e-6);
      assert.ok(Math.abs(0.5 * (batch.sx[k] + batch.gx[k]) - batch.headers.cdpx[k]) < 1e-6);
    }
  }
  assert.equal(count, synthTraceCount(spec));
});

Deno.test("synthBatches puts a diffractor's wavelet peak at its DSR time", () => {
  const spec = { ...synthPreset("small3d"), reflectors: [] };
  const d = spec.diffractors[0];
  const batch = synthBatches(spec, 10_000).next().value!;
  const v = synthVelocityAt(spec, d.tau);
  for (const k of [0, 57, batch.count - 1]) {
    const t = legTime(d.tau / 2, (d.x - batch.sx[k]) ** 2 + (d.y - batch.sy[k]) ** 2, v, 0) +
      legTime(d.tau / 2, (d.x - batch.gx[k]) ** 2 + (d.y - batch.gy[k]) ** 2, v, 0);
    const trace = batch.samples.subarray(k * spec.ns, (k + 1) * spec.ns);
    let peak = 0;
    for (let i = 1; i < spec.ns; i++) if (trace[i] > trace[peak]) peak = i;
    assert.ok(
      Math.abs(peak * spec.dt - t) <= spec.dt,
      `trace ${k}: peak ${peak * spec.dt} vs ${t}`,
    );
  }
});

Deno.test("synthPreset scales to a requested trace count and keeps events centred", () => {
  const base = synthPreset("demo3d");
  const big = synthPreset("demo3d", 40_000);
  assert.ok(Math.abs(synthTraceCount(big) - 40_000) / 40_000 < 0.05);
  const centre = (s: typeof base) => s.x0 + ((s.nx - 1) / 2) * s.dx;
  assert.ok(Math.abs(centre(base) - centre(big)) < 1e-6);
  const line = synthPreset("line2d", 5000);
  assert.equal(line.ny, 1);
  assert.throws(() => synthPreset("demo3d", 1), PstmError);
  assert.throws(() => synthPreset("nope"), PstmError);
});

Deno.test("synthTruth describes the grid, the velocity and the events", () => {
  const spec = synthPreset("wide3d");
  const truth = synthTruth(spec) as {
    traces: number;
    velocity: string;
    midpointGrid: { gridFlag: string };
  };
  assert.equal(truth.traces, synthTraceCount(spec));
  assert.equal(truth.velocity, synthVelocityText(spec));
  assert.equal(truth.midpointGrid.gridFlag.split(",").length, 7);
  assert.equal(synthVelocityAt(spec, -1), 2000);
  assert.equal(synthVelocityAt(spec, 10), 2500);
});

Deno.test("synthBatches adds reproducible noise and rejects a bad batch size", () => {
  const spec = { ...synthPreset("small3d"), noise: 0.1, seed: 7 };
  const a = synthBatches(spec, 5).next().value!;
  const b = synthBatches(spec, 5).next().value!;
  assert.deepEqual(a.samples, b.samples);
  assert.throws(() => synthBatches(spec, 0).next(), RangeError);
});

Deno.test("synthBatches tapers the fold towards the survey edges when asked", () => {
  const spec = { ...synthPreset("small3d"), offsets: [100, 200, 300, 400], foldTaper: 4 };
  const perBin = new Map<number, number>();
  let count = 0;
  for (const batch of synthBatches(spec, 37)) {
    for (let k = 0; k < batch.count; k++) {
      const bin = batch.headers.cdp[k];
      perBin.set(bin, (perBin.get(bin) ?? 0) + 1);
      count++;
    }
  }
  assert.equal(count, synthTraceCount(spec));
  assert.equal(perBin.get(1), 1); // a corner keeps only the nearest offset
  const centre = Math.floor(spec.ny / 2) * spec.nx + Math.floor(spec.nx / 2) + 1;
  assert.equal(perBin.get(centre), 4);
  assert.ok(count < spec.nx * spec.ny * 4);
});

/** (crossline, inline, offset) of every trace, in file order. */
function traceKeys(spec: SynthSpec): { ix: number; iy: number; offset: number; sx: number }[] {
  const keys = [];
  for (const batch of synthBatches(spec, 97)) {
    for (let k = 0; k < batch.count; k++) {
      keys.push({
        ix: batch.headers.crossline[k] - 1,
        iy: batch.headers.inline[k] - 1,
        offset: batch.headers.offset[k],
        sx: batch.sx[k],
      });
    }
  }
  return keys;
}

Deno.test("synthBatches writes the traces in cmp, offset or shot order", () => {
  const base = synthPreset("small3d");
  const cmp = traceKeys({ ...base, order: "cmp" });
  const offset = traceKeys({ ...base, order: "offset" });
  const shot = traceKeys({ ...base, order: "shot" });
  assert.equal(offset.length, cmp.length);
  assert.equal(shot.length, cmp.length);
  const sorted = (keys: typeof cmp, key: (k: typeof cmp[0]) => number[]) =>
    keys.every((k, i) => {
      if (i === 0) return true;
      const a = key(keys[i - 1]), b = key(k);
      const d = a.findIndex((v, j) => v !== b[j]);
      return d < 0 || a[d] < b[d];
    });
  assert.ok(sorted(cmp, (k) => [k.iy, k.ix, k.offset]), "cmp: inline, crossline, offset");
  assert.ok(sorted(offset, (k) => [k.offset, k.iy, k.ix]), "offset: offset, then cmp");
  // shot: source station along the first axis, then second, then offset
  const station = (k: typeof cmp[0]) => Math.round((k.sx - base.x0) / base.dx);
  assert.ok(sorted(shot, (k) => [station(k), k.iy, k.offset]), "shot: source line, shot");
  assert.ok(!sorted(shot, (k) => [k.iy, k.ix, k.offset]), "shot order is not cmp order");
  // the same traces: every (bin, offset) exactly once in each order
  const set = (keys: typeof cmp) => new Set(keys.map((k) => `${k.ix},${k.iy},${k.offset}`));
  assert.equal(set(cmp).size, cmp.length);
  assert.deepEqual(set(shot), set(cmp));
  assert.deepEqual(set(offset), set(cmp));
});

Deno.test("synthBatches: a trace's samples do not depend on the order (wide azimuth, fold taper)", () => {
  for (const preset of ["wide3d", "demo3d"]) {
    const base = synthPreset(preset, preset === "demo3d" ? 2000 : undefined);
    const traces = (order: SynthOrder) => {
      const byKey = new Map<string, number[]>();
      for (const batch of synthBatches({ ...base, order }, 256)) {
        for (let k = 0; k < batch.count; k++) {
          const key = [batch.sx[k], batch.sy[k], batch.gx[k], batch.gy[k]].join(",");
          const trace = batch.samples.subarray(k * base.ns, (k + 1) * base.ns);
          byKey.set(key, [...trace.filter((_, i) => i % 7 === 0)]);
        }
      }
      return byKey;
    };
    const cmp = traces("cmp"), shot = traces("shot");
    assert.equal(cmp.size, synthTraceCount(base), `${preset}: distinct geometries`);
    assert.deepEqual(shot, cmp, preset);
  }
});

Deno.test("parseSynthOrder names the orders it accepts", () => {
  assert.throws(() => parseSynthOrder("sorted"), /cmp, shot, offset/);
});

Deno.test("the image is the same whatever the order of the input traces", async () => {
  const images: Float32Array[] = [];
  for (const order of SYNTH_ORDERS) {
    const survey = await makeSurvey("small3d", { order });
    const { output } = await migrate(survey, "image.sgy", {
      aperture: 200,
      offsetClasses: "0:300:2",
      memory: "260KiB",
      batchSize: 16,
      tileBins: [4, 4],
    });
    images.push(await readAllSamples(output));
    await Deno.remove(survey.dir, { recursive: true });
  }
  for (const image of images.slice(1)) {
    const misfit = relativeL2(image, images[0]);
    assert.ok(misfit < 1e-6, `relative L2 ${misfit}`);
  }
});

import assert from "node:assert/strict";
import { TracePreprocessor } from "../pipeline/dsp/preprocess.ts";
import { Fft } from "../pipeline/dsp/fft.ts";
import { referenceAccumulate } from "../backends/reference/reference_kernel.ts";

const NS = 501, DT = 0.002, TC = 0.5, SIGMA = 0.05, F0 = 25;
const W0 = 2 * Math.PI * F0;

/** A 25 Hz sine under a Gaussian window centred at 0.5 s, and its exact derivative. */
function wavelet(): { d: Float32Array; derivative: Float64Array } {
  const d = new Float32Array(NS), derivative = new Float64Array(NS);
  for (let i = 0; i < NS; i++) {
    const s = i * DT - TC, g = Math.exp(-((s / SIGMA) ** 2));
    d[i] = Math.sin(W0 * s) * g;
    derivative[i] = W0 * Math.cos(W0 * s) * g - (2 * s / SIGMA ** 2) * Math.sin(W0 * s) * g;
  }
  return { d, derivative };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

Deno.test("Fft inverse undoes forward", () => {
  const fft = new Fft(64);
  const re = Float64Array.from({ length: 64 }, (_, i) => Math.sin(i) + i % 3);
  const im = Float64Array.from({ length: 64 }, (_, i) => Math.cos(3 * i));
  const [r0, i0] = [re.slice(), im.slice()];
  fft.forward(re, im);
  // bin 0 is the sum
  assert(Math.abs(re[0] - r0.reduce((a, b) => a + b)) < 1e-9);
  fft.inverse(re, im);
  for (let i = 0; i < 64; i++) assert(Math.abs(re[i] - r0[i]) + Math.abs(im[i] - i0[i]) < 1e-12);
  assert.throws(() => new Fft(48), RangeError);
});

Deno.test("TracePreprocessor 3d is minus the time derivative (amplitude and phase)", () => {
  const { d, derivative } = wavelet();
  const pre = new TracePreprocessor({ ns: NS, dt: DT, rho: "3d", antialias: false });
  const out = pre.apply(d, 1);
  const error = maxAbs(out.map((v, i) => v + derivative[i]));
  assert(error < 1e-4 * maxAbs(derivative), `error ${error}`);
  // at the window centre sin -> -omega cos: value -W0, a -90 degree phase shift
  assert(Math.abs(out[TC / DT] + W0) < 1e-3 * W0);
});

Deno.test("TracePreprocessor 3d turns a plain sine into minus the right cosine", () => {
  const ns = 1000, f = 20, w = 2 * Math.PI * f;
  const d = Float32Array.from({ length: ns }, (_, i) => 3 * Math.sin(w * i * DT + 0.3));
  const pre = new TracePreprocessor({ ns, dt: DT, rho: "3d", antialias: false });
  const out = pre.apply(d, 1);
  // away from the ends (where the truncation rings) it is -3 w cos(w t + 0.3)
  for (let i = 300; i < 700; i++) {
    assert(Math.abs(out[i] + 3 * w * Math.cos(w * i * DT + 0.3)) < 0.02 * 3 * w, `sample ${i}`);
  }
});

Deno.test("TracePreprocessor 2d applied twice is the 3d derivative", () => {
  const half = new TracePreprocessor({ ns: NS, dt: DT, rho: "2d", antialias: false });
  const full = new TracePreprocessor({ ns: NS, dt: DT, rho: "3d", antialias: false });
  const twice = half.apply(half.apply(wavelet().d, 1), 1);
  const once = full.apply(wavelet().d, 1);
  const error = maxAbs(twice.map((v, i) => v - once[i]));
  assert(error < 2e-3 * maxAbs(once), `error ${error} of ${maxAbs(once)}`);
  // the half derivative scales a 25 Hz wavelet by about sqrt(omega)
  const h = new TracePreprocessor({ ns: NS, dt: DT, rho: "2d", antialias: false }).apply(
    wavelet().d,
    1,
  );
  const ratio = maxAbs(h) / maxAbs(wavelet().d);
  assert(ratio > 0.7 * Math.sqrt(W0) && ratio < 1.3 * Math.sqrt(W0), `ratio ${ratio}`);
});

Deno.test("TracePreprocessor antialias double integral's second difference is the trace", () => {
  const ns = 300;
  const d = Float32Array.from(
    { length: ns },
    (_, i) => Math.sin(0.3 * i) + 0.5 * Math.cos(1.7 * i),
  );
  let mean = 0;
  for (const v of d) mean += v / ns;
  const a = new TracePreprocessor({ ns, dt: DT, rho: "none", antialias: true }).apply(d.slice(), 1);
  // clamped lookups as the kernel does them: before the start A[0], after the end A[ns-1] = 0
  const at = (i: number) => a[Math.min(Math.max(i, 0), ns - 1)];
  // float32 storage: the second difference is exact to a few ulps of the largest |A|
  const tolerance = (x: Float32Array) => 4e-7 * maxAbs(x);
  assert(Math.abs(a[ns - 1]) < tolerance(a));
  for (let i = 0; i < ns; i++) {
    const residual = 2 * at(i) - at(i - 1) - at(i + 1) - (d[i] - mean);
    assert(Math.abs(residual) < tolerance(a), `sample ${i}`);
  }
  // without demeaning the interior is d itself
  const raw = new TracePreprocessor({ ns, dt: DT, rho: "none", antialias: true, demean: false })
    .apply(d.slice(), 1);
  for (let i = 1; i < ns - 1; i++) {
    const residual = 2 * raw[i] - raw[i - 1] - raw[i + 1] - d[i];
    assert(Math.abs(residual) < tolerance(raw), `sample ${i}`);
  }
});

Deno.test("TracePreprocessor processes a batch like traces one by one", () => {
  const ns = 77, count = 5;
  const batch = Float32Array.from({ length: ns * count }, (_, i) => Math.sin(i * 0.37) * (i % 11));
  for (const rho of ["3d", "2d", "none"] as const) {
    const pre = new TracePreprocessor({ ns, dt: 0.004, rho, antialias: true });
    const whole = pre.apply(batch.slice(), count);
    for (let k = 0; k < count; k++) {
      const one = pre.apply(batch.slice(k * ns, (k + 1) * ns), 1);
      for (let i = 0; i < ns; i++) {
        assert(Math.abs(one[i] - whole[k * ns + i]) <= 1e-5 * (1 + Math.abs(one[i])), `${rho}`);
      }
    }
  }
  assert.throws(() =>
    new TracePreprocessor({ ns, dt: 0.004, rho: "none", antialias: true })
      .apply(new Float32Array(10), 1), RangeError);
});

Deno.test("TracePreprocessor antialiased traces give the plain kernel result at width 1", () => {
  const ns = 101, dt = 0.004;
  const d = Float32Array.from({ length: ns }, (_, i) => Math.exp(-(((i - 50) / 4) ** 2)));
  let mean = 0;
  for (const v of d) mean += v / ns;
  const demeaned = d.map((v) => v - mean);
  const params = {
    ns,
    t0: 0,
    dt,
    npoints: 1,
    ntau: 50,
    tau0: 0.1,
    dtau: 0.0043,
    nclass: 1,
    aperture: 0,
    maxAngle: 0,
    taper: 0,
    antialias: false,
    traceSpacing: 1e-3,
    weights: "none" as const,
    eta: 0,
  };
  const points = new Float32Array([30, 0]);
  const velocity = new Float32Array(50).fill(2000);
  const geometry = new Float32Array([0, 0, 10, 0]);
  const plain = new Float32Array(50), aa = new Float32Array(50);
  referenceAccumulate(params, points, velocity, 1, demeaned, geometry, new Int32Array(1), plain);
  const integrated = new TracePreprocessor({ ns, dt, rho: "none", antialias: true }).apply(
    d.slice(),
    1,
  );
  referenceAccumulate(
    { ...params, antialias: true },
    points,
    velocity,
    1,
    integrated,
    geometry,
    new Int32Array(1),
    aa,
  );
  for (let i = 0; i < 50; i++) assert(Math.abs(plain[i] - aa[i]) < 1e-4, `sample ${i}`);
});

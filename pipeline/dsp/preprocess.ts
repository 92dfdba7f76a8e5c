/**
 * Per-trace preprocessing before the kernel (docs/algorithm.md, "Rho filter" and
 * "Antialiasing"):
 *
 * 1. rho filter, in the frequency domain with a radix-2 FFT, the trace zero-padded to a power
 *    of two >= 2*ns: "3d" is minus the time derivative, -d/dt, spectrum times -i*omega with the
 *    forward transform exp(-i omega t) (`pipeline/dsp/fft.ts`); "2d" is the matching half
 *    derivative, spectrum times (-i*omega)^(1/2) = |omega|^(1/2) exp(-i sign(omega) pi/4), so
 *    that applying it twice is the "3d" filter; "none" leaves the trace alone. The sign makes a
 *    flat reflector image with the input wavelet's polarity (docs/algorithm.md, "Rho filter"). omega is in rad/s, so the output is per second
 *    (per square-root second for "2d"). The Nyquist bin is zeroed.
 * 2. antialiasing: the trace mean is removed (unless `demean: false`), then the causal running
 *    sum C[i] = sum_{k<=i} d[k] and the anticausal sum A[i] = sum_{k>=i} C[k] are formed in
 *    float64 and stored as float32; 2A[i] - A[i-1] - A[i+1] = d[i]. Removing the mean makes
 *    C[ns-1] = A[ns-1] = 0, so the kernel's lookups clamped past the end of the trace read the
 *    double integral of the zero-extended trace, and keeps A from growing linearly.
 *
 * Two traces share one complex FFT (one in the real part, one in the imaginary part: the filter
 * has a real impulse response, so they do not mix).
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { parseOption, RHO, type RhoName } from "../../core/options.ts";
import { Fft } from "./fft.ts";

/** Rho filter names: 3-D derivative, 2-D half derivative, or none. */
export type RhoFilter = RhoName;

/** Options of a TracePreprocessor. */
export interface PreprocessOptions {
  /** Samples per trace (>= 1). */
  ns: number;
  /** Sample interval, s (> 0). */
  dt: number;
  /** Rho filter. */
  rho: RhoFilter;
  /** Replace each trace by its double integral for triangle antialiasing. */
  antialias: boolean;
  /** Remove each trace's mean before integrating (default true; only with antialias). */
  demean?: boolean;
}

/**
 * Applies the rho filter and the antialiasing double integration to batches of traces, in
 * place, allocation-free per trace (FFT buffers and the filter are built once).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { TracePreprocessor } from "./preprocess.ts";
 * const pre = new TracePreprocessor({ ns: 4, dt: 0.004, rho: "none", antialias: true });
 * const a = pre.apply(new Float32Array([1, -1, 2, -2]), 1);
 * assert(Math.abs(2 * a[1] - a[0] - a[2] - (-1)) < 1e-6); // second difference is d
 * ```
 */
export class TracePreprocessor {
  /** The options this preprocessor was built with (demean filled in). */
  readonly options: Readonly<Required<PreprocessOptions>>;
  #fft: Fft | undefined;
  #re: Float64Array;
  #im: Float64Array;
  #hr: Float64Array;
  #hi: Float64Array;

  /**
   * Checks the options and prepares the FFT and filter response.
   *
   * @param options trace length, sample interval, rho filter, antialiasing
   * @throws PstmError when ns or dt is out of range or rho is unknown
   */
  constructor(options: PreprocessOptions) {
    const { ns, dt, rho, antialias } = options;
    if (!(Number.isInteger(ns) && ns >= 1)) {
      throw new PstmError(`samples per trace must be an integer >= 1, got ${ns}`, { field: "ns" });
    }
    if (!(Number.isFinite(dt) && dt > 0)) {
      throw new PstmError(`sample interval must be > 0 s, got ${dt}`, { field: "dt" });
    }
    parseOption(RHO, rho);
    this.options = { ns, dt, rho, antialias, demean: options.demean ?? true };
    const size = rho === "none" ? ns : Fft.nextPowerOfTwo(2 * ns);
    this.#re = new Float64Array(size);
    this.#im = new Float64Array(size);
    this.#hr = new Float64Array(0);
    this.#hi = new Float64Array(0);
    if (rho !== "none") {
      this.#fft = new Fft(size);
      [this.#hr, this.#hi] = rhoResponse(rho, size, dt);
    }
  }

  /**
   * Preprocesses `count` traces of `samples` (`[count][ns]`) in place.
   *
   * @param samples trace samples, trace after trace
   * @param count number of traces to process
   * @returns `samples`
   * @throws RangeError when `samples` holds fewer than count*ns values
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { TracePreprocessor } from "./preprocess.ts";
   * const pre = new TracePreprocessor({ ns: 8, dt: 0.004, rho: "3d", antialias: false });
   * const out = pre.apply(new Float32Array(16).fill(1), 2);
   * assert(out.length === 16);
   * ```
   */
  apply(samples: Float32Array, count: number): Float32Array {
    const { ns, rho, antialias } = this.options;
    if (!(Number.isInteger(count) && count >= 0 && samples.length >= count * ns)) {
      throw new RangeError(
        `Cannot preprocess ${count} traces of ${ns} samples from an array of ${samples.length}`,
      );
    }
    if (rho === "none" && !antialias) return samples;
    const re = this.#re, im = this.#im;
    const step = rho === "none" ? 1 : 2; // two traces per complex FFT
    for (let k = 0; k < count; k += step) {
      const a = samples.subarray(k * ns, (k + 1) * ns);
      const pair = step === 2 && k + 1 < count;
      for (let i = 0; i < ns; i++) re[i] = a[i];
      if (rho !== "none") {
        re.fill(0, ns);
        im.fill(0);
        if (pair) {
          const b = samples.subarray((k + 1) * ns, (k + 2) * ns);
          for (let i = 0; i < ns; i++) im[i] = b[i];
        }
        this.#filter();
      }
      this.#store(re, a);
      if (pair) this.#store(im, samples.subarray((k + 1) * ns, (k + 2) * ns));
    }
    return samples;
  }

  #filter(): void {
    const re = this.#re, im = this.#im, hr = this.#hr, hi = this.#hi;
    this.#fft!.forward(re, im);
    for (let k = 0; k < re.length; k++) {
      const xr = re[k], xi = im[k];
      re[k] = xr * hr[k] - xi * hi[k];
      im[k] = xr * hi[k] + xi * hr[k];
    }
    this.#fft!.inverse(re, im);
  }

  /** Writes buffer[0..ns) into out, as its double integral when antialiasing. */
  #store(buffer: Float64Array, out: Float32Array): void {
    const { ns, antialias, demean } = this.options;
    if (!antialias) {
      for (let i = 0; i < ns; i++) out[i] = buffer[i];
      return;
    }
    let mean = 0;
    if (demean) {
      for (let i = 0; i < ns; i++) mean += buffer[i];
      mean /= ns;
    }
    // causal running sum C, kept in buffer
    let c = 0;
    for (let i = 0; i < ns; i++) {
      c += buffer[i] - mean;
      buffer[i] = c;
    }
    // anticausal running sum A of C
    let a = 0;
    for (let i = ns - 1; i >= 0; i--) {
      a += buffer[i];
      out[i] = a;
    }
  }
}

/**
 * The rho filter's frequency response for an FFT of `size` points at interval `dt`:
 * -i*omega ("3d") or (-i*omega)^(1/2) ("2d"), zero at DC and Nyquist.
 *
 * @param rho "3d" or "2d"
 * @param size FFT size (even)
 * @param dt sample interval, s
 * @returns real and imaginary parts of the response per FFT bin
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { rhoResponse } from "./preprocess.ts";
 * const [hr, hi] = rhoResponse("3d", 8, 0.004);
 * assert(hr[1] === 0 && Math.abs(hi[1] + (2 * Math.PI) / (8 * 0.004)) < 1e-9); // -i*omega
 * ```
 */
export function rhoResponse(
  rho: "3d" | "2d",
  size: number,
  dt: number,
): [Float64Array, Float64Array] {
  const hr = new Float64Array(size), hi = new Float64Array(size);
  const half = size / 2;
  for (let k = 1; k < size; k++) {
    if (k === half) continue; // Nyquist: no real-valued derivative there
    const omega = (2 * Math.PI * (k < half ? k : k - size)) / (size * dt);
    if (rho === "3d") {
      hi[k] = -omega; // -i omega: minus the time derivative
    } else {
      const magnitude = Math.sqrt(Math.abs(omega)) * Math.SQRT1_2; // |omega|^0.5 at -45 degrees
      hr[k] = magnitude;
      hi[k] = -Math.sign(omega) * magnitude;
    }
  }
  return [hr, hi];
}

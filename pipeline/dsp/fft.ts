/**
 * An in-place radix-2 complex FFT on float64 arrays, with its twiddle factors and bit-reversal
 * table computed once per size so that transforms allocate nothing.
 *
 * Sign convention: forward X[k] = sum_n x[n] exp(-2 pi i k n / N) (unscaled), inverse
 * x[n] = (1/N) sum_k X[k] exp(+2 pi i k n / N), so inverse(forward(x)) = x.
 *
 * @module
 */

/**
 * A radix-2 complex FFT of one power-of-two size.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { Fft } from "./fft.ts";
 * const fft = new Fft(4);
 * const re = new Float64Array([1, 0, 0, 0]), im = new Float64Array(4);
 * fft.forward(re, im); // an impulse has a flat spectrum
 * assert(re.every((v) => v === 1));
 * ```
 */
export class Fft {
  /** Transform size, a power of two. */
  readonly size: number;
  #cos: Float64Array;
  #sin: Float64Array;
  #reverse: Uint32Array;

  /**
   * @param size transform size, a power of two >= 1
   * @throws RangeError when size is not a power of two
   */
  constructor(size: number) {
    if (!(Number.isInteger(size) && size >= 1 && (size & (size - 1)) === 0 && size <= 2 ** 30)) {
      throw new RangeError(
        `Cannot construct Fft as size must be a power of two: current value is ${size}`,
      );
    }
    this.size = size;
    const half = size >> 1;
    this.#cos = new Float64Array(half);
    this.#sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.#cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.#sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.#reverse = new Uint32Array(size);
    const bits = Math.round(Math.log2(size));
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.#reverse[i] = r;
    }
  }

  /**
   * The smallest power of two >= n.
   *
   * @param n a positive number
   * @returns the power of two
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { Fft } from "./fft.ts";
   * assert(Fft.nextPowerOfTwo(1001) === 1024);
   * ```
   */
  static nextPowerOfTwo(n: number): number {
    let p = 1;
    while (p < n) p *= 2;
    return p;
  }

  /**
   * Forward transform in place (exp(-i...), unscaled).
   *
   * @param re real parts, length `size`
   * @param im imaginary parts, length `size`
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { Fft } from "./fft.ts";
   * const re = new Float64Array([1, 1]), im = new Float64Array(2);
   * new Fft(2).forward(re, im);
   * assert(re[0] === 2 && re[1] === 0);
   * ```
   */
  forward(re: Float64Array, im: Float64Array): void {
    this.#transform(re, im, -1);
  }

  /**
   * Inverse transform in place (exp(+i...), scaled by 1/size).
   *
   * @param re real parts, length `size`
   * @param im imaginary parts, length `size`
   * @example
   * ```ts
   * import assert from "node:assert";
   * import { Fft } from "./fft.ts";
   * const re = new Float64Array([2, 0]), im = new Float64Array(2);
   * new Fft(2).inverse(re, im);
   * assert(re[0] === 1 && re[1] === 1);
   * ```
   */
  inverse(re: Float64Array, im: Float64Array): void {
    this.#transform(re, im, 1);
    const scale = 1 / this.size;
    for (let i = 0; i < this.size; i++) {
      re[i] *= scale;
      im[i] *= scale;
    }
  }

  #transform(re: Float64Array, im: Float64Array, sign: number): void {
    const n = this.size;
    if (re.length < n || im.length < n) {
      throw new RangeError(`Cannot transform arrays shorter than the FFT size ${n}`);
    }
    const rev = this.#reverse;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    for (let len = 2; len <= n; len *= 2) {
      const half = len >> 1, step = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = this.#cos[k * step], wi = sign * this.#sin[k * step];
          const a = start + k, b = a + half;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}

/**
 * Top mutes of the input traces, applied before the rho filter and the kernel: from the trace
 * headers (mute start and end, bytes 111-114, ms) or from a table of `offset:time` pairs
 * interpolated linearly in offset, each followed by a cosine taper (docs/algorithm.md, "Top
 * mute").
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";

/** A mute table: the mute time at each offset, offsets strictly increasing. */
export interface MuteTable {
  /** Absolute offsets, m, strictly increasing, >= 0. */
  offsets: number[];
  /** Mute time at each offset, s, >= 0. */
  times: number[];
}

/** What to mute: the header mute or a table, and the taper after it. */
export interface TopMuteSpec {
  /** "headers" (bytes 111-114) or a table. */
  source: "headers" | MuteTable;
  /** Length of the cosine taper after the mute time, s (>= 0; 0: a hard mute). */
  taper: number;
}

/** Default length of the taper after the mute time, s. */
export const DEFAULT_MUTE_TAPER = 0.02;

/**
 * Parses `--mute`: `headers`, or `OFFSET:TIME,...` pairs (m, s) with offsets strictly
 * increasing.
 *
 * @param text the flag value
 * @param field the flag or job key named in errors
 * @returns "headers" or the table
 * @throws PstmError (exit 2) naming the field: a malformed pair, a negative or non-finite
 *   value, offsets not increasing
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseMute } from "./mute.ts";
 * assert.deepEqual(parseMute("0:0.1,2000:1.1"), { offsets: [0, 2000], times: [0.1, 1.1] });
 * assert.equal(parseMute("headers"), "headers");
 * assert.throws(() => parseMute("2000:1,1000:0.5"), /offsets must increase/);
 * ```
 */
export function parseMute(text: string, field = "--mute"): "headers" | MuteTable {
  if (text.trim() === "headers") return "headers";
  const offsets: number[] = [], times: number[] = [];
  const pairs = text.split(",").map((s) => s.trim());
  for (const pair of pairs) {
    const parts = pair.split(":");
    const [x, t] = parts.map(Number);
    if (parts.length !== 2 || parts.some((p) => p.trim() === "") || !isFinite(x) || !isFinite(t)) {
      throw new PstmError(
        `expected "headers" or OFFSET:TIME pairs (m:s) such as 0:0.1,2000:1.1; got "${pair}"`,
        { field },
      );
    }
    if (x < 0 || t < 0) {
      throw new PstmError(`offsets and times must be >= 0, got ${pair}`, { field });
    }
    if (offsets.length > 0 && !(x > offsets[offsets.length - 1])) {
      throw new PstmError(
        `offsets must increase: ${x} m after ${offsets[offsets.length - 1]} m`,
        { field },
      );
    }
    offsets.push(x);
    times.push(t);
  }
  return { offsets, times };
}

/**
 * The mute time at an offset: linear between the table's offsets, constant beyond its ends.
 *
 * @param table the mute table
 * @param offset absolute offset, m
 * @returns the mute time, s
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { muteTimeAt } from "./mute.ts";
 * const table = { offsets: [0, 2000], times: [0.1, 1.1] };
 * assert.equal(muteTimeAt(table, 1000), 0.6);
 * assert.equal(muteTimeAt(table, 5000), 1.1);
 * ```
 */
export function muteTimeAt(table: MuteTable, offset: number): number {
  const { offsets, times } = table;
  const n = offsets.length;
  if (!(offset > offsets[0])) return times[0];
  if (offset >= offsets[n - 1]) return times[n - 1];
  let k = 1;
  while (offsets[k] < offset) k++;
  const w = (offset - offsets[k - 1]) / (offsets[k] - offsets[k - 1]);
  return times[k - 1] + w * (times[k] - times[k - 1]);
}

/**
 * Mutes one trace in place: samples at times in [start, end) are zeroed, then a cosine taper
 * 0.5 (1 - cos(pi (t - end) / taper)) over [end, end + taper) ramps back to 1.
 *
 * @param trace the samples
 * @param t0 time of the first sample, s
 * @param dt sample interval, s
 * @param start start of the muted zone, s
 * @param end end of the muted zone, s (<= start or <= 0: nothing is zeroed, no taper)
 * @param taper taper length after `end`, s
 * @returns number of samples zeroed
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { muteTrace } from "./mute.ts";
 * const trace = new Float32Array(6).fill(1);
 * muteTrace(trace, 0, 0.01, 0, 0.02, 0.02);
 * assert.deepEqual([...trace], [0, 0, 0, 0.5, 1, 1]);
 * ```
 */
export function muteTrace(
  trace: Float32Array,
  t0: number,
  dt: number,
  start: number,
  end: number,
  taper: number,
): number {
  if (!(end > start) || !(end > 0)) return 0;
  let zeroed = 0;
  for (let i = 0; i < trace.length; i++) {
    const t = t0 + i * dt;
    if (t < start) continue;
    if (t < end) {
      trace[i] = 0;
      zeroed++;
    } else if (t < end + taper) {
      trace[i] *= 0.5 * (1 - Math.cos((Math.PI * (t - end)) / taper));
    } else break;
  }
  return zeroed;
}

/**
 * A top mute of trace batches (headers or table), applied in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { TopMute } from "./mute.ts";
 * import { newTraceBatch } from "../segy/trace_batch.ts";
 * const batch = newTraceBatch({ count: 1, ns: 5, dt: 0.1 });
 * batch.samples.fill(1);
 * batch.gx[0] = 1000; // offset 1000 m
 * const mute = new TopMute({ source: { offsets: [0, 2000], times: [0, 0.4] }, taper: 0 });
 * assert.equal(mute.apply(batch), 2); // mute time 0.2 s: samples at 0 and 0.1 s
 * assert.deepEqual([...batch.samples], [0, 0, 1, 1, 1]);
 * ```
 */
export class TopMute {
  /** What is muted. */
  readonly spec: TopMuteSpec;

  /**
   * Creates the mute.
   *
   * @param spec header or table mute and the taper length
   * @throws RangeError when the taper is negative or not finite
   */
  constructor(spec: TopMuteSpec) {
    if (!(Number.isFinite(spec.taper) && spec.taper >= 0)) {
      throw new RangeError(
        `Cannot construct TopMute as taper must be >= 0 s: current value is ${spec.taper}`,
      );
    }
    this.spec = spec;
  }

  /** The header fields the mute reads (none for a table). */
  get fields(): string[] {
    return this.spec.source === "headers" ? ["muts", "mute"] : [];
  }

  /**
   * Mutes every trace of a batch in place. The table mute takes the offset from the
   * coordinates (as the offset classes do); the header mute needs `muts` and `mute` (ms).
   *
   * @param batch the traces
   * @returns number of samples zeroed
   * @throws PstmError when the header mute finds the batch without its fields
   */
  apply(batch: TraceBatch): number {
    const { source, taper } = this.spec;
    const ns = batch.ns;
    let zeroed = 0;
    for (let k = 0; k < batch.count; k++) {
      const trace = batch.samples.subarray(k * ns, (k + 1) * ns);
      let start: number, end: number;
      if (source === "headers") {
        const muts = batch.headers.muts, mute = batch.headers.mute;
        if (!muts || !mute) {
          throw new PstmError("the header mute needs the mute start and end (bytes 111-114)", {
            field: "--mute headers",
          });
        }
        start = muts[k] / 1000;
        end = mute[k] / 1000;
      } else {
        const offset = Math.hypot(batch.gx[k] - batch.sx[k], batch.gy[k] - batch.sy[k]);
        start = -Infinity;
        end = muteTimeAt(source, offset);
      }
      zeroed += muteTrace(trace, batch.t0, batch.dt, start, end, taper);
    }
    return zeroed;
  }
}

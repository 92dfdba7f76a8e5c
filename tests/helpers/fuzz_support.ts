/**
 * Shared machinery of the fuzz suites (tests/fuzz_*_test.ts): the fixed seed and case counts
 * (a longer local mode through `PSTM_FUZZ_RUNS`), the "parses or throws PstmError" oracle with
 * a time bound per case, byte-level mutations of real SEG-Y / SU files, and a memory watch.
 *
 * Environment:
 * - `PSTM_FUZZ_RUNS=N`: run N cases per property instead of the CI default (e.g. 20000 locally).
 * - `PSTM_FUZZ_SEED=S`: use seed S instead of the fixed one (to explore; failures print the seed
 *   and path to replay them).
 *
 * @module
 */

import fc from "fast-check";
import { PstmError } from "../../core/errors.ts";

/** The fixed seed CI runs with. */
export const DEFAULT_FUZZ_SEED = 20260917;

/** The seed of this run: `PSTM_FUZZ_SEED` or {@link DEFAULT_FUZZ_SEED}. */
export const FUZZ_SEED: number = (() => {
  const text = Deno.env.get("PSTM_FUZZ_SEED");
  const seed = text === undefined ? DEFAULT_FUZZ_SEED : Number(text);
  if (!Number.isInteger(seed)) throw new Error(`PSTM_FUZZ_SEED must be an integer, got ${text}`);
  return seed;
})();

/** Longest time one fuzz case may take, ms. */
export const CASE_TIME_LIMIT_MS = 2000;

/**
 * Number of cases for one property: `PSTM_FUZZ_RUNS` when set (the long local mode), else the
 * CI default given.
 *
 * @param ciDefault cases in the default (CI) mode
 * @returns the case count
 */
export function fuzzRuns(ciDefault: number): number {
  const text = Deno.env.get("PSTM_FUZZ_RUNS");
  if (text === undefined || text === "") return ciDefault;
  const runs = Number(text);
  if (!Number.isInteger(runs) || runs < 1) {
    throw new Error(`PSTM_FUZZ_RUNS must be a positive integer, got ${text}`);
  }
  return runs;
}

/**
 * fast-check parameters for a property: the seed (the run's seed plus `salt`, so that the
 * properties of one run draw different cases), the case count, and an end at the first failure
 * (printed with its seed and path to replay it).
 *
 * @param ciDefault cases in the default (CI) mode
 * @param salt added to the seed
 * @returns the parameters
 */
export function fuzzParams(ciDefault: number, salt = 0): fc.Parameters<unknown> {
  return { seed: FUZZ_SEED + salt, numRuns: fuzzRuns(ciDefault), endOnFailure: true };
}

/** Tally of the outcomes of a fuzz run, printed at the end so a run shows what it exercised. */
export class Outcomes {
  /** Cases that parsed. */
  parsed = 0;
  /** Cases that were refused with a PstmError. */
  refused = 0;
  /** Slowest case, ms. */
  slowestMs = 0;
  /** Distinct refusal messages (file paths and numbers blanked), with counts. */
  readonly messages = new Map<string, number>();

  /**
   * Records a refusal.
   *
   * @param error the PstmError
   */
  refuse(error: PstmError): void {
    this.refused++;
    const key = error.message.replace(/\/[^\s,:]+/g, "PATH").replace(/-?\d+(\.\d+)?/g, "N")
      .slice(0, 120);
    this.messages.set(key, (this.messages.get(key) ?? 0) + 1);
  }

  /**
   * A one-paragraph summary.
   *
   * @param label what was fuzzed
   * @returns the text
   */
  summary(label: string): string {
    const top = [...this.messages.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6)
      .map(([m, n]) => `    ${n} x ${m}`).join("\n");
    return `${label}: ${this.parsed} parsed, ${this.refused} refused with PstmError, ` +
      `slowest case ${this.slowestMs.toFixed(0)} ms\n${top}`;
  }
}

/** Options for {@link expectParsesOrPstmError}. */
export interface OracleOptions {
  /** Exit codes a PstmError may carry (default [2]: bad input). */
  exitCodes?: readonly number[];
  /** Time bound, ms (default {@link CASE_TIME_LIMIT_MS}). */
  timeLimitMs?: number;
  /** Where to tally the outcome. */
  outcomes?: Outcomes;
}

/**
 * The fuzz oracle: runs `task`, which must either return (the input parsed) or throw a
 * PstmError with an allowed exit code, within the time bound. Any other exception, a
 * PstmError with another exit code, or a slow case fails with a message naming `label`.
 * An asynchronous task that never settles is cut off at the bound; a synchronous one is
 * measured when it returns.
 *
 * @param label the case, for messages
 * @param task what to run
 * @param options exit codes, time bound, tally
 * @returns the task's value, or undefined when it was refused
 */
export async function expectParsesOrPstmError<T>(
  label: string,
  task: () => T | Promise<T>,
  options: OracleOptions = {},
): Promise<T | undefined> {
  const limit = options.timeLimitMs ?? CASE_TIME_LIMIT_MS;
  const exitCodes = options.exitCodes ?? [2];
  const start = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FuzzFailure(`${label}: did not finish within ${limit} ms (hang?)`)),
      limit,
    );
  });
  const checkTime = () => {
    const elapsed = performance.now() - start;
    if (options.outcomes) {
      options.outcomes.slowestMs = Math.max(options.outcomes.slowestMs, elapsed);
    }
    if (elapsed > limit) {
      throw new FuzzFailure(`${label}: took ${elapsed.toFixed(0)} ms, more than ${limit} ms`);
    }
  };
  try {
    const value = await Promise.race([Promise.resolve().then(task), timeout]);
    checkTime();
    if (options.outcomes) options.outcomes.parsed++;
    return value;
  } catch (error) {
    if (error instanceof FuzzFailure) throw error;
    checkTime();
    if (!(error instanceof PstmError)) {
      throw new FuzzFailure(
        `${label}: threw ${error instanceof Error ? error.name : typeof error}, not a PstmError: ` +
          `${error instanceof Error ? error.stack : String(error)}`,
      );
    }
    if (!exitCodes.includes(error.exitCode)) {
      throw new FuzzFailure(
        `${label}: PstmError with exit code ${error.exitCode}, expected ${exitCodes.join(" or ")}` +
          `: ${error.message}`,
      );
    }
    options.outcomes?.refuse(error);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

/** A failure of the fuzz oracle itself (never caught as "the input was refused"). */
export class FuzzFailure extends Error {
  /** @param message what went wrong */
  constructor(message: string) {
    super(message);
    this.name = "FuzzFailure";
  }
}

// ---------------------------------------------------------------------------------------------
// Byte mutations of real files.

/** A numeric type written at a header field. */
export type FieldType = "i2" | "u2" | "i4" | "u4" | "u8" | "f8";

/** One edit of a file's bytes. Positions are taken modulo the current length. */
export type Mutation =
  | { kind: "set"; pos: number; value: number }
  | { kind: "bitflip"; pos: number; bit: number }
  | { kind: "truncate"; keep: number }
  | { kind: "insert"; pos: number; bytes: number[] }
  | { kind: "delete"; pos: number; count: number }
  | { kind: "binfield"; byte: number; type: FieldType; value: number; swap: boolean }
  | { kind: "tracefield"; trace: number; byte: number; type: FieldType; value: number };

/** What a mutation needs to know about the original file to aim at its fields. */
export interface FileShape {
  /** Byte order of the original headers. */
  littleEndian: boolean;
  /** Byte offset of the first trace in the original. */
  dataOffset: number;
  /** Bytes per trace in the original. */
  traceBytes: number;
  /** Traces in the original. */
  traceCount: number;
  /** Whether there is a 3600-byte file header (SEG-Y) or not (SU). */
  hasFileHeader: boolean;
}

/** SEG-Y binary header fields (1-based file bytes) that layout resolution reads, with types. */
export const BINARY_FIELDS: readonly { byte: number; types: FieldType[] }[] = [
  { byte: 3213, types: ["i2", "u2"] }, // traces per ensemble
  { byte: 3215, types: ["i2"] }, // auxiliary traces
  { byte: 3217, types: ["i2", "u2"] }, // sample interval
  { byte: 3219, types: ["i2"] }, // original interval
  { byte: 3221, types: ["u2", "i2"] }, // ns
  { byte: 3223, types: ["u2"] }, // original ns
  { byte: 3225, types: ["u2", "i2"] }, // format
  { byte: 3227, types: ["i2"] }, // ensemble fold
  { byte: 3255, types: ["i2"] }, // measurement system
  { byte: 3269, types: ["i4", "u4"] }, // extended ns
  { byte: 3273, types: ["f8"] }, // extended interval
  { byte: 3297, types: ["u4"] }, // byte order constant
  { byte: 3501, types: ["u2", "i2"] }, // revision
  { byte: 3503, types: ["i2"] }, // fixed length flag
  { byte: 3505, types: ["i2"] }, // extended textual headers
  { byte: 3507, types: ["i4", "i2"] }, // trace header extensions
  { byte: 3521, types: ["u8"] }, // byte offset of the first trace
];

/** Trace header fields (1-based trace bytes) worth corrupting, with types. */
export const TRACE_FIELDS: readonly { byte: number; types: FieldType[] }[] = [
  { byte: 37, types: ["i4"] }, // offset
  { byte: 69, types: ["i2"] }, // elevation scalar
  { byte: 71, types: ["i2"] }, // coordinate scalar
  { byte: 73, types: ["i4"] }, // sx
  { byte: 77, types: ["i4"] }, // sy
  { byte: 81, types: ["i4"] }, // gx
  { byte: 85, types: ["i4"] }, // gy
  { byte: 109, types: ["i2"] }, // delay
  { byte: 115, types: ["u2", "i2"] }, // ns
  { byte: 117, types: ["u2", "i2"] }, // dt
  { byte: 181, types: ["i4"] }, // cdp x
  { byte: 185, types: ["i4"] }, // cdp y
  { byte: 189, types: ["i4"] }, // inline
  { byte: 193, types: ["i4"] }, // crossline
  { byte: 215, types: ["i2"] }, // time scalar
];

/** Values that break careless parsers: zero, signs, type limits, SEG-Y magic numbers. */
export const ABSURD_INTEGERS: readonly number[] = [
  0,
  1,
  -1,
  2,
  3,
  4,
  5,
  6,
  8,
  16,
  100,
  255,
  256,
  0x0100,
  0x0200,
  3600,
  16909060,
  32767,
  -32768,
  65535,
  0x7fffffff,
  -0x80000000,
  0xffffffff,
  2 ** 53 - 1,
];

const absurdFloat = fc.constantFrom(
  NaN,
  Infinity,
  -Infinity,
  -1,
  0,
  1e-300,
  1e300,
  4000,
  1e7,
  -0,
);

const fieldValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ABSURD_INTEGERS) },
  { weight: 1, arbitrary: fc.integer({ min: -0x80000000, max: 0xffffffff }) },
  { weight: 1, arbitrary: absurdFloat },
);

/**
 * An arbitrary list of mutations aimed at a file of the given shape: byte and bit flips
 * (mostly in the headers), truncations, inserted and deleted bytes, and absurd values written
 * at binary header and trace header fields.
 *
 * @param shape the original file's layout
 * @param maxMutations most edits per case
 * @returns the arbitrary
 */
export function mutationsFor(shape: FileShape, maxMutations = 4): fc.Arbitrary<Mutation[]> {
  const headerEnd = shape.dataOffset + 2 * 240;
  const pos = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: headerEnd - 1 }) },
    { weight: 1, arbitrary: fc.nat() },
  );
  const options: fc.WeightedArbitrary<Mutation>[] = [
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("set" as const),
        pos,
        value: fc.integer({ min: 0, max: 255 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("bitflip" as const),
        pos,
        bit: fc.integer({ min: 0, max: 7 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant("truncate" as const),
        keep: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constant(0.999)),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("insert" as const),
        pos,
        bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("delete" as const),
        pos,
        count: fc.integer({ min: 1, max: 300 }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("tracefield" as const),
        trace: fc.oneof(fc.constant(0), fc.constant(1), fc.nat()),
        field: fc.constantFrom(...TRACE_FIELDS),
        typeIndex: fc.nat(),
        value: fieldValue,
      }).map(({ trace, field, typeIndex, value }) => ({
        kind: "tracefield" as const,
        trace,
        byte: field.byte,
        type: field.types[typeIndex % field.types.length],
        value,
      })),
    },
  ];
  if (shape.hasFileHeader) {
    options.push({
      weight: 5,
      arbitrary: fc.record({
        field: fc.constantFrom(...BINARY_FIELDS),
        typeIndex: fc.nat(),
        value: fieldValue,
        swap: fc.boolean(),
      }).map(({ field, typeIndex, value, swap }) => ({
        kind: "binfield" as const,
        byte: field.byte,
        type: field.types[typeIndex % field.types.length],
        value,
        swap,
      })),
    });
  }
  return fc.array(fc.oneof(...options), { minLength: 1, maxLength: maxMutations });
}

/**
 * Applies mutations to a copy of `original`.
 *
 * @param original the file's bytes (not modified)
 * @param shape the original's layout (for field positions)
 * @param mutations the edits, in order
 * @returns the mutated bytes
 */
export function applyMutations(
  original: Uint8Array,
  shape: FileShape,
  mutations: readonly Mutation[],
): Uint8Array {
  let bytes = original.slice();
  for (const m of mutations) {
    const n = bytes.length;
    switch (m.kind) {
      case "set":
        if (n > 0) bytes[m.pos % n] = m.value;
        break;
      case "bitflip":
        if (n > 0) bytes[m.pos % n] ^= 1 << m.bit;
        break;
      case "truncate":
        bytes = bytes.slice(0, Math.floor(n * m.keep));
        break;
      case "insert": {
        const at = n > 0 ? m.pos % (n + 1) : 0;
        const grown = new Uint8Array(n + m.bytes.length);
        grown.set(bytes.subarray(0, at));
        grown.set(m.bytes, at);
        grown.set(bytes.subarray(at), at + m.bytes.length);
        bytes = grown;
        break;
      }
      case "delete": {
        if (n === 0) break;
        const at = m.pos % n;
        const shrunk = new Uint8Array(n - Math.min(m.count, n - at));
        shrunk.set(bytes.subarray(0, at));
        shrunk.set(bytes.subarray(at + m.count), at);
        bytes = shrunk;
        break;
      }
      case "binfield":
        writeField(bytes, m.byte - 1, m.type, m.value, shape.littleEndian !== m.swap);
        break;
      case "tracefield": {
        const trace = m.trace % Math.max(1, shape.traceCount);
        const at = shape.dataOffset + trace * shape.traceBytes + m.byte - 1;
        writeField(bytes, at, m.type, m.value, shape.littleEndian);
        break;
      }
    }
  }
  return bytes;
}

/**
 * Writes `value` as `type` at `offset` when it fits inside `bytes` (wrapping integers the way
 * a C cast would).
 *
 * @param bytes destination
 * @param offset 0-based offset
 * @param type the field type
 * @param value the value (floats are truncated for integer types; NaN becomes 0)
 * @param littleEndian byte order
 */
export function writeField(
  bytes: Uint8Array,
  offset: number,
  type: FieldType,
  value: number,
  littleEndian: boolean,
): void {
  const size = { i2: 2, u2: 2, i4: 4, u4: 4, u8: 8, f8: 8 }[type];
  if (offset < 0 || offset + size > bytes.length) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const int = Number.isFinite(value) ? Math.trunc(value) : 0;
  switch (type) {
    case "i2":
    case "u2":
      view.setUint16(offset, int & 0xffff, littleEndian);
      break;
    case "i4":
    case "u4":
      view.setUint32(offset, int >>> 0, littleEndian);
      break;
    case "u8":
      view.setBigUint64(offset, BigInt.asUintN(64, BigInt(int)), littleEndian);
      break;
    case "f8":
      view.setFloat64(offset, value, littleEndian);
      break;
  }
}

/**
 * Splits bytes into chunks of random sizes (as a pipe would deliver them).
 *
 * @param bytes the data
 * @param sizes chunk sizes to cycle through (each >= 1)
 * @returns a stream of the chunks
 */
export function chunkedStream(bytes: Uint8Array, sizes: readonly number[]): ReadableStream<
  Uint8Array
> {
  let at = 0, k = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      const n = Math.max(1, sizes[k++ % sizes.length]);
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

/** Watches the resident set size across a fuzz run. */
export class RssWatch {
  /** RSS when the watch started, bytes. */
  readonly start: number = Deno.memoryUsage().rss;
  /** Largest RSS seen, bytes. */
  peak: number = this.start;

  /** Samples the RSS now. */
  sample(): void {
    this.peak = Math.max(this.peak, Deno.memoryUsage().rss);
  }

  /** Growth of the peak over the start, bytes. */
  get growth(): number {
    return this.peak - this.start;
  }
}

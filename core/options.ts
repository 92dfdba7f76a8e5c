/**
 * One table per enumerated option of a migration job: its allowed values,
 * a one-line description of each, the default and, where a kernel takes the
 * value, its numeric encoding (the enums of csrc/include/pstm.h; a test
 * parses the header so the two cannot drift). The job schema, the command
 * line's help, the error messages and the kernels' parameter encodings are
 * all derived from these tables: adding a weight touches its table entry
 * and the kernels' math, nothing else in TypeScript.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { optionCode, parseOption, WEIGHTS } from "./options.ts";
 * assert.equal(WEIGHTS.default, "none");
 * assert.equal(optionCode(WEIGHTS, "spreading"), 2);
 * assert.equal(parseOption(WEIGHTS, "obliquity"), "obliquity");
 * assert.throws(() => parseOption(WEIGHTS, "cos"), /none, obliquity, spreading/);
 * ```
 *
 * @module
 */

import { PstmError } from "./errors.ts";

/** One allowed value of an enumerated option. */
export interface OptionChoice {
  /** One-line description, for the help and the docs. */
  readonly description: string;
  /** The kernels' numeric encoding (a csrc/include/pstm.h value), when a kernel takes it. */
  readonly code?: number;
}

/** The C enum of csrc/include/pstm.h whose constants encode an option. */
export interface CEnum {
  /** The enum's typedef name, e.g. "pstm_weights". */
  readonly type: string;
  /** Constant prefix; the constant of a value is the prefix plus the upper-cased name. */
  readonly prefix: string;
}

/** An enumerated option: its values in help order, their descriptions, the default. */
export interface OptionTable<N extends string = string> {
  /** Key in the job file (`--config job.json`). */
  readonly key: string;
  /** Command-line flag, e.g. "--weights". */
  readonly flag: string;
  /** One-line description of the option. */
  readonly description: string;
  /** The default value. */
  readonly default: N;
  /** Every allowed value with its description (and encoding), in help order. */
  readonly choices: { readonly [K in N]: OptionChoice };
  /** The allowed values in help order (the keys of `choices`). */
  readonly names: readonly [N, ...N[]];
  /** The pstm.h enum the codes are values of, when there is one. */
  readonly cEnum?: CEnum;
}

/**
 * Builds a table: `names` are the keys of `choices` in their written order.
 *
 * @param spec key, flag, description, default, choices and optional C enum
 * @returns the table
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { defineOption } from "./options.ts";
 * const t = defineOption({ key: "x", flag: "--x", description: "x", default: "b",
 *   choices: { a: { description: "A" }, b: { description: "B" } } });
 * assert.deepStrictEqual(t.names, ["a", "b"]);
 * ```
 */
export function defineOption<const C extends Readonly<Record<string, OptionChoice>>>(
  spec: Omit<OptionTable<keyof C & string>, "names" | "choices"> & { readonly choices: C },
): OptionTable<keyof C & string> {
  type N = keyof C & string;
  const names = Object.keys(spec.choices) as N[];
  if (names.length === 0 || !names.includes(spec.default)) {
    throw new TypeError(`option ${spec.flag}: the default must be one of its choices`);
  }
  return Object.freeze({ ...spec, names: names as [N, ...N[]] });
}

/** Name of an amplitude weighting; the compiler checks it against the table. */
export type WeightsName = "none" | "obliquity" | "spreading";
/**
 * Amplitude weights of the kernels (docs/algorithm.md, "Amplitude weights").
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { WEIGHTS } from "./options.ts";
 * assert.deepStrictEqual(WEIGHTS.names, ["none", "obliquity", "spreading"]);
 * assert.equal(WEIGHTS.choices.obliquity.code, 1);
 * ```
 */
export const WEIGHTS: OptionTable<WeightsName> = defineOption({
  key: "weights",
  flag: "--weights",
  description: "amplitude weights",
  default: "none",
  cEnum: { type: "pstm_weights", prefix: "PSTM_WEIGHTS_" },
  choices: {
    none: { code: 0, description: "unit weight" },
    obliquity: { code: 1, description: "mean cosine of the two leg angles" },
    spreading: { code: 2, description: "obliquity times tau/t (spherical spreading)" },
  },
});

/** Name of a rho filter; the compiler checks it against the table. */
export type RhoName = "3d" | "2d" | "none";
/**
 * The rho (half-derivative) filter applied to each trace before the kernel.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { RHO } from "./options.ts";
 * assert(RHO.names.includes("2d") && RHO.flag === "--rho");
 * ```
 */
export const RHO: OptionTable<RhoName> = defineOption({
  key: "rho",
  flag: "--rho",
  description: "rho filter",
  default: "none",
  choices: {
    "3d": { description: "-d/dt (spectrum times -i*omega)" },
    "2d": { description: "half derivative ((-i*omega)^1/2)" },
    none: { description: "traces as they are" },
  },
});

/** "on" or "off"; the compiler checks it against the table. */
export type AntialiasName = "on" | "off";
/**
 * Triangle antialiasing (Lumley-Claerbout-Bevc); the kernels take it as `pstm_params.antialias`.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { ANTIALIAS } from "./options.ts";
 * assert.equal(ANTIALIAS.choices.on.code, 1);
 * ```
 */
export const ANTIALIAS: OptionTable<AntialiasName> = defineOption({
  key: "aa",
  flag: "--aa",
  description: "triangle antialiasing",
  default: "off",
  choices: {
    on: { code: 1, description: "triangle filter sized by the operator dip" },
    off: { code: 0, description: "plain interpolation" },
  },
});

/** A backend name; the compiler checks it against the table. */
export type BackendName = "auto" | "cpu" | "cuda" | "webgpu" | "reference";
/**
 * Where the kernel runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { BACKENDS } from "./options.ts";
 * assert(BACKENDS.names.includes("reference") && BACKENDS.names.includes(BACKENDS.default));
 * ```
 */
export const BACKENDS: OptionTable<BackendName> = defineOption({
  key: "backend",
  flag: "--backend",
  description: "where the kernel runs",
  default: "auto",
  choices: {
    auto: { description: "cuda when a GPU is present, else cpu" },
    cpu: { description: "C++, OpenMP and SIMD" },
    cuda: { description: "NVIDIA GPU" },
    webgpu: { description: "WGSL on Deno's WebGPU" },
    reference: { description: "TypeScript float64, slow" },
  },
});

/** on or off; the compiler checks it against the table. */
export type TraveltimeTableMode = "off" | "on";
/**
 * How a job computes traveltimes (backends/traveltime_table.ts). A job that does not say is
 * given the table only where it was measured faster: VTI eta, on a velocity that is one v(tau)
 * everywhere (pipeline/job/defaults.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { TRAVELTIME_TABLE } from "./options.ts";
 * assert(TRAVELTIME_TABLE.names.includes(TRAVELTIME_TABLE.default));
 * ```
 */
export const TRAVELTIME_TABLE: OptionTable<TraveltimeTableMode> = defineOption({
  key: "traveltimeTable",
  flag: "--traveltime-table",
  description: "traveltime lookup table",
  default: "off",
  choices: {
    off: { description: "direct computation, the reference of every backend" },
    on: {
      description: "interpolated from one table for every column (cpu; the velocity must be one " +
        "v(tau) everywhere)",
    },
  },
});

/** ieee or ibm; the compiler checks it against the table. */
export type OutputFormat = "ieee" | "ibm";
/**
 * Sample format of the output SEG-Y (binary header bytes 3225-3226: 5 IEEE, 1 IBM).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { OUTPUT_FORMAT } from "./options.ts";
 * assert(OUTPUT_FORMAT.names.includes("ibm") && OUTPUT_FORMAT.default === "ieee");
 * ```
 */
export const OUTPUT_FORMAT: OptionTable<OutputFormat> = defineOption({
  key: "format",
  flag: "--format",
  description: "output sample format",
  default: "ieee",
  choices: {
    ieee: { description: "IEEE float32 (format code 5)" },
    ibm: { description: "IBM System/360 float (format code 1), for legacy software" },
  },
});

/** constant or error; the compiler checks it against the table. */
export type VelocityExtrapolation = "constant" | "error";
/**
 * What happens to output bins beyond the area velocity picks or a volume span.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { VELOCITY_EXTRAPOLATION } from "./options.ts";
 * assert.deepStrictEqual(VELOCITY_EXTRAPOLATION.names, ["constant", "error"]);
 * ```
 */
export const VELOCITY_EXTRAPOLATION: OptionTable<VelocityExtrapolation> = defineOption({
  key: "velocityExtrapolation",
  flag: "--velocity-extrapolation",
  description: "bins beyond the velocity picks",
  default: "constant",
  choices: {
    constant: { description: "the nearest picks' velocity, with a warning" },
    error: { description: "refused, naming the farthest bin" },
  },
});

/** text or json; the compiler checks it against the table. */
export type LogFormat = "text" | "json";
/**
 * Format of the progress and summary log.
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { LOG_FORMAT } from "./options.ts";
 * assert.deepStrictEqual(LOG_FORMAT.names, ["text", "json"]);
 * ```
 */
export const LOG_FORMAT: OptionTable<LogFormat> = defineOption({
  key: "log",
  flag: "--log",
  description: "log format",
  default: "text",
  choices: {
    text: { description: "lines for people" },
    json: { description: "one JSON event per line" },
  },
});

/** A colour map name. */
export type ColormapName = "grey" | "seismic" | "viridis";
/**
 * Colour maps of `pstm plot` (the colours themselves are plot/colormap.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { COLORMAPS } from "./options.ts";
 * assert(COLORMAPS.names.includes("seismic"));
 * ```
 */
export const COLORMAPS: OptionTable<ColormapName> = defineOption({
  key: "colormap",
  flag: "--colormap",
  description: "colour map",
  default: "seismic",
  choices: {
    grey: { description: "black to white" },
    seismic: { description: "blue, white at zero, red" },
    viridis: { description: "sequential, for fold and velocity" },
  },
});

/** A synthetic survey's trace order. */
export type SynthOrder = "cmp" | "shot" | "offset";
/**
 * Trace orders of `pstm synth` (pipeline/synth/synth.ts describes each).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SYNTH_ORDER } from "./options.ts";
 * assert.deepStrictEqual(SYNTH_ORDER.names, ["cmp", "shot", "offset"]);
 * ```
 */
export const SYNTH_ORDER: OptionTable<SynthOrder> = defineOption({
  key: "order",
  flag: "--order",
  description: "trace order",
  default: "cmp",
  choices: {
    cmp: { description: "by midpoint, offsets within a midpoint" },
    shot: { description: "by source, as field data arrive" },
    offset: { description: "common-offset sections" },
  },
});

/**
 * Whether `value` is one of the table's names.
 *
 * @param table the option
 * @param value anything
 * @returns true when `value` is an allowed name
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { isOption, RHO } from "./options.ts";
 * assert(isOption(RHO, "3d") && !isOption(RHO, "3D"));
 * ```
 */
export function isOption<N extends string>(table: OptionTable<N>, value: unknown): value is N {
  return typeof value === "string" && (table.names as readonly string[]).includes(value);
}

/**
 * The message for a value outside the table, listing the allowed ones.
 *
 * @param table the option
 * @param value what was given
 * @returns e.g. `must be one of none, obliquity, spreading: got "cos"`
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { optionMessage, LOG_FORMAT } from "./options.ts";
 * assert.equal(optionMessage(LOG_FORMAT, "xml"), 'must be one of text, json: got "xml"');
 * ```
 */
export function optionMessage(table: OptionTable, value: unknown): string {
  const got = typeof value === "string" ? `"${value}"` : String(value);
  return `must be one of ${table.names.join(", ")}: got ${got}`;
}

/**
 * Checks a value against the table.
 *
 * @param table the option
 * @param value what was given (a flag's text, a job file's value)
 * @param field the field for the message; default: the table's flag
 * @returns the value as a name of the table
 * @throws {PstmError} exit code 2 naming the field and the allowed values
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { BACKENDS, parseOption } from "./options.ts";
 * assert.equal(parseOption(BACKENDS, "cpu"), "cpu");
 * assert.throws(() => parseOption(BACKENDS, "gpu"), /--backend.*auto, cpu, cuda/);
 * ```
 */
export function parseOption<N extends string>(
  table: OptionTable<N>,
  value: unknown,
  field: string = table.flag,
): N {
  if (isOption(table, value)) return value;
  throw new PstmError(optionMessage(table, value), { field });
}

/**
 * The kernels' numeric encoding of a value (a csrc/include/pstm.h constant).
 *
 * @param table an option the kernels take
 * @param name one of its names
 * @returns the code
 * @throws {PstmError} exit code 2 when `name` is not in the table or has no code
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { ANTIALIAS, optionCode } from "./options.ts";
 * assert.equal(optionCode(ANTIALIAS, "on"), 1);
 * ```
 */
export function optionCode<N extends string>(table: OptionTable<N>, name: N): number {
  const code = isOption(table, name) ? table.choices[name].code : undefined;
  if (code === undefined) {
    throw new PstmError(
      isOption(table, name) ? `has no kernel encoding: got "${name}"` : optionMessage(table, name),
      { field: table.key },
    );
  }
  return code;
}

/**
 * The help line of an option: its description, each value's, the default.
 *
 * @param table the option
 * @param showDefault append "(default: ...)" (false where the flag's spec shows it)
 * @returns e.g. `rho filter: 3d = -d/dt ...; 2d = ...; none = ... (default: none)`
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { optionHelp, WEIGHTS } from "./options.ts";
 * assert(optionHelp(WEIGHTS).endsWith("(default: none)"));
 * ```
 */
export function optionHelp(table: OptionTable, showDefault = true): string {
  const choices = table.names.map((name) =>
    `${name} = ${(table.choices as Record<string, OptionChoice>)[name].description}`
  );
  const tail = showDefault ? ` (default: ${table.default})` : "";
  return `${table.description}: ${choices.join("; ")}${tail}`;
}

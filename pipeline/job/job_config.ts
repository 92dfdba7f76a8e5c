/**
 * The migration job's options, validated with zod. The same schema checks
 * `--config job.json` and the options the command line builds; flags given
 * on the command line override the file.
 *
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";
import { z } from "zod";
import { PstmError } from "../../core/errors.ts";
import {
  type BackendName,
  BACKENDS,
  optionMessage,
  type OptionTable,
  OUTPUT_FORMAT,
  type OutputFormat,
  RHO,
  type RhoName,
  TRAVELTIME_TABLE,
  type TraveltimeTableMode,
  VELOCITY_EXTRAPOLATION,
  type VelocityExtrapolation,
  WEIGHTS,
  type WeightsName,
} from "../../core/options.ts";

/** A zod enum of an option table: its names, its default, its message for other values. */
function choice<const N extends string>(table: OptionTable<N>) {
  return z.enum(table.names, { error: (issue) => optionMessage(table, issue.input) })
    .default(table.default);
}

/** Schema of a migration job (the keys of `--config job.json`); JobConfig is its type. */
const JobSchema = z.object({
  /** Input SEG-Y path, "-" for stdin. */
  input: z.string().min(1),
  /** Output SEG-Y path. */
  output: z.string().min(1),
  /** Velocity: constant, "tau:v,..." function, picks table or SEG-Y volume. */
  velocity: z.string().min(1),
  /** Output grid "X0,Y0,DX,DY,NX,NY[,AZIMUTH]"; default: suggested by the scan. */
  grid: z.string().optional(),
  /** Output time axis "T0,DT,NT" in seconds; default: the input's. */
  time: z.string().optional(),
  /** The bare formula of DESIGN.md 3: the defaults below become none/off (keys given still apply). */
  plain: z.boolean().default(false),
  /** Aperture radius in metres, or "none"; default: from the survey (pipeline/job/defaults.ts). */
  aperture: z.union([z.number().positive(), z.literal("none")]).optional(),
  /** Maximum aperture angle in degrees (0: none); default 60 (plain: 0). */
  maxAngle: z.number().min(0).lt(90).optional(),
  /** Tapered fraction of the aperture; default 0.2 (plain: 0). */
  taper: z.number().min(0).max(1).optional(),
  /** Lumley-Claerbout-Bevc triangle antialiasing; default on (plain: off). */
  aa: z.boolean().optional(),
  /** Rho filter; default 2d on a 2-D line, 3d otherwise (plain: none). */
  rho: z.enum(RHO.names, { error: (issue) => optionMessage(RHO, issue.input) }).optional(),
  /** Amplitude weights. */
  weights: choice(WEIGHTS),
  /** VTI anellipticity eta. */
  eta: z.number().gt(-0.5).lt(10).default(0),
  /** Stretch mute of the operator, percent (0: off): samples stretched more are left out. */
  stretchMute: z.number().min(0).max(1000).default(0),
  /** Output sample format. */
  format: choice(OUTPUT_FORMAT),
  /** Top mute of the input: "headers" (bytes 111-114) or "OFFSET:TIME,..." (m:s); default none. */
  mute: z.string().min(1).optional(),
  /** Cosine taper after the top mute, s. */
  muteTaper: z.number().min(0).max(10).default(0.02),
  /** Flat datum elevation for elevation statics (survey units); default: none. */
  datum: z.number().min(-1e5).max(1e5).optional(),
  /** Replacement velocity above the datum (survey units/s); required with datum. */
  replacementVelocity: z.number().min(100).max(100_000).optional(),
  /** Output bins beyond the velocity picks: the nearest picks' velocity (warned), or refused. */
  velocityExtrapolation: choice(VELOCITY_EXTRAPOLATION),
  /** Offset classes "FIRST:WIDTH:COUNT"; default: one class. */
  offsetClasses: z.string().optional(),
  /** Azimuth sectors per offset class: a count N over 0..180 degrees, or edges "E0,...,EN". */
  azimuthSectors: z.string().min(1).optional(),
  /** Antialiasing trace spacing along the grid azimuth, m; default: measured from the survey. */
  traceSpacing: z.number().positive().optional(),
  /** Antialiasing trace spacing across the grid azimuth, m; default: measured (or traceSpacing). */
  traceSpacingY: z.number().positive().optional(),
  /** Backend. */
  backend: choice(BACKENDS),
  /** CPU threads (0: all). */
  threads: z.number().int().min(0).max(4096).default(0),
  /** Memory budget, e.g. "512MiB"; default: half the available memory. */
  memory: z.string().optional(),
  /** Traces per input batch. */
  batchSize: z.number().int().min(1).max(1 << 16).default(256),
  /** Bins per tile along each axis, overriding the planner. */
  tileBins: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  /** Continue an interrupted run. */
  resume: z.boolean().default(false),
  /** "I/N": migrate shard I (0-based) of N. */
  shard: z.string().regex(/^\d+\/\d+$/).optional(),
  /** A plan file written by `pstm plan`: no header scan, the tiles' trace ranges from it. */
  planFile: z.string().optional(),
  /** Header byte overrides "NAME=BYTE:TYPE". */
  headers: z.array(z.string()).default([]),
  /** Checks turned off by name (see pipeline/plan/checks.ts), e.g. ["disk-space"]. */
  noCheck: z.array(z.string()).default([]),
  /** Seconds between checkpoints of the open tiles' partial sums (0: none). */
  checkpoint: z.number().min(0).max(1e6).default(300),
  /** Print per-tile timings. */
  tileTimings: z.boolean().default(false),
  /** Zero NaN/Inf samples (counted) instead of failing. */
  zeroNonFinite: z.boolean().default(false),
  /**
   * Traveltime lookup table: on or off (default: chosen per job, on only with VTI eta and a
   * v(tau) velocity, where it was measured faster; pipeline/job/defaults.ts).
   * Either way a job's image is the same across runs, tilings, resumes and shards.
   */
  traveltimeTable: z.enum(TRAVELTIME_TABLE.names, {
    error: (issue) => optionMessage(TRAVELTIME_TABLE, issue.input),
  }).optional(),
}).strict();

/**
 * A validated migration job: the keys of `--config job.json` with defaults filled in. The type
 * is written out (not inferred from the schema) so that the API documents it; a compile-time
 * check below fails when it and the schema drift apart.
 */
export interface JobConfig {
  /** Input SEG-Y path, "-" for stdin. */
  input: string;
  /** Output SEG-Y path. */
  output: string;
  /** Velocity: constant, "tau:v,..." function, picks table or SEG-Y volume. */
  velocity: string;
  /** Output grid "X0,Y0,DX,DY,NX,NY[,AZIMUTH]"; default: suggested by the scan. */
  grid?: string;
  /** Output time axis "T0,DT,NT" in seconds; default: the input's. */
  time?: string;
  /** The bare formula of DESIGN.md 3: the defaults below become none/off (keys given still apply). */
  plain: boolean;
  /** Aperture radius in metres, or "none"; default: from the survey (pipeline/job/defaults.ts). */
  aperture?: number | "none";
  /** Maximum aperture angle in degrees (0: none); default 60 (plain: 0). */
  maxAngle?: number;
  /** Tapered fraction of the aperture; default 0.2 (plain: 0). */
  taper?: number;
  /** Lumley-Claerbout-Bevc triangle antialiasing; default on (plain: off). */
  aa?: boolean;
  /** Rho filter; default 2d on a 2-D line, 3d otherwise (plain: none). */
  rho?: RhoName;
  /** Amplitude weights. */
  weights: WeightsName;
  /** VTI anellipticity eta. */
  eta: number;
  /** Stretch mute of the operator, percent (0: off): samples stretched more are left out. */
  stretchMute: number;
  /** Output sample format. */
  format: OutputFormat;
  /** Top mute of the input: "headers" (bytes 111-114) or "OFFSET:TIME,..." (m:s); default none. */
  mute?: string;
  /** Cosine taper after the top mute, s. */
  muteTaper: number;
  /** Flat datum elevation for elevation statics (survey units); default: none. */
  datum?: number;
  /** Replacement velocity above the datum (survey units/s); required with datum. */
  replacementVelocity?: number;
  /** Output bins beyond the velocity picks: the nearest picks' velocity (warned), or refused. */
  velocityExtrapolation: VelocityExtrapolation;
  /** Offset classes "FIRST:WIDTH:COUNT"; default: one class. */
  offsetClasses?: string;
  /** Azimuth sectors per offset class: a count N over 0..180 degrees, or edges "E0,...,EN". */
  azimuthSectors?: string;
  /** Antialiasing trace spacing along the grid azimuth, m; default: measured from the survey. */
  traceSpacing?: number;
  /** Antialiasing trace spacing across the grid azimuth, m; default: measured (or traceSpacing). */
  traceSpacingY?: number;
  /** Backend. */
  backend: BackendName;
  /** CPU threads (0: all). */
  threads: number;
  /** Memory budget, e.g. "512MiB"; default: half the available memory. */
  memory?: string;
  /** Traces per input batch. */
  batchSize: number;
  /** Bins per tile along each axis, overriding the planner. */
  tileBins?: [number, number];
  /** Continue an interrupted run. */
  resume: boolean;
  /** "I/N": migrate shard I (0-based) of N. */
  shard?: string;
  /** A plan file written by `pstm plan`: no header scan, the tiles' trace ranges from it. */
  planFile?: string;
  /** Header byte overrides "NAME=BYTE:TYPE". */
  headers: string[];
  /** Checks turned off by name (see pipeline/plan/checks.ts), e.g. ["disk-space"]. */
  noCheck: string[];
  /** Seconds between checkpoints of the open tiles' partial sums (0: none). */
  checkpoint: number;
  /** Print per-tile timings. */
  tileTimings: boolean;
  /** Zero NaN/Inf samples (counted) instead of failing. */
  zeroNonFinite: boolean;
  /**
   * Traveltime lookup table: on or off (default: chosen per job, on only with VTI eta and a
   * v(tau) velocity, where it was measured faster; pipeline/job/defaults.ts).
   * Either way a job's image is the same across runs, tilings, resumes and shards.
   */
  traveltimeTable?: TraveltimeTableMode;
}

/** True when A and B are the same type. */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
/** Fails to compile when JobConfig and the schema's output differ. */
const _jobConfigMatchesSchema: Same<JobConfig, z.infer<typeof JobSchema>> = true;
void _jobConfigMatchesSchema;

/**
 * Validates a job; errors name the key and what was expected (exit code 2).
 *
 * @param value the parsed JSON or the object the CLI built
 * @param source where it came from, for messages (a file path or "command line")
 * @returns the job with defaults filled in
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * const job = parseJobConfig({ input: "in.sgy", output: "out.sgy", velocity: "2000" });
 * assert(job.backend === "auto" && job.plain === false && job.aperture === undefined);
 * ```
 */
export function parseJobConfig(value: unknown, source = "job"): JobConfig {
  const problems: { key: string; message: string }[] = [];
  let keyed = value;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const normalised = normaliseJobKeys(value as Record<string, unknown>);
    problems.push(...normalised.unknown);
    keyed = normalised.keys;
  }
  const result = JobSchema.safeParse(keyed);
  if (result.success && problems.length === 0) return result.data;
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push({ key: issue.path.join(".") || "(top level)", message: issue.message });
    }
  }
  if (problems.length === 1) {
    throw new PstmError(problems[0].message, { file: source, field: problems[0].key });
  }
  throw new PstmError(
    `${problems.length} problems: ` + problems.map((p) => `${p.key}: ${p.message}`).join("; "),
    { file: source, field: problems.map((p) => p.key).join(", ") },
  );
}

/** Every key of a job (the keys of `--config job.json`), in schema order. */
export const JOB_KEYS: readonly string[] = Object.keys(JobSchema.shape);

/** Keys that were renamed, with what to write instead. */
const RENAMED_KEYS: Record<string, string> = {
  plan: 'the key "plan" is now "planFile" (a plan file written by pstm plan); ' +
    "pstm migrate --plan on the command line prints the plan and writes nothing",
};

/** Command-line flags whose job key is not their camelCase spelling. */
const FLAG_KEYS: Record<string, string> = { header: "headers", aaSpacing: "traceSpacing" };

/**
 * Job keys as the schema spells them: `max-angle`, `max_angle` and `maxAngle` are one key;
 * a key that is none gets a suggestion.
 *
 * @param raw the keys as written
 * @returns the keys in schema spelling, and the unknown ones with a message
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { normaliseJobKeys } from "./job_config.ts";
 * const { keys, unknown } = normaliseJobKeys({ "max-angle": 60, tile_bins: [8, 8], tapr: 0.1 });
 * assert.deepEqual(keys, { maxAngle: 60, tileBins: [8, 8] });
 * assert.match(unknown[0].message, /unknown key "tapr"; did you mean "taper"\?/);
 * ```
 */
export function normaliseJobKeys(
  raw: Record<string, unknown>,
): { keys: Record<string, unknown>; unknown: { key: string; message: string }[] } {
  const keys: Record<string, unknown> = {};
  const unknown: { key: string; message: string }[] = [];
  for (const [written, value] of Object.entries(raw)) {
    const camel = written.replace(/[-_]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
    const key = Object.hasOwn(FLAG_KEYS, camel) ? FLAG_KEYS[camel] : camel;
    if (JOB_KEYS.includes(key)) {
      keys[key] = value;
      continue;
    }
    if (Object.hasOwn(RENAMED_KEYS, key)) {
      unknown.push({ key: written, message: RENAMED_KEYS[key] });
      continue;
    }
    const near = nearestKey(key);
    unknown.push({
      key: written,
      message: `unknown key "${written}"` + (near ? `; did you mean "${near}"?` : "") +
        " (docs/job-file.md lists the keys)",
    });
  }
  return { keys, unknown };
}

/** The job key closest to `key` in edit distance (at most a third of its length), if any. */
function nearestKey(key: string): string | undefined {
  let best: string | undefined, bestDistance = Infinity;
  for (const candidate of JOB_KEYS) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/**
 * Reads and validates `--config job.json`, merging `overrides` (flags given
 * on the command line) over the file's keys.
 *
 * @param path the JSON file
 * @param overrides keys from the command line
 * @returns the validated job
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { readJobConfig } from "./job_config.ts";
 * const path = await Deno.makeTempFile({ suffix: ".json" });
 * await Deno.writeTextFile(path, JSON.stringify({ input: "in.sgy", output: "out.sgy", velocity: "2000" }));
 * const job = await readJobConfig(path, { velocity: "2500" });
 * assert.equal(job.velocity, "2500"); // the command line wins over the file
 * await Deno.remove(path);
 * ```
 */
export async function readJobConfig(
  path: string,
  overrides: Record<string, unknown>,
): Promise<JobConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new PstmError(`cannot read the job file: ${(error as Error).message}`, {
      file: path,
      field: "--config",
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PstmError(`not valid JSON: ${(error as Error).message}`, { file: path });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new PstmError("expected a JSON object of job keys", { file: path });
  }
  const { keys } = normaliseJobKeys(json as Record<string, unknown>);
  const relative = relativeToJobFile(keys, dirname(path));
  // unknown keys are reported by parseJobConfig from the keys as written
  const unknownKeys = Object.fromEntries(
    Object.entries(json as Record<string, unknown>).filter(([k]) =>
      normaliseJobKeys({ [k]: 0 }).unknown.length > 0
    ),
  );
  return parseJobConfig({ ...unknownKeys, ...relative, ...overrides }, path);
}

/**
 * The job file's paths (input, output, planFile, and a velocity that names a file) read against
 * the job file's folder, as a user writes them; absolute paths, "-" and velocity functions stay.
 */
function relativeToJobFile(keys: Record<string, unknown>, folder: string): Record<string, unknown> {
  const out = { ...keys };
  const resolveKey = (key: string, onlyIfFile = false) => {
    const value = out[key];
    if (typeof value !== "string" || value === "-" || isAbsolute(value)) return;
    const resolved = join(folder, value);
    if (onlyIfFile) {
      try {
        if (!Deno.statSync(resolved).isFile) return;
      } catch {
        return; // a constant or a v(tau) function, not a file
      }
    }
    out[key] = resolved;
  };
  resolveKey("input");
  resolveKey("output");
  resolveKey("planFile");
  resolveKey("velocity", true);
  return out;
}

/**
 * `pstm migrate IN.sgy -o OUT.sgy --velocity V [options]`: Kirchhoff
 * prestack time migration of a SEG-Y file (or stdin) into a SEG-Y volume.
 *
 * @module
 */

import { EXIT_OK, PstmError } from "../core/errors.ts";
import {
  ANTIALIAS,
  BACKENDS,
  LOG_FORMAT,
  optionHelp,
  type OptionTable,
  OUTPUT_FORMAT,
  parseOption,
  RHO,
  TRAVELTIME_TABLE,
  VELOCITY_EXTRAPOLATION,
  WEIGHTS,
} from "../core/options.ts";
import { type JobConfig, parseJobConfig, readJobConfig } from "../pipeline/job/job_config.ts";
import { formatSettings, FULL_MODE_DEFAULTS } from "../pipeline/job/defaults.ts";
import { formatBytes } from "../pipeline/plan/memory.ts";
import { type MigrationSummary, runMigration } from "../pipeline/job/migrate_job.ts";
import { formatDuration, Progress, progressMode } from "../pipeline/job/progress.ts";
import { type FlagSpec, numberFlag, type ParsedArgs, stringFlag } from "./args.ts";
import type { Command } from "./command.ts";
import { CHECKS } from "../pipeline/plan/checks.ts";
import { viaStdout } from "./stdout_output.ts";
import { planMigration } from "../pipeline/job/plan_only.ts";
import { formatPlanReport } from "./plan_report.ts";

/** The migrate command. */
export const migrateCommand: Command = {
  spec: {
    name: "migrate",
    summary: "Kirchhoff prestack time migration of a SEG-Y survey",
    usage: "migrate IN.sgy -o OUT.sgy --velocity V [options]   (or --config job.json)",
    positionals: { min: 0, max: 1, names: "IN.sgy, or - for stdin" },
    flags: {
      output: {
        type: "string",
        short: "o",
        value: "OUT.sgy",
        description: "output SEG-Y volume (- for stdout, written when complete)",
      },
      velocity: {
        type: "string",
        value: "V",
        description:
          "RMS velocity (m/s, ft/s in feet): 2000 | 0:1800,4:4200 (tau s:v) | picks.csv | vel.sgy",
      },
      "velocity-extrapolation": choiceFlag(VELOCITY_EXTRAPOLATION),
      config: { type: "string", value: "job.json", description: "job file (flags override it)" },
      grid: {
        type: "string",
        value: "X0,Y0,DX,DY,NX,NY[,AZ]",
        description: "output grid: origin bin centre, spacing, counts, azimuth (deg from +x)",
      },
      time: {
        type: "string",
        value: "T0,DT,NT",
        description: "output times in s (default: input's)",
      },
      plain: {
        type: "boolean",
        description: "the bare formula (DESIGN.md 3): no aperture, angle, taper, aa or rho " +
          "unless given",
      },
      aperture: {
        type: "string",
        value: "R|none",
        description:
          "aperture radius in m (ft in feet; default: the max angle's reach at the last time " +
          "and fastest velocity, at most the survey's extent; --plain: none)",
      },
      "max-angle": {
        type: "string",
        value: "DEG",
        description:
          `maximum aperture angle (default: ${FULL_MODE_DEFAULTS.maxAngle}; --plain: none)`,
      },
      taper: {
        type: "string",
        value: "FRACTION",
        description: "cosine-tapered part of the aperture " +
          `(default: ${FULL_MODE_DEFAULTS.taper}; --plain: 0)`,
      },
      aa: choiceFlag(ANTIALIAS, "on; --plain: off"),
      "aa-spacing": {
        type: "string",
        value: "DX[,DY]",
        description:
          "antialiasing trace spacing in m (ft in feet) along and across the grid azimuth " +
          "(default: measured from the midpoints, as pstm scan prints it)",
      },
      rho: choiceFlag(RHO, "2d on a 2-D line, 3d otherwise; --plain: none"),
      weights: choiceFlag(WEIGHTS),
      eta: { type: "string", value: "ETA", description: "VTI anellipticity per leg" },
      "stretch-mute": {
        type: "string",
        value: "PERCENT",
        description: "leave out operator samples stretched more than this, " +
          "sqrt(1 + x^2/(v tau)^2) - 1 (default: 0, off; 30-50 is usual)",
      },
      format: choiceFlag(OUTPUT_FORMAT),
      mute: {
        type: "string",
        value: "headers|OFFSET:TIME,...",
        description: "top mute of the input: the trace headers' mute start/end (111-114, ms), " +
          "or offset (m) : time (s) pairs interpolated in offset (default: none)",
      },
      datum: {
        type: "string",
        value: "ELEVATION",
        description: "elevation statics to this flat datum from the source and receiver " +
          "elevations (41-48, scalar 69-70) (default: none; needs --replacement-velocity)",
      },
      "replacement-velocity": {
        type: "string",
        value: "V",
        description: "velocity between the surface and --datum, m/s (ft/s in feet)",
      },
      "mute-taper": {
        type: "string",
        value: "S",
        description: "cosine taper after the top mute, s (default: 0.02)",
      },
      "offset-classes": {
        type: "string",
        value: "FIRST:WIDTH:COUNT",
        description: "offset classes (common-image gathers)",
      },
      "azimuth-sectors": {
        type: "string",
        value: "N|E0,...,EN",
        description: "split each offset class into source-receiver azimuth sectors: N equal " +
          "over 0-180 degrees from north, or explicit edges (default: none)",
      },
      backend: choiceFlag(BACKENDS),
      threads: { type: "string", value: "N", description: "CPU threads (0: all)" },
      memory: { type: "string", value: "SIZE", description: "memory budget, e.g. 512MiB" },
      "batch-size": { type: "string", value: "N", description: "traces per input batch" },
      "tile-bins": { type: "string", value: "NX,NY", description: "bins per tile (override)" },
      header: {
        type: "string",
        multiple: true,
        value: "NAME=BYTE:TYPE",
        description: "header byte override, e.g. sx=73:i4",
      },
      checkpoint: {
        type: "string",
        value: "SECONDS",
        description: "save the open tiles' sums this often for --resume (0: never; default 300)",
      },
      "no-check": {
        type: "string",
        multiple: true,
        value: "NAME",
        description: `turn a check off: ${Object.keys(CHECKS).join(", ")}`,
      },
      resume: { type: "boolean", description: "continue an interrupted run" },
      shard: { type: "string", value: "I/N", description: "migrate shard I of N (0-based)" },
      plan: {
        type: "boolean",
        description: "print the plan and exit, writing nothing: grid, time axis, classes, " +
          "tiles, passes, trace reads, memory, output size and free disk, contributions, an " +
          "estimated time (a short calibration); every check still runs",
      },
      "plan-file": {
        type: "string",
        value: "FILE",
        description: "follow a plan file written by pstm plan (no header scan)",
      },
      "zero-non-finite": {
        type: "boolean",
        description: "zero NaN/Inf samples instead of failing",
      },
      "tile-timings": { type: "boolean", description: "log a timing line per tile" },
      "traveltime-table": choiceFlag(
        TRAVELTIME_TABLE,
        "on with --eta on a v(tau) velocity, where it was measured faster; else off",
      ),
      quiet: { type: "boolean", short: "q", description: "no progress, no summary" },
      log: choiceFlag(LOG_FORMAT),
    },
    examples: [
      "pstm migrate survey.sgy -o image.sgy --velocity 0:1800,4:4200",
      "pstm migrate survey.sgy -o image.sgy --velocity 2000 --plain",
      "pstm migrate survey.sgy -o image.sgy --velocity vel.sgy --aperture 1500 --max-angle 60 \\\n" +
      "      --taper 0.1 --aa on --rho 3d --offset-classes 0:200:10 --memory 2GiB",
      "pstm synth -o - --preset demo3d | pstm migrate - -o image.sgy --velocity 0:1800,1.5:2600",
      "pstm migrate survey.sgy -o image.sgy --velocity 0:1800,4:4200 --plan",
      "pstm migrate --config job.json --resume --shard 3/8 --log json",
    ],
  },
  async run(args) {
    const job = await jobFromArgs(args);
    const progress = new Progress(
      progressMode({ quiet: args.values.quiet === true, log: job.log }),
    );
    if (args.values.plan === true) return await printPlan(job.config, progress);
    const stop = new AbortController();
    const signals = (["SIGINT", "SIGTERM"] as const).map((name) => {
      const listener = () => stop.abort(name);
      Deno.addSignalListener(name, listener);
      return () => Deno.removeSignalListener(name, listener);
    });
    let summary;
    try {
      summary = await viaStdout(
        job.config.output,
        job.config,
        (output) => runMigration({ ...job.config, output }, progress, { signal: stop.signal }),
      );
      if (job.config.output === "-") summary.output = "stdout";
    } finally {
      signals.forEach((remove) => remove());
    }
    if (progress.mode === "json") {
      // the output time axis as timeAxis: "time" is the event's timestamp
      const { time, ...rest } = summary;
      progress.event("summary", { ...rest, timeAxis: time });
    } else if (progress.mode !== "quiet") {
      await Deno.stderr.write(new TextEncoder().encode(formatSummary(summary) + "\n"));
    }
    return EXIT_OK;
  },
};

/**
 * `--plan`: the plan-only report, on stdout for people (also with --quiet), or as the one
 * "plan" event of a JSON log on stderr; nothing is written.
 */
async function printPlan(config: JobConfig, progress: Progress): Promise<number> {
  const report = await planMigration(config, progress);
  if (progress.mode === "json") progress.event("plan", { ...report });
  else console.log(formatPlanReport(report));
  return EXIT_OK;
}

/**
 * Builds the validated job from flags and an optional --config file.
 *
 * @param args parsed command line
 * @returns the job and the log mode
 */
export async function jobFromArgs(
  args: ParsedArgs,
): Promise<{ config: JobConfig; log: string }> {
  const set: Record<string, unknown> = {};
  const put = (key: string, value: unknown) => {
    if (value !== undefined) set[key] = value;
  };
  put("input", args.positionals[0]);
  put("output", stringFlag(args, "output"));
  put("velocity", stringFlag(args, "velocity"));
  put("velocityExtrapolation", stringFlag(args, "velocity-extrapolation"));
  put("grid", stringFlag(args, "grid"));
  put("time", stringFlag(args, "time"));
  const aperture = stringFlag(args, "aperture");
  put("aperture", aperture === "none" ? "none" : numberFlag(args, "aperture", 0));
  put("maxAngle", numberFlag(args, "max-angle", 0, 89.999));
  put("taper", numberFlag(args, "taper", 0, 1));
  put("aa", onOff(stringFlag(args, "aa")));
  put("rho", choiceValue(args, RHO));
  put("weights", choiceValue(args, WEIGHTS));
  put("eta", numberFlag(args, "eta"));
  put("stretchMute", numberFlag(args, "stretch-mute", 0, 1000));
  put("format", stringFlag(args, "format"));
  put("mute", stringFlag(args, "mute"));
  put("datum", numberFlag(args, "datum", -1e5, 1e5));
  put("replacementVelocity", numberFlag(args, "replacement-velocity", 100, 100_000));
  put("muteTaper", numberFlag(args, "mute-taper", 0, 10));
  const aaSpacing = spacingFlag(stringFlag(args, "aa-spacing"));
  put("traceSpacing", aaSpacing?.[0]);
  put("traceSpacingY", aaSpacing?.[1]);
  if (args.values.plain) put("plain", true);
  put("offsetClasses", stringFlag(args, "offset-classes"));
  put("azimuthSectors", stringFlag(args, "azimuth-sectors"));
  put("backend", choiceValue(args, BACKENDS));
  put("threads", numberFlag(args, "threads", 0, 4096));
  put("memory", stringFlag(args, "memory"));
  put("batchSize", numberFlag(args, "batch-size", 1, 65536));
  const tileBins = stringFlag(args, "tile-bins");
  if (tileBins !== undefined) put("tileBins", tileBins.split(",").map(Number));
  if (args.values.header) put("headers", args.values.header);
  if (args.values["no-check"]) put("noCheck", args.values["no-check"]);
  put("checkpoint", numberFlag(args, "checkpoint", 0, 1e6));
  if (args.values.resume) put("resume", true);
  put("shard", stringFlag(args, "shard"));
  put("planFile", stringFlag(args, "plan-file"));
  if (args.values["zero-non-finite"]) put("zeroNonFinite", true);
  if (args.values["tile-timings"]) put("tileTimings", true);
  put("traveltimeTable", choiceValue(args, TRAVELTIME_TABLE));
  const log = parseOption(LOG_FORMAT, stringFlag(args, "log") ?? LOG_FORMAT.default);
  const configPath = stringFlag(args, "config");
  if (configPath === undefined) {
    for (const key of ["input", "output", "velocity"]) {
      if (set[key] === undefined) {
        const flag = key === "input" ? "IN.sgy (or -)" : `--${key}`;
        throw new PstmError(`${flag} is required (see pstm migrate --help)`, { field: flag });
      }
    }
  }
  const config = configPath === undefined
    ? parseJobConfig(set, "command line")
    : await readJobConfig(configPath, set);
  return { config, log };
}

/**
 * The help of a flag that takes one value of an option table: its values, descriptions and
 * default (`defaultText` where the job chooses it from the survey).
 */
function choiceFlag(table: OptionTable, defaultText?: string): FlagSpec {
  const help = optionHelp(table);
  return {
    type: "string",
    value: table.names.join("|"),
    description: defaultText
      ? help.replace(/\(default: [^)]*\)$/, `(default: ${defaultText})`)
      : help,
  };
}

/** --aa-spacing DX[,DY]: one or two positive spacings in m (DY defaults to DX). */
function spacingFlag(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const values = text.split(",").map((v) => Number(v.trim()));
  if (values.length > 2 || values.some((v) => !(Number.isFinite(v) && v > 0))) {
    throw new PstmError(`expected DX[,DY], one or two spacings > 0 in m: got "${text}"`, {
      field: "--aa-spacing",
    });
  }
  return [values[0], values[1] ?? values[0]];
}

/** The value of a table's flag, checked against the table (the message names the flag). */
function choiceValue<N extends string>(args: ParsedArgs, table: OptionTable<N>): N | undefined {
  const value = stringFlag(args, table.flag.replace(/^--/, ""));
  return value === undefined ? undefined : parseOption(table, value);
}

/** --aa on|off as the job's boolean ("true" and "false" are accepted too). */
function onOff(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "true" || value === "false") return value === "true";
  return parseOption(ANTIALIAS, value) === "on";
}

/**
 * The final summary for humans: traces, contributions, time per stage, memory.
 *
 * @param s the run's summary
 * @returns text lines
 */
export function formatSummary(s: MigrationSummary): string {
  // a trace is read once per tile band its aperture reaches: reads/s is not input traces/s
  const perSecond = (n: number) => (s.seconds > 0 ? n / s.seconds : 0).toFixed(0);
  const lines = [
    `pstm: ${s.complete ? "wrote" : "partly wrote (other shards pending)"} ${s.output}`,
    ...(s.settings ? formatSettings(s.settings, s.grid) : []),
    `  backend      ${s.backend} (${s.device}${s.threads ? `, ${s.threads} threads` : ""})`,
    `  traces       ${s.traces} in the input, ${s.tracesRead} read in ${s.passes} pass(es): ` +
    `${perSecond(s.traces)} input traces/s, ${perSecond(s.tracesRead)} reads/s`,
    `  contributions ${s.contributions.toExponential(3)} ` +
    `(${
      (s.kernelSeconds > 0 ? s.contributions / s.kernelSeconds : 0).toExponential(2)
    }/s in the kernel)`,
    `  tiles        ${s.tilesWritten} written` +
    (s.tilesResumed ? `, ${s.tilesResumed} resumed` : "") + ` of ${s.tiles} ` +
    `(${s.plan.tileNx} x ${s.plan.tileNy} bins each)`,
    `  time         ${formatDuration(s.seconds)} total: scan ${s.times.scan.toFixed(2)} s, ` +
    `read ${s.times.read.toFixed(2)} s, preprocess ${s.times.preprocess.toFixed(2)} s, ` +
    `kernel ${s.times.kernel.toFixed(2)} s, write ${s.times.write.toFixed(2)} s`,
    `  memory       peak RSS ${formatBytes(s.peakRss)} (budget ${formatBytes(s.plan.budget)})` +
    (s.deviceBytes ? `, device ${formatBytes(s.deviceBytes)}` : ""),
    ...(s.nonFiniteZeroed ? [`  zeroed       ${s.nonFiniteZeroed} NaN/Inf input samples`] : []),
    `  kernel busy  ${s.kernelSeconds.toFixed(2)} s of ${s.seconds.toFixed(2)} s wall ` +
    `(${(s.seconds > 0 ? (100 * s.kernelSeconds) / s.seconds : 0).toFixed(0)}%)`,
  ];
  return lines.join("\n");
}

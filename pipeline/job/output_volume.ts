/**
 * The output file of a job, preallocated as `OUT.partial` (every trace of
 * the grid, so that finished tiles go straight to their place), with a
 * textual header that says what made it.
 *
 * @module
 */

import type { MigrationSettings } from "./defaults.ts";
import type { OutputFiles, ShardSpec } from "../output/output_files.ts";
import type { GridSpec, TimeAxis } from "../plan/grid.ts";
import { type OffsetClasses, outputClassCount } from "../plan/offset_classes.ts";
import { SegyWriter } from "../segy/segy_writer.ts";
import type { JobConfig } from "./job_config.ts";
import type { JobSetup } from "./setup.ts";

/**
 * Bytes of the finished output: the file headers (3600) and, for every bin and output class, a
 * trace of 240 header bytes and 4-byte samples (IEEE and IBM floats alike).
 *
 * @param setup grid, time axis, classes
 * @returns bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { outputBytesOf } from "./output_volume.ts";
 * const bytes = outputBytesOf({ grid: { x0: 0, y0: 0, dx: 25, dy: 25, nx: 3, ny: 2, azimuthDeg: 0 },
 *   time: { tau0: 0, dtau: 0.004, ntau: 10 }, classes: { first: 0, width: 100, count: 2 } });
 * assert.equal(bytes, 3600 + 3 * 2 * 2 * (240 + 4 * 10));
 * ```
 */
export function outputBytesOf(setup: Pick<JobSetup, "grid" | "time" | "classes">): number {
  const { grid, time, classes } = setup;
  return 3600 + grid.nx * grid.ny * outputClassCount(classes) * (240 + 4 * time.ntau);
}

/**
 * Creates (or, resuming or as a shard, reopens without truncating) the partial output.
 *
 * @param job the job (its options go into the textual header)
 * @param setup grid, time axis, classes
 * @param files the partial output's path
 * @param shard this run's shard (shards share one partial output)
 * @returns the writer
 * @throws PstmError when the file cannot be created
 */
export function createOutputVolume(
  job: JobConfig,
  setup: Pick<JobSetup, "grid" | "time" | "classes" | "settings">,
  files: Pick<OutputFiles, "partial">,
  shard: ShardSpec | undefined,
): Promise<SegyWriter> {
  const { grid, time, classes } = setup;
  return SegyWriter.create(files.partial, {
    traceCount: grid.nx * grid.ny * outputClassCount(classes),
    ns: time.ntau,
    dt: time.dtau,
    t0: time.tau0,
    textHeader: describeJob(job, grid, time, classes, setup.settings),
    sampleFormat: job.format,
    sortingCode: 2, // CDP ensembles: the classes of one bin follow each other
    // the input's unit: the grid, offsets and velocities are in it
    measurementSystem: setup.settings.units?.length === "ft" ? 2 : 1,
    ensembleFold: outputClassCount(classes),
    truncate: !job.resume && !shard,
  });
}

/**
 * The textual header of the output: what made it.
 *
 * @param job input, velocity and migration options
 * @param grid the output grid
 * @param time the output time axis
 * @param classes offset classes
 * @param settings the resolved migration settings (default: the job's keys as given)
 * @returns lines joined by "\n"
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { describeJob } from "./output_volume.ts";
 * const job = parseJobConfig({ input: "in.sgy", output: "o.sgy", velocity: "2000" });
 * const text = describeJob(job, { x0: 0, y0: 0, dx: 25, dy: 25, nx: 3, ny: 2, azimuthDeg: 0 },
 *   { tau0: 0, dtau: 0.004, ntau: 10 }, { first: 0, width: 1e9, count: 1 });
 * assert.match(text, /^input in\.sgy$/m);
 * assert.match(text, /nx 3 ny 2/);
 * ```
 */
export function describeJob(
  job: JobConfig,
  grid: GridSpec,
  time: TimeAxis,
  classes: OffsetClasses,
  settings?: MigrationSettings,
): string {
  const s = settings;
  const lines = [
    "pstm Kirchhoff prestack time migration",
    `input ${job.input}`,
    `velocity ${job.velocity}`,
    `units ${s?.units?.length ?? "m"}, velocities ${s?.units?.velocity ?? "m/s"}`,
    `grid x0 ${grid.x0} y0 ${grid.y0} dx ${grid.dx} dy ${grid.dy} nx ${grid.nx} ny ${grid.ny}`,
    `azimuth ${grid.azimuthDeg} deg; inline = iy, crossline = ix`,
    `time tau0 ${time.tau0} s dt ${time.dtau} s nt ${time.ntau}`,
    `offset classes first ${classes.first} width ${classes.width} count ${classes.count}`,
    s
      ? `${s.mode} mode; aperture ${s.aperture || "none"} max-angle ${s.maxAngle} taper ${s.taper}`
      : `aperture ${job.aperture} max-angle ${job.maxAngle} taper ${job.taper}`,
    s
      ? `aa ${s.aa ? `on spacing ${s.traceSpacing},${s.traceSpacingY}` : "off"} rho ${s.rho} ` +
        `weights ${job.weights} eta ${job.eta}`
      : `aa ${job.aa ? "on" : "off"} rho ${job.rho} weights ${job.weights} eta ${job.eta}`,
    `stretch-mute ${job.stretchMute} percent; samples ${
      job.format === "ibm" ? "IBM" : "IEEE"
    } float`,
    "traces in inline, crossline, offset-class order",
    "bytes 189 inline, 193 crossline, 181/185 cdp x/y (scalar 71), 37 offset",
  ];
  return lines.join("\n");
}

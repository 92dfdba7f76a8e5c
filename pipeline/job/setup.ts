/**
 * Stage 1 of a migration job: the input opened (standard input spooled to a
 * file first), its headers read once into the geometry table (and, without
 * `--grid`, into the scan that suggests the grid), and everything that
 * follows from the job's options: the output grid and time axis, offset
 * classes, the velocity model, the kernel parameters and the aperture reach.
 *
 * @module
 */

import type { KernelParams } from "../../backends/backend.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { GeometryTable } from "../plan/geometry_table.ts";
import {
  checkGrid,
  type GridSpec,
  parseGridFlag,
  parseTimeFlag,
  type TimeAxis,
} from "../plan/grid.ts";
import {
  defaultOffsetClasses,
  type OffsetClasses,
  parseOffsetClasses,
} from "../plan/offset_classes.ts";
import { scanBatches } from "../plan/scan.ts";
import type { SurveyChecks } from "../plan/survey_checks.ts";
import { headerMapWith } from "../segy/header_map.ts";
import { SegyFile } from "../segy/segy_file.ts";
import type { SegyInfo } from "../segy/segy_info.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";
import { openVelocity, type VelocityModel } from "../velocity/velocity.ts";
import { parseMute, TopMute } from "../dsp/mute.ts";
import type { JobConfig } from "./job_config.ts";

/** Traces per header read of the scan. */
const HEADER_BATCH = 16384;

/** The opened input of a job. */
export interface JobInput {
  /** The file read (the spool when the input is standard input). */
  path: string;
  /** The input's name in messages: its path, or "stdin". */
  name: string;
  /** The spool file, when the input is "-" (removed by `close`). */
  spool?: string;
  /** The open file. */
  file: SegyFile;
  /** Closes the file and removes the spool; safe twice. */
  close(): Promise<void>;
}

/** What the rest of the job needs to know, computed once. */
export interface JobSetup {
  /** The opened input. */
  input: JobInput;
  /** Its file headers. */
  info: SegyInfo;
  /** Coordinates of every input trace. */
  geometry: GeometryTable;
  /** The output grid (`--grid`, or the scan's suggestion). */
  grid: GridSpec;
  /** The output time axis (`--time`, or the input's). */
  time: TimeAxis;
  /** Offset classes. */
  classes: OffsetClasses;
  /** The velocity model on the grid. */
  velocity: VelocityModel;
  /** Kernel parameters shared by every tile (npoints 0: set per tile). */
  params: KernelParams;
  /** The largest midpoint distance at which a trace contributes, m (Infinity: all). */
  reach: number;
  /** The top mute of the input (`--mute`), when there is one. */
  mute?: TopMute;
}

/**
 * Opens the job's input; standard input ("-") is first copied to `spoolPath`
 * so that it can be scanned and read in passes.
 *
 * @param job the validated job
 * @param spoolPath where standard input is spooled
 * @param stdin the bytes of standard input (default `Deno.stdin.readable`)
 * @returns the opened input
 * @throws PstmError when the input is not readable SEG-Y/SU, or stdin cannot be spooled
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { openJobInput } from "./setup.ts";
 * const url = new URL("../../../shared/data/segy/f3.sgy", import.meta.url);
 * const input = await openJobInput({ input: url.pathname, headers: [] }, "unused");
 * assert.equal(input.file.info.traceCount, 414);
 * await input.close();
 * ```
 */
export async function openJobInput(
  job: Pick<JobConfig, "input" | "headers">,
  spoolPath: string,
  stdin?: ReadableStream<Uint8Array>,
): Promise<JobInput> {
  const spool = job.input === "-"
    ? await spoolStdin(spoolPath, stdin ?? Deno.stdin.readable)
    : undefined;
  const path = spool ?? job.input;
  const name = spool ? "stdin" : job.input;
  let file: SegyFile;
  try {
    file = await SegyFile.open(path, { headerMap: headerMapWith(job.headers), name });
  } catch (error) {
    if (spool) await Deno.remove(spool).catch(() => {});
    throw error;
  }
  let closed = false;
  return {
    path,
    name,
    spool,
    file,
    async close() {
      if (closed) return;
      closed = true;
      file.close();
      if (spool) await Deno.remove(spool).catch(() => {});
    },
  };
}

/** Copies a byte stream to a spool file. */
async function spoolStdin(path: string, source: ReadableStream<Uint8Array>): Promise<string> {
  try {
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    await source.pipeTo(file.writable);
  } catch (error) {
    await Deno.remove(path).catch(() => {});
    throw new PstmError(
      `cannot spool standard input: ${(error as Error).message}`,
      { file: path },
      EXIT_RUNTIME,
      { cause: error },
    );
  }
  return path;
}

/**
 * Reads every trace header once: into the geometry table and, when
 * `suggestGrid` is set, into the scan that suggests the output grid (the
 * grid `pstm scan` prints, numbering included).
 *
 * @param file the open input
 * @param suggestGrid also suggest a grid
 * @param checks the survey's plausibility checks, fed every batch and run on the whole
 * @returns the geometry table, and the suggested grid when asked for
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyFile } from "../segy/segy_file.ts";
 * import { readGeometry } from "./setup.ts";
 * using file = await SegyFile.open(new URL("../../../shared/data/segy/f3.sgy", import.meta.url).pathname);
 * const { geometry, grid } = await readGeometry(file, true);
 * assert.equal(geometry.count, 414);
 * assert.equal(grid!.nx * grid!.ny, 414);
 * ```
 */
export async function readGeometry(
  file: SegyFile,
  suggestGrid: boolean,
  checks?: SurveyChecks,
): Promise<{ geometry: GeometryTable; grid?: GridSpec }> {
  const n = file.info.traceCount;
  const geometry = new GeometryTable(n);
  async function* headers(): AsyncGenerator<TraceBatch> {
    for (let first = 0; first < n; first += HEADER_BATCH) {
      const batch = await file.readHeaders(first, Math.min(HEADER_BATCH, n - first));
      geometry.append(batch);
      checks?.add(batch);
      yield batch;
    }
    checks?.checkGeometry(geometry); // before a grid is suggested from implausible coordinates
  }
  if (!suggestGrid) {
    for await (const _ of headers());
    return { geometry };
  }
  const { method: _method, ...grid } = (await scanBatches(file.info, headers())).grid;
  return { geometry, grid };
}

/**
 * The output time axis: `--time`, or the input's (starting no earlier than 0).
 *
 * @param job the job (`time`)
 * @param info the input's file headers
 * @returns the time axis
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { timeAxisOf } from "./setup.ts";
 * assert.deepEqual(timeAxisOf({}, { t0: -0.1, dt: 0.004, ns: 500 }), { tau0: 0, dtau: 0.004, ntau: 500 });
 * assert.equal(timeAxisOf({ time: "0,0.008,100" }, { t0: 0, dt: 0.004, ns: 500 }).ntau, 100);
 * ```
 */
export function timeAxisOf(
  job: Pick<JobConfig, "time">,
  info: Pick<SegyInfo, "t0" | "dt" | "ns">,
): TimeAxis {
  return job.time
    ? parseTimeFlag(job.time)
    : { tau0: Math.max(0, info.t0), dtau: info.dt, ntau: info.ns };
}

/**
 * The kernel parameters every tile shares (`npoints` is set per tile).
 *
 * @param job the job's migration options
 * @param info the input's samples per trace, first time and interval
 * @param grid the output grid (the antialiasing trace spacing defaults to its smaller spacing)
 * @param time the output time axis
 * @param classes offset classes
 * @returns the parameters
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { kernelParamsOf } from "./setup.ts";
 * const job = parseJobConfig({ input: "a", output: "b", velocity: "2000", aperture: 500 });
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 12.5, nx: 4, ny: 4, azimuthDeg: 0 };
 * const p = kernelParamsOf(job, { ns: 100, t0: 0, dt: 0.004 }, grid,
 *   { tau0: 0, dtau: 0.004, ntau: 100 }, { first: 0, width: 1e9, count: 1 });
 * assert.equal(p.aperture, 500);
 * assert.equal(p.traceSpacing, 12.5);
 * ```
 */
export function kernelParamsOf(
  job: JobConfig,
  info: Pick<SegyInfo, "ns" | "t0" | "dt">,
  grid: GridSpec,
  time: TimeAxis,
  classes: OffsetClasses,
): KernelParams {
  return {
    ns: info.ns,
    t0: info.t0,
    dt: info.dt,
    npoints: 0,
    ntau: time.ntau,
    tau0: time.tau0,
    dtau: time.dtau,
    nclass: classes.count,
    aperture: job.aperture === "none" ? 0 : job.aperture,
    maxAngle: job.maxAngle,
    taper: job.taper,
    antialias: job.aa,
    traceSpacing: job.traceSpacing ?? Math.min(grid.dx, grid.dy),
    weights: job.weights,
    eta: job.eta,
    stretchMute: job.stretchMute / 100,
    threads: job.threads,
  };
}

/**
 * The largest midpoint distance at which a trace can contribute: the
 * aperture radius, and with an angle limit no more than
 * `tau_max * v_max * tan(angle) / 2`.
 *
 * @param params aperture and angle limit
 * @param time the output time axis
 * @param vmax the largest velocity of the model, m/s
 * @returns the reach, m (Infinity when unlimited)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { apertureReach } from "./setup.ts";
 * const time = { tau0: 0, dtau: 0.01, ntau: 101 };
 * assert.equal(apertureReach({ aperture: 500, maxAngle: 0 }, time, 2000), 500);
 * assert.equal(apertureReach({ aperture: 0, maxAngle: 0 }, time, 2000), Infinity);
 * assert(Math.abs(apertureReach({ aperture: 0, maxAngle: 45 }, time, 2000) - 1000) < 1e-6);
 * ```
 */
export function apertureReach(
  params: Pick<KernelParams, "aperture" | "maxAngle">,
  time: TimeAxis,
  vmax: number,
): number {
  let reach = params.aperture > 0 ? params.aperture : Infinity;
  if (params.maxAngle > 0 && params.maxAngle < 90) {
    const tauMax = time.tau0 + (time.ntau - 1) * time.dtau;
    reach = Math.min(reach, 0.5 * tauMax * vmax * Math.tan((params.maxAngle * Math.PI) / 180));
  }
  return reach;
}

/**
 * Scans the opened input and derives the job's grid, time axis, classes,
 * velocity, kernel parameters and reach (stage 1 of `runMigration`).
 *
 * @param job the validated job
 * @param input the opened input
 * @param checks the survey's plausibility checks (run on the headers before the grid)
 * @returns the setup
 * @throws PstmError for a bad grid, time axis, offset classes or velocity
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { openJobInput, setupJob } from "./setup.ts";
 * const path = new URL("../../../shared/data/segy/f3.sgy", import.meta.url).pathname;
 * const job = parseJobConfig({ input: path, output: "unused.sgy", velocity: "2000" });
 * const input = await openJobInput(job, "unused");
 * const setup = await setupJob(job, input);
 * assert.equal(setup.geometry.count, 414);
 * assert.equal(setup.params.ntau, setup.info.ns);
 * await input.close();
 * ```
 */
export async function setupJob(
  job: JobConfig,
  input: JobInput,
  checks?: SurveyChecks,
): Promise<JobSetup> {
  const info = input.file.info;
  const mute = job.mute === undefined
    ? undefined
    : new TopMute({ source: parseMute(job.mute), taper: job.muteTaper });
  const scanned = await readGeometry(input.file, job.grid === undefined, checks);
  const grid = checkGrid(job.grid ? parseGridFlag(job.grid) : scanned.grid!);
  const time = timeAxisOf(job, info);
  const classes = job.offsetClasses
    ? parseOffsetClasses(job.offsetClasses)
    : defaultOffsetClasses();
  const velocity = await openVelocity(job.velocity, grid, time);
  const params = kernelParamsOf(job, info, grid, time, classes);
  const reach = apertureReach(params, time, velocity.max);
  return {
    input,
    info,
    geometry: scanned.geometry,
    grid,
    time,
    classes,
    velocity,
    params,
    reach,
    ...(mute ? { mute } : {}),
  };
}

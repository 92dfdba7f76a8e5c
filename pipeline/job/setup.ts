/**
 * Stage 1 of a migration job: the input opened (standard input spooled to a
 * file first), its headers read once into the on-disk geometry index (and,
 * without `--grid`, into the scan that suggests the grid; with `--plan-file`,
 * not at all: the plan file says what the scan found), and everything that
 * follows from the job's options: the output grid and time axis, offset
 * classes, the velocity model, the kernel parameters and the aperture reach.
 *
 * @module
 */

import type { KernelParams } from "../../backends/backend.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import {
  type GeometryIndex,
  GeometryIndexWriter,
  type GeometrySource,
  type IndexedInput,
  type IndexStatistics,
} from "../plan/geometry_index.ts";
import { binOf } from "../plan/grid.ts";
import type { PlanContents } from "../plan/plan_file.ts";
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
  outputClassCount,
  parseAzimuthSectors,
  parseOffsetClasses,
} from "../plan/offset_classes.ts";
import { scanBatches } from "../plan/scan.ts";
import type { SurveyChecks } from "../plan/survey_checks.ts";
import { headerMapWith } from "../segy/header_map.ts";
import { SegyFile } from "../segy/segy_file.ts";
import type { SegyInfo } from "../segy/segy_info.ts";
import { surveyUnits } from "../segy/units.ts";
import type { TraceBatch } from "../segy/trace_batch.ts";
import { openVelocity, type VelocityModel } from "../velocity/velocity.ts";
import { headerLocator } from "../velocity/velocity_header_key.ts";
import { parseMute, TopMute } from "../dsp/mute.ts";
import { ElevationStatics } from "../dsp/statics.ts";
import type { JobConfig } from "./job_config.ts";
import { type MigrationSettings, resolveSettings } from "./defaults.ts";
import { SpacingMeter, type SurveySpacing } from "../plan/trace_spacing.ts";

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
  /** What the scan (or the plan file) knows of the traces' geometry. */
  geometry: JobGeometry;
  /** The plan file this run follows (`--plan-file`), if any. */
  planFile?: PlanContents;
  /** The output grid (`--grid`, or the scan's suggestion). */
  grid: GridSpec;
  /** The output time axis (`--time`, or the input's). */
  time: TimeAxis;
  /** Offset classes. */
  classes: OffsetClasses;
  /** The velocity model on the grid. */
  velocity: VelocityModel;
  /** The survey's trace spacing along the grid's axes and its dimensionality. */
  spacing: SurveySpacing;
  /** The migration settings: given, or chosen from the survey (pipeline/job/defaults.ts). */
  settings: MigrationSettings;
  /** Kernel parameters shared by every tile (npoints 0: set per tile). */
  params: KernelParams;
  /** The largest midpoint distance at which a trace contributes, m or ft (Infinity: all). */
  reach: number;
  /** The top mute of the input (`--mute`), when there is one. */
  mute?: TopMute;
  /** Elevation statics to `--datum`, when given. */
  statics?: ElevationStatics;
}

/** The input's geometry as the job sees it. */
export interface JobGeometry {
  /** Number of traces. */
  count: number;
  /** Checksum, largest half offset, midpoint extent. */
  statistics: IndexStatistics;
  /** Trace midpoints inside the output grid (within half a bin of its edge bins). */
  midpointsInside: number;
  /** The midpoints, band by band, for the planner (absent when planned from a plan file). */
  source?: GeometrySource;
  /** Closes and removes the index file (once planned); safe twice. */
  release(): Promise<void>;
}

/**
 * What identifies an input for the geometry index and the plan file.
 *
 * @param input the opened input
 * @param headers header overrides (`--header`)
 * @returns path, size, modification time, traces, ns, dt, overrides
 */
export async function indexedInputOf(
  input: Pick<JobInput, "path" | "file">,
  headers: string[],
): Promise<IndexedInput> {
  const stat = await Deno.stat(input.path);
  const info = input.file.info;
  return {
    path: input.path,
    size: stat.size,
    mtime: stat.mtime?.getTime() ?? 0,
    traces: info.traceCount,
    ns: info.ns,
    dt: info.dt,
    headers,
  };
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
 * Reads every trace header once: into the geometry index at `indexPath`
 * (20 bytes a trace on disk, a fixed amount in memory) and, when
 * `suggestGrid` is set, into the scan that suggests the output grid (the
 * grid `pstm scan` prints, numbering included).
 *
 * @param file the open input
 * @param suggestGrid also suggest a grid
 * @param indexPath where the index is written
 * @param input what identifies the input (kept in the index)
 * @param checks the survey's plausibility checks, fed every batch and run on the whole
 * @returns the open index, and the suggested grid and how it was found when asked for
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyFile } from "../segy/segy_file.ts";
 * import { readGeometry } from "./setup.ts";
 * const path = new URL("../../../shared/data/segy/f3.sgy", import.meta.url).pathname;
 * using file = await SegyFile.open(path);
 * const index = await Deno.makeTempFile();
 * const input = { path, size: 0, mtime: 0, traces: 414, ns: file.info.ns, dt: file.info.dt,
 *   headers: [] };
 * const { geometry, grid } = await readGeometry(file, true, index, input);
 * assert.equal(geometry.count, 414);
 * assert.equal(grid!.nx * grid!.ny, 414);
 * geometry.close();
 * await Deno.remove(index);
 * ```
 */
export async function readGeometry(
  file: SegyFile,
  suggestGrid: boolean,
  indexPath: string,
  input: IndexedInput,
  checks?: SurveyChecks,
): Promise<{ geometry: GeometryIndex; grid?: GridSpec; method?: string }> {
  const n = file.info.traceCount;
  // every consumer (index writer, checks, scan) copies what it keeps: one batch is reused
  async function* headers(): AsyncGenerator<TraceBatch> {
    let batch: TraceBatch | undefined;
    for (let first = 0; first < n; first += HEADER_BATCH) {
      batch = await file.readHeaders(first, Math.min(HEADER_BATCH, n - first), undefined, batch);
      yield batch;
    }
  }
  const writer = await GeometryIndexWriter.create(indexPath, input);
  let geometry: GeometryIndex | undefined;
  async function* indexed(): AsyncGenerator<TraceBatch> {
    for await (const batch of headers()) {
      await writer.add(batch);
      checks?.add(batch);
      yield batch;
    }
    geometry = await writer.finish();
    checks?.checkGeometry(geometry); // before a grid is suggested from implausible coordinates
  }
  let scanned;
  try {
    if (suggestGrid) {
      // pstm scan's grid estimate keeps per-trace values of its own: give --grid on surveys
      // too large for that
      scanned = await scanBatches(file.info, indexed());
    } else for await (const _ of indexed());
  } catch (error) {
    if (geometry) {
      geometry.close();
      await Deno.remove(indexPath).catch(() => {});
    } else await writer.abort();
    throw error;
  }
  if (!geometry) throw new Error("readGeometry: the scan ended before the index was written");
  if (!scanned) return { geometry };
  const { method, ...grid } = scanned.grid;
  return { geometry, grid, method };
}

/**
 * How many midpoints of an index fall inside the grid (within half a bin of
 * its edge bins), read band by band.
 *
 * @param source the midpoints
 * @param grid the output grid
 * @returns the count
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { GeometryTable } from "../plan/geometry_table.ts";
 * import { midpointsInside } from "./setup.ts";
 * const grid = { x0: 0, y0: 0, dx: 10, dy: 10, nx: 2, ny: 2, azimuthDeg: 0 };
 * const g = new GeometryTable();
 * g.append({ firstTrace: 0, count: 2, ns: 0, dt: 1, t0: 0, samples: new Float32Array(0),
 *   sx: new Float64Array([0, 100]), sy: new Float64Array([0, 100]),
 *   gx: new Float64Array([10, 120]), gy: new Float64Array([0, 100]), headers: {} });
 * assert.equal(midpointsInside(g, grid), 1);
 * ```
 */
export function midpointsInside(source: GeometrySource, grid: GridSpec): number {
  let inside = 0;
  for (const band of source.bands()) {
    for (let k = 0; k < band.count; k++) {
      const b = binOf(grid, band.mx[k], band.my[k]);
      if (b.ix > -0.5 && b.ix < grid.nx - 0.5 && b.iy > -0.5 && b.iy < grid.ny - 0.5) inside++;
    }
  }
  return inside;
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
 * @param settings aperture, angle, taper, antialiasing and its spacing, as resolved
 * @param info the input's samples per trace, first time and interval
 * @param grid the output grid (its azimuth orients the antialiasing spacing)
 * @param time the output time axis
 * @param classes offset classes
 * @returns the parameters
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { kernelParamsOf } from "./setup.ts";
 * const job = parseJobConfig({ input: "a", output: "b", velocity: "2000" });
 * const grid = { x0: 0, y0: 0, dx: 25, dy: 12.5, nx: 4, ny: 4, azimuthDeg: 30 };
 * const settings = { aperture: 500, maxAngle: 60, taper: 0.2, aa: true, traceSpacing: 25,
 *   traceSpacingY: 100 };
 * const p = kernelParamsOf(job, settings, { ns: 100, t0: 0, dt: 0.004 }, grid,
 *   { tau0: 0, dtau: 0.004, ntau: 100 }, { first: 0, width: 1e9, count: 1 });
 * assert.equal(p.aperture, 500);
 * assert.deepEqual([p.traceSpacing, p.traceSpacingY, p.spacingAzimuthDeg], [25, 100, 30]);
 * ```
 */
export function kernelParamsOf(
  job: JobConfig,
  settings: Pick<
    MigrationSettings,
    "aperture" | "maxAngle" | "taper" | "aa" | "traceSpacing" | "traceSpacingY"
  >,
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
    nclass: outputClassCount(classes),
    aperture: settings.aperture,
    maxAngle: settings.maxAngle,
    taper: settings.taper,
    antialias: settings.aa,
    traceSpacing: settings.traceSpacing,
    traceSpacingY: settings.traceSpacingY,
    spacingAzimuthDeg: grid.azimuthDeg,
    weights: job.weights,
    eta: job.eta,
    stretchMute: job.stretchMute / 100,
  };
}

/**
 * The largest midpoint distance at which a trace can contribute: the
 * aperture radius, and with an angle limit no more than
 * `tau_max * v_max * tan(angle) / 2`.
 *
 * @param params aperture and angle limit
 * @param time the output time axis
 * @param vmax the largest velocity of the model, m/s (ft/s in feet)
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
 * await setup.geometry.release(); // the index file is removed
 * await input.close();
 * ```
 */
export async function setupJob(
  job: JobConfig,
  input: JobInput,
  indexPath = `${job.output}.geometry`,
  planFile?: PlanContents,
  checks?: SurveyChecks,
): Promise<JobSetup> {
  const info = input.file.info;
  const mute = job.mute === undefined
    ? undefined
    : new TopMute({ source: parseMute(job.mute), taper: job.muteTaper });
  const statics = datumStaticsOf(job);
  let geometry: JobGeometry;
  let suggested: GridSpec | undefined;
  let method: string | undefined;
  if (planFile) {
    suggested = planFile.grid;
    geometry = {
      count: info.traceCount,
      statistics: planFile.statistics,
      midpointsInside: planFile.midpointsInside,
      release: () => Promise.resolve(),
    };
  } else {
    const identity = await indexedInputOf(input, job.headers);
    const scanned = await readGeometry(
      input.file,
      job.grid === undefined,
      indexPath,
      identity,
      checks,
    );
    suggested = scanned.grid;
    method = scanned.method;
    const index = scanned.geometry;
    let released = false;
    geometry = {
      count: index.count,
      statistics: index.statistics,
      midpointsInside: 0,
      source: index,
      async release() {
        if (released) return;
        released = true;
        index.close();
        await Deno.remove(indexPath).catch(() => {});
      },
    };
  }
  try {
    const grid = checkGrid(job.grid ? parseGridFlag(job.grid) : suggested!);
    if (geometry.source) geometry.midpointsInside = midpointsInside(geometry.source, grid);
    const time = timeAxisOf(job, info);
    const offsetClasses = job.offsetClasses
      ? parseOffsetClasses(job.offsetClasses)
      : defaultOffsetClasses();
    const classes = job.azimuthSectors === undefined
      ? offsetClasses
      : { ...offsetClasses, sectors: parseAzimuthSectors(job.azimuthSectors) };
    const velocity = await openVelocity(job.velocity, grid, time, {
      extrapolate: job.velocityExtrapolation === "constant",
      locate: headerLocator(input.file, job.velocity),
    });
    // measured from the midpoints, or as the plan file recorded it
    const spacing = geometry.source
      ? measureSpacing(geometry.source, grid)
      : planFile?.spacing ?? binSpacing(grid);
    const gridFrom = job.grid
      ? "--grid"
      : planFile
      ? "from the plan file"
      : `suggested by the scan from its ${method}`;
    const settings = resolveSettings(job, {
      grid,
      gridFrom,
      spacing,
      tmax: time.tau0 + (time.ntau - 1) * time.dtau,
      vmax: velocity.max,
      units: surveyUnits(info.measurementSystem),
      laterallyConstant: velocity.laterallyConstant === true,
    });
    const params = kernelParamsOf(job, settings, info, grid, time, classes);
    const reach = apertureReach(params, time, velocity.max);
    return {
      input,
      info,
      geometry,
      planFile,
      grid,
      time,
      classes,
      velocity,
      spacing,
      settings,
      params,
      reach,
      ...(mute ? { mute } : {}),
      ...(statics ? { statics } : {}),
    };
  } catch (error) {
    await geometry.release();
    throw error;
  }
}

/**
 * The survey's trace spacing along the grid's axes, measured from the trace midpoints.
 *
 * @param source the trace geometry, read band by band
 * @param grid the output grid
 * @returns the spacing and the survey's dimensionality
 */
export function measureSpacing(source: GeometrySource, grid: GridSpec): SurveySpacing {
  const meter = new SpacingMeter(grid);
  for (const band of source.bands()) {
    for (let k = 0; k < band.count; k++) meter.add(band.mx[k], band.my[k]);
  }
  return meter.result();
}

/** The bin size as spacing, when no midpoints are at hand (an old plan file). */
function binSpacing(grid: GridSpec): SurveySpacing {
  const line = grid.nx === 1 || grid.ny === 1;
  const along = line && grid.nx === 1 ? grid.dy : grid.dx;
  return {
    dimensions: line ? 2 : 3,
    along,
    across: line ? along : grid.dy,
    extentAlong: (grid.nx - 1) * grid.dx,
    extentAcross: (grid.ny - 1) * grid.dy,
    how: "the bin size (no midpoints at hand)",
  };
}

/**
 * The elevation statics of a job: `--datum` with `--replacement-velocity`, or none.
 *
 * @param job the job
 * @returns the statics, or undefined without a datum
 * @throws PstmError (exit 2) for a datum without a replacement velocity, or the reverse
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { datumStaticsOf } from "./setup.ts";
 * const job = parseJobConfig({ input: "a", output: "b", velocity: "2000", datum: 100 });
 * assert.throws(() => datumStaticsOf(job), /--replacement-velocity/);
 * ```
 */
export function datumStaticsOf(
  job: Pick<JobConfig, "datum" | "replacementVelocity">,
): ElevationStatics | undefined {
  if (job.datum === undefined && job.replacementVelocity === undefined) return undefined;
  if (job.replacementVelocity === undefined) {
    throw new PstmError(
      "a datum needs a replacement velocity (the velocity between the surface and the datum)",
      { field: "--replacement-velocity" },
    );
  }
  if (job.datum === undefined) {
    throw new PstmError("a replacement velocity needs a datum elevation", { field: "--datum" });
  }
  return new ElevationStatics({ datum: job.datum, replacementVelocity: job.replacementVelocity });
}

/**
 * A whole migration job: scan the input's headers, plan tiles and passes
 * within the memory budget, stream each pass through
 * SegyFile -> BinGeometryStream -> MigrateTileStream -> TileWriter, and
 * finish the output atomically (written as OUT.partial, renamed when every
 * tile is recorded in the manifest).
 *
 * @module
 */

import { pathExists } from "../../core/path_exists.ts";
import type { Backend, KernelParams, TileInputs } from "../../backends/backend.ts";
import { openBackend } from "../../backends/select.ts";
import { BinGeometryStream } from "../streams/bin_geometry_stream.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { GeometryTable } from "../plan/geometry_table.ts";
import {
  binOf,
  checkGrid,
  gridPoints,
  type GridSpec,
  parseGridFlag,
  parseTimeFlag,
  type TimeAxis,
} from "../plan/grid.ts";
import type { JobConfig } from "./job_config.ts";
import { parseNoCheck } from "../plan/checks.ts";
import { fingerprintOf, Manifest, type ManifestHeader } from "../output/manifest.ts";
import { defaultMemoryBudget, peakRss } from "../plan/memory.ts";
import {
  checkDiskSpace,
  checkInputSampling,
  checkJobPaths,
  checkMemoryFlag,
  explainAllocationFailure,
} from "./preflight.ts";
import { MigrateTileStream } from "../streams/migrate_tile_stream.ts";
import {
  defaultOffsetClasses,
  type OffsetClasses,
  offsetClassOf,
  parseOffsetClasses,
} from "../plan/offset_classes.ts";
import { TracePreprocessor } from "../dsp/preprocess.ts";
import type { Progress } from "./progress.ts";
import { scanSegy } from "../plan/scan.ts";
import { headerMapWith } from "../segy/header_map.ts";
import { SegyFile } from "../segy/segy_file.ts";
import { SegyWriter } from "../segy/segy_writer.ts";
import { newStageTimes, type StageTimes } from "../streams/stage_times.ts";
import {
  makeFootprint,
  planTiles,
  type TilePlan,
  type TileShape,
  tileShape,
} from "../plan/tile_plan.ts";
import { TileWriter, writeTile } from "../streams/tile_writer.ts";
import {
  MAX_TABLE_BYTES,
  maxHalfOffset,
  TraveltimeTableBackend,
  type TraveltimeTableReport,
} from "../../backends/traveltime_table.ts";
import { openVelocity, type VelocityModel } from "../velocity/velocity.ts";

/** What a finished (or partly finished) run reports. */
export interface MigrationSummary {
  /** Output path (final name). */
  output: string;
  /** Whether the output file is complete (all shards done). */
  complete: boolean;
  /** Backend used. */
  backend: string;
  /** Device it ran on. */
  device: string;
  /** Input traces. */
  traces: number;
  /** Traces read in all passes. */
  tracesRead: number;
  /** NaN/Inf input samples zeroed (with --zero-non-finite; counted once per pass). */
  nonFiniteZeroed: number;
  /** (trace, output sample) pairs summed. */
  contributions: number;
  /** Tiles in the whole job. */
  tiles: number;
  /** Tiles this run migrated or wrote. */
  tilesWritten: number;
  /** Tiles skipped because a previous run finished them. */
  tilesResumed: number;
  /** Passes over the input. */
  passes: number;
  /** Wall time, s. */
  seconds: number;
  /** Time per stage, s. */
  times: StageTimes;
  /** Kernel time the backend measured, s. */
  kernelSeconds: number;
  /** Peak device memory, bytes. */
  deviceBytes: number;
  /** Peak resident memory of the process, bytes. */
  peakRss: number;
  /** The output grid. */
  grid: GridSpec;
  /** The output time axis. */
  time: TimeAxis;
  /** Offset classes. */
  classes: OffsetClasses;
  /** Tile plan figures. */
  plan: { tileNx: number; tileNy: number; budget: number };
  /** Whether the traveltime table was used, and the calibration (absent for resumed jobs). */
  traveltimeTable?: TraveltimeTableReport;
}

/** Extra knobs for tests and library users. */
export interface MigrationHooks {
  /** Use this backend instead of opening job.backend. */
  backend?: Backend;
  /** Called after each tile is durable (tests use it to simulate a crash). */
  onTile?: (tileId: number) => void | Promise<void>;
  /** Stops the run cleanly (finished tiles stay recorded) when aborted. */
  signal?: AbortSignal;
}

/**
 * Runs a migration job end to end.
 *
 * @param job the validated job
 * @param progress where progress and events go
 * @param hooks optional backend override and tile callback
 * @returns the summary
 */
export async function runMigration(
  job: JobConfig,
  progress: Progress,
  hooks: MigrationHooks = {},
): Promise<MigrationSummary> {
  const started = performance.now();
  const times = newStageTimes();
  const shard = parseShard(job.shard);
  const partialPath = `${job.output}.partial`;
  const manifestPath = shard
    ? `${job.output}.shard-${shard.index}-of-${shard.count}.manifest`
    : `${job.output}.manifest`;

  await checkJobPaths(job);
  const noCheck = parseNoCheck(job.noCheck);
  const memoryBudget = checkMemoryFlag(job.memory);
  const headerMap = headerMapWith(job.headers);
  const spool = job.input === "-" ? await spoolStdin(job.output) : undefined;
  using _removeSpool = removedOnExit(spool);
  const inputPath = spool ?? job.input;
  const inputName = spool ? "stdin" : job.input;
  using file = await SegyFile.open(inputPath, { headerMap, name: inputName });
  let ownBackend: Backend | undefined;
  try {
    const info = file.info;
    checkInputSampling(info.dt, inputName);
    // 1. header-only scan: the geometry table
    let t = performance.now();
    const geometry = new GeometryTable(info.traceCount);
    for (let first = 0; first < info.traceCount; first += 16384) {
      geometry.append(await file.readHeaders(first, Math.min(16384, info.traceCount - first)));
    }
    const grid = checkGrid(job.grid ? parseGridFlag(job.grid) : await suggestedGrid(file));
    const time = job.time
      ? parseTimeFlag(job.time)
      : { tau0: Math.max(0, info.t0), dtau: info.dt, ntau: info.ns };
    const classes = job.offsetClasses
      ? parseOffsetClasses(job.offsetClasses)
      : defaultOffsetClasses();
    if (!noCheck.has("disk-space")) {
      await checkDiskSpace({
        output: job.output,
        bytes: 3600 + grid.nx * grid.ny * classes.count * (240 + 4 * time.ntau),
        resume: job.resume,
      });
    }
    const velocity = await openVelocity(job.velocity, grid, time);
    const vmax = velocity.max;
    const params: KernelParams = {
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
      threads: job.threads,
    };
    const reach = apertureReach(params, time, vmax);
    const hostBudget = memoryBudget ?? defaultMemoryBudget();
    // tiles live on the device too: a GPU backend's free memory caps them
    const backend = hooks.backend ??
      (ownBackend = await openBackend(job.backend, { threads: job.threads }));
    const deviceLimit = backend.memoryLimit;
    const budget = deviceLimit === undefined ? hostBudget : Math.min(hostBudget, deviceLimit);
    const fingerprint = fingerprintOf({
      input: {
        size: info.fileSize,
        traces: info.traceCount,
        ns: info.ns,
        dt: info.dt,
        geometry: geometryChecksum(geometry),
        firstTrace: sampleChecksum((await file.readTraces(0, 1)).samples),
      },
      traveltimeTable: job.traveltimeTable,
      grid,
      time,
      classes: [classes.first, classes.width, classes.count],
      velocity: job.velocity,
      params: { ...params, threads: 0 },
      rho: job.rho,
      headers: job.headers,
    });
    const previous = job.resume ? await Manifest.peek(manifestPath) : undefined;
    const planRequest = {
      // velocity, the CPU library's 1/v^2, and with an angle limit its reach and running maximum
      columnArrays: params.maxAngle > 0 && params.maxAngle < 90 ? 4 : 2,
      tileOverhead: job.traveltimeTable === "off" ? 0 : MAX_TABLE_BYTES,
      nx: grid.nx,
      ny: grid.ny,
      dx: grid.dx,
      dy: grid.dy,
      ntau: time.ntau,
      nclass: classes.count,
      binOf: (x: number, y: number): [number, number] => {
        const b = binOf(grid, x, y);
        return [b.ix, b.iy];
      },
      reach,
      geometry,
      ns: info.ns,
      batchSize: job.batchSize,
      budget,
      tileBins: previous?.tileBins ?? job.tileBins,
      shard,
    };
    const shape = tileShape(planRequest);
    const header: ManifestHeader = {
      version: 1,
      fingerprint,
      tiles: shape.tiles,
      shard: job.shard ?? "",
      tileBins: [shape.tileNx, shape.tileNy],
    };
    if (job.resume && !previous && await pathExists(job.output) && !await pathExists(partialPath)) {
      progress.event("complete", { output: job.output }, `${job.output} is already complete`);
      return emptySummary(job, geometry.count, grid, time, classes, shape, budget, started, times);
    }
    const manifest = await Manifest.open(manifestPath, header, job.resume);
    using _closeManifest = manifest;
    const plan = planTiles({
      ...planRequest,
      tileBins: [shape.tileNx, shape.tileNy],
      done: manifest.done,
    });
    times.scan += (performance.now() - t) / 1000;
    const totalTraces = plan.passes.reduce((n, p) => n + p.lastTrace - p.firstTrace + 1, 0);
    const tilesToDo = plan.emptyTiles.length +
      plan.passes.reduce((n, p) => n + p.tileIds.length, 0);
    const inside = midpointsInside(geometry, grid);
    if (inside < 0.5 * geometry.count) {
      progress.event(
        "warning",
        { midpointsInsideGrid: inside, traces: geometry.count },
        `pstm: warning: only ${inside} of ${geometry.count} trace midpoints fall inside the ` +
          "output grid; check --grid (origin, spacing, azimuth) against pstm scan's suggestion",
      );
    }
    progress.event(
      "plan",
      {
        traces: info.traceCount,
        grid,
        tiles: plan.tiles.length,
        tileBins: [plan.tileNx, plan.tileNy],
        passes: plan.passes.length,
        resumed: plan.doneTiles.length,
        budget,
      },
      `pstm: ${info.traceCount} traces -> ${grid.nx} x ${grid.ny} bins x ${time.ntau} samples` +
        ` x ${classes.count} class(es); ${plan.tiles.length} tile(s) of ${plan.tileNx} x ` +
        `${plan.tileNy} bins in ${plan.passes.length} pass(es)` +
        (plan.doneTiles.length ? `; ${plan.doneTiles.length} tile(s) already done` : ""),
    );

    // 2. the output, preallocated; finished tiles go straight to their place
    const volume = await SegyWriter.create(partialPath, {
      traceCount: grid.nx * grid.ny * classes.count,
      ns: time.ntau,
      dt: time.dtau,
      t0: time.tau0,
      textHeader: describeJob(job, grid, time, classes),
      truncate: !job.resume && !shard,
    });
    let volumeOpen = true;
    const tabled = new TraveltimeTableBackend(backend, {
      mode: job.traveltimeTable ?? "off",
      maxDistance: Math.min(reach, Math.hypot(grid.nx * grid.dx, grid.ny * grid.dy)) +
        maxHalfOffset(geometry),
    });
    try {
      const writerOptions = { sink: volume, grid, time, classes };
      progress.start(totalTraces, tilesToDo);
      t = performance.now();
      const signal = hooks.signal;
      for (const id of plan.emptyTiles) {
        throwIfAborted(signal);
        await writeTile(writerOptions, plan.tiles[id], undefined);
        await volume.sync();
        await manifest.record(id);
        progress.advance(0, 1);
        await hooks.onTile?.(id);
      }
      times.write += (performance.now() - t) / 1000;
      const preprocessor = new TracePreprocessor({
        ns: info.ns,
        dt: info.dt,
        rho: job.rho,
        antialias: job.aa,
      });
      let tracesRead = 0, nonFiniteZeroed = 0;
      for (const [passIndex, pass] of plan.passes.entries()) {
        throwIfAborted(signal);
        progress.event(
          "pass",
          { pass: passIndex, of: plan.passes.length, ...pass },
          `pass ${
            passIndex + 1
          }/${plan.passes.length}: traces ${pass.firstTrace}..${pass.lastTrace}, ${pass.tileIds.length} tile(s)`,
        );
        const tiles = pass.tileIds.map((id) => plan.tiles[id]);
        const input = file.stream({
          first: pass.firstTrace,
          count: pass.lastTrace - pass.firstTrace + 1,
          batchSize: job.batchSize,
        });
        await timedReads(
          input,
          times,
          (n, zeroed) => {
            tracesRead += n;
            nonFiniteZeroed += zeroed;
            progress.advance(n);
          },
          job.zeroNonFinite,
          inputName,
        )
          .pipeThrough(
            new BinGeometryStream({
              origin: [grid.x0, grid.y0],
              classOf: (offset) => offsetClassOf(offset, classes),
              footprint: makeFootprint(planRequest, plan.tileNx, plan.tileNy),
            }),
          )
          .pipeThrough(
            new MigrateTileStream({
              backend: tabled,
              tiles,
              ntx: plan.ntx,
              tileInputs: (tile) => tileInputs(tile, grid, velocity, params),
              preprocess: (samples, count) => preprocessor.apply(samples, count),
              times,
            }),
          )
          .pipeTo(
            new TileWriter({
              ...writerOptions,
              manifest,
              times,
              onTile: async (finished) => {
                progress.advance(0, 1);
                if (job.tileTimings) {
                  progress.event("tile", {
                    tile: finished.tile.id,
                    traces: finished.traces,
                    seconds: finished.seconds,
                  });
                }
                await hooks.onTile?.(finished.tile.id);
              },
            }),
            { signal },
          ).catch((error) => {
            throwIfAborted(signal);
            throw explainAllocationFailure(
              error,
              `${tiles.length} tile(s) of ${plan.tileNx} x ${plan.tileNy} bins`,
            );
          });
      }
      progress.finish();
      const traveltimeTable = tabled.report();
      if (traveltimeTable.mode !== "off" || progress.mode === "json") {
        progress.event(
          "traveltime-table",
          { ...traveltimeTable },
          `traveltime table ${traveltimeTable.mode}: ${traveltimeTable.used} ` +
            `(${traveltimeTable.reason})`,
        );
      }
      const stats = backend.stats();
      volumeOpen = false;
      await volume.close();
      manifest.close();
      const complete = await finalize(job, shard, plan, partialPath, manifestPath);
      return {
        output: job.output,
        complete,
        backend: backend.name,
        device: backend.device,
        traces: info.traceCount,
        tracesRead,
        nonFiniteZeroed,
        contributions: stats.contributions,
        tiles: plan.tiles.length,
        tilesWritten: tilesToDo,
        tilesResumed: plan.doneTiles.length,
        passes: plan.passes.length,
        seconds: (performance.now() - started) / 1000,
        times,
        kernelSeconds: stats.kernelSeconds,
        deviceBytes: stats.deviceBytes,
        peakRss: peakRss(),
        grid,
        time,
        classes,
        plan: { tileNx: plan.tileNx, tileNy: plan.tileNy, budget },
        traveltimeTable,
      };
    } catch (error) {
      if (volumeOpen) await volume.close().catch(() => {});
      volumeOpen = false;
      await removeIfNothingRecorded(manifest, partialPath, manifestPath, Boolean(shard));
      throw error;
    } finally {
      if (volumeOpen) await volume.close().catch(() => {});
    }
  } finally {
    ownBackend?.close();
  }
}

/** The largest midpoint distance at which a trace can contribute, m. */
function apertureReach(params: KernelParams, time: TimeAxis, vmax: number): number {
  let reach = params.aperture > 0 ? params.aperture : Infinity;
  if (params.maxAngle > 0 && params.maxAngle < 90) {
    const tauMax = time.tau0 + (time.ntau - 1) * time.dtau;
    reach = Math.min(reach, 0.5 * tauMax * vmax * Math.tan((params.maxAngle * Math.PI) / 180));
  }
  return reach;
}

function tileInputs(
  tile: { ix0: number; ix1: number; iy0: number; iy1: number },
  grid: GridSpec,
  velocity: VelocityModel,
  base: KernelParams,
): TileInputs {
  const points = gridPoints(grid, tile.ix0, tile.ix1, tile.iy0, tile.iy1);
  return {
    params: { ...base, npoints: points.length / 2 },
    points,
    velocity: velocity.sample(tile.ix0, tile.ix1, tile.iy0, tile.iy1),
  };
}

/**
 * Parses `--shard I/N` (0 <= I < N).
 *
 * @param text "I/N" or undefined
 * @returns the shard or undefined
 */
export function parseShard(text: string | undefined): { index: number; count: number } | undefined {
  if (text === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(match?.[1]), count = Number(match?.[2]);
  if (!match || !(count >= 1 && count <= 100000 && index < count)) {
    throw new PstmError(`expected I/N with 0 <= I < N <= 100000, got "${text}"`, {
      field: "--shard",
    });
  }
  return { index, count };
}

/** Copies stdin to a spool file beside the output, so it can be scanned and read in passes. */
async function spoolStdin(output: string): Promise<string> {
  const path = `${output}.stdin-spool.sgy`;
  try {
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    await Deno.stdin.readable.pipeTo(file.writable);
  } catch (error) {
    await Deno.remove(path).catch(() => {});
    throw new PstmError(
      `cannot spool standard input: ${(error as Error).message}`,
      {
        file: path,
      },
      EXIT_RUNTIME,
      { cause: error },
    );
  }
  return path;
}

/**
 * Counts batches and the time spent waiting for them; checks samples for
 * NaN/Inf (an error naming the trace, or zeroed and counted on request).
 */
function timedReads(
  input: ReadableStream<import("../segy/trace_batch.ts").TraceBatch>,
  times: StageTimes,
  onBatch: (traces: number, zeroed: number) => void,
  zeroNonFinite: boolean,
  path: string,
) {
  const reader = input.getReader();
  return new ReadableStream<import("../segy/trace_batch.ts").TraceBatch>({
    async pull(controller) {
      const start = performance.now();
      const { done, value } = await reader.read();
      times.read += (performance.now() - start) / 1000;
      if (done) {
        controller.close();
        return;
      }
      onBatch(value.count, checkFinite(value, zeroNonFinite, path));
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 2 });
}

/** Fails on the first NaN/Inf sample, or zeroes them all; returns how many were zeroed. */
function checkFinite(
  batch: import("../segy/trace_batch.ts").TraceBatch,
  zero: boolean,
  path: string,
): number {
  const samples = batch.samples;
  let zeroed = 0;
  for (let i = 0; i < samples.length; i++) {
    if (Number.isFinite(samples[i])) continue;
    const trace = batch.firstTrace + Math.floor(i / batch.ns);
    if (!zero) {
      throw new PstmError(
        `sample ${i % batch.ns} is ${samples[i]}; expected a finite number ` +
          "(use --zero-non-finite to zero such samples)",
        { file: path, trace, field: "samples" },
      );
    }
    samples[i] = 0;
    zeroed++;
  }
  return zeroed;
}

/**
 * A job that fails before recording any tile leaves nothing behind: the
 * preallocated (sparse, full-size) OUT.partial and its manifest are removed.
 * With tiles recorded, both stay for `--resume`. Shards share the partial file.
 */
async function removeIfNothingRecorded(
  manifest: Manifest,
  partialPath: string,
  manifestPath: string,
  sharded: boolean,
): Promise<void> {
  if (manifest.done.size > 0 || sharded) return;
  manifest.close();
  await Deno.remove(partialPath).catch(() => {});
  await Deno.remove(manifestPath).catch(() => {});
}

/** Removes the stdin spool however the job ends (the input file it stands for is kept). */
function removedOnExit(spool: string | undefined): Disposable {
  return {
    [Symbol.dispose]() {
      if (spool === undefined) return;
      try {
        Deno.removeSync(spool);
      } catch { /* already gone */ }
    },
  };
}

/** Renames the partial output when every tile (of every shard) is recorded. */
async function finalize(
  job: JobConfig,
  shard: { index: number; count: number } | undefined,
  plan: TilePlan,
  partialPath: string,
  manifestPath: string,
): Promise<boolean> {
  const manifests = shard
    ? Array.from(
      { length: shard.count },
      (_, i) => `${job.output}.shard-${i}-of-${shard.count}.manifest`,
    )
    : [manifestPath];
  const done = new Set<number>();
  for (const path of manifests) {
    const peeked = await Manifest.peek(path);
    peeked?.done.forEach((id) => done.add(id));
  }
  if (done.size < plan.tiles.length) return false;
  try {
    await Deno.rename(partialPath, job.output);
  } catch (error) {
    // another shard finished the job at the same moment
    if (!(error instanceof Deno.errors.NotFound && await pathExists(job.output))) throw error;
  }
  for (const path of manifests) await Deno.remove(path).catch(() => {});
  return true;
}

/** The textual header of the output: what made it. */
function describeJob(
  job: JobConfig,
  grid: GridSpec,
  time: TimeAxis,
  classes: OffsetClasses,
): string {
  const lines = [
    "pstm Kirchhoff prestack time migration",
    `input ${job.input}`,
    `velocity ${job.velocity}`,
    `grid x0 ${grid.x0} y0 ${grid.y0} dx ${grid.dx} dy ${grid.dy} nx ${grid.nx} ny ${grid.ny}`,
    `azimuth ${grid.azimuthDeg} deg; inline = iy, crossline = ix`,
    `time tau0 ${time.tau0} s dt ${time.dtau} s nt ${time.ntau}`,
    `offset classes first ${classes.first} width ${classes.width} count ${classes.count}`,
    `aperture ${job.aperture} max-angle ${job.maxAngle} taper ${job.taper}`,
    `aa ${job.aa ? "on" : "off"} rho ${job.rho} weights ${job.weights} eta ${job.eta}`,
    "traces in inline, crossline, offset-class order",
    "bytes 189 inline, 193 crossline, 181/185 cdp x/y (scalar 71), 37 offset",
  ];
  return lines.join("\n");
}

function emptySummary(
  job: JobConfig,
  traces: number,
  grid: GridSpec,
  time: TimeAxis,
  classes: OffsetClasses,
  shape: TileShape,
  budget: number,
  started: number,
  times: StageTimes,
): MigrationSummary {
  return {
    output: job.output,
    complete: true,
    backend: "none",
    device: "none",
    traces,
    tracesRead: 0,
    nonFiniteZeroed: 0,
    contributions: 0,
    tiles: shape.tiles,
    tilesWritten: 0,
    tilesResumed: shape.tiles,
    passes: 0,
    seconds: (performance.now() - started) / 1000,
    times,
    kernelSeconds: 0,
    deviceBytes: 0,
    peakRss: peakRss(),
    grid,
    time,
    classes,
    plan: { tileNx: shape.tileNx, tileNy: shape.tileNy, budget },
  };
}

/** The grid `pstm scan` suggests for a file (its numbering included). */
async function suggestedGrid(file: SegyFile): Promise<GridSpec> {
  const { method: _method, ...grid } = (await scanSegy(file)).grid;
  return grid;
}

/** An interrupted run: finished tiles are recorded, `--resume` continues. */
function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason = typeof signal.reason === "string" ? signal.reason : "abort";
  throw new PstmError(
    `interrupted by ${reason}; the tiles finished so far are recorded, run again with --resume`,
    {},
    reason === "SIGTERM" ? 143 : 130,
  );
}

/** A checksum of every trace's coordinates: a different survey of the same shape differs. */
function geometryChecksum(g: GeometryTable): number {
  let sum = 0;
  for (let k = 0; k < g.count; k++) {
    sum += ((k % 997) + 1) * (g.sx[k] + 3 * g.sy[k] + 7 * g.gx[k] + 11 * g.gy[k]);
  }
  return sum;
}

/** A checksum of some samples. */
function sampleChecksum(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += ((i % 89) + 1) * samples[i];
  return sum;
}

/** How many trace midpoints fall inside the grid (within half a bin of its edge bins). */
function midpointsInside(g: GeometryTable, grid: GridSpec): number {
  let inside = 0;
  for (let k = 0; k < g.count; k++) {
    const b = binOf(grid, 0.5 * (g.sx[k] + g.gx[k]), 0.5 * (g.sy[k] + g.gy[k]));
    if (b.ix > -0.5 && b.ix < grid.nx - 0.5 && b.iy > -0.5 && b.iy < grid.ny - 0.5) inside++;
  }
  return inside;
}

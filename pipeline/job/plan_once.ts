/**
 * Plan once: `pstm plan` scans the input's headers once and writes the plan
 * file (pipeline/plan/plan_file.ts) that every shard task and every resume
 * of the job then follows with `--plan-file`, reading no header beyond the
 * traces its passes migrate.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import { checkInputSampling, checkMemoryFlag } from "./preflight.ts";
import { parseNoCheck } from "../plan/checks.ts";
import { checkSurveySamples, SurveyChecks } from "../plan/survey_checks.ts";
import { surveyUnits } from "../segy/units.ts";
import { checkJobAgainstSurvey } from "./job_checks.ts";
import { type PlanContents, readPlanFile, writePlanFile } from "../plan/plan_file.ts";
import { peakRss } from "../plan/memory.ts";
import { outputFiles } from "../output/output_files.ts";
import type { JobConfig } from "./job_config.ts";
import { planJob } from "./plan.ts";
import { indexedInputOf, type JobInput, openJobInput, setupJob } from "./setup.ts";

/**
 * The options a plan is made with: every one that changes the tiles, their
 * trace ranges or the image. Threads, backend, shard, logging and the
 * like may differ between the plan and its tasks.
 *
 * @param job the job
 * @returns a JSON-friendly record
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { planOptionsOf } from "./plan_once.ts";
 * const job = parseJobConfig({ input: "in.sgy", output: "out.sgy", velocity: "2000" });
 * assert.deepEqual(planOptionsOf({ ...job, threads: 8, shard: "1/4" }), planOptionsOf(job));
 * assert.notDeepEqual(planOptionsOf({ ...job, aperture: 500 }), planOptionsOf(job));
 * ```
 */
export function planOptionsOf(job: JobConfig): Record<string, unknown> {
  return {
    grid: job.grid ?? "suggested by the scan",
    time: job.time ?? "the input's",
    offsetClasses: job.offsetClasses ?? "one class",
    velocity: job.velocity,
    aperture: job.aperture,
    maxAngle: job.maxAngle,
    taper: job.taper,
    aa: job.aa,
    rho: job.rho,
    plain: job.plain,
    traceSpacingY: job.traceSpacingY ?? "measured",
    weights: job.weights,
    eta: job.eta,
    traceSpacing: job.traceSpacing ?? "measured",
    memory: job.memory ?? "default",
    batchSize: job.batchSize,
    tileBins: job.tileBins ?? "planned",
    traveltimeTable: job.traveltimeTable ?? "chosen by the job",
    headers: job.headers,
    mute: job.mute ?? "none",
    muteTaper: job.muteTaper ?? "default",
  };
}

/**
 * Reads the job's plan file (`job.planFile`) and checks it against this input and these options.
 *
 * @param job the job (`planFile` set)
 * @param input the opened input
 * @returns the plan
 * @throws PstmError (exit 2) naming what differs, or that the file is damaged
 */
export async function loadJobPlan(job: JobConfig, input: JobInput): Promise<PlanContents> {
  if (job.planFile === undefined) throw new Error("loadJobPlan: the job has no plan file");
  if (job.input === "-") {
    throw new PstmError(
      "--plan-file needs the input as a file (a plan identifies its input file)",
      {
        field: "--plan-file",
      },
    );
  }
  return await readPlanFile(job.planFile, {
    input: await indexedInputOf(input, job.headers),
    options: planOptionsOf(job),
  });
}

/**
 * Whether a plan file exists and fits the job (its input and options).
 *
 * @param job the job
 * @param path the plan file
 * @returns true when it exists and fits, false when there is none
 * @throws PstmError (exit 2) when it exists but was made for another input or other options
 */
export async function checkJobPlan(job: JobConfig, path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
  const input = await openJobInput(job, outputFiles(job.output).spool);
  try {
    await loadJobPlan({ ...job, planFile: path }, input);
    return true;
  } finally {
    await input.close();
  }
}

/** What `pstm plan` reports. */
export interface PlanReport {
  /** The plan file written. */
  plan: string;
  /** Input traces (every header read once). */
  traces: number;
  /** Tiles of the job. */
  tiles: number;
  /** Tiles no trace reaches. */
  emptyTiles: number;
  /** Bins per tile. */
  tileBins: [number, number];
  /** Seconds: header scan into the index, then the tiles' trace ranges. */
  seconds: number;
  /** Bytes of the plan file. */
  bytes: number;
  /** Peak resident memory, bytes. */
  peakRss: number;
}

/**
 * Scans the job's input once and writes its plan file (the tiles of the
 * whole job; every shard schedules its own from it).
 *
 * @param job the job (`shard` and `resume` do not matter; `planFile` does not matter either)
 * @param planPath the plan file to write
 * @returns what was planned
 * @throws PstmError for bad input or options, as `pstm migrate` would
 */
export async function writeJobPlan(job: JobConfig, planPath: string): Promise<PlanReport> {
  const started = performance.now();
  if (job.input === "-") {
    throw new PstmError("pstm plan needs the input as a file, not stdin", { field: "IN.sgy" });
  }
  const memory = checkMemoryFlag(job.memory);
  const noCheck = parseNoCheck(job.noCheck);
  const files = outputFiles(job.output);
  const input = await openJobInput(job, files.spool);
  try {
    checkInputSampling(input.file.info.dt, input.name);
    const setup = await setupJob(
      job,
      input,
      `${planPath}.geometry`,
      undefined,
      new SurveyChecks(input.name, noCheck, surveyUnits(input.file.info.measurementSystem).length),
    );
    try {
      // the checks of pstm migrate, run once here: its tasks have no geometry to run them on
      await checkSurveySamples(input.file, input.name, noCheck);
      await checkJobAgainstSurvey(job, setup, noCheck);
      const planned = await planJob(
        { ...job, resume: false, shard: undefined, planFile: undefined },
        setup,
        memory,
        {},
        files,
        undefined,
      );
      await writePlanFile(planPath, {
        input: await indexedInputOf(input, job.headers),
        options: planOptionsOf(job),
        fingerprint: planned.header.fingerprint,
        grid: setup.grid,
        statistics: setup.geometry.statistics,
        midpointsInside: setup.geometry.midpointsInside,
        spacing: setup.spacing,
        shape: planned.shape,
        tiles: planned.tiles,
      });
      return {
        plan: planPath,
        traces: setup.info.traceCount,
        tiles: planned.tiles.length,
        emptyTiles: planned.tiles.filter((t) => t.traceCount === 0).length,
        tileBins: [planned.shape.tileNx, planned.shape.tileNy],
        seconds: (performance.now() - started) / 1000,
        bytes: (await Deno.stat(planPath)).size,
        peakRss: peakRss(),
      };
    } finally {
      await setup.geometry.release();
    }
  } finally {
    await input.close();
  }
}

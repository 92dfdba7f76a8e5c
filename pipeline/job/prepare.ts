/**
 * Stages 0 to 2 of a migration job, shared by the run (`runMigration`) and the plan-only mode
 * (`planMigration`, `pstm migrate --plan`): the preflight (paths, `--memory`, `--no-check`, the
 * velocity flag, the input's sampling), the input opened and set up (its headers read once, or
 * a plan file followed), the checks of the survey and of the job against it, the free disk, the
 * backend, and the plan up to the manifest. Both modes so run the same checks and refuse the
 * same bad input (exit 2) before any work.
 *
 * @module
 */

import type { Backend } from "../../backends/backend.ts";
import { openBackend } from "../../backends/select.ts";
import { type OutputFiles, outputFiles, type ShardSpec } from "../output/output_files.ts";
import { parseNoCheck } from "../plan/checks.ts";
import { checkSurveySamples, SurveyChecks } from "../plan/survey_checks.ts";
import { surveyUnits } from "../segy/units.ts";
import { parseVelocityFlag } from "../velocity/velocity.ts";
import { checkJobAgainstSurvey } from "./job_checks.ts";
import type { JobConfig } from "./job_config.ts";
import { outputBytesOf } from "./output_volume.ts";
import { type JobPlan, planJob } from "./plan.ts";
import { loadJobPlan } from "./plan_once.ts";
import { checkDiskSpace, checkInputSampling, checkJobPaths, checkMemoryFlag } from "./preflight.ts";
import { type JobInput, type JobSetup, openJobInput, setupJob } from "./setup.ts";
import { parseShard } from "./shard.ts";

/** A job checked and planned up to its manifest: what the run and the plan-only mode share. */
export interface PreparedJob {
  /** The run's file names (partial output, manifests, spool, geometry index). */
  files: OutputFiles;
  /** This run's shard (`--shard`), if any. */
  shard?: ShardSpec;
  /** The opened input. */
  input: JobInput;
  /** The job's setup (grid, time axis, classes, velocity, kernel parameters). */
  setup: JobSetup;
  /** The backend tiles open on (the one given, or the job's, opened here). */
  backend: Backend;
  /** The plan before the manifest is opened. */
  planned: JobPlan;
  /** Bytes of the finished output file. */
  outputBytes: number;
  /** `performance.now()` when the header scan began (after the preflight). */
  scanStart: number;
  /** Closes the backend opened here, removes the geometry index, closes the input; safe twice. */
  close(): Promise<void>;
}

/**
 * Runs the preflight, opens and sets up the input, checks the survey and the job, the free
 * disk, opens the backend and plans the job (the geometry index is released once planned).
 *
 * @param job the validated job
 * @param given a backend to use instead of opening `job.backend`
 * @returns the prepared job; call `close` when done
 * @throws PstmError for bad usage or input (exit 2) or an output folder that cannot be written
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { prepareJob } from "./prepare.ts";
 * const path = new URL("../../../shared/data/segy/f3.sgy", import.meta.url).pathname;
 * const dir = await Deno.makeTempDir();
 * const job = parseJobConfig({ input: path, output: `${dir}/out.sgy`, velocity: "2000",
 *   backend: "reference" });
 * const prepared = await prepareJob(job);
 * assert.equal(prepared.setup.info.traceCount, 414);
 * assert(prepared.planned.tiles.length >= 1);
 * await prepared.close();
 * assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing written
 * await Deno.remove(dir);
 * ```
 */
export async function prepareJob(job: JobConfig, given?: Backend): Promise<PreparedJob> {
  const shard = parseShard(job.shard);
  const files = outputFiles(job.output, shard);
  await checkJobPaths(job);
  const noCheck = parseNoCheck(job.noCheck);
  const memory = checkMemoryFlag(job.memory);
  parseVelocityFlag(job.velocity); // a bad value is a usage error: before any input is read
  const input = await openJobInput(job, files.spool);
  let ownBackend: Backend | undefined;
  let setup: JobSetup | undefined;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    ownBackend?.close();
    await setup?.geometry.release();
    await input.close();
  };
  try {
    checkInputSampling(input.file.info.dt, input.name);
    const scanStart = performance.now();
    const planFile = job.planFile === undefined ? undefined : await loadJobPlan(job, input);
    setup = await setupJob(
      job,
      input,
      files.geometry,
      planFile,
      new SurveyChecks(input.name, noCheck, surveyUnits(input.file.info.measurementSystem).length),
    );
    await checkSurveySamples(input.file, input.name, noCheck);
    await checkJobAgainstSurvey(job, setup, noCheck);
    const outputBytes = outputBytesOf(setup);
    if (!noCheck.has("disk-space")) {
      await checkDiskSpace({ output: job.output, bytes: outputBytes, resume: job.resume });
    }
    const backend = given ??
      (ownBackend = await openBackend(job.backend, { threads: job.threads }));
    const planned = await planJob(job, setup, memory, backend, files, shard);
    await setup.geometry.release(); // planned: the index is not needed any more
    return { files, shard, input, setup, backend, planned, outputBytes, scanStart, close };
  } catch (error) {
    await close();
    throw error;
  }
}

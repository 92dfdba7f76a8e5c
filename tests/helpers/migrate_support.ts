/**
 * Shared helpers for the migration tests: synthetic surveys written to a
 * temporary folder, running jobs, reading images back, comparing them.
 *
 * @module
 */

import { writeSynthetic } from "../../pipeline/synth/write_synthetic.ts";
import { ensureCpuLibrary } from "../../bench/kernel_cases.ts";
import type { Backend } from "../../backends/backend.ts";
import { type JobConfig, parseJobConfig } from "../../pipeline/job/job_config.ts";
import {
  type MigrationHooks,
  type MigrationSummary,
  runMigration,
} from "../../pipeline/job/migrate_job.ts";
import { Progress } from "../../pipeline/job/progress.ts";
import { SegyFile } from "../../pipeline/segy/segy_file.ts";
import {
  synthGridFlag,
  synthPreset,
  type SynthSpec,
  synthVelocityText,
} from "../../pipeline/synth/synth.ts";

/** Absolute path of cli.ts. */
export const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** A synthetic survey on disk. */
export interface Survey {
  /** Folder holding it (removed by `cleanup`). */
  dir: string;
  /** The SEG-Y path. */
  path: string;
  /** Its spec. */
  spec: SynthSpec;
  /** The `--grid` flag of its midpoint grid. */
  grid: string;
  /** The `--velocity` flag. */
  velocity: string;
}

/**
 * Writes a synthetic survey to a new temporary folder.
 *
 * @param preset synth preset
 * @param change fields of the spec to change
 * @returns the survey
 */
export async function makeSurvey(preset: string, change: Partial<SynthSpec> = {}): Promise<Survey> {
  await ensureCpuLibrary();
  const spec = { ...synthPreset(preset), ...change };
  const dir = await Deno.makeTempDir({ prefix: "pstm-test-" });
  const path = `${dir}/survey.sgy`;
  await writeSynthetic(spec, path, undefined);
  return { dir, path, spec, grid: synthGridFlag(spec), velocity: synthVelocityText(spec) };
}

/**
 * Runs a job quietly.
 *
 * @param survey the input
 * @param output output file name inside the survey's folder
 * @param options job keys
 * @param hooks backend override, callbacks
 * @returns the summary and the job
 */
export async function migrate(
  survey: Survey,
  output: string,
  options: Record<string, unknown> = {},
  hooks: MigrationHooks & { backend?: Backend } = {},
): Promise<{ summary: MigrationSummary; job: JobConfig; output: string }> {
  const job = parseJobConfig({
    input: survey.path,
    output: `${survey.dir}/${output}`,
    velocity: survey.velocity,
    grid: survey.grid,
    backend: "cpu",
    // the tests name every feature they turn on (plain mode: everything else off)
    plain: true,
    ...options,
  });
  const summary = await runMigration(job, new Progress("quiet"), hooks);
  return { summary, job, output: job.output };
}

/**
 * Every sample of a SEG-Y file, in file order.
 *
 * @param path the file
 * @returns samples
 */
export async function readAllSamples(path: string): Promise<Float32Array> {
  using file = await SegyFile.open(path);
  return (await file.readTraces(0, file.info.traceCount)).samples;
}

/**
 * Relative L2 difference |a - b| / |b|.
 *
 * @param a one image
 * @param b the reference image
 * @returns the misfit
 */
export function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let diff = 0, norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  if (norm === 0) throw new Error("the reference image is all zeros");
  return Math.sqrt(diff / norm);
}

/**
 * Runs the pstm CLI as a subprocess.
 *
 * @param args arguments after cli.ts
 * @param stdin bytes for stdin, or undefined
 * @returns exit code, stdout and stderr text
 */
export async function runCli(
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdin: stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

/**
 * Sharded migration on a Slurm cluster: which shards are unfinished (read
 * from the shard manifests), the sbatch scripts of the job array and of the
 * dependent merge step, and their submission with `sbatch --parsable`.
 *
 * Every array task runs `pstm migrate IN -o OUT ... --shard $SLURM_ARRAY_TASK_ID/N
 * --resume --log json`; shard I owns a contiguous band of tiles (`tilesOfShard`) and records
 * them in `OUT.shard-I-of-N.manifest`. A merge job that depends on the array
 * (`afterok`) runs `pstm merge OUT --shards N`. Submitting again after failed
 * or killed tasks submits an array of only the unfinished shards.
 *
 * @module
 */

import { pathExists } from "../../core/path_exists.ts";
import { EXIT_RUNTIME, PstmError } from "../../core/errors.ts";
import { Manifest } from "../output/manifest.ts";
import { partialPath, shardManifestPath, shardManifestPaths } from "../output/output_files.ts";

export { shardManifestPath } from "../output/output_files.ts";
import { tilesOfShard } from "../plan/tile_plan.ts";
import type { JobConfig } from "./job_config.ts";
import { checkJobPlan, type PlanReport, writeJobPlan } from "./plan_once.ts";

/** Everything the scripts need; paths are absolute (tasks run on other nodes). */
export interface SlurmJobSpec {
  /** Input SEG-Y, absolute path on the shared file system. */
  input: string;
  /** Output SEG-Y, absolute path on the shared file system. */
  output: string;
  /** The --velocity argument (a file path made absolute, or a function/constant). */
  velocity: string;
  /** Number of shards N (array tasks 0..N-1). */
  shards: number;
  /** Slurm partition, or undefined for the cluster's default. */
  partition?: string;
  /** Wall-clock limit per task (Slurm syntax, e.g. "02:00:00"). */
  time?: string;
  /** Memory per task in MiB (`--mem`), or undefined for the partition's default. */
  memMiB?: number;
  /** CPUs per task (`--cpus-per-task`). */
  cpusPerTask: number;
  /** GPUs per task (`--gres=gpu:N`); 0 for CPU tasks. */
  gpus: number;
  /** Maximum array tasks running at once (`--array=...%M`), or undefined. */
  maxRunning?: number;
  /** Further sbatch options, verbatim (e.g. "--account=geo"). */
  sbatchArgs: string[];
  /** Further `pstm migrate` arguments, verbatim. */
  migrateArgs: string[];
  /** Folder for the scripts, the task logs and the job record (absolute). */
  workdir: string;
  /** The command that runs pstm on a node, e.g. [deno, "run", "-A", "--config", json, cli]. */
  pstm: string[];
  /** Job name prefix shown by squeue. */
  name: string;
  /**
   * The plan every task follows (`--plan-file`): written once by `submitShardJob`
   * before the first submission (the job's header scan), reused by later ones.
   */
  planFile?: { path: string; job: JobConfig };
}

/** What the shard manifests say about a sharded output. */
export interface ShardStatus {
  /** "complete": OUT exists and no shard is pending; "fresh": nothing started; "partial". */
  state: "complete" | "fresh" | "partial";
  /** Shards to (re)run, ascending. */
  unfinished: number[];
  /** Tiles in the whole job, when a manifest says so. */
  tiles?: number;
  /** Per shard: tiles done and tiles owned (undefined when its manifest is missing). */
  shards: { shard: number; done?: number; owned?: number }[];
}

/**
 * Reads the shard manifests of `output` and says which shards are unfinished:
 * a shard with no manifest, or whose manifest lacks some of its tiles
 * (`tilesOfShard(I, N, tiles)`). With no manifest at all, the job is complete when OUT
 * exists and OUT.partial does not (the last shard or the merge renamed it),
 * otherwise fresh (every shard to run).
 *
 * @param output the output SEG-Y path
 * @param count shard count N
 * @returns the status
 * @throws PstmError when a manifest is not a pstm manifest or belongs to another split
 */
export async function shardStatus(output: string, count: number): Promise<ShardStatus> {
  const contents = await Promise.all(
    shardManifestPaths(output, count).map((path) => Manifest.peek(path)),
  );
  const all = Array.from({ length: count }, (_, i) => i);
  if (contents.every((c) => c === undefined)) {
    const complete = await pathExists(output) && !await pathExists(partialPath(output));
    return {
      state: complete ? "complete" : "fresh",
      unfinished: complete ? [] : all,
      shards: all.map((shard) => ({ shard })),
    };
  }
  const tiles = contents.find((c) => c !== undefined)!.header.tiles;
  const shards: ShardStatus["shards"] = [];
  const unfinished: number[] = [];
  contents.forEach((c, i) => {
    if (c === undefined) {
      shards.push({ shard: i });
      unfinished.push(i);
      return;
    }
    const path = shardManifestPath(output, i, count);
    if (c.header.shard !== `${i}/${count}` || c.header.tiles !== tiles) {
      throw new PstmError(
        `the manifest is for shard "${c.header.shard}" of a ${c.header.tiles}-tile job; ` +
          `expected shard ${i}/${count} of ${tiles} tiles (use --restart to start over)`,
        { file: path, field: "shard" },
      );
    }
    const mine = tilesOfShard(i, count, tiles);
    const owned = mine.length;
    const done = mine.filter((id) => c.done.has(id)).length;
    shards.push({ shard: i, done, owned });
    if (done < owned) unfinished.push(i);
  });
  return { state: "partial", unfinished, tiles, shards };
}

/**
 * Compresses shard ids into Slurm's `--array` syntax: [0,1,2,5,7,8] -> "0-2,5,7-8".
 *
 * @param ids shard ids (any order, no duplicates needed)
 * @returns the range list
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { arrayRanges } from "./slurm_job.ts";
 * assert(arrayRanges([0, 1, 2, 5, 7, 8]) === "0-2,5,7-8");
 * ```
 */
export function arrayRanges(ids: number[]): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}

/**
 * Quotes a word for bash (single quotes unless it is plainly safe).
 *
 * @param word any string
 * @returns the quoted word
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_\/.,:=+@%-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Paths of the files a submission writes under the work folder. */
export interface SlurmJobFiles {
  /** The array script. */
  migrateScript: string;
  /** The merge script. */
  mergeScript: string;
  /** The folder of the task logs. */
  logs: string;
  /** The record of the last submission (JSON). */
  record: string;
}

/**
 * Where a submission's files go under `workdir`.
 *
 * @param workdir the work folder
 * @returns the paths
 */
export function jobFiles(workdir: string): SlurmJobFiles {
  return {
    migrateScript: `${workdir}/migrate.sbatch`,
    mergeScript: `${workdir}/merge.sbatch`,
    logs: `${workdir}/logs`,
    record: `${workdir}/job.json`,
  };
}

function commonHeader(spec: SlurmJobSpec): string[] {
  const lines: string[] = [];
  if (spec.partition) lines.push(`#SBATCH --partition=${spec.partition}`);
  if (spec.time) lines.push(`#SBATCH --time=${spec.time}`);
  for (const arg of spec.sbatchArgs) lines.push(`#SBATCH ${arg}`);
  lines.push(`#SBATCH --chdir=${spec.workdir}`);
  return lines;
}

function pstmLines(spec: SlurmJobSpec): string[] {
  return [
    `PSTM=(${spec.pstm.map(shellQuote).join(" ")})`,
  ];
}

/**
 * The sbatch script of the job array: one task per shard in `ids`, each
 * running `pstm migrate ... --shard $SLURM_ARRAY_TASK_ID/N --resume --log json`.
 * A task whose id is listed in the environment variable
 * `PSTM_SLURM_FAIL_SHARDS` (comma-separated, for fault-injection tests) exits 1
 * before migrating.
 *
 * @param spec the job
 * @param ids the shards to run
 * @returns the script text
 */
export function migrateScript(spec: SlurmJobSpec, ids: number[]): string {
  const files = jobFiles(spec.workdir);
  const array = arrayRanges(ids) + (spec.maxRunning ? `%${spec.maxRunning}` : "");
  const lines = [
    "#!/bin/bash",
    `# pstm slurm: migrate ${ids.length} of ${spec.shards} shard(s) of ${spec.output}`,
    `#SBATCH --job-name=${spec.name}`,
    `#SBATCH --array=${array}`,
    "#SBATCH --nodes=1",
    "#SBATCH --ntasks=1",
    `#SBATCH --cpus-per-task=${spec.cpusPerTask}`,
  ];
  if (spec.memMiB !== undefined) lines.push(`#SBATCH --mem=${spec.memMiB}M`);
  if (spec.gpus > 0) lines.push(`#SBATCH --gres=gpu:${spec.gpus}`);
  lines.push(...commonHeader(spec), `#SBATCH --output=${files.logs}/migrate-%A_%a.log`);
  const migrate = [
    "migrate",
    spec.input,
    "-o",
    spec.output,
    "--velocity",
    spec.velocity,
    ...spec.migrateArgs,
    ...(spec.planFile ? ["--plan-file", spec.planFile.path] : []),
  ].map(shellQuote).join(" ");
  lines.push(
    "set -euo pipefail",
    ...pstmLines(spec),
    `SHARDS=${spec.shards}`,
    'SHARD="${SLURM_ARRAY_TASK_ID:?run this script with sbatch: it is a job array}"',
    'case ",${PSTM_SLURM_FAIL_SHARDS:-}," in',
    '  *",$SHARD,"*) echo "pstm slurm: shard $SHARD failed on purpose (PSTM_SLURM_FAIL_SHARDS)" >&2',
    "    exit 1 ;;",
    "esac",
    'echo "pstm slurm: shard $SHARD/$SHARDS on $(hostname) (job ${SLURM_JOB_ID:-?})" >&2',
    `exec "\${PSTM[@]}" ${migrate} --shard "$SHARD/$SHARDS" --resume --log json`,
    "",
  );
  return lines.join("\n");
}

/**
 * The sbatch script of the merge step (`pstm merge OUT --shards N`); it is
 * submitted with `--dependency=afterok:ARRAY --kill-on-invalid-dep=yes`, so it
 * runs once every task succeeded and is cancelled when one failed.
 *
 * @param spec the job
 * @returns the script text
 */
export function mergeScript(spec: SlurmJobSpec): string {
  const files = jobFiles(spec.workdir);
  return [
    "#!/bin/bash",
    `# pstm slurm: merge the ${spec.shards} shard(s) of ${spec.output}`,
    `#SBATCH --job-name=${spec.name}-merge`,
    "#SBATCH --nodes=1",
    "#SBATCH --ntasks=1",
    "#SBATCH --cpus-per-task=1",
    "#SBATCH --kill-on-invalid-dep=yes",
    ...commonHeader(spec),
    `#SBATCH --output=${files.logs}/merge-%j.log`,
    "set -euo pipefail",
    ...pstmLines(spec),
    `exec "\${PSTM[@]}" merge ${shellQuote(spec.output)} --shards ${spec.shards}`,
    "",
  ].join("\n");
}

/** The record of a submission, kept in `WORKDIR/job.json`. */
export interface SubmissionRecord {
  /** Output path. */
  output: string;
  /** Shard count. */
  shards: number;
  /** Shards submitted. */
  submitted: number[];
  /** The array job id ("" when only the merge was submitted). */
  arrayJob: string;
  /** The merge job id. */
  mergeJob: string;
  /** ISO time of submission. */
  at: string;
}

/** Runs a command, returning its exit code and output. */
export type Runner = (
  command: string,
  args: string[],
) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * Runs a program and collects its output.
 *
 * @param command program
 * @param args arguments
 * @returns exit code, stdout, stderr
 * @throws PstmError (exit 1) when the program cannot be started
 */
export const runCommand: Runner = async (command, args) => {
  let output;
  try {
    output = await new Deno.Command(command, { args, stdin: "null" }).output();
  } catch (error) {
    throw new PstmError(
      `cannot run ${command}: ${(error as Error).message}` +
        (error instanceof Deno.errors.NotFound
          ? " (is Slurm's client installed and on PATH?)"
          : ""),
      { field: command },
      EXIT_RUNTIME,
    );
  }
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
};

/**
 * Submits a script with `sbatch --parsable` and returns the job id.
 *
 * @param script path of the script
 * @param extra sbatch options placed before the script
 * @param run how to run sbatch
 * @returns the job id
 * @throws PstmError (exit 1) when sbatch fails
 */
export async function sbatch(script: string, extra: string[], run = runCommand): Promise<string> {
  const { code, stdout, stderr } = await run("sbatch", ["--parsable", ...extra, script]);
  const id = stdout.trim().split("\n").pop()?.split(";")[0] ?? "";
  if (code !== 0 || !/^\d+$/.test(id)) {
    throw new PstmError(
      `sbatch failed (exit ${code}): ${(stderr || stdout).trim()}`,
      { file: script },
      EXIT_RUNTIME,
    );
  }
  return id;
}

/**
 * The states of a job's tasks still known to squeue (pending, running, ...),
 * empty when it has left the queue.
 *
 * @param jobId a job or array job id
 * @param run how to run squeue
 * @returns one state per task still queued or running
 */
export async function queuedStates(jobId: string, run = runCommand): Promise<string[]> {
  const { code, stdout } = await run("squeue", ["-h", "-j", jobId, "-o", "%T"]);
  if (code !== 0) return []; // "Invalid job id": it has left the queue
  return stdout.split("\n").map((s) => s.trim()).filter((s) => s !== "");
}

/** What `submitShardJob` did. */
export interface SubmitResult {
  /** Status before submitting. */
  status: ShardStatus;
  /** Shards submitted (empty when the job was complete or only the merge was needed). */
  submitted: number[];
  /** Array job id, or "" when no array was submitted. */
  arrayJob: string;
  /** Merge job id, or "" when nothing was submitted. */
  mergeJob: string;
  /** The array script text (empty when no array). */
  migrateScript: string;
  /** The merge script text (empty when the job was complete). */
  mergeScript: string;
  /** The merge job cancelled from a previous submission, if any. */
  cancelled?: string;
  /** The plan written for this submission, or "reused" (absent without a plan). */
  plan?: PlanReport | "reused";
}

/**
 * Submits (or, with `dryRun`, only prepares) the array of unfinished shards
 * and the dependent merge job. Refuses (exit 2) while the previous submission
 * recorded in the work folder still has tasks queued or running; cancels that
 * submission's merge job if it is still waiting on a failed array.
 *
 * @param spec the job
 * @param options dryRun: write and submit nothing; run: how to run Slurm's commands
 * @returns what was submitted
 */
export async function submitShardJob(
  spec: SlurmJobSpec,
  options: { dryRun?: boolean; run?: Runner } = {},
): Promise<SubmitResult> {
  const run = options.run ?? runCommand;
  const status = await shardStatus(spec.output, spec.shards);
  const result: SubmitResult = {
    status,
    submitted: [],
    arrayJob: "",
    mergeJob: "",
    migrateScript: "",
    mergeScript: "",
  };
  if (status.state === "complete") return result;
  result.submitted = status.unfinished;
  if (status.unfinished.length > 0) result.migrateScript = migrateScript(spec, status.unfinished);
  result.mergeScript = mergeScript(spec);
  if (options.dryRun) return result;

  const files = jobFiles(spec.workdir);
  if (spec.planFile) {
    // plan once: the header scan runs here, not in every task; a plan of other options or
    // another input is refused (exit 2) before anything is submitted
    await Deno.mkdir(spec.workdir, { recursive: true });
    result.plan = await checkJobPlan(spec.planFile.job, spec.planFile.path)
      ? "reused"
      : await writeJobPlan(spec.planFile.job, spec.planFile.path);
  }
  const previous = await readRecord(files.record);
  if (previous?.arrayJob) {
    const states = await queuedStates(previous.arrayJob, run);
    if (states.length > 0) {
      throw new PstmError(
        `the previous array job ${previous.arrayJob} still has ${states.length} task(s) ` +
          `queued or running (${[...new Set(states)].join(", ")}); wait for it, or ` +
          `scancel ${previous.arrayJob} and submit again`,
        { file: files.record, field: "job" },
      );
    }
  }
  if (previous?.mergeJob && (await queuedStates(previous.mergeJob, run)).length > 0) {
    const { code, stderr } = await run("scancel", [previous.mergeJob]);
    if (code !== 0) {
      throw new PstmError(
        `cannot cancel the previous merge job ${previous.mergeJob}: ${stderr.trim()}`,
        { file: files.record },
        EXIT_RUNTIME,
      );
    }
    result.cancelled = previous.mergeJob;
  }
  await Deno.mkdir(files.logs, { recursive: true });
  await Deno.writeTextFile(files.mergeScript, result.mergeScript, { mode: 0o755 });
  if (result.migrateScript) {
    await Deno.writeTextFile(files.migrateScript, result.migrateScript, { mode: 0o755 });
    result.arrayJob = await sbatch(files.migrateScript, [], run);
  }
  result.mergeJob = await sbatch(
    files.mergeScript,
    result.arrayJob ? [`--dependency=afterok:${result.arrayJob}`] : [],
    run,
  );
  const record: SubmissionRecord = {
    output: spec.output,
    shards: spec.shards,
    submitted: result.submitted,
    arrayJob: result.arrayJob,
    mergeJob: result.mergeJob,
    at: new Date().toISOString(),
  };
  await Deno.writeTextFile(files.record, JSON.stringify(record, null, 2) + "\n");
  return result;
}

/**
 * Reads the record of the last submission in a work folder.
 *
 * @param path the record path (`WORKDIR/job.json`)
 * @returns the record, or undefined when there is none
 */
export async function readRecord(path: string): Promise<SubmissionRecord | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new PstmError(`cannot read the job record: ${(error as Error).message}`, {
      file: path,
    }, EXIT_RUNTIME);
  }
  try {
    return JSON.parse(text) as SubmissionRecord;
  } catch {
    throw new PstmError("not a pstm slurm job record (JSON expected)", { file: path });
  }
}

/**
 * Removes the shard manifests and the partial output of a sharded job, so
 * that the next submission starts over.
 *
 * @param output the output path
 * @param count shard count
 * @returns the paths removed
 */
export async function removeShardState(output: string, count: number): Promise<string[]> {
  const paths = [partialPath(output), ...shardManifestPaths(output, count)];
  const removed: string[] = [];
  for (const path of paths) {
    try {
      await Deno.remove(path);
      removed.push(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw new PstmError(`cannot remove: ${(error as Error).message}`, {
          file: path,
        }, EXIT_RUNTIME);
      }
    }
  }
  return removed;
}

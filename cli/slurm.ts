/**
 * `pstm slurm IN.sgy -o OUT.sgy --velocity V --shards N [options] [-- migrate flags]`:
 * migrates a survey as a Slurm job array of N shards plus a dependent merge
 * job. Submitting the same command again after failed or killed tasks reruns
 * only the unfinished shards.
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { EXIT_OK, PstmError } from "../core/errors.ts";
import { parseSize } from "../pipeline/plan/memory.ts";
import {
  arrayRanges,
  jobFiles,
  removeShardState,
  shardStatus,
  type SlurmJobSpec,
  submitShardJob,
} from "../pipeline/job/slurm_job.ts";
import { numberFlag, parseCommandArgs, type ParsedArgs, stringFlag } from "./args.ts";
import type { Command } from "./command.ts";
import { jobFromArgs, migrateCommand } from "./migrate.ts";

/** Flags `pstm slurm` sets on every task itself; they may not follow `--`. */
const RESERVED = [
  "--shard",
  "--resume",
  "--log",
  "-o",
  "--output",
  "--velocity",
  "--config",
  "--plan",
  "--plan-file",
];

/** The slurm command. */
export const slurmCommand: Command = {
  spec: {
    name: "slurm",
    summary: "migrate on a Slurm cluster: a job array of shards and a dependent merge",
    usage: "slurm IN.sgy -o OUT.sgy --velocity V --shards N [options] [-- migrate flags]",
    positionals: { min: 1, max: 10000, names: "IN.sgy, then -- and pstm migrate flags" },
    flags: {
      output: { type: "string", short: "o", value: "OUT.sgy", description: "output SEG-Y volume" },
      velocity: { type: "string", value: "V", description: "RMS velocity, as for pstm migrate" },
      shards: { type: "string", value: "N", description: "number of shards (array tasks)" },
      partition: { type: "string", value: "P", description: "Slurm partition (sbatch -p)" },
      time: { type: "string", value: "HH:MM:SS", description: "wall-clock limit per task" },
      mem: {
        type: "string",
        value: "SIZE",
        description: "memory per task, e.g. 16GiB; pstm migrate gets 80% as --memory",
      },
      "cpus-per-task": {
        type: "string",
        value: "N",
        default: "1",
        description: "CPUs per task; passed to pstm migrate as --threads",
      },
      gpus: {
        type: "string",
        value: "N",
        default: "0",
        description: "GPUs per task (--gres=gpu:N); > 0 adds --backend cuda",
      },
      "max-running": { type: "string", value: "M", description: "at most M tasks at once" },
      "sbatch-arg": {
        type: "string",
        multiple: true,
        value: "ARG",
        description: "extra sbatch option, e.g. --sbatch-arg=--account=geo",
      },
      workdir: {
        type: "string",
        value: "DIR",
        description: "scripts, task logs and job record (default: OUT.sgy.slurm)",
      },
      deno: {
        type: "string",
        value: "PATH",
        description: "Deno on the nodes: an absolute path, or a name looked up on the nodes' " +
          "PATH (default: $PSTM_DENO, else deno)",
      },
      "dry-run": { type: "boolean", description: "print the scripts, submit nothing" },
      status: { type: "boolean", description: "print each shard's progress, submit nothing" },
      restart: {
        type: "boolean",
        description: "remove OUT, OUT.partial, the shard manifests and the plan first",
      },
      json: { type: "boolean", description: "print the result as one JSON object" },
    },
    examples: [
      "pstm slurm survey.sgy -o image.sgy --velocity vel.sgy --shards 64 --partition cpu \\\n" +
      "      --cpus-per-task 32 --mem 64GiB --time 04:00:00 -- --aperture 1500 --max-angle 60",
      "pstm slurm survey.sgy -o image.sgy --velocity vel.sgy --shards 16 --gpus 1 --dry-run",
      "pstm slurm survey.sgy -o image.sgy --velocity vel.sgy --shards 64 --status",
    ],
  },
  async run(args) {
    const json = args.values.json === true;
    const spec = args.values.status ? specFromArgs(args) : await withJobPlan(specFromArgs(args));
    if (args.values.status) {
      const status = await shardStatus(spec.output, spec.shards);
      if (json) console.log(JSON.stringify(status));
      else console.log(formatStatus(spec, status));
      return EXIT_OK;
    }
    if (args.values.restart && !args.values["dry-run"]) {
      const removed = await removeShardState(spec.output, spec.shards);
      for (const path of [spec.output, spec.planFile?.path]) {
        if (path === undefined) continue;
        try {
          await Deno.remove(path);
          removed.push(path);
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
      }
      if (removed.length) console.error(`pstm: removed ${removed.join(", ")}`);
    }
    const dryRun = args.values["dry-run"] === true;
    const result = await submitShardJob(spec, { dryRun });
    if (json) {
      console.log(JSON.stringify({ ...result, workdir: spec.workdir, dryRun }));
      return EXIT_OK;
    }
    if (result.status.state === "complete") {
      console.log(
        `pstm: ${spec.output} is already complete; nothing submitted (--restart to redo it)`,
      );
      return EXIT_OK;
    }
    const files = jobFiles(spec.workdir);
    if (dryRun) {
      if (result.migrateScript) {
        console.log(`# ${files.migrateScript}: sbatch --parsable ${files.migrateScript}`);
        console.log(result.migrateScript);
      }
      console.log(
        `# ${files.mergeScript}: sbatch --parsable ` +
          (result.migrateScript ? "--dependency=afterok:ARRAY_JOB_ID " : "") + files.mergeScript,
      );
      console.log(result.mergeScript);
      console.error(`pstm: dry run: ${describe(spec, result.submitted)}; nothing submitted`);
      return EXIT_OK;
    }
    const lines = [];
    if (result.cancelled) lines.push(`pstm: cancelled the previous merge job ${result.cancelled}`);
    if (result.plan === "reused") {
      lines.push(`pstm: the tasks follow the plan ${spec.planFile!.path}`);
    } else if (result.plan) {
      lines.push(
        `pstm: planned once: ${result.plan.traces} trace headers read, ${result.plan.tiles} ` +
          `tile(s), ${result.plan.seconds.toFixed(1)} s; the tasks follow ${result.plan.plan} ` +
          "and read no header beyond their own traces",
      );
    }
    if (result.arrayJob) {
      lines.push(
        `pstm: submitted array job ${result.arrayJob}: ${describe(spec, result.submitted)}`,
      );
    } else lines.push("pstm: every shard has finished; submitting the merge only");
    lines.push(
      `pstm: submitted merge job ${result.mergeJob}` +
        (result.arrayJob ? ` (runs after every task succeeds: afterok:${result.arrayJob})` : ""),
      "watch it:",
      `  squeue -j ${[result.arrayJob, result.mergeJob].filter((s) => s).join(",")}`,
      `  tail -f ${files.logs}/migrate-${result.arrayJob || "*"}_*.log` +
        "   (one JSON event per line from every task)",
      `  pstm slurm ${shellArgs(args)} --status   (tiles done per shard)`,
      `  sacct -j ${result.arrayJob || result.mergeJob}   (where job accounting is enabled)`,
      "if tasks fail, run the same pstm slurm command again: it reruns only the unfinished shards",
    );
    console.log(lines.join("\n"));
    return EXIT_OK;
  },
};

function describe(spec: SlurmJobSpec, submitted: number[]): string {
  if (submitted.length === 0) return "no shard to run, merge only";
  return `${submitted.length} of ${spec.shards} shard(s) (tasks ${arrayRanges(submitted)})`;
}

function shellArgs(args: ParsedArgs): string {
  const output = stringFlag(args, "output") ?? "";
  return `${args.positionals[0]} -o ${output} --shards ${stringFlag(args, "shards")} ` +
    `--velocity ${stringFlag(args, "velocity")}`;
}

function formatStatus(
  spec: SlurmJobSpec,
  status: Awaited<ReturnType<typeof shardStatus>>,
): string {
  if (status.state === "complete") return `${spec.output}: complete`;
  if (status.state === "fresh") return `${spec.output}: no shard has started`;
  const lines = [`${spec.output}: ${status.tiles} tile(s) in ${spec.shards} shard(s)`];
  for (const s of status.shards) {
    lines.push(
      `  shard ${s.shard}: ` +
        (s.owned === undefined ? "not started" : `${s.done} of ${s.owned} tiles` +
          (s.done === s.owned ? " (finished)" : "")),
    );
  }
  lines.push(
    status.unfinished.length
      ? `unfinished: ${arrayRanges(status.unfinished)}`
      : "every shard finished; merge pending",
  );
  return lines.join("\n");
}

/**
 * Builds the job from the command line: absolute paths, Slurm resources,
 * the migrate flags after `--` (checked against pstm migrate's flags), and
 * the command that runs pstm on the nodes.
 *
 * @param args parsed command line
 * @returns the job
 * @throws PstmError on bad usage
 */
export function specFromArgs(args: ParsedArgs): SlurmJobSpec {
  const [input, ...migrateArgs] = args.positionals;
  const output = stringFlag(args, "output");
  const velocity = stringFlag(args, "velocity");
  if (output === undefined) throw new PstmError("-o OUT.sgy is required", { field: "--output" });
  if (velocity === undefined) {
    throw new PstmError("--velocity V is required", { field: "--velocity" });
  }
  if (input === "-") {
    throw new PstmError("a Slurm job cannot read standard input; give the SEG-Y file's path", {
      field: "IN.sgy",
    });
  }
  const shards = integerFlag(args, "shards", 1, 100000);
  if (shards === undefined) {
    throw new PstmError("--shards N is required (number of array tasks)", { field: "--shards" });
  }
  if (migrateArgs.length > 0 && !migrateArgs[0].startsWith("-")) {
    throw new PstmError(
      `unexpected argument "${migrateArgs[0]}": pstm slurm takes one input file; ` +
        "put pstm migrate flags after --",
      { field: "command line" },
    );
  }
  for (const arg of migrateArgs) {
    const name = arg.split("=")[0];
    if (RESERVED.includes(name)) {
      throw new PstmError(
        `${name} after -- is set by pstm slurm itself (each task gets -o, --velocity, ` +
          "--shard I/N, --resume, --log json and --plan-file; pstm migrate --plan previews a job)",
        { field: name },
      );
    }
  }
  const has = (flag: string) => migrateArgs.some((a) => a === flag || a.startsWith(`${flag}=`));
  const cpusPerTask = integerFlag(args, "cpus-per-task", 1, 100000) ?? 1;
  const gpus = integerFlag(args, "gpus", 0, 64) ?? 0;
  const extra = [...migrateArgs];
  if (!has("--threads")) extra.push("--threads", String(cpusPerTask));
  if (gpus > 0 && !has("--backend")) extra.push("--backend", "cuda");
  let memMiB: number | undefined;
  const mem = stringFlag(args, "mem");
  if (mem !== undefined) {
    memMiB = Math.ceil(parseSize(mem, "--mem") / 1024 ** 2);
    if (!has("--memory")) extra.push("--memory", `${Math.floor(memMiB * 0.8)}MiB`);
  }
  const time = stringFlag(args, "time");
  if (time !== undefined && !/^(\d+-)?\d+(:\d{1,2}){0,2}$/.test(time)) {
    throw new PstmError(
      `--time must be Slurm's MM, HH:MM:SS or D-HH:MM:SS, got "${time}"`,
      { field: "--time" },
    );
  }
  const partition = stringFlag(args, "partition");
  if (partition !== undefined && !/^[A-Za-z0-9_.,-]+$/.test(partition)) {
    throw new PstmError(`--partition must be a partition name, got "${partition}"`, {
      field: "--partition",
    });
  }
  const sbatchArgs = (args.values["sbatch-arg"] as string[] | undefined) ?? [];
  for (const arg of sbatchArgs) {
    if (!arg.startsWith("-") || /[\n\r]/.test(arg)) {
      throw new PstmError(`--sbatch-arg must be one sbatch option, got "${arg}"`, {
        field: "--sbatch-arg",
      });
    }
  }
  // the task's command line must parse: unknown migrate flags fail here, not on the nodes
  parseCommandArgs(migrateCommand.spec, [input, "-o", output, "--velocity", velocity, ...extra]);
  try {
    if (!Deno.statSync(input).isFile) throw new Error("not a regular file");
  } catch (error) {
    throw new PstmError(`cannot use the input: ${(error as Error).message}`, { file: input });
  }
  const outputAbs = resolve(output);
  const velocityAbs = velocityArgument(velocity);
  const repo = dirname(fileURLToPath(new URL("../cli.ts", import.meta.url)));
  // not Deno.execPath(): under npx that is a cache folder the compute nodes do not have
  const deno = stringFlag(args, "deno") ?? (Deno.env.get("PSTM_DENO") || "deno");
  if (!isAbsolute(deno) && deno.includes("/")) {
    throw new PstmError(
      `--deno must be an absolute path or a command name on the nodes' PATH, got "${deno}"`,
      { field: "--deno" },
    );
  }
  return {
    input: resolve(input),
    output: outputAbs,
    velocity: velocityAbs,
    shards,
    partition,
    time,
    memMiB,
    cpusPerTask,
    gpus,
    maxRunning: integerFlag(args, "max-running", 1, 100000),
    sbatchArgs,
    migrateArgs: extra,
    workdir: resolve(stringFlag(args, "workdir") ?? `${outputAbs}.slurm`),
    pstm: [deno, "run", "-A", "--config", `${repo}/deno.json`, `${repo}/cli.ts`],
    name: `pstm-${outputAbs.split("/").pop()!.replace(/[^A-Za-z0-9_.-]/g, "_")}`,
  };
}

/**
 * The job with its plan: every task follows `WORKDIR/plan.json`, which
 * `submitShardJob` writes (one header scan) before the first submission.
 *
 * @param spec the job
 * @returns the job with `planFile` set
 * @throws PstmError when the migrate flags do not make a valid job
 */
export async function withJobPlan(spec: SlurmJobSpec): Promise<SlurmJobSpec> {
  const argv = [spec.input, "-o", spec.output, "--velocity", spec.velocity, ...spec.migrateArgs];
  const { config } = await jobFromArgs(parseCommandArgs(migrateCommand.spec, argv));
  return { ...spec, planFile: { path: `${spec.workdir}/plan.json`, job: config } };
}

/** A velocity that names an existing file becomes an absolute path; functions stay as given. */
function velocityArgument(velocity: string): string {
  try {
    if (Deno.statSync(velocity).isFile) return resolve(velocity);
  } catch {
    // not a file: a constant or a function such as 0:1800,4:4200
  }
  return velocity;
}

function integerFlag(args: ParsedArgs, name: string, min: number, max: number) {
  const value = numberFlag(args, name, min, max);
  if (value !== undefined && !Number.isInteger(value)) {
    throw new PstmError(`--${name} must be an integer, got ${value}`, { field: `--${name}` });
  }
  return value;
}

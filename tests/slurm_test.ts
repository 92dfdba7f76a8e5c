/**
 * `pstm slurm` on a real one-node Slurm cluster (tests/slurm/start_cluster.sh):
 * the small3d survey planned once and migrated as an 8-task job array plus
 * merge equals the single run (no task reads the headers; each reads only the
 * traces of its band), and a job whose tasks were killed mid-way (scancel) or failed
 * completes when submitted again, rerunning only the unfinished shards.
 * Skipped, with the reason in the test name, without Slurm's binaries or root.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseCommandArgs } from "../cli/args.ts";
import { slurmCommand, specFromArgs, withJobPlan } from "../cli/slurm.ts";
import {
  arrayRanges,
  jobFiles,
  migrateScript,
  readRecord,
  shardManifestPath,
  shardStatus,
  submitShardJob,
} from "../pipeline/job/slurm_job.ts";
import { Manifest } from "../pipeline/output/manifest.ts";
import { tilesOfShard } from "../pipeline/plan/tile_plan.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const CLI = `${ROOT}cli.ts`;
const CONFIG = `${ROOT}deno.json`;
const VELOCITY = "0:2000,0.6:2400";
/**
 * Options shared by the single run and the shards: the same tiles and the
 * reference backend (float64, its sums do not depend on which tiles share a
 * run, so the images must agree to rounding); a limited aperture and small
 * batches make tiles finish one after another during the pass, so that a task
 * can be killed between two tiles.
 */
const MIGRATE = [
  "--backend",
  "reference",
  "--tile-bins",
  "2,2",
  "--aperture",
  "50",
  "--batch-size",
  "4",
];

function skipReason(): string | undefined {
  for (const tool of ["munged", "slurmctld", "slurmd", "sbatch", "squeue", "scancel", "sinfo"]) {
    const found = new Deno.Command("sh", { args: ["-c", `command -v ${tool}`] }).outputSync();
    if (!found.success) {
      return `${tool} not installed (apt-get install slurmctld slurmd slurm-client munge)`;
    }
  }
  if (Deno.uid() !== 0) return "needs root (the test cluster runs with SlurmUser=root)";
  return undefined;
}

async function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; check?: boolean } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = await new Deno.Command(command, {
    args,
    env: options.env,
    stdin: "null",
  }).output();
  const result = {
    code: output.code,
    stdout: new TextDecoder().decode(output.stdout),
    stderr: new TextDecoder().decode(output.stderr),
  };
  if (options.check !== false && result.code !== 0) {
    throw new Error(
      `${command} ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

function pstm(args: string[]) {
  // the one-node cluster has no deno on PATH: the job scripts use this one
  return run(Deno.execPath(), ["run", "-A", "--config", CONFIG, CLI, ...args], {
    env: { PSTM_DENO: Deno.execPath() },
  });
}

/** Every sample of a SEG-Y file (rev 1, IEEE big-endian, no extended text headers). */
async function readSamples(path: string): Promise<Float32Array> {
  const bytes = await Deno.readFile(path);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ns = view.getUint16(3220);
  const format = view.getUint16(3224);
  assert.deepEqual(format, 5, `${path}: sample format`);
  const traceBytes = 240 + 4 * ns;
  const traces = (bytes.length - 3600) / traceBytes;
  assert(Number.isInteger(traces) && traces > 0, `${path}: ${bytes.length} bytes`);
  const samples = new Float32Array(traces * ns);
  for (let t = 0; t < traces; t++) {
    const base = 3600 + t * traceBytes + 240;
    for (let i = 0; i < ns; i++) samples[t * ns + i] = view.getFloat32(base + 4 * i);
  }
  return samples;
}

function relativeL2(a: Float32Array, b: Float32Array): number {
  assert.deepEqual(a.length, b.length, "sample counts");
  let diff = 0, norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  assert(norm > 0, "the reference image is all zeros");
  return Math.sqrt(diff / norm);
}

/** Job states (scontrol) of a job or of every task of an array job. */
async function jobStates(id: string): Promise<string[]> {
  const { stdout } = await run("scontrol", ["-o", "show", "job", id]);
  return stdout.split("\n").filter((l) => l.trim()).map((l) => /JobState=(\S+)/.exec(l)![1]);
}

/** Final state of each task of an array job, by task id. */
async function taskStates(arrayJob: string): Promise<Record<number, string>> {
  const { stdout } = await run("scontrol", ["-o", "show", "job", arrayJob]);
  const states: Record<number, string> = {};
  for (const line of stdout.split("\n")) {
    const task = / ArrayTaskId=(\d+) /.exec(line), state = /JobState=(\S+)/.exec(line);
    if (task && state) states[Number(task[1])] = state[1];
  }
  return states;
}

/** Waits until none of the jobs is queued or running; returns their final states. */
async function waitForJobs(ids: string[], timeoutS = 150): Promise<Record<string, string[]>> {
  const deadline = Date.now() + timeoutS * 1000;
  while (true) {
    const { stdout } = await run("squeue", ["-h", "-j", ids.join(","), "-o", "%i %T"], {
      check: false,
    });
    if (stdout.trim() === "") break;
    if (Date.now() > deadline) throw new Error(`jobs ${ids} still queued:\n${stdout}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const states: Record<string, string[]> = {};
  for (const id of ids) states[id] = await jobStates(id);
  return states;
}

async function taskLogs(workdir: string): Promise<string> {
  const logs = jobFiles(workdir).logs;
  const parts: string[] = [];
  for await (const entry of Deno.readDir(logs)) {
    parts.push(
      `--- ${entry.name}\n${(await Deno.readTextFile(`${logs}/${entry.name}`)).slice(-2000)}`,
    );
  }
  return parts.join("\n");
}

/**
 * Kills an array task between two tiles: stops its processes (SIGSTOP; the
 * node is this machine, `scontrol listpids` names them) as soon as it runs,
 * lets it run in slices of a few milliseconds until its manifest records a
 * tile, and cancels it with scancel if some of its tiles are still to do.
 *
 * @returns tiles done when it was killed, or -1 when it finished first
 */
async function killMidWay(task: string, manifest: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  let jobId = "";
  while (true) {
    const { stdout } = await run("squeue", ["-h", "-j", task, "-o", "%A %T"], { check: false });
    const [id, state] = stdout.trim().split(/\s+/);
    if (state === "RUNNING") {
      jobId = id;
      break;
    }
    if (Date.now() > deadline) throw new Error(`task ${task} never started`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const pids = async () => {
    const { stdout } = await run("scontrol", ["listpids", jobId], { check: false });
    return stdout.split("\n").map((l) => Number(l.trim().split(/\s+/)[0])).filter((n) => n > 0);
  };
  const signal = (list: number[], name: Deno.Signal) => {
    for (const pid of list) {
      try {
        Deno.kill(pid, name);
      } catch {
        // exited meanwhile
      }
    }
  };
  let stopped: number[] = [];
  try {
    while (Date.now() < deadline) {
      stopped = await pids();
      signal(stopped, "SIGSTOP");
      if (stopped.length === 0) {
        // not started yet (no step daemon) or already gone
        const { stdout } = await run("squeue", ["-h", "-j", task, "-o", "%T"], { check: false });
        if (stdout.trim() !== "RUNNING") return -1;
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      const peek = await Manifest.peek(manifest).catch(() => undefined);
      if (peek && peek.done.size >= 1) {
        const owned = tilesOfShard(1, 4, peek.header.tiles).length;
        if (peek.done.size >= owned) return -1;
        await run("scancel", [task]);
        return peek.done.size;
      }
      signal(stopped, "SIGCONT");
      // long slices while it starts up, a few milliseconds once its manifest (and pass) began
      await new Promise((r) => setTimeout(r, peek ? 2 : 50));
    }
  } finally {
    signal(stopped, "SIGCONT");
  }
  throw new Error(`task ${task} recorded no tile in time`);
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

Deno.test("slurm: array ranges and script generation", () => {
  assert.deepEqual(arrayRanges([3, 0, 1, 2, 5, 7, 8]), "0-3,5,7-8");
  assert.deepEqual(arrayRanges([4]), "4");
  const script = migrateScript({
    input: "/data/in.sgy",
    output: "/data/out.sgy",
    velocity: "0:2000,1:2500",
    shards: 8,
    cpusPerTask: 4,
    gpus: 1,
    memMiB: 2048,
    time: "01:00:00",
    partition: "gpu",
    maxRunning: 2,
    sbatchArgs: ["--account=geo"],
    migrateArgs: ["--aperture", "1500"],
    workdir: "/data/out.sgy.slurm",
    pstm: ["/opt/deno", "run", "-A", "/opt/pstm/cli.ts"],
    name: "pstm-out",
  }, [1, 2, 6]);
  for (
    const line of [
      "#SBATCH --array=1-2,6%2",
      "#SBATCH --gres=gpu:1",
      "#SBATCH --mem=2048M",
      "#SBATCH --cpus-per-task=4",
      "#SBATCH --partition=gpu",
      "#SBATCH --time=01:00:00",
      "#SBATCH --account=geo",
      "#SBATCH --output=/data/out.sgy.slurm/logs/migrate-%A_%a.log",
      'SHARD="${SLURM_ARRAY_TASK_ID:',
      "migrate /data/in.sgy -o /data/out.sgy --velocity 0:2000,1:2500 --aperture 1500 " +
      '--shard "$SHARD/$SHARDS" --resume --log json',
    ]
  ) assert(script.includes(line), `missing ${line} in\n${script}`);
});

/** Input, output and velocity of a slurm command line on files in `dir`. */
function base0(dir: string): string[] {
  return [`${dir}/in.sgy`, "-o", `${dir}/out.sgy`, "--velocity", "2000"];
}

Deno.test("slurm: command line checks", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/in.sgy`, new Uint8Array(4000));
    const parse = (argv: string[]) => specFromArgs(parseCommandArgs(slurmCommand.spec, argv));
    const spec = parse([
      `${dir}/in.sgy`,
      "-o",
      `${dir}/out.sgy`,
      "--velocity",
      "2000",
      "--shards",
      "4",
      "--mem",
      "1GiB",
      "--gpus",
      "1",
      "--cpus-per-task",
      "8",
      "--",
      "--aperture",
      "900",
    ]);
    assert.deepEqual(spec.memMiB, 1024);
    assert.deepEqual(spec.migrateArgs, [
      "--aperture",
      "900",
      "--threads",
      "8",
      "--backend",
      "cuda",
      "--memory",
      "819MiB",
    ]);
    assert.deepEqual(spec.pstm.at(-1), CLI);
    // the nodes' deno: --deno, else $PSTM_DENO, else deno on their PATH (never the npx cache)
    const saved = Deno.env.get("PSTM_DENO");
    try {
      Deno.env.delete("PSTM_DENO");
      assert.deepEqual(parse([...base0(dir), "--shards", "2"]).pstm[0], "deno");
      Deno.env.set("PSTM_DENO", "/shared/bin/deno");
      assert.deepEqual(parse([...base0(dir), "--shards", "2"]).pstm[0], "/shared/bin/deno");
      const given = parse([...base0(dir), "--shards", "2", "--deno", "/opt/deno/bin/deno"]);
      assert.deepEqual(given.pstm[0], "/opt/deno/bin/deno");
    } finally {
      if (saved === undefined) Deno.env.delete("PSTM_DENO");
      else Deno.env.set("PSTM_DENO", saved);
    }
    assert.deepEqual(spec.workdir, `${dir}/out.sgy.slurm`);
    const base = [`${dir}/in.sgy`, "-o", `${dir}/out.sgy`, "--velocity", "2000"];
    for (
      const [argv, pattern] of [
        [base, /--shards N is required/],
        [[...base, "--shards", "0"], /--shards/],
        [[...base, "--shards", "2", "--", "--shard", "1/2"], /set by pstm slurm/],
        [[...base, "--shards", "2", "--", "--bogus"], /unknown flag --bogus/],
        [[...base, "--shards", "2", "--time", "1h"], /--time/],
        [[...base, "--shards", "2", "--deno", "bin/deno"], /--deno must be an absolute path/],
        [[`${dir}/missing.sgy`, ...base.slice(1), "--shards", "2"], /missing\.sgy/],
      ] as [string[], RegExp][]
    ) {
      let message = "";
      try {
        parse(argv);
      } catch (error) {
        assert.deepEqual((error as { exitCode?: number }).exitCode, 2, String(error));
        message = (error as Error).message;
      }
      assert(pattern.test(message), `${argv.join(" ")}: expected ${pattern}, got "${message}"`);
    }
    // the status of a job no shard has started, and of a half-finished one
    assert.deepEqual((await shardStatus(`${dir}/out.sgy`, 2)).state, "fresh");
    const header = { version: 1 as const, fingerprint: "f", tiles: 5, shard: "0/2" };
    const m = await Manifest.open(shardManifestPath(`${dir}/out.sgy`, 0, 2), header, false);
    for (const tile of [0, 1, 2]) await m.record(tile);
    m.close();
    const status = await shardStatus(`${dir}/out.sgy`, 2);
    assert.deepEqual(status.unfinished, [1]);
    assert.deepEqual(status.shards[0], { shard: 0, done: 3, owned: 3 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const skip = skipReason();

Deno.test({
  name: skip
    ? `slurm: one-node cluster, 8-shard array from one plan == single run (SKIPPED: ${skip})`
    : "slurm: one-node cluster, 8-shard array from one plan == single run, killed tasks resubmitted",
  ignore: skip !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pstm-slurm-" });
    const cluster = `${dir}/cluster`;
    const timings: string[] = [];
    let t = performance.now();
    const started = await run("bash", [`${ROOT}tests/slurm/start_cluster.sh`, cluster], {
      check: false,
    });
    try {
      assert.deepEqual(started.code, 0, `start_cluster.sh failed:\n${started.stderr}`);
      Deno.env.set("SLURM_CONF", `${cluster}/slurm.conf`);
      timings.push(`cluster start ${seconds(t)} s`);

      t = performance.now();
      const survey = `${dir}/survey.sgy`;
      await pstm(["synth", "-o", survey, "--preset", "small3d"]);
      const single = `${dir}/single.sgy`;
      await pstm(["migrate", survey, "-o", single, "--velocity", VELOCITY, "--quiet", ...MIGRATE]);
      const reference = await readSamples(single);
      timings.push(`synth + single run ${seconds(t)} s`);

      const slurmArgs = (output: string, extra: string[] = [], shards = 4) =>
        withJobPlan(specFromArgs(parseCommandArgs(slurmCommand.spec, [
          survey,
          "-o",
          output,
          "--velocity",
          VELOCITY,
          "--shards",
          String(shards),
          ...extra,
          "--",
          ...MIGRATE,
        ])));

      // 1. the 8-task array from one plan, and its merge
      t = performance.now();
      const sharded = `${dir}/sharded.sgy`;
      const first = await submitShardJob(await slurmArgs(sharded, [], 8));
      assert.deepEqual(first.submitted, [0, 1, 2, 3, 4, 5, 6, 7]);
      assert(first.plan && first.plan !== "reused", "planned once before submitting");
      assert.equal(first.plan.traces, 286);
      assert(first.migrateScript.includes(`--plan-file ${sharded}.slurm/plan.json`));
      const states = await waitForJobs([first.arrayJob, first.mergeJob]);
      assert(
        [...states[first.arrayJob], ...states[first.mergeJob]].every((s) => s === "COMPLETED"),
        `states ${JSON.stringify(states)}\n${await taskLogs(`${sharded}.slurm`)}`,
      );
      const l2 = relativeL2(await readSamples(sharded), reference);
      assert(l2 <= 1e-6, `8-shard image differs from the single run: relative L2 ${l2}`);
      // no task scanned the headers; each read at most the trace range of its band of tiles
      // (its share plus the aperture overlap: the survey is in CMP order)
      const plan = JSON.parse(await Deno.readTextFile(`${sharded}.slurm/plan.json`)).plan;
      const ranges: number[][] = plan.tiles; // [ix0, ix1, iy0, iy1, first, last, count, bytes]
      const read: string[] = [];
      for (let shard = 0; shard < 8; shard++) {
        const log = await Deno.readTextFile(
          `${jobFiles(`${sharded}.slurm`).logs}/migrate-${first.arrayJob}_${shard}.log`,
        );
        const summary = JSON.parse(
          log.split("\n").filter((l) => l.includes('"event":"summary"')).pop()!,
        );
        assert.equal(summary.headersScanned, 0, `shard ${shard} scanned headers`);
        const mine = tilesOfShard(shard, 8, ranges.length).map((id) => ranges[id])
          .filter((r) => r[6] > 0);
        const band = mine.length
          ? Math.max(...mine.map((r) => r[5])) - Math.min(...mine.map((r) => r[4])) + 1
          : 0;
        assert(summary.tracesRead <= band, `shard ${shard}: ${summary.tracesRead} > ${band}`);
        assert(summary.tracesRead < 286, `shard ${shard} read every trace`);
        read.push(`${summary.tracesRead}`);
      }
      timings.push(
        `plan ${first.plan.seconds.toFixed(2)} s; 8-task array + merge ${seconds(t)} s ` +
          `(relative L2 ${l2.toExponential(2)}); traces read per task of 286: ${read.join(", ")}`,
      );
      const again = await submitShardJob(await slurmArgs(sharded, [], 8));
      assert.deepEqual(again.status.state, "complete", "a complete job is not submitted again");
      assert.deepEqual(again.mergeJob, "");

      // 2. shard 3 fails at once (fault injection); shard 1 is killed mid-way by scancel
      t = performance.now();
      const killed = `${dir}/killed.sgy`;
      const broken = await submitShardJob(
        await slurmArgs(killed, ["--sbatch-arg=--export=ALL,PSTM_SLURM_FAIL_SHARDS=3"]),
      );
      const killedAt = await killMidWay(`${broken.arrayJob}_1`, shardManifestPath(killed, 1, 4));
      const brokenStates = await waitForJobs([broken.arrayJob, broken.mergeJob]);
      const tasks = await taskStates(broken.arrayJob);
      assert.equal(tasks[3], "FAILED", `task 3: ${JSON.stringify(tasks)}`);
      if (killedAt >= 0) assert.equal(tasks[1], "CANCELLED", `task 1: ${JSON.stringify(tasks)}`);
      assert.deepEqual(brokenStates[broken.mergeJob], ["CANCELLED"], "merge after failed tasks");
      const status = await shardStatus(killed, 4);
      const expected = killedAt >= 0 ? [1, 3] : [3];
      assert.deepEqual(status.unfinished, expected, JSON.stringify(status));
      timings.push(
        `failed array ${seconds(t)} s (` +
          (killedAt >= 0
            ? `shard 1 killed after ${killedAt} tile(s)`
            : "shard 1 finished before it could be killed") +
          ", shard 3 failed)",
      );

      // 3. submitted again: only the unfinished shards run, the job completes
      t = performance.now();
      const resumed = await submitShardJob(await slurmArgs(killed));
      assert.equal(resumed.plan, "reused", "the resubmission follows the same plan");
      assert.deepEqual(resumed.submitted, expected);
      assert(resumed.migrateScript.includes(`#SBATCH --array=${arrayRanges(expected)}\n`));
      const record = await readRecord(jobFiles(`${killed}.slurm`).record);
      assert.deepEqual(record?.arrayJob, resumed.arrayJob);
      const resumedStates = await waitForJobs([resumed.arrayJob, resumed.mergeJob]);
      assert(
        [...resumedStates[resumed.arrayJob], ...resumedStates[resumed.mergeJob]].every((s) =>
          s === "COMPLETED"
        ),
        `states ${JSON.stringify(resumedStates)}\n${await taskLogs(`${killed}.slurm`)}`,
      );
      assert.deepEqual(resumedStates[resumed.arrayJob].length, expected.length);
      if (killedAt >= 0) {
        // the rerun of shard 1 kept the tiles it had recorded before it was killed
        const log = await Deno.readTextFile(
          `${jobFiles(`${killed}.slurm`).logs}/migrate-${resumed.arrayJob}_1.log`,
        );
        const summary = log.split("\n").filter((l) => l.includes('"event":"summary"')).pop();
        if (summary) {
          const resumedTiles = JSON.parse(summary).tilesResumed;
          assert.ok(resumedTiles >= killedAt, `tilesResumed ${resumedTiles} < ${killedAt}`);
        }
      }
      const l2Killed = relativeL2(await readSamples(killed), reference);
      assert(l2Killed <= 1e-6, `resubmitted image differs: relative L2 ${l2Killed}`);
      timings.push(
        `resubmitted ${arrayRanges(expected)} + merge ${seconds(t)} s ` +
          `(relative L2 ${l2Killed.toExponential(2)})`,
      );
    } finally {
      t = performance.now();
      await run("bash", [`${ROOT}tests/slurm/stop_cluster.sh`, cluster], { check: false });
      timings.push(`cluster stop ${seconds(t)} s`);
      Deno.env.delete("SLURM_CONF");
      console.log(`slurm test timings: ${timings.join("; ")}`);
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

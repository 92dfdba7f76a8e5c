/**
 * The checkpoint bench of issue 13: a single-pass job with an unlimited
 * aperture (every tile open until the last trace, so without checkpoints a
 * kill loses everything), through the real command line.
 *
 * 1. An uninterrupted run without checkpoints: the reference image and time T.
 * 2. The same job with `--checkpoint C` (C small enough that several are
 *    taken): the time spent taking them (`times.checkpoint`), per checkpoint,
 *    and what that costs at the default interval (per-checkpoint seconds /
 *    300 s), next to the wall-time difference.
 * 3. The job with `--checkpoint C`, killed with SIGKILL when its progress (extrapolated
 *    from its checkpoints' positions over time) reaches 80 % of the traces, then
 *    `--resume`: the fraction of the traces read again (target <= 30%) and
 *    whether the image is byte-identical to run 1.
 *
 *     deno run -A bench/checkpoint_bench.ts [--nx 60 --ny 50 --ns 500 --interval 2] [--json]
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CLI, loadAverage } from "./_support.ts";
import { synthPreset, synthVelocityText } from "../pipeline/synth/synth.ts";
import { writeSynthetic } from "../pipeline/synth/write_synthetic.ts";
import { DEFAULT_CHECKPOINT_SECONDS } from "../pipeline/job/checkpoint.ts";

/** Most of the traces a resumed run may read again (issue 13). */
export const REREAD_TARGET = 0.3;
/** Largest cost of checkpoints at the default interval (issue 13). */
export const COST_TARGET = 0.05;

interface Summary {
  tracesRead: number;
  traces: number;
  seconds: number;
  times: Record<string, number>;
}

async function migrate(args: string[]): Promise<Summary> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "migrate", ...args, "--log", "json"],
    stdout: "null",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stderr);
  if (out.code !== 0) throw new Error(`migrate failed (${out.code}): ${text}`);
  const summary = text.trim().split("\n").map((line) => JSON.parse(line))
    .find((e) => e.event === "summary");
  return summary as Summary;
}

async function sameTraces(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([Deno.readFile(a), Deno.readFile(b)]);
  return x.length === y.length && x.subarray(3200).every((v, i) => v === y[3200 + i]);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      nx: { type: "string", default: "60" },
      ny: { type: "string", default: "50" },
      ns: { type: "string", default: "500" },
      interval: { type: "string", default: "2" },
      json: { type: "boolean", default: false },
    },
  });
  const dir = await Deno.makeTempDir({ prefix: "pstm-checkpoint-bench-" });
  try {
    const spec = {
      ...synthPreset("small3d"),
      nx: Number(values.nx),
      ny: Number(values.ny),
      ns: Number(values.ns),
    };
    const input = `${dir}/survey.sgy`;
    await writeSynthetic(spec, input, undefined);
    const grid = `${spec.x0},${spec.y0},${spec.dx},${spec.dy},${spec.nx},${spec.ny}`;
    const job = (out: string, checkpoint: string) => [
      input,
      "-o",
      out,
      "--velocity",
      synthVelocityText(spec),
      "--grid",
      grid,
      "--aperture",
      "none",
      "--backend",
      "cpu",
      "--traveltime-table",
      "off",
      "--checkpoint",
      checkpoint,
    ];
    const load = loadAverage();
    const plain = await migrate(job(`${dir}/plain.sgy`, "0"));
    const withCheckpoints = await migrate(job(`${dir}/checkpointed.sgy`, values.interval!));
    const checkpointSeconds = withCheckpoints.times.checkpoint ?? 0;
    const taken = Math.floor(withCheckpoints.seconds / Number(values.interval));
    const perCheckpoint = taken > 0 ? checkpointSeconds / taken : 0;

    // killed at 80 % of the uninterrupted time, then resumed
    const cut = `${dir}/cut.sgy`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CLI, "migrate", ...job(cut, values.interval!), "--log", "json"],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // T counts from the job's start (the summary's seconds): wait for its plan event, which
    // follows the header scan, then 80 % of T
    const lines = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    for (let text = ""; !text.includes('"event":"plan"');) {
      const { value, done } = await lines.read();
      if (done) throw new Error("the run ended before its plan event");
      text += value;
    }
    const drain = (async () => {
      while (!(await lines.read()).done);
    })();
    // progress from the checkpoints' positions over time (the input is read ahead by
    // megabytes, so bytes read overstate it): killed when the trace count extrapolated
    // from the first and the latest checkpoint reaches 80 %, at no particular point
    // between two checkpoints
    const total = plain.traces;
    let exited = false;
    child.status.then(() => (exited = true));
    let first: [number, number] | undefined, latest: [number, number] | undefined;
    for (;;) {
      if (exited) throw new Error("the run ended before 80% of its traces were read");
      const now = performance.now();
      const next = await Deno.readFile(`${cut}.checkpoint`).then(
        (b) => JSON.parse(new TextDecoder().decode(b.subarray(0, b.indexOf(10)))).next as number,
        () => undefined,
      );
      if (next !== undefined && next !== latest?.[1]) {
        latest = [now, next];
        first ??= latest;
      }
      if (first && latest && latest[1] > first[1]) {
        const rate = (latest[1] - first[1]) / (latest[0] - first[0]);
        if (latest[1] + rate * (now - latest[0]) >= 0.8 * total) break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await child.status;
    await drain.catch(() => {});
    const checkpoint = await Deno.readFile(`${cut}.checkpoint`).catch(() => undefined);
    const next = checkpoint
      ? JSON.parse(new TextDecoder().decode(checkpoint.subarray(0, checkpoint.indexOf(10)))).next
      : 0;
    const resumed = await migrate([...job(cut, values.interval!), "--resume"]);
    const identical = await sameTraces(`${dir}/plain.sgy`, cut);
    const report = {
      traces: plain.traces,
      load,
      uninterruptedSeconds: plain.seconds,
      checkpointInterval: Number(values.interval),
      checkpointedSeconds: withCheckpoints.seconds,
      checkpointsTaken: taken,
      checkpointSeconds,
      secondsPerCheckpoint: perCheckpoint,
      costAtDefault: perCheckpoint / DEFAULT_CHECKPOINT_SECONDS,
      costAtInterval: checkpointSeconds / withCheckpoints.seconds,
      killedAtTrace: next,
      resumedTracesRead: resumed.tracesRead,
      rereadFraction: resumed.tracesRead / plain.traces,
      identical,
    };
    if (values.json) console.log(JSON.stringify(report));
    else {
      console.log(
        `survey ${plain.traces} traces x ${spec.ns} samples onto ${spec.nx} x ${spec.ny} bins, ` +
          `unlimited aperture, one pass; load ${load}`,
      );
      console.log(`uninterrupted, no checkpoints: ${plain.seconds.toFixed(2)} s`);
      console.log(
        `--checkpoint ${values.interval}: ${withCheckpoints.seconds.toFixed(2)} s, ~${taken} ` +
          `checkpoints taking ${checkpointSeconds.toFixed(3)} s ` +
          `(${(100 * report.costAtInterval).toFixed(2)}% of the run; ` +
          `${perCheckpoint.toFixed(3)} s each -> ${(100 * report.costAtDefault).toFixed(3)}% ` +
          `at the default ${DEFAULT_CHECKPOINT_SECONDS} s; target <= ${100 * COST_TARGET}%)`,
      );
      console.log(
        `SIGKILL at 80%: last checkpoint at trace ${next}; --resume read ` +
          `${resumed.tracesRead} traces again (${(100 * report.rereadFraction).toFixed(1)}%, ` +
          `target <= ${100 * REREAD_TARGET}%); image ${identical ? "byte-identical" : "DIFFERS"}`,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

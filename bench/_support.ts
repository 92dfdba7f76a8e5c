/**
 * Shared helpers of the end-to-end, memory and gate benches: synthesize a
 * survey, run `pstm migrate` as a subprocess under `/usr/bin/time -v`, and
 * read back the JSON summary and the peak resident memory.
 *
 * @module
 */

import { synthPreset, type SynthSpec, synthVelocityText } from "../pipeline/synth/synth.ts";

/** The pstm CLI entry point. */
export const CLI = new URL("../cli.ts", import.meta.url).pathname;

/** What one migrate run reports. */
export interface RunResult {
  /** The JSON `summary` event of `pstm migrate --log json`. */
  summary: Record<string, unknown> & {
    tracesRead: number;
    seconds: number;
    peakRss: number;
    contributions: number;
    kernelSeconds: number;
    times: Record<string, number>;
    tiles: number;
    passes: number;
    traveltimeTable?: { used: string };
  };
  /** Maximum resident set size of the migrate process from `/usr/bin/time -v`, bytes. */
  maxRss: number;
  /** Wall time of the subprocess, s. */
  wall: number;
  /** traces read / summary seconds. */
  tracesPerSecond: number;
}

/** A synthetic survey on disk and how to migrate it. */
export interface BenchSurvey {
  /** SEG-Y path. */
  path: string;
  /** Traces in the file. */
  traces: number;
  /** The spec it was made from. */
  spec: SynthSpec;
  /** The velocity flag. */
  velocity: string;
}

/**
 * Writes `pstm synth --preset P [--traces N]` into `dir`.
 *
 * @param dir where to write
 * @param preset synth preset
 * @param traces about this many traces (undefined: the preset's own)
 * @returns the survey
 */
export async function synthSurvey(
  dir: string,
  preset: string,
  traces?: number,
): Promise<BenchSurvey> {
  const path = `${dir}/${preset}-${traces ?? "preset"}.sgy`;
  const args = ["run", "-A", CLI, "synth", "-o", path, "--preset", preset];
  if (traces !== undefined) args.push("--traces", String(traces));
  const out = await new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "piped" })
    .output();
  if (out.code !== 0) throw new Error(`synth failed: ${new TextDecoder().decode(out.stderr)}`);
  const spec = synthPreset(preset, traces);
  const truth = JSON.parse(await Deno.readTextFile(path.replace(/\.sgy$/, ".truth.json")));
  return { path, traces: truth.traces, spec, velocity: synthVelocityText(spec) };
}

/**
 * A grid flag covering the midpoints of a synth spec (axis-aligned presets)
 * with bins of `bin` metres.
 *
 * @param spec the survey spec
 * @param bin bin size, m
 * @returns "X0,Y0,DX,DY,NX,NY"
 */
export function coveringGrid(spec: SynthSpec, bin: number): string {
  const nx = Math.max(1, Math.floor(((spec.nx - 1) * spec.dx) / bin) + 1);
  const ny = Math.max(1, Math.floor(((spec.ny - 1) * spec.dy) / bin) + 1);
  return `${spec.x0},${spec.y0},${bin},${bin},${nx},${ny}`;
}

/**
 * Runs `pstm migrate ARGS --log json` under `/usr/bin/time -v`; with `pipeFrom`
 * the input is `-` and stdin comes from `pstm synth ARGS -o -`.
 *
 * @param args migrate arguments after "migrate" (input first unless piped)
 * @param pipeFrom synth arguments for a streamed input
 * @returns the summary, peak RSS and rates
 */
export async function runMigrate(args: string[], pipeFrom?: string[]): Promise<RunResult> {
  const deno = Deno.execPath();
  const migrateArgs = [
    "-v",
    deno,
    "run",
    "-A",
    CLI,
    "migrate",
    ...(pipeFrom ? ["-"] : []),
    ...args,
  ];
  migrateArgs.push("--log", "json");
  const start = performance.now();
  const child = new Deno.Command("/usr/bin/time", {
    args: migrateArgs,
    stdin: pipeFrom ? "piped" : "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let synth: Deno.ChildProcess | undefined;
  if (pipeFrom) {
    synth = new Deno.Command(deno, {
      args: ["run", "-A", CLI, "synth", "-o", "-", ...pipeFrom],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    await synth.stdout.pipeTo(child.stdin);
  }
  const out = await child.output();
  if (synth) await synth.status;
  const wall = (performance.now() - start) / 1000;
  const text = new TextDecoder().decode(out.stderr);
  let summary: RunResult["summary"] | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line);
    if (event.event === "summary") summary = event;
  }
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  if (out.code !== 0 || !summary) {
    throw new Error(`migrate ${args.join(" ")} failed (exit ${out.code}):\n${text.slice(-3000)}`);
  }
  return {
    summary,
    maxRss: rss ? Number(rss[1]) * 1024 : summary.peakRss,
    wall,
    tracesPerSecond: summary.tracesRead / summary.seconds,
  };
}

/**
 * The load average of the machine over the last minute (other processes
 * running while a bench measures).
 *
 * @returns the 1-minute load average, or NaN where unknown
 */
export function loadAverage(): number {
  try {
    return Number(Deno.readTextFileSync("/proc/loadavg").split(" ")[0]);
  } catch {
    return NaN;
  }
}

/**
 * Megabytes (10^6 bytes) with one decimal.
 *
 * @param bytes a size
 * @returns "123.4"
 */
export function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}

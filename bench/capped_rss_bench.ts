/**
 * Issue 13's memory target: peak RSS of `pstm migrate --memory 16MiB` on a 161 MB survey at
 * most 160 MB, with only the chosen backend's libraries loaded.
 *
 * Survey: 161,604 traces (201 x 201 midpoints on a 25 m lattice, 4 offsets, 190 samples at
 * 4 ms, an origin that is not a whole number, as in tests/tiling_independence_test.ts),
 * 161.6 MB of SEG-Y, synthesized once and cached in `$TMPDIR/pstm-capped-rss-bench/`.
 * Job: `--memory 16MiB --plain --aperture 300 --backend cpu`, the grid suggested by the scan
 * (201 x 201 bins).
 *
 * The migrate process is polled (`/proc/PID/status` every 10 ms for VmHWM, `/proc/PID/smaps`
 * whenever the resident set reaches a new high) and its peak split into: the deno executable's
 * mapped pages, pstm's native libraries, other shared libraries, the main malloc heap (`[heap]`:
 * ArrayBuffers and Rust allocations of the main thread) and other anonymous memory (the V8
 * heap, thread stacks and arenas). Baselines: `deno run` of an empty script, of a script that
 * imports mod.ts, and `cli.ts migrate --help` (every module of the command loaded, nothing run).
 *
 *     deno run -A bench/capped_rss_bench.ts [--runs 3] [--default] [--cli PATH] [--json]
 *
 * `--default` also times the run without `--memory` (the default budget, one pass); `--cli`
 * runs another checkout's cli.ts (before/after comparisons on the same machine).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { writeSynthetic } from "../pipeline/synth/write_synthetic.ts";
import { synthPreset, type SynthSpec, synthVelocityText } from "../pipeline/synth/synth.ts";
import { loadAverage, mb } from "./_support.ts";

/** Peak RSS target of the issue, bytes. */
export const CAPPED_RSS_TARGET = 160e6;

/** The survey of the issue: 161,604 traces on a 25 m lattice. */
export function cappedSurveySpec(): SynthSpec {
  return {
    ...synthPreset("small3d"),
    x0: 1000.37,
    y0: 2000.29,
    nx: 201,
    ny: 201,
    offsets: [0, 150, 300, 450],
    ns: 190,
    diffractors: [{ x: 3500.37, y: 4500.29, tau: 0.3, amplitude: 1 }],
  };
}

/** Resident memory of a process at its peak, split by what holds it, bytes. */
export interface RssSplit {
  /** VmHWM at exit (the kernel's peak), bytes. */
  peak: number;
  /** Resident set at the sample closest to the peak, bytes. */
  sampled: number;
  /** Pages of the deno executable. */
  deno: number;
  /** libpstm_* libraries. */
  pstmLibraries: number;
  /** Other shared libraries (libc, libstdc++, ...). */
  otherLibraries: number;
  /** The main malloc heap (`[heap]`). */
  heap: number;
  /** Anonymous mappings (V8 heap, stacks, thread arenas). */
  anonymous: number;
  /** Everything else (caches, stacks, vdso). */
  other: number;
  /** Every shared library file the process mapped at any sample. */
  libraries: string[];
}

/** One measured run. */
export interface RssRun {
  /** What ran. */
  label: string;
  /** The split at the peak. */
  split: RssSplit;
  /** Wall time, s. */
  seconds: number;
  /** The summary's tiles and passes, when a migration. */
  tiles?: number;
  /** Passes over the input. */
  passes?: number;
  /** 1-minute load average at the end. */
  load: number;
}

function split(smaps: string, peak: number, sampled: number, libs: Set<string>): RssSplit {
  const out: RssSplit = {
    peak,
    sampled,
    deno: 0,
    pstmLibraries: 0,
    otherLibraries: 0,
    heap: 0,
    anonymous: 0,
    other: 0,
    libraries: [],
  };
  let name = "";
  for (const line of smaps.split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = head[1];
      if (/\.so(\.[0-9.]+)?$/.test(name)) libs.add(name);
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (!rss) continue;
    const bytes = Number(rss[1]) * 1024;
    const base = name.replace(/.*\//, "");
    if (name === "") out.anonymous += bytes;
    else if (name === "[heap]") out.heap += bytes;
    else if (base === "deno") out.deno += bytes;
    else if (/^libpstm_/.test(base)) out.pstmLibraries += bytes;
    else if (/\.so(\.[0-9.]+)?$/.test(base)) out.otherLibraries += bytes;
    else out.other += bytes;
  }
  out.libraries = [...libs].sort();
  return out;
}

/**
 * Runs a command and follows its resident memory.
 *
 * @param args deno arguments (after the executable)
 * @param label what ran
 * @returns the split at the peak, wall time and the migrate summary when there is one
 */
export async function measure(args: string[], label: string): Promise<RssRun> {
  const start = performance.now();
  const child = new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "piped" })
    .spawn();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let best = 0, hwm = 0, smaps = "";
  const libs = new Set<string>();
  while (!exited) {
    try {
      const text = Deno.readTextFileSync(`/proc/${child.pid}/status`);
      const rss = Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? 0) * 1024;
      hwm = Math.max(hwm, Number(/VmHWM:\s+(\d+)/.exec(text)?.[1] ?? 0) * 1024);
      if (rss > best + (1 << 20) || (rss > best && smaps === "")) {
        best = rss;
        smaps = Deno.readTextFileSync(`/proc/${child.pid}/smaps`);
        split(smaps, 0, 0, libs); // collects the libraries
      }
    } catch { /* exited between the checks */ }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const code = (await status).code;
  const text = await stderr;
  const seconds = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(`${label} failed (exit ${code}):\n${text.slice(-2000)}`);
  let summary: { peakRss: number; tiles: number; passes: number } | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line);
    if (event.event === "summary") summary = event;
  }
  // the process's own VmHWM (summary.peakRss) is exact; the polled one can miss a short peak
  const peak = Math.max(hwm, summary?.peakRss ?? 0);
  return {
    label,
    split: split(smaps, peak, best, libs),
    seconds,
    tiles: summary?.tiles,
    passes: summary?.passes,
    load: loadAverage(),
  };
}

/**
 * The cached survey, written when missing.
 *
 * @returns its path
 */
export async function cappedSurvey(): Promise<string> {
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/pstm-capped-rss-bench`;
  await Deno.mkdir(dir, { recursive: true });
  const path = `${dir}/survey-161604.sgy`;
  try {
    if ((await Deno.stat(path)).size === 3600 + 161_604 * (240 + 4 * 190)) return path;
  } catch { /* not there yet */ }
  await writeSynthetic(cappedSurveySpec(), `${path}.partial`, undefined);
  await Deno.rename(`${path}.partial`, path);
  return path;
}

function row(run: RssRun): string {
  const s = run.split;
  const cells = [
    run.label.padEnd(34),
    `${mb(s.peak)} MB`.padStart(9),
    `${mb(s.deno)}`.padStart(6),
    `${mb(s.pstmLibraries)}`.padStart(5),
    `${mb(s.otherLibraries)}`.padStart(5),
    `${mb(s.heap)}`.padStart(6),
    `${mb(s.anonymous)}`.padStart(6),
    `${mb(s.other)}`.padStart(5),
    `${run.seconds.toFixed(1)} s`.padStart(7),
    run.tiles === undefined ? "" : `${run.tiles} tiles ${run.passes} passes`,
    `load ${run.load.toFixed(1)}`,
  ];
  return cells.join(" ");
}

/** The table's heading. */
export const HEADING = `${"run".padEnd(34)} ${"peak RSS".padStart(9)} ${"deno".padStart(6)} ` +
  `${"pstm".padStart(5)} ${"libs".padStart(5)} ${"[heap]".padStart(6)} ${"anon".padStart(6)} ` +
  `${"other".padStart(5)} ${"wall".padStart(7)}   (split at the sampled peak, MB)`;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      runs: { type: "string", default: "3" },
      default: { type: "boolean" },
      cli: { type: "string" },
      json: { type: "boolean" },
    },
  });
  const repo = new URL("../", import.meta.url).pathname;
  const cli = values.cli ?? `${repo}cli.ts`;
  const config = `${cli.replace(/cli\.ts$/, "")}deno.json`;
  const survey = await cappedSurvey();
  const scratch = await Deno.makeTempDir({ prefix: "pstm-capped-rss-" });
  const runs: RssRun[] = [];
  const report = (run: RssRun) => {
    runs.push(run);
    if (!values.json) console.log(row(run));
  };
  try {
    if (!values.json) console.log(HEADING);
    await Deno.writeTextFile(`${scratch}/empty.ts`, "\n");
    await Deno.writeTextFile(
      `${scratch}/mod.ts`,
      `import "${cli.replace(/cli\.ts$/, "mod.ts")}";\n`,
    );
    report(await measure(["run", "-A", `${scratch}/empty.ts`], "deno run (empty script)"));
    report(await measure(["run", "-A", "--config", config, `${scratch}/mod.ts`], "import mod.ts"));
    report(await measure(["run", "-A", cli, "migrate", "--help"], "cli.ts migrate --help"));
    const job = [
      "run",
      "-A",
      cli,
      "migrate",
      survey,
      "-o",
      `${scratch}/image.sgy`,
      "--velocity",
      synthVelocityText(cappedSurveySpec()),
      "--plain",
      "--aperture",
      "300",
      "--backend",
      "cpu",
      "--log",
      "json",
    ];
    const capped: RssRun[] = [];
    for (let i = 0; i < Number(values.runs); i++) {
      const run = await measure([...job, "--memory", "16MiB"], `migrate --memory 16MiB (${i + 1})`);
      capped.push(run);
      report(run);
      if (values.default) report(await measure(job, `migrate, default budget (${i + 1})`));
    }
    const worst = Math.max(...capped.map((r) => r.split.peak));
    const cuda = capped.some((r) => r.split.libraries.some((l) => /pstm_cuda|libcuda/.test(l)));
    const gpu = capped.some((r) => r.split.libraries.some((l) => /vulkan|wgpu|libGL/i.test(l)));
    if (values.json) {
      console.log(JSON.stringify({ bench: "capped-rss", survey, runs }));
    } else {
      console.log(
        `\nsurvey ${survey} (161,604 traces, ${mb((await Deno.stat(survey)).size)} MB)\n` +
          `peak RSS under --memory 16MiB: ${capped.map((r) => mb(r.split.peak)).join(", ")} MB; ` +
          `target <= ${mb(CAPPED_RSS_TARGET)} MB: ${
            worst <= CAPPED_RSS_TARGET ? "met" : "NOT met"
          }\n` +
          `libraries mapped: ${
            capped[0].split.libraries.map((l) => l.replace(/.*\//, "")).join(" ")
          }\n` +
          `CUDA library loaded: ${cuda ? "YES" : "no"}; GPU driver libraries: ${
            gpu ? "YES" : "no"
          }`,
      );
    }
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}

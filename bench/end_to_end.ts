/**
 * End-to-end cases: `pstm migrate` as a subprocess on synthetic surveys,
 * reporting traces/s, contributions/s, stage times and peak memory. Shared by
 * bench/end_to_end_bench.ts (`deno bench`) and bench/report.ts (a table, or
 * one JSON document with `--json`, and a PNG chart with `--chart`).
 *
 * Cases:
 * - size: the `small3d` preset scaled to 1,000 / 10,000 / 100,000 traces
 *   (150 samples at 4 ms), output bins of 25 m covering the midpoints,
 *   aperture 300 m, max angle 60 deg, --memory 512MiB, cpu backend; the
 *   reference backend on the 1,000-trace survey;
 * - config: the 10,000-trace survey with one knob changed at a time: tile
 *   size, trace batch size, threads, antialiasing, traveltime table;
 * - standard: the workload of DESIGN.md 6 (`standard` preset: 31,350
 *   traces x 1,001 samples, v_rms 1,800 -> 4,200 m/s, aperture 1,500 m, max
 *   angle 60 deg) on a 64 x 48 sub-grid of 25 m bins at the centre of its
 *   512 x 384 output grid, in migrate's full mode (direct, then with the
 *   traveltime table) and with --aa off. Every trace is read; the sub-grid
 *   has 1/64 of the full grid's bins, all in the interior where each bin sees
 *   the full aperture, so 64 x its kernel work bounds the full run's from
 *   above (edge bins of the full grid see fewer traces): the full run's time
 *   is extrapolated as scan + read x (31,350 / traces the sub-grid read) +
 *   64 x (kernel + preprocess + write).
 *   With PSTM_BENCH_HEAVY=1 (or report.ts --heavy) the full 512 x 384 grid
 *   also runs once in full mode; its traces/s is the survey's 31,350 traces
 *   over the wall time (each trace is read once per tile band it reaches).
 *
 * @module
 */

import { coveringGrid, loadAverage, runMigrate, synthSurvey } from "./_support.ts";
import type { BenchSurvey } from "./_support.ts";

/** One measured case. */
export interface E2ERecord {
  /** "size", "config" or "standard". */
  group: string;
  /** Case name. */
  name: string;
  /** Backend. */
  backend: string;
  /** Traces in the survey. */
  traces: number;
  /** Flags that differ from the group's baseline. */
  flags: string[];
  /** traces read / wall seconds of the run. */
  tracesPerSecond: number;
  /** contributions / wall seconds. */
  contributionsPerSecond: number;
  /** Summary seconds. */
  seconds: number;
  /** Stage times, s. */
  times: Record<string, number>;
  /** Kernel busy seconds. */
  kernelSeconds: number;
  /** Peak RSS of the process, bytes (/usr/bin/time -v). */
  peakRss: number;
  /** Tiles of the plan. */
  tiles: number;
  /** Traveltime table used ("table" / "direct"). */
  table: string;
  /** 1-minute load average after the case. */
  load: number;
  /** For extrapolated cases: how. */
  note?: string;
}

/** The standard workload's full output grid (DESIGN.md 6), centred on the survey. */
export const STANDARD_GRID = { x0: 1040, y0: 2300, d: 25, nx: 512, ny: 384 };
/** The sub-grid measured by default: 64 x 48 bins at the centre. */
export const STANDARD_SUB = { nx: 64, ny: 48 };
/**
 * The standard workload's runs: migrate's full mode (antialiased, rho 3d, taper 0.2), the same
 * with the traveltime table, plain interpolation, and the workload as DESIGN.md 6 states it (no
 * antialiasing, no taper).
 */
const STANDARD_MODES: [string, string[]][] = [
  ["full mode", []],
  ["full mode, table on", ["--traveltime-table", "on"]],
  ["aa off", ["--aa", "off"]],
  ["aa off, taper 0 (DESIGN.md 6)", ["--aa", "off", "--taper", "0"]],
];

/** Options of a run of the cases. */
export interface E2EOptions {
  /** Scratch folder. */
  dir: string;
  /** Survey sizes (default 1,000, 10,000, 100,000). */
  sizes?: number[];
  /** Run the configurations side by side. */
  configs?: boolean;
  /** Run the standard sub-grid. */
  standard?: boolean;
  /** Run the full standard workload once. */
  heavy?: boolean;
  /** Called after each case. */
  onRecord?: (record: E2ERecord) => void;
}

const SIZE_FLAGS = ["--aperture", "300", "--max-angle", "60", "--memory", "512MiB"];

async function measure(
  group: string,
  name: string,
  survey: BenchSurvey,
  out: string,
  flags: string[],
  extra: string[],
): Promise<E2ERecord> {
  const r = await runMigrate([
    survey.path,
    "-o",
    out,
    "--velocity",
    survey.velocity,
    ...flags,
    ...extra,
  ]);
  await Deno.remove(out).catch(() => {});
  const s = r.summary;
  return {
    group,
    name,
    backend: String(s.backend),
    traces: s.tracesRead,
    flags: extra,
    tracesPerSecond: s.tracesRead / s.seconds,
    contributionsPerSecond: s.contributions / s.seconds,
    seconds: s.seconds,
    times: s.times,
    kernelSeconds: s.kernelSeconds,
    peakRss: r.maxRss,
    tiles: s.tiles,
    table: s.traveltimeTable?.used ?? "direct",
    load: loadAverage(),
  };
}

/**
 * Runs the cases.
 *
 * @param options which cases, where
 * @returns the records
 */
export async function runEndToEnd(options: E2EOptions): Promise<E2ERecord[]> {
  const records: E2ERecord[] = [];
  const push = (r: E2ERecord) => {
    records.push(r);
    options.onRecord?.(r);
  };
  const dir = options.dir;
  const sizes = options.sizes ?? [1000, 10000, 100000];
  for (const n of sizes) {
    const survey = await synthSurvey(dir, "small3d", n);
    const grid = `--grid=${coveringGrid(survey.spec, 25)}`;
    const flags = [grid, ...SIZE_FLAGS];
    push(
      await measure("size", `${n} traces`, survey, `${dir}/out.sgy`, flags, ["--backend", "cpu"]),
    );
    if (n === 1000) {
      push(
        await measure("size", `${n} traces`, survey, `${dir}/out.sgy`, flags, [
          "--backend",
          "reference",
        ]),
      );
    }
    if (n === 10000 && options.configs !== false) {
      const variants: [string, string[]][] = [
        ["tiles 16 x 16 bins", ["--tile-bins", "16,16"]],
        ["batch 64", ["--batch-size", "64"]],
        ["batch 1024", ["--batch-size", "1024"]],
        ["threads 1", ["--threads", "1"]],
        ["antialiasing on", ["--aa", "on"]],
        ["table on", ["--traveltime-table", "on"]],
        ["aa + table on", ["--aa", "on", "--traveltime-table", "on"]],
      ];
      for (const [name, extra] of variants) {
        push(
          await measure("config", name, survey, `${dir}/out.sgy`, flags, [
            "--backend",
            "cpu",
            ...extra,
          ]),
        );
      }
    }
    await Deno.remove(survey.path).catch(() => {});
  }
  if (options.standard !== false || options.heavy) {
    const survey = await synthSurvey(dir, "standard");
    const g = STANDARD_GRID;
    const sx0 = g.x0 + ((g.nx - STANDARD_SUB.nx) / 2) * g.d;
    const sy0 = g.y0 + ((g.ny - STANDARD_SUB.ny) / 2) * g.d;
    const workload = ["--aperture", "1500", "--max-angle", "60", "--memory", "512MiB"];
    const factor = (g.nx * g.ny) / (STANDARD_SUB.nx * STANDARD_SUB.ny);
    for (const [label, extra] of STANDARD_MODES) {
      const sub = await measure(
        "standard",
        `standard, ${STANDARD_SUB.nx} x ${STANDARD_SUB.ny} sub-grid, ${label}`,
        survey,
        `${dir}/out.sgy`,
        [`--grid=${sx0},${sy0},${g.d},${g.d},${STANDARD_SUB.nx},${STANDARD_SUB.ny}`, ...workload],
        ["--backend", "cpu", ...extra],
      );
      push(sub);
      // the sub-grid run reads only the traces whose aperture reaches it
      const t = sub.times, readFactor = survey.traces / sub.traces;
      const seconds = t.scan + readFactor * t.read + factor * (t.kernel + t.preprocess + t.write);
      push({
        ...sub,
        name: `standard, full 512 x 384 (extrapolated x${factor}), ${label}`,
        traces: survey.traces,
        tracesPerSecond: survey.traces / seconds,
        contributionsPerSecond: (sub.contributionsPerSecond * sub.seconds * factor) / seconds,
        seconds,
        peakRss: NaN,
        note: `scan + read x ${readFactor.toFixed(2)} (all traces) + ${factor} x ` +
          "(kernel + preprocess + write) of the sub-grid run",
      });
    }
    if (options.heavy) {
      const full = await measure(
        "standard",
        "standard, full 512 x 384 (measured), full mode",
        survey,
        `${dir}/out.sgy`,
        [`--grid=${g.x0},${g.y0},${g.d},${g.d},${g.nx},${g.ny}`, ...workload],
        ["--backend", "cpu"],
      );
      // traces/s of the survey: each of its traces is read once per tile band it reaches, and
      // those reads (full.traces) are not the survey's traces
      push({
        ...full,
        traces: survey.traces,
        tracesPerSecond: survey.traces / full.seconds,
        note: `${full.traces} trace reads over ${full.tiles} tiles`,
      });
    }
    await Deno.remove(survey.path).catch(() => {});
  }
  return records;
}

/**
 * A text table of records.
 *
 * @param records measured cases
 * @returns lines
 */
export function formatRecords(records: E2ERecord[]): string {
  const lines = [
    "case                                                     backend    traces  traces/s  " +
    "Mcontrib/s  s       peak RSS  tiles table  load",
  ];
  for (const r of records) {
    lines.push(
      `${r.name.padEnd(56)} ${r.backend.padEnd(10)} ${String(r.traces).padStart(6)} ` +
        `${r.tracesPerSecond.toFixed(0).padStart(9)} ` +
        `${(r.contributionsPerSecond / 1e6).toFixed(0).padStart(11)}  ${
          r.seconds.toFixed(1).padEnd(7)
        } ` +
        `${
          Number.isFinite(r.peakRss) ? (r.peakRss / 1e6).toFixed(0).padStart(5) + " MB" : "    -   "
        } ` +
        `${String(r.tiles).padStart(5)} ${r.table.padEnd(6)} ${r.load.toFixed(2)}`,
    );
  }
  return lines.join("\n");
}

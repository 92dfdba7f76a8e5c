/**
 * Runs the end-to-end cases (bench/end_to_end.ts) outside `deno bench` and
 * prints a table, or one JSON document for scripts.
 *
 *     deno run -A bench/report.ts [--json] [--chart out.png] [--heavy]
 *                                 [--sizes 1000,10000,100000] [--no-configs] [--no-standard]
 *
 * --heavy adds the full standard workload (512 x 384 x 1,001 output, 31,350
 * traces; ~8 minutes on the 2-core bench machine).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { writeThroughputChart } from "./chart.ts";
import { type E2ERecord, formatRecords, runEndToEnd } from "./end_to_end.ts";

/**
 * The chart bars of a set of records: traces/s per survey size, one series
 * per backend and standard-workload mode.
 *
 * @param records measured cases
 * @returns bars
 */
export function chartBars(records: E2ERecord[]) {
  return records
    .filter((r) => r.group === "size" || (r.group === "standard" && r.name.includes("full 512")))
    .map((r) => ({
      group: r.group === "size" ? `${r.traces} traces` : "standard (full)",
      series: `${r.backend}${
        r.group === "standard" ? `, ${r.name.replace(/^standard, full 512 x 384 /, "")}` : ""
      }`,
      value: r.tracesPerSecond,
    }));
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      json: { type: "boolean" },
      chart: { type: "string" },
      heavy: { type: "boolean" },
      sizes: { type: "string" },
      "no-configs": { type: "boolean" },
      "no-standard": { type: "boolean" },
    },
  });
  const dir = await Deno.makeTempDir({ prefix: "pstm-e2e-bench-" });
  try {
    const records = await runEndToEnd({
      dir,
      sizes: values.sizes?.split(",").map(Number),
      configs: !values["no-configs"],
      standard: !values["no-standard"],
      heavy: values.heavy,
      onRecord: values.json ? undefined : (r) => console.log(formatRecords([r]).split("\n")[1]),
    });
    if (values.chart) {
      await writeThroughputChart(values.chart, chartBars(records), "pstm end-to-end traces/s");
    }
    if (values.json) {
      console.log(JSON.stringify({
        bench: "end-to-end",
        machine: machine(),
        date: new Date().toISOString(),
        records,
      }, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v)));
    } else {
      console.log("\n" + formatRecords(records));
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * The CPU model and core count, from /proc/cpuinfo.
 *
 * @returns a description
 */
export function machine(): string {
  try {
    const info = Deno.readTextFileSync("/proc/cpuinfo");
    const model = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? "unknown CPU";
    const cores = (info.match(/^processor\s*:/gm) ?? []).length;
    return `${model}, ${cores} cores`;
  } catch {
    return "unknown";
  }
}

/**
 * End-to-end traces/s under `deno bench`: the cases of bench/end_to_end.ts
 * (survey sizes 1,000 / 10,000 / 100,000 traces, configurations side by side
 * on 10,000 traces, the standard workload on a sub-grid, extrapolated), each
 * run once as a `pstm migrate` subprocess. A table is printed at the end.
 *
 *     deno task bench
 *     PSTM_BENCH_JSON=out.json   also write the records as one JSON document
 *     PSTM_BENCH_CHART=out.png   also draw traces/s against survey size
 *     PSTM_BENCH_HEAVY=1         also run the full standard workload (~8 min)
 *
 * @module
 */

import { writeThroughputChart } from "./chart.ts";
import { type E2ERecord, formatRecords, runEndToEnd } from "./end_to_end.ts";
import { chartBars, machine } from "./report.ts";

const records: E2ERecord[] = [];

Deno.bench({
  name: "end-to-end: sizes, configurations, standard workload (table printed at the end)",
  group: "end-to-end",
  n: 1,
  warmup: 0,
  permissions: "inherit",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "pstm-e2e-bench-" });
    try {
      records.push(...await runEndToEnd({ dir, heavy: Deno.env.get("PSTM_BENCH_HEAVY") === "1" }));
    } finally {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});

globalThis.addEventListener("unload", () => {
  if (records.length === 0) return;
  console.log(`\nend-to-end on ${machine()}:\n${formatRecords(records)}`);
  const json = Deno.env.get("PSTM_BENCH_JSON");
  if (json) {
    Deno.writeTextFileSync(
      json,
      JSON.stringify({ bench: "end-to-end", machine: machine(), records }),
    );
  }
});

const chart = Deno.env.get("PSTM_BENCH_CHART");
if (chart) {
  Deno.bench({
    name: "end-to-end: chart",
    group: "end-to-end",
    n: 1,
    warmup: 0,
    permissions: "inherit",
    async fn() {
      if (records.length) await writeThroughputChart(chart, chartBars(records), "traces/s");
    },
  });
}

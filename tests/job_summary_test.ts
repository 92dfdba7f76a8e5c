import assert from "node:assert/strict";
import { buildSummary, type SummaryInput } from "../pipeline/job/summary.ts";
import { newStageTimes } from "../pipeline/streams/stage_times.ts";
import { formatSummary } from "../cli/migrate.ts";

const base: SummaryInput = {
  output: "out.sgy",
  complete: true,
  traces: 100,
  tiles: { total: 6, written: 4, resumed: 2 },
  passes: 3,
  started: performance.now() - 2000,
  times: { ...newStageTimes(), kernel: 1.5 },
  grid: { x0: 0, y0: 0, dx: 25, dy: 25, nx: 3, ny: 2, azimuthDeg: 0 },
  time: { tau0: 0, dtau: 0.004, ntau: 10 },
  classes: { first: 0, width: 1e9, count: 1 },
  plan: { tileNx: 2, tileNy: 1, budget: 1 << 20 },
};

Deno.test("summary: a run's summary carries the backend's statistics and the counts", () => {
  const backend = {
    name: "cpu",
    device: "2 threads",
    stats: () => ({ contributions: 1234, kernelSeconds: 0.5, deviceBytes: 0 }),
  };
  const s = buildSummary({
    ...base,
    backend,
    counts: { tracesRead: 250, nonFiniteZeroed: 3 },
    traveltimeTable: { mode: "off", used: "direct", reason: "forced", tilesWithTable: 0 },
  });
  assert.deepEqual(
    [s.backend, s.device, s.contributions, s.kernelSeconds, s.tracesRead, s.nonFiniteZeroed],
    ["cpu", "2 threads", 1234, 0.5, 250, 3],
  );
  assert.deepEqual([s.tiles, s.tilesWritten, s.tilesResumed, s.passes], [6, 4, 2, 3]);
  assert.ok(s.seconds >= 2, `wall time ${s.seconds}`);
  assert.ok(s.peakRss > 0);
  assert.equal(s.traveltimeTable?.used, "direct");
  // the text and JSON output are made from the same object
  const text = formatSummary(s);
  assert.match(text, /cpu \(2 threads\)/);
  assert.match(text, /250 read in 3 pass/);
  // input traces/s and reads/s are told apart (a trace is read once per tile band it reaches)
  const rates = text.match(/: (\d+) input traces\/s, (\d+) reads\/s/);
  assert.ok(rates, text);
  const traces = s.traces, reads = 250;
  assert.ok(Math.abs(Number(rates[2]) / Number(rates[1]) - reads / traces) < 0.1, rates[0]);
  assert.match(text, /zeroed\s+3 NaN\/Inf/);
  assert.equal(JSON.parse(JSON.stringify(s)).contributions, 1234);
});

Deno.test("summary: a run with nothing to do reports no backend and no traveltime table", () => {
  const s = buildSummary({ ...base, tiles: { total: 6, written: 0, resumed: 6 }, passes: 0 });
  assert.deepEqual([s.backend, s.device, s.contributions, s.tracesRead], ["none", "none", 0, 0]);
  assert.ok(!("traveltimeTable" in s));
});

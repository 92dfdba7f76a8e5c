import assert from "node:assert/strict";
import { formatDuration, Progress, progressMode } from "../pipeline/job/progress.ts";
import { formatBytes, parseSize, peakRss } from "../pipeline/plan/memory.ts";
import { PstmError } from "../core/errors.ts";

Deno.test("Progress writes JSON lines in json mode", () => {
  const lines: string[] = [];
  const p = new Progress("json", { write: (s) => lines.push(s) });
  p.start(100, 2);
  p.advance(50, 1);
  p.event("tile", { tile: 3 });
  const event = JSON.parse(lines[0]);
  assert.equal(event.event, "tile");
  assert.equal(event.tile, 3);
  assert.match(p.line(), /50\/100 traces 1\/2 tiles/);
});

Deno.test("Progress draws a bar and says nothing when quiet", () => {
  const bar: string[] = [];
  const p = new Progress("bar", { write: (s) => bar.push(s) });
  p.start(10, 1);
  p.advance(10, 1);
  p.event("note", {}, "hello");
  p.finish();
  assert.ok(bar.some((s) => s.includes("100%")));
  assert.ok(bar.some((s) => s.includes("hello")));
  const quiet: string[] = [];
  const q = new Progress("quiet", { write: (s) => quiet.push(s) });
  q.event("x");
  q.advance(1);
  q.finish();
  assert.equal(quiet.length, 0);
  const text: string[] = [];
  new Progress("text", { write: (s) => text.push(s) }).event("plan", { a: 1 });
  assert.match(text[0], /plan/);
});

Deno.test("progressMode prefers quiet, then json, then a bar only on a terminal", () => {
  assert.equal(progressMode({ quiet: true, log: "json" }), "quiet");
  assert.equal(progressMode({ log: "json" }), "json");
  assert.ok(["bar", "text"].includes(progressMode({})));
});

Deno.test("formatDuration formats seconds, minutes and hours", () => {
  assert.equal(formatDuration(12.2), "12s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(3720), "1h02m");
  assert.equal(formatDuration(NaN), "--");
});

Deno.test("parseSize reads units and rejects nonsense", () => {
  assert.equal(parseSize("512MiB"), 512 * 1024 ** 2);
  assert.equal(parseSize("2G"), 2e9);
  assert.equal(parseSize("1000"), 1000);
  assert.equal(parseSize("1.5 KiB"), 1536);
  assert.throws(() => parseSize("lots"), PstmError);
  assert.throws(() => parseSize("0"), PstmError);
  assert.throws(() => parseSize("5XB"), PstmError);
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(12), "12 B");
  assert.ok(peakRss() > 1e6);
});

Deno.test("Progress sends periodic progress events in json mode: traces, tiles, rate, ETA", async () => {
  const lines: string[] = [];
  const p = new Progress("json", { write: (s) => lines.push(s) }, 0.05);
  p.start(1000, 4);
  p.advance(100, 0); // too soon after start: no event
  assert.equal(lines.length, 0);
  await new Promise((r) => setTimeout(r, 80));
  p.advance(150, 1);
  const events = lines.map((l) => JSON.parse(l));
  assert.equal(events.length, 1);
  const e = events[0];
  assert.equal(e.event, "progress");
  assert.match(e.time, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual([e.traces, e.totalTraces, e.tiles, e.totalTiles], [250, 1000, 1, 4]);
  assert.ok(e.tracesPerSecond > 0 && e.etaSeconds > 0, JSON.stringify(e));
  // text and bar modes send no progress events
  const text: string[] = [];
  const t = new Progress("text", { write: (s) => text.push(s) }, 0);
  t.start(10, 1);
  t.advance(5);
  assert.equal(text.length, 0);
});

Deno.test("JSON events keep their timestamp: a field named time is kept under data", () => {
  const lines: string[] = [];
  const p = new Progress("json", { write: (s) => lines.push(s) });
  p.event("summary", { time: { tau0: 0, dtau: 0.004, ntau: 10 }, event: "x", traces: 3 });
  const e = JSON.parse(lines[0]);
  assert.equal(e.event, "summary");
  assert.ok(!Number.isNaN(Date.parse(e.time)), e.time);
  assert.deepEqual(e.data, { time: { tau0: 0, dtau: 0.004, ntau: 10 }, event: "x" });
  assert.equal(e.traces, 3);
});

Deno.test("pstm --log json reports errors as one JSON event with the exit code and location", async () => {
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const run = async (args: string[]) => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli, ...args],
      stdin: "null",
    }).output();
    return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
  };
  const missing = await run([
    "migrate",
    "missing.sgy",
    "-o",
    "x.sgy",
    "--velocity",
    "2000",
    "--log",
    "json",
  ]);
  assert.equal(missing.code, 2);
  const lines = missing.stderr.trim().split("\n");
  assert.equal(lines.length, 1, missing.stderr);
  const e = JSON.parse(lines[0]);
  assert.equal(e.event, "error");
  assert.equal(e.exitCode, 2);
  assert.match(e.message, /missing\.sgy/);
  assert.equal(e.file, "missing.sgy");
  const flag = JSON.parse(
    (await run(["migrate", "a.sgy", "-o", "x.sgy", "--velocty", "1", "--log=json"])).stderr,
  );
  assert.equal(flag.event, "error");
  assert.match(flag.message, /did you mean --velocity/);
  // without --log json the same error is a line for people
  const text = await run(["migrate", "missing.sgy", "-o", "x.sgy", "--velocity", "2000"]);
  assert.match(text.stderr, /^pstm: error: .*missing\.sgy/);
});

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

/**
 * Progress and events on stderr: a progress bar on a terminal (traces,
 * tiles, traces/s, ETA), JSON lines with `--log json`, nothing with
 * `--quiet`.
 *
 * @module
 */

/** How progress is shown. */
export type ProgressMode = "bar" | "json" | "quiet" | "text";

/**
 * Picks the mode: quiet wins, then json; a bar only on a terminal; plain
 * text lines otherwise.
 *
 * @param options the command-line choices
 * @returns the mode
 */
export function progressMode(options: { quiet?: boolean; log?: string }): ProgressMode {
  if (options.quiet) return "quiet";
  if (options.log === "json") return "json";
  return Deno.stderr.isTerminal() ? "bar" : "text";
}

/**
 * Reports progress of a run to stderr (or a given writer).
 *
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { Progress } from "./progress.ts";
 * const lines: string[] = [];
 * const p = new Progress("json", { write: (s) => lines.push(s) });
 * p.event("start", { traces: 10 });
 * assert(JSON.parse(lines[0]).event === "start");
 * ```
 */
export class Progress {
  readonly #mode: ProgressMode;
  readonly #write: (text: string) => void;
  #totalTraces = 0;
  #totalTiles = 0;
  #traces = 0;
  #tiles = 0;
  #start = performance.now();
  #lastDraw = 0;
  #lastEvent = 0;
  readonly #everyMs: number;

  /**
   * Creates a progress reporter.
   *
   * @param mode bar, json, text or quiet
   * @param sink where text goes (default: stderr)
   * @param everySeconds in json mode, the interval of "progress" events (default 5 s, or
   *   `PSTM_PROGRESS_SECONDS`)
   */
  constructor(
    mode: ProgressMode,
    sink?: { write: (text: string) => void },
    everySeconds?: number,
  ) {
    this.#mode = mode;
    const fromEnv = Number(Deno.env.get("PSTM_PROGRESS_SECONDS") ?? NaN);
    this.#everyMs = 1000 * (everySeconds ?? (fromEnv >= 0 ? fromEnv : 5));
    const encoder = new TextEncoder();
    this.#write = sink?.write ?? ((text) => Deno.stderr.writeSync(encoder.encode(text)));
  }

  /** The mode in use. */
  get mode(): ProgressMode {
    return this.#mode;
  }

  /**
   * Sets the totals the bar counts towards and restarts the clock.
   *
   * @param traces traces to read
   * @param tiles tiles to finish
   */
  start(traces: number, tiles: number): void {
    this.#totalTraces = traces;
    this.#totalTiles = tiles;
    this.#start = performance.now();
    this.#lastEvent = this.#start;
  }

  /**
   * Adds finished work and redraws (at most 10 times a second).
   *
   * @param traces traces read since the last call
   * @param tiles tiles finished since the last call
   */
  advance(traces: number, tiles = 0): void {
    this.#traces += traces;
    this.#tiles += tiles;
    const now = performance.now();
    if (this.#mode === "bar" && (now - this.#lastDraw > 100 || tiles > 0)) {
      this.#lastDraw = now;
      this.#write(`\r${this.line()}\x1b[K`);
    }
    if (this.#mode === "json" && now - this.#lastEvent >= this.#everyMs) {
      this.#lastEvent = now;
      this.event("progress", this.figures());
    }
  }

  /**
   * Where the run stands: traces and tiles done of their totals, the rate and the expected
   * time left (null until a trace is read).
   *
   * @returns the figures of a "progress" event
   */
  figures(): {
    traces: number;
    totalTraces: number;
    tiles: number;
    totalTiles: number;
    tracesPerSecond: number;
    elapsedSeconds: number;
    etaSeconds: number | null;
  } {
    const seconds = (performance.now() - this.#start) / 1000;
    const rate = seconds > 0 ? this.#traces / seconds : 0;
    const eta = rate > 0 ? Math.max(0, this.#totalTraces - this.#traces) / rate : null;
    return {
      traces: this.#traces,
      totalTraces: this.#totalTraces,
      tiles: this.#tiles,
      totalTiles: this.#totalTiles,
      tracesPerSecond: Math.round(rate * 10) / 10,
      elapsedSeconds: Math.round(seconds * 10) / 10,
      etaSeconds: eta === null ? null : Math.round(eta * 10) / 10,
    };
  }

  /** The progress line: percent, traces, tiles, rate, ETA. */
  line(): string {
    const seconds = (performance.now() - this.#start) / 1000;
    const rate = seconds > 0 ? this.#traces / seconds : 0;
    const fraction = this.#totalTraces > 0 ? Math.min(1, this.#traces / this.#totalTraces) : 0;
    const width = 24;
    const filled = Math.round(fraction * width);
    const eta = rate > 0 ? (this.#totalTraces - this.#traces) / rate : NaN;
    return `[${"#".repeat(filled)}${"-".repeat(width - filled)}] ` +
      `${(100 * fraction).toFixed(0).padStart(3)}% ${this.#traces}/${this.#totalTraces} traces ` +
      `${this.#tiles}/${this.#totalTiles} tiles ${formatRate(rate)} traces/s ETA ${
        formatDuration(eta)
      }`;
  }

  /**
   * Reports an event: a JSON line in json mode, a text line in text and bar
   * modes, nothing when quiet.
   *
   * @param name event name
   * @param data event fields
   * @param text human text (default: the fields)
   */
  event(name: string, data: Record<string, unknown> = {}, text?: string): void {
    if (this.#mode === "quiet") return;
    if (this.#mode === "json") {
      this.#write(jsonEvent(name, data) + "\n");
      return;
    }
    const body = text ?? `${name} ${JSON.stringify(data)}`;
    this.#write(this.#mode === "bar" ? `\r\x1b[K${body}\n` : `${body}\n`);
  }

  /** Ends the bar line. */
  finish(): void {
    if (this.#mode === "bar") this.#write(`\r${this.line()}\x1b[K\n`);
  }
}

/**
 * One JSON log line: `event` and `time` (the ISO timestamp) first, then the fields; a field
 * named like them is kept under a `data` key instead of overwriting them.
 *
 * @param name event name
 * @param data event fields
 * @returns the JSON text (no newline)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { jsonEvent } from "./progress.ts";
 * const e = JSON.parse(jsonEvent("summary", { time: { tau0: 0 }, traces: 4 }));
 * assert.equal(e.event, "summary");
 * assert.equal(typeof e.time, "string"); // the timestamp, not the summary's time axis
 * assert.deepEqual(e.data.time, { tau0: 0 });
 * assert.equal(e.traces, 4);
 * ```
 */
export function jsonEvent(name: string, data: Record<string, unknown>): string {
  const fields: Record<string, unknown> = {};
  const clashing: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === "event" || key === "time" || key === "data") clashing[key] = value;
    else fields[key] = value;
  }
  const head = { event: name, time: new Date().toISOString() };
  return JSON.stringify({
    ...head,
    ...fields,
    ...(Object.keys(clashing).length ? { data: clashing } : {}),
  });
}

function formatRate(rate: number): string {
  if (rate >= 1e6) return `${(rate / 1e6).toFixed(2)}M`;
  if (rate >= 1e3) return `${(rate / 1e3).toFixed(1)}k`;
  return rate.toFixed(0);
}

/**
 * Formats seconds as "1h02m", "3m05s" or "12s" ("--" when unknown).
 *
 * @param seconds a duration
 * @returns the text
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--";
  const s = Math.round(seconds);
  if (s >= 3600) {
    return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
  }
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

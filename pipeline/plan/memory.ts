/**
 * Memory sizes: parsing `--memory`, the default budget, and peak RSS.
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";

const UNITS: Record<string, number> = {
  "": 1,
  B: 1,
  K: 1e3,
  KB: 1e3,
  KIB: 1024,
  M: 1e6,
  MB: 1e6,
  MIB: 1024 ** 2,
  G: 1e9,
  GB: 1e9,
  GIB: 1024 ** 3,
  T: 1e12,
  TB: 1e12,
  TIB: 1024 ** 4,
};

/**
 * Parses a size such as "512MiB", "2G", "1.5GB" or "1048576" into bytes.
 *
 * @param text the size
 * @param field the flag it came from, for the error message
 * @returns bytes
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseSize } from "./memory.ts";
 * assert(parseSize("512MiB") === 512 * 1024 * 1024);
 * ```
 */
export function parseSize(text: string, field = "--memory"): number {
  const match = /^\s*([0-9]*\.?[0-9]+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = match ? UNITS[match[2].toUpperCase()] : undefined;
  if (!match || unit === undefined) {
    throw new PstmError(
      `expected a size such as 512MiB, 2GiB or 1000000 (bytes), got "${text}"`,
      { field },
    );
  }
  const bytes = Math.floor(Number(match[1]) * unit);
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    throw new PstmError(`size must be a positive number of bytes below 2^53, got "${text}"`, {
      field,
    });
  }
  return bytes;
}

/**
 * Formats bytes for humans ("1.5 GiB").
 *
 * @param bytes a size
 * @returns the text
 */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes, i = 0;
  while (value >= 1024 && i < units.length - 1) [value, i] = [value / 1024, i + 1];
  return `${value.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/**
 * The default memory budget: half of the memory available now, at least 64 MiB.
 *
 * @returns bytes
 */
export function defaultMemoryBudget(): number {
  let available = 2 * 1024 ** 3;
  try {
    available = Deno.systemMemoryInfo().available;
  } catch { /* keep the guess */ }
  return Math.max(64 * 1024 ** 2, Math.floor(available / 2));
}

/**
 * Peak resident set size of this process (VmHWM on Linux), or the current
 * RSS where the peak is not available.
 *
 * @returns bytes
 */
export function peakRss(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(status);
    if (match) return Number(match[1]) * 1024;
  } catch { /* not Linux */ }
  return Deno.memoryUsage().rss;
}

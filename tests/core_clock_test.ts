/**
 * The kernel bench's clock (bench/core_clock.ts): measured on the busy cores
 * from a chain of dependent adds, in the range of a real CPU, and bad
 * arguments refused by the library.
 */
import assert from "node:assert/strict";
import { measureCoreClock, nominalClockGhz } from "../bench/core_clock.ts";
import { ensureCpuLibrary } from "../bench/kernel_cases.ts";

Deno.test("core clock: a chain of dependent adds on every core gives a real CPU's clock", async () => {
  await ensureCpuLibrary();
  const ghz = measureCoreClock(0, 0.05);
  // no CPU this runs on retires one dependent add per cycle below 0.3 GHz or above 7
  assert(ghz > 0.3 && ghz < 7, `measured ${ghz} GHz`);
  const one = measureCoreClock(1, 0.05);
  assert(one > 0.3 && one < 7, `one thread: ${one} GHz`);
});

Deno.test("core clock: seconds outside (0, 10] are refused", async () => {
  await ensureCpuLibrary();
  assert.throws(() => measureCoreClock(0, 0), /status 1/);
  assert.throws(() => measureCoreClock(0, 11), /status 1/);
});

Deno.test("core clock: the nominal clock of /proc/cpuinfo is a number of GHz or 0", () => {
  const ghz = nominalClockGhz();
  assert(ghz === 0 || (ghz > 0.1 && ghz < 10), `nominal ${ghz} GHz`);
});

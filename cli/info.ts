/**
 * `pstm info`: the backends found on this machine, their devices and
 * memory, and why a backend is unavailable.
 *
 * @module
 */

import { nativeDeviceInfo } from "../backends/native/mod.ts";
import { formatBytes } from "../pipeline/plan/memory.ts";
import { webgpuAvailability } from "../backends/webgpu/mod.ts";
import { EXIT_OK } from "../core/errors.ts";
import type { Command } from "./command.ts";

/** One backend's availability. */
export interface BackendReport {
  /** Backend name. */
  name: string;
  /** Whether it can be used. */
  available: boolean;
  /** Devices and memory, or why it is unavailable. */
  detail: string;
}

/**
 * Probes every backend.
 *
 * @returns one report per backend, in `--backend auto` preference order
 */
export async function probeBackends(): Promise<BackendReport[]> {
  const reports: BackendReport[] = [];
  for (const kind of ["cuda", "cpu"] as const) {
    const found = nativeDeviceInfo(kind);
    reports.push({
      name: kind,
      available: found.available,
      detail: found.available
        ? found.devices.map((d) =>
          `${d.name} (${formatBytes(d.freeBytes)} free of ${formatBytes(d.totalBytes)})`
        ).join("; ")
        : found.reason,
    });
  }
  const gpu = await webgpuAvailability();
  reports.push({
    name: "webgpu",
    available: gpu.available,
    detail: gpu.available ? `${gpu.adapter ?? "adapter"}` : gpu.reason,
  });
  reports.push({ name: "reference", available: true, detail: "TypeScript (float64), always" });
  return reports;
}

/** The info command. */
export const infoCommand: Command = {
  spec: {
    name: "info",
    summary: "list the backends found, their devices and memory",
    usage: "info [--json]",
    positionals: { min: 0, max: 0 },
    flags: { json: { type: "boolean", description: "print JSON" } },
    examples: ["pstm info", "pstm info --json"],
  },
  async run(args) {
    const reports = await probeBackends();
    const auto = reports.find((r) => r.available && (r.name === "cuda" || r.name === "cpu"));
    if (args.values.json) {
      console.log(JSON.stringify({ backends: reports, auto: auto?.name ?? null }, null, 2));
      return EXIT_OK;
    }
    console.log(`pstm on ${Deno.build.os}/${Deno.build.arch}, Deno ${Deno.version.deno}`);
    for (const r of reports) {
      console.log(`  ${r.name.padEnd(10)} ${r.available ? "yes" : "no "}  ${r.detail}`);
    }
    console.log(`--backend auto picks: ${auto?.name ?? "nothing (build the native library)"}`);
    return EXIT_OK;
  },
};

/**
 * Writes a synthetic survey to SEG-Y (a file, or stdout with "-") and its
 * truth JSON, streamed batch by batch.
 *
 * @module
 */

import { SegyWriter } from "../segy/segy_writer.ts";
import { synthBatches, type SynthSpec, synthTraceCount, synthTruth } from "./synth.ts";

/**
 * Writes a synthetic survey to a SEG-Y file (or stdout with "-") and its
 * truth JSON.
 *
 * @param spec the survey
 * @param output SEG-Y path or "-"
 * @param truthPath where the truth JSON goes (undefined: nowhere)
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { writeSynthetic } from "./write_synthetic.ts";
 * import { synthPreset, synthTraceCount } from "./synth.ts";
 * import { SegyFile } from "../segy/segy_file.ts";
 * const dir = await Deno.makeTempDir();
 * const spec = synthPreset("small3d");
 * await writeSynthetic(spec, `${dir}/s.sgy`, `${dir}/s.truth.json`);
 * using file = await SegyFile.open(`${dir}/s.sgy`);
 * assert.equal(file.info.traceCount, synthTraceCount(spec));
 * assert(JSON.parse(await Deno.readTextFile(`${dir}/s.truth.json`)).diffractors.length > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSynthetic(
  spec: SynthSpec,
  output: string,
  truthPath: string | undefined,
): Promise<void> {
  if (truthPath) {
    await Deno.writeTextFile(truthPath, JSON.stringify(synthTruth(spec), null, 2) + "\n");
  }
  const unit = spec.unit ?? "m";
  const system = unit === "ft" ? 2 : 1;
  const writer = await SegyWriter.create(output, {
    measurementSystem: system,
    ns: spec.ns,
    dt: spec.dt,
    t0: 0,
    textHeader: [
      `pstm synthetic survey, preset ${spec.name}`,
      `${synthTraceCount(spec)} traces, ${spec.ns} samples at ${spec.dt * 1000} ms`,
      `velocity (tau s:vrms ${unit}/s) ${spec.velocity.map((p) => `${p.tau}:${p.v}`).join(",")}`,
      `coordinates in ${unit === "ft" ? "feet" : "metres"} (measurement system ${system})`,
      `diffractors ${spec.diffractors.map((d) => `(${d.x},${d.y},${d.tau})`).join(" ")}`,
    ].join("\n"),
  });
  try {
    for (const batch of synthBatches(spec, 1024)) await writer.write(batch);
  } finally {
    await writer.close();
  }
}

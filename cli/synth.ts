/**
 * `pstm synth -o OUT.sgy [--preset NAME] [--traces N]`: writes a synthetic
 * prestack survey and a JSON truth file, streamed batch by batch.
 *
 * @module
 */

import { EXIT_OK, PstmError } from "../core/errors.ts";
import { optionHelp, SYNTH_ORDER } from "../core/options.ts";
import {
  parseSynthOrder,
  SYNTH_PRESETS,
  synthInFeet,
  synthPreset,
  synthTraceCount,
} from "../pipeline/synth/synth.ts";
import { writeSynthetic } from "../pipeline/synth/write_synthetic.ts";
import { numberFlag, stringFlag } from "./args.ts";
import type { Command } from "./command.ts";

/** The synth command. */
export const synthCommand: Command = {
  spec: {
    name: "synth",
    summary: "write a synthetic 2-D or 3-D prestack survey with a JSON truth file",
    usage: "synth -o OUT.sgy [--preset NAME] [--traces N] [--order ORDER] [--truth FILE]",
    positionals: { min: 0, max: 0 },
    flags: {
      output: {
        type: "string",
        short: "o",
        value: "OUT.sgy",
        description: "output (- for stdout)",
      },
      preset: {
        type: "string",
        value: "NAME",
        default: "demo3d",
        description: `survey: ${SYNTH_PRESETS.join(", ")}`,
      },
      traces: { type: "string", value: "N", description: "about N traces (grid scaled)" },
      order: {
        type: "string",
        value: SYNTH_ORDER.names.join("|"),
        default: SYNTH_ORDER.default,
        description: optionHelp(SYNTH_ORDER, false),
      },
      truth: { type: "string", value: "FILE", description: "truth JSON (default: OUT.truth.json)" },
      noise: { type: "string", value: "SIGMA", description: "add Gaussian noise" },
      feet: {
        type: "boolean",
        description: "the survey in feet: coordinates in ft, velocities in ft/s, measurement " +
          "system 2 (same times)",
      },
      seed: { type: "string", value: "N", description: "noise seed" },
    },
    examples: [
      "pstm synth -o survey.sgy --preset demo3d",
      "pstm synth -o big.sgy --preset standard --traces 1000000",
      "pstm synth -o - --preset line2d | pstm scan -",
      "pstm synth -o field.sgy --preset small3d --traces 500000 --order shot",
      "pstm synth -o feet.sgy --preset small3d --feet",
    ],
  },
  async run(args) {
    const output = stringFlag(args, "output");
    if (output === undefined) throw new PstmError("-o OUT.sgy is required", { field: "-o" });
    const traces = numberFlag(args, "traces", 1, 1e9);
    const preset = synthPreset(stringFlag(args, "preset") ?? "demo3d", traces);
    const spec = args.values.feet === true ? synthInFeet(preset) : preset;
    const noise = numberFlag(args, "noise", 0, 1e6);
    const seed = numberFlag(args, "seed", 0, 2 ** 32);
    spec.order = parseSynthOrder(stringFlag(args, "order") ?? "cmp");
    if (noise !== undefined) spec.noise = noise;
    if (seed !== undefined) spec.seed = seed;
    const truthPath = stringFlag(args, "truth") ??
      (output === "-" ? undefined : `${output.replace(/\.(sgy|segy)$/i, "")}.truth.json`);
    await writeSynthetic(spec, output, truthPath);
    if (output !== "-") {
      console.error(
        `pstm: wrote ${synthTraceCount(spec)} traces (${spec.name}, ${spec.order} order) to ` +
          output +
          (truthPath ? `, truth in ${truthPath}` : ""),
      );
    }
    return EXIT_OK;
  },
};

/**
 * `pstm demo`: the README's first command. Synthesizes a 3-D survey with
 * three point diffractors and a flat reflector, migrates it on the CPU
 * backend in full mode, prints where each diffractor focused against the
 * truth, and writes pictures (fold map, an inline and a time slice through a
 * diffractor, a common-image gather).
 *
 * @module
 */

import {
  binOf,
  checkGrid,
  crosslineNumber,
  type GridSpec,
  inlineNumber,
} from "../pipeline/plan/grid.ts";
import { EXIT_OK, EXIT_RUNTIME } from "../core/errors.ts";
import { findFocus, readStack } from "../pipeline/qc/focus.ts";
import { parseJobConfig } from "../pipeline/job/job_config.ts";
import { runMigration } from "../pipeline/job/migrate_job.ts";
import { Progress, progressMode } from "../pipeline/job/progress.ts";
import {
  synthGrid,
  synthGridFlag,
  synthPreset,
  synthTraceCount,
  synthVelocityText,
} from "../pipeline/synth/synth.ts";
import { parseCommandArgs, stringFlag } from "./args.ts";
import type { Command } from "./command.ts";
import { formatSummary } from "./migrate.ts";
import { plotCommand } from "./plot.ts";
import { scanCommand } from "./scan.ts";
import { writeSynthetic } from "../pipeline/synth/write_synthetic.ts";

/** The demo command. */
export const demoCommand: Command = {
  spec: {
    name: "demo",
    summary: "synthesize a 3-D survey, migrate it, report the foci and write pictures",
    usage: "demo [--out DIR] [--backend auto|cpu|cuda|webgpu|reference]",
    positionals: { min: 0, max: 0 },
    flags: {
      out: { type: "string", value: "DIR", default: "demo-output", description: "where files go" },
      backend: { type: "string", value: "NAME", default: "auto", description: "backend" },
      quiet: { type: "boolean", short: "q", description: "no progress bar" },
    },
    examples: ["pstm demo", "pstm demo --out demo-webgpu --backend webgpu"],
  },
  async run(args) {
    const dir = stringFlag(args, "out") ?? "demo-output";
    await Deno.mkdir(dir, { recursive: true });
    const say = (line: string) => console.log(line);
    const spec = synthPreset("demo3d");
    const survey = `${dir}/survey.sgy`, image = `${dir}/image.sgy`;
    say(
      `1. synthesizing ${synthTraceCount(spec)} traces (${spec.nx} x ${spec.ny} midpoints, ` +
        `${spec.offsets.length} offsets, ${spec.ns} samples at ${spec.dt * 1000} ms) -> ${survey}`,
    );
    await writeSynthetic(spec, survey, `${dir}/survey.truth.json`);

    say(`2. scanning the headers (pstm scan ${survey} --plot ${dir}/fold.png)`);
    await scanCommand.run(
      parseCommandArgs(scanCommand.spec, [survey, "--plot", `${dir}/fold.png`]),
    );

    const grid: GridSpec = checkGrid(synthGrid(spec));
    const job = parseJobConfig({
      input: survey,
      output: image,
      velocity: synthVelocityText(spec),
      grid: synthGridFlag(spec),
      aperture: 1000,
      maxAngle: 70,
      taper: 0.2,
      aa: true,
      rho: "3d",
      weights: "obliquity",
      offsetClasses: "0:200:4",
      backend: stringFlag(args, "backend") ?? "auto",
    }, "demo");
    say(
      `3. migrating (full mode: aperture 1000 m, max angle 70 deg, taper 0.2, antialiasing, ` +
        `rho 3d, obliquity weights, 4 offset classes) -> ${image}`,
    );
    const progress = new Progress(progressMode({ quiet: args.values.quiet === true }));
    const summary = await runMigration(job, progress);
    say(formatSummary(summary));

    say("4. where each diffractor focused (energy maximum near the truth):");
    const stack = await readStack(image, grid, 4);
    let misses = 0;
    for (const d of spec.diffractors) {
      const focus = findFocus(stack, d.x, d.y, d.tau);
      const b = binOf(grid, d.x, d.y);
      const dBins = Math.max(Math.abs(focus.ix - b.ix), Math.abs(focus.iy - b.iy));
      const dSamples = Math.abs(focus.tau - d.tau) / summary.time.dtau;
      const ok = dBins <= 0.5 && dSamples <= 1;
      if (!ok) misses++;
      say(
        `   truth (x ${d.x}, y ${d.y}, tau ${d.tau.toFixed(3)} s) -> focused at inline ` +
          `${inlineNumber(grid, focus.iy)}, crossline ${crosslineNumber(grid, focus.ix)} ` +
          `(x ${focus.x.toFixed(0)}, y ${focus.y.toFixed(0)}), tau ${focus.tau.toFixed(3)} s: ` +
          (ok ? "on target" : `off by ${dBins.toFixed(1)} bins, ${dSamples.toFixed(1)} samples`),
      );
    }

    const d = spec.diffractors[0];
    const b = binOf(grid, d.x, d.y);
    const il = inlineNumber(grid, Math.round(b.iy)), xl = crosslineNumber(grid, Math.round(b.ix));
    const pictures: [string, string[]][] = [
      [`${dir}/inline.png`, ["--inline", String(il), "--colormap", "grey"]],
      [`${dir}/crossline.png`, ["--crossline", String(xl)]],
      [`${dir}/timeslice.png`, ["--time", String(d.tau)]],
      [`${dir}/gather.png`, ["--gather", `${il},${xl}`]],
    ];
    for (const [path, selection] of pictures) {
      await plotCommand.run(parseCommandArgs(plotCommand.spec, [image, ...selection, "-o", path]));
    }
    say(`5. pictures: ${dir}/fold.png ${pictures.map(([p]) => p).join(" ")}`);
    return misses === 0 ? EXIT_OK : EXIT_RUNTIME;
  },
};

/**
 * `pstm plan IN.sgy -o OUT.sgy --velocity V [migrate options]`: scans the
 * input's headers once and writes the job's plan file (`OUT.sgy.plan`),
 * which `pstm migrate ... --plan-file FILE` (every `--shard I/N` task, every
 * `--resume`) follows without reading the headers again. Then it prints the
 * job's plan as `pstm migrate --plan` does (from the plan file just written:
 * no second scan), unless `--quiet`.
 *
 * @module
 */

import { EXIT_OK } from "../core/errors.ts";
import { writeJobPlan } from "../pipeline/job/plan_once.ts";
import { planMigration } from "../pipeline/job/plan_only.ts";
import { Progress, progressMode } from "../pipeline/job/progress.ts";
import { formatPlanReport } from "./plan_report.ts";
import { formatBytes } from "../pipeline/plan/memory.ts";
import { stringFlag } from "./args.ts";
import type { Command } from "./command.ts";
import { jobFromArgs, migrateCommand } from "./migrate.ts";

/** The migrate flags but --plan (the plan-only mode: here the plan file is written). */
const { plan: _planOnly, ...migrateFlags } = migrateCommand.spec.flags;

/** The plan command. */
export const planCommand: Command = {
  spec: {
    name: "plan",
    summary: "scan a survey once and write the job's plan for its shards and resumes",
    usage: "plan IN.sgy -o OUT.sgy --velocity V [pstm migrate options] [--plan-file FILE]",
    positionals: { min: 0, max: 1, names: "IN.sgy" },
    flags: {
      ...migrateFlags,
      "plan-file": {
        type: "string",
        value: "FILE",
        description: "the plan file to write (default OUT.sgy.plan)",
      },
    },
    examples: [
      "pstm plan big.sgy -o image.sgy --velocity vel.sgy --memory 8GiB --tile-bins 100,100\n" +
      "  pstm migrate big.sgy -o image.sgy --velocity vel.sgy --memory 8GiB \\\n" +
      "      --tile-bins 100,100 --plan-file image.sgy.plan --shard 0/8      # ... 7/8",
    ],
  },
  async run(args) {
    const { config, log } = await jobFromArgs(args);
    const path = stringFlag(args, "plan-file") ?? `${config.output}.plan`;
    const report = await writeJobPlan(config, path);
    console.error(
      `pstm: planned ${report.traces} traces: ${report.tiles} tile(s) of ` +
        `${report.tileBins.join(" x ")} bins (${report.emptyTiles} reached by no trace) in ` +
        `${report.seconds.toFixed(1)} s; wrote ${path} (${formatBytes(report.bytes)}); ` +
        `migrate with --plan-file ${path}`,
    );
    const progress = new Progress(progressMode({ quiet: args.values.quiet === true, log }));
    if (progress.mode === "quiet") return EXIT_OK;
    // the whole job's plan, as the plan file has it
    const plan = await planMigration(
      { ...config, planFile: path, shard: undefined, resume: false },
      progress,
    );
    if (progress.mode === "json") progress.event("plan", { ...plan });
    else console.log(formatPlanReport(plan, `pstm: plan of ${config.output} (plan file ${path})`));
    return EXIT_OK;
  },
};

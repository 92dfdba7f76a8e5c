/**
 * The job's fingerprint: a hash of the input (its size, shape, the geometry
 * index's checksum of every trace's midpoint and half offset, and its first
 * trace's samples) and of every option that
 * changes the image. A resume manifest written for another fingerprint is
 * refused.
 *
 * @module
 */

import { fingerprintOf } from "../output/manifest.ts";
import type { JobConfig } from "./job_config.ts";
import type { JobSetup } from "./setup.ts";

/**
 * The fingerprint of a job on its input.
 *
 * @param job the options (velocity, rho, headers, traveltime table)
 * @param setup the input's info and geometry, grid, time, classes, kernel parameters
 * @param firstTrace the samples of input trace 0
 * @returns 16 hex digits
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { parseJobConfig } from "./job_config.ts";
 * import { openJobInput, setupJob } from "./setup.ts";
 * import { jobFingerprint } from "./fingerprint.ts";
 * const path = new URL("../../../shared/data/segy/f3.sgy", import.meta.url).pathname;
 * const job = parseJobConfig({ input: path, output: "unused.sgy", velocity: "2000" });
 * const input = await openJobInput(job, "unused");
 * const setup = await setupJob(job, input);
 * const first = (await input.file.readTraces(0, 1)).samples;
 * const a = jobFingerprint(job, setup, first);
 * assert.equal(a, jobFingerprint({ ...job, threads: 8 }, setup, first)); // threads do not count
 * assert.notEqual(a, jobFingerprint({ ...job, rho: "3d" }, setup, first));
 * await setup.geometry.release();
 * await input.close();
 * ```
 */
export function jobFingerprint(
  job: JobConfig,
  setup: Pick<JobSetup, "info" | "geometry" | "grid" | "time" | "classes" | "params">,
  firstTrace: Float32Array,
): string {
  const { info, grid, time, classes, params } = setup;
  return fingerprintOf({
    input: {
      size: info.fileSize,
      traces: info.traceCount,
      ns: info.ns,
      dt: info.dt,
      geometry: setup.geometry.statistics.checksum,
      firstTrace: sampleChecksum(firstTrace),
    },
    traveltimeTable: job.traveltimeTable ?? "chosen by the job",
    grid,
    time,
    classes: [classes.first, classes.width, classes.count],
    velocity: job.velocity,
    params, // CPU threads are the backend's, not the tile's: they never change the image
    // unset: chosen from the survey (fingerprinted above), or none in plain mode
    rho: job.rho ?? (job.plain ? "none" : "survey"),
    headers: job.headers,
    ...(job.mute !== undefined ? { mute: [job.mute, job.muteTaper] } : {}),
    ...(job.datum !== undefined ? { datum: [job.datum, job.replacementVelocity] } : {}),
    ...(classes.sectors ? { sectors: classes.sectors.edges } : {}),
  });
}

/**
 * A checksum of some samples (position-weighted, so a shift changes it).
 *
 * @param samples the samples
 * @returns the checksum
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { sampleChecksum } from "./fingerprint.ts";
 * assert.notEqual(sampleChecksum(new Float32Array([1, 0])), sampleChecksum(new Float32Array([0, 1])));
 * ```
 */
export function sampleChecksum(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += ((i % 89) + 1) * samples[i];
  return sum;
}

/**
 * Wall time spent per pipeline stage, for the final profile.
 *
 * @module
 */

/** Seconds spent in each stage. */
export interface StageTimes {
  /** Header scan and planning. */
  scan: number;
  /** Waiting for input batches (reading and decoding SEG-Y). */
  read: number;
  /** Rho filter and antialiasing integration. */
  preprocess: number;
  /** Backend kernel calls (awaited). */
  kernel: number;
  /** Writing finished tiles and the manifest. */
  write: number;
}

/**
 * A zeroed StageTimes.
 *
 * @returns all stages at 0 s
 */
export function newStageTimes(): StageTimes {
  return { scan: 0, read: 0, preprocess: 0, kernel: 0, write: 0 };
}

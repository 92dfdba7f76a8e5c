/**
 * Where the values of a trace header lie in the survey, for velocity tables keyed by a header
 * (`cdp,tau,v`, or any header the user names): each value's location is the mean midpoint of
 * the input traces that carry it (CDP X/Y for traces without source and receiver positions).
 *
 * @module
 */

import { PstmError } from "../../core/errors.ts";
import type { SegyFile } from "../segy/segy_file.ts";
import type { HeaderLocator } from "./velocity_picks.ts";

/** Traces per header read. */
const BATCH = 65536;

/**
 * A locator reading `header` from every trace of `file` (one header-only pass per header).
 *
 * @param file the input survey
 * @param velocityFile the table's path, named when the header is unknown
 * @returns the locator
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { SegyFile } from "../segy/segy_file.ts";
 * import { headerLocator } from "./velocity_header_key.ts";
 * const url = new URL("../../../shared/data/segy/f3.sgy", import.meta.url);
 * using file = await SegyFile.open(url.pathname);
 * const where = await headerLocator(file, "v.csv")("tracr");
 * assert.equal(where.size, file.info.traceCount); // one trace per tracr value
 * ```
 */
export function headerLocator(file: SegyFile, velocityFile: string): HeaderLocator {
  return async (header) => {
    const sums = new Map<number, { x: number; y: number; n: number }>();
    const n = file.info.traceCount;
    for (let first = 0; first < n; first += BATCH) {
      let batch;
      try {
        batch = await file.readHeaders(first, Math.min(BATCH, n - first), [
          header,
          "cdpx",
          "cdpy",
        ]);
      } catch (error) {
        if (!(error instanceof PstmError) || error.location.field !== header) throw error;
        throw new PstmError(
          `the table's location column "${header}" is neither x,y, inline,crossline nor a ` +
            `trace header pstm reads (${error.message}); name a header such as cdp, or ` +
            "give its position with --header NAME=BYTE:TYPE",
          { file: velocityFile, field: header },
        );
      }
      const values = batch.headers[header];
      const { cdpx, cdpy } = batch.headers;
      for (let k = 0; k < batch.count; k++) {
        const key = values[k];
        let s = sums.get(key);
        if (!s) sums.set(key, s = { x: 0, y: 0, n: 0 });
        const sx = batch.sx[k], sy = batch.sy[k], gx = batch.gx[k], gy = batch.gy[k];
        const post = sx === 0 && sy === 0 && gx === 0 && gy === 0; // CDP X/Y only
        s.x += post ? cdpx[k] : 0.5 * (sx + gx);
        s.y += post ? cdpy[k] : 0.5 * (sy + gy);
        s.n++;
      }
    }
    const out = new Map<number, { x: number; y: number }>();
    for (const [key, s] of sums) out.set(key, { x: s.x / s.n, y: s.y / s.n });
    return out;
  };
}

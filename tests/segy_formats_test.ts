/**
 * Sample formats: every FormatN{lsb,msb}.sgy file (f3.sgy re-encoded by the
 * segyio team) read against f3.sgy itself, which segyio_interop_test.ts
 * checks against segyio. Unsigned and narrow formats hold the int16 values
 * wrapped to their width (two's complement), as the files were made.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { convertSamples, ibmToNumber, numberToIbm } from "../pipeline/segy/sample_formats.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";

const DATA = new URL("../../shared/data/segy/", import.meta.url);
const path = (name: string) => new URL(name, DATA).pathname;

async function readAll(name: string) {
  using file = await SegyFile.open(path(name));
  return { info: file.info, batch: await file.readTraces(0, file.info.traceCount) };
}

/** The f3 int16 value as stored by a format of `bits` width, signed or not. */
function wrap(v: number, bits: number, signed: boolean): number {
  const big = BigInt.asUintN(bits, BigInt(v));
  const value = signed ? BigInt.asIntN(bits, big) : big;
  return Math.fround(Number(value));
}

const WIDTHS: Record<number, [number, boolean]> = {
  1: [32, true],
  2: [32, true],
  3: [16, true],
  5: [32, true],
  6: [64, true],
  7: [24, true],
  8: [8, true],
  9: [64, true],
  10: [32, false],
  11: [16, false],
  12: [64, false],
  15: [24, false],
  16: [8, false],
};

for (const format of Object.keys(WIDTHS).map(Number)) {
  for (const order of ["lsb", "msb"]) {
    Deno.test(`SegyFile reads Format${format}${order}.sgy as f3.sgy's values`, async () => {
      const reference = await readAll("f3.sgy");
      const { info, batch } = await readAll(`Format${format}${order}.sgy`);
      assert.equal(info.format, format);
      assert.equal(info.littleEndian, order === "lsb");
      assert.equal(info.traceCount, 414);
      assert.equal(info.ns, 75);
      const [bits, signed] = WIDTHS[format];
      let nonzero = 0;
      for (let i = 0; i < batch.samples.length; i++) {
        const expected = wrap(reference.batch.samples[i], bits, signed);
        if (batch.samples[i] !== expected) {
          assert.fail(`sample ${i}: got ${batch.samples[i]}, expected ${expected}`);
        }
        if (expected !== 0) nonzero++;
      }
      assert.ok(nonzero > 1000);
      assert.deepEqual(batch.headers.inline, reference.batch.headers.inline);
      assert.deepEqual(batch.sx, reference.batch.sx);
    });
  }
}

Deno.test("SegyFile refuses format 4 (fixed point with gain) with a PstmError", async () => {
  await assert.rejects(SegyFile.open(path("Format4msb.sgy")), (e: unknown) => {
    assert.ok(e instanceof PstmError);
    assert.match(e.message, /Format4msb\.sgy.*format.*4/);
    return true;
  });
});

Deno.test("SegyFile reads rev 2 trace header extensions as the plain small.sgy", async () => {
  const small = await readAll("small.sgy");
  const rotated = await readAll("rotated-small-rev2.sgy");
  assert.equal(rotated.info.traceHeaderExtensions, 1);
  assert.equal(rotated.info.revision, 2);
  assert.deepEqual(rotated.batch.samples, small.batch.samples);
  const ext = await readAll("trace-header-extensions.sgy");
  assert.equal(ext.info.traceHeaderExtensions, 2);
  assert.equal(ext.info.extendedTextHeaders, 1);
  assert.equal(ext.info.traceCount, 2);
});

Deno.test("SegyFile finds ((SEG: EndText)) when the extended header count is -1", async () => {
  const known = await readAll("stanzas-known-count.sgy");
  const unknown = await readAll("stanzas-unknown-count.sgy");
  assert.equal(unknown.info.extendedTextHeaders, 3);
  assert.equal(unknown.info.dataOffset, 3600 + 3 * 3200);
  assert.deepEqual(unknown.batch.samples, known.batch.samples);
});

Deno.test("SegyFile detects little-endian IBM files and ASCII textual headers", async () => {
  const { info, batch } = await readAll("00001034.sgy_first_trace");
  assert.equal(info.littleEndian, true);
  assert.equal(info.textEncoding, "ascii");
  assert.match(info.textHeader, /ARAM24/);
  assert.equal(info.ns, 2001);
  assert.ok(batch.samples.some((v) => v !== 0));
  const ebcdic = await readAll("f3.sgy");
  assert.equal(ebcdic.info.textEncoding, "ebcdic");
  assert.match(ebcdic.info.textHeader, /^C 1 Cropped F3/);
});

Deno.test("ibmToNumber and convertSamples agree with hand-computed IBM values", () => {
  assert.equal(ibmToNumber(0x42640000), 100);
  assert.equal(ibmToNumber(0xc1100000), -1);
  assert.equal(ibmToNumber(0), 0);
  for (const v of [1, -1, 0.15625, 3.1415926, -123456.5, 1e-20, 6e30]) {
    assert.ok(Math.abs(ibmToNumber(numberToIbm(v)) - v) <= Math.abs(v) * 1e-6, `${v}`);
  }
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x42640000, true);
  view.setUint32(4, 0xc1100000, true);
  const out = new Float32Array(2);
  convertSamples(view, 0, 2, 1, true, out, 0);
  assert.deepEqual([...out], [100, -1]);
  assert.throws(() => convertSamples(view, 0, 1, 4, true, out, 0), RangeError);
});

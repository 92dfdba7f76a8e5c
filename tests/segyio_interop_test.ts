/**
 * Cross-checks pstm's SEG-Y reader against segyio (Debian python3-segyio via
 * /usr/bin/python3) on every file in shared/data/segy, and checks that
 * segyio opens pstm's output, including a structured pre-stack cube.
 */

import { newTraceBatch, type TraceBatch } from "../pipeline/segy/trace_batch.ts";
import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { applyScalar, DEFAULT_HEADER_MAP } from "../pipeline/segy/header_map.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyWriter } from "../pipeline/segy/segy_writer.ts";

const DATA = new URL("../../shared/data/segy/", import.meta.url);
const HELPER = new URL("./helpers/segyio_dump.py", import.meta.url).pathname;
const PYTHON = "/usr/bin/python3";

function segyioAvailable(): string | undefined {
  try {
    const out = new Deno.Command(PYTHON, { args: ["-c", "import segyio"], stderr: "null" })
      .outputSync();
    return out.success ? undefined : `${PYTHON} cannot import segyio`;
  } catch (error) {
    return `${PYTHON} not runnable: ${error instanceof Error ? error.message : error}`;
  }
}
const skipReason = segyioAvailable();
if (skipReason) console.log(`segyio interop tests skipped: ${skipReason}`);
const suffix = skipReason ? ` (ignored: ${skipReason})` : "";

interface Dump {
  ok: boolean;
  error?: string;
  tracecount: number;
  ns: number;
  format: number;
  fields: Record<string, number[]>;
  traces: Record<string, (number | string)[]>;
  sums: (number | string)[];
}

/** The helper writes non-finite values as "nan", "inf", "-inf". */
function value(v: number | string): number {
  return typeof v === "number" ? v : v === "nan" ? NaN : v === "inf" ? Infinity : -Infinity;
}

async function runPython(args: string[]): Promise<{ ok: boolean; stdout: string }> {
  const out = await new Deno.Command(PYTHON, {
    args,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { ok: out.success, stdout: new TextDecoder().decode(out.stdout) };
}

async function segyioDump(path: string, kind: "segy" | "su"): Promise<Dump | undefined> {
  const { stdout } = await runPython([HELPER, path, kind]);
  try {
    return JSON.parse(stdout) as Dump;
  } catch {
    return undefined; // segyio aborted (assertion failure) or printed nothing
  }
}

/** Files where segyio 1.8.3 is known to be wrong, and what pstm does instead. */
const SEGYIO_WRONG: Record<string, string> = {
  "stanzas-unknown-count.sgy": "segyio 1.8.3 ignores the -1 extended header count",
};
/** Formats segyio 1.8.3 cannot read (it may open them with a wrong layout). */
const UNCONVERTED_FORMATS = new Set([6, 7, 9, 10, 11, 12, 15, 16]);
/** Files pstm refuses on purpose although segyio returns something. */
const PSTM_REFUSES = new Set(["Format4lsb.sgy", "Format4msb.sgy"]);

const FIELD_BY_BYTE = new Map(
  Object.entries(DEFAULT_HEADER_MAP).map(([name, field]) => [field.byte, name]),
);

function close(a: number, b: number, rel: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * segyio 1.8.3 reads 2-byte header fields of little-endian files as the
 * 4 bytes starting there, byte-swapped: the field is the top 16 bits.
 */
function segyioTwoByte(value: number, littleEndian: boolean): number {
  return littleEndian ? value >> 16 : value;
}

function compareHeaders(name: string, batch: TraceBatch, dump: Dump, le: boolean): void {
  const scalco = dump.fields["71"].map((v) => segyioTwoByte(v, le));
  const scalel = dump.fields["69"].map((v) => segyioTwoByte(v, le));
  for (const [byteText, values] of Object.entries(dump.fields)) {
    const field = FIELD_BY_BYTE.get(Number(byteText))!;
    const def = DEFAULT_HEADER_MAP[field];
    const ours = ["sx", "sy", "gx", "gy"].includes(field)
      ? batch[field as "sx"]
      : batch.headers[field];
    for (let t = 0; t < values.length; t++) {
      let expected = values[t];
      if (def.type === "i2" || def.type === "u2") expected = segyioTwoByte(expected, le);
      if (def.type === "u2") expected &= 0xffff;
      if (def.scale === "coordinate") expected = applyScalar(expected, scalco[t]);
      if (def.scale === "elevation") expected = applyScalar(expected, scalel[t]);
      assert.ok(
        close(ours[t], expected, 1e-12),
        `${name} trace ${t} ${field}: pstm ${ours[t]}, segyio ${expected}`,
      );
    }
  }
}

const files = [...Deno.readDirSync(DATA)].map((e) => e.name).filter((n) => n !== "SOURCES.md")
  .sort();

Deno.test({
  name: `SegyFile reads every shared file as segyio does, or throws PstmError${suffix}`,
  ignore: skipReason !== undefined,
  async fn() {
    const outcome: string[] = [];
    const queue = [...files];
    const worker = async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const path = new URL(name, DATA).pathname;
        let file: SegyFile | undefined;
        let error: unknown;
        try {
          file = await SegyFile.open(path);
        } catch (e) {
          error = e;
        }
        if (error !== undefined && !(error instanceof PstmError)) throw error;
        const kind = file?.info.kind ?? (/\.su$|ozdata/.test(name) ? "su" : "segy");
        const dump = await segyioDump(path, kind);
        const segyioOk = dump?.ok === true;
        if (!file) {
          assert.ok(
            !segyioOk || PSTM_REFUSES.has(name),
            `${name}: segyio reads it but pstm throws ${(error as Error).message}`,
          );
          outcome.push(`${name}: pstm PstmError; segyio ${segyioOk ? "reads" : "rejects"}`);
          continue;
        }
        try {
          const info = file.info;
          const batch = await file.readTraces(0, info.traceCount);
          assert.equal(batch.samples.length, info.traceCount * info.ns);
          if (!segyioOk) {
            outcome.push(`${name}: pstm reads ${info.traceCount} traces; segyio rejects`);
            continue;
          }
          if (SEGYIO_WRONG[name]) {
            outcome.push(`${name}: pstm ${info.traceCount} traces; ${SEGYIO_WRONG[name]}`);
            continue;
          }
          if (UNCONVERTED_FORMATS.has(info.format)) {
            outcome.push(
              `${name}: pstm ${info.traceCount} traces; segyio 1.8.3 cannot read ` +
                `format ${info.format} (checked against f3.sgy in segy_formats_test.ts)`,
            );
            continue;
          }
          assert.equal(info.traceCount, dump!.tracecount, `${name}: trace count`);
          assert.equal(info.ns, dump!.ns, `${name}: ns`);
          compareHeaders(name, batch, dump!, info.littleEndian);
          {
            for (const [index, samples] of Object.entries(dump!.traces)) {
              const t = Number(index);
              for (let i = 0; i < samples.length; i++) {
                const ours = batch.samples[t * info.ns + i];
                assert.ok(
                  close(ours, value(samples[i]), 1e-6),
                  `${name} trace ${t} sample ${i}: pstm ${ours}, segyio ${samples[i]}`,
                );
              }
            }
            for (let t = 0; t < info.traceCount; t++) {
              let sum = 0;
              for (let i = 0; i < info.ns; i++) sum += Math.abs(batch.samples[t * info.ns + i]);
              assert.ok(
                close(sum, value(dump!.sums[t]), 1e-5),
                `${name} trace ${t}: sum |samples|`,
              );
            }
          }
          outcome.push(`${name}: same as segyio (${info.traceCount} traces)`);
        } finally {
          file.close();
        }
      }
    };
    await Promise.all([worker(), worker()]);
    console.log(outcome.sort().join("\n"));
    assert.equal(outcome.length, files.length);
  },
});

function cubeBatch(
  first: number,
  ilines: number[],
  xlines: number[],
  offsets: number[],
  ns: number,
) {
  const count = ilines.length * xlines.length * offsets.length;
  const batch = newTraceBatch({
    firstTrace: first,
    count,
    ns,
    dt: 0.004,
    headers: ["inline", "crossline", "offset", "cdpx", "cdpy"],
  });
  let t = 0;
  for (const il of ilines) {
    for (const xl of xlines) {
      for (const off of offsets) {
        batch.headers.inline[t] = il;
        batch.headers.crossline[t] = xl;
        batch.headers.offset[t] = off;
        batch.headers.cdpx[t] = 1000.25 + 12.5 * xl;
        batch.headers.cdpy[t] = 5000.75 + 25 * il;
        batch.sx[t] = batch.headers.cdpx[t] - off / 2;
        batch.gx[t] = batch.headers.cdpx[t] + off / 2;
        batch.sy[t] = batch.gy[t] = batch.headers.cdpy[t];
        for (let i = 0; i < ns; i++) batch.samples[t * ns + i] = il * 1000 + xl + off / 1e4 + i;
        t++;
      }
    }
  }
  return batch;
}

Deno.test({
  name: `SegyWriter output opens in segyio as a structured pre-stack cube${suffix}`,
  ignore: skipReason !== undefined,
  async fn() {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/cube.sgy`;
    try {
      const ilines = [10, 11, 12];
      const xlines = [20, 22, 24, 26];
      const offsets = [100, 200];
      const ns = 8;
      const writer = await SegyWriter.create(path, { ns, dt: 0.004, textHeader: "C 1 CUBE" });
      // Write the inlines in reverse order with writeAt into a preallocated file.
      const perInline = xlines.length * offsets.length;
      await writer.preallocate(ilines.length * perInline);
      for (let k = ilines.length - 1; k >= 0; k--) {
        await writer.writeAt(
          k * perInline,
          cubeBatch(k * perInline, [ilines[k]], xlines, offsets, ns),
        );
      }
      await writer.close();
      const script = `
import json, sys, segyio
with segyio.open(sys.argv[1], iline=189, xline=193) as f:
    print(json.dumps({"ilines": [int(v) for v in f.ilines], "xlines": [int(v) for v in f.xlines],
      "offsets": [int(v) for v in f.offsets], "format": int(f.format), "n": f.tracecount,
      "cdpx": f.header[5][181], "scalco": f.header[5][71], "dt": f.bin[segyio.BinField.Interval],
      "text": segyio.tools.wrap(f.text[0].decode("ascii", "replace"))[:20],
      "g": [float(v) for v in f.gather[11, 22, :][1][:3]]}))
`;
      const { ok, stdout } = await runPython(["-c", script, path]);
      assert.ok(ok, `segyio failed: ${stdout}`);
      const r = JSON.parse(stdout);
      assert.deepEqual(r.ilines, ilines);
      assert.deepEqual(r.xlines, xlines);
      assert.deepEqual(r.offsets, offsets);
      assert.equal(r.format, 5);
      assert.equal(r.n, 24);
      assert.equal(r.scalco, -100);
      assert.equal(r.dt, 4000);
      assert.ok(r.text.startsWith("C 1 CUBE"), r.text);
      // trace 5 = inline 10, crossline 24, offset 200: cdpx = 1000.25 + 12.5 * 24 in cm
      assert.equal(r.cdpx, Math.round((1000.25 + 12.5 * 24) * 100));
      assert.deepEqual(r.g, [11022.02, 11023.02, 11024.02].map((v) => Math.fround(v)));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/**
 * Bad input: mutated copies of small.sgy must fail with a PstmError that
 * names the file and the trace or field, never with a RangeError/TypeError,
 * a hang or a huge allocation.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { headerMapWith, parseHeaderOverride } from "../pipeline/segy/header_map.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyTraceStream } from "../pipeline/segy/segy_trace_stream.ts";

const SMALL = new URL("../../shared/data/segy/small.sgy", import.meta.url).pathname;
const original = Deno.readFileSync(SMALL); // 25 traces x 50 IBM samples, big-endian

async function withMutation(
  mutate: (bytes: Uint8Array, view: DataView) => Uint8Array | void,
  check: (path: string) => Promise<void>,
) {
  const bytes = original.slice();
  const result = mutate(bytes, new DataView(bytes.buffer)) ?? bytes;
  const dir = await Deno.makeTempDir();
  const path = `${dir}/bad.sgy`;
  try {
    await Deno.writeFile(path, result);
    await check(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function expectPstmError(path: string, pattern: RegExp, location: Record<string, unknown>) {
  await assert.rejects(SegyFile.open(path), (e: unknown) => {
    assert.ok(e instanceof PstmError, `expected PstmError, got ${e}`);
    assert.match(e.message, pattern);
    assert.ok(e.message.includes(path), e.message);
    for (const [k, v] of Object.entries(location)) {
      assert.equal((e.location as Record<string, unknown>)[k], v, `${k} in ${e.message}`);
    }
    assert.equal(e.exitCode, 2);
    return true;
  });
}

Deno.test("SegyFile.open names the trace and byte counts of a truncated file", async () => {
  await withMutation(
    (b) => b.subarray(0, b.length - 100),
    (p) =>
      expectPstmError(p, /ends inside trace 24: each trace takes 440 bytes.*340 bytes remain/, {
        trace: 24,
        field: "file size",
      }),
  );
});

Deno.test("SegyFile.open rejects a file with no traces", async () => {
  await withMutation((b) => b.subarray(0, 3600), (p) => expectPstmError(p, /no traces/, {}));
  await withMutation(
    (b) => b.subarray(0, 1000),
    (p) => expectPstmError(p, /not a Seismic Unix|shorter/, {}),
  );
  await withMutation((b) => b.subarray(0, 0), (p) => expectPstmError(p, /empty|shorter/, {}));
});

Deno.test("SegyFile.open rejects sample formats 0 and 99", async () => {
  for (const code of [0, 99]) {
    await withMutation(
      (_, v) => v.setUint16(3224, code),
      (p) =>
        expectPstmError(p, new RegExp(`format code is ${code}`), {
          field: "format (binary header bytes 3225-3226)",
        }),
    );
  }
});

Deno.test("SegyFile.open rejects ns 0 in binary and trace headers", async () => {
  await withMutation((_, v) => v.setUint16(3220, 0), (p) => expectPstmError(p, /ns is 0/, {}));
});

Deno.test("SegyFile.open rejects an ns that does not fit the file size", async () => {
  await withMutation(
    (_, v) => v.setUint16(3220, 51),
    (p) => expectPstmError(p, /ends inside trace \d+/, { field: "file size" }),
  );
  // ns 65535: one trace would be 262 kB, more than the file; nothing that large is allocated.
  await withMutation(
    (_, v) => v.setUint16(3220, 65535),
    (p) => expectPstmError(p, /ends inside trace 0/, { trace: 0 }),
  );
  // An absurd number of extended textual headers.
  await withMutation(
    (_, v) => v.setInt16(3504, 30000),
    (p) => expectPstmError(p, /extended textual headers need/, {}),
  );
});

Deno.test("SegyFile.open falls back to the trace header ns when binary ns is wrong", async () => {
  await withMutation((b, v) => {
    v.setUint16(3220, 0);
    for (let t = 0; t < 25; t++) v.setUint16(3600 + t * 440 + 114, 50);
    return b;
  }, async (p) => {
    using file = await SegyFile.open(p);
    assert.equal(file.info.ns, 50);
    assert.equal(file.info.traceCount, 25);
  });
  await withMutation((b, v) => {
    v.setUint16(3220, 49); // wrong, and the trace header says 50
    v.setUint16(3600 + 114, 50);
    return b;
  }, async (p) => {
    using file = await SegyFile.open(p);
    assert.equal(file.info.ns, 50);
    assert.ok(file.info.warnings.some((w) => /binary ns 49 does not fit/.test(w)));
  });
});

Deno.test("parseHeaderOverride rejects bad specs and bytes outside the header", () => {
  for (const spec of ["sx=239:i4", "sx=0:i2", "sx=73:i9", "sx73", "=73:i4", "sx=73:i4:x"]) {
    assert.throws(() => parseHeaderOverride(spec), (e: unknown) => {
      assert.ok(e instanceof PstmError, spec);
      assert.equal(e.location.field, "--header");
      assert.ok(e.message.includes(spec));
      return true;
    });
  }
  assert.deepEqual(parseHeaderOverride("sx=237:i4").field, {
    byte: 237,
    type: "i4",
    scale: "coordinate",
  });
  assert.deepEqual(parseHeaderOverride("inline=1:u1").field, { byte: 1, type: "u1" });
  assert.equal(headerMapWith(["inline=9"]).inline.type, "i4");
});

Deno.test("SegyFile.open rejects a header map with bytes outside the header", async () => {
  await assert.rejects(
    SegyFile.open(SMALL, { headerMap: { sx: { byte: 240, type: "i4" } } }),
    PstmError,
  );
  // The file stays closed after a failed open: a fresh open still works.
  using file = await SegyFile.open(SMALL);
  assert.equal(file.info.traceCount, 25);
});

/** Tiny deterministic PRNG (mulberry32). */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("SegyTraceStream survives random header corruption with data or a PstmError", async () => {
  const rand = random(42);
  let read = 0, rejected = 0;
  for (let k = 0; k < 300; k++) {
    const bytes = original.slice();
    const cut = rand() < 0.2 ? Math.floor(rand() * bytes.length) : bytes.length;
    for (let m = 0; m < 4; m++) {
      // Mostly the binary header and the first trace header, where layout decisions are made.
      const at = rand() < 0.8 ? 3200 + Math.floor(rand() * 400) : Math.floor(rand() * 4100);
      bytes[at] = Math.floor(rand() * 256);
    }
    const data = bytes.subarray(0, cut);
    try {
      const stream = ReadableStream.from([data.subarray(0, 1000), data.subarray(1000)])
        .pipeThrough(new SegyTraceStream({ name: `mutant${k}` }));
      for await (const batch of stream) assert.ok(batch.samples.length === batch.count * batch.ns);
      read++;
    } catch (e) {
      assert.ok(e instanceof PstmError, `mutant ${k}: ${e}`);
      assert.ok(e.message.includes(`mutant${k}`));
      rejected++;
    }
  }
  assert.ok(read > 0 && rejected > 0, `${read} read, ${rejected} rejected`);
});

Deno.test("SegyFile.open reads dt as unsigned 16-bit: pstm reads back its own 40 ms output", async () => {
  const { SegyWriter } = await import("../pipeline/segy/segy_writer.ts");
  const dir = await Deno.makeTempDir();
  const path = `${dir}/slow.sgy`;
  try {
    const writer = await SegyWriter.create(path, { ns: 30, dt: 0.04 });
    await writer.write({
      firstTrace: 0,
      count: 1,
      ns: 30,
      dt: 0.04,
      t0: 0,
      samples: new Float32Array(30).fill(1),
      sx: new Float64Array(1),
      sy: new Float64Array(1),
      gx: new Float64Array(1),
      gy: new Float64Array(1),
      headers: {},
    });
    await writer.close();
    using file = await SegyFile.open(path);
    assert.equal(file.info.dt, 0.04);
    assert.deepEqual(file.info.warnings, []);
    // 65.535 ms, the largest interval 16 bits hold, in the binary header only
    const bytes = await Deno.readFile(path);
    const view = new DataView(bytes.buffer);
    view.setUint16(3216, 65535, false);
    view.setUint16(3600 + 116, 0, false);
    await Deno.writeFile(path, bytes);
    using again = await SegyFile.open(path);
    assert.equal(again.info.dt, 0.065535);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SegyFile.open takes the rev 2 extended sample interval over bytes 3217-3218", async () => {
  await withMutation((bytes, view) => {
    bytes[3500] = 2; // revision 2.0
    bytes[3501] = 0;
    view.setUint16(3216, 4000, false);
    view.setFloat64(3272, 250, false); // 0.25 ms
  }, async (path) => {
    using file = await SegyFile.open(path);
    assert.equal(file.info.dt, 250e-6);
    assert.ok(file.info.warnings.some((w) => /extended sample interval 250 us/.test(w)));
  });
  // no extended interval: the binary one
  await withMutation((bytes, view) => {
    bytes[3500] = 2;
    bytes[3501] = 0;
    view.setUint16(3216, 40000, false);
  }, async (path) => {
    using file = await SegyFile.open(path);
    assert.equal(file.info.dt, 0.04);
  });
});

Deno.test("parseHeaderOverride refuses unknown names listing the known ones; segyio aliases", () => {
  for (const spec of ["myfield=1:u1", "iline2=9:i4", "foo=9"]) {
    assert.throws(() => parseHeaderOverride(spec), (e: unknown) => {
      assert.ok(e instanceof PstmError && e.exitCode === 2, spec);
      assert.match(e.message, /is not a header pstm reads; known names: tracl, .*inline/);
      assert.match(e.message, /segyio's iline, xline/);
      return true;
    });
  }
  const aliases: [string, string][] = [
    ["iline=9:i4", "inline"],
    ["xline=21", "crossline"],
    ["cdp_x=73", "cdpx"],
    ["CDP_Y=77", "cdpy"],
    ["offset=41", "offset"],
  ];
  for (const [spec, name] of aliases) assert.equal(parseHeaderOverride(spec).name, name, spec);
  assert.equal(headerMapWith(["iline=9:i4"]).inline.byte, 9);
  assert.equal(headerMapWith(["cdp_x=73"]).cdpx.scale, "coordinate");
});

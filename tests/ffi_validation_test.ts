/**
 * The FFI layer refuses bad input before any pointer crosses: invalid
 * parameters, detached or short buffers. Native failures become PstmError
 * with the native message; handles close safely twice.
 */

import assert from "node:assert/strict";
import { NativeBackend } from "../backends/native/native_backend.ts";
import { ensureCpuLibrary, makePoints, makeVelocity, plainParams } from "../bench/kernel_cases.ts";
import { encodeParams, PARAMS_OFFSET } from "../backends/native/native_params.ts";
import { openLibrary } from "../ffi/library.ts";
import { check, UnsupportedError } from "../ffi/status.ts";
import { EXIT_BAD_INPUT, EXIT_RUNTIME, PstmError } from "../core/errors.ts";

await ensureCpuLibrary();

function inputs(overrides = {}) {
  const points = makePoints({ kind: "grid", nx: 4, ny: 4, spacing: 25 });
  const params = plainParams({ npoints: 16, ntau: 50, ns: 60, ...overrides });
  return { params, points, velocity: makeVelocity(params) };
}

function batch(count: number, ns: number) {
  return {
    count,
    traces: new Float32Array(count * ns).fill(1),
    geometry: new Float32Array(4 * count),
    traceClass: new Int32Array(count),
  };
}

async function assertPstmRejects(
  promise: Promise<unknown>,
  exitCode: number,
  text: RegExp,
): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof PstmError, `not a PstmError: ${e}`);
    assert.equal(e.exitCode, exitCode);
    assert.match(e.message, text);
    return true;
  });
}

function assertPstmError(fn: () => unknown, exitCode: number, text: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof PstmError, `not a PstmError: ${e}`);
    assert.equal(e.exitCode, exitCode);
    assert.match(e.message, text);
    return true;
  });
}

Deno.test("encodeParams refuses each invalid field and names it", () => {
  const bad: [string, Record<string, unknown>][] = [
    ["ns", { ns: 0 }],
    ["npoints", { npoints: 1.5 }],
    ["ntau", { ntau: -3 }],
    ["nclass", { nclass: 0 }],
    ["dt", { dt: 0 }],
    ["dtau", { dtau: Number.NaN }],
    ["tau0", { tau0: -1 }],
    ["t0", { t0: Infinity }],
    ["taper", { taper: 1.2 }],
    ["traceSpacing", { antialias: true, traceSpacing: 0 }],
    ["weights", { weights: "cosine" }],
    ["eta", { eta: -0.5 }],
    ["aperture", { aperture: Number.NaN }],
    ["traceSpacingY", { traceSpacingY: Infinity }],
    ["spacingAzimuthDeg", { spacingAzimuthDeg: Number.NaN }],
    ["stretchMute", { stretchMute: -0.1 }],
    ["stretchMute", { stretchMute: Infinity }],
  ];
  for (const [field, override] of bad) {
    assertPstmError(
      () => encodeParams(plainParams(override)),
      EXIT_BAD_INPUT,
      new RegExp(`params\\.${field}\\b`),
    );
  }
});

Deno.test("encodeParams writes the 80-byte pstm_params layout", () => {
  const bytes = encodeParams(
    plainParams({
      ns: 7,
      eta: 0.25,
      weights: "spreading",
      antialias: true,
      traceSpacingY: 100,
      spacingAzimuthDeg: 30,
      stretchMute: 0.3,
    }),
  );
  const view = new DataView(bytes.buffer);
  assert.equal(bytes.length, 80);
  // CPU threads are the context's, not the tile's: the old threads field is reserved, 0
  assert.equal(view.getInt32(PARAMS_OFFSET.reserved0, true), 0);
  assert.equal(view.getFloat32(PARAMS_OFFSET.stretch_mute, true), Math.fround(0.3));
  assert.equal(view.getFloat32(PARAMS_OFFSET.trace_spacing_y, true), 100);
  assert.equal(view.getFloat32(PARAMS_OFFSET.spacing_azimuth, true), 30);
  assert.equal(view.getInt32(PARAMS_OFFSET.ns, true), 7);
  assert.equal(view.getFloat32(PARAMS_OFFSET.eta, true), 0.25);
  assert.equal(view.getInt32(PARAMS_OFFSET.weights, true), 2);
  assert.equal(view.getInt32(PARAMS_OFFSET.antialias, true), 1);
  assert.equal(view.getInt32(PARAMS_OFFSET.reserved, true), 0);
});

Deno.test("NativeBackend.openTile refuses invalid params with the field named", () => {
  using backend = NativeBackend.open("cpu");
  const good = inputs();
  assertPstmError(
    () => backend.openTile({ ...good, params: { ...good.params, dt: 0 } }),
    EXIT_BAD_INPUT,
    /params\.dt/,
  );
});

Deno.test("NativeBackend.openTile refuses short or detached tile buffers", () => {
  using backend = NativeBackend.open("cpu");
  const good = inputs();
  assertPstmError(
    () => backend.openTile({ ...good, points: good.points.subarray(2) }),
    EXIT_BAD_INPUT,
    /points.*32 elements: got 30/,
  );
  assertPstmError(
    () => backend.openTile({ ...good, velocity: new Float32Array(10) }),
    EXIT_BAD_INPUT,
    /velocity/,
  );
  const detached = new Float32Array(good.velocity);
  detached.buffer.transfer();
  assertPstmError(
    () => backend.openTile({ ...good, velocity: detached }),
    EXIT_BAD_INPUT,
    /velocity.*detached/,
  );
});

Deno.test("NativeTile.accumulate refuses too-short and detached batch buffers", async () => {
  using backend = NativeBackend.open("cpu");
  const good = inputs();
  const tile = backend.openTile(good);
  const ns = good.params.ns;
  const short = { ...batch(3, ns), traces: new Float32Array(3 * ns - 1) };
  await assertPstmRejects(
    tile.accumulate(short),
    EXIT_BAD_INPUT,
    /batch\.traces.*180 elements: got 179/,
  );
  await assertPstmRejects(
    tile.accumulate({ ...batch(3, ns), geometry: new Float32Array(11) }),
    EXIT_BAD_INPUT,
    /batch\.geometry/,
  );
  await assertPstmRejects(
    tile.accumulate({ ...batch(3, ns), traceClass: new Int32Array(2) }),
    EXIT_BAD_INPUT,
    /batch\.traceClass/,
  );
  await assertPstmRejects(
    tile.accumulate({ ...batch(3, ns), count: -1 }),
    EXIT_BAD_INPUT,
    /batch\.count/,
  );
  const gone = batch(3, ns);
  gone.traces.buffer.transfer();
  await assertPstmRejects(tile.accumulate(gone), EXIT_BAD_INPUT, /batch\.traces.*detached/);
  // nothing was summed by the refused calls
  await tile.accumulate(batch(0, ns));
  const image = await tile.finish();
  assert.ok(image.every((v) => v === 0));
  assert.equal(backend.stats().contributions, 0);
});

Deno.test("check turns a native failure into PstmError with pstm_last_error", () => {
  const lib = openLibrary("cpu");
  try {
    const params = encodeParams(plainParams());
    new DataView(params.buffer).setInt32(PARAMS_OFFSET.reserved, 3, true);
    const context = new BigUint64Array(1);
    check(lib, lib.symbols.pstm_context_create(0, 1, context), "pstm_context_create");
    const handle = Deno.UnsafePointer.create(context[0]);
    const tile = new BigUint64Array(1);
    const status = lib.symbols.pstm_tile_open(
      handle,
      params,
      new Float32Array(2),
      new Float32Array(200),
      new Float32Array(200),
      tile,
    );
    lib.symbols.pstm_context_destroy(handle);
    assertPstmError(
      () => check(lib, status, "pstm_tile_open"),
      EXIT_BAD_INPUT,
      /pstm_tile_open.*reserved must be 0: got 3/,
    );
    assert.equal(tile[0], 0n, "outputs untouched on failure");
    const out = new BigUint64Array(1);
    const noDevice = lib.symbols.pstm_context_create(5, 0, out);
    assertPstmError(
      () => check(lib, noDevice, "pstm_context_create"),
      EXIT_RUNTIME,
      /device 5 does not exist/,
    );
    assert.equal(out[0], 0n, "outputs untouched on failure");
  } finally {
    lib.close();
  }
});

Deno.test("an unsupported request is its own status: UnsupportedError, exit code 2", () => {
  Deno.env.set("PSTM_SIMD", "no-such-target");
  try {
    assert.throws(
      () => NativeBackend.open("cpu"),
      (error: unknown) =>
        error instanceof UnsupportedError && error.exitCode === EXIT_BAD_INPUT &&
        /PSTM_SIMD=no-such-target.*portable/.test(error.message),
    );
  } finally {
    Deno.env.delete("PSTM_SIMD");
  }
  using backend = NativeBackend.open("cpu");
  assert.match(backend.target, /^(avx3|avx2|sse4|neon|emu128|portable)$/);
  assert.ok(backend.device.endsWith(`${backend.target} kernels`), backend.device);
});

Deno.test("NativeBackend.open refuses a bad device or thread count", () => {
  assertPstmError(
    () => NativeBackend.open("cpu", { device: 3 }),
    EXIT_RUNTIME,
    /device 3 does not exist/,
  );
  assertPstmError(() => NativeBackend.open("cpu", { threads: -2 }), EXIT_BAD_INPUT, /threads/);
});

Deno.test("NativeBackend and NativeTile close safely twice, even with a call running", async () => {
  const backend = NativeBackend.open("cpu");
  const good = inputs();
  const tile = backend.openTile(good);
  const running = tile.accumulate(batch(50, good.params.ns));
  tile.close(); // deferred until the running call returns
  tile.close();
  backend.close();
  backend.close();
  await running;
  await assert.rejects(tile.finish(), /closed/);
  assertPstmError(() => backend.openTile(good), EXIT_RUNTIME, /closed/);
  assert.deepEqual(backend.stats(), { kernelSeconds: 0, contributions: 0, deviceBytes: 0 });
});

Deno.test("NativeTile.finish returns the image again and refuses more batches", async () => {
  using backend = NativeBackend.open("cpu");
  const good = inputs();
  const tile = backend.openTile(good);
  await tile.accumulate(batch(4, good.params.ns));
  const image = await tile.finish();
  assert.ok(image.some((v) => v !== 0));
  assert.equal(await tile.finish(), image);
  await assert.rejects(tile.accumulate(batch(1, good.params.ns)), /closed|finished/);
  tile.close();
  assert.ok(backend.device.length > 0);
  assert.equal(backend.name, "cpu");
});

Deno.test("NativeTile.accumulate reports a native failure from the worker thread with its message", async () => {
  using backend = NativeBackend.open("cpu");
  const good = inputs();
  const tile = backend.openTile(good);
  const bad = batch(2, good.params.ns);
  // TypeScript checks the batch when accumulate is called (backends/validate_tile.ts); the
  // native call starts later, so a coordinate spoiled in between reaches the library's own check
  const pending = tile.accumulate(bad);
  bad.geometry[6] = Number.POSITIVE_INFINITY;
  await assertPstmRejects(
    pending,
    EXIT_BAD_INPUT,
    /pstm_tile_accumulate.*geometry of trace 1 \(gx\) must be finite/,
  );
  tile.close();
});

/**
 * libpstm_cuda through the FFI layer (`NativeBackend.open("cuda")`) against
 * libpstm_cpu and the float64 reference kernel: plain and full mode on
 * several survey geometries, several classes and uneven batches, two tiles
 * on one context; and, on the raw C ABI (ffi/symbols.ts), the exported
 * symbols, the no-device answers and the library's own parameter checks.
 * Tolerance: relative L2 <= 1e-3.
 *
 * When build/libpstm_cuda.so is missing or reports 0 devices, the GPU tests
 * are registered with `ignore: true` and the reason in their name; the
 * library still has to load and answer sensibly without a GPU.
 *
 *     deno test -A tests/cuda_test.ts     (after `deno task build`)
 *
 * Environment: PSTM_CUDA_LIBRARY / PSTM_CPU_LIBRARY / PSTM_LIB_DIR
 * (ffi/library.ts) override the library paths.
 */

import assert from "node:assert/strict";
import type { KernelParams } from "../backends/backend.ts";
import { libraryPath, nativeAvailability, openLibrary } from "../ffi/mod.ts";
import { NativeBackend } from "../backends/native/mod.ts";
import { encodeParams, PARAMS_OFFSET } from "../backends/native/native_params.ts";
import { check, lastError, STATUS } from "../ffi/status.ts";
import { ABI_VERSION, type PstmLibrary, SYMBOLS } from "../ffi/symbols.ts";
import {
  FULL_MODE as FULL,
  migrateSurvey,
  PLAIN_MODE as PLAIN,
  referenceImage,
  relativeL2,
  sliceBatch,
  type Survey,
  survey as surveyOf,
  type SurveyConfig,
  type SurveyLayout,
  type TileRun,
} from "../bench/kernel_cases.ts";

// ---- which tests can run here -------------------------------------------------

const cudaFound = nativeAvailability("cuda");
const cpuFound = nativeAvailability("cpu");
let cudaLoadError = "";
try {
  openLibrary("cuda").close();
} catch (error) {
  cudaLoadError = (error as Error).message;
}
let noGpu = cudaFound.available ? "" : cudaFound.reason;
if (!noGpu && !cpuFound.available) noGpu = `no CPU library to compare with: ${cpuFound.reason}`;
const gpuIgnore = noGpu !== "";
const because = gpuIgnore ? ` (skipped: ${noGpu})` : "";
if (gpuIgnore) console.log(`tests/cuda_test.ts: GPU tests skipped: ${noGpu}`);

// ---- surveys --------------------------------------------------------------------

/** 12 x 9 points (a line of 12), 500 traces of 300 samples, 150 output samples. */
const CUDA_SURVEY: SurveyConfig = {
  seed: 11,
  ntraces: 500,
  ns: 300,
  dt: 0.004,
  ntau: 150,
  tau0: 0.02,
  dtau: 0.006,
  nx: 12,
  ny: 9,
  origin: [30, 10],
  rotationDeg: 25,
  velocity: { v0: 1800, perSecond: 1600, perX: 0, perY: 0.3 },
  midpoints: { x0: -250, width: 800, y0: -250, height: 750 },
  sweep: { x0: -900, length: 2100 },
  maxOffset: 1400,
  classWidth: 400,
  events: { t0: 0.05, span: 1.1 },
};

const PLAIN_DISC = { ...PLAIN, aperture: 500 } as const;
const FULL_OBLIQUITY = {
  ...FULL,
  aperture: 0,
  maxAngle: 45,
  taper: 0.1,
  antialias: false,
  weights: "obliquity",
  eta: 0,
} as const;

/** "spread": any azimuth; "sorted": midpoints sweeping along x, as a sorted survey. */
type Layout = "spread" | Exclude<SurveyLayout, "narrow" | "wide">;

function survey(
  layout: Layout,
  mode: Partial<KernelParams>,
  options: { ntraces?: number; nclass?: number; seed?: number; ntau?: number } = {},
): Survey {
  return surveyOf(CUDA_SURVEY, layout === "spread" ? "wide" : layout, mode, options);
}

/** Migrates a survey with a native library in `batches` uneven batches. */
async function native(kind: "cpu" | "cuda", s: Survey, batches = 1) {
  using backend = NativeBackend.open(kind, { threads: 2 });
  return await migrateSurvey(backend, s, batches);
}

const TOLERANCE = 1e-3;

/** CUDA against the reference and the CPU library. */
async function compare(s: Survey, batches: number): Promise<void> {
  const ref: TileRun = referenceImage(s);
  assert.ok(ref.contributions > 0, "the survey contributes");
  const gpu = await native("cuda", s, batches);
  const host = await native("cpu", s, batches);
  const vsRef = relativeL2(gpu.image, ref.image), vsCpu = relativeL2(gpu.image, host.image);
  assert.ok(vsRef <= TOLERANCE, `cuda vs reference: relative L2 ${vsRef} > ${TOLERANCE}`);
  assert.ok(vsCpu <= TOLERANCE, `cuda vs cpu: relative L2 ${vsCpu} > ${TOLERANCE}`);
  const dc = Math.abs(gpu.contributions - ref.contributions) / ref.contributions;
  assert.ok(dc <= TOLERANCE, `contributions ${gpu.contributions} vs ${ref.contributions}`);
  assert.ok(gpu.stats.kernelSeconds > 0, "kernel time measured");
  assert.ok(gpu.stats.deviceBytes > 0, "device bytes counted");
}

// ---- the raw C ABI ----------------------------------------------------------------

Deno.test({
  name: "libpstm_cuda exports the symbols of libpstm_cpu and reports its devices" +
    (cudaLoadError ? ` (skipped: ${cudaLoadError})` : ""),
  ignore: cudaLoadError !== "",
  fn() {
    using libs = openBoth();
    const { cuda: lib } = libs;
    for (const name of Object.keys(SYMBOLS) as (keyof typeof SYMBOLS)[]) {
      assert.equal(typeof lib.symbols[name], "function", `libpstm_cuda: ${name}`);
      if (libs.cpu) assert.equal(typeof libs.cpu.symbols[name], "function", `libpstm_cpu: ${name}`);
    }
    assert.equal(lib.symbols.pstm_abi_version(), ABI_VERSION);
    assert.equal(cString(lib.symbols.pstm_backend_name()), "cuda");
    const count = new Int32Array([-1]);
    assert.equal(lib.symbols.pstm_device_count(count), STATUS.ok);
    assert.ok(count[0] >= 0);
    if (count[0] === 0) {
      assert.match(lastError(lib), /0 CUDA devices/);
      const cell = new BigUint64Array(1);
      assert.equal(lib.symbols.pstm_context_create(0, 0, cell), STATUS.noDevice);
      assert.equal(cell[0], 0n, "output untouched on failure");
      assert.match(lastError(lib), /CUDA device 0 does not exist/);
    }
  },
});

Deno.test({
  name: `libpstm_cuda rejects invalid parameters itself, with the field named${because}`,
  ignore: gpuIgnore,
  async fn() {
    using libs = openBoth();
    const { symbols } = libs.cuda;
    const s = survey("spread", PLAIN, { ntraces: 10 });
    const image = new Float32Array(s.params.npoints * s.params.ntau);
    const points = s.points as Float32Array<ArrayBuffer>;
    const velocity = s.velocity as Float32Array<ArrayBuffer>;
    const { traces, geometry, traceClass } = s.batch as {
      traces: Float32Array<ArrayBuffer>;
      geometry: Float32Array<ArrayBuffer>;
      traceClass: Int32Array<ArrayBuffer>;
    };
    const cell = new BigUint64Array(1);
    check(libs.cuda, symbols.pstm_context_create(0, 2, cell), "pstm_context_create");
    const ctx = Deno.UnsafePointer.create(cell[0]);
    try {
      // encodeParams refuses bad fields in TypeScript: write them into valid bytes
      const bad = [["ns", PARAMS_OFFSET.ns, 0], ["dtau", PARAMS_OFFSET.dtau, -1], [
        "taper",
        PARAMS_OFFSET.taper,
        2,
      ]] as const;
      for (const [field, offset, value] of bad) {
        const params = encodeParams(s.params);
        const view = new DataView(params.buffer);
        if (field === "ns") view.setInt32(offset, value, true);
        else view.setFloat32(offset, value, true);
        cell[0] = 0n;
        const status = symbols.pstm_tile_open(ctx, params, points, velocity, image, cell);
        assert.equal(status, STATUS.invalidArgument, field);
        assert.match(lastError(libs.cuda), new RegExp(field));
        assert.equal(cell[0], 0n, "output untouched on failure");
      }
      const open = symbols.pstm_tile_open(
        ctx,
        encodeParams(s.params),
        points,
        velocity,
        image,
        cell,
      );
      check(libs.cuda, open, "pstm_tile_open");
      const tile = Deno.UnsafePointer.create(cell[0]);
      const status = await symbols.pstm_tile_accumulate(tile, -1, traces, geometry, traceClass);
      assert.equal(status, STATUS.invalidArgument);
      assert.match(lastError(libs.cuda), /ntraces/);
      check(libs.cuda, await symbols.pstm_tile_finish(tile), "finish");
      check(libs.cuda, await symbols.pstm_tile_finish(tile), "finish twice");
      assert.equal(
        await symbols.pstm_tile_accumulate(tile, 1, traces, geometry, traceClass),
        STATUS.invalidArgument,
        "accumulate after finish",
      );
    } finally {
      symbols.pstm_context_destroy(ctx);
    }
  },
});

// ---- NativeBackend("cuda") against the CPU library and the reference ----------------

const CASES: { name: string; layout: Layout; mode: Partial<KernelParams>; nclass?: number }[] = [
  { name: "plain, no aperture, 3-D spread", layout: "spread", mode: PLAIN },
  { name: "plain, radius disc, sorted survey", layout: "sorted", mode: PLAIN_DISC },
  { name: "plain, radius disc, 2-D line", layout: "line", mode: PLAIN_DISC },
  { name: "plain, 3 offset classes, rotated grid", layout: "rotated", mode: PLAIN, nclass: 3 },
  { name: "full (aa, taper, angle, spreading, eta), spread", layout: "spread", mode: FULL },
  { name: "full, sorted survey, 3 offset classes", layout: "sorted", mode: FULL, nclass: 3 },
  { name: "full, 2-D line", layout: "line", mode: FULL },
  { name: "full (angle only, obliquity), rotated grid", layout: "rotated", mode: FULL_OBLIQUITY },
  {
    name: "full, anisotropic antialiasing spacing, rotated grid",
    layout: "rotated",
    mode: { ...FULL, traceSpacing: 12.5, traceSpacingY: 100, spacingAzimuthDeg: 25 },
  },
  {
    name: "plain with a 10 % stretch mute, spread",
    layout: "spread",
    mode: { ...PLAIN, stretchMute: 0.1 },
  },
  {
    name: "full with a 10 % stretch mute, 2 offset classes, sorted survey",
    layout: "sorted",
    mode: { ...FULL, stretchMute: 0.1 },
    nclass: 2,
  },
];

for (const c of CASES) {
  Deno.test({
    name: `cuda vs cpu vs reference: ${c.name}${because}`,
    ignore: gpuIgnore,
    async fn() {
      await compare(survey(c.layout, c.mode, { nclass: c.nclass }), 4);
    },
  });
}

Deno.test({
  name: `cuda: one batch, many batches and batches of one trace agree${because}`,
  ignore: gpuIgnore,
  async fn() {
    const s = survey("sorted", FULL, { ntraces: 300 });
    const one = (await native("cuda", s, 1)).image;
    const many = (await native("cuda", s, 7)).image;
    const singles = (await native("cuda", s, 300)).image;
    assert.ok(relativeL2(many, one) <= 1e-5, "7 batches vs 1");
    assert.ok(relativeL2(singles, one) <= 1e-5, "300 batches vs 1");
  },
});

Deno.test({
  name: `cuda: output sample counts that are not multiples of the block${because}`,
  ignore: gpuIgnore,
  async fn() {
    for (const ntau of [1, 127, 129, 257]) {
      await compare(survey("spread", FULL, { ntraces: 150, ntau }), 2);
    }
  },
});

Deno.test({
  name: `cuda: two tiles fed in turn on one context equal one tile${because}`,
  ignore: gpuIgnore,
  async fn() {
    const s = survey("spread", PLAIN_DISC);
    const whole = (await native("cuda", s, 3)).image;
    const p = s.params, half = p.npoints / 2;
    const halves = [0, 1].map((h) => ({
      params: { ...p, npoints: half },
      points: s.points.slice(2 * half * h, 2 * half * (h + 1)),
      velocity: s.velocity.slice(half * p.ntau * h, half * p.ntau * (h + 1)),
    }));
    using backend = NativeBackend.open("cuda", { threads: 2 });
    const tiles = halves.map((t) => backend.openTile(t));
    for (let first = 0; first < s.batch.count; first += 64) {
      const n = Math.min(64, s.batch.count - first);
      for (const tile of tiles) await tile.accumulate(sliceBatch(s.batch, p.ns, first, n));
    }
    const images: Float32Array[] = [];
    for (const tile of tiles.toReversed()) images.unshift(await tile.finish());
    assert.equal(await tiles[0].finish(), images[0], "finish twice");
    tiles[0].close(); // tiles[1] is closed with the backend
    const joined = new Float32Array(whole.length);
    joined.set(images[0], 0);
    joined.set(images[1], half * p.ntau);
    assert.ok(relativeL2(joined, whole) <= 1e-6, "two tiles vs one");
  },
});

// ---- helpers ------------------------------------------------------------------------

/** libpstm_cuda and, when it is built, libpstm_cpu, through ffi/library.ts. */
function openBoth(): { cuda: PstmLibrary; cpu?: PstmLibrary } & Disposable {
  const cuda = openLibrary("cuda");
  let cpu: PstmLibrary | undefined;
  try {
    cpu = openLibrary("cpu");
  } catch {
    console.log(`libpstm_cpu not loaded from ${libraryPath("cpu")}: symbols of cuda only`);
  }
  return {
    cuda,
    cpu,
    [Symbol.dispose]() {
      cuda.close();
      cpu?.close();
    },
  };
}

function cString(pointer: Deno.PointerValue): string {
  return pointer === null ? "" : Deno.UnsafePointerView.getCString(pointer);
}

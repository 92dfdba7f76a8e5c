import assert from "node:assert/strict";
import { LayeredVelocity, openVelocity, parseVelocityFlag } from "../pipeline/velocity/velocity.ts";
import { parseVelocityFunction, velocityAt } from "../pipeline/velocity/velocity_function.ts";
import { parsePicksTable, velocityFromPicksTable } from "../pipeline/velocity/velocity_picks.ts";
import {
  convexHull,
  distanceOutsideHull,
  ScatteredVelocity,
} from "../pipeline/velocity/velocity_scattered.ts";
import { velocityFromSegy } from "../pipeline/velocity/velocity_segy.ts";
import { binCentre, type GridSpec, type TimeAxis } from "../pipeline/plan/grid.ts";
import { PstmError } from "../core/errors.ts";

const TIME: TimeAxis = { tau0: 0, dtau: 0.5, ntau: 5 };

function throwsPstm(f: () => unknown, pattern: RegExp) {
  assert.throws(f, (e) => {
    assert(e instanceof PstmError && e.exitCode === 2, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

async function rejectsPstm(f: () => Promise<unknown>, pattern: RegExp) {
  await assert.rejects(f, (e) => {
    assert(e instanceof PstmError && e.exitCode === 2, String(e));
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("parseVelocityFlag tells constants, functions, volumes and picks apart", () => {
  assert.deepEqual(parseVelocityFlag(" 2000 "), { kind: "constant", velocity: 2000 });
  assert.equal(parseVelocityFlag("1.5e3").kind, "constant");
  const f = parseVelocityFlag("0:1800, 2.5:3000");
  assert(f.kind === "function" && f.fn.taus[1] === 2.5 && f.fn.velocities[1] === 3000);
  assert.deepEqual(parseVelocityFlag("dir/v.SEGY"), { kind: "volume", path: "dir/v.SEGY" });
  assert.deepEqual(parseVelocityFlag("v.su"), { kind: "volume", path: "v.su" });
  assert.deepEqual(parseVelocityFlag("picks.txt"), { kind: "picks", path: "picks.txt" });
});

Deno.test("parseVelocityFlag rejects bad velocities and functions", () => {
  throwsPstm(() => parseVelocityFlag("0"), /--velocity: velocity must be a finite number > 0/);
  throwsPstm(() => parseVelocityFlag("-2000"), /> 0/);
  throwsPstm(() => parseVelocityFlag("NaN"), /finite/);
  throwsPstm(() => parseVelocityFlag("2.0"), /km\/s/);
  throwsPstm(() => parseVelocityFlag(""), /expected a velocity/);
  throwsPstm(() => parseVelocityFlag("0:1800,0:2000"), /pick 2 .*tau must increase/);
  throwsPstm(() => parseVelocityFlag("0:1800,1:"), /pick 2 .*tau:v pairs/);
  throwsPstm(() => parseVelocityFlag("0:1800,1:-5"), /pick 2 .*> 0/);
  throwsPstm(() => parseVelocityFlag("-1:1800"), /tau must be a time >= 0/);
});

Deno.test("velocityAt interpolates linearly and extrapolates constantly", () => {
  const fn = parseVelocityFunction("1:2000,2:3000,4:3000");
  assert.deepEqual([0, 1, 1.25, 2, 3, 9].map((t) => velocityAt(fn, t)), [
    2000,
    2000,
    2250,
    3000,
    3000,
    3000,
  ]);
});

Deno.test("openVelocity builds laterally constant models for constants and functions", async () => {
  const grid: GridSpec = { x0: 0, y0: 0, dx: 10, dy: 10, nx: 3, ny: 2, azimuthDeg: 0 };
  const c = await openVelocity("2500", grid, TIME);
  assert.equal(c.description, "constant 2500 m/s");
  assert.deepEqual(Array.from(c.sample(0, 3, 0, 2)), new Array(30).fill(2500));
  const f = await openVelocity("0:2000,1:3000", grid, TIME);
  assert.deepEqual(Array.from(f.sample(1, 2, 1, 2)), [2000, 2500, 3000, 3000, 3000]);
  assert.equal(f.min, 2000);
  assert.equal(f.max, 3000);
  assert.throws(() => f.sample(0, 4, 0, 1), RangeError);
  assert(f instanceof LayeredVelocity);
});

Deno.test("parsePicksTable reads columns by name and groups picks by location", () => {
  const text = "# comment\n\nX Y TWT_MS VRMS extra\n100 200 1000 2500 a\n100 200 0 1500 b\n" +
    "300 200 0 1600 c\n";
  const t = parsePicksTable(text, "p.txt");
  assert.equal(t.byLine, false);
  assert.equal(t.locations.length, 2);
  assert.deepEqual(t.locations[0].taus, [0, 1]); // sorted, milliseconds converted
  assert.deepEqual(t.locations[0].velocities, [1500, 2500]);
  assert.deepEqual(t.locations[0].lines, [5, 4]);
});

Deno.test("parsePicksTable names the file, line and column of bad picks", () => {
  throwsPstm(() => parsePicksTable("a,b,c\n1,2,3\n", "p.csv"), /p.csv, field line 1: .*x,y,tau,v/);
  throwsPstm(
    () => parsePicksTable("x,y,tau,v\n0,0,0,2000\n0,0,abc,2000\n", "p.csv"),
    /p.csv, field line 3, column tau: expected a number/,
  );
  throwsPstm(
    () => parsePicksTable("x,y,tau,v\n0,0,0,2000\n0,0,1,0\n", "p.csv"),
    /p.csv, field line 3, v: velocity must be a finite number > 0/,
  );
  throwsPstm(
    () => parsePicksTable("x,y,tau,v\n0,0,1,2000\n5,5,1,2000\n0,0,1,2100\n", "p.csv"),
    /same location and time 1 s \(lines 2 and 4\)/,
  );
  throwsPstm(() => parsePicksTable("x,y,tau,v\n", "p.csv"), /no picks/);
  throwsPstm(() => parsePicksTable("\n# only\n", "p.csv"), /empty/);
});

Deno.test("picks interpolate exactly at locations, linearly in time, bounded between", () => {
  const grid: GridSpec = { x0: 0, y0: 0, dx: 50, dy: 50, nx: 5, ny: 5, azimuthDeg: 0 };
  // a 3 x 3 lattice of locations 100 m apart; v grows with x and with time
  let text = "x,y,tau,v\n";
  for (const x of [0, 100, 200]) {
    for (const y of [0, 100, 200]) text += `${x},${y},0,${2000 + x}\n${x},${y},2,${3000 + x}\n`;
  }
  const model = velocityFromPicksTable(parsePicksTable(text, "p.csv"), grid, TIME, "p.csv");
  const v = model.sample(0, 5, 0, 5);
  const at = (ix: number, iy: number, it: number) => v[(iy * 5 + ix) * TIME.ntau + it];
  assert.equal(at(2, 2, 0), 2100); // bin (2, 2) is location (100, 100)
  assert.equal(at(4, 0, 1), 2450); // tau = 0.5 s: a quarter of the way from 2200 to 3200
  assert.equal(at(4, 0, 2), 2700);
  assert.equal(at(4, 0, 4), 3200); // constant after the last pick
  // between locations: within the neighbours' range, symmetric about the centre column
  const mid = at(1, 2, 0);
  assert(mid > 2000 && mid < 2100, `${mid}`);
  assert(Math.abs(at(1, 2, 0) + at(3, 2, 0) - 2 * 2100) < 1e-3);
  assert.equal(model.min, 2000);
  assert.equal(model.max, 3200);
});

Deno.test("ScatteredVelocity is continuous and matches a brute-force Shepard blend", () => {
  // many random locations exercise the bucket index; compare with a direct computation
  const n = 500, ntau = 1;
  const xs = new Float64Array(n), ys = new Float64Array(n), functions = new Float32Array(n);
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (let i = 0; i < n; i++) {
    xs[i] = rand() * 1000;
    ys[i] = rand() * 1000;
    functions[i] = 1500 + rand() * 3000;
  }
  xs.set([0, 1000, 0, 1000], 0);
  ys.set([0, 0, 1000, 1000], 0);
  const grid: GridSpec = { x0: 3, y0: 5, dx: 33, dy: 41, nx: 30, ny: 24, azimuthDeg: 0 };
  const model = new ScatteredVelocity(grid, { tau0: 0, dtau: 1, ntau }, {
    xs,
    ys,
    functions,
    file: "f",
    what: "points",
  });
  const v = model.sample(0, 30, 0, 24);
  for (const [ix, iy] of [[0, 0], [7, 3], [29, 23], [15, 11]]) {
    const p = binCentre(grid, ix, iy);
    const d = Array.from(xs, (x, i) => ({ i, d: Math.hypot(x - p.x, ys[i] - p.y) }))
      .sort((a, b) => a.d - b.d);
    const r = d[8].d;
    let sum = 0, acc = 0;
    for (const { i, d: di } of d.slice(0, 8)) {
      const w = ((r - di) / (r * di)) ** 2;
      sum += w;
      acc += w * functions[i];
    }
    assert(Math.abs(v[iy * 30 + ix] - acc / sum) < 1e-2, `bin ${ix},${iy}`);
  }
});

Deno.test("picks that do not cover the grid are rejected naming the bin", () => {
  const grid: GridSpec = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 9, ny: 9, azimuthDeg: 0 };
  const text = "x,y,tau,v\n0,0,0,2000\n200,0,0,2000\n0,150,0,2000\n200,150,0,2000\n";
  throwsPstm(
    () => velocityFromPicksTable(parsePicksTable(text, "p.csv"), grid, TIME, "p.csv"),
    /p.csv, field x, y \(velocity locations\): .*do not cover .*bin \(ix 0, iy 8\) at \(0.0, 200.0\) lies 50.0 m outside/,
  );
  // within one bin of the hull is accepted, extrapolated as a constant
  const ok = "x,y,tau,v\n0,0,0,2000\n200,0,0,2000\n0,180,0,2000\n200,180,0,2000\n";
  const model = velocityFromPicksTable(parsePicksTable(ok, "p.csv"), grid, TIME, "p.csv");
  assert(model.sample(0, 9, 0, 9).every((v) => Math.abs(v - 2000) < 1e-3));
  // a single location covers only itself
  throwsPstm(
    () => velocityFromPicksTable(parsePicksTable("x,y,t,v\n0,0,0,2000\n", "q"), grid, TIME, "q"),
    /do not cover/,
  );
});

Deno.test("inline/crossline picks are placed through the grid numbering", () => {
  const grid: GridSpec = {
    x0: 1000,
    y0: 1000,
    dx: 25,
    dy: 25,
    nx: 5,
    ny: 3,
    azimuthDeg: 30,
    inline0: 10,
    crossline0: 100,
  };
  const text =
    "inline,crossline,tau,v\n10,100,0,2000\n10,104,0,2400\n12,100,0,2000\n12,104,0,2400\n";
  const model = velocityFromPicksTable(parsePicksTable(text, "p.csv"), grid, TIME, "p.csv");
  const v = model.sample(0, 5, 0, 3);
  assert(Math.abs(v[(2 * 5 + 4) * TIME.ntau] - 2400) < 1e-3); // inline 12, crossline 104
  assert(Math.abs(v[0] - 2000) < 1e-3);
});

Deno.test("convexHull and distanceOutsideHull handle degenerate sets", () => {
  assert.deepEqual(convexHull(new Float64Array([1, 1]), new Float64Array([2, 2])), [[1, 2]]);
  const line = convexHull(new Float64Array([0, 1, 2]), new Float64Array([0, 0, 0]));
  assert.deepEqual(line, [[0, 0], [2, 0]]);
  assert.equal(distanceOutsideHull(line, 1, 3), 3);
  assert.equal(distanceOutsideHull(line, 5, 4), 5);
  assert.equal(distanceOutsideHull([[0, 0], [4, 0], [4, 4], [0, 4]], 2, 2), 0);
});

/** Writes a big-endian IEEE-float SEG-Y rev 1 file of velocity traces. */
async function writeVolume(
  traces: { cdpx: number; cdpy: number; il: number; xl: number; v: number[] }[],
  dtMicro: number,
): Promise<string> {
  const ns = traces[0].v.length;
  const bytes = new Uint8Array(3600 + traces.length * (240 + 4 * ns));
  const view = new DataView(bytes.buffer);
  bytes.fill(0x40, 0, 3200); // EBCDIC spaces
  bytes.set([0xc3, 0xf1], 0); // "C1"
  view.setUint16(3216, dtMicro);
  view.setUint16(3220, ns);
  view.setUint16(3224, 5);
  view.setUint16(3500, 0x0100);
  traces.forEach((t, k) => {
    const at = 3600 + k * (240 + 4 * ns);
    view.setInt32(at, k + 1);
    view.setInt16(at + 70, -10); // coordinates in decimetres
    view.setUint16(at + 114, ns);
    view.setUint16(at + 116, dtMicro);
    view.setInt32(at + 180, t.cdpx * 10);
    view.setInt32(at + 184, t.cdpy * 10);
    view.setInt32(at + 188, t.il);
    view.setInt32(at + 192, t.xl);
    t.v.forEach((v, i) => view.setFloat32(at + 240 + 4 * i, v));
  });
  const path = await Deno.makeTempFile({ suffix: ".sgy" });
  await Deno.writeFile(path, bytes);
  return path;
}

Deno.test("velocityFromSegy resamples volume traces in time and places them by CDP X/Y", async () => {
  const grid: GridSpec = { x0: 500, y0: 700, dx: 50, dy: 50, nx: 3, ny: 2, azimuthDeg: 0 };
  const traces = [];
  for (let iy = 0; iy < 2; iy++) {
    for (let ix = 0; ix < 3; ix++) {
      // two samples 25 ms apart: v = 2000 + 100 ix + 10 iy, then 1000 more
      const base = 2000 + 100 * ix + 10 * iy;
      traces.push({
        cdpx: 500 + 50 * ix,
        cdpy: 700 + 50 * iy,
        il: 0,
        xl: 0,
        v: [base, base + 1000],
      });
    }
  }
  const path = await writeVolume(traces, 25_000); // 25 ms
  try {
    const time = { tau0: 0, dtau: 0.0125, ntau: 4 };
    const model = await velocityFromSegy(path, grid, time);
    const v = model.sample(0, 3, 0, 2);
    // bin (2, 1): base 2210, samples at 0 and 25 ms, then constant
    assert.deepEqual(Array.from(v.subarray(5 * 4, 6 * 4)), [2210, 2710, 3210, 3210]);
    assert(model.description.includes("CDP X/Y"));
    assert.equal((await openVelocity(path, grid, time)).max, 3210);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("velocityFromSegy places traces by inline/crossline without CDP X/Y", async () => {
  const grid: GridSpec = {
    x0: 0,
    y0: 0,
    dx: 25,
    dy: 25,
    nx: 2,
    ny: 2,
    azimuthDeg: 45,
    inline0: 5,
    crossline0: 20,
  };
  const traces = [[5, 20], [5, 21], [6, 20], [6, 21]].map(([il, xl]) => ({
    cdpx: 0,
    cdpy: 0,
    il,
    xl,
    v: [1000 * (il - 3) + (xl - 20) * 100, 9999],
  }));
  const path = await writeVolume(traces, 4000);
  try {
    const model = await velocityFromSegy(path, grid, { tau0: 0, dtau: 0.004, ntau: 1 });
    assert.deepEqual(Array.from(model.sample(0, 2, 0, 2)), [2000, 2100, 3000, 3100]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("velocityFromSegy names the trace and sample of a bad velocity", async () => {
  const grid: GridSpec = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 1, ny: 1, azimuthDeg: 0 };
  const path = await writeVolume([
    { cdpx: 0, cdpy: 0, il: 1, xl: 1, v: [2000, 2000] },
    { cdpx: 25, cdpy: 0, il: 1, xl: 2, v: [2000, -1] },
  ], 4000);
  try {
    await rejectsPstm(
      () => velocityFromSegy(path, grid, { tau0: 0, dtau: 0.004, ntau: 2 }),
      /trace 1, field sample 1 \(t = 0.0040 s\): velocity must be a finite number > 0/,
    );
    // a volume that does not cover the grid
    const far = { ...grid, x0: 5000 };
    await rejectsPstm(
      () => velocityFromSegy(path, far, { tau0: 0, dtau: 0.004, ntau: 1 }),
      /do not cover the output grid/,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("openVelocity reports an unreadable picks file", async () => {
  const grid: GridSpec = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 1, ny: 1, azimuthDeg: 0 };
  await rejectsPstm(
    () => openVelocity("/nonexistent/picks.csv", grid, TIME),
    /\/nonexistent\/picks.csv, field --velocity: cannot read the velocity picks table/,
  );
});

Deno.test("picks beyond their area: constant extrapolation from the nearest location, with a warning", () => {
  // a 2-D line of bins at x = 0 .. 200 m; picks only at x = 0 (2000 m/s) and 100 m (3000 m/s)
  const grid: GridSpec = { x0: 0, y0: 0, dx: 25, dy: 25, nx: 9, ny: 1, azimuthDeg: 0 };
  const text = "x,y,tau,v\n0,0,0,2000\n100,0,0,3000\n";
  throwsPstm(
    () => velocityFromPicksTable(parsePicksTable(text, "p.csv"), grid, TIME, "p.csv"),
    /do not cover .*bin \(ix 8, iy 0\).*--velocity-extrapolation constant/,
  );
  const model = velocityFromPicksTable(
    parsePicksTable(text, "p.csv"),
    grid,
    TIME,
    "p.csv",
    undefined,
    true,
  );
  const v = model.sample(0, 9, 0, 1);
  const at = (ix: number) => v[ix * TIME.ntau];
  assert.equal(at(0), 2000);
  assert.equal(at(4), 3000);
  // 125 m lies within the one-bin tolerance (blend); 150 m and beyond take x = 100 m's 3000
  for (const ix of [6, 7, 8]) assert.equal(at(ix), 3000, `bin ${ix}`);
  assert.equal(model.warnings?.length, 1);
  assert.match(
    model.warnings![0],
    /p\.csv: .*bin \(ix 8, iy 0\) at \(200\.0, 0\.0\) lies 100\.0 m outside/,
  );
  assert.match(model.warnings![0], /constant extrapolation/);
  // one location: its function everywhere
  const one = velocityFromPicksTable(
    parsePicksTable("x,y,tau,v\n50,0,0,2500\n", "q"),
    grid,
    TIME,
    "q",
    undefined,
    true,
  );
  assert.ok(one.sample(0, 9, 0, 1).every((x) => x === 2500));
  // covered: no warning
  const full = "x,y,tau,v\n0,0,0,2000\n200,0,0,3000\n";
  const covered = velocityFromPicksTable(
    parsePicksTable(full, "r"),
    grid,
    TIME,
    "r",
    undefined,
    true,
  );
  assert.deepEqual(covered.warnings, []);
});

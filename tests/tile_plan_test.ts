import assert from "node:assert/strict";
import { GeometryTable } from "../pipeline/plan/geometry_table.ts";
import {
  makeFootprint,
  type PlanRequest,
  planTiles,
  tileShape,
} from "../pipeline/plan/tile_plan.ts";
import { PstmError } from "../core/errors.ts";

/** A survey of midpoints on a 20 x 20 grid at 10 m, one trace each, sorted by row. */
function gridSurvey(nx = 20, ny = 20, spacing = 10): GeometryTable {
  const table = new GeometryTable(4);
  const n = nx * ny;
  const xs = new Float64Array(n), ys = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    xs[k] = (k % nx) * spacing;
    ys[k] = Math.floor(k / nx) * spacing;
  }
  table.append({
    firstTrace: 0,
    count: n,
    ns: 1,
    dt: 1,
    t0: 0,
    samples: new Float32Array(n),
    sx: xs,
    sy: ys,
    gx: xs,
    gy: ys,
    headers: {},
  });
  return table;
}

function request(overrides: Partial<PlanRequest> = {}): PlanRequest {
  return {
    nx: 20,
    ny: 20,
    dx: 10,
    dy: 10,
    ntau: 100,
    nclass: 1,
    binOf: (x, y) => [x / 10, y / 10],
    reach: 25,
    geometry: gridSurvey(),
    ns: 100,
    batchSize: 20,
    budget: 64 * 1024 * 1024,
    ...overrides,
  };
}

Deno.test("GeometryTable grows as batches are appended", () => {
  const table = gridSurvey(30, 30);
  assert.equal(table.count, 900);
  assert.equal(table.sx[899], 290);
  assert.equal(table.gy[899], 290);
});

Deno.test("planTiles uses one tile when the whole image fits", () => {
  const plan = planTiles(request());
  assert.equal(plan.tiles.length, 1);
  assert.equal(plan.passes.length, 1);
  assert.equal(plan.tiles[0].firstTrace, 0);
  assert.equal(plan.tiles[0].lastTrace, 399);
  assert.equal(plan.tiles[0].traceCount, 400);
});

Deno.test("planTiles finds the first and last trace reaching each tile", () => {
  const plan = planTiles(request({ tileBins: [20, 5] }));
  assert.equal(plan.tiles.length, 4);
  // tile 1 holds rows 5..9; traces within 25 m (2.5 rows) reach it: rows 3..11
  assert.equal(plan.tiles[1].firstTrace, 3 * 20);
  assert.equal(plan.tiles[1].lastTrace, 12 * 20 - 1);
  assert.equal(plan.tiles[1].traceCount, 9 * 20);
  const total = plan.passes.flatMap((p) => p.tileIds).sort();
  assert.deepEqual(total, [0, 1, 2, 3]);
});

Deno.test("planTiles splits into several passes when open tiles exceed the budget", () => {
  const base = request({ tileBins: [20, 5] });
  const bytesPerBin = 4 * 100 * (1 + 2) + 8; // image + velocity + the native 1/v^2
  // 8 batches of 20 traces in flight (samples, 29 header columns, binned geometry), the read
  // buffer of one batch, the geometry
  const input = 8 * 20 * (4 * 100 + 8 * 29 + 36) + 20 * (240 + 4 * 100) + base.geometry!.bytes;
  assert.equal(tileShape(base).inputBytes, input);
  // room for one tile of 100 bins only
  const plan = planTiles({ ...base, budget: input + 100 * bytesPerBin + 10 });
  assert.ok(plan.passes.length > 1, `expected several passes, got ${plan.passes.length}`);
  for (const pass of plan.passes) {
    const tiles = pass.tileIds.map((id) => plan.tiles[id]);
    assert.equal(pass.firstTrace, Math.min(...tiles.map((t) => t.firstTrace)));
  }
});

Deno.test("planTiles rejects a budget smaller than one column plus the input", () => {
  assert.throws(() => planTiles(request({ budget: 1000 })), (error: unknown) => {
    assert.ok(error instanceof PstmError);
    assert.equal(error.exitCode, 2);
    assert.match(error.message, /--memory/);
    return true;
  });
});

Deno.test("planTiles keeps done tiles out and honours shards", () => {
  const plan = planTiles(request({ tileBins: [10, 10], done: new Set([0]) }));
  assert.deepEqual(plan.doneTiles, [0]);
  assert.ok(!plan.passes.some((p) => p.tileIds.includes(0)));
  const shard = planTiles(request({ tileBins: [10, 10], shard: { index: 1, count: 2 } }));
  const ids = shard.passes.flatMap((p) => p.tileIds).concat(shard.emptyTiles).sort();
  assert.deepEqual(ids, [2, 3]); // a contiguous band of tiles
});

Deno.test("planTiles lists tiles no trace reaches as empty", () => {
  const plan = planTiles(request({ nx: 40, tileBins: [10, 20], reach: 5 }));
  assert.deepEqual(plan.emptyTiles.sort(), [2, 3]);
});

Deno.test("makeFootprint covers every bin within reach, and all tiles without aperture", () => {
  const out = new Int32Array(4);
  const footprint = makeFootprint(request(), 5, 5);
  assert.ok(footprint(100, 100, out));
  assert.deepEqual([...out], [1, 2, 1, 2]); // bins 8..12 -> tiles 1..2
  assert.ok(!footprint(1000, 1000, out));
  assert.ok(!footprint(NaN, 0, out));
  const all = makeFootprint(request({ reach: Infinity }), 5, 5);
  assert.ok(all(1e9, 1e9, out));
  assert.deepEqual([...out], [0, 3, 0, 3]);
});

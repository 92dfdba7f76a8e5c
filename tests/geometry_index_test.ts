import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import {
  GeometryIndex,
  INDEX_BLOCK_TRACES,
  inputDifference,
  writeGeometryIndex,
} from "../pipeline/plan/geometry_index.ts";
import { GeometryTable } from "../pipeline/plan/geometry_table.ts";
import { planTiles } from "../pipeline/plan/tile_plan.ts";
import type { TraceBatch } from "../pipeline/segy/trace_batch.ts";

/** Header-only batches of `n` traces on a `side` x `side` midpoint grid at 10 m, row by row. */
function* headerBatches(n: number, side: number, batch = 10_000): Generator<TraceBatch> {
  for (let first = 0; first < n; first += batch) {
    const count = Math.min(batch, n - first);
    const sx = new Float64Array(count), sy = new Float64Array(count);
    const gx = new Float64Array(count), gy = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      const bin = Math.floor(((first + k) * side * side) / n);
      const mx = 10 * (bin % side) + 0.125, my = 10 * Math.floor(bin / side);
      const h = 50 + ((first + k) % 7) * 25;
      [sx[k], sy[k], gx[k], gy[k]] = [mx - h, my, mx + h, my];
    }
    yield {
      firstTrace: first,
      count,
      ns: 0,
      dt: 0.004,
      t0: 0,
      samples: new Float32Array(0),
      sx,
      sy,
      gx,
      gy,
      headers: {},
    };
  }
}

const INPUT = { path: "s.sgy", size: 1234, mtime: 5, traces: 0, ns: 10, dt: 0.004, headers: [] };
/** More than two blocks, the last one short. */
const TRACES = 2 * INDEX_BLOCK_TRACES + 1234;

async function withIndex(fn: (path: string, table: GeometryTable) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "pstm-index-" });
  const table = new GeometryTable();
  for (const b of headerBatches(TRACES, 40)) table.append(b);
  try {
    const index = await writeGeometryIndex(`${dir}/g.index`, headerBatches(TRACES, 40), {
      ...INPUT,
      traces: TRACES,
    });
    index.close();
    await fn(`${dir}/g.index`, table);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("GeometryIndex reads back every midpoint and half offset the scan wrote", async () => {
  await withIndex(async (path, table) => {
    using index = await GeometryIndex.open(path);
    assert.equal(index.count, TRACES);
    assert.deepEqual(index.input, { ...INPUT, traces: TRACES });
    const expected = [...table.bands()];
    const got = [...index.bands()].map((b) => ({ ...b, mx: [...b.mx], my: [...b.my] }));
    assert.equal(got.length, 3);
    let n = 0;
    for (const [i, band] of got.entries()) {
      const want = expected.find((e) => e.first === band.first)!;
      assert.equal(band.count, want.count, `band ${i}`);
      assert.deepEqual(band.mx, [...want.mx]);
      assert.deepEqual(band.my, [...want.my]);
      n += band.count;
    }
    assert.equal(n, TRACES);
    assert.equal(index.statistics.maxHalfOffset, 200);
    assert.equal(index.statistics.midpoint.xmax, 390.125);
    // memory held while reading: one block, whatever the trace count
    assert.equal(index.bytes, 20 * INDEX_BLOCK_TRACES);
  });
});

Deno.test("planTiles gives the same tiles and passes from the index as from the table", async () => {
  await withIndex(async (path, table) => {
    using index = await GeometryIndex.open(path);
    const request = {
      nx: 40,
      ny: 40,
      dx: 10,
      dy: 10,
      ntau: 50,
      nclass: 1,
      binOf: (x: number, y: number): [number, number] => [x / 10, y / 10],
      reach: 30,
      ns: 10,
      batchSize: 1000,
      budget: 24 * 1024 * 1024,
      tileBins: [40, 5] as [number, number],
    };
    const fromTable = planTiles({ ...request, geometry: table });
    const fromIndex = planTiles({ ...request, geometry: index });
    assert.ok(fromIndex.tiles.length === 8 && fromIndex.tiles[3].traceCount > 0);
    assert.deepEqual(fromIndex.tiles, fromTable.tiles);
    assert.deepEqual(fromIndex.passes, fromTable.passes);
  });
});

Deno.test("a truncated geometry index is refused at open, naming the file", async () => {
  await withIndex(async (path) => {
    const bytes = await Deno.readFile(path);
    for (const size of [10, 1000, bytes.length - 1, INDEX_BLOCK_TRACES * 20]) {
      await Deno.writeFile(path, bytes.subarray(0, size));
      await assert.rejects(
        () => GeometryIndex.open(path),
        (e: Error) =>
          e instanceof PstmError && e.exitCode === 2 && e.message.includes(path) &&
          /truncated/.test(e.message),
        `size ${size}`,
      );
    }
  });
});

Deno.test("a damaged block, table or metadata of a geometry index is detected, never used", async () => {
  await withIndex(async (path) => {
    const bytes = await Deno.readFile(path);
    const damage = async (at: number) => {
      const copy = bytes.slice();
      copy[at] ^= 0x10;
      await Deno.writeFile(path, copy);
    };
    // a byte in the second block: opens (cheap checks) but reading that band fails
    await damage(32 + 20 * INDEX_BLOCK_TRACES + 999);
    {
      using index = await GeometryIndex.open(path);
      assert.throws(
        () => index.verify(),
        (e: Error) => e instanceof PstmError && /block 1 .*damaged/.test(e.message),
      );
    }
    // the block table, the metadata JSON, the header's trace count
    for (const at of [32 + 20 * TRACES + 2, bytes.length - 30, 20]) {
      await damage(at);
      await assert.rejects(
        () => GeometryIndex.open(path),
        (e: Error) => e instanceof PstmError && e.exitCode === 2 && e.message.includes(path),
        `byte ${at}`,
      );
    }
    // not an index at all
    await Deno.writeTextFile(path, "x".repeat(100));
    await assert.rejects(() => GeometryIndex.open(path), /not a pstm geometry index/);
  });
});

Deno.test("inputDifference names the first field that differs", () => {
  assert.equal(inputDifference(INPUT, { ...INPUT, path: "moved.sgy" }), undefined);
  assert.equal(inputDifference(INPUT, { ...INPUT, size: 99 }), "size 1234 != 99");
  assert.equal(
    inputDifference(INPUT, { ...INPUT, headers: ["sx=73:i4"] }),
    'headers [] != ["sx=73:i4"]',
  );
});

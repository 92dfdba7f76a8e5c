import assert from "node:assert/strict";
import { GeometryTable } from "../pipeline/geometry_table.ts";
import { suggestGrid } from "../pipeline/suggest_grid.ts";
import { synthBatches, synthPreset } from "../pipeline/synth.ts";
import { PstmError } from "../pipeline/errors.ts";

function tableOf(preset: string): GeometryTable {
  const table = new GeometryTable();
  for (const batch of synthBatches(synthPreset(preset), 500)) table.append(batch);
  return table;
}

Deno.test("suggestGrid recovers the midpoint grid of a 3-D survey", () => {
  const spec = synthPreset("small3d");
  const grid = suggestGrid(tableOf("small3d"));
  assert.equal(grid.azimuthDeg, 0);
  assert.equal(grid.dx, spec.dx);
  assert.equal(grid.dy, spec.dy);
  assert.equal(grid.nx, spec.nx);
  assert.equal(grid.ny, spec.ny);
  assert.ok(Math.abs(grid.x0 - spec.x0) < 1e-6 && Math.abs(grid.y0 - spec.y0) < 1e-6);
});

Deno.test("suggestGrid finds the azimuth of a rotated survey", () => {
  const spec = synthPreset("wide3d");
  const grid = suggestGrid(tableOf("wide3d"));
  assert.equal(grid.azimuthDeg, spec.azimuthDeg);
  assert.equal(grid.nx, spec.nx);
  assert.equal(grid.ny, spec.ny);
});

Deno.test("suggestGrid gives one row for a 2-D line", () => {
  const grid = suggestGrid(tableOf("line2d"));
  assert.equal(grid.ny, 1);
  assert.equal(grid.nx, synthPreset("line2d").nx);
});

Deno.test("suggestGrid rejects a survey without coordinates", () => {
  const table = new GeometryTable();
  const nan = Float64Array.of(NaN);
  table.append({
    firstTrace: 0, count: 1, ns: 1, dt: 1, t0: 0, samples: new Float32Array(1),
    sx: nan, sy: nan, gx: nan, gy: nan, headers: {},
  });
  assert.throws(() => suggestGrid(table), PstmError);
});

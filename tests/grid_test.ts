import assert from "node:assert/strict";
import {
  binCentre,
  binOf,
  binOfLine,
  checkGrid,
  crosslineNumber,
  gridPoints,
  inlineNumber,
  parseGridFlag,
  parseTimeFlag,
} from "../pipeline/plan/grid.ts";
import { PstmError } from "../core/errors.ts";

Deno.test("parseGridFlag reads six or seven numbers", () => {
  assert.deepEqual(parseGridFlag("1000, 2000,25,12.5,512,384"), {
    x0: 1000,
    y0: 2000,
    dx: 25,
    dy: 12.5,
    nx: 512,
    ny: 384,
    azimuthDeg: 0,
    inline0: 1,
    crossline0: 1,
    inlineStep: 1,
    crosslineStep: 1,
  });
  assert.equal(parseGridFlag("0,0,25,25,4,4,-30").azimuthDeg, -30);
});

Deno.test("parseGridFlag rejects bad values naming the field", () => {
  const bad: [string, RegExp][] = [
    ["0,0,25,25,4", /X0,Y0,DX,DY,NX,NY/],
    ["0,0,0,25,4,4", /dx must be a finite bin spacing > 0/],
    ["0,0,25,-1,4,4", /dy must be/],
    ["0,0,25,25,4.5,4", /nx must be an integer/],
    ["0,0,25,25,4,0", /ny must be an integer/],
    ["nan,0,25,25,4,4", /--grid X0: expected a finite number/],
    ["0,Infinity,25,25,4,4", /--grid Y0/],
    ["0,0,25,25,100000,100000", /more than/],
    ["0,0,25,25,4,4,x", /AZIMUTH/],
  ];
  for (const [text, pattern] of bad) {
    assert.throws(() => parseGridFlag(text), (e) => {
      assert(e instanceof PstmError && e.exitCode === 2, text);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("checkGrid rejects a zero inline step", () => {
  const grid = { x0: 0, y0: 0, dx: 1, dy: 1, nx: 1, ny: 1, azimuthDeg: 0, inlineStep: 0 };
  assert.throws(() => checkGrid(grid), /inlineStep must be a non-zero integer/);
});

Deno.test("parseTimeFlag reads seconds and rejects bad axes", () => {
  assert.deepEqual(parseTimeFlag("0.1,0.004,1001"), { tau0: 0.1, dtau: 0.004, ntau: 1001 });
  assert.throws(() => parseTimeFlag("-1,0.004,10"), /T0 must be a time >= 0/);
  assert.throws(() => parseTimeFlag("0,0,10"), /DT must be/);
  assert.throws(() => parseTimeFlag("0,4,10"), /0.004/); // milliseconds given as seconds
  assert.throws(() => parseTimeFlag("0,0.004,0"), /NT must be/);
  // the output is SEG-Y: dt in whole microseconds up to 65.535 ms, ns 16-bit
  assert.equal(parseTimeFlag("0,0.065,10").dtau, 0.065);
  assert.throws(() => parseTimeFlag("0,0.07,10"), /65\.535 ms/);
  assert.throws(() => parseTimeFlag("0,0.004,65536"), /1\.\.65535 .*16-bit/);
  assert.throws(() => parseTimeFlag("0,0.004"), /T0,DT,NT/);
});

Deno.test("binCentre follows the azimuth convention and binOf inverts it", () => {
  const grid = { x0: 1000, y0: 500, dx: 25, dy: 50, nx: 10, ny: 10, azimuthDeg: 30 };
  const a = (30 * Math.PI) / 180;
  const c = binCentre(grid, 2, 3);
  assert(Math.abs(c.x - (1000 + 50 * Math.cos(a) - 150 * Math.sin(a))) < 1e-9);
  assert(Math.abs(c.y - (500 + 50 * Math.sin(a) + 150 * Math.cos(a))) < 1e-9);
  const b = binOf(grid, c.x, c.y);
  assert(Math.abs(b.ix - 2) < 1e-12 && Math.abs(b.iy - 3) < 1e-12);
  // azimuth 90: ix points north, iy points west
  const north = { ...grid, azimuthDeg: 90 };
  assert.deepEqual(binCentre(north, 1, 0), { x: 1000, y: 525 });
  assert.deepEqual(binCentre(north, 0, 1), { x: 950, y: 500 });
});

Deno.test("gridPoints lists a tile iy-major relative to the origin", () => {
  const grid = { x0: 600000, y0: 4000000, dx: 10, dy: 20, nx: 5, ny: 4, azimuthDeg: 90 };
  const p = gridPoints(grid, 1, 3, 2, 4);
  // (ix, iy) = (1,2), (2,2), (1,3), (2,3); ix along +y, iy along -x
  assert.deepEqual(Array.from(p), [-40, 10, -40, 20, -60, 10, -60, 20]);
  const shifted = gridPoints(grid, 0, 1, 0, 1, { x: 599990, y: 4000005 });
  assert.deepEqual(Array.from(shifted), [10, -5]);
  assert.throws(() => gridPoints(grid, 0, 6, 0, 1), RangeError);
  assert.throws(() => gridPoints(grid, 2, 2, 0, 1), RangeError);
});

Deno.test("inlineNumber and crosslineNumber number rows and columns", () => {
  const grid = {
    x0: 0,
    y0: 0,
    dx: 1,
    dy: 1,
    nx: 9,
    ny: 9,
    azimuthDeg: 0,
    inline0: 100,
    inlineStep: 2,
    crossline0: 1000,
    crosslineStep: -1,
  };
  assert.equal(inlineNumber(grid, 3), 106);
  assert.equal(crosslineNumber(grid, 3), 997);
  assert.deepEqual(binOfLine(grid, 106, 997), { ix: 3, iy: 3 });
});

import assert from "node:assert/strict";
import {
  classOffset,
  defaultOffsetClasses,
  offsetClassesOf,
  offsetClassOf,
  parseOffsetClasses,
  suggestOffsetClasses,
} from "../pipeline/plan/offset_classes.ts";
import { PstmError } from "../core/errors.ts";

Deno.test("parseOffsetClasses reads FIRST:WIDTH:COUNT", () => {
  assert.deepEqual(parseOffsetClasses("50:100:12"), { first: 50, width: 100, count: 12 });
});

Deno.test("parseOffsetClasses rejects bad values naming the part", () => {
  const bad: [string, RegExp][] = [
    ["0:100", /FIRST:WIDTH:COUNT/],
    ["-1:100:4", /FIRST must be/],
    ["0:0:4", /WIDTH must be/],
    ["0:100:2.5", /COUNT must be/],
    ["0:abc:4", /WIDTH: expected a finite number/],
  ];
  for (const [text, pattern] of bad) {
    assert.throws(() => parseOffsetClasses(text), (e) => {
      assert(e instanceof PstmError && e.exitCode === 2);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("offsetClassOf floors (|offset| - first) / width and flags outsiders", () => {
  const c = { first: 100, width: 200, count: 3 };
  assert.equal(offsetClassOf(100, c), 0);
  assert.equal(offsetClassOf(-299.9, c), 0);
  assert.equal(offsetClassOf(300, c), 1);
  assert.equal(offsetClassOf(699.9, c), 2);
  assert.equal(offsetClassOf(700, c), -1);
  assert.equal(offsetClassOf(99.9, c), -1);
  assert.equal(offsetClassOf(NaN, c), -1);
  assert.deepEqual(Array.from(offsetClassesOf([0, 150, -500, 1e9], c)), [-1, 0, 2, -1]);
});

Deno.test("defaultOffsetClasses holds every offset in one class at offset 0", () => {
  const d = defaultOffsetClasses();
  for (const o of [0, -0, 1, -5000, 1e12]) assert.equal(offsetClassOf(o, d), 0);
  assert.equal(classOffset(0, d), 0);
});

Deno.test("classOffset is the class centre", () => {
  const c = { first: 100, width: 200, count: 3 };
  assert.deepEqual([0, 1, 2].map((k) => classOffset(k, c)), [200, 400, 600]);
});

/** Traces per class of `offsets` under `classes`; -1 counts the traces left out. */
function classCounts(offsets: number[], classes: { first: number; width: number; count: number }) {
  const counts = new Map<number, number>();
  for (const o of offsets) {
    const k = offsetClassOf(o, classes);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

Deno.test("suggestOffsetClasses: a streamer's regular offsets get whole increments per class", () => {
  // 96 channels 12.5 m apart from 150 m, fold 24: 24 classes of 4 channels (50 m)
  const offsets = Array.from({ length: 96 * 10 }, (_, k) => 150 + 12.5 * (k % 96));
  const c = suggestOffsetClasses(offsets, 24);
  assert.deepEqual(c, { first: 143.75, width: 50, count: 24 });
  const counts = classCounts(offsets, c);
  assert.equal(counts.get(-1), undefined, "every offset in a class");
  for (let k = 0; k < 24; k++) assert.equal(counts.get(k), 40, `class ${k}`);
  assert.equal(classOffset(0, c), 168.75); // mean of 150, 162.5, 175, 187.5
});

Deno.test("suggestOffsetClasses: continuous offsets get a round width, at most 32 classes", () => {
  let seed = 7;
  const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const offsets = Array.from({ length: 20000 }, () => 37 + 4000 * rand());
  const c = suggestOffsetClasses(offsets, 100);
  assert.equal(c.width, 200); // 4000 m / 32 = 125 -> 200
  assert.equal(c.first, 0);
  assert.equal(c.count, 21);
  assert.equal(classCounts(offsets, c).get(-1), undefined);
  const few = suggestOffsetClasses(offsets, 4);
  assert.deepEqual(few, { first: 0, width: 1000, count: 5 });
});

Deno.test("suggestOffsetClasses: one offset value is one class centred on it", () => {
  assert.deepEqual(suggestOffsetClasses([0, 0, 0], 3), { first: 0, width: 1, count: 1 });
  const c = suggestOffsetClasses([300, -300], 2);
  assert.equal(c.count, 1);
  assert.equal(classOffset(0, c), 300);
  assert.deepEqual(suggestOffsetClasses([], 1), { first: 0, width: 1, count: 1 });
});

import assert from "node:assert/strict";
import {
  classOffset,
  defaultOffsetClasses,
  offsetClassesOf,
  offsetClassOf,
  parseOffsetClasses,
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

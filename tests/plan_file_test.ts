import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { type PlanContents, readPlanFile, writePlanFile } from "../pipeline/plan/plan_file.ts";

const INPUT = { path: "/d/s.sgy", size: 4000, mtime: 7, traces: 20, ns: 5, dt: 0.004, headers: [] };
const OPTIONS = { velocity: "2000", grid: { nx: 4, ny: 2 }, budget: 1000 };

function plan(): PlanContents {
  return {
    input: INPUT,
    options: OPTIONS,
    fingerprint: "0123456789abcdef",
    grid: { x0: 0, y0: 0, dx: 10, dy: 10, nx: 4, ny: 2, azimuthDeg: 0 },
    statistics: {
      checksum: 99,
      maxHalfOffset: 50,
      midpoint: { xmin: 0, xmax: 3, ymin: 0, ymax: 1 },
    },
    midpointsInside: 20,
    shape: {
      tileNx: 2,
      tileNy: 2,
      tiles: 2,
      bytesPerBin: 8,
      tileOverhead: 0,
      inputBytes: 10,
      tileBudget: 990,
    },
    tiles: [0, 1].map((id) => ({
      id,
      ix0: 2 * id,
      ix1: 2 * id + 2,
      iy0: 0,
      iy1: 2,
      firstTrace: 10 * id,
      lastTrace: 10 * id + 9,
      traceCount: 10,
      bytes: 32,
    })),
  };
}

async function withPlan(fn: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "pstm-plan-" });
  try {
    await writePlanFile(`${dir}/job.plan`, plan());
    await fn(`${dir}/job.plan`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const refused = (pattern: RegExp, path: string) => (e: Error) =>
  e instanceof PstmError && e.exitCode === 2 && pattern.test(e.message) &&
  e.message.includes(path);

Deno.test("a plan file reads back what was written, the input moved elsewhere", async () => {
  await withPlan(async (path) => {
    const read = await readPlanFile(path, {
      input: { ...INPUT, path: "/elsewhere/s.sgy" },
      options: OPTIONS,
    });
    assert.deepEqual({ ...read, input: INPUT }, plan());
  });
});

Deno.test("a plan file from another survey is refused, naming what differs", async () => {
  await withPlan(async (path) => {
    await assert.rejects(
      () => readPlanFile(path, { input: { ...INPUT, size: 4004 }, options: OPTIONS }),
      refused(/another input \(size 4000 != 4004/, path),
    );
    await assert.rejects(
      () => readPlanFile(path, { input: { ...INPUT, mtime: 8 }, options: OPTIONS }),
      refused(/mtime 7 != 8/, path),
    );
  });
});

Deno.test("a plan file made with other options is refused, naming the option", async () => {
  await withPlan(async (path) => {
    await assert.rejects(
      () => readPlanFile(path, { input: INPUT, options: { ...OPTIONS, velocity: "2500" } }),
      refused(/other options \(velocity "2000" != "2500"/, path),
    );
    await assert.rejects(
      () => readPlanFile(path, { input: INPUT, options: { ...OPTIONS, grid: { nx: 4, ny: 3 } } }),
      refused(/grid\.ny 2 != 3/, path),
    );
    await assert.rejects(
      () => readPlanFile(path, { input: INPUT, options: { ...OPTIONS, rho: "3d" } }),
      refused(/rho unset != "3d"/, path),
    );
  });
});

Deno.test("a truncated or damaged plan file is refused", async () => {
  await withPlan(async (path) => {
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.slice(0, text.length - 20));
    await assert.rejects(
      () => readPlanFile(path, { input: INPUT, options: OPTIONS }),
      refused(/truncated/, path),
    );
    await Deno.writeTextFile(
      path,
      text.replace('"lastTrace"', '"lastTrace"').replace("[0,2,0,2,0,9,", "[0,2,0,2,0,8,"),
    );
    await assert.rejects(
      () => readPlanFile(path, { input: INPUT, options: OPTIONS }),
      refused(/damaged/, path),
    );
    await assert.rejects(
      () => readPlanFile(`${path}.missing`, { input: INPUT, options: OPTIONS }),
      refused(/cannot read the plan file/, `${path}.missing`),
    );
  });
});

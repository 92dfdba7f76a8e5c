/**
 * Checkpoints (pipeline/job/checkpoint.ts): a single-pass job with an unlimited aperture (every
 * tile open until the last trace, so no tile is recorded before the end) is interrupted after
 * a checkpoint; `--resume` restores the open tiles' sums, reads only the traces after the
 * checkpoint, and writes an image byte-identical to an uninterrupted run.
 */

import assert from "node:assert/strict";
import { PstmError } from "../core/errors.ts";
import { makeSurvey, migrate, type Survey } from "./helpers/migrate_support.ts";

const survey: Survey = await makeSurvey("small3d", { nx: 40, ny: 30, ns: 300 });
const JOB = { aperture: "none", traveltimeTable: "off", batchSize: 32, tileBins: [10, 10] };

Deno.test.afterAll?.(async () => {
  await Deno.remove(survey.dir, { recursive: true }).catch(() => {});
});

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("checkpoint: interrupted after a checkpoint, --resume reads on from it, same bytes", async () => {
  const plain = await migrate(survey, "plain.sgy", { ...JOB, checkpoint: 0 });
  assert.equal(plain.summary.passes, 1);
  const traces = plain.summary.traces;
  const out = `${survey.dir}/cut.sgy`;
  const stop = new AbortController();
  const watch = setInterval(async () => {
    if (await exists(`${out}.checkpoint`)) stop.abort("SIGINT");
  }, 5);
  try {
    await assert.rejects(
      migrate(survey, "cut.sgy", { ...JOB, checkpoint: 1e-6 }, { signal: stop.signal }),
      (e: unknown) => e instanceof PstmError && e.exitCode === 130,
    );
  } finally {
    clearInterval(watch);
  }
  assert.ok(await exists(`${out}.checkpoint`), "the checkpoint survives the interruption");
  const saved = JSON.parse(
    new TextDecoder().decode((await Deno.readFile(`${out}.checkpoint`)).slice(0, 4096))
      .split("\n")[0],
  );
  assert.ok(saved.next > 0 && saved.next < traces, `checkpoint at trace ${saved.next}`);
  const resumed = await migrate(survey, "cut.sgy", { ...JOB, checkpoint: 0, resume: true });
  assert.ok(resumed.summary.complete);
  assert.ok(
    resumed.summary.tracesRead <= traces - saved.next + JOB.batchSize,
    `read ${resumed.summary.tracesRead} of ${traces} again (checkpoint at ${saved.next})`,
  );
  const [a, b] = await Promise.all([Deno.readFile(plain.output), Deno.readFile(out)]);
  assert.equal(a.length, b.length);
  assert.ok(a.subarray(3200).every((v, i) => v === b[3200 + i]), "byte-identical traces");
  assert.ok(!(await exists(`${out}.checkpoint`)), "a complete job removes its checkpoint");
});

Deno.test("checkpoint: a run without --resume ignores and removes an old checkpoint", async () => {
  const out = `${survey.dir}/fresh.sgy`;
  await Deno.writeTextFile(`${out}.checkpoint`, '{"version":1,"fingerprint":"x","next":5}\n');
  const run = await migrate(survey, "fresh.sgy", { ...JOB, checkpoint: 0 });
  assert.ok(run.summary.complete);
  assert.equal(run.summary.tracesRead, run.summary.traces);
  assert.ok(!(await exists(`${out}.checkpoint`)));
});

Deno.test("checkpoint: another job's checkpoint is not restored by --resume", async () => {
  const out = `${survey.dir}/other.sgy`;
  const { writeCheckpoint } = await import("../pipeline/job/checkpoint.ts");
  await writeCheckpoint(`${out}.checkpoint`, "another job", {
    next: 100,
    tiles: new Map([[0, new Float32Array(4)]]),
  });
  const run = await migrate(survey, "other.sgy", { ...JOB, checkpoint: 0, resume: true });
  assert.equal(run.summary.tracesRead, run.summary.traces, "read from the start");
  const plain = await migrate(survey, "plain2.sgy", { ...JOB, checkpoint: 0 });
  const [a, b] = await Promise.all([Deno.readFile(plain.output), Deno.readFile(out)]);
  assert.ok(a.subarray(3200).every((v, i) => v === b[3200 + i]));
});

Deno.test("checkpoint: a backend that cannot restore sums refuses the checkpoint (exit 2)", async () => {
  const { MigrateTileStream } = await import("../pipeline/streams/migrate_tile_stream.ts");
  const { newStageTimes } = await import("../pipeline/streams/stage_times.ts");
  const { newTraceBatch } = await import("../pipeline/segy/trace_batch.ts");
  const tile = {
    id: 0,
    ix0: 0,
    ix1: 1,
    iy0: 0,
    iy1: 1,
    firstTrace: 0,
    lastTrace: 3,
    traceCount: 4,
    bytes: 4,
  };
  let closed = false;
  const backend = {
    name: "gpu-like",
    device: "test",
    bytesPerColumn: () => 4,
    stats: () => ({ kernelSeconds: 0, contributions: 0, deviceBytes: 0 }),
    close() {},
    openTile: () => ({
      accumulate: () => Promise.resolve(),
      finish: () => Promise.resolve(new Float32Array(1)),
      close: () => (closed = true),
    }),
  };
  const stream = new MigrateTileStream({
    backend,
    tiles: [tile],
    ntx: 1,
    tileInputs: () => ({
      params: { nclass: 1, npoints: 1, ntau: 1 } as never,
      points: new Float32Array(2),
      velocity: new Float32Array(1),
    }),
    times: newStageTimes(),
    checkpoint: {
      restored: new Map([[0, new Float32Array(1)]]),
      from: 2,
      due: () => false,
      save: () => Promise.resolve(),
    },
  });
  const batch = newTraceBatch({ firstTrace: 2, count: 2, ns: 1, dt: 0.004 });
  const drained = stream.readable.pipeTo(new WritableStream()).catch(() => {});
  const writer = stream.writable.getWriter();
  await assert.rejects(
    writer.write({
      batch,
      geometry: new Float32Array(8),
      traceClass: new Int32Array(2),
      footprint: new Int32Array([0, 0, 0, 0, 0, 0, 0, 0]),
    }),
    (e: unknown) =>
      e instanceof PstmError && e.exitCode === 2 &&
      /gpu-like backend cannot restore/.test(e.message),
  );
  assert.ok(closed, "the opened tile is closed");
  await drained;
});

import assert from "node:assert/strict";
import { ReferenceBackend } from "../backends/reference/reference_backend.ts";
import { PstmError } from "../core/errors.ts";
import type { PassStageContext } from "../pipeline/job/user_stages.ts";
import type { TraceBatch } from "../pipeline/segy/trace_batch.ts";
import { SegyTraceStream } from "../pipeline/segy/segy_trace_stream.ts";
import { makeSurvey, migrate, readAllSamples, relativeL2 } from "./helpers/migrate_support.ts";

/** Several passes over the small survey. */
const PASSES = { aperture: 200, memory: "260KiB", batchSize: 16, tileBins: [3, 2] };

/** A stage that multiplies every sample by `factor`. */
const scale = (factor: number) =>
  new TransformStream<TraceBatch, TraceBatch>({
    transform(batch, controller) {
      for (let i = 0; i < batch.count * batch.ns; i++) batch.samples[i] *= factor;
      controller.enqueue(batch);
    },
  });

Deno.test("user stages: a new stage per pass runs on every trace of every pass", async () => {
  const survey = await makeSurvey("small3d");
  const plain = await migrate(survey, "plain.sgy", PASSES);
  assert.ok(plain.summary.passes > 1, `passes ${plain.summary.passes}`);
  const contexts: PassStageContext[] = [];
  let traces = 0;
  const count = () =>
    new TransformStream<TraceBatch, TraceBatch>({
      transform(batch, controller) {
        traces += batch.count;
        controller.enqueue(batch);
      },
    });
  const scaled = await migrate(survey, "scaled.sgy", PASSES, {
    stages: (context) => (contexts.push(context), [count(), scale(-2)]),
  });
  assert.equal(contexts.length, plain.summary.passes);
  assert.deepEqual(contexts.map((c) => c.pass), [...contexts.keys()]);
  assert.ok(contexts.every((c) => c.passes === contexts.length && c.info.ns === survey.spec.ns));
  assert.equal(traces, scaled.summary.tracesRead);
  // migration is linear: a stage scaling every trace by -2 scales the whole image by -2
  const a = await readAllSamples(plain.output), b = await readAllSamples(scaled.output);
  assert.ok(relativeL2(b, a.map((v) => -2 * v)) <= 1e-5, `${relativeL2(b, a.map((v) => -2 * v))}`);
  // a mute of every sample leaves nothing to image
  const muted = await migrate(survey, "muted.sgy", PASSES, { stages: () => scale(0) });
  assert.ok((await readAllSamples(muted.output)).every((v) => v === 0));
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("user stages: one stage instance reused across passes is refused, not a partly empty image", async () => {
  const survey = await makeSurvey("small3d");
  const shared = scale(1);
  await assert.rejects(
    () => migrate(survey, "reused.sgy", PASSES, { stages: () => shared }),
    (e: unknown) =>
      e instanceof PstmError && e.exitCode === 2 && /already used/.test(e.message) &&
      /new TransformStream/.test(e.message) && /pass 2\//.test(e.message),
  );
  await assert.rejects(() => Deno.stat(`${survey.dir}/reused.sgy`), Deno.errors.NotFound);
  // a stage piped elsewhere before the job is refused in the first pass
  const piped = scale(1);
  ReadableStream.from<TraceBatch>([]).pipeThrough(piped);
  await assert.rejects(
    () => migrate(survey, "piped.sgy", PASSES, { stages: () => piped }),
    (e: unknown) => e instanceof PstmError && /pass 1\//.test(e.message),
  );
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("user stages: a stage that drops, repeats or resizes traces fails the job", async () => {
  const survey = await makeSurvey("small3d");
  const misbehave = (what: "drop" | "repeat" | "shorten") => {
    let seen = 0;
    return new TransformStream<TraceBatch, TraceBatch>({
      transform(batch, controller) {
        seen++;
        if (what === "drop" && seen === 2) return;
        if (what === "shorten") {
          controller.enqueue({ ...batch, ns: batch.ns - 1 });
          return;
        }
        controller.enqueue(batch);
        if (what === "repeat" && seen === 1) controller.enqueue(batch);
      },
    });
  };
  for (const what of ["drop", "repeat", "shorten"] as const) {
    await assert.rejects(
      () =>
        migrate(survey, `${what}.sgy`, PASSES, {
          backend: new ReferenceBackend(),
          stages: () => misbehave(what),
        }),
      (e: unknown) =>
        e instanceof PstmError && /the stages of pass 1\//.test(e.message) &&
        /change samples, not traces/.test(e.message),
      what,
    );
  }
  await Deno.remove(survey.dir, { recursive: true });
});

Deno.test("user stages: SegyTraceStream.info resolves before the first read", async () => {
  const url = new URL("../../shared/data/segy/small.sgy", import.meta.url);
  const file = await Deno.open(url.pathname);
  const stream = new SegyTraceStream({ name: "small.sgy", batchSize: 10 });
  const piping = file.readable.pipeTo(stream.writable);
  const info = await Promise.race([
    stream.info,
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 5000)),
  ]);
  assert.equal(info?.ns, 50, "info resolved without a read");
  let traces = 0;
  for await (const batch of stream.readable) traces += batch.count;
  await piping;
  assert.equal(traces, 25);
});

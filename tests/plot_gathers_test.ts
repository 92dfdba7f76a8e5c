// pstm plot on pre-stack input (shots, CMPs, trace ranges in file order), 2-D
// lines, coordinate axes with units, and titles that fit.
import assert from "node:assert/strict";
import { decode } from "fast-png";
import type { ParsedArgs } from "../cli/args.ts";
import { parseSelection, plotCommand } from "../cli/plot.ts";
import { PstmError } from "../core/errors.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyWriter } from "../pipeline/segy/segy_writer.ts";
import { newTraceBatch } from "../pipeline/segy/trace_batch.ts";
import { surveyUnits } from "../pipeline/segy/units.ts";
import { synthPreset } from "../pipeline/synth/synth.ts";
import { writeSynthetic } from "../pipeline/synth/write_synthetic.ts";
import { textWidth } from "../plot/font.ts";
import { getPixel } from "../plot/raster.ts";
import { renderRaster } from "../plot/render_raster.ts";
import { readSection } from "../plot/section_from_segy.ts";
import type { SectionSource } from "../plot/section_source.ts";

function args(positional: string, values: Record<string, string | boolean>): ParsedArgs {
  return {
    values: { colormap: "seismic", clip: "99", "axis-header": "offset", ...values },
    positionals: [positional],
    help: false,
  };
}

async function withDir(test: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pstm_plot_gathers_" });
  try {
    await test(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The synthetic line2d survey in shot order (12 offsets 50..1150 m per shot). */
async function shotOrderedLine(dir: string): Promise<string> {
  const spec = synthPreset("line2d");
  spec.order = "shot";
  const path = `${dir}/line.sgy`;
  await writeSynthetic(spec, path, undefined);
  return path;
}

/** Columns of a section equal the file's traces, sample for sample. */
async function assertColumnsAreTraces(
  file: SegyFile,
  section: { data: Float32Array; rows: number; cols: number },
  traces: number[],
): Promise<void> {
  for (let c = 0; c < traces.length; c++) {
    const { samples } = await file.readTraces(traces[c], 1);
    for (let r = 0; r < section.rows; r++) {
      assert.equal(section.data[r * section.cols + c], samples[r], `column ${c}, row ${r}`);
    }
  }
}

Deno.test("readSection --shot @T on a shot-ordered synthetic: the shot's 12 traces in file order", async () => {
  await withDir(async (dir) => {
    const path = await shotOrderedLine(dir);
    using file = await SegyFile.open(path);
    const headers = await file.readHeaders(0, file.info.traceCount);
    const t = 966;
    const expected: number[] = [];
    for (let i = 0; i < headers.count; i++) {
      if (headers.sx[i] === headers.sx[t] && headers.sy[i] === headers.sy[t]) expected.push(i);
    }
    const section = await readSection(file, { kind: "shot", atTrace: t });
    assert.deepEqual(section.traces, expected);
    assert.equal(section.cols, 12, "an interior shot of line2d records 12 offsets");
    for (let k = 1; k < expected.length; k++) assert.equal(expected[k], expected[k - 1] + 1);
    await assertColumnsAreTraces(file, section, expected);
    // Offset on the horizontal axis (the first tick row), trace numbers below it.
    const [offsets, traceRow] = section.xTickRows ?? [];
    assert.deepEqual(
      Array.from(offsets.values ?? []),
      Array.from({ length: 12 }, (_, i) => 50 + 100 * i),
    );
    assert.deepEqual(Array.from(traceRow.values ?? []), expected);
    assert.equal(traceRow.name, "trace");
    assert.match(section.xLabel, /^Offset \(m\)/);
    assert.equal(section.yLabel, "Time (s)");
    assert.deepEqual(section.yAxis, { first: 0, step: 0.004 });
    assert.match(section.title, /line\.sgy: shot at source X .* \(of trace 966\), 12 traces/);
  });
});

Deno.test("readSection --cmp IL,XL, --cmp @T and --traces A:B pick the traces in file order", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/survey.sgy`;
    await writeSynthetic(synthPreset("demo3d"), path, undefined);
    using file = await SegyFile.open(path);
    const headers = await file.readHeaders(0, file.info.traceCount);
    const expected: number[] = [];
    for (let i = 0; i < headers.count; i++) {
      if (headers.headers.inline[i] === 21 && headers.headers.crossline[i] === 21) expected.push(i);
    }
    const cmp = await readSection(file, { kind: "cmp", inline: 21, crossline: 21 });
    assert.deepEqual(cmp.traces, expected);
    assert.deepEqual(Array.from(cmp.xTickRows?.[0].values ?? []), [100, 300, 500, 700]);
    await assertColumnsAreTraces(file, cmp, expected);
    const byTrace = await readSection(file, { kind: "cmp", atTrace: expected[2] });
    assert.deepEqual(byTrace.traces, expected, "the CMP of one of its traces");
    const byCdp = await readSection(file, { kind: "cmp", cdp: headers.headers.cdp[expected[0]] });
    assert.deepEqual(byCdp.traces, expected, "the CMP by its CDP number");

    const range = await readSection(file, {
      kind: "traces",
      first: 10,
      last: 19,
      axisHeader: "cdp",
    });
    assert.deepEqual(range.traces, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.deepEqual(
      Array.from(range.xTickRows?.[0].values ?? []),
      Array.from(headers.headers.cdp.subarray(10, 20)),
    );
    assert.match(range.xLabel, /^CDP, traces in file order/);
    await assertColumnsAreTraces(file, range, range.traces ?? []);
    const sx = await readSection(file, { kind: "traces", first: 0, last: 3, axisHeader: "sx" });
    assert.deepEqual(
      Array.from(sx.xTickRows?.[0].values ?? []),
      Array.from(headers.sx.subarray(0, 4)),
    );
    assert.match(sx.xLabel, /^Source X \(m\)/);
  });
});

Deno.test("plotCommand refuses selections that do not apply, exit 2 naming the file", async () => {
  await withDir(async (dir) => {
    const survey = `${dir}/survey.sgy`;
    await writeSynthetic(synthPreset("small3d"), survey, undefined);
    const image = `${dir}/image.sgy`;
    await writeVolume(image, { inlines: [1, 2, 3], crosslines: [1, 2, 3, 4] });
    const line = `${dir}/line_image.sgy`;
    await writeVolume(line, { inlines: [1], crosslines: [1, 2, 3, 4, 5] });
    const output = `${dir}/x.png`;
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      [survey, { shot: "3" }, /survey\.sgy.*no field record numbers \(bytes 9-12\).*--shot @T/],
      [survey, { shot: "@99999" }, /survey\.sgy.*--shot @99999: no such trace; the file has \d+/],
      [survey, { cmp: "999999" }, /survey\.sgy.*no traces with CDP 999999.*CDPs are 1\.\./],
      [survey, { cmp: "99,1" }, /no traces at inline 99, crossline 1/],
      [survey, { traces: "0:99999" }, /survey\.sgy.*--traces 0:99999 reaches past the last trace/],
      [survey, { traces: "5:2" }, /--traces must be A:B.*A <= B/],
      [
        survey,
        { traces: "1:4", "axis-header": "nonsense" },
        /unknown trace header "nonsense".*offset/,
      ],
      [survey, { cmp: "1,1", offset: "150" }, /--offset does not apply to --cmp/],
      [survey, { inline: "3", "axis-header": "cdp" }, /--axis-header applies to --shot, --cmp/],
      [image, { shot: "@0" }, /image\.sgy.*has no shots.*--inline, --crossline, --time/],
      [image, {}, /image\.sgy.*is a 3-D volume/],
      [image, { gather: "2" }, /image\.sgy.*one number, a CDP\) is for a 2-D line/],
      [
        line,
        { time: "0.02" },
        /line_image\.sgy.*is a 2-D line \(inline 1.*a time slice needs a 3-D/,
      ],
      [line, { gather: "9" }, /CDP 9 is not in the file/],
    ];
    for (const [path, flags, message] of cases) {
      await assert.rejects(
        () => plotCommand.run(args(path, { output, ...flags })),
        (error: unknown) =>
          error instanceof PstmError && error.exitCode === 2 && message.test(error.message),
        JSON.stringify(flags),
      );
    }
  });
});

/** A post-stack volume: one trace per (inline, crossline), CDP X/Y on a 25 x 20 m grid. */
async function writeVolume(
  path: string,
  grid: { inlines: number[]; crosslines: number[] },
  measurementSystem: 1 | 2 = 1,
): Promise<void> {
  const count = grid.inlines.length * grid.crosslines.length;
  const ns = 20;
  const batch = newTraceBatch({
    count,
    ns,
    dt: 0.004,
    headers: ["inline", "crossline", "offset", "cdpx", "cdpy", "cdp"],
  });
  let t = 0;
  for (const il of grid.inlines) {
    for (const xl of grid.crosslines) {
      batch.headers.inline[t] = il;
      batch.headers.crossline[t] = xl;
      batch.headers.cdpx[t] = 1000 + 25 * (xl - 1);
      batch.headers.cdpy[t] = 2000 + 20 * (il - 1);
      batch.headers.cdp[t] = t + 1;
      batch.samples[t * ns + 5] = il * 100 + xl;
      t++;
    }
  }
  const writer = await SegyWriter.create(path, { ns, dt: 0.004, measurementSystem });
  await writer.write(batch);
  await writer.close();
}

Deno.test("a 2-D image is drawn as a line: CDP and distance along it, no selector needed", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/line.sgy`;
    await writeVolume(path, { inlines: [1], crosslines: [1, 2, 3, 4, 5] });
    using file = await SegyFile.open(path);
    const line = await readSection(file, { kind: "line" });
    assert.equal(line.cols, 5);
    assert.match(line.title, /line\.sgy: 2-D line/);
    assert.doesNotMatch(line.title, /inline/);
    assert.doesNotMatch(line.xLabel, /Crossline|Inline/);
    assert.match(line.xLabel, /CDP/);
    assert.deepEqual(line.xTickRows?.map((r) => r.name), ["CDP", "dist (m)"]);
    assert.deepEqual(Array.from(line.xTickRows?.[1].values ?? []), [0, 25, 50, 75, 100]);
    for (let c = 0; c < 5; c++) assert.equal(line.data[5 * 5 + c], 100 + c + 1);
    // --inline 1 of a 2-D image is the same line; the command plots it without a selector.
    const byInline = await readSection(file, { kind: "inline", inline: 1 });
    assert.equal(byInline.title, line.title);
    const gather = await readSection(file, { kind: "gather", cdp: 3 });
    assert.match(gather.title, /gather at CDP 3/);
    assert.equal(gather.xLabel, "Offset (m)");
    const out = `${dir}/line.png`;
    assert.equal(await plotCommand.run(args(path, { output: out })), 0);
    assert.ok(decode(await Deno.readFile(out)).width > 500);
  });
});

Deno.test("sections and slices carry CDP X/Y with the survey's unit (ft from the binary header)", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/feet.sgy`;
    await writeVolume(path, { inlines: [1, 2, 3], crosslines: [1, 2, 3, 4] }, 2);
    using file = await SegyFile.open(path);
    const unit = surveyUnits(file.info.measurementSystem).length;
    assert.equal(unit, "ft");
    const inline = await readSection(file, { kind: "inline", inline: 2 }, { unit });
    assert.deepEqual(inline.xTickRows?.map((r) => r.name), ["xl", "X (ft)"]);
    assert.deepEqual(Array.from(inline.xTickRows?.[1].values ?? []), [1000, 1025, 1050, 1075]);
    assert.equal(inline.xLabel, "Crossline (CDP Y 2020 ft)");
    const crossline = await readSection(file, { kind: "crossline", crossline: 4 }, { unit });
    assert.deepEqual(crossline.xTickRows?.map((r) => r.name), ["il", "Y (ft)"]);
    assert.equal(crossline.xLabel, "Inline (CDP X 1075 ft)");
    const slice = await readSection(file, { kind: "time", time: 0.02 }, { unit });
    assert.deepEqual(slice.xTickRows?.map((r) => r.name), ["xl", "X (ft)"]);
    assert.deepEqual(Array.from(slice.xTickRows?.[1].values ?? []), [1000, 1025, 1050, 1075]);
    assert.equal(slice.ySecondary?.name, "Y (ft)");
    assert.deepEqual(Array.from(slice.ySecondary?.values ?? []), [2000, 2020, 2040]);
    assert.match(slice.yLabel, /Y \(ft\)/);
    // The rendered picture labels the ticks with both rows.
    const plot = renderRaster(inline.data, inline.rows, inline.cols, {
      xAxis: inline.xAxis,
      xTickRows: inline.xTickRows,
    });
    const tick = plot.xTicks.find((t) => t.value === 2);
    assert.deepEqual(tick?.labels, ["2", "1025"]);
  });
});

Deno.test("a long title is wrapped and shortened inside the image", () => {
  const title = "a_survey_file_with_a_very_long_name_from_the_field_crew_2026_reprocessed.sgy: " +
    "gather at inline 1234, crossline 5678 ".repeat(8) + "END";
  const data = new Float32Array(100 * 6).map((_, i) => Math.sin(i));
  const options = { plotWidth: 360, xAxis: { first: 100, step: 200 } };
  const short = renderRaster(data, 100, 6, { ...options, title: "short" });
  const plot = renderRaster(data, 100, 6, { ...options, title });
  assert.equal(plot.width, short.width, "a long title does not widen the image");
  assert.equal(plot.titleLines.length, 2);
  assert.ok(plot.titleLines[1].includes("..."), "what does not fit is shortened");
  assert.ok(plot.titleLines[1].endsWith("END"), "the end of the title stays readable");
  const s = 2, pad = 4 * s;
  for (const line of plot.titleLines) {
    assert.ok(textWidth(line, s) <= plot.width - 2 * pad, `"${line}" fits`);
  }
  // The title band: ink in it, none in its outer columns, and it ends above the plot area.
  const band = plot.plot.y - 2;
  let inked = 0;
  for (let y = 0; y < band; y++) {
    for (let x = 0; x < plot.width; x++) {
      if (getPixel(plot, x, y).join() === "255,255,255") continue;
      inked++;
      assert.ok(x >= pad && x < plot.width - pad, `title ink at ${x},${y} is inside the margins`);
    }
  }
  assert.ok(inked > 500, `title drawn (${inked} px)`);
});

Deno.test("plotCommand --header moves a field: --shot N reads the field record from other bytes", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/survey.sgy`;
    await writeSynthetic(synthPreset("small3d"), path, undefined);
    const out = `${dir}/shot.png`;
    // small3d has no field records; read them from the CDP bytes (21-24): shot 5 is CDP 5.
    await assert.rejects(() => plotCommand.run(args(path, { shot: "5", output: out })), PstmError);
    const flags = { shot: "5", output: out, header: ["fldr=21:i4"] } as unknown as Record<
      string,
      string
    >;
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      assert.equal(await plotCommand.run(args(path, flags)), 0);
    } finally {
      console.log = log;
    }
    using file = await SegyFile.open(path);
    const cdp = (await file.readHeaders(0, file.info.traceCount, ["cdp"])).headers.cdp;
    const expected = cdp.filter((v) => v === 5).length;
    assert.ok(expected >= 2);
    assert.match(lines.join("\n"), new RegExp(`${expected} x 150 cells from ${expected} traces`));
  });
});

Deno.test("parseSelection reads --shot, --cmp, --traces and --axis-header", () => {
  const parse = (values: Record<string, string>) => parseSelection(args("a.sgy", values));
  assert.deepEqual(parse({ shot: "1001" }), { kind: "shot", shot: 1001, axisHeader: "offset" });
  assert.deepEqual(parse({ shot: "@17", "axis-header": "GroupX" }), {
    kind: "shot",
    atTrace: 17,
    axisHeader: "gx",
  });
  assert.deepEqual(parse({ cmp: "700" }), { kind: "cmp", cdp: 700, axisHeader: "offset" });
  assert.deepEqual(parse({ cmp: "21, 22" }), {
    kind: "cmp",
    inline: 21,
    crossline: 22,
    axisHeader: "offset",
  });
  assert.deepEqual(parse({ traces: "0:95" }), {
    kind: "traces",
    first: 0,
    last: 95,
    axisHeader: "offset",
  });
  assert.deepEqual(parse({}), { kind: "line", offset: undefined });
  const bad: Record<string, string>[] = [
    { shot: "1.5" },
    { shot: "@x" },
    { cmp: "1,2,3" },
    { traces: "5" },
  ];
  for (const flags of bad) {
    assert.throws(() => parse(flags), (e: unknown) => e instanceof PstmError && e.exitCode === 2);
  }
});

Deno.test("readSection --traces reads only its traces (no header pass), --cmp one header pass", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/survey.sgy`;
    await writeSynthetic(synthPreset("small3d"), path, undefined);
    using file = await SegyFile.open(path);
    const reads: Array<[string, number, number]> = [];
    const source: SectionSource = {
      info: file.info,
      readHeaders: (first, count, fields) => {
        reads.push(["headers", first, count]);
        return file.readHeaders(first, count, fields);
      },
      readTraces: (first, count) => {
        reads.push(["traces", first, count]);
        return file.readTraces(first, count);
      },
    };
    await readSection(source, { kind: "traces", first: 40, last: 59 });
    assert.deepEqual(reads, [["traces", 40, 20]]);
    reads.length = 0;
    const cmp = await readSection(source, { kind: "cmp", inline: 5, crossline: 7 });
    const first = cmp.traces?.[0] ?? -1;
    assert.deepEqual(reads, [
      ["headers", 0, file.info.traceCount],
      ["traces", first, cmp.cols],
    ]);
  });
});

Deno.test("real 2-D stacks whose inline/crossline headers are 0 plot as lines along the CDP numbers", async () => {
  const data = (name: string) =>
    new URL(`../../shared/data/segy/${name}`, import.meta.url).pathname;
  // Volve arbitrary line: CDP 1..225, CDP X/Y along the line.
  using volve = await SegyFile.open(data("volve10r12-full-twt-arb.sgy"));
  const line = await readSection(volve, { kind: "line" });
  assert.equal(line.cols, 225);
  assert.deepEqual(line.xAxis, { first: 1, step: 1 });
  assert.match(line.title, /2-D line/);
  assert.deepEqual(line.xTickRows?.map((r) => r.name), ["CDP", "dist (m)"]);
  const headers = await volve.readHeaders(0, 225, ["cdpx", "cdpy"]);
  const { cdpx, cdpy } = headers.headers;
  let along = 0;
  for (let i = 1; i < 225; i++) along += Math.hypot(cdpx[i] - cdpx[i - 1], cdpy[i] - cdpy[i - 1]);
  const dist = line.xTickRows?.[1].values ?? [];
  assert.ok(Math.abs(dist[224] - along) < 1e-6 && along > 2000, `line length ${dist[224]} m`);
  const trace7 = await volve.readTraces(7, 1);
  for (let r = 0; r < line.rows; r++) assert.equal(line.data[r * 225 + 7], trace7.samples[r]);
  await assert.rejects(
    () => readSection(volve, { kind: "time", time: 1 }),
    (e: unknown) => e instanceof PstmError && /is a 2-D line \(CDPs 1\.\.225/.test(e.message),
  );
  const gather = await readSection(volve, { kind: "gather", cdp: 100 });
  assert.equal(gather.cols, 1);
  assert.match(gather.title, /gather at CDP 100/);
  // Alaska 31_81: CDP 101..634 and a constant placeholder CDP X: CDP numbers, no distance row.
  using alaska = await SegyFile.open(data("31_81_PR.SGY"));
  const stack = await readSection(alaska, { kind: "line" });
  assert.deepEqual([stack.cols, stack.xAxis.first], [534, 101]);
  assert.equal(stack.xLabel, "CDP");
  assert.equal(stack.xTickRows, undefined);
  // Lithoprobe ld0057: two traces share CDP 4035, which a section cannot show.
  using litho = await SegyFile.open(data("ld0057_file_00095.sgy"));
  await assert.rejects(
    () => readSection(litho, { kind: "line" }),
    (e: unknown) =>
      e instanceof PstmError && e.exitCode === 2 &&
      /ld0057.*traces 278 and 280 both have CDP 4035.*--traces A:B/.test(e.message),
  );
});

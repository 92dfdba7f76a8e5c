import { newTraceBatch } from "../pipeline/segy/trace_batch.ts";
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { parseCommandArgs, type ParsedArgs } from "../cli/args.ts";
import { parseSelection, plotCommand, plotWidthFor } from "../cli/plot.ts";
import { PstmError } from "../core/errors.ts";
import { SegyFile } from "../pipeline/segy/segy_file.ts";
import { SegyWriter } from "../pipeline/segy/segy_writer.ts";
import { renderRaster } from "../plot/render_raster.ts";
import { readSection, type SectionSelection } from "../plot/section_from_segy.ts";
import type { SectionSource } from "../plot/section_source.ts";

// A pstm-style output volume: inlines 10..14, crosslines 20..25, three offset
// classes (offsets 100, 300, 500), traces in inline, crossline, class order.
const INLINES = [10, 11, 12, 13, 14];
const CROSSLINES = [20, 21, 22, 23, 24, 25];
const OFFSETS = [100, 300, 500];
const NS = 50;
const DT = 0.004;
// The spike: inline 12, crossline 23, offset 300, t = 0.1 s (sample 25).
const SPIKE = { inline: 12, crossline: 23, offset: 300, sample: 25, amplitude: 1 };

async function writeVolume(path: string): Promise<void> {
  const count = INLINES.length * CROSSLINES.length * OFFSETS.length;
  const batch = newTraceBatch({
    count,
    ns: NS,
    dt: DT,
    headers: ["inline", "crossline", "offset"],
  });
  let t = 0;
  for (const il of INLINES) {
    for (const xl of CROSSLINES) {
      for (const h of OFFSETS) {
        batch.headers.inline[t] = il;
        batch.headers.crossline[t] = xl;
        batch.headers.offset[t] = h;
        // A weak negative background at the first sample.
        batch.samples[t * NS] = -0.01;
        if (il === SPIKE.inline && xl === SPIKE.crossline && h === SPIKE.offset) {
          batch.samples[t * NS + SPIKE.sample] = SPIKE.amplitude;
        }
        t++;
      }
    }
  }
  const writer = await SegyWriter.create(path, { ns: NS, dt: DT });
  await writer.write(batch);
  await writer.close();
}

async function withVolume(test: (path: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "pstm_plot_" });
  try {
    const path = `${dir}/image.sgy`;
    await writeVolume(path);
    await test(path, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function args(positional: string, values: Record<string, string | boolean>): ParsedArgs {
  return {
    values: { colormap: "seismic", clip: "99", ...values },
    positionals: [positional],
    help: false,
  };
}

/** Decodes a PNG and returns the RGB at (x, y). */
function rgbAt(png: ReturnType<typeof decode>, x: number, y: number): number[] {
  const i = (y * png.width + x) * png.channels;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
}

/**
 * Runs `pstm plot` and checks the spike's cell: the pixel at its centre is
 * the colour map's high end and every such pixel of the plot area is in
 * that cell. The layout comes from rendering the same section in-process.
 */
async function checkSpike(
  path: string,
  dir: string,
  flags: Record<string, string>,
  selection: SectionSelection,
  cell: { row: number; col: number; rows: number; cols: number },
): Promise<void> {
  const out = `${dir}/plot.png`;
  assert.equal(await plotCommand.run(args(path, { ...flags, output: out })), 0);
  const png = decode(await Deno.readFile(out));
  using file = await SegyFile.open(path);
  const section = await readSection(file, selection);
  assert.equal(section.rows, cell.rows);
  assert.equal(section.cols, cell.cols);
  const layout = renderRaster(section.data, section.rows, section.cols, {
    xAxis: section.xAxis,
    yAxis: section.yAxis,
    yUp: section.yUp,
    title: section.title,
    xTickRows: section.xTickRows,
    ySecondary: section.ySecondary,
    plotWidth: plotWidthFor(selection, section.cols),
  });
  assert.equal(png.width, layout.width);
  assert.equal(png.height, layout.height);
  const { x, y } = layout.pixelOf(cell.row, cell.col);
  assert.deepEqual(rgbAt(png, x, y), [128, 0, 0], `spike colour at ${x},${y}`);
  const p = layout.plot;
  const [cw, ch] = [p.width / cell.cols, p.height / cell.rows];
  let hits = 0;
  for (let py = p.y; py < p.y + p.height; py++) {
    for (let px = p.x; px < p.x + p.width; px++) {
      if (rgbAt(png, px, py).join() !== "128,0,0") continue;
      hits++;
      assert.ok(Math.abs(px - x) <= cw && Math.abs(py - y) <= ch, `stray at ${px},${py}`);
    }
  }
  assert.ok(hits >= Math.floor(cw) * Math.floor(ch), `whole cell drawn (${hits} px)`);
}

Deno.test("plotCommand --inline shows the spike at its crossline and time", async () => {
  await withVolume(async (path, dir) => {
    await checkSpike(path, dir, { inline: "12" }, { kind: "inline", inline: 12 }, {
      row: SPIKE.sample,
      col: 3,
      rows: NS,
      cols: CROSSLINES.length,
    });
  });
});

Deno.test("plotCommand --crossline shows the spike at its inline and time", async () => {
  await withVolume(async (path, dir) => {
    await checkSpike(path, dir, { crossline: "23" }, { kind: "crossline", crossline: 23 }, {
      row: SPIKE.sample,
      col: 2,
      rows: NS,
      cols: INLINES.length,
    });
  });
});

Deno.test("plotCommand --time shows the spike on the inline x crossline map", async () => {
  await withVolume(async (path, dir) => {
    await checkSpike(path, dir, { time: "0.1" }, { kind: "time", time: 0.1 }, {
      row: 2,
      col: 3,
      rows: INLINES.length,
      cols: CROSSLINES.length,
    });
  });
});

Deno.test("plotCommand --gather shows the spike at its offset", async () => {
  await withVolume(async (path, dir) => {
    await checkSpike(
      path,
      dir,
      { gather: "12,23" },
      { kind: "gather", inline: 12, crossline: 23 },
      {
        row: SPIKE.sample,
        col: 1,
        rows: NS,
        cols: OFFSETS.length,
      },
    );
  });
});

Deno.test("readSection stacks offset classes unless --offset picks one", async () => {
  await withVolume(async (path) => {
    using file = await SegyFile.open(path);
    const stack = await readSection(file, { kind: "inline", inline: 12 });
    assert.ok(Math.abs(stack.data[0] + 0.03) < 1e-7, "three classes of -0.01 summed");
    assert.equal(stack.data[SPIKE.sample * stack.cols + 3], 1);
    assert.deepEqual(stack.xAxis, { first: 20, step: 1 });
    assert.deepEqual(stack.yAxis, { first: 0, step: DT });
    assert.match(stack.title, /image\.sgy: inline 12 \(stack of 3 offsets\)/);
    const one = await readSection(file, { kind: "inline", inline: 12, offset: 290 });
    assert.ok(Math.abs(one.data[0] + 0.01) < 1e-7);
    assert.equal(one.data[SPIKE.sample * one.cols + 3], 1);
    assert.match(one.title, /offset 300/);
    const other = await readSection(file, { kind: "inline", inline: 12, offset: 500 });
    assert.equal(other.data[SPIKE.sample * other.cols + 3], 0);
    const gather = await readSection(file, { kind: "gather", inline: 12, crossline: 23 });
    assert.deepEqual(gather.xAxis, { first: 100, step: 200 });
    assert.equal(gather.tracesRead, 3);
  });
});

Deno.test("readSection reads headers once, then only the traces it needs", async () => {
  await withVolume(async (path) => {
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
    await readSection(source, { kind: "inline", inline: 11 });
    // Inline 11 is one contiguous run: traces 18..35.
    assert.deepEqual(reads, [["headers", 0, 90], ["traces", 18, 18]]);
  });
});

Deno.test("readSection leaves missing bins as NaN (no data)", async () => {
  await withVolume(async (path) => {
    using file = await SegyFile.open(path);
    const source: SectionSource = {
      info: file.info,
      readHeaders: async (first, count, fields) => {
        const batch = await file.readHeaders(first, count, fields);
        // Pretend crossline 22 was never written on inline 10 by renumbering it to 21's gap.
        for (let i = 0; i < count; i++) {
          if (batch.headers.inline[i] === 10 && batch.headers.crossline[i] === 22) {
            batch.headers.crossline[i] = 26;
          }
        }
        return batch;
      },
      readTraces: (first, count) => file.readTraces(first, count),
    };
    const section = await readSection(source, { kind: "inline", inline: 10 });
    assert.equal(section.cols, 7);
    assert.ok(Number.isNaN(section.data[2]), "crossline 22 has no trace");
    assert.ok(Math.abs(section.data[6] + 0.03) < 1e-7, "crossline 26 has one");
  });
});

Deno.test("plotCommand rejects bad selections with PstmError naming what exists", async () => {
  await withVolume(async (path, dir) => {
    const output = `${dir}/x.png`;
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /image\.sgy.*is a 3-D volume \(inlines 10, 11, 12, 13, 14.*give --inline N/],
      [{ inline: "12", time: "0.1" }, /at most one.*--inline and --time/],
      [{ inline: "12", shot: "1" }, /at most one.*--inline and --shot/],
      [{ inline: "99" }, /inline 99 is not in the file; its inlines are 10, 11, 12, 13, 14/],
      [{ crossline: "5" }, /crossline 5 is not in the file; its crosslines are 20, 21/],
      [{ time: "0.5" }, /time 0.5 s is outside the traces, which span 0 to 0.196 s/],
      [{ gather: "12,x" }, /--gather must be IL,XL/],
      [{ gather: "12" }, /--gather 12 \(one number, a CDP\) is for a 2-D line.*IL,XL/],
      [{ gather: "12,99" }, /crossline 99 is not on inline 12/],
      [{ gather: "12,23", offset: "300" }, /--offset does not apply to --gather/],
      [{ inline: "12", offset: "200" }, /offset 200 is not an offset class.*100, 300, 500/],
      [{ inline: "12.5" }, /whole line number/],
      [
        { inline: "12", colormap: "jet" },
        /--colormap: must be one of grey, seismic, viridis: got "jet"/,
      ],
      [{ inline: "12", clip: "0" }, /--clip must be a number/],
      [{ inline: "12", width: "50" }, /--width must be a number in \[200/],
    ];
    for (const [flags, message] of cases) {
      await assert.rejects(
        () => plotCommand.run(args(path, { output, ...flags })),
        (error: unknown) =>
          error instanceof PstmError && error.exitCode === 2 &&
          message.test(error.message),
        JSON.stringify(flags),
      );
    }
    await assert.rejects(() => plotCommand.run(args(path, { inline: "12" })), /-o OUT\.png/);
    await assert.rejects(
      () => plotCommand.run(args(`${dir}/missing.sgy`, { inline: "1", output })),
      (error: unknown) => error instanceof PstmError && /missing\.sgy/.test(error.message),
    );
  });
});

Deno.test("readSection refuses a file without one trace per inline, crossline, offset", async () => {
  // Volve arbitrary line: a 2-D line whose inline and crossline headers are all 0.
  const volve = new URL("../../shared/data/segy/volve10r12-full-twt-arb.sgy", import.meta.url);
  using file = await SegyFile.open(volve.pathname);
  await assert.rejects(
    () => readSection(file, { kind: "inline", inline: 0 }),
    (error: unknown) =>
      error instanceof PstmError && /traces 0 and 1 both have inline 0, crossline 0/.test(
        error.message,
      ) && error.message.includes("volve10r12"),
  );
});

Deno.test("parseSelection reads each selector", () => {
  assert.deepEqual(parseSelection(args("a", { time: "1.2", offset: "300" })), {
    kind: "time",
    time: 1.2,
    offset: 300,
  });
  assert.deepEqual(parseSelection(args("a", { gather: "120, 45" })), {
    kind: "gather",
    inline: 120,
    crossline: 45,
  });
});

Deno.test("plotCommand spec parses the documented command line", () => {
  const parsed = parseCommandArgs(plotCommand.spec, [
    "image.sgy",
    "--inline",
    "120",
    "-o",
    "il120.png",
    "--colormap",
    "grey",
  ]);
  assert.deepEqual(parsed.positionals, ["image.sgy"]);
  assert.equal(parsed.values.inline, "120");
  assert.equal(parsed.values.output, "il120.png");
  assert.equal(parsed.values.clip, "99");
  assert.deepEqual(parseSelection(parsed), { kind: "inline", inline: 120, offset: undefined });
});

Deno.test("plotCommand plots a real post-stack file (segyio f3)", async () => {
  const f3 = new URL("../../shared/data/segy/f3.sgy", import.meta.url).pathname;
  using file = await SegyFile.open(f3);
  const section = await readSection(file, { kind: "inline", inline: 111 });
  assert.equal(section.rows, 75);
  assert.equal(section.cols, 18);
  assert.deepEqual(section.xAxis, { first: 875, step: 1 });
  const trace5 = await file.readTraces(5, 1);
  for (let r = 0; r < 75; r++) assert.equal(section.data[r * 18 + 5], trace5.samples[r]);
  const dir = await Deno.makeTempDir({ prefix: "pstm_plot_" });
  try {
    const out = `${dir}/f3.png`;
    assert.equal(await plotCommand.run(args(f3, { time: "0.1", output: out, width: "600" })), 0);
    const png = decode(await Deno.readFile(out));
    assert.equal(png.width, 600);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

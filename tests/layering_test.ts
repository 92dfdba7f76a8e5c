/**
 * The layers point one way (STYLE.md): cli -> pipeline/job -> pipeline/{streams, plan, velocity,
 * ...} -> pipeline/segy -> core; backends/native -> ffi -> core; ffi imports no backend. This
 * test reads every import of the library's own files and fails on one that runs against the
 * layering, naming the file, the import and what the layer may import.
 */

import assert from "node:assert";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * Each layer and the layers its files may import (besides their own). A file's layer is the
 * longest entry that prefixes its path; `backends/` holds the interface and decorators shared by
 * every backend, `backends/select.ts` is the one place that knows all of them.
 */
const LAYERS: Record<string, readonly string[]> = {
  "core/": [],
  "ffi/": ["core/"],
  "backends/": ["core/"],
  "backends/reference/": ["backends/", "core/"],
  "backends/webgpu/": ["backends/", "core/"],
  "backends/native/": ["backends/", "ffi/", "core/"],
  "backends/select.ts": [
    "backends/",
    "backends/reference/",
    "backends/webgpu/",
    "backends/native/",
    "ffi/",
    "core/",
  ],
  "pipeline/segy/": ["core/"],
  "pipeline/dsp/": ["pipeline/segy/", "core/"],
  "pipeline/plan/": ["pipeline/segy/", "core/"],
  "pipeline/velocity/": ["pipeline/plan/", "pipeline/segy/", "core/"],
  "pipeline/output/": ["pipeline/plan/", "pipeline/segy/", "core/"],
  "pipeline/synth/": ["pipeline/plan/", "pipeline/segy/", "core/"],
  "pipeline/qc/": ["pipeline/dsp/", "pipeline/plan/", "pipeline/segy/", "core/"],
  "pipeline/streams/": [
    "backends/",
    "pipeline/dsp/",
    "pipeline/plan/",
    "pipeline/output/",
    "pipeline/segy/",
    "core/",
  ],
  "pipeline/job/": [
    "backends/",
    "backends/select.ts",
    "pipeline/streams/",
    "pipeline/velocity/",
    "pipeline/dsp/",
    "pipeline/plan/",
    "pipeline/output/",
    "pipeline/synth/",
    "pipeline/qc/",
    "pipeline/segy/",
    "core/",
  ],
  "plot/": ["pipeline/segy/", "core/"],
};

/** Layers that may import every library layer (not tests/). */
const TOP = ["cli/", "cli.ts", "mod.ts", "bench/"];

function layerOf(path: string): string | undefined {
  let best: string | undefined;
  for (const layer of [...Object.keys(LAYERS), ...TOP]) {
    if (path === layer || (layer.endsWith("/") && path.startsWith(layer))) {
      if (best === undefined || layer.length > best.length) best = layer;
    }
  }
  return best;
}

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory) {
      if (!["build", "build-asan", "tests", "node_modules", "docs", "csrc"].includes(path)) {
        if (!path.startsWith(".")) yield* sourceFiles(path);
      }
    } else if (path.endsWith(".ts") && !path.endsWith("_test.ts")) {
      yield path;
    }
  }
}

/** Relative specifiers of the static, re-export and dynamic imports outside comments. */
function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const found: string[] = [];
  const patterns = [/\bfrom\s+["'](\.[^"']+)["']/g, /\bimport\s*\(\s*["'](\.[^"']+)["']/g];
  for (const pattern of patterns) {
    for (const match of code.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

async function violations(): Promise<string[]> {
  const wrong: string[] = [];
  for await (const file of sourceFiles("")) {
    const layer = layerOf(file);
    if (layer === undefined) {
      wrong.push(`${file}: in no layer (add its folder to tests/layering_test.ts)`);
      continue;
    }
    const source = await Deno.readTextFile(join(ROOT, file));
    for (const spec of importsOf(source)) {
      const target = relative(ROOT, join(ROOT, dirname(file), spec));
      if (target.startsWith("tests/")) {
        wrong.push(`${file}: imports ${target}; only tests/ may import tests/`);
        continue;
      }
      const targetLayer = layerOf(target);
      if (TOP.includes(layer)) {
        if (layer !== "cli/" && layer !== "cli.ts" && targetLayer?.startsWith("cli")) {
          wrong.push(`${file}: imports ${target}; only cli/ and cli.ts may import the CLI`);
        }
        continue;
      }
      if (targetLayer === layer) continue;
      const allowed = LAYERS[layer];
      if (targetLayer === undefined || !allowed.includes(targetLayer)) {
        wrong.push(
          `${file} (layer ${layer}) imports ${target} (layer ${targetLayer ?? "none"}); ` +
            `${layer} may import ${allowed.length ? allowed.join(", ") : "nothing of pstm"}`,
        );
      }
    }
  }
  return wrong;
}

Deno.test("layering: every import of the library points down the layers", async () => {
  const wrong = await violations();
  assert.deepStrictEqual(wrong, [], wrong.join("\n"));
});

Deno.test("layering: the checker sees a backwards import", () => {
  assert.deepStrictEqual(importsOf('import { x } from "../../backends/backend.ts";'), [
    "../../backends/backend.ts",
  ]);
  assert.deepStrictEqual(importsOf('/** import { y } from "./mod.ts"; */ const a = 1;'), []);
  assert.strictEqual(layerOf("ffi/params.ts"), "ffi/");
  assert.strictEqual(layerOf("backends/native/native_tile.ts"), "backends/native/");
  assert.strictEqual(layerOf("backends/select.ts"), "backends/select.ts");
  assert.ok(!LAYERS["ffi/"].includes(layerOf("backends/backend.ts")!));
  assert.ok(!LAYERS["pipeline/segy/"].includes(layerOf("pipeline/job/migrate_job.ts")!));
});

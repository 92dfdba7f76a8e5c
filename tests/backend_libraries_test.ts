/**
 * `--backend cpu` loads only the CPU library: neither libpstm_cuda (nor the CUDA driver) is
 * mapped nor a WebGPU adapter requested, checked in a fresh process after a migration
 * (tests/helpers/loaded_libraries.ts); `--backend reference` loads no native library at all.
 */

import assert from "node:assert/strict";
import { makeSurvey } from "./helpers/migrate_support.ts";

const linux = Deno.build.os === "linux";
const survey = await makeSurvey("small3d");
const HELPER = new URL("./helpers/loaded_libraries.ts", import.meta.url).pathname;

Deno.test.afterAll?.(async () => {
  await Deno.remove(survey.dir, { recursive: true }).catch(() => {});
});

async function loaded(backend: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      HELPER,
      survey.path,
      "-o",
      `${survey.dir}/${backend}.sgy`,
      "--velocity",
      survey.velocity,
      "--grid",
      survey.grid,
      "--aperture",
      "200",
      "--backend",
      backend,
      "--log",
      "json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  const result = JSON.parse(text) as {
    code: number;
    libraries: string[];
    adapterRequests: number;
    webgpu: boolean;
  };
  assert.equal(result.code, 0);
  return result;
}

Deno.test({
  name: "--backend cpu maps libpstm_cpu only: no CUDA library, no WebGPU adapter requested",
  ignore: !linux,
  async fn() {
    const { libraries, adapterRequests } = await loaded("cpu");
    const names = libraries.map((path) => path.replace(/.*\//, ""));
    assert.ok(names.some((n) => /^libpstm_cpu\./.test(n)), names.join(" "));
    assert.deepEqual(names.filter((n) => /pstm_cuda|^libcuda|^libcudart|vulkan/i.test(n)), []);
    assert.equal(adapterRequests, 0);
  },
});

Deno.test({
  name: "--backend reference maps no pstm library and requests no WebGPU adapter",
  ignore: !linux,
  async fn() {
    const { libraries, adapterRequests } = await loaded("reference");
    assert.deepEqual(libraries.filter((path) => /libpstm_/.test(path)), []);
    assert.equal(adapterRequests, 0);
  },
});

/**
 * Runs `pstm migrate ARGS` in this process (cli.ts `main`), then prints one JSON line: the exit
 * code, the shared libraries this process has mapped (/proc/self/maps) and how many WebGPU
 * adapters were requested (navigator.gpu.requestAdapter is counted before the run). Used by
 * tests/backend_libraries_test.ts as a subprocess, so that nothing else loaded them.
 *
 *     deno run -A tests/helpers/loaded_libraries.ts ARGS...
 *
 * @module
 */

import { main } from "../../cli.ts";

let adapterRequests = 0;
const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
if (gpu) {
  const request = gpu.requestAdapter.bind(gpu);
  Object.defineProperty(gpu, "requestAdapter", {
    value: (options?: GPURequestAdapterOptions) => {
      adapterRequests++;
      return request(options);
    },
  });
}
const code = await main(["migrate", ...Deno.args]);
const libraries = [
  ...new Set(
    Deno.readTextFileSync("/proc/self/maps").split("\n")
      .map((line) => line.split(/\s+/)[5] ?? "")
      .filter((path) => /\.so(\.[0-9.]+)?$/.test(path)),
  ),
];
console.log(JSON.stringify({ code, libraries, adapterRequests, webgpu: gpu !== undefined }));

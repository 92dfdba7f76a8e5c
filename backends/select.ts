/**
 * Backend selection: `--backend auto` picks CUDA when a device is present,
 * else the CPU library; webgpu and reference only when asked for.
 *
 * @module
 */

import { nativeAvailability } from "../ffi/mod.ts";
import { NativeBackend } from "./native/mod.ts";
import { EXIT_RUNTIME, PstmError } from "../core/errors.ts";
import { type BackendName, BACKENDS, parseOption } from "../core/options.ts";
import type { Backend } from "./backend.ts";
import { ReferenceBackend } from "./reference/reference_backend.ts";

export type { BackendName } from "../core/options.ts";

/**
 * Opens a backend by name.
 *
 * @param name one of core/options.ts `BACKENDS`: auto, cpu, cuda, webgpu or reference
 * @param options CPU threads (0: all)
 * @returns the backend (close it when done)
 * @throws PstmError (exit 1) when the named backend is not available here, (exit 2) when
 *   `name` is not a backend
 * @example
 * ```ts
 * import assert from "node:assert";
 * import { openBackend } from "./select.ts";
 * const backend = await openBackend("reference");
 * assert(backend.name === "reference");
 * backend.close();
 * ```
 */
export async function openBackend(
  name: BackendName,
  options: { threads?: number; device?: number } = {},
): Promise<Backend> {
  switch (parseOption(BACKENDS, name)) {
    case "reference":
      return new ReferenceBackend();
    case "webgpu": // loaded only when asked for: its modules stay resident once imported
      return await (await import("./webgpu/mod.ts")).WebGpuBackend.open();
    case "cpu":
      return NativeBackend.open("cpu", options);
    case "cuda": {
      const cuda = nativeAvailability("cuda");
      if (!cuda.available) {
        throw new PstmError(`the cuda backend is not available: ${cuda.reason}`, {
          field: "--backend",
        }, EXIT_RUNTIME);
      }
      return NativeBackend.open("cuda", options);
    }
    case "auto":
      return NativeBackend.open(nativeAvailability("cuda").available ? "cuda" : "cpu", options);
  }
}

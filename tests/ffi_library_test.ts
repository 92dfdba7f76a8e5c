/** Library discovery: environment overrides, load failures, availability. */

import assert from "node:assert/strict";
import { ensureCpuLibrary } from "../bench/kernel_cases.ts";
import { nativeDeviceInfo } from "../backends/native/native_backend.ts";
import {
  libraryFileName,
  libraryPath,
  localBuildDir,
  nativeAvailability,
  openLibrary,
} from "../ffi/library.ts";
import { EXIT_RUNTIME, PstmError } from "../core/errors.ts";

await ensureCpuLibrary();

function withEnv(name: string, value: string, fn: () => void): void {
  const before = Deno.env.get(name);
  Deno.env.set(name, value);
  try {
    fn();
  } finally {
    if (before === undefined) Deno.env.delete(name);
    else Deno.env.set(name, before);
  }
}

Deno.test("libraryPath prefers PSTM_CPU_LIBRARY, then PSTM_LIB_DIR, then build/", () => {
  assert.equal(libraryPath("cpu"), localBuildDir() + libraryFileName("cpu"));
  withEnv("PSTM_LIB_DIR", "/opt/pstm/lib", () => {
    assert.equal(libraryPath("cuda"), `/opt/pstm/lib/${libraryFileName("cuda")}`);
    withEnv(
      "PSTM_CPU_LIBRARY",
      "/elsewhere/libx.so",
      () => assert.equal(libraryPath("cpu"), "/elsewhere/libx.so"),
    );
  });
});

Deno.test("openLibrary wraps a load failure with its cause and says to build", () => {
  withEnv("PSTM_CPU_LIBRARY", "/nonexistent/libpstm_cpu.so", () => {
    assert.throws(() => openLibrary("cpu"), (e: unknown) => {
      assert.ok(e instanceof PstmError);
      assert.equal(e.exitCode, EXIT_RUNTIME);
      assert.match(e.message, /\/nonexistent\/libpstm_cpu\.so.*deno task build/);
      assert.ok(e.cause instanceof Error);
      return true;
    });
    assert.match(nativeAvailability("cpu").reason, /^cpu: libpstm_cpu\.so not built/);
  });
});

Deno.test("nativeAvailability and nativeDeviceInfo describe the CPU library", () => {
  const cpu = nativeAvailability("cpu");
  assert.equal(cpu.available, true);
  assert.equal(cpu.devices, 1);
  const info = nativeDeviceInfo("cpu");
  assert.equal(info.devices.length, 1);
  assert.ok(info.devices[0].name.length > 0 && info.devices[0].totalBytes > 0);
  const cuda = nativeDeviceInfo("cuda");
  assert.match(cuda.reason, /^cuda: /);
  assert.equal(cuda.available, cuda.devices.length > 0);
});

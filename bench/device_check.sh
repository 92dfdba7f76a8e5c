#!/usr/bin/env bash
# bench/device_check.sh — the GPU checks in one prepared command, for a lent machine with an
# NVIDIA GPU and no network. Writes one JSON of figures; under 8 minutes on an H100/H200 class
# machine. Without a GPU (or without nvcc) it runs what it can (build, ctest, the CUDA tests,
# which then skip) and says so in the JSON: that is how it is checked on the CPU-only machine.
#
#   bench/device_check.sh [OUT_DIR]          (default: $OUT, else ./device-check)
#
# Deno: `deno` on PATH, else $PSTM_DENO, else .device/deno.xz (an xz-compressed deno binary
# carried in the ignored folder .device/), unpacked to /tmp. Nothing is downloaded.
#
# Steps (each under its own time limit; a failed step is recorded and the next one runs):
#   build        cmake: libpstm_cpu, libpstm_cuda (when nvcc is found), the ctest drivers
#   ctest        csrc ctest: header, CPU driver, CUDA driver (skips without a device)
#   cuda_test    deno test tests/cuda_test.ts (CUDA vs the reference and the CPU backend)
#   cuda_bench   deno run bench/cuda_bench.ts (contributions/s, standard-workload kernel)
#   standard     pstm synth --preset standard + pstm migrate --backend cuda on the full
#                512 x 384 x 1,001 grid (DESIGN.md 6): traces/s, device memory, peak RSS
#   webgpu       deno test tests/webgpu_test.ts + bench/webgpu_bench.ts where Vulkan is found
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out=${1:-${OUT:-$root/device-check}}
mkdir -p "$out"
logs="$out/logs"
mkdir -p "$logs"
started=$(date +%s)
export DENO_NO_UPDATE_CHECK=1 NO_COLOR=1

# ---- deno ---------------------------------------------------------------------------
deno=""
if command -v deno >/dev/null 2>&1; then
  deno=$(command -v deno)
elif [ -n "${PSTM_DENO:-}" ] && [ -x "${PSTM_DENO}" ]; then
  deno=$PSTM_DENO
elif [ -f .device/deno.xz ]; then
  xz -dc .device/deno.xz >/tmp/pstm-deno && chmod +x /tmp/pstm-deno && deno=/tmp/pstm-deno
fi

# ---- what the machine has -------------------------------------------------------------
gpu=false
gpu_name=""
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  gpu=true
  gpu_name=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader | head -n 1)
fi
nvcc=false
command -v nvcc >/dev/null 2>&1 && nvcc=true
vulkan=false
ldconfig -p 2>/dev/null | grep -q libvulkan && vulkan=true

# ---- steps --------------------------------------------------------------------------
steps_json=""
# run NAME LIMIT_S COMMAND...: runs it with its output in logs/NAME.log, records the outcome
run() {
  local name=$1 limit=$2
  shift 2
  local t0 status
  t0=$(date +%s.%N)
  timeout "$limit" "$@" >"$logs/$name.log" 2>&1
  status=$?
  local seconds
  seconds=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }")
  local outcome=pass
  [ $status -eq 0 ] || outcome=fail
  [ $status -eq 124 ] && outcome=timeout
  steps_json="$steps_json${steps_json:+,}{\"step\":\"$name\",\"outcome\":\"$outcome\",\"exit\":$status,\"seconds\":$seconds}"
  echo "$name: $outcome ($status) in ${seconds}s" >&2
  return $status
}
skip() {
  steps_json="$steps_json${steps_json:+,}{\"step\":\"$1\",\"outcome\":\"skip\",\"why\":\"$2\"}"
  echo "$1: skipped ($2)" >&2
}

run build 240 sh -c "cmake -S csrc -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build -j $(nproc)"
run ctest 120 sh -c "cd build && ctest --output-on-failure"

figures="{}"
if [ -z "$deno" ]; then
  skip cuda_test "no deno (put an xz-compressed deno at .device/deno.xz)"
  skip cuda_bench "no deno"
  skip standard "no deno"
  skip webgpu "no deno"
else
  run cuda_test 240 "$deno" test -A tests/cuda_test.ts
  if $gpu && [ -f build/libpstm_cuda.so ]; then
    run cuda_bench 240 "$deno" run -A bench/cuda_bench.ts
    tmp=$(mktemp -d)
    velocity=$("$deno" eval 'import { synthPreset, synthVelocityText } from "./pipeline/synth/synth.ts";
      console.log(synthVelocityText(synthPreset("standard")));')
    if run synth 120 "$deno" run -A cli.ts synth -o "$tmp/standard.sgy" --preset standard; then
      run standard 300 "$deno" run -A cli.ts migrate "$tmp/standard.sgy" -o "$tmp/image.sgy" \
        --velocity "$velocity" --grid=1040,2300,25,25,512,384 --aperture 1500 --max-angle 60 \
        --backend cuda --log json
      # the summary event of --log json: traces/s, device memory, peak RSS
      summary=$(grep '"event":"summary"' "$logs/standard.log" | tail -n 1)
      [ -n "$summary" ] && figures=$(printf '%s' "$summary" | "$deno" eval '
        const s = JSON.parse(await new Response(Deno.stdin.readable).text());
        const d = s;
        console.log(JSON.stringify({ standard: { traces: d.traces, seconds: d.seconds,
          tracesPerSecond: d.traces / d.seconds, kernelSeconds: d.kernelSeconds,
          deviceBytes: d.deviceBytes, peakRss: d.peakRss, contributions: d.contributions } }));')
    fi
    rm -rf "$tmp"
  else
    skip cuda_bench "no GPU or no libpstm_cuda.so"
    skip standard "no GPU or no libpstm_cuda.so"
  fi
  if $vulkan; then
    run webgpu 240 sh -c "\"$deno\" test -A --unstable-webgpu tests/webgpu_test.ts &&
      \"$deno\" run -A --unstable-webgpu bench/webgpu_bench.ts"
  else
    skip webgpu "no libvulkan"
  fi
fi

# the benches' summary lines, verbatim, for the reader of the JSON
lines() {
  [ -n "$deno" ] && [ -f "$logs/$1.log" ] || return 0
  grep -E "$2" "$logs/$1.log" | tail -n 8 | "$deno" eval \
    'console.log(JSON.stringify((await new Response(Deno.stdin.readable).text()).trim().split("\n")))'
}
cuda_lines=$(lines cuda_bench "contributions/s|traces/s" || true)
webgpu_lines=$(lines webgpu "contributions/s|traces/s" || true)
elapsed=$(($(date +%s) - started))
cat >"$out/device_check.json" <<EOF
{
  "gpu": $gpu,
  "gpu_name": "$gpu_name",
  "nvcc": $nvcc,
  "vulkan": $vulkan,
  "deno": "${deno:-}",
  "seconds": $elapsed,
  "steps": [$steps_json],
  "figures": $figures,
  "cuda_bench": ${cuda_lines:-null},
  "webgpu_bench": ${webgpu_lines:-null}
}
EOF
echo "wrote $out/device_check.json (${elapsed}s)" >&2

#!/bin/sh
# Builds the native library into build/ (deno task build). Silent when build/
# is newer than every file under csrc/; otherwise cmake's output goes to
# build/build.log and is shown only when the build fails. Concurrent calls
# (`pstm synth -o - | pstm migrate -` through deno task) take a lock, so one
# builds and the others wait for it.
set -eu
cd "$(dirname "$0")/.."
stamp=build/.built
up_to_date() {
  [ -f "$stamp" ] && [ -z "$(find csrc -newer "$stamp" -print 2>/dev/null | head -n 1)" ]
}
up_to_date && exit 0
mkdir -p build
# the lock: flock where it exists, else an atomic mkdir (removed on exit)
if command -v flock >/dev/null 2>&1; then
  exec 9>build/.lock
  flock 9
else
  until mkdir build/.lock.d 2>/dev/null; do sleep 1; done
  trap 'rmdir build/.lock.d' EXIT
fi
up_to_date && exit 0
log=build/build.log
touch "$stamp.new" # before the build: a file edited while it runs is newer than the stamp
if cmake -S csrc -B build -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1 &&
  cmake --build build -j "${PSTM_BUILD_JOBS:-2}" >>"$log" 2>&1; then
  mv "$stamp.new" "$stamp"
else
  cat "$log" >&2
  echo "pstm: the native build failed (log: build/build.log)" >&2
  exit 1
fi

#!/usr/bin/env bash
# Stops the daemons that start_cluster.sh DIR started (slurmd, slurmctld,
# munged), by the pids it recorded under DIR, and waits for them to exit
# (SIGTERM, then SIGKILL after 10 s). Jobs still running on the node are
# killed first with scancel. Leaves DIR in place (logs); remove it yourself.
set -uo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
dir=$(cd "$1" 2>/dev/null && pwd) || { echo "stop_cluster: no directory $1" >&2; exit 2; }

conf="$dir/slurm.conf"
# jobs first: wake stopped tasks (SIGCONT), cancel everything, wait up to 15 s
if [ -f "$conf" ] && [ -f "$dir/slurmctld.daemon.pid" ] &&
  kill -0 "$(cat "$dir/slurmctld.daemon.pid")" 2>/dev/null; then
  export SLURM_CONF="$conf"
  jobs=$(timeout 5 squeue -h -o %A 2>/dev/null | sort -u | tr '\n' ' ')
  if [ -n "${jobs// /}" ]; then
    # shellcheck disable=SC2086
    timeout 5 scancel --signal=CONT --full $jobs 2>/dev/null || true
    # shellcheck disable=SC2086
    timeout 5 scancel $jobs 2>/dev/null || true
    for _ in $(seq 150); do
      [ -z "$(timeout 5 squeue -h -o %A 2>/dev/null)" ] && break
      sleep 0.1
    done
  fi
fi

status=0
# stop_daemons NAME...: SIGTERM to each, wait up to 10 s for all, then SIGKILL
stop_daemons() {
  local pids=() daemon file pid
  for daemon in "$@"; do
    file="$dir/$daemon.daemon.pid"
    [ -f "$file" ] || file="$dir/$daemon.pid"
    [ -f "$file" ] || continue
    pid=$(cat "$file")
    rm -f "$file"
    case "$pid" in '' | *[!0-9]*) continue ;; esac
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  for _ in $(seq 200); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" -eq 0 ] && return 0
    sleep 0.05
  done
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      echo "stop_cluster: pid $pid ignored SIGTERM for 10 s; sending SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null
      sleep 0.2
      kill -0 "$pid" 2>/dev/null && status=1
    fi
  done
}
# the Slurm daemons first (they talk through munge while shutting down), then munged
stop_daemons slurmd slurmctld
stop_daemons munged

# job processes this cluster started and that outlived it: slurmstepd and job
# tasks (SLURM_JOB_ID set) whose environment has SLURM_CONF=DIR/slurm.conf;
# SIGCONT (a task may be stopped), then SIGKILL
leftovers=()
for environ in /proc/[0-9]*/environ; do
  pid=${environ#/proc/}
  pid=${pid%/environ}
  [ "$pid" != "$$" ] || continue
  env_lines=$( (tr '\0' '\n' <"$environ") 2>/dev/null) || continue
  grep -qxF "SLURM_CONF=$conf" <<<"$env_lines" || continue
  cmd=$( (tr '\0' ' ' <"/proc/$pid/cmdline") 2>/dev/null) || continue
  if [[ "$cmd" == slurmstepd* ]] || grep -q '^SLURM_JOB_ID=' <<<"$env_lines"; then
    leftovers+=("$pid")
  fi
done
if [ ${#leftovers[@]} -gt 0 ]; then
  echo "stop_cluster: killing ${#leftovers[@]} leftover job process(es): ${leftovers[*]}" >&2
  kill -CONT "${leftovers[@]}" 2>/dev/null
  kill -KILL "${leftovers[@]}" 2>/dev/null
fi
exit $status

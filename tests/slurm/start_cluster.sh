#!/usr/bin/env bash
# Starts a one-node Slurm cluster on localhost with every file under DIR:
# munged with its own key and socket, slurmctld and slurmd (no systemd, no
# cgroups: proctrack/linuxproc, task/none). Prints `export SLURM_CONF=...`
# on stdout; everything else goes to stderr. Stop it with stop_cluster.sh DIR.
#
#   eval "$(tests/slurm/start_cluster.sh /tmp/pstm-slurm)"
#   sinfo; sbatch --wrap hostname; ...
#   tests/slurm/stop_cluster.sh /tmp/pstm-slurm
#
# Environment: PSTM_SLURM_PORT (slurmctld port; slurmd uses the next one;
# default: the first free pair from 6817), PSTM_SLURM_TIMEOUT (seconds to wait
# for the node to become idle, default 30). Must run as root (SlurmUser=root).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi
for tool in munged slurmctld slurmd sinfo scontrol; do
  command -v "$tool" >/dev/null || {
    echo "start_cluster: $tool not found (apt-get install slurmctld slurmd slurm-client munge)" >&2
    exit 2
  }
done
if [ "$(id -u)" -ne 0 ]; then
  echo "start_cluster: must run as root (the cluster runs with SlurmUser=root)" >&2
  exit 2
fi

started=$(date +%s.%N)
mkdir -p "$1"
dir=$(cd "$1" && pwd)
if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
  echo "start_cluster: a cluster is already running under $dir (stop_cluster.sh $dir)" >&2
  exit 2
fi
mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
mkdir -p "$dir/spool/localhost"
chmod 755 "$dir/munge"

log() { echo "start_cluster: $*" >&2; }

# --- munge: own key, socket, pid, log and seed files ----------------------
key="$dir/munge/munge.key"
if [ ! -s "$key" ]; then
  dd if=/dev/urandom bs=1 count=1024 of="$key" status=none
fi
chmod 400 "$key"
socket="$dir/munge/munge.socket"
rm -f "$socket" "$socket.lock"
munged --force --key-file="$key" --socket="$socket" --pid-file="$dir/munge/munged.pid" \
  --log-file="$dir/log/munged.log" --seed-file="$dir/munge/munged.seed" \
  >>"$dir/log/munged.log" 2>&1 </dev/null
# munged forks; it writes its pid file once the socket is ready
for _ in $(seq 100); do
  [ -S "$socket" ] && [ -s "$dir/munge/munged.pid" ] && break
  sleep 0.05
done
[ -S "$socket" ] || { log "munged did not start; see $dir/log/munged.log"; exit 1; }
cp "$dir/munge/munged.pid" "$dir/munged.pid"

# --- ports -------------------------------------------------------------------
port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
port=${PSTM_SLURM_PORT:-6817}
if [ -z "${PSTM_SLURM_PORT:-}" ]; then
  while ! { port_free "$port" && port_free $((port + 1)); }; do
    port=$((port + 2))
    [ "$port" -lt 6917 ] || { log "no free port pair in 6817-6916"; exit 1; }
  done
elif ! { port_free "$port" && port_free $((port + 1)); }; then
  log "PSTM_SLURM_PORT=$port: port $port or $((port + 1)) is in use"
  exit 1
fi

# --- slurm.conf ----------------------------------------------------------------
cpus=$(nproc)
mem_mb=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 * 0.9 }' /proc/meminfo)
conf="$dir/slurm.conf"
: >"$dir/plugstack.conf"
cat >"$conf" <<CONF
# one-node test cluster written by tests/slurm/start_cluster.sh
ClusterName=pstm
SlurmctldHost=localhost
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.log
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MailProg=/bin/true
MinJobAge=600
KillWait=5
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"

# --- daemons -----------------------------------------------------------------
# -D keeps them in the foreground so that $! is their pid; setsid detaches them
# from the caller's session, and stdio goes to files so a caller reading our
# stdout is not kept waiting by the daemons.
setsid slurmctld -D -c -i -f "$conf" >>"$dir/log/slurmctld.out" 2>&1 </dev/null &
echo $! >"$dir/slurmctld.daemon.pid"
setsid slurmd -D -N localhost -f "$conf" >>"$dir/log/slurmd.out" 2>&1 </dev/null &
echo $! >"$dir/slurmd.daemon.pid"

timeout=${PSTM_SLURM_TIMEOUT:-30}
deadline=$(($(date +%s) + timeout))
state=""
while :; do
  state=$(sinfo -h -n localhost -o %t 2>/dev/null || true)
  case "$state" in idle*) break ;; esac
  for daemon in slurmctld slurmd; do
    if ! kill -0 "$(cat "$dir/$daemon.daemon.pid")" 2>/dev/null; then
      log "$daemon exited; last lines of $dir/log/$daemon.log:"
      tail -n 20 "$dir/log/$daemon.log" "$dir/log/$daemon.out" >&2 2>/dev/null || true
      "$(dirname "$0")/stop_cluster.sh" "$dir" >&2 || true
      exit 1
    fi
  done
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "node not idle after ${timeout}s (state '${state}'); logs in $dir/log"
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 2>/dev/null || true
    "$(dirname "$0")/stop_cluster.sh" "$dir" >&2 || true
    exit 1
  fi
  sleep 0.2
done
elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
log "cluster up in ${elapsed}s: node localhost ($cpus CPUs, ${mem_mb} MB), port $port, under $dir"
echo "export SLURM_CONF=$conf"

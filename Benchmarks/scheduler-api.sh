#!/usr/bin/env bash
# The scheduler HTTP API beside the in-process transport, and the operator event stream, in one run:
#   - boots `clusterbox up --agents 0 --simulated 1000` (release binary, private data dir, a free loopback port);
#   - a pymesos 0.3.15 framework on POST /api/v1/scheduler: a paced phase (offer -> ACCEPT -> TASK_RUNNING
#     latency, p50/p99) and a greedy phase (sustained launches/s) of short simulated tasks;
#   - the same framework logic on a minimal raw HTTP client (what is pymesos' own cost);
#   - the greedy churn of 3 raw clients at once (more churn than one), with an operator SUBSCRIBE reader counting
#     events/s and checking that none is missing;
#   - the daemon stopped, then the same framework logic through InProcessSchedulerTransport on the same master
#     and 1,000 simulated agents, in one process (Benchmarks/SchedulerPath);
#   - a table with the ratios. What each figure measures: Benchmarks/README.md, scheduler_api.py's docstring.
#
# Usage: Benchmarks/scheduler-api.sh [--build] [--install-venv] [--paced S] [--greedy S] [--agents N] [--churners N]
#                                    [CLUSTERBOX]
#   CLUSTERBOX          default: $CLUSTERBOX, else <repo>/.build-bench-rel/release/clusterbox
#   --build             build what is missing first (clusterbox release and SchedulerPath, both with -j 1)
#   --install-venv      create /tmp/bench-venv with pymesos 0.3.15 as install.sh does, if missing
#   --paced / --greedy  phase lengths in seconds (default 10 and 15; the first 2 s of each are not counted)
#   --agents N          simulated agents (default 1000)
#   --churners N        raw clients churning at once while the operator stream is read (default 3)
#   $PYTHON             the Python that has pymesos (default /tmp/bench-venv/bin/python)
#   $SCHEDULER_PATH     the in-process benchmark binary (default Benchmarks/.build-bench/release/SchedulerPath)
#
# About 2.5 minutes once built. Only loopback; only processes this script started, stopped by their pid; the
# data dir and temp files are removed; every wait is bounded.
set -u -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
BINARY=${CLUSTERBOX:-$ROOT/.build-bench-rel/release/clusterbox}
PYTHON=${PYTHON:-/tmp/bench-venv/bin/python}
SCHEDULER_PATH=${SCHEDULER_PATH:-$HERE/.build-bench/release/SchedulerPath}
PACED=10
GREEDY=15
AGENTS=1000
CHURNERS=3
BUILD=0
INSTALL_VENV=0
while [ $# -gt 0 ]; do
    case "$1" in
        --build) BUILD=1; shift ;;
        --install-venv) INSTALL_VENV=1; shift ;;
        --paced) PACED=$2; shift 2 ;;
        --greedy) GREEDY=$2; shift 2 ;;
        --agents) AGENTS=$2; shift 2 ;;
        --churners) CHURNERS=$2; shift 2 ;;
        -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) BINARY=$1; shift ;;
    esac
done
case "$PACED$GREEDY$AGENTS$CHURNERS" in *[!0-9]*) echo "--paced, --greedy, --agents and --churners take whole numbers" >&2; exit 2 ;; esac

if [ "$BUILD" -eq 1 ]; then
    if [ ! -x "$BINARY" ]; then
        echo "building clusterbox (release, -j 1; about 10 minutes)…"
        (cd "$ROOT" && swift build -c release -j 1 --scratch-path .build-bench-rel --product clusterbox) || exit 1
        BINARY=$ROOT/.build-bench-rel/release/clusterbox
    fi
    if [ ! -x "$SCHEDULER_PATH" ]; then
        echo "building SchedulerPath (release, -j 1)…"
        (cd "$HERE" && swift build -c release -j 1 --scratch-path .build-bench --product SchedulerPath) || exit 1
    fi
fi
if [ "$INSTALL_VENV" -eq 1 ] && ! /tmp/bench-venv/bin/python -c "import pymesos" 2>/dev/null; then
    echo "creating /tmp/bench-venv with pymesos 0.3.15 (as install.sh does)…"
    python3 -m venv /tmp/bench-venv || exit 1
    /tmp/bench-venv/bin/pip install -q --no-deps pymesos==0.3.15 six addict || exit 1
    tmp=$(mktemp -d)
    /tmp/bench-venv/bin/pip download -q --no-deps --no-binary :all: http-parser==0.9.0 -d "$tmp" || exit 1
    tar -xzf "$tmp"/http-parser-0.9.0.tar.gz -C "$tmp"
    site=$(/tmp/bench-venv/bin/python -c 'import site; print(site.getsitepackages()[0])')
    mkdir -p "$site/http_parser"
    for f in __init__.py http.py pyparser.py reader.py util.py _socketio.py; do
        cp "$tmp/http-parser-0.9.0/http_parser/$f" "$site/http_parser/"
    done
    rm -rf "$tmp"
    PYTHON=/tmp/bench-venv/bin/python
fi
[ -x "$BINARY" ] || { echo "no clusterbox binary at $BINARY (--build, or pass its path / set CLUSTERBOX)" >&2; exit 2; }
[ -x "$SCHEDULER_PATH" ] || { echo "no SchedulerPath binary at $SCHEDULER_PATH (--build)" >&2; exit 2; }
"$PYTHON" -c "import pymesos" 2>/dev/null || { echo "$PYTHON cannot import pymesos (--install-venv, or set PYTHON)" >&2; exit 2; }
case "$BINARY" in */debug/*) echo "note: a debug build of clusterbox: these are not release figures" ;; esac

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clusterbox-sched-bench.XXXXXX")
DATA=$WORK/data
DAEMON_PID=""
BG_PIDS=()

stop_daemon() {
    [ -d "$DATA" ] || return 0
    "$BINARY" down --data-dir "$DATA" --timeout 20 >/dev/null 2>&1 || true
    if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        kill -TERM "$DAEMON_PID" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DAEMON_PID" 2>/dev/null || true
    fi
    DAEMON_PID=""
}
cleanup() {
    local pid
    for pid in "${BG_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
    stop_daemon
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# A command with a time limit; its pid is recorded so that cleanup can stop it.
bounded() {
    local limit=$1; shift
    "$@" &
    local pid=$!
    BG_PIDS+=("$pid")
    local waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((limit * 10)) ]; do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
        echo "  (stopped after ${limit} s: $*)" >&2
        kill -TERM "$pid" 2>/dev/null; sleep 1; kill -KILL "$pid" 2>/dev/null
    fi
    wait "$pid"
    local status=$?
    forget "$pid"
    return $status
}
# Drops a finished pid from BG_PIDS, so that cleanup never signals a pid the system gave to someone else.
forget() {
    local kept=() pid
    for pid in "${BG_PIDS[@]}"; do [ "$pid" = "$1" ] || kept+=("$pid"); done
    BG_PIDS=("${kept[@]}")
}

PORT=$(free_port)
MASTER=127.0.0.1:$PORT
COMMON=(--paced-seconds "$PACED" --greedy-seconds "$GREEDY" --warmup-seconds 2 --cpus 0.5 --mem 128 --task-seconds 0.1
    --paced-per-event 2 --greedy-per-event 400 --per-offer 2 --decline-refuse-seconds 5 --drain-seconds 30)
RUN_LIMIT=$((PACED + GREEDY + 60))

echo "clusterbox: $BINARY"
echo "booting: clusterbox up --agents 0 --simulated $AGENTS --master-port $PORT (data in $DATA)"
started=$(date +%s%N)
if ! "$BINARY" up --data-dir "$DATA" --master-port "$PORT" --agents 0 --simulated "$AGENTS" --timeout 120 \
    >"$WORK/up.log" 2>&1; then
    echo "clusterbox up failed:" >&2; tail -20 "$WORK/up.log" >&2; tail -20 "$DATA/clusterbox.log" >&2 2>/dev/null
    DAEMON_PID=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$DATA/cluster.json" 2>/dev/null)
    exit 1
fi
DAEMON_PID=$(sed -n 's/.*"pid":\([0-9]*\).*/\1/p' "$DATA/cluster.json")
echo "  ready in $(( ($(date +%s%N) - started) / 1000000 )) ms, daemon pid $DAEMON_PID"

echo "1/4 pymesos framework over HTTP: paced ${PACED} s, greedy ${GREEDY} s"
bounded "$RUN_LIMIT" "$PYTHON" "$HERE/scheduler_api.py" framework --master "$MASTER" --client pymesos \
    --daemon-pid "$DAEMON_PID" --out "$WORK/pymesos.json" "${COMMON[@]}" || echo "  pymesos run failed" >&2
sleep 3  # its last tasks end and it is torn down
echo "2/4 raw HTTP client, same logic"
bounded "$RUN_LIMIT" "$PYTHON" "$HERE/scheduler_api.py" framework --master "$MASTER" --client raw \
    --daemon-pid "$DAEMON_PID" --out "$WORK/raw.json" "${COMMON[@]}" || echo "  raw run failed" >&2
sleep 3
echo "3/4 operator SUBSCRIBE reader during the greedy churn of $CHURNERS raw clients at once (${GREEDY} s)"
"$PYTHON" "$HERE/scheduler_api.py" operator --master "$MASTER" --seconds "$RUN_LIMIT" \
    --out "$WORK/operator.json" --ready "$WORK/operator.ready" &
READER=$!
BG_PIDS+=("$READER")
for _ in $(seq 1 300); do [ -s "$WORK/operator.ready" ] && break; sleep 0.1; done
CHURN_PIDS=()
CHURN_FILES=()
for n in $(seq 1 "$CHURNERS"); do
    "$PYTHON" "$HERE/scheduler_api.py" framework --master "$MASTER" --client raw --daemon-pid "$DAEMON_PID" \
        --out "$WORK/churn-$n.json" "${COMMON[@]}" --paced-seconds 0 &
    CHURN_PIDS+=($!)
    BG_PIDS+=($!)
    CHURN_FILES+=("$WORK/churn-$n.json")
done
deadline=$(( $(date +%s) + RUN_LIMIT ))
for pid in "${CHURN_PIDS[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.2; done
    if [ "$(date +%s)" -ge "$deadline" ] && kill -KILL "$pid" 2>/dev/null; then
        echo "  (a churn framework was stopped after ${RUN_LIMIT} s)" >&2
    fi
    wait "$pid" 2>/dev/null
    forget "$pid"
done
sleep 3  # the last updates reach the reader; then it writes its counts and ends
kill -TERM "$READER" 2>/dev/null
for _ in $(seq 1 50); do kill -0 "$READER" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$READER" 2>/dev/null; then kill -KILL "$READER" 2>/dev/null; fi
wait "$READER" 2>/dev/null
forget "$READER"
stop_daemon

echo "4/4 in process: the same logic on InProcessSchedulerTransport, same master and $AGENTS simulated agents"
bounded "$RUN_LIMIT" "$SCHEDULER_PATH" "${COMMON[@]}" --agents "$AGENTS" >"$WORK/inprocess.json" \
    || echo "  in-process run failed" >&2

echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $AGENTS simulated agents, tasks 0.5 CPU / 128 MiB / 0.1 s"
"$PYTHON" "$HERE/scheduler_api.py" report --inprocess "$WORK/inprocess.json" --pymesos "$WORK/pymesos.json" \
    --raw "$WORK/raw.json" --operator "$WORK/operator.json" --churn "${CHURN_FILES[@]}"
if [ -n "${KEEP_RESULTS:-}" ]; then
    mkdir -p "$KEEP_RESULTS" && cp "$WORK"/*.json "$KEEP_RESULTS"/ && echo "(JSON results copied to $KEEP_RESULTS)"
fi
exit 0

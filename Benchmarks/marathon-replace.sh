#!/usr/bin/env bash
# Marathon replacement latency, whole system: on a cluster of process agents (`clusterbox up --agents 3`, private
# data dir, free ports), one app with 1 instance (`sleep 1000`). Each run SIGKILLs the task's process and times
# the replacement, from just before the kill to the replacement's TASK_RUNNING:
#   - the task's process is the pid in its sandbox's `.clusterbox-pid` checkpoint (`<data-dir>/sandboxes/<agent>/
#     <framework>/<task id>/`, "<pid> <start time>"); it is killed only if /proc/<pid>/stat still shows that start
#     time, so a recycled pid is never hit;
#   - the clock stops at the timestamp of the replacement's TASK_RUNNING status_update_event on /v2/events (the
#     daemon's wall clock, in ms); the time the script saw it is shown too;
#   - repeated failures of an app make Marathon wait before relaunching (backoffSeconds x backoffFactor^n), so
#     before each kill the script resets the app's launch delay with `DELETE /v2/queue/{app}/delay`: every run
#     is then a first failure, replaced at once, as Marathon does.
# Prints each run, then p50 and p99 (nearest rank: with 20 runs p99 is the slowest run).
#
# Usage: Benchmarks/marathon-replace.sh [--runs N] [CLUSTERBOX_BINARY]
#   CLUSTERBOX_BINARY   default: $CLUSTERBOX, else .build/release/clusterbox under the repository
#   --runs N            kills (default 20)
#
# Only loopback addresses; temp dirs removed; the cluster is stopped with `clusterbox down` (which stops its
# tasks); only processes this script started (and the task processes it kills, checked as above) are signalled,
# by pid; every wait is bounded (10 s per replacement). Marathon itself cannot be installed here (no JVM, no
# Mesos, no network): there is no measured peer.
set -u -o pipefail

RUNS=20
HERE=$(cd "$(dirname "$0")" && pwd)
BINARY=${CLUSTERBOX:-$HERE/../.build/release/clusterbox}
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) BINARY=$1; shift ;;
    esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "--runs needs a positive number" >&2; exit 2 ;; esac
[ "$RUNS" -le 200 ] || { echo "--runs must be at most 200" >&2; exit 2; }
[ -x "$BINARY" ] || { echo "no clusterbox binary at $BINARY (build one, or pass its path / set CLUSTERBOX)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3 (free ports, JSON, event timestamps)" >&2; exit 2; }
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clusterbox-marathon-replace.XXXXXX")
. "$HERE/marathon-lib.sh"
trap marathon_cleanup EXIT
trap 'exit 130' INT TERM

APP=/bench/replace
DIR="$WORK/cluster"
EVENTS="$WORK/events"
api() { curl -s --max-time 10 "$@"; }

# The app's task in TASK_RUNNING, as "<task id>" (empty when there is none).
running_task() {
    api "http://127.0.0.1:$MARATHON_PORT/v2/apps$APP/tasks" | python3 -c '
import json, sys
tasks = [t for t in json.load(sys.stdin).get("tasks", []) if t.get("state") == "TASK_RUNNING"]
print(tasks[0]["id"] if tasks else "")' 2>/dev/null
}

# "<ms from T0 to the event> <task id>" for the first TASK_RUNNING of APP, other than OLD, after line SKIP.
replacement_running() {
    tail -n +"$(( $1 + 1 ))" "$EVENTS" | python3 -c '
import json, sys
from datetime import datetime, timezone
old, app, t0 = sys.argv[1], sys.argv[2], int(sys.argv[3])
for line in sys.stdin:
    if not line.startswith("data: "):
        continue
    try:
        event = json.loads(line[6:])
    except ValueError:
        continue
    if event.get("appId") == app and event.get("taskStatus") == "TASK_RUNNING" and event.get("taskId") != old:
        at = datetime.strptime(event["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        print("%.0f %s" % (at.timestamp() * 1000 - t0 / 1e6, event["taskId"]))
        break' "$2" "$APP" "$3"
}

# The pid of the task's process, from its sandbox checkpoint, if /proc still shows the same process.
task_pid() {
    local checkpoint pid start stat
    for checkpoint in "$DIR"/sandboxes/*/*/"$1"/.clusterbox-pid; do
        [ -f "$checkpoint" ] || continue
        read -r pid start <"$checkpoint" || continue
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        # Fields after the command, which is in parentheses and may hold spaces: state is field 3, start time 22.
        [ "$(echo "${stat##*) }" | awk '{ print $20 }')" = "$start" ] && { echo "$pid"; return 0; }
    done
    return 1
}

echo "clusterbox: $BINARY"
case "$BINARY" in */debug/*) echo "  (a debug build: not release figures)" ;; esac
start_cluster "$DIR" --agents 3 || exit 1
start_listener "$EVENTS" || exit 1
code=$(api -o "$WORK/post.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    --data-binary "{\"id\":\"$APP\",\"cmd\":\"sleep 1000\",\"cpus\":0.1,\"mem\":16,\"instances\":1}" \
    "http://127.0.0.1:$MARATHON_PORT/v2/apps")
[ "$code" = 201 ] || { echo "POST /v2/apps answered $code: $(head -c 300 "$WORK/post.out")" >&2; exit 1; }
task=""
for _ in $(seq 1 200); do task=$(running_task); [ -n "$task" ] && break; sleep 0.05; done
[ -n "$task" ] || { echo "the app's task did not reach TASK_RUNNING within 10 s" >&2; exit 1; }
echo "app $APP: task $task running on 3 process agents; $RUNS kills"

EVENT_MS=()
SEEN_MS=()
FAILED=0
for run in $(seq 1 "$RUNS"); do
    code=$(api -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$MARATHON_PORT/v2/queue$APP/delay")
    [ "$code" = 204 ] || [ "$code" = 200 ] || [ "$code" = 404 ] || echo "  reset delay answered $code" >&2
    sleep 0.2
    pid=$(task_pid "$task") || { echo "  run $run: no live process for $task" >&2; FAILED=1; break; }
    skip=$(wc -l <"$EVENTS")
    t0=$(now_ns)
    kill -KILL "$pid"
    result=""
    deadline=$(( t0 + 10000000000 ))
    seen=""
    while [ "$(now_ns)" -lt "$deadline" ]; do
        # A cheap test while polling; the event is parsed once it is there.
        if tail -n +"$(( skip + 1 ))" "$EVENTS" | grep -F '"taskStatus":"TASK_RUNNING"' | grep -qvF "\"$task\""; then
            seen=$(( ($(now_ns) - t0) / 1000000 ))
            result=$(replacement_running "$skip" "$task" "$t0")
            break
        fi
        sleep 0.002
    done
    if [ -z "$result" ]; then
        echo "  run $run: no replacement running within 10 s of killing pid $pid" >&2
        FAILED=1
        break
    fi
    read -r ms task <<<"$result"
    printf "  run %2d: killed pid %-7s replacement TASK_RUNNING after %4s ms (seen at %4s ms)\n" "$run" "$pid" "$ms" "$seen"
    EVENT_MS+=("$ms")
    SEEN_MS+=("$seen")
done
end_listener
end_cluster "$DIR"

echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${#EVENT_MS[@]} runs"
if [ ${#EVENT_MS[@]} -gt 0 ]; then
    printf "%-46s | %8s | %8s | %8s\n" "kill -9 to replacement TASK_RUNNING" "p50 (ms)" "p99 (ms)" "min (ms)"
    printf "%-46s-+-%8s-+-%8s-+-%8s\n" "----------------------------------------------" "--------" "--------" "--------"
    printf "%-46s | %8s | %8s | %8s\n" "by the TASK_RUNNING event's timestamp" "$(printf '%s\n' "${EVENT_MS[@]}" | percentile 50)" \
        "$(printf '%s\n' "${EVENT_MS[@]}" | percentile 99)" "$(printf '%s\n' "${EVENT_MS[@]}" | minimum)"
    printf "%-46s | %8s | %8s | %8s\n" "as seen by the script (polling)" "$(printf '%s\n' "${SEEN_MS[@]}" | percentile 50)" \
        "$(printf '%s\n' "${SEEN_MS[@]}" | percentile 99)" "$(printf '%s\n' "${SEEN_MS[@]}" | minimum)"
fi
echo "target: 200 ms (p50 and p99). Peer: Marathon is not installable here (no measured ratio)."
exit "$FAILED"

#!/usr/bin/env bash
# Marathon deploy time, whole system: a cluster of 200 simulated agents (`clusterbox up --simulated 200
# --agents 0`, private data dir, free ports), then 100 apps x 10 instances (cpus 0.1, mem 16, one port each)
# posted as fast as possible, timed until every instance is TASK_RUNNING. Two ways of posting, each on a fresh
# cluster:
#   put   one `PUT /v2/apps` with all 100 apps in an array body (one deployment);
#   post  100 `POST /v2/apps`, one per app, sent concurrently by one `curl --parallel` (100 deployments).
# The clock starts just before the request is sent. It stops at the timestamp of the last TASK_RUNNING
# status_update_event on /v2/events (the daemon's wall clock, in ms); the time the script saw it, the first
# TASK_RUNNING and the time the request(s) were answered are shown too.
# At the end `GET /v2/tasks?status=running` must list every instance.
#
# Usage: Benchmarks/marathon-deploy.sh [--runs N] [--apps N] [--instances N] [--mode put|post|both]
#                                      [CLUSTERBOX_BINARY]
#   CLUSTERBOX_BINARY   default: $CLUSTERBOX, else .build/release/clusterbox under the repository
#   --runs N            runs per mode, each on a fresh cluster (default 3)
#   --apps N, --instances N    default 100 and 10
#   --mode              put, post or both (default both)
#
# Simulated agents run a task until it is killed (no `clusterbox.io/duration` label), so nothing ends on its own.
# Only loopback addresses; temp dirs removed; clusters stopped with `clusterbox down`; only processes this script
# started are stopped, by pid; every wait is bounded (60 s per deploy). Marathon itself cannot be installed here
# (no JVM, no Mesos, no network): there is no measured peer.
set -u -o pipefail

RUNS=3
APPS=100
INSTANCES=10
MODE=both
HERE=$(cd "$(dirname "$0")" && pwd)
BINARY=${CLUSTERBOX:-$HERE/../.build/release/clusterbox}
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --apps) APPS=$2; shift 2 ;;
        --instances) INSTANCES=$2; shift 2 ;;
        --mode) MODE=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) BINARY=$1; shift ;;
    esac
done
for n in "$RUNS" "$APPS" "$INSTANCES"; do
    case "$n" in ''|*[!0-9]*|0) echo "--runs, --apps and --instances need positive numbers" >&2; exit 2 ;; esac
done
case "$MODE" in put) MODES=(put) ;; post) MODES=(post) ;; both) MODES=(put post) ;;
    *) echo "--mode must be put, post or both" >&2; exit 2 ;; esac
[ -x "$BINARY" ] || { echo "no clusterbox binary at $BINARY (build one, or pass its path / set CLUSTERBOX)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "needs python3 (free ports, event timestamps)" >&2; exit 2; }
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
TOTAL=$(( APPS * INSTANCES ))

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clusterbox-marathon-deploy.XXXXXX")
. "$HERE/marathon-lib.sh"
trap marathon_cleanup EXIT
trap 'exit 130' INT TERM

# The apps: one JSON file each, and all of them as one array.
for i in $(seq 0 $(( APPS - 1 ))); do
    printf '{"id":"/bench/app-%d","cmd":"sleep 1000","cpus":0.1,"mem":16,"instances":%d}' "$i" "$INSTANCES" \
        >"$WORK/app-$i.json"
done
{ printf '['; for i in $(seq 0 $(( APPS - 1 ))); do [ "$i" -gt 0 ] && printf ','; cat "$WORK/app-$i.json"; done
  printf ']'; } >"$WORK/apps.json"
# One curl, all POSTs at once: each transfer's arguments after a --next.
post_all() {
    local args=(-s --parallel --parallel-immediate --parallel-max "$APPS") i
    for i in $(seq 0 $(( APPS - 1 ))); do
        [ "$i" -gt 0 ] && args+=(--next)
        args+=(-s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' -X POST
            --data-binary "@$WORK/app-$i.json" "http://127.0.0.1:$MARATHON_PORT/v2/apps")
    done
    curl "${args[@]}" 2>>"$WORK/curl.err"
}

# Milliseconds from T0 (ns) to the last and to the first TASK_RUNNING in the event file, and how many distinct
# tasks ran.
last_running_ms() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
from datetime import datetime, timezone
path, t0 = sys.argv[1], int(sys.argv[2])
first, last, tasks = None, None, set()
for line in open(path, encoding="utf-8", errors="replace"):
    if not line.startswith("data: "):
        continue
    try:
        event = json.loads(line[6:])
    except ValueError:
        continue
    if event.get("taskStatus") != "TASK_RUNNING":
        continue
    tasks.add(event.get("taskId"))
    at = datetime.strptime(event["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    ms = at.timestamp() * 1000
    last = ms if last is None or ms > last else last
    first = ms if first is None or ms < first else first
if last is None:
    print("-", "-", 0)
else:
    print("%.0f" % (last - t0 / 1e6), "%.0f" % (first - t0 / 1e6), len(tasks))
EOF
}

running_count() {
    curl -s --max-time 10 "http://127.0.0.1:$MARATHON_PORT/v2/tasks?status=running" | python3 -c \
        'import json, sys; print(len(json.load(sys.stdin)["tasks"]))' 2>/dev/null || echo 0
}

echo "clusterbox: $BINARY"
case "$BINARY" in */debug/*) echo "  (a debug build: not release figures)" ;; esac
echo "$APPS apps x $INSTANCES instances = $TOTAL tasks on 200 simulated agents; $RUNS runs per mode"
declare -A EVENT_MS SEEN_MS ACCEPT_MS FIRST_MS
FAILED=0
for mode in "${MODES[@]}"; do
    EVENT_MS[$mode]=""
    SEEN_MS[$mode]=""
    ACCEPT_MS[$mode]=""
    FIRST_MS[$mode]=""
    for run in $(seq 1 "$RUNS"); do
        dir="$WORK/$mode-$run"
        start_cluster "$dir" --agents 0 --simulated 200 || { FAILED=1; end_cluster "$dir"; continue; }
        events="$WORK/$mode-$run.events"
        start_listener "$events" || { FAILED=1; end_cluster "$dir"; continue; }
        t0=$(now_ns)
        if [ "$mode" = put ]; then
            codes=$(curl -s -o "$WORK/put.out" -w '%{http_code}\n' -X PUT -H 'Content-Type: application/json' \
                --data-binary "@$WORK/apps.json" "http://127.0.0.1:$MARATHON_PORT/v2/apps")
        else
            codes=$(post_all)
        fi
        accepted=$(( ($(now_ns) - t0) / 1000000 ))
        bad=$(echo "$codes" | grep -cvE '^20[01]$')
        if [ "$bad" -ne 0 ]; then
            echo "  $mode run $run: $bad requests failed (codes: $(echo "$codes" | sort | uniq -c | tr -s ' \n' ' '))" >&2
            [ -f "$WORK/put.out" ] && head -c 400 "$WORK/put.out" >&2 && echo >&2
            FAILED=1
        fi
        seen=""
        deadline=$(( t0 + 60000000000 ))
        while [ "$(now_ns)" -lt "$deadline" ]; do
            if [ "$(grep -c '"taskStatus":"TASK_RUNNING"' "$events")" -ge "$TOTAL" ]; then
                seen=$(( ($(now_ns) - t0) / 1000000 ))
                break
            fi
            sleep 0.01
        done
        read -r event_ms first_ms distinct < <(last_running_ms "$events" "$t0")
        count=$(running_count)
        end_listener
        if [ -z "$seen" ] || [ "$distinct" -lt "$TOTAL" ] || [ "$count" -lt "$TOTAL" ]; then
            echo "  $mode run $run: only $distinct tasks reached TASK_RUNNING within 60 s ($count listed running)" >&2
            FAILED=1
        else
            printf "  %-4s run %d: all %d running after %5s ms (last TASK_RUNNING event); seen at %5s ms; " \
                "$mode" "$run" "$TOTAL" "$event_ms" "$seen"
            printf "first running at %s ms; request(s) answered after %s ms\n" "$first_ms" "$accepted"
            EVENT_MS[$mode]+="$event_ms "
            SEEN_MS[$mode]+="$seen "
            ACCEPT_MS[$mode]+="$accepted "
            FIRST_MS[$mode]+="$first_ms "
        fi
        end_cluster "$dir"
    done
done

echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-44s | %12s | %12s\n" "deploy $APPS apps x $INSTANCES instances" "median (ms)" "min (ms)"
printf "%-44s-+-%12s-+-%12s\n" "--------------------------------------------" "------------" "------------"
for mode in "${MODES[@]}"; do
    [ -n "${EVENT_MS[$mode]}" ] || continue
    label=$([ "$mode" = put ] && echo "one PUT /v2/apps (array)" || echo "$APPS concurrent POST /v2/apps")
    printf "%-44s | %12s | %12s\n" "$label: all running" \
        "$(printf '%s\n' ${EVENT_MS[$mode]} | percentile 50)" "$(printf '%s\n' ${EVENT_MS[$mode]} | minimum)"
    printf "%-44s | %12s | %12s\n" "  ... seen by the script" \
        "$(printf '%s\n' ${SEEN_MS[$mode]} | percentile 50)" "$(printf '%s\n' ${SEEN_MS[$mode]} | minimum)"
    printf "%-44s | %12s | %12s\n" "  ... first task running" \
        "$(printf '%s\n' ${FIRST_MS[$mode]} | percentile 50)" "$(printf '%s\n' ${FIRST_MS[$mode]} | minimum)"
    printf "%-44s | %12s | %12s\n" "  ... request(s) answered" \
        "$(printf '%s\n' ${ACCEPT_MS[$mode]} | percentile 50)" "$(printf '%s\n' ${ACCEPT_MS[$mode]} | minimum)"
done
echo "target: all running within 2,000 ms. Peer: Marathon is not installable here (no measured ratio)."
exit "$FAILED"

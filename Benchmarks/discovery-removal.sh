#!/usr/bin/env bash
# Time from a task's death to its removal from DNS and from the load balancer, whole system.
#
# A cluster of 3 process agents (`clusterbox up --agents 3`, private data dir, free master/Marathon ports), DNS
# on DNS_ADDRESS:53 (default 127.97.0.10) and VIPs from its /16, so nothing collides with a default cluster
# (127.96.x.y). One Marathon app, /bench/removal: 3 instances of `python3 -m http.server`, an HTTP health
# check every second, VIP `/removal:8080`. Each run:
#   - waits until the VIP has 3 current backends and the SRV name _removal-bench._tcp.marathon.mesos 3 records;
#   - picks the first backend, reads its task's pid from the sandbox checkpoint (`<data-dir>/sandboxes/<agent>/
#     <framework>/<task id>/.clusterbox-pid`, "<pid> <start time>") and SIGKILLs it if /proc/<pid>/stat still
#     shows that start time (a recycled pid is never hit);
#   - from just before the kill, polls in two threads as fast as they go, until each sees the task gone:
#       (a) DNS: the SRV query over UDP (dnspython), until no record has the task's port;
#       (b) load balancer: GET /discovery/v1/services (one keep-alive connection), until the task is no longer a
#           current backend of the VIP (a removed backend stays listed, not current, while it drains);
#   - reads the daemon's timestamp of the task's TASK_FAILED on Marathon's /v2/events, to split the time into the
#     agent noticing the death and discovery acting on it;
#   - resets the app's launch delay (`DELETE /v2/queue/{app}/delay`), so Marathon replaces the task at once.
# Prints each run, then p50, p99 (nearest rank: with 20 runs the slowest) and max.
#
# The peer is not measured: Mesos-DNS polls the master's state every 60 s by default (`refreshSeconds`), so a dead
# task stays in its answers for up to 60 s (30 s on average), plus the TTL clients cache (Mesos-DNS: 60 s).
#
# Usage: Benchmarks/discovery-removal.sh [--runs N] [--dns-address A] [CLUSTERBOX_BINARY]
#   CLUSTERBOX_BINARY   default: $CLUSTERBOX, else .build/release/clusterbox under the repository
#   --runs N            kills (default 20)
#   --dns-address A     clusterbox's DNS address (default 127.97.0.10; VIPs from its /16)
#
# needs: dnspython (python3-dnspython, or PYTHON=a python that has it), curl, python3, ss (iproute2); root (DNS
# on port 53). Only loopback addresses; temp dirs removed; the cluster is stopped with `clusterbox down` (which
# stops its tasks); only processes this script started (and the task processes it kills, checked as above) are
# signalled, by pid; every wait is bounded (10 s per removal, 60 s for 3 ready backends).
set -u -o pipefail

RUNS=20
DNS_ADDRESS=127.97.0.10
HERE=$(cd "$(dirname "$0")" && pwd)
BINARY=${CLUSTERBOX:-$HERE/../.build/release/clusterbox}
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --dns-address) DNS_ADDRESS=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) BINARY=$1; shift ;;
    esac
done
case "$RUNS" in ''|*[!0-9]*|0) echo "--runs needs a positive number" >&2; exit 2 ;; esac
[ "$RUNS" -le 200 ] || { echo "--runs must be at most 200" >&2; exit 2; }
VIP_RANGE="$(echo "$DNS_ADDRESS" | cut -d. -f1-2).0.0/16"
[ -x "$BINARY" ] || { echo "no clusterbox binary at $BINARY (build one, or pass its path / set CLUSTERBOX)" >&2; exit 2; }
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
[ "$(id -u)" = 0 ] || { echo "needs root: the cluster DNS listens on port 53" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clusterbox-removal.XXXXXX")
. "$HERE/marathon-lib.sh"
. "$HERE/discovery-lib.sh"
trap discovery_cleanup EXIT
trap 'exit 130' INT TERM
need_tools "removal benchmark" curl python3 ss
need_dnspython
need_free_address "$DNS_ADDRESS" 53 "clusterbox DNS"

APP=/bench/removal
DIR="$WORK/cluster"
EVENTS="$WORK/events"

# The pid of a task's process, from its sandbox checkpoint, with its start time: "<pid> <start>".
task_pid() {
    local checkpoint pid start stat
    for checkpoint in "$DIR"/sandboxes/*/*/"$1"/.clusterbox-pid; do
        [ -f "$checkpoint" ] || continue
        read -r pid start <"$checkpoint" || continue
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
        [ "$(echo "${stat##*) }" | awk '{ print $20 }')" = "$start" ] && { echo "$pid $start"; return 0; }
    done
    return 1
}

# Kills PID (if its start time is still START) and times its task's removal; prints "<dns ms> <lb ms>
# <wall-clock ns at the kill>".
cat >"$WORK/removal.py" <<'EOF'
import http.client, json, os, signal, sys, threading, time
import dns.message, dns.query, dns.rdatatype

server, srv_name, port, master_port, task_id, pid, start = sys.argv[1:8]
port, master_port, pid = int(port), int(master_port), int(pid)
query = dns.message.make_query(srv_name, dns.rdatatype.SRV, use_edns=0, payload=4096)
DEADLINE_S = 10.0

def in_dns():
    reply = dns.query.udp(query, server, port=53, timeout=1.0)
    return any(r.port == port for rrset in reply.answer if rrset.rdtype == dns.rdatatype.SRV for r in rrset)

connection = http.client.HTTPConnection("127.0.0.1", master_port, timeout=2)
def in_balancer():
    connection.request("GET", "/discovery/v1/services")
    view = json.loads(connection.getresponse().read())
    return any(b["task_id"] == task_id and b["current"] for s in view["services"] for b in s["backends"])

if not (in_dns() and in_balancer()):
    sys.exit("the task is not in DNS and the load balancer before the kill")
with open("/proc/%d/stat" % pid) as stat:
    if stat.read().rsplit(") ", 1)[1].split()[19] != start:
        sys.exit("pid %d is another process now" % pid)
results = {}
def poll(name, present, t0):
    while time.monotonic_ns() - t0 < DEADLINE_S * 1e9:
        try:
            if not present():
                results[name] = (time.monotonic_ns() - t0) / 1e6
                return
        except Exception:
            time.sleep(0.001)
wall = time.time_ns()
t0 = time.monotonic_ns()
os.kill(pid, signal.SIGKILL)
threads = [threading.Thread(target=poll, args=(n, f, t0)) for n, f in (("dns", in_dns), ("lb", in_balancer))]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("%s %s %d" % ("%.1f" % results["dns"] if "dns" in results else "-",
                    "%.1f" % results["lb"] if "lb" in results else "-", wall))
EOF

# Milliseconds from the kill (wall-clock ns) to TASK's first terminal status_update_event, by its timestamp.
terminal_ms() {
    python3 - "$EVENTS" "$1" "$2" <<'EOF'
import json, sys
from datetime import datetime, timezone
path, task, wall = sys.argv[1], sys.argv[2], int(sys.argv[3])
for line in open(path, encoding="utf-8", errors="replace"):
    if not line.startswith("data: "):
        continue
    try:
        event = json.loads(line[6:])
    except ValueError:
        continue
    if event.get("taskId") == task and event.get("taskStatus") in ("TASK_FAILED", "TASK_KILLED", "TASK_LOST"):
        at = datetime.strptime(event["timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
        print("%.0f" % (at.timestamp() * 1000 - wall / 1e6))
        break
else:
    print("-")
EOF
}

echo "clusterbox: $BINARY"
case "$BINARY" in */debug/*) echo "  (a debug build: not release figures)" ;; esac
start_discovery_cluster "$DIR" || exit 1
start_listener "$EVENTS" || exit 1
post_app "{\"id\":\"$APP\",\"cmd\":\"exec python3 -m http.server --bind 127.0.0.1 \$PORT0\",\"cpus\":0.1,\"mem\":32,\"instances\":3,
  \"portDefinitions\":[{\"port\":0,\"name\":\"http\",\"labels\":{\"VIP_0\":\"/removal:8080\"}}],
  \"healthChecks\":[{\"protocol\":\"HTTP\",\"path\":\"/\",\"portIndex\":0,\"gracePeriodSeconds\":10,
                     \"intervalSeconds\":1,\"timeoutSeconds\":2,\"maxConsecutiveFailures\":3}]}"
SRV_NAME=""
DNS_MS=()
LB_MS=()
STATUS_MS=()
FAILED=0
for run in $(seq 1 "$RUNS"); do
    code=$(api -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$MARATHON_PORT/v2/queue$APP/delay")
    [ "$code" = 204 ] || [ "$code" = 200 ] || [ "$code" = 404 ] || echo "  reset delay answered $code" >&2
    if ! wait_discovery 60 "$(service_has /removal 3) and len([t for t in view['tasks'] if t['ready']]) == 3" \
        >"$WORK/view.json"; then
        echo "  run $run: the VIP did not have 3 ready backends within 60 s" >&2
        FAILED=1
        break
    fi
    read -r victim port srv < <(python3 -c '
import json, sys
view = json.load(open(sys.argv[1]))
b = next(b for s in view["services"] if s["name"] == "/removal" for b in s["backends"] if b["current"])
t = next(t for t in view["tasks"] if t["task_id"] == b["task_id"])
print(b["task_id"], b["port"], t["ports"][0]["srv"][0])' "$WORK/view.json")
    SRV_NAME=$srv
    # The SRV answer must list all 3 before the kill (DNS and the VIP are published in the same batch).
    for _ in $(seq 1 100); do
        [ "$("$PYTHON" -c '
import sys, dns.message, dns.query
q = dns.message.make_query(sys.argv[2], "SRV", use_edns=0, payload=4096)
print(sum(len(r) for r in dns.query.udp(q, sys.argv[1], port=53, timeout=1).answer))' "$DNS_ADDRESS" "$srv")" = 3 ] && break
        sleep 0.05
    done
    read -r pid start < <(task_pid "$victim") || { echo "  run $run: no live process for $victim" >&2; FAILED=1; break; }
    out=$("$PYTHON" "$WORK/removal.py" "$DNS_ADDRESS" "$srv" "$port" "$MASTER_PORT" "$victim" "$pid" "$start" 2>&1)
    read -r dns_ms lb_ms wall <<<"$out"
    if [ "$dns_ms" = - ] || [ "$lb_ms" = - ] || [ -z "${wall:-}" ]; then
        echo "  run $run: $victim not removed within 10 s (dns $dns_ms, lb $lb_ms): $out" >&2
        FAILED=1
        break
    fi
    status_ms=""
    for _ in $(seq 1 100); do
        status_ms=$(terminal_ms "$victim" "$wall")
        [ "$status_ms" != - ] && break
        sleep 0.02
    done
    printf "  run %2d: killed pid %-7s (port %s): gone from DNS after %6s ms, from the VIP after %6s ms;" \
        "$run" "$pid" "$port" "$dns_ms" "$lb_ms"
    printf " TASK_FAILED stamped at %s ms\n" "$status_ms"
    DNS_MS+=("$dns_ms")
    LB_MS+=("$lb_ms")
    [ "$status_ms" != - ] && STATUS_MS+=("$status_ms")
done
end_listener

stats() { printf '%s\n' "$@" | percentile 50; printf ' '; printf '%s\n' "$@" | percentile 99; printf ' '
    printf '%s\n' "$@" | percentile 100; }
echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), ${#DNS_MS[@]} kills"
if [ ${#DNS_MS[@]} -gt 0 ]; then
    printf "%-52s | %8s | %8s | %8s\n" "SIGKILL of a backend's process to ..." "p50 (ms)" "p99 (ms)" "max (ms)"
    printf "%-52s-+-%8s-+-%8s-+-%8s\n" "----------------------------------------------------" -------- -------- --------
    for row in "its port gone from the SRV answer (DNS)|DNS_MS" "not a current VIP backend (load balancer)|LB_MS" \
        "the TASK_FAILED event's timestamp (agent saw it)|STATUS_MS"; do
        label=${row%|*}
        declare -n values=${row#*|}
        [ ${#values[@]} -gt 0 ] || continue
        read -r p50 p99 max <<<"$(stats "${values[@]}")"
        printf "%-52s | %8s | %8s | %8s\n" "$label" "$p50" "$p99" "$max"
    done
fi
echo "SRV name: $SRV_NAME; target: <= 100 ms. Peer (not measured): Mesos-DNS refreshes every 60 s by default."
end_cluster "$DIR"
exit "$FAILED"

#!/usr/bin/env bash
# Load balancer throughput and added latency: wrk through a clusterbox virtual IP, through HAProxy in front of
# the same 3 backends, and directly against one backend, in one run.
#
#   1. A cluster of 3 process agents (`clusterbox up --agents 3`, private data dir, free master/Marathon ports),
#      DNS on DNS_ADDRESS:53 (default 127.97.0.10) and VIPs from its /16, so nothing collides with a default
#      cluster (127.96.x.y). One Marathon app, /bench/nginx: 3 instances of nginx, each with a config generated in
#      its sandbox (listen 127.0.0.1:$PORT0, `daemon off`, `master_process off`, worker_processes 1, no access
#      log, keep-alive for up to 1,000,000 requests, `return 200 "ok\n"`: 158-octet responses; pid, error log and
#      temp paths in the sandbox), an HTTP health check on /, and VIP `/nginx:8080` on its port.
#   2. HAProxy on PEER_ADDRESS:8080 (default 127.98.0.80): `mode tcp`, `balance roundrobin`, the same 3
#      host:ports read from /discovery/v1/services, default threads (one per core), no logging.
#   3. wrk against each of: one backend directly, the VIP, HAProxy; in three modes, alternating targets, RUNS
#      times each:
#        keep-alive  wrk -t2 -c32 -d{S}s --latency                            (long connections)
#        close       wrk -t2 -c32 -d{S}s --latency -H "Connection: close"     (a connection per request)
#        1 conn      wrk -t1 -c1  -d{S}s --latency                            (no queueing: the bare added latency)
#      Printed per mode and target: median requests/s, median p50 and p99 latency, errors; then the ratio
#      clusterbox/HAProxy (requests/s) and the added p99 (LB p99 - direct p99).
#
# The machine has 2 cores, shared by wrk, the load balancer under test and nginx: the figures are relative,
# and "direct" is one nginx while the balancers spread over three.
#
# Usage: Benchmarks/lb.sh [--runs N] [--seconds S] [--dns-address A] [--peer-address A] [CLUSTERBOX_BINARY]
#   CLUSTERBOX_BINARY   default: $CLUSTERBOX, else .build/release/clusterbox under the repository
#   --runs N            runs per mode and target (default 3); --seconds S: each run's length (default 10)
#   --dns-address A     clusterbox's DNS address (default 127.97.0.10; VIPs from its /16)
#   --peer-address A    HAProxy's address (default 127.98.0.80)
#
# needs: wrk, haproxy, nginx (nginx-light), curl, python3, ss (iproute2); root (DNS on port 53).
# Only loopback addresses; temp dirs removed; the cluster is stopped with `clusterbox down` (which stops the
# nginx tasks); only processes this script started are stopped, by pid; every wait is bounded.
set -u -o pipefail

RUNS=3
SECONDS_PER_RUN=10
DNS_ADDRESS=127.97.0.10
PEER_ADDRESS=127.98.0.80
HERE=$(cd "$(dirname "$0")" && pwd)
BINARY=${CLUSTERBOX:-$HERE/../.build/release/clusterbox}
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --seconds) SECONDS_PER_RUN=$2; shift 2 ;;
        --dns-address) DNS_ADDRESS=$2; shift 2 ;;
        --peer-address) PEER_ADDRESS=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) BINARY=$1; shift ;;
    esac
done
for n in "$RUNS" "$SECONDS_PER_RUN"; do
    case "$n" in ''|*[!0-9]*|0) echo "--runs and --seconds need positive numbers" >&2; exit 2 ;; esac
done
VIP_RANGE="$(echo "$DNS_ADDRESS" | cut -d. -f1-2).0.0/16"
[ -x "$BINARY" ] || { echo "no clusterbox binary at $BINARY (build one, or pass its path / set CLUSTERBOX)" >&2; exit 2; }
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
[ "$(id -u)" = 0 ] || { echo "needs root: the cluster DNS listens on port 53" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clusterbox-lb.XXXXXX")
. "$HERE/marathon-lib.sh"
. "$HERE/discovery-lib.sh"
trap discovery_cleanup EXIT
trap 'exit 130' INT TERM
need_tools "load balancer benchmark" wrk haproxy nginx curl python3 ss
need_free_address "$DNS_ADDRESS" 53 "clusterbox DNS"
need_free_address "$PEER_ADDRESS" 8080 "haproxy"
NGINX=$(command -v nginx)

# The task: writes its nginx config into the sandbox and becomes nginx (one process, so the task's pid is it).
cat >"$WORK/nginx-task.sh" <<EOF
#!/bin/sh
set -e
dir=\${MESOS_SANDBOX:-\$PWD}
mkdir -p "\$dir/nginx-temp"
cat >"\$dir/nginx.conf" <<CONF
daemon off;
master_process off;
worker_processes 1;
pid \$dir/nginx.pid;
error_log \$dir/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    default_type text/plain;
    client_body_temp_path \$dir/nginx-temp/body;
    proxy_temp_path \$dir/nginx-temp/proxy;
    fastcgi_temp_path \$dir/nginx-temp/fastcgi;
    uwsgi_temp_path \$dir/nginx-temp/uwsgi;
    scgi_temp_path \$dir/nginx-temp/scgi;
    server {
        listen 127.0.0.1:\$PORT0;
        location / { return 200 "ok\\\\n"; }
    }
}
CONF
exec $NGINX -p "\$dir/" -c "\$dir/nginx.conf" -e "\$dir/nginx-error.log"
EOF

DIR="$WORK/cluster"
echo "clusterbox: $BINARY"
case "$BINARY" in */debug/*) echo "  (a debug build: not release figures)" ;; esac
start_discovery_cluster "$DIR" || exit 1
post_app "{\"id\":\"/bench/nginx\",\"cmd\":\"sh $WORK/nginx-task.sh\",\"cpus\":0.2,\"mem\":32,\"instances\":3,
  \"portDefinitions\":[{\"port\":0,\"name\":\"http\",\"labels\":{\"VIP_0\":\"/nginx:8080\"}}],
  \"healthChecks\":[{\"protocol\":\"HTTP\",\"path\":\"/\",\"portIndex\":0,\"gracePeriodSeconds\":10,
                     \"intervalSeconds\":1,\"timeoutSeconds\":2,\"maxConsecutiveFailures\":3}]}"
wait_discovery 60 "$(service_has /nginx 3)" >"$WORK/view.json" ||
    { echo "the VIP /nginx did not get 3 healthy backends within 60 s" >&2; exit 1; }
read -r VIP VIP_PORT < <(python3 -c '
import json, sys
s = next(s for s in json.load(open(sys.argv[1]))["services"] if s["name"] == "/nginx")
print(s["vip"].split(":")[0], s["port"])' "$WORK/view.json")
mapfile -t BACKENDS < <(python3 -c '
import json, sys
s = next(s for s in json.load(open(sys.argv[1]))["services"] if s["name"] == "/nginx")
for b in s["backends"]:
    if b["current"]:
        print("%s:%d" % (b["address"], b["port"]))' "$WORK/view.json")
echo "VIP $VIP:$VIP_PORT -> ${BACKENDS[*]}"

{
    printf 'global\n    maxconn 4096\n'
    printf 'defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 30s\n    timeout server 30s\n'
    printf 'frontend bench\n    bind %s:8080\n    default_backend nginx\n' "$PEER_ADDRESS"
    printf 'backend nginx\n    balance roundrobin\n'
    for i in "${!BACKENDS[@]}"; do printf '    server n%d %s\n' "$i" "${BACKENDS[$i]}"; done
} >"$WORK/haproxy.cfg"
haproxy -c -q -f "$WORK/haproxy.cfg" || { echo "haproxy refused its config" >&2; exit 1; }
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.out" 2>&1 &
HAPROXY_PID=$!
PEER_PIDS+=("$HAPROXY_PID")
DAEMON_PID=$(daemon_pids_for "$DIR" | head -1)
[ -n "$DAEMON_PID" ] || { echo "cannot find the daemon's pid" >&2; exit 1; }
declare -A PID_OF=([clusterbox]=$DAEMON_PID [haproxy]=$HAPROXY_PID)

declare -A URL=([direct]="http://${BACKENDS[0]}/" [clusterbox]="http://$VIP:$VIP_PORT/"
    [haproxy]="http://$PEER_ADDRESS:8080/")
TARGETS=(direct clusterbox haproxy)
for target in "${TARGETS[@]}"; do
    body=""
    for _ in $(seq 1 50); do body=$(curl -s --max-time 2 "${URL[$target]}") && [ "$body" = ok ] && break; sleep 0.1; done
    if [ "$body" != ok ]; then
        echo "$target (${URL[$target]}) does not answer 'ok'" >&2
        [ "$target" = haproxy ] && tail -5 "$WORK/haproxy.out" >&2
        exit 1
    fi
done

# wrk's latency (e.g. 350.12us, 1.20ms, 2.00s) in ms.
to_ms() { awk '{ v = $1 + 0; if ($1 ~ /us$/) v /= 1000; else if ($1 ~ /ms$/) v += 0; else if ($1 ~ /s$/) v *= 1000; printf "%.3f", v }'; }

declare -A RPS P50 P99 ERRORS CPU
MODES=(keep-alive close one-connection)
# run_wrk MODE TARGET: one run; appends its figures.
run_wrk() {
    local mode=$1 target=$2 out="$WORK/wrk.out" key="$1/$2" rps p50 p99 errors args before after cpu=-
    case "$mode" in
        keep-alive) args=(-t2 -c32) ;;
        close) args=(-t2 -c32 -H "Connection: close") ;;
        one-connection) args=(-t1 -c1) ;;
    esac
    [ -n "${PID_OF[$target]:-}" ] && before=$(cpu_seconds "${PID_OF[$target]}")
    wrk "${args[@]}" -d"${SECONDS_PER_RUN}s" --timeout 5s --latency "${URL[$target]}" >"$out" 2>&1
    if [ -n "${PID_OF[$target]:-}" ]; then
        after=$(cpu_seconds "${PID_OF[$target]}")
        cpu=$(awk -v b="$before" -v a="$after" '/requests in/ { printf "%.1f", (a - b) * 1000000 / $1 }' "$out")
        CPU[$key]+="$cpu "
    fi
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
    if [ -z "$rps" ]; then
        echo "  wrk $mode against $target failed:" >&2
        tail -5 "$out" >&2
        return 1
    fi
    p50=$(awk '$1 == "50%" { print $2 }' "$out" | to_ms)
    p99=$(awk '$1 == "99%" { print $2 }' "$out" | to_ms)
    errors=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 } /Non-2xx/ { print $5 }' "$out" |
        awk '{ s += $1 } END { print s + 0 }')
    RPS[$key]+="$rps "
    P50[$key]+="$p50 "
    P99[$key]+="$p99 "
    ERRORS[$key]=$(( ${ERRORS[$key]:-0} + errors ))
    printf "  %-14s %-10s run %d: %8s requests/s, p50 %7s ms, p99 %7s ms, errors %s, LB CPU %s us/request\n" \
        "$mode" "$target" "$run" "$rps" "$p50" "$p99" "$errors" "$cpu"
}

FAILED=0
for mode in "${MODES[@]}"; do
    for run in $(seq 1 "$RUNS"); do
        for target in "${TARGETS[@]}"; do run_wrk "$mode" "$target" || FAILED=1; done
    done
done

# Round robin, as the VIP's counters saw it.
discovery_json | python3 -c '
import json, sys
s = next(s for s in json.load(sys.stdin)["services"] if s["name"] == "/nginx")
print("VIP connections per backend:", ", ".join("%s:%d %d" % (b["address"], b["port"], b["connections_total"])
      for b in s["backends"]), "; connect errors:", sum(b["connect_errors"] for b in s["backends"]))'

med() { [ -n "$1" ] || { echo -; return; }; printf '%s\n' $1 | median; }
echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores shared by wrk, the LB and nginx, load" \
    "$(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs of ${SECONDS_PER_RUN} s per mode and target (medians)"
printf "%-14s | %-10s | %10s | %8s | %8s | %12s | %6s | %10s\n" mode target "requests/s" "p50 ms" "p99 ms" \
    "added p99 ms" errors "CPU us/req"
printf "%-14s-+-%-10s-+-%10s-+-%8s-+-%8s-+-%12s-+-%6s-+-%10s\n" -------------- ---------- ---------- -------- -------- \
    ------------ ------ ----------
for mode in "${MODES[@]}"; do
    for target in "${TARGETS[@]}"; do
        key="$mode/$target"
        [ -n "${RPS[$key]:-}" ] || continue
        added="-"
        if [ "$target" != direct ] && [ -n "${P99[$mode/direct]:-}" ]; then
            added=$(awk -v a="$(med "${P99[$key]}")" -v d="$(med "${P99[$mode/direct]}")" 'BEGIN { printf "%.3f", a - d }')
        fi
        printf "%-14s | %-10s | %10s | %8s | %8s | %12s | %6s | %10s\n" "$mode" "$target" "$(med "${RPS[$key]}")" \
            "$(med "${P50[$key]}")" "$(med "${P99[$key]}")" "$added" "${ERRORS[$key]}" "$(med "${CPU[$key]:-}")"
    done
    if [ -n "${RPS[$mode/clusterbox]:-}" ] && [ -n "${RPS[$mode/haproxy]:-}" ]; then
        echo "  $mode: clusterbox / haproxy requests/s = $(awk -v c="$(med "${RPS[$mode/clusterbox]}")" \
            -v h="$(med "${RPS[$mode/haproxy]}")" 'BEGIN { printf "%.2f", c / h }')x"
    fi
done
echo "targets: clusterbox >= 0.8x HAProxy's requests/s; added p99 (VIP p99 - direct p99) <= 1 ms."
echo "CPU us/req: the balancer process's user+system time per request (the daemon's includes its other work)."
exit "$FAILED"

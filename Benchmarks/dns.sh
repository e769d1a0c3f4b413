#!/usr/bin/env bash
# Cluster DNS throughput, side by side with dnsmasq serving the same records, in one run.
#
#   1. A cluster of 3 process agents (`clusterbox up --agents 3`, private data dir, free master/Marathon ports),
#      its DNS server on DNS_ADDRESS:53 (default 127.97.0.10, VIPs from 127.97.0.0/16: a default cluster uses
#      127.96.x.y), no forwarding. Two Marathon apps: /bench/sleeper, 30 x `sleep 1000` with one port named
#      "http" (30 A names, 2 SRV names of 30 records each), and /bench/web, 2 x `sleep 1000` with VIP
#      `/web:8080` (the name web.marathon.l4lb.thisdcos.directory).
#   2. The records are read back from clusterbox with dig (every A and SRV name that /discovery/v1/services
#      lists, and every SRV target), and dnsmasq is started on PEER_ADDRESS:53 (default 127.98.0.53) with the same
#      records: `host-record` (A), `srv-host` (SRV, dnsmasq adds the targets' A records as clusterbox does),
#      `local=/mesos/` and `local=/l4lb.thisdcos.directory/` (NXDOMAIN for other names there), no upstream, no
#      /etc/hosts, TTL 5 s, EDNS replies up to 4096 octets. Every distinct query of the mix is asked of both with
#      dig, and the answers (rcode and records, TTLs aside) must be the same.
#   3. dnsperf with the same query file and settings against each, alternating, RUNS times each:
#      `dnsperf -e -c 4 -q 100 -l SECONDS` over UDP, no -Q (as fast as 100 outstanding queries allow). Printed
#      per server: median queries/s, average and maximum latency, response sizes, and CPU the server used per
#      1,000 queries; then the ratio clusterbox/dnsmasq.
#
# The query mix (1,000 lines, fixed seed, dnsperf loops over it):
#   40% A of task names (sleeper-bench.marathon.mesos, web-bench…, and the 32 SRV target names TASK-HASH-AGENT),
#   20% SRV (_sleeper-bench._tcp and _http._sleeper-bench._tcp: 30 records and 30 additional A records each;
#       _web-bench._tcp: 2), 20% A of the VIP name, 20% NXDOMAIN (missing-N.marathon.mesos, N < 100).
# NXDOMAIN differs in one way: clusterbox puts its SOA in the authority section (RFC 2308), dnsmasq's `local=`
# answers carry none; positive answers are the same octets but for order and name compression.
#
# Usage: Benchmarks/dns.sh [--runs N] [--seconds S] [--dns-address A] [--peer-address A] [CLUSTERBOX_BINARY]
#   CLUSTERBOX_BINARY   default: $CLUSTERBOX, else .build/release/clusterbox under the repository
#   --runs N            dnsperf runs per server (default 5); --seconds S: each run's length (default 10)
#   --dns-address A     clusterbox's DNS address (default 127.97.0.10; VIPs from its /16)
#   --peer-address A    dnsmasq's address (default 127.98.0.53)
#
# needs: dnsperf, dnsmasq (dnsmasq-base), dig (dnsutils), curl, python3, ss (iproute2); root (port 53).
# The machine has 2 cores: dnsperf takes about one, the server under test the other.
# Only loopback addresses; temp dirs removed; the cluster is stopped with `clusterbox down`; only processes this
# script started are stopped, by pid; every wait is bounded.
set -u -o pipefail

RUNS=5
SECONDS_PER_RUN=10
DNS_ADDRESS=127.97.0.10
PEER_ADDRESS=127.98.0.53
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
[ "$(id -u)" = 0 ] || { echo "needs root: both DNS servers listen on port 53" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clusterbox-dns.XXXXXX")
. "$HERE/marathon-lib.sh"
. "$HERE/discovery-lib.sh"
trap discovery_cleanup EXIT
trap 'exit 130' INT TERM
need_tools "DNS benchmark" dnsperf dnsmasq dig curl python3 ss
need_free_address "$DNS_ADDRESS" 53 "clusterbox DNS"
need_free_address "$PEER_ADDRESS" 53 "dnsmasq"

DIR="$WORK/cluster"
echo "clusterbox: $BINARY"
case "$BINARY" in */debug/*) echo "  (a debug build: not release figures)" ;; esac
start_discovery_cluster "$DIR" || exit 1
post_app '{"id":"/bench/sleeper","cmd":"sleep 1000","cpus":0.05,"mem":8,"instances":30,
  "portDefinitions":[{"port":0,"name":"http"}]}'
post_app '{"id":"/bench/web","cmd":"sleep 1000","cpus":0.05,"mem":8,"instances":2,
  "portDefinitions":[{"port":0,"name":"http","labels":{"VIP_0":"/web:8080"}}]}'
wait_discovery 60 "len([t for t in view['tasks'] if t['ready']]) == 32 and $(service_has /web 2)" >"$WORK/view.json" ||
    { echo "the 32 tasks and the VIP were not all in discovery within 60 s" >&2; exit 1; }
echo "32 tasks ready; DNS at $DNS_ADDRESS:53, dnsmasq at $PEER_ADDRESS:53"

ask() { dig +norecurse +bufsize=4096 +tries=1 +time=2 "@$1" -p 53 "${@:2}"; }

# Names as clusterbox serves them: A names and SRV names from the registry, the VIP name, SRV targets from dig.
python3 - "$WORK/view.json" >"$WORK/names" <<'EOF'
import json, sys
view = json.load(open(sys.argv[1]))
a, srv = set(), set()
for task in view["tasks"]:
    if task.get("dns"):
        a.add(task["dns"])
    for port in task["ports"]:
        srv.update(port["srv"])
for service in view["services"]:
    print("VIP", service["dns"])
for name in sorted(a):
    print("A", name)
for name in sorted(srv):
    print("SRV", name)
EOF
{
    echo "port=53"
    echo "listen-address=$PEER_ADDRESS"
    echo "bind-interfaces"
    printf '%s\n' no-resolv no-hosts no-poll "edns-packet-max=4096" "local-ttl=5" "local=/mesos/" \
        "local=/l4lb.thisdcos.directory/" "log-facility=$WORK/dnsmasq.log"
} >"$WORK/dnsmasq.conf"
while read -r kind name; do
    if [ "$kind" = SRV ]; then
        while read -r priority weight port target; do
            echo "srv-host=${name%.},${target%.},$port,$priority,$weight"
        done < <(ask "$DNS_ADDRESS" +short SRV "$name")
    else
        for address in $(ask "$DNS_ADDRESS" +short A "$name"); do echo "host-record=${name%.},$address"; done
    fi
done <"$WORK/names" >>"$WORK/dnsmasq.conf"
# Each target's A records (the additional section of SRV answers, and A queries in the mix).
mapfile -t TARGETS < <(grep '^srv-host=' "$WORK/dnsmasq.conf" | cut -d, -f2 | sort -u)
for target in "${TARGETS[@]}"; do
    for address in $(ask "$DNS_ADDRESS" +short A "$target"); do echo "host-record=$target,$address"; done
    echo "A $target." >>"$WORK/names"
done >>"$WORK/dnsmasq.conf"
echo "records: $(grep -c '^host-record=' "$WORK/dnsmasq.conf") A, $(grep -c '^srv-host=' "$WORK/dnsmasq.conf") SRV" \
    "($(grep -c '^A ' "$WORK/names") A names, $(grep -c '^SRV ' "$WORK/names") SRV names, 1 VIP name)"

dnsmasq --keep-in-foreground --conf-file="$WORK/dnsmasq.conf" --pid-file="$WORK/dnsmasq.pid" \
    >"$WORK/dnsmasq.out" 2>&1 &
DNSMASQ_PID=$!
PEER_PIDS+=("$DNSMASQ_PID")
for _ in $(seq 1 50); do ask "$PEER_ADDRESS" +short SOA nothing.invalid >/dev/null 2>&1 && break; sleep 0.1; done
kill -0 "$DNSMASQ_PID" 2>/dev/null || { echo "dnsmasq did not start: $(cat "$WORK/dnsmasq.out")" >&2; exit 1; }

# The query file.
python3 - "$WORK/names" >"$WORK/queries" <<'EOF'
import random, sys
a, srv, vip = [], [], []
for line in open(sys.argv[1]):
    kind, name = line.split()
    {"A": a, "SRV": srv, "VIP": vip}[kind].append(name.rstrip("."))
rng = random.Random(1)
for _ in range(1000):
    pick = rng.random()
    if pick < 0.4:
        print(rng.choice(a), "A")
    elif pick < 0.6:
        print(rng.choice(srv), "SRV")
    elif pick < 0.8:
        print(rng.choice(vip), "A")
    else:
        print("missing-%d.marathon.mesos" % rng.randrange(100), "A")
EOF

# Same answers from both: rcode and answer + additional records, TTLs aside, order aside.
answer_of() {
    ask "$1" +nottlid +noall +comments +answer +additional "$3" "$2" |
        awk '/status:/ { sub(/.*status: /, ""); sub(/,.*/, ""); print "status " $0 } /^[^;]/ && NF { print }' | sort
}
DIFFERENT=0
while read -r name type; do
    if ! diff <(answer_of "$DNS_ADDRESS" "$name" "$type") <(answer_of "$PEER_ADDRESS" "$name" "$type") \
        >"$WORK/diff" 2>&1; then
        [ "$DIFFERENT" -lt 3 ] && { echo "  $name $type differs:"; sed 's/^/    /' "$WORK/diff"; }
        DIFFERENT=$(( DIFFERENT + 1 ))
    fi
done < <(sort -u "$WORK/queries")
DISTINCT=$(sort -u "$WORK/queries" | wc -l)
if [ "$DIFFERENT" -ne 0 ]; then
    echo "$DIFFERENT of $DISTINCT distinct queries are answered differently: not the same records" >&2
    exit 1
fi
echo "same answers from both for all $DISTINCT distinct queries of the mix (1,000 queries:" \
    "$(awk '$2 == "SRV" { s++ } /^missing-/ { n++ } /l4lb/ { v++ } END { printf "%d A of tasks, %d SRV, %d VIP A, %d NXDOMAIN", NR - s - n - v, s, v, n }' "$WORK/queries"))"

DAEMON_PID=$(daemon_pids_for "$DIR" | head -1)
[ -n "$DAEMON_PID" ] || { echo "cannot find the daemon's pid" >&2; exit 1; }
declare -A QPS AVG MAX CPU SIZE LOST
# run_dnsperf NAME ADDRESS PID: one run; appends its figures.
run_dnsperf() {
    local name=$1 address=$2 pid=$3 before after out="$WORK/dnsperf.$1" qps
    before=$(cpu_seconds "$pid")
    dnsperf -s "$address" -p 53 -d "$WORK/queries" -e -c 4 -q 100 -l "$SECONDS_PER_RUN" -t 2 >"$out" 2>&1
    after=$(cpu_seconds "$pid")
    qps=$(awk '/Queries per second:/ { printf "%.0f", $4 }' "$out")
    if [ -z "$qps" ]; then
        echo "  dnsperf against $name failed:" >&2
        tail -5 "$out" >&2
        return 1
    fi
    QPS[$name]+="$qps "
    AVG[$name]+="$(awk '/Average Latency/ { printf "%.3f", $4 * 1000 }' "$out") "
    MAX[$name]+="$(awk '/Average Latency/ { gsub(/[()]/, ""); printf "%.3f", $8 * 1000 }' "$out") "
    SIZE[$name]=$(awk '/Average packet size/ { print $7 }' "$out")
    LOST[$name]+="$(awk '/Queries lost:/ { print $3 }' "$out") "
    local completed
    completed=$(awk '/Queries completed:/ { print $3 }' "$out")
    CPU[$name]+="$(awk -v b="$before" -v a="$after" -v n="$completed" 'BEGIN { printf "%.3f", (a - b) * 1000000 / n }') "
    printf "  %-10s run %d: %7s queries/s, latency avg %s ms max %s ms, lost %s, rcodes: %s\n" "$name" "$run" "$qps" \
        "$(awk '/Average Latency/ { printf "%.3f", $4 * 1000 }' "$out")" \
        "$(awk '/Average Latency/ { gsub(/[()]/, ""); printf "%.3f", $8 * 1000 }' "$out")" \
        "$(awk '/Queries lost:/ { print $3 }' "$out")" \
        "$(awk -F': *' '/Response codes:/ { print $2 }' "$out")"
}

echo "dnsperf -e -c 4 -q 100 -l $SECONDS_PER_RUN, $RUNS runs each, alternating"
FAILED=0
for run in $(seq 1 "$RUNS"); do
    run_dnsperf clusterbox "$DNS_ADDRESS" "$DAEMON_PID" || FAILED=1
    run_dnsperf dnsmasq "$PEER_ADDRESS" "$DNSMASQ_PID" || FAILED=1
done
[ -n "${QPS[clusterbox]:-}" ] && [ -n "${QPS[dnsmasq]:-}" ] || { echo "no complete runs" >&2; exit 1; }
med() { printf '%s\n' $1 | median; }
maxof() { printf '%s\n' $1 | sort -n | tail -1; }

echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $RUNS runs of ${SECONDS_PER_RUN} s each"
printf "%-12s | %10s | %13s | %14s | %13s | %11s | %14s\n" server "queries/s" "(min-max)" "avg latency ms" \
    "max latency ms" "reply bytes" "CPU us/query"
printf "%-12s-+-%10s-+-%13s-+-%14s-+-%13s-+-%11s-+-%14s\n" ------------ ---------- ------------- -------------- \
    ------------- ----------- --------------
for name in clusterbox dnsmasq; do
    printf "%-12s | %10s | %13s | %14s | %13s | %11s | %14s\n" "$name" "$(med "${QPS[$name]}" | cut -d. -f1)" \
        "$(printf '%s\n' ${QPS[$name]} | sort -n | head -1)-$(maxof "${QPS[$name]}")" "$(med "${AVG[$name]}")" \
        "$(maxof "${MAX[$name]}")" "${SIZE[$name]}" "$(med "${CPU[$name]}")"
done
RATIO=$(awk -v c="$(med "${QPS[clusterbox]}")" -v d="$(med "${QPS[dnsmasq]}")" 'BEGIN { printf "%.2f", c / d }')
echo "ratio clusterbox / dnsmasq (median queries/s): ${RATIO}x  (target: >= 1.0x)"
echo "latency: median of the runs' averages; max: the largest of any run. CPU: the server process's user+system" \
    "time per answered query, in microseconds (the daemon's includes its other work)."
exit "$FAILED"

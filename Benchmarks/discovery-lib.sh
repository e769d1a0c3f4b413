# Shared by dns.sh, lb.sh and discovery-removal.sh (sourced after marathon-lib.sh, not run): tool checks, the
# peer processes a script starts (dnsmasq, HAProxy), a cluster with service discovery on addresses a default
# cluster never uses, Marathon calls and /discovery/v1/services reads.
#
# The sourcing script sets BINARY, WORK, DNS_ADDRESS and VIP_RANGE, and calls `trap discovery_cleanup EXIT` once.

PEER_PIDS=()  # peers (dnsmasq, haproxy) this script started

# need_tools "what for" CMD…: exits with the Debian packages to install when a command is missing.
need_tools() {
    local why=$1 cmd missing=()
    shift
    for cmd in "$@"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    local packages=() m
    for m in "${missing[@]}"; do
        case "$m" in
            dig) packages+=(dnsutils) ;;
            nginx) packages+=(nginx-light) ;;
            dnsmasq) packages+=(dnsmasq-base) ;;
            *) packages+=("$m") ;;
        esac
    done
    echo "missing: ${missing[*]} ($why); install with: apt-get install -y ${packages[*]}" >&2
    exit 2
}

# A python with dnspython: $PYTHON, the repository's .venv, or python3; sets PYTHON or exits.
need_dnspython() {
    local candidate
    for candidate in "${PYTHON:-}" "$HERE/../.venv/bin/python" python3; do
        [ -n "$candidate" ] || continue
        if "$candidate" -c 'import dns.resolver, dns.message, dns.query' 2>/dev/null; then
            PYTHON=$candidate
            return 0
        fi
    done
    echo "needs dnspython: apt-get install -y python3-dnspython, or point PYTHON at a python that has it" >&2
    exit 2
}

# Exits when anything listens on ADDRESS:PORT over UDP or TCP, or on the wildcard address with that port.
need_free_address() {
    local address=$1 port=$2 what=$3 taken
    taken=$(ss -Hlnut 2>/dev/null | awk -v a="$address:$port" -v w="0.0.0.0:$port" -v s="*:$port" \
        '$5 == a || $5 == w || $5 == s { print $1 " " $5 }')
    if [ -n "$taken" ]; then
        echo "$what: $address:$port is taken ($(echo "$taken" | tr '\n' ' ')); pick another address" >&2
        exit 2
    fi
}

stop_peer() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

discovery_cleanup() {
    local pid
    for pid in "${PEER_PIDS[@]}"; do stop_peer "$pid"; done
    marathon_cleanup
}

# start_discovery_cluster DIR: three process agents with room for dozens of small tasks, DNS on DNS_ADDRESS:53
# without forwarding, VIPs from VIP_RANGE.
start_discovery_cluster() {
    start_cluster "$1" --agents 3 --agent-resources "cpus:8;mem:8192;disk:8192" \
        --dns-address "$DNS_ADDRESS" --dns-port 53 --no-dns-forward --vip-range "$VIP_RANGE"
}

api() { curl -s --max-time 10 "$@"; }

# post_app JSON: POST /v2/apps; exits unless Marathon answers 201.
post_app() {
    local code
    code=$(api -o "$WORK/post.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        --data-binary "$1" "http://127.0.0.1:$MARATHON_PORT/v2/apps")
    [ "$code" = 201 ] || { echo "POST /v2/apps answered $code: $(head -c 300 "$WORK/post.out")" >&2; exit 1; }
}

discovery_json() { api "http://127.0.0.1:$MASTER_PORT/discovery/v1/services"; }

# wait_discovery SECONDS PYTHON-EXPRESSION: polls /discovery/v1/services every 0.1 s until the expression, over
# `view` (the parsed JSON), is true; prints the view's JSON then. Fails after SECONDS.
wait_discovery() {
    local seconds=$1 expression=$2 deadline
    deadline=$(( $(now_ns) + seconds * 1000000000 ))
    while [ "$(now_ns)" -lt "$deadline" ]; do
        if discovery_json >"$WORK/view.poll.json" 2>/dev/null && python3 -c "
import json, sys
view = json.load(open(sys.argv[1]))
sys.exit(0 if ($expression) else 1)" "$WORK/view.poll.json" 2>/dev/null; then
            cat "$WORK/view.poll.json"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

# Python expression: the service NAME lists exactly N current backends.
service_has() {
    echo "any(s['name'] == '$1' and len([b for b in s['backends'] if b['current']]) == $2 for s in view['services'])"
}

# service_field JSON-FILE NAME FIELD: one field of a service (vip, port, dns).
service_field() {
    python3 -c '
import json, sys
view = json.load(open(sys.argv[1]))
print(next(s[sys.argv[3]] for s in view["services"] if s["name"] == sys.argv[2]))' "$@"
}

# CPU seconds (user + system) of a process so far.
cpu_seconds() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
    echo "${stat##*) }" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.3f", ($12 + $13) / hz }'
}

# The median of the numbers on stdin (nearest rank, as `percentile 50`), printed as given.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'; }

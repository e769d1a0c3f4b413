#!/usr/bin/env bash
# The web dashboard, whole system, in headless Chromium: a cluster of 1,000 simulated agents
# (`clusterbox up --agents 0 --simulated 1000`) running 10,000 Marathon tasks (20 apps of 500 instances, 0.1 CPU,
# 16 MiB, no ports: 10 per agent), then `dashboard_bench.py`:
#   first render   navigation start → the page marks itself rendered (`data-rendered`, set in the animation
#                  frame that drew the first snapshot), 5 fresh loads; target ≤ 1 s
#   event→screen   the last app scaled by one, 20 times: the page's own figure (the launch event's time in the master →
#                  its task row in the DOM) and the wall clock from the scale request to the DOM; target ≤ 250 ms
#
# Usage: Benchmarks/dashboard.sh [BINARY] [--agents N] [--instances N] [--samples N] [--loads N]
# BINARY defaults to the release build (.build/release/clusterbox), else the debug one. Needs chromium,
# chromium-driver and selenium in .venv (install.sh installs them). Stops only the cluster it started.
set -euo pipefail
cd "$(dirname "$0")/.."

BINARY=""
AGENTS=1000
INSTANCES=10000
SAMPLES=20
LOADS=5
while [ $# -gt 0 ]; do
    case "$1" in
    --agents) AGENTS=$2; shift 2 ;;
    --instances) INSTANCES=$2; shift 2 ;;
    --samples) SAMPLES=$2; shift 2 ;;
    --loads) LOADS=$2; shift 2 ;;
    -h | --help) sed -n '2,14p' "$0"; exit 0 ;;
    *) BINARY=$1; shift ;;
    esac
done
if [ -z "$BINARY" ]; then
    BINARY=.build/release/clusterbox
    [ -x "$BINARY" ] || BINARY=.build/debug/clusterbox
fi
[ -x "$BINARY" ] || { echo "no clusterbox binary at $BINARY (swift build -c release --product clusterbox)" >&2; exit 1; }
PYTHON=${CLUSTERBOX_PYTHON:-.venv/bin/python}

WORK=$(mktemp -d /tmp/cbx-dashboard.XXXXXX)
# shellcheck source=Benchmarks/marathon-lib.sh
source Benchmarks/marathon-lib.sh
trap marathon_cleanup EXIT

dir=$WORK/cluster
KUBE_PORT=$(free_port)
echo "$INSTANCES tasks on $AGENTS simulated agents ($BINARY)"
start_cluster "$dir" --agents 0 --simulated "$AGENTS" --kube-port "$KUBE_PORT" --dns-port 0 \
    --dns-address 127.151.0.10 --vip-range 127.151.0.0/24 --service-range 127.151.1.0/24
"$PYTHON" Benchmarks/dashboard_bench.py "http://127.0.0.1:$MASTER_PORT" "http://127.0.0.1:$MARATHON_PORT" \
    --instances "$INSTANCES" --agents "$AGENTS" --samples "$SAMPLES" --loads "$LOADS"

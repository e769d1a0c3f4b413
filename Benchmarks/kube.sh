#!/usr/bin/env bash
# The Kubernetes API, whole system: a cluster of 200 simulated agents (`clusterbox up --agents 0 --simulated 200`,
# private data dir, free ports, its kubeconfig in a private HOME), driven by the `kubernetes` Python client
# (Benchmarks/kube_bench.py) and kubectl. Four figures (issue 5):
#   rollout  one ReplicaSet of 1,000 pods (cpu 10m, memory 16Mi, image host, `sleep`): from just before its POST
#            to the moment the client's pod watch (opened before the POST) has seen all 1,000 pods Running; the
#            client's receive time (the server's pod times are to the second). On a fresh cluster per run.
#   watch    a ConfigMap patched N times (default 500, 5 ms apart), each patch carrying the client's send time;
#            another process watches it: event received - patch sent, p50/p99 (run 1, with 1,000 pods running).
#   kubectl  `kubectl get pods` on the 1,000 pods, wall time of the whole command, warm discovery cache (run 1).
#   list     the ReplicaSet scaled to 10,000 (50 pods per agent, within the simulated agents' 8 CPUs, 16 GiB and
#            110 pods), then `GET /api/v1/namespaces/default/pods` as plain JSON, timed in the client over
#            20 keep-alive requests, response size (run 1).
#
# Usage: Benchmarks/kube.sh [--runs N] [--replicas N] [--list-pods N] [--patches N] [--kubectl-runs N]
#                           [--list-runs N] [CLUSTERBOX_BINARY]
#   CLUSTERBOX_BINARY   default: $CLUSTERBOX, else .build/release/clusterbox under the repository
#   --runs N            rollouts, each on a fresh cluster (default 3); the other figures are taken in run 1
#   --replicas N        pods of the rollout (default 1000); --list-pods N pods listed (default 10000, 0: skip)
#   --patches N         ConfigMap patches (default 500); --kubectl-runs N (default 10); --list-runs N (default 20)
#   $PYTHON, $KUBECTL   default: .venv/bin/python and .venv/bin/kubectl under the repository, else from PATH
#
# Only loopback addresses; temp dirs removed; clusters stopped with `clusterbox down`; only processes this script
# started are stopped, by pid; every wait is bounded. No Kubernetes API server can be installed here (Debian has
# etcd-server but no kube-apiserver, kind, k3s or minikube, and nothing can be downloaded): there is no measured
# peer.
set -u -o pipefail

RUNS=3
REPLICAS=1000
LIST_PODS=10000
PATCHES=500
KUBECTL_RUNS=10
LIST_RUNS=20
HERE=$(cd "$(dirname "$0")" && pwd)
BINARY=${CLUSTERBOX:-$HERE/../.build/release/clusterbox}
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --replicas) REPLICAS=$2; shift 2 ;;
        --list-pods) LIST_PODS=$2; shift 2 ;;
        --patches) PATCHES=$2; shift 2 ;;
        --kubectl-runs) KUBECTL_RUNS=$2; shift 2 ;;
        --list-runs) LIST_RUNS=$2; shift 2 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        -*) echo "unknown option $1" >&2; exit 2 ;;
        *) BINARY=$1; shift ;;
    esac
done
for n in "$RUNS" "$REPLICAS" "$PATCHES" "$KUBECTL_RUNS" "$LIST_RUNS"; do
    case "$n" in ''|*[!0-9]*|0) echo "--runs, --replicas, --patches, --kubectl-runs and --list-runs need positive numbers" >&2; exit 2 ;; esac
done
case "$LIST_PODS" in ''|*[!0-9]*) echo "--list-pods needs a number" >&2; exit 2 ;; esac
[ -x "$BINARY" ] || { echo "no clusterbox binary at $BINARY (build one, or pass its path / set CLUSTERBOX)" >&2; exit 2; }
BINARY=$(cd "$(dirname "$BINARY")" && pwd)/$(basename "$BINARY")
PYTHON=${PYTHON:-$HERE/../.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
KUBECTL=${KUBECTL:-$HERE/../.venv/bin/kubectl}
[ -x "$KUBECTL" ] || KUBECTL=$(command -v kubectl)
"$PYTHON" -c 'import kubernetes' 2>/dev/null || { echo "$PYTHON has no kubernetes client (pip install kubernetes)" >&2; exit 2; }
[ -n "$KUBECTL" ] && [ -x "$KUBECTL" ] || { echo "needs kubectl (set KUBECTL)" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/clusterbox-kube.XXXXXX")
. "$HERE/marathon-lib.sh"
trap marathon_cleanup EXIT
trap 'exit 130' INT TERM
# A private HOME: `clusterbox up` merges its kubeconfig into $KUBECONFIG, kubectl keeps its discovery cache under
# $HOME/.kube/cache.
export HOME=$WORK/home KUBECONFIG=$WORK/home/.kube/config
mkdir -p "$HOME/.kube"

# field NAME LINE: the value of NAME=… in a kube_bench.py result line.
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

echo "clusterbox: $BINARY"
case "$BINARY" in */debug/*) echo "  (a debug build: not release figures)" ;; esac
echo "kubectl: $KUBECTL ($("$KUBECTL" version --client 2>/dev/null | head -1)); python: $PYTHON"
echo "$REPLICAS pods on 200 simulated agents, $RUNS runs"
ROLLOUT_MS=""
POST_MS=""
FIRST_MS=""
WATCH_LINE=""
KUBECTL_MS=""
LIST_LINE=""
SCALE_LINE=""
FAILED=0
for run in $(seq 1 "$RUNS"); do
    dir="$WORK/run-$run"
    KUBE_PORT=$(free_port)
    start_cluster "$dir" --agents 0 --simulated 200 --kube-port "$KUBE_PORT" --dns-port 0 \
        || { FAILED=1; end_cluster "$dir"; continue; }
    line=$(timeout 90 "$PYTHON" "$HERE/kube_bench.py" rollout --replicas "$REPLICAS" --timeout 60)
    if [ "$(field ok "$line")" != 1 ]; then
        echo "  run $run: rollout failed: $line" >&2
        FAILED=1
        end_cluster "$dir"
        continue
    fi
    printf "  run %d: all %d pods Running after %s ms (first after %s ms, POST answered after %s ms, %s pod events)\n" \
        "$run" "$REPLICAS" "$(field all_ms "$line")" "$(field first_ms "$line")" "$(field post_ms "$line")" \
        "$(field events "$line")"
    ROLLOUT_MS+="$(field all_ms "$line") "
    FIRST_MS+="$(field first_ms "$line") "
    POST_MS+="$(field post_ms "$line") "
    if [ "$run" = 1 ]; then
        # kubectl get pods: one run fills the discovery cache, then KUBECTL_RUNS timed runs.
        timeout 30 "$KUBECTL" get pods >/dev/null 2>"$WORK/kubectl.err" || { echo "  kubectl get pods failed:" >&2; head -5 "$WORK/kubectl.err" >&2; FAILED=1; }
        rows=$(timeout 30 "$KUBECTL" get pods --no-headers 2>/dev/null | wc -l)
        for _ in $(seq 1 "$KUBECTL_RUNS"); do
            t0=$(now_ns)
            timeout 30 "$KUBECTL" get pods >/dev/null 2>>"$WORK/kubectl.err" || FAILED=1
            KUBECTL_MS+="$(( ($(now_ns) - t0) / 1000000 )) "
        done
        echo "  kubectl get pods ($rows rows): $KUBECTL_MS ms"
        WATCH_LINE=$(timeout 120 "$PYTHON" "$HERE/kube_bench.py" watch --patches "$PATCHES")
        echo "  watch: $WATCH_LINE"
        [ "$(field ok "$WATCH_LINE")" = 1 ] || FAILED=1
        if [ "$LIST_PODS" -gt 0 ]; then
            SCALE_LINE=$(timeout 330 "$PYTHON" "$HERE/kube_bench.py" scale --replicas "$LIST_PODS" --timeout 300)
            echo "  scale to $LIST_PODS: $SCALE_LINE"
            if [ "$(field ok "$SCALE_LINE")" = 1 ]; then
                LIST_LINE=$(timeout 300 "$PYTHON" "$HERE/kube_bench.py" list --runs "$LIST_RUNS")
                echo "  list: $LIST_LINE"
                [ "$(field ok "$LIST_LINE")" = 1 ] || FAILED=1
            else
                FAILED=1
            fi
        fi
    fi
    end_cluster "$dir"
done

echo
echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-58s | %-26s | %s\n" "measure" "measured" "target"
printf "%-58s-+-%-26s-+-%s\n" "----------------------------------------------------------" "--------------------------" "--------"
if [ -n "$ROLLOUT_MS" ]; then
    printf "%-58s | %-26s | %s\n" "ReplicaSet of $REPLICAS: POST -> all Running (client watch)" \
        "$(printf '%s\n' $ROLLOUT_MS | percentile 50) ms median, $(printf '%s\n' $ROLLOUT_MS | minimum) min" "<= 2,000 ms"
    printf "%-58s | %-26s |\n" "  ... first pod Running" "$(printf '%s\n' $FIRST_MS | percentile 50) ms median"
    printf "%-58s | %-26s |\n" "  ... POST answered" "$(printf '%s\n' $POST_MS | percentile 50) ms median"
fi
[ -n "$WATCH_LINE" ] && printf "%-58s | %-26s | %s\n" "watch: ConfigMap patch sent -> event received ($PATCHES)" \
    "$(field p50_ms "$WATCH_LINE") ms p50, $(field p99_ms "$WATCH_LINE") p99" "p99 <= 10 ms"
[ -n "$LIST_LINE" ] && printf "%-58s | %-26s | %s\n" \
    "GET pods, $(field items "$LIST_LINE") pods, JSON $(( $(field bytes "$LIST_LINE") / 1000000 )) MB ($LIST_RUNS requests)" \
    "$(field p50_ms "$LIST_LINE") ms p50, $(field p99_ms "$LIST_LINE") p99" "<= 100 ms"
[ -n "$KUBECTL_MS" ] && printf "%-58s | %-26s | %s\n" "kubectl get pods, $REPLICAS pods, whole command ($KUBECTL_RUNS runs)" \
    "$(printf '%s\n' $KUBECTL_MS | percentile 50) ms p50, $(printf '%s\n' $KUBECTL_MS | minimum) min" "<= 500 ms"
echo "Peer: no Kubernetes API server can be installed here (no measured ratio)."
exit "$FAILED"

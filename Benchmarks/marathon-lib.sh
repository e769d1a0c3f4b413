# Shared by marathon-deploy.sh and marathon-replace.sh (sourced, not run): free ports, a clusterbox cluster in a
# private data dir, a /v2/events listener, and clean-up of only what the script started.
#
# The sourcing script sets BINARY and WORK, and calls `trap marathon_cleanup EXIT` once.

CLUSTER_DIRS=()   # data dirs of daemons that may still be up
LISTENER_PIDS=()  # curl /v2/events listeners this script started

now_ns() { date +%s%N; }

# A free TCP port on 127.0.0.1 (the kernel picks it; it is free when this returns).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The daemon that `clusterbox up` started for data dir $1, found by that dir (unique to this run) in its command
# line: `down` can only find a daemon that became ready and wrote cluster.json.
daemon_pids_for() {
    local proc pid
    for proc in /proc/[0-9]*; do
        pid=${proc#/proc/}
        if tr '\0' '\n' 2>/dev/null <"$proc/cmdline" | grep -qxF -- "$1"; then
            tr '\0' '\n' 2>/dev/null <"$proc/cmdline" | grep -qxF -- "--foreground" && echo "$pid"
        fi
    done
}

# `clusterbox down` for the data dir (it stops the tasks too); a daemon that never got ready is stopped by pid.
stop_cluster() {
    local dir=$1 pid
    "$BINARY" down --data-dir "$dir" --timeout 10 >/dev/null 2>&1 || true
    for pid in $(daemon_pids_for "$dir"); do
        kill -TERM "$pid" 2>/dev/null || continue
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}

stop_listener() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

marathon_cleanup() {
    local pid dir
    for pid in "${LISTENER_PIDS[@]}"; do stop_listener "$pid"; done
    for dir in "${CLUSTER_DIRS[@]}"; do stop_cluster "$dir"; done
    rm -rf "$WORK"
}

# start_cluster DIR ARGS…: `clusterbox up` in DIR on free ports; sets MASTER_PORT and MARATHON_PORT.
start_cluster() {
    local dir=$1
    shift
    MASTER_PORT=$(free_port)
    MARATHON_PORT=$(free_port)
    while [ "$MARATHON_PORT" = "$MASTER_PORT" ]; do MARATHON_PORT=$(free_port); done
    CLUSTER_DIRS+=("$dir")
    if ! "$BINARY" up --data-dir "$dir" --master-port "$MASTER_PORT" --marathon-port "$MARATHON_PORT" \
        --timeout 60 "$@" >"$dir.up.log" 2>&1; then
        echo "clusterbox up failed:" >&2
        tail -20 "$dir.up.log" >&2
        [ -f "$dir/clusterbox.log" ] && tail -20 "$dir/clusterbox.log" >&2
        return 1
    fi
}

# Stops the cluster in DIR and removes DIR.
end_cluster() {
    local dir=$1 i
    stop_cluster "$dir"
    for i in "${!CLUSTER_DIRS[@]}"; do [ "${CLUSTER_DIRS[$i]}" = "$dir" ] && unset 'CLUSTER_DIRS[i]'; done
    rm -rf "$dir" "$dir.up.log"
}

# start_listener FILE: streams status_update_event frames of /v2/events into FILE; sets LISTENER_PID once the
# stream is attached (at most 10 s).
start_listener() {
    local file=$1
    curl -sN "http://127.0.0.1:$MARATHON_PORT/v2/events?event_type=status_update_event&event_type=event_stream_attached" \
        >"$file" 2>/dev/null &
    LISTENER_PID=$!
    LISTENER_PIDS+=("$LISTENER_PID")
    for _ in $(seq 1 1000); do
        grep -q event_stream_attached "$file" 2>/dev/null && return 0
        sleep 0.01
    done
    echo "the /v2/events stream did not attach within 10 s" >&2
    return 1
}

end_listener() {
    local i
    stop_listener "$LISTENER_PID"
    for i in "${!LISTENER_PIDS[@]}"; do [ "${LISTENER_PIDS[$i]}" = "$LISTENER_PID" ] && unset 'LISTENER_PIDS[i]'; done
}

# Nearest-rank percentile P (0-100) of the numbers on stdin.
percentile() {
    sort -n | awk -v p="$1" '{ v[NR] = $1 } END {
        if (NR == 0) { print "-"; exit }
        r = int((p / 100) * NR); if (r < (p / 100) * NR) r++; if (r < 1) r = 1
        printf "%.1f", v[r] }'
}
minimum() { sort -n | awk 'NR == 1 { printf "%.1f", $1 }'; }

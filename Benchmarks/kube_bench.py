"""Kubernetes API measurements for Benchmarks/kube.sh, with the `kubernetes` Python client.

Run by kube.sh (KUBECONFIG points at the cluster's kubeconfig):
  kube_bench.py rollout --replicas N [--timeout S]    POST a ReplicaSet, time until N pods are Running
  kube_bench.py scale --replicas N [--timeout S]      scale it, wait until N pods are Running
  kube_bench.py watch --patches N [--gap-ms G]        ConfigMap patch sent -> watch event received
  kube_bench.py list --runs N                          GET /api/v1/namespaces/default/pods, plain JSON

Bodies are read and written raw (`_preload_content=False`, `json.loads`): the client's model classes cost
milliseconds per object and would measure Python, not the server. Every time is the client's
(`time.time_ns()`); the server's pod times are to the second (metav1.Time), too coarse for these figures.
Each command prints one line of `key=value` fields for the script to read.
"""

import argparse
import json
import multiprocessing
import sys
import threading
import time

from kubernetes import client, config

NAME = "kbench"
LABELS = {"app": NAME}


def apis():
    config.load_kube_config()
    return client.CoreV1Api(), client.AppsV1Api()


def replica_set(replicas):
    return {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {"name": NAME, "labels": LABELS},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": LABELS},
            "template": {
                "metadata": {"labels": LABELS},
                "spec": {
                    "containers": [
                        {
                            "name": "sleep",
                            "image": "host",
                            "command": ["sleep", "100000"],
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ]
                },
            },
        },
    }


def lines(response):
    """The newline-separated JSON events of a raw watch response."""
    pending = b""
    for chunk in response.stream(65536, decode_content=False):
        pending += chunk
        while True:
            end = pending.find(b"\n")
            if end < 0:
                break
            line, pending = pending[:end], pending[end + 1 :]
            if line.strip():
                yield json.loads(line)


class PodWatch:
    """Counts distinct pods of the ReplicaSet seen with phase Running, from a watch opened before the write."""

    def __init__(self, core):
        listed = json.loads(
            core.list_namespaced_pod("default", label_selector="app=" + NAME, _preload_content=False).data
        )
        self.running = {p["metadata"]["name"] for p in listed["items"] if p.get("status", {}).get("phase") == "Running"}
        self.response = core.list_namespaced_pod(
            "default",
            label_selector="app=" + NAME,
            watch=True,
            resource_version=listed["metadata"]["resourceVersion"],
            allow_watch_bookmarks=False,
            timeout_seconds=600,
            _preload_content=False,
        )
        self.events = 0
        self.first_ns = None
        self.reached = {}  # count -> receive time (ns)
        self.lock = threading.Condition()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        try:
            for event in lines(self.response):
                now = time.time_ns()
                obj = event.get("object", {})
                name = obj.get("metadata", {}).get("name")
                with self.lock:
                    self.events += 1
                    if event.get("type") == "DELETED":
                        self.running.discard(name)
                    elif obj.get("status", {}).get("phase") == "Running" and name not in self.running:
                        self.running.add(name)
                        if self.first_ns is None:
                            self.first_ns = now
                        self.reached.setdefault(len(self.running), now)
                    self.lock.notify_all()
        except Exception as error:  # the stream ends when the response is closed
            print("watch ended: %s" % error, file=sys.stderr)

    def wait(self, count, deadline):
        with self.lock:
            while len(self.running) < count and time.monotonic() < deadline:
                self.lock.wait(0.1)
            return len(self.running) >= count


def rollout(args):
    core, apps = apis()
    watch = PodWatch(core)
    t0 = time.time_ns()
    apps.create_namespaced_replica_set("default", replica_set(args.replicas), _preload_content=False)
    answered = time.time_ns()
    ok = watch.wait(args.replicas, time.monotonic() + args.timeout)
    with watch.lock:
        done = watch.reached.get(args.replicas)
        print(
            "ok=%d running=%d events=%d all_ms=%s first_ms=%s post_ms=%.1f"
            % (
                ok,
                len(watch.running),
                watch.events,
                "%.1f" % ((done - t0) / 1e6) if ok and done else "-",
                "%.1f" % ((watch.first_ns - t0) / 1e6) if watch.first_ns else "-",
                (answered - t0) / 1e6,
            )
        )
    watch.response.release_conn()
    return 0 if ok else 1


def scale(args):
    core, apps = apis()
    watch = PodWatch(core)
    t0 = time.time_ns()
    apps.patch_namespaced_replica_set(NAME, "default", {"spec": {"replicas": args.replicas}}, _preload_content=False)
    ok = watch.wait(args.replicas, time.monotonic() + args.timeout)
    print("ok=%d running=%d seconds=%.1f" % (ok, len(watch.running), (time.time_ns() - t0) / 1e9))
    return 0 if ok else 1


def watcher(resource_version, count, ready, results):
    core, _ = apis()
    response = core.list_namespaced_config_map(
        "default",
        field_selector="metadata.name=" + NAME,
        watch=True,
        resource_version=resource_version,
        timeout_seconds=600,
        _preload_content=False,
    )
    ready.set()
    latencies = []
    for event in lines(response):
        now = time.time_ns()
        data = event.get("object", {}).get("data") or {}
        if event.get("type") == "MODIFIED" and "sent" in data:
            latencies.append(((now - int(data["sent"])) / 1e6, int(data["sent"])))
            if len(latencies) >= count:
                break
    response.release_conn()
    results.put(latencies)


def percentile(values, p):
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def watch(args):
    core, _ = apis()
    created = json.loads(
        core.create_namespaced_config_map(
            "default", {"metadata": {"name": NAME}, "data": {"seq": "0"}}, _preload_content=False
        ).data
    )
    ready, results = multiprocessing.Event(), multiprocessing.Queue()
    process = multiprocessing.Process(
        target=watcher, args=(created["metadata"]["resourceVersion"], args.patches, ready, results)
    )
    process.start()
    if not ready.wait(10):
        process.kill()
        print("ok=0 the watcher did not start", file=sys.stderr)
        return 1
    time.sleep(0.5)  # the watch request is on the wire once the call returned; let the server attach it
    patch_ms = []
    for i in range(1, args.patches + 1):
        sent = time.time_ns()
        core.patch_namespaced_config_map(
            NAME, "default", {"data": {"seq": str(i), "sent": str(sent)}}, _preload_content=False
        ).data
        patch_ms.append((time.time_ns() - sent) / 1e6)
        time.sleep(args.gap_ms / 1000)
    try:
        latencies = results.get(timeout=30)
    except Exception:
        latencies = []
    process.join(5)
    if process.is_alive():
        process.kill()
    core.delete_namespaced_config_map(NAME, "default", _preload_content=False)
    if len(latencies) < args.patches:
        print("ok=0 events=%d of %d" % (len(latencies), args.patches))
        return 1
    first_sent = min(sent for _, sent in latencies)
    # The five slowest, as latency@seconds-after-the-first-patch: bursts show as neighbours in time.
    slowest = ",".join(
        "%.1f@%.2f" % (ms, (sent - first_sent) / 1e9) for ms, sent in sorted(latencies, reverse=True)[:5]
    )
    latencies = [ms for ms, _ in latencies]
    print(
        "ok=1 events=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f patch_p50_ms=%.2f slowest=%s"
        % (
            len(latencies),
            percentile(latencies, 50),
            percentile(latencies, 99),
            max(latencies),
            percentile(patch_ms, 50),
            slowest,
        )
    )
    return 0


def list_pods(args):
    core, _ = apis()
    times, size = [], 0
    for _ in range(args.runs):
        t0 = time.perf_counter_ns()
        response = core.list_namespaced_pod("default", _preload_content=False)
        body = response.data
        times.append((time.perf_counter_ns() - t0) / 1e6)
        size = len(body)
    items = len(json.loads(body)["items"])
    print(
        "ok=1 items=%d bytes=%d p50_ms=%.1f p99_ms=%.1f min_ms=%.1f"
        % (items, size, percentile(times, 50), percentile(times, 99), min(times))
    )
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("rollout", "scale"):
        sub = commands.add_parser(name)
        sub.add_argument("--replicas", type=int, required=True)
        sub.add_argument("--timeout", type=float, default=60)
    sub = commands.add_parser("watch")
    sub.add_argument("--patches", type=int, default=500)
    sub.add_argument("--gap-ms", type=float, default=5)
    sub = commands.add_parser("list")
    sub.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    return {"rollout": rollout, "scale": scale, "watch": watch, "list": list_pods}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The HTTP half of scheduler-api.sh (which boots the daemon and runs everything; see Benchmarks/README.md).

    scheduler_api.py framework --master 127.0.0.1:PORT --client pymesos|raw --out FILE [--daemon-pid PID] ...
    scheduler_api.py operator --master 127.0.0.1:PORT --seconds N --out FILE
    scheduler_api.py report FILE...

`framework` runs one framework through two phases against POST /api/v1/scheduler, with the decisions of
SchedulerPath/main.swift (the in-process counterpart; change both together):

  paced   (--paced-seconds): each OFFERS event gets at most --paced-per-event tasks, --per-offer on each offer in
          the order offered; the other offers are declined in one DECLINE (refuse --decline-refuse-seconds).
          Accepts use refuse_seconds 0, so the master offers the rest of that agent again at its next tick (20 ms):
          about one small event per tick, and nothing queues. This gives the latency figures.
  greedy  (--greedy-seconds): REVIVE (the paced declines filtered most agents), then the same with at most
          --greedy-per-event tasks per event. The framework launches as fast as it can answer; its queue stays
          bounded because the master offers an agent again only after the framework answered its last offer.
          This gives the sustained launch rate.

Every task is --cpus/--mem with the label clusterbox.io/duration=--task-seconds, so a simulated agent reports
TASK_STARTING and TASK_RUNNING at once and TASK_FINISHED that many seconds later; every update is acknowledged.
Per task it records (time.perf_counter): offer event handed to the framework (after JSON parsing), ACCEPT call
started, ACCEPT call answered (202), TASK_RUNNING handed to the framework. Launches/s counts TASK_RUNNING events
received inside the window (phase start + --warmup-seconds to phase end).

--client pymesos is pymesos 0.3.15's MesosSchedulerDriver (implicit acknowledgements). --client raw is the same
logic on a minimal client: a socket for the event stream and a keep-alive socket for calls (TCP_NODELAY), each
call waited for like pymesos does. The difference between the two is pymesos' own cost.

`operator` subscribes to the operator API (POST /api/v1 {"type":"SUBSCRIBE"}), parses every RecordIO record and
counts them per type and per wall-clock second, until --seconds pass or the stream ends.
"""
import argparse
import json
import math
import os
import re
import signal
import socket
import sys
import threading
import time

DURATION_LABEL = "clusterbox.io/duration"


def percentiles(values):
    """p50, p99 and max by nearest rank (the same rule as SchedulerPath/main.swift)."""
    if not values:
        return {"n": 0}
    s = sorted(values)

    def rank(p):
        return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))]

    return {"n": len(s), "p50": rank(50), "p99": rank(99), "max": s[-1]}


def scalar(resources, name):
    return sum(r["scalar"]["value"] for r in resources if r["name"] == name and r.get("type", "SCALAR") == "SCALAR")


def cpu_seconds_of(pid):
    """utime + stime of a process, from /proc (None if it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class Framework:
    """The decisions, shared by both clients. `api` makes the calls: accept, decline, revive, suppress."""

    def __init__(self, args, api):
        self.args = args
        self.api = api
        self.start = None
        self.launched = 0
        self.records = {}  # task id -> [phase, offer, send, sent, running]
        self.revived = False
        self.stopped = False
        self.phase_starts = {}
        self.offer_events = {}
        self.offers = {}
        self.updates = 0
        self.errors = []

    def phase(self, t):
        if t < self.args.paced_seconds:
            return "paced"
        if t < self.args.paced_seconds + self.args.greedy_seconds:
            return "greedy"
        return "done"

    def on_offers(self, offers, received):
        t = received - self.start
        phase = self.phase(t)
        if phase == "greedy" and not self.revived:
            self.revived = True  # the paced phase's declines filtered most agents for a while: clear them
            self.phase_starts["greedy"] = t
            self.api.revive()
        if phase == "done":
            if not self.stopped:
                self.stopped = True
                self.api.suppress()
            self.api.decline([o["id"] for o in offers], 3600)
            return
        self.phase_starts.setdefault(phase, t)
        self.offer_events[phase] = self.offer_events.get(phase, 0) + 1
        self.offers[phase] = self.offers.get(phase, 0) + len(offers)
        # At most this many tasks per OFFERS event, --per-offer on each offer, in the order offered.
        budget = self.args.paced_per_event if phase == "paced" else self.args.greedy_per_event
        per_offer = self.args.per_offer
        cpus_each, mem_each = self.args.cpus, self.args.mem
        accepts, declines = [], []
        for offer in offers:
            cpus, mem = scalar(offer["resources"], "cpus"), scalar(offer["resources"], "mem")
            tasks = []
            # Resources counts CPUs in thousandths, as the master does.
            while budget > 0 and len(tasks) < per_offer and round(cpus * 1000) >= round(cpus_each * 1000) and mem >= mem_each:
                self.launched += 1
                budget -= 1
                # Unique across the frameworks of a run: a simulated agent keeps its tasks by task id alone.
                task_id = f"bench-{os.getpid()}-{self.launched}"
                tasks.append({
                    "task_id": {"value": task_id},
                    "agent_id": offer["agent_id"],
                    "name": task_id,
                    "command": {"value": "true", "shell": True},
                    "resources": [
                        {"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus_each}},
                        {"name": "mem", "type": "SCALAR", "scalar": {"value": mem_each}},
                    ],
                    "labels": {"labels": [{"key": DURATION_LABEL, "value": str(float(self.args.task_seconds))}]},
                })
                cpus -= cpus_each
                mem -= mem_each
            if tasks:
                accepts.append((offer, tasks))
            else:
                declines.append(offer["id"])
        for offer, tasks in accepts:
            send = time.perf_counter() - self.start
            for task in tasks:
                self.records[task["task_id"]["value"]] = [phase, t, send, None, None]
            self.api.accept(offer["id"], tasks, 0)
            sent = time.perf_counter() - self.start
            for task in tasks:
                self.records[task["task_id"]["value"]][3] = sent
        if declines:
            self.api.decline(declines, self.args.decline_refuse_seconds)

    def on_update(self, status, received):
        self.updates += 1
        if status.get("state") == "TASK_RUNNING":
            record = self.records.get(status["task_id"]["value"])
            if record is not None and record[4] is None:
                record[4] = received - self.start
        elif status.get("state") not in ("TASK_STARTING", "TASK_FINISHED"):
            self.errors.append(f"{status['task_id']['value']}: {status.get('state')} {status.get('message', '')}")

    def waiting_for_running(self):
        return sum(1 for r in list(self.records.values()) if r[4] is None)

    def summary(self, cpu, daemon_cpu):
        phases = {}
        records = list(self.records.values())
        for phase in ("paced", "greedy"):
            start = self.phase_starts.get(phase, 0 if phase == "paced" else self.args.paced_seconds)
            end = self.args.paced_seconds if phase == "paced" else self.args.paced_seconds + self.args.greedy_seconds
            lo = start + self.args.warmup_seconds
            window = [r for r in records if r[0] == phase and lo <= r[1] < end]
            seen = [r for r in window if r[4] is not None]
            running_in_window = sum(1 for r in records if r[4] is not None and lo <= r[4] < end)
            phases[phase] = {
                "window_seconds": end - lo,
                "window_wall": [self.wall_start + lo, self.wall_start + end],
                "tasks_launched": len(window),
                "tasks_running_seen": len(seen),
                "launches_per_second": running_in_window / (end - lo),
                "offer_to_running_ms": percentiles([(r[4] - r[1]) * 1000 for r in seen]),
                "offer_to_accept_ms": percentiles([(r[2] - r[1]) * 1000 for r in seen]),
                "accept_call_ms": percentiles([(r[3] - r[2]) * 1000 for r in seen]),
                "accept_to_running_ms": percentiles([(r[4] - r[2]) * 1000 for r in seen]),
                "framework_cpu_seconds": cpu.get(phase, 0),
                "daemon_cpu_seconds": daemon_cpu.get(phase),
                "offer_events": self.offer_events.get(phase, 0),
                "offers": self.offers.get(phase, 0),
            }
        return {"phases": phases, "updates": self.updates, "launched": self.launched, "errors": self.errors[:5]}


# ------------------------------------------------------------------------------------------------- pymesos client

class PymesosClient:
    def __init__(self, args):
        from pymesos import MesosSchedulerDriver, Scheduler

        client = self

        class BenchScheduler(Scheduler):
            def registered(self, driver, framework_id, master_info):
                client.registered.set()

            def resourceOffers(self, driver, offers):
                client.framework.on_offers(offers, time.perf_counter())

            def statusUpdate(self, driver, update):
                client.framework.on_update(update, time.perf_counter())  # pymesos acknowledges it after this

            def error(self, driver, message):
                client.framework.errors.append(f"ERROR event: {message}")

        self.registered = threading.Event()
        self.framework = None
        info = {"user": "nobody", "name": "scheduler-api-pymesos", "hostname": "localhost", "failover_timeout": 0}
        self.driver = MesosSchedulerDriver(BenchScheduler(), info, args.master, use_addict=False)

    def start(self):
        self.driver.start()

    def stop(self):
        self.driver.stop()  # not a failover: TEARDOWN
        self.driver.join()

    def accept(self, offer_id, tasks, refuse):
        self.driver.launchTasks(offer_id, tasks, {"refuse_seconds": refuse})

    def decline(self, offer_ids, refuse):
        self.driver.declineOffer(offer_ids, {"refuse_seconds": refuse})

    def revive(self):
        self.driver.reviveOffers()

    def suppress(self):
        self.driver.suppressOffers()


# ----------------------------------------------------------------------------------------------------- raw client

class EventStream:
    """A chunked HTTP response of RecordIO records, read in large pieces."""

    def __init__(self, sock, request):
        self.sock = sock
        sock.sendall(request)
        self.buf = bytearray()
        while b"\r\n\r\n" not in self.buf:
            data = sock.recv(65536)
            if not data:
                raise RuntimeError("connection closed before the response headers")
            self.buf += data
        head, _, rest = bytes(self.buf).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:] if ":" in l)}
        self.buf = bytearray(rest)
        self.body = bytearray()  # de-chunked bytes not yet parsed into records
        self.done = False

    def _fill(self):
        data = self.sock.recv(262144)
        if not data:
            self.done = True
            return
        self.buf += data
        # De-chunk everything complete.
        while True:
            end = self.buf.find(b"\r\n")
            if end < 0:
                return
            size = int(bytes(self.buf[:end]).split(b";")[0], 16)
            if size == 0:
                self.done = True
                return
            if len(self.buf) < end + 2 + size + 2:
                return
            self.body += self.buf[end + 2:end + 2 + size]
            del self.buf[:end + 2 + size + 2]

    def records(self):
        """Yields each record (bytes) with the time its last byte was read."""
        while True:
            while True:
                nl = self.body.find(b"\n")
                if nl < 0:
                    break
                length = int(self.body[:nl])
                if len(self.body) < nl + 1 + length:
                    break
                record = bytes(self.body[nl + 1:nl + 1 + length])
                del self.body[:nl + 1 + length]
                yield record
            if self.done:
                return
            self._fill()


class RawClient:
    def __init__(self, args):
        self.host, port = args.master.split(":")
        self.port = int(port)
        self.framework = None
        self.framework_id = None
        self.stream_id = None
        self.registered = threading.Event()
        self.calls = None
        self.thread = None
        self.stop_requested = False
        self.events = None

    def _connect(self):
        sock = socket.create_connection((self.host, self.port))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def start(self):
        body = json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": {
            "user": "nobody", "name": "scheduler-api-raw", "hostname": "localhost", "failover_timeout": 0}}}).encode()
        request = (f"POST /api/v1/scheduler HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                   f"Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                   ).encode() + body
        self.events = EventStream(self._connect(), request)
        if self.events.status != 200:
            raise RuntimeError(f"SUBSCRIBE answered {self.events.status}")
        self.stream_id = self.events.headers["mesos-stream-id"]
        self.calls = self._connect()
        self.call_buf = bytearray()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            for record in self.events.records():
                received = time.perf_counter()
                event = json.loads(record)
                kind = event.get("type")
                if kind == "SUBSCRIBED":
                    self.framework_id = event["subscribed"]["framework_id"]["value"]
                    self.head = (f"POST /api/v1/scheduler HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                                 f"Content-Type: application/json\r\nMesos-Stream-Id: {self.stream_id}\r\n"
                                 "Content-Length: ")
                    self.registered.set()
                elif kind == "OFFERS":
                    self.framework.on_offers(event["offers"].get("offers", []), received)
                elif kind == "UPDATE":
                    status = event["update"]["status"]
                    self.framework.on_update(status, received)
                    if "uuid" in status:
                        self._call({"type": "ACKNOWLEDGE", "acknowledge": {
                            "agent_id": status["agent_id"], "task_id": status["task_id"], "uuid": status["uuid"]}})
                elif kind == "ERROR":
                    self.framework.errors.append(f"ERROR event: {event.get('error')}")
                if self.stop_requested:
                    return
        except (OSError, ValueError, RuntimeError):
            if not self.stop_requested:
                raise

    def _call(self, call):
        call["framework_id"] = {"value": self.framework_id}
        body = json.dumps(call).encode()
        self.calls.sendall(f"{self.head}{len(body)}\r\n\r\n".encode() + body)
        # Wait for the answer, as pymesos does: status line, headers, Content-Length body.
        while True:
            end = self.call_buf.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.call_buf[:end]).decode("latin-1")
                m = re.search(r"(?i)content-length:\s*(\d+)", head)
                length = int(m.group(1)) if m else 0
                if len(self.call_buf) >= end + 4 + length:
                    status = int(head.split(" ", 2)[1])
                    answer = bytes(self.call_buf[end + 4:end + 4 + length])
                    del self.call_buf[:end + 4 + length]
                    if not 200 <= status < 300:
                        raise RuntimeError(f"{call['type']} answered {status}: {answer[:200]!r}")
                    return
            data = self.calls.recv(65536)
            if not data:
                raise RuntimeError("the master closed the call connection")
            self.call_buf += data

    def stop(self):
        # The event thread makes calls too: end it first (closing its stream), then TEARDOWN from here.
        self.stop_requested = True
        try:
            self.events.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.thread.join(10)
        try:
            self._call({"type": "TEARDOWN"})
        except (OSError, RuntimeError):
            pass
        for sock in (self.calls, self.events.sock):
            try:
                sock.close()
            except OSError:
                pass

    def accept(self, offer_id, tasks, refuse):
        self._call({"type": "ACCEPT", "accept": {"offer_ids": [offer_id], "operations": [
            {"type": "LAUNCH", "launch": {"task_infos": tasks}}], "filters": {"refuse_seconds": refuse}}})

    def decline(self, offer_ids, refuse):
        self._call({"type": "DECLINE", "decline": {"offer_ids": offer_ids, "filters": {"refuse_seconds": refuse}}})

    def revive(self):
        self._call({"type": "REVIVE"})

    def suppress(self):
        self._call({"type": "SUPPRESS"})


def run_framework(args):
    client = PymesosClient(args) if args.client == "pymesos" else RawClient(args)
    framework = Framework(args, client)
    client.framework = framework
    framework.start = time.perf_counter()
    framework.wall_start = time.time()
    cpu0, d0 = time.process_time(), cpu_seconds_of(args.daemon_pid) if args.daemon_pid else None
    client.start()
    if not client.registered.wait(30):
        print("the framework did not register within 30 s", file=sys.stderr)
        return 1
    cpu, daemon_cpu = {}, {}

    def sleep_until(t):
        while time.perf_counter() - framework.start < t:
            time.sleep(min(0.05, max(0.0, t - (time.perf_counter() - framework.start))))

    sleep_until(args.paced_seconds)
    cpu1, d1 = time.process_time(), cpu_seconds_of(args.daemon_pid) if args.daemon_pid else None
    cpu["paced"] = cpu1 - cpu0
    sleep_until(args.paced_seconds + args.greedy_seconds)
    cpu["greedy"] = time.process_time() - cpu1
    d2 = cpu_seconds_of(args.daemon_pid) if args.daemon_pid else None
    if None not in (d0, d1, d2):
        daemon_cpu = {"paced": d1 - d0, "greedy": d2 - d1}
    deadline = time.perf_counter() + args.drain_seconds
    while framework.waiting_for_running() > 0 and time.perf_counter() < deadline:
        time.sleep(0.05)
    summary = framework.summary(cpu, daemon_cpu)
    summary["path"] = f"http-{args.client}"
    summary["waiting_for_running_at_exit"] = framework.waiting_for_running()
    client.stop()
    with open(args.out, "w") as f:
        json.dump(summary, f)
    return 0


# ------------------------------------------------------------------------------------------------- operator reader

def run_operator(args):
    host, port = args.master.split(":")
    body = b'{"type": "SUBSCRIBE"}'
    request = (f"POST /api/v1 HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
               f"Accept: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body
    sock = socket.create_connection((host, int(port)))
    sock.settimeout(30.0)  # the first record, SUBSCRIBED, holds the whole state: give the daemon time
    stream = EventStream(sock, request)
    sock.settimeout(1.0)
    if stream.status != 200:
        print(f"operator SUBSCRIBE answered {stream.status}", file=sys.stderr)
        return 1
    per_second = {}  # int(wall second) -> {type: count}
    totals = {}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(True))  # the script ends the reading once churn is over
    start, cpu0 = time.time(), time.process_time()
    with open(args.ready, "w") if args.ready else open(os.devnull, "w") as ready:
        ready.write("subscribed\n")
    records = stream.records()
    ended = False
    while time.time() - start < args.seconds and not stop:
        try:
            record = next(records)
        except StopIteration:
            ended = True
            break
        except socket.timeout:
            records = stream.records()  # nothing for a second; go on reading
            continue
        kind = json.loads(record).get("type", "?")
        second = int(time.time())
        bucket = per_second.setdefault(second, {})
        bucket[kind] = bucket.get(kind, 0) + 1
        totals[kind] = totals.get(kind, 0) + 1
    sock.close()
    with open(args.out, "w") as f:
        json.dump({"totals": totals, "per_second": {str(k): v for k, v in sorted(per_second.items())},
                   "cpu_seconds": time.process_time() - cpu0, "seconds": time.time() - start,
                   "stream_ended": ended}, f)
    return 0


# ---------------------------------------------------------------------------------------------------------- report

def run_report(args):
    def load(path):
        try:
            with open(path) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    inproc, pymesos, raw, operator = (load(p) for p in (args.inprocess, args.pymesos, args.raw, args.operator))
    churns = [load(p) for p in args.churn or []]

    def get(result, phase, key, stat=None):
        if not result:
            return None
        value = result["phases"][phase].get(key)
        if stat and isinstance(value, dict):
            value = value.get(stat)
        return value

    def fmt(v, digits=2):
        return "-" if v is None else f"{v:,.{digits}f}"

    def ratio(a, b):
        return "-" if a is None or b in (None, 0) else f"{a / b:.1f}x"

    columns = [("in-process", inproc), ("HTTP pymesos", pymesos), ("HTTP raw client", raw)]
    print(f"{'measure':46} | " + " | ".join(f"{n:>15}" for n, _ in columns) + " | pymesos/in-proc | raw/in-proc")
    print("-" * 47 + "+" + "+".join("-" * 17 for _ in columns) + "+-----------------+------------")
    rows = [
        ("paced: offer -> TASK_RUNNING p50 (ms)", "paced", "offer_to_running_ms", "p50", 3),
        ("paced: offer -> TASK_RUNNING p99 (ms)", "paced", "offer_to_running_ms", "p99", 3),
        ("paced:   offer -> ACCEPT sent p50 (ms)", "paced", "offer_to_accept_ms", "p50", 3),
        ("paced:   ACCEPT call (until 202) p50 (ms)", "paced", "accept_call_ms", "p50", 3),
        ("paced:   ACCEPT sent -> TASK_RUNNING p50 (ms)", "paced", "accept_to_running_ms", "p50", 3),
        ("paced: samples", "paced", "offer_to_running_ms", "n", 0),
        ("greedy: launches/s (TASK_RUNNING received)", "greedy", "launches_per_second", None, 0),
        ("greedy: offer -> TASK_RUNNING p50 (ms)", "greedy", "offer_to_running_ms", "p50", 1),
        ("greedy: offer -> TASK_RUNNING p99 (ms)", "greedy", "offer_to_running_ms", "p99", 1),
        ("greedy: framework CPU s / window", "greedy", "framework_cpu_seconds", None, 2),
        ("greedy: daemon CPU s / window", "greedy", "daemon_cpu_seconds", None, 2),
    ]
    for label, phase, key, stat, digits in rows:
        values = [get(r, phase, key, stat) for _, r in columns]
        invert = key == "launches_per_second"  # a rate: in-process / HTTP is the slow-down
        r1 = ratio(values[0], values[1]) if invert else ratio(values[1], values[0])
        r2 = ratio(values[0], values[2]) if invert else ratio(values[2], values[0])
        if "CPU" in label or "samples" in label:
            r1 = r2 = ""
        print(f"{label:46} | " + " | ".join(f"{fmt(v, digits):>15}" for v in values) + f" | {r1:>15} | {r2:>10}")
    for name, r in columns:
        if r and r.get("errors"):
            print(f"note: {name} saw: {r['errors']}")
        if r and r.get("waiting_for_running_at_exit"):
            print(f"note: {name}: {r['waiting_for_running_at_exit']} tasks had no TASK_RUNNING when it stopped")

    churns = [c for c in churns if c]
    if operator and churns:
        lo = min(c["phases"]["greedy"]["window_wall"][0] for c in churns)
        hi = max(c["phases"]["greedy"]["window_wall"][1] for c in churns)
        seconds = [(int(s), sum(c.values())) for s, c in operator["per_second"].items()]
        inside = [n for s, n in seconds if lo <= s and s + 1 <= hi]
        added = operator["totals"].get("TASK_ADDED", 0)
        updated = operator["totals"].get("TASK_UPDATED", 0)
        launched = sum(c["launched"] for c in churns)
        rate = sum(c["phases"]["greedy"]["launches_per_second"] for c in churns)
        print()
        print(f"operator SUBSCRIBE during the greedy churn of {len(churns)} raw clients "
              f"({rate:,.0f} launches/s between them, as TASK_RUNNING reached them):")
        if inside:
            print(f"  events/s over {len(inside)} whole seconds: mean {sum(inside) / len(inside):,.0f}, "
                  f"min {min(inside):,}, max {max(inside):,}")
            added_inside = [c.get("TASK_ADDED", 0) for s, c in operator["per_second"].items() if lo <= int(s) and int(s) + 1 <= hi]
            print(f"  launches the master made meanwhile (TASK_ADDED/s): mean {sum(added_inside) / len(added_inside):,.0f}")
        complete = added == launched and updated == 3 * launched
        print(f"  whole run: {added:,} TASK_ADDED and {updated:,} TASK_UPDATED for {launched:,} tasks launched "
              f"(expected {launched:,} and {3 * launched:,}: STARTING, RUNNING, FINISHED)"
              + (", none missing" if complete else "  <- MISSING OR EXTRA EVENTS"))
        print(f"  reader CPU: {operator['cpu_seconds']:.1f} s in {operator['seconds']:.0f} s")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    fw = sub.add_parser("framework")
    fw.add_argument("--master", required=True)
    fw.add_argument("--client", choices=["pymesos", "raw"], default="pymesos")
    fw.add_argument("--out", required=True)
    fw.add_argument("--daemon-pid", type=int)
    fw.add_argument("--paced-seconds", type=float, default=10)
    fw.add_argument("--greedy-seconds", type=float, default=15)
    fw.add_argument("--warmup-seconds", type=float, default=2)
    fw.add_argument("--cpus", type=float, default=0.5)
    fw.add_argument("--mem", type=float, default=128)
    fw.add_argument("--task-seconds", type=float, default=0.1)
    fw.add_argument("--paced-per-event", type=int, default=2)
    fw.add_argument("--greedy-per-event", type=int, default=400)
    fw.add_argument("--per-offer", type=int, default=2)
    fw.add_argument("--decline-refuse-seconds", type=float, default=5)
    fw.add_argument("--drain-seconds", type=float, default=30)
    op = sub.add_parser("operator")
    op.add_argument("--master", required=True)
    op.add_argument("--seconds", type=float, required=True)
    op.add_argument("--out", required=True)
    op.add_argument("--ready", help="file written once subscribed")
    rp = sub.add_parser("report")
    for name in ("inprocess", "pymesos", "raw", "operator"):
        rp.add_argument(f"--{name}")
    rp.add_argument("--churn", nargs="*")
    args = parser.parse_args()
    return {"framework": run_framework, "operator": run_operator, "report": run_report}[args.mode](args)


if __name__ == "__main__":
    sys.exit(main())

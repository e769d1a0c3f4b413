#!/usr/bin/env python3
"""A greedy pymesos framework with unbounded demand, for the DRF acceptance test: from every offer it launches as
many `sleep S` tasks of one shape as fit, declines what is left, and never suppresses. pymesos acknowledges the
status updates by itself (implicit acknowledgements).

    python greedy_framework.py --master 127.0.0.1:5050 --role pymesos --cpus 0.5 --mem 256 --sleep 1 --seconds 60

It stops by itself after --seconds, and at once on SIGTERM or SIGINT; either way it tears the framework down (the
master kills its tasks) and prints one summary line. Exit 0, or 1 after an error event from the master.
"""
import argparse
import os
import signal
import sys
import threading
import time

from pymesos import MesosSchedulerDriver, Scheduler

TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE"}


def scalar(resources, name):
    return sum(r["scalar"]["value"] for r in resources if r["name"] == name and r.get("type", "SCALAR") == "SCALAR")


class GreedyFramework(Scheduler):
    def __init__(self, cpus, mem, sleep, refuse):
        self.cpus, self.mem, self.sleep, self.refuse = cpus, mem, sleep, refuse
        self.lock = threading.Lock()
        self.launched = 0
        self.ended = {}
        self.offers = 0
        self.failed = None
        self.stopping = threading.Event()

    def registered(self, driver, framework_id, master_info):
        print(f"registered as {framework_id['value']}", flush=True)

    def resourceOffers(self, driver, offers):
        for offer in offers:
            self.offers += 1
            if self.stopping.is_set():
                driver.declineOffer(offer["id"], {"refuse_seconds": self.refuse})
                continue
            cpus, mem = scalar(offer["resources"], "cpus"), scalar(offer["resources"], "mem")
            tasks = []
            # A small tolerance: offers carry cpus as decimals of thousandths.
            while cpus + 1e-9 >= self.cpus and mem + 1e-9 >= self.mem:
                with self.lock:
                    self.launched += 1
                    number = self.launched
                tasks.append({
                    "task_id": {"value": f"greedy-{number}"},
                    "agent_id": offer["agent_id"],
                    "name": f"greedy {number}",
                    "command": {"value": f"sleep {self.sleep}", "shell": True},
                    "resources": [
                        {"name": "cpus", "type": "SCALAR", "scalar": {"value": self.cpus}},
                        {"name": "mem", "type": "SCALAR", "scalar": {"value": self.mem}},
                    ],
                })
                cpus -= self.cpus
                mem -= self.mem
            # The same refusal as clusterbox's batch framework: what is not used is refused for a few seconds
            # (the filter covers only these resources, so a task ending on the agent ends it).
            if tasks:
                driver.launchTasks(offer["id"], tasks, {"refuse_seconds": self.refuse})
            else:
                driver.declineOffer(offer["id"], {"refuse_seconds": self.refuse})

    def statusUpdate(self, driver, update):
        state = update["state"]
        if state in TERMINAL:
            with self.lock:
                self.ended[state] = self.ended.get(state, 0) + 1

    def error(self, driver, message):
        self.failed = message
        print(f"FAILED: error from the master: {message}", flush=True)
        self.stopping.set()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--master", default=os.environ.get("MESOS_MASTER", "127.0.0.1:5050"))
    parser.add_argument("--role", default="pymesos")
    parser.add_argument("--name", default="greedy-pymesos")
    parser.add_argument("--cpus", type=float, default=0.5)
    parser.add_argument("--mem", type=float, default=256)
    parser.add_argument("--sleep", type=float, default=1, help="each task runs `sleep S`")
    parser.add_argument("--refuse", type=float, default=5, help="refuse_seconds for what an offer leaves unused")
    parser.add_argument("--seconds", type=float, default=120, help="stop by itself after this long")
    args = parser.parse_args()

    scheduler = GreedyFramework(args.cpus, args.mem, f"{args.sleep:g}", args.refuse)
    # A parent may start us with signals blocked (started from a Swift test with Foundation's Process, SIGTERM
    # arrives blocked and would stay pending): unblock the ones we stop on, before any thread starts.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: scheduler.stopping.set())
    signal.signal(signal.SIGINT, lambda *_: scheduler.stopping.set())
    framework = {"user": "nobody", "name": args.name, "hostname": "localhost", "role": args.role,
                 "failover_timeout": 0}
    driver = MesosSchedulerDriver(scheduler, framework, args.master, use_addict=True)
    driver.start()
    deadline = time.monotonic() + args.seconds
    # Short waits so that the signal handler runs promptly on the main thread.
    while not scheduler.stopping.is_set() and time.monotonic() < deadline:
        scheduler.stopping.wait(0.2)
    scheduler.stopping.set()
    driver.stop()  # not a failover: TEARDOWN, and the master kills what still runs
    driver.join()
    ended = ", ".join(f"{n} {s}" for s, n in sorted(scheduler.ended.items())) or "none"
    print(f"greedy framework stopped: {scheduler.offers} offers, {scheduler.launched} tasks launched, ended: {ended}",
          flush=True)
    return 1 if scheduler.failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""A small third-party Mesos framework written with pymesos: it launches N command tasks on whatever the
master offers, acknowledges their updates (pymesos does that by itself), and exits once all of them finished.

    python framework.py --master 127.0.0.1:5050 --tasks 20 --id-file /tmp/fw.id
    python framework.py --master 127.0.0.1:5050 --failover --id-file /tmp/fw.id   # reconnect, reconcile, exit

It exits 0 on success and 1 on an error event, a failed task or a timeout.
"""
import argparse
import os
import sys
import threading
import time

from pymesos import MesosSchedulerDriver, Scheduler

TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_ERROR", "TASK_LOST", "TASK_DROPPED", "TASK_GONE"}


def scalar(resources, name):
    return sum(r["scalar"]["value"] for r in resources if r["name"] == name and r.get("type", "SCALAR") == "SCALAR")


class CommandFramework(Scheduler):
    def __init__(self, tasks, command, cpus, mem, id_file, failover):
        self.wanted, self.command, self.cpus, self.mem = tasks, command, cpus, mem
        self.id_file, self.failover = id_file, failover
        self.launched = 0
        self.states = {}
        self.done = threading.Event()
        self.failed = None
        self.reconciled = 0

    # -- registration --------------------------------------------------------------------------------------
    def registered(self, driver, framework_id, master_info):
        print(f"registered as {framework_id['value']}", flush=True)
        if self.id_file:
            with open(self.id_file, "w") as f:
                f.write(framework_id["value"])
        if self.failover:
            self.fail("expected to reregister with the saved framework id, but registered afresh")

    def reregistered(self, driver, master_info):
        print(f"reregistered as {driver.framework_id}", flush=True)
        if self.failover:
            # Explicit reconciliation of the tasks the first run launched: the master answers each one's latest
            # state (TASK_FINISHED for the ones that ended, from its completed tasks).
            driver.reconcileTasks([{"task_id": {"value": f"task-{i}"}} for i in range(1, self.wanted + 1)])

    # -- offers --------------------------------------------------------------------------------------------
    def resourceOffers(self, driver, offers):
        for offer in offers:
            cpus, mem = scalar(offer["resources"], "cpus"), scalar(offer["resources"], "mem")
            tasks = []
            while self.launched < self.wanted and cpus >= self.cpus and mem >= self.mem and not self.failover:
                self.launched += 1
                tasks.append({
                    "task_id": {"value": f"task-{self.launched}"},
                    "agent_id": offer["agent_id"],
                    "name": f"task {self.launched}",
                    "command": {"value": self.command, "shell": True},
                    "resources": [
                        {"name": "cpus", "type": "SCALAR", "scalar": {"value": self.cpus}},
                        {"name": "mem", "type": "SCALAR", "scalar": {"value": self.mem}},
                    ],
                })
                cpus -= self.cpus
                mem -= self.mem
            if tasks:
                print(f"offer {offer['id']['value']} on {offer['hostname']}: launching {len(tasks)} tasks", flush=True)
                driver.launchTasks(offer["id"], tasks, {"refuse_seconds": 5})
            else:
                driver.declineOffer(offer["id"], {"refuse_seconds": 60})
        if self.launched >= self.wanted:
            driver.suppressOffers()

    # -- updates -------------------------------------------------------------------------------------------
    def statusUpdate(self, driver, update):
        task, state = update["task_id"]["value"], update["state"]
        if self.failover:
            self.reconciled += 1
            print(f"reconciled {task}: {state}", flush=True)
            if self.reconciled == self.wanted:
                self.done.set()
            return
        self.states.setdefault(task, []).append(state)
        if state in TERMINAL and state != "TASK_FINISHED":
            self.fail(f"{task} ended {state}: {update.get('message', '')}")
        finished = sum(1 for s in self.states.values() if "TASK_FINISHED" in s)
        if finished == self.wanted:
            running = sum(1 for s in self.states.values() if "TASK_RUNNING" in s)
            print(f"all {finished} tasks finished ({running} were seen TASK_RUNNING)", flush=True)
            self.done.set()

    def error(self, driver, message):
        self.fail(f"error from the master: {message}")

    def fail(self, why):
        self.failed = why
        print(f"FAILED: {why}", flush=True)
        self.done.set()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--master", default=os.environ.get("MESOS_MASTER", "127.0.0.1:5050"))
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--command", default="echo hello from $MESOS_TASK_ID")
    parser.add_argument("--cpus", type=float, default=0.1)
    parser.add_argument("--mem", type=float, default=32)
    parser.add_argument("--id-file", help="where to save (and, with --failover, read) the framework id")
    parser.add_argument("--failover", action="store_true", help="reconnect with the saved id and reconcile")
    parser.add_argument("--timeout", type=float, default=60)
    args = parser.parse_args()

    framework = {"user": "nobody", "name": "pymesos-example", "hostname": "localhost", "failover_timeout": 300}
    if args.failover:
        with open(args.id_file) as f:
            framework["id"] = {"value": f.read().strip()}
    scheduler = CommandFramework(args.tasks, args.command, args.cpus, args.mem, args.id_file, args.failover)
    driver = MesosSchedulerDriver(scheduler, framework, args.master, use_addict=True)
    driver.start()
    finished_in_time = scheduler.done.wait(args.timeout)
    # Keep the framework registered (failover) so that a later run can reconnect with its id.
    driver.stop(failover=True)
    driver.join()
    if not finished_in_time:
        print(f"FAILED: timed out after {args.timeout} s ({scheduler.launched} launched)", flush=True)
        return 1
    if scheduler.failed:
        return 1
    if args.failover and scheduler.reconciled < args.tasks:
        print(f"FAILED: reconciliation answered {scheduler.reconciled} of {args.tasks} tasks", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

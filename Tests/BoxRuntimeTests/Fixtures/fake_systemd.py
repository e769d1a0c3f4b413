#!/usr/bin/python3
"""A fake systemd manager for the systemd cgroup driver's tests, on a private dbus-daemon.

Owns org.freedesktop.systemd1 on the bus at --address and implements the three Manager methods the driver calls:

- StartTransientUnit(ssa(sv)a(sa(sv))) -> o: records the unit, its mode and every property with its D-Bus
  signature; with --cgroup-parent (repeatable: one per hierarchy), creates <parent>/<unit> in each, writes the
  limits into the files of those that have them (MemoryMax, MemorySwapMax, TasksMax, CPUQuotaPerSecUSec with
  CPUQuotaPeriodUSec, CPUShares, CPUWeight, as v1 or v2 files) and each PID into its cgroup.procs (what systemd
  does for a scope); emits JobRemoved(id, job, unit, "done") *before* replying, the race a client must survive by
  subscribing first. With --refuse NAME, the first call carrying property NAME fails as an older systemd does:
  org.freedesktop.DBus.Error.PropertyReadOnly "Cannot set property NAME, or unknown property." A unit that exists
  already fails with org.freedesktop.systemd1.UnitExists.
- StopUnit(ss) -> o: SIGKILLs the unit's processes, removes its cgroups, forgets the unit; JobRemoved "done".
  An unknown unit fails with org.freedesktop.systemd1.NoSuchUnit.
- ResetFailedUnit(s): recorded.

Every call is appended to --record as one JSON line, property values as JSON text. "ready" is written to --ready once the name is owned.
Debian's python3-dbus and python3-gi (the system python3, not a venv).
"""
import argparse
import json
import os
import signal

import dbus
import dbus.service
import dbus.mainloop.glib
from gi.repository import GLib

MANAGER = "org.freedesktop.systemd1.Manager"


def signature(value):
    """The D-Bus signature dbus-python unmarshalled this variant from."""
    if isinstance(value, dbus.Boolean):
        return "b"
    if isinstance(value, dbus.UInt64):
        return "t"
    if isinstance(value, dbus.UInt32):
        return "u"
    if isinstance(value, dbus.Int64):
        return "x"
    if isinstance(value, dbus.Int32):
        return "i"
    if isinstance(value, dbus.String):
        return "s"
    if isinstance(value, dbus.Array):
        return "a" + (value.signature or "?")
    return "?" + type(value).__name__


def plain(value):
    if isinstance(value, dbus.Boolean):
        return bool(value)
    if isinstance(value, dbus.Array):
        return [plain(v) for v in value]
    if isinstance(value, (dbus.String, dbus.ObjectPath)):
        return str(value)
    return int(value)


def apply_limits(cgroup, props):
    """Writes what systemd writes for these properties into the cgroup files this directory has."""
    writes = []
    if "MemoryMax" in props:
        writes += [("memory.limit_in_bytes", props["MemoryMax"]), ("memory.max", props["MemoryMax"])]
    if "MemorySwapMax" in props:
        writes.append(("memory.swap.max", props["MemorySwapMax"]))
    if "TasksMax" in props:
        writes.append(("pids.max", props["TasksMax"]))
    if "CPUQuotaPerSecUSec" in props:
        period = props.get("CPUQuotaPeriodUSec", 100000)
        quota = props["CPUQuotaPerSecUSec"] * period // 1000000
        writes += [("cpu.cfs_period_us", period), ("cpu.cfs_quota_us", quota), ("cpu.max", "%d %d" % (quota, period))]
    if "CPUShares" in props:
        writes.append(("cpu.shares", props["CPUShares"]))
    if "CPUWeight" in props:
        writes.append(("cpu.weight", props["CPUWeight"]))
    for name, value in writes:
        path = os.path.join(cgroup, name)
        if os.path.exists(path):
            with open(path, "w") as f:
                f.write(str(value))


class Manager(dbus.service.Object):
    def __init__(self, bus, args):
        super().__init__(bus, "/org/freedesktop/systemd1")
        self.args = args
        self.refuse = args.refuse
        self.units = {}
        self.next_job = 1

    def record(self, entry):
        with open(self.args.record, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def job(self, unit):
        job_id = self.next_job
        self.next_job += 1
        path = "/org/freedesktop/systemd1/job/%d" % job_id
        self.JobRemoved(dbus.UInt32(job_id), dbus.ObjectPath(path), unit, "done")
        return dbus.ObjectPath(path)

    @dbus.service.method(MANAGER, in_signature="ssa(sv)a(sa(sv))", out_signature="o")
    def StartTransientUnit(self, name, mode, properties, aux):
        # Values as JSON text, so that the test compares false with false and 0 with 0, never one with the other.
        props = [[str(k), signature(v), json.dumps(plain(v))] for k, v in properties]
        self.record({"call": "StartTransientUnit", "unit": str(name), "mode": str(mode), "properties": props,
                     "aux": len(aux)})
        if self.refuse and any(k == self.refuse for k, _, _ in props):
            refused, self.refuse = self.refuse, None
            raise dbus.exceptions.DBusException(
                "Cannot set property %s, or unknown property." % refused,
                name="org.freedesktop.DBus.Error.PropertyReadOnly")
        if name in self.units:
            raise dbus.exceptions.DBusException(
                "Unit %s was already loaded or has a fragment file." % name,
                name="org.freedesktop.systemd1.UnitExists")
        pids = next((json.loads(v) for k, _, v in props if k == "PIDs"), [])
        cgroups = []
        for parent in self.args.cgroup_parent or []:
            cgroup = os.path.join(parent, str(name))
            os.mkdir(cgroup)
            cgroups.append(cgroup)
            apply_limits(cgroup, {k: json.loads(v) for k, _, v in props})
            for pid in pids:
                with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
                    f.write(str(pid))
        self.units[str(name)] = {"pids": pids, "cgroups": cgroups}
        return self.job(name)

    @dbus.service.method(MANAGER, in_signature="ss", out_signature="o")
    def StopUnit(self, name, mode):
        self.record({"call": "StopUnit", "unit": str(name), "mode": str(mode)})
        unit = self.units.pop(str(name), None)
        if unit is None:
            raise dbus.exceptions.DBusException(
                "Unit %s not loaded." % name, name="org.freedesktop.systemd1.NoSuchUnit")
        for cgroup in unit["cgroups"]:
            procs = os.path.join(cgroup, "cgroup.procs")
            for _ in range(500):
                with open(procs) as f:
                    left = [int(line) for line in f if line.strip()]
                if not left:
                    break
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                GLib.usleep(10000)
        for cgroup in unit["cgroups"]:
            for _ in range(100):
                try:
                    os.rmdir(cgroup)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    GLib.usleep(10000)
        return self.job(name)

    @dbus.service.method(MANAGER, in_signature="s", out_signature="")
    def ResetFailedUnit(self, name):
        self.record({"call": "ResetFailedUnit", "unit": str(name)})

    @dbus.service.signal(MANAGER, signature="uoss")
    def JobRemoved(self, job_id, job, unit, result):
        pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--address", required=True)
    parser.add_argument("--record", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--refuse")
    parser.add_argument("--cgroup-parent", action="append")
    args = parser.parse_args()
    # A child of the Swift test runner may start with SIGTERM blocked (threads there block signals, and the mask
    # is inherited across exec): unblock it, or stop() waits in vain before its SIGKILL.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    dbus.mainloop.glib.DBusGMainLoop(set_as_default=True)
    bus = dbus.bus.BusConnection(args.address)
    name = dbus.service.BusName("org.freedesktop.systemd1", bus, do_not_queue=True)
    manager = Manager(bus, args)
    loop = GLib.MainLoop()
    GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, loop.quit)
    with open(args.ready, "w") as f:
        f.write("ready\n")
    loop.run()
    del name, manager


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Acceptance test of clusterbox's Marathon /v2 API with the real `marathon` client (0.13.0).

    marathon_acceptance.py http://127.0.0.1:8080 [--deadline SECONDS]

Creates /web (3 × `python3 -m http.server $PORT0`, one port, an HTTP health check every second), waits for its
deployment, reads its tasks and endpoints, scales it to 5 and to 1, changes its cmd and sees `deployment_success` on
/v2/events, kills a task and sees a replacement, lists versions, checks the client's exceptions (409 on a duplicate,
422 with details for cpus=0, 404 after the delete). Prints one line per step; exits 1 with a message on the first
failure, and on its own if the whole run takes longer than the deadline.
"""

# The client's JSON encoder still uses `collections.Iterable`, gone since Python 3.10 (marathon-api.md §13).
import collections
import collections.abc

collections.Iterable = collections.abc.Iterable

import argparse  # noqa: E402
import datetime  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

from marathon import MarathonClient  # noqa: E402
from marathon.exceptions import ConflictError, MarathonHttpError, NotFoundError  # noqa: E402
from marathon.models import MarathonApp, MarathonHealthCheck  # noqa: E402
from marathon.models.app import PortDefinition  # noqa: E402

APP = "/web"
STARTED = time.monotonic()


def say(message):
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def wait_until(what, predicate, timeout, interval=0.2):
    """Polls `predicate` until it returns something truthy; returns that, or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval)
    raise Failure(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Events:
    """Reads `client.event_stream(...)` in a thread and keeps every event; a broken stream is a failure."""

    TYPES = ["event_stream_attached", "deployment_success", "deployment_failed", "deployment_info",
             "status_update_event", "health_status_changed_event", "unhealthy_instance_kill_event"]

    def __init__(self, url, types=TYPES):
        self.client = MarathonClient(url)
        self.types = types
        self.events = []
        self.error = None
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for event in self.client.event_stream(event_types=self.types):
                with self.lock:
                    self.events.append(event)
            self.error = "the event stream ended"
        except Exception as error:  # the client raises on events it cannot read: that is what we look for
            self.error = f"the event stream failed: {type(error).__name__}: {error}"

    def find(self, event_type, **fields):
        with self.lock:
            for event in self.events:
                if event.event_type == event_type and all(getattr(event, k, None) == v for k, v in fields.items()):
                    return event
        return None

    def wait(self, event_type, timeout, **fields):
        def found():
            check(self.error is None, self.error)
            return self.find(event_type, **fields)
        return wait_until(f"{event_type} {fields}", found, timeout, interval=0.05)

    def count(self, event_type):
        with self.lock:
            return sum(1 for event in self.events if event.event_type == event_type)


def deployment_ids(client):
    return {deployment.id for deployment in client.list_deployments()}


def wait_deployment(client, deployment_id, what, timeout=60):
    started = time.monotonic()
    wait_until(f"deployment {deployment_id} ({what})", lambda: deployment_id not in deployment_ids(client), timeout)
    say(f"deployment {deployment_id} ({what}) finished in {time.monotonic() - started:.1f}s")


def running_tasks(client):
    return [task for task in client.list_tasks(APP) if task.state == "TASK_RUNNING"]


def healthy(task):
    return bool(task.health_check_results) and all(result.alive for result in task.health_check_results)


def web_app(instances):
    return MarathonApp(
        cmd="python3 -m http.server $PORT0", cpus=0.1, mem=32, instances=instances,
        port_definitions=[PortDefinition(port=0, name="http", protocol="tcp")],
        health_checks=[MarathonHealthCheck(
            protocol="HTTP", path="/", port_index=0, interval_seconds=1, grace_period_seconds=10,
            timeout_seconds=5, max_consecutive_failures=5)])


def run(url):
    client = MarathonClient(url)
    check(client.ping() is not None, "ping failed")
    info = client.get_info()
    say(f"connected to {info.name} {info.version} at {url} (leader {info.leader})")

    events = Events(url)
    events.wait("event_stream_attached", 10)
    # A second stream takes every event type: the client must be able to read each event clusterbox sends.
    everything = Events(url, types=None)
    everything.wait("event_stream_attached", 10)
    say("event streams attached")

    # Create: 201 with the app and its deployment; wait for it; 3 tasks running and healthy.
    created = client.create_app(APP, web_app(3))
    check(created is not False, "create_app returned False (the answer was not 201)")
    check(created.id == APP and created.instances == 3, f"create answered {created.id} × {created.instances}")
    check(len(created.deployments) == 1, f"the created app shows deployments {created.deployments}")
    say(f"created {created.id}: deployment {created.deployments[0].id}")
    wait_deployment(client, created.deployments[0].id, "create 3 instances")
    events.wait("deployment_success", 10, id=created.deployments[0].id)
    app = client.get_app(APP)
    check(app.tasks_running == 3, f"tasks_running is {app.tasks_running} after the create, expected 3")
    # A check can time out once on a loaded machine (the test suite runs beside it): healthy again within seconds.
    app = wait_until("3 healthy tasks after the create",
                     lambda: (lambda a: a if a.tasks_healthy == 3 else None)(client.get_app(APP)), 15)
    service_port = app.port_definitions[0].port
    check(10000 <= service_port <= 20000, f"the service port is {service_port}, expected one from 10000-20000")

    # Tasks: host, one host port, a start time each.
    tasks = client.list_tasks(APP)
    check(len(tasks) == 3, f"list_tasks shows {len(tasks)} tasks, expected 3")
    for task in tasks:
        check(task.app_id == APP, f"task {task.id} has app_id {task.app_id}")
        check(bool(task.host), f"task {task.id} has no host")
        check(len(task.ports) == 1 and task.ports[0] > 0, f"task {task.id} has ports {task.ports}")
        check(isinstance(task.started_at, datetime.datetime), f"task {task.id} has started_at {task.started_at!r}")
        check(healthy(task), f"task {task.id} is not healthy: {task.health_check_results}")
        say(f"  task {task.id} on {task.host}:{task.ports[0]} started {task.started_at.isoformat()}")

    # Endpoints: one per task port, with the app's service port.
    endpoints = [endpoint for endpoint in client.list_endpoints() if endpoint.app_id == APP]
    check(len(endpoints) == 3, f"list_endpoints shows {len(endpoints)} endpoints of {APP}, expected 3")
    check({(e.task_id, e.task_port) for e in endpoints} == {(t.id, t.ports[0]) for t in tasks},
          f"endpoints {endpoints} do not match tasks {tasks}")
    check(all(e.service_port == service_port for e in endpoints),
          f"endpoints {endpoints}: service port not {service_port}")
    say(f"list_endpoints: {len(endpoints)} endpoints, service port {service_port}")

    # Scale to 5, then to 1.
    for instances in (5, 1):
        result = client.scale_app(APP, instances=instances)
        check(result and "deploymentId" in result, f"scale_app answered {result!r}")
        wait_deployment(client, result["deploymentId"], f"scale to {instances}")
        running = running_tasks(client)
        check(len(running) == instances, f"{len(running)} tasks run after scaling to {instances}")
        app = client.get_app(APP)
        check(app.instances == instances, f"the app has instances {app.instances}, expected {instances}")
        check(app.tasks_healthy == instances, f"tasks_healthy is {app.tasks_healthy}, expected {instances}")
        say(f"scaled to {instances}: {len(running)} tasks running and healthy")

    # Change the command: a rolling restart, seen as deployment_success on the event stream.
    before = {task.id for task in client.list_tasks(APP)}
    new_cmd = "python3 -m http.server --bind 127.0.0.1 $PORT0"
    result = client.update_app(APP, MarathonApp(cmd=new_cmd))
    check(result and "deploymentId" in result, f"update_app answered {result!r}")
    say(f"updated the cmd: deployment {result['deploymentId']}")
    started = time.monotonic()
    success = events.wait("deployment_success", 60, id=result["deploymentId"])
    say(f"deployment_success {success.id} on the event stream after {time.monotonic() - started:.1f}s")
    app = client.get_app(APP)
    check(app.cmd == new_cmd, f"the app's cmd is {app.cmd!r}")
    check(app.tasks_healthy == 1, f"tasks_healthy is {app.tasks_healthy} after the update, expected 1")
    tasks = client.list_tasks(APP)
    check(len(tasks) == 1 and tasks[0].id not in before, f"the task was not replaced: {before} → {tasks}")
    say(f"get_app: cmd {app.cmd!r}, tasks_healthy {app.tasks_healthy}, task {tasks[0].id}")

    # Kill the task: Marathon replaces it.
    victim = tasks[0]
    killed = client.kill_task(APP, victim.id)
    check(getattr(killed, "id", None) == victim.id, f"kill_task answered {killed!r}")
    started = time.monotonic()
    replacement = wait_until(
        "a replacement task", lambda: [t for t in running_tasks(client) if t.id != victim.id and healthy(t)], 30)
    wait_until(f"{victim.id} to leave the task list",
               lambda: all(t.id != victim.id for t in client.list_tasks(APP)), 15)
    say(f"killed {victim.id}; {replacement[0].id} runs and is healthy after {time.monotonic() - started:.1f}s")
    check(client.get_app(APP).instances == 1, "kill_task without scale changed instances")

    # Versions: create, two scalings, the update — newest first.
    versions = client.list_versions(APP)
    check(len(versions) >= 4, f"list_versions shows {versions}, expected at least 4")
    check(all(v.endswith("Z") for v in versions) and versions == sorted(versions, reverse=True),
          f"versions are not UTC timestamps newest first: {versions}")
    old = client.get_version(APP, versions[-1])
    check(old.instances == 3 and old.cmd == "python3 -m http.server $PORT0", f"the first version is {old!r}")
    say(f"list_versions: {len(versions)} versions, the oldest has 3 instances")

    # Errors the client turns into exceptions.
    try:
        client.create_app(APP, web_app(1))
        raise Failure("a duplicate create_app did not raise ConflictError")
    except ConflictError as error:
        say(f"duplicate create: ConflictError {error.status_code} {error.error_message!r}")
    try:
        client.create_app("/zero-cpus", MarathonApp(cmd="sleep 100", cpus=0, mem=32, instances=1))
        raise Failure("create_app with cpus=0 did not raise")
    except (ConflictError, NotFoundError) as error:
        raise Failure(f"create_app with cpus=0 raised {error!r}, expected a 422")
    except MarathonHttpError as error:
        check(error.status_code == 422, f"cpus=0 answered {error.status_code}, expected 422")
        check(bool(error.error_details), f"cpus=0: the 422 has no details: {error.error_message!r}")
        paths = [detail.get("path") for detail in error.error_details]
        check("/cpus" in paths, f"cpus=0: the details do not name /cpus: {error.error_details}")
        say(f"cpus=0: MarathonHttpError 422 {error.error_message!r} {error.error_details}")
    try:
        client.get_app("/zero-cpus")
        raise Failure("the invalid app was stored")
    except NotFoundError:
        pass

    # Delete: the deployment stops the task; the app is gone.
    result = client.delete_app(APP)
    check(result and "deploymentId" in result, f"delete_app answered {result!r}")
    wait_deployment(client, result["deploymentId"], "delete")
    try:
        client.get_app(APP)
        raise Failure(f"get_app({APP}) still answers after the delete")
    except NotFoundError as error:
        say(f"deleted; get_app raises NotFoundError {error.error_message!r}")
    check(not [task for task in client.list_tasks() if task.app_id == APP], "tasks of the deleted app remain")
    check(client.list_apps() == [], f"apps remain: {client.list_apps()}")

    check(events.error is None, events.error)
    everything.wait("app_terminated_event", 10)
    check(everything.error is None, everything.error)
    kinds = sorted({event.event_type for event in everything.events})
    for kind in ("api_post_event", "group_change_success", "deployment_info", "deployment_step_success",
                 "status_update_event", "instance_changed_event", "health_status_changed_event"):
        check(kind in kinds, f"no {kind} on the unfiltered event stream (saw {kinds})")
    say(f"event streams: {len(events.events)} events filtered, {len(everything.events)} unfiltered, all readable: "
        f"{', '.join(kinds)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--deadline", type=float, default=240, help="seconds the whole run may take")
    arguments = parser.parse_args()

    def expire():
        print(f"FAILED: the run took longer than {arguments.deadline:.0f}s", flush=True)
        os._exit(1)
    timer = threading.Timer(arguments.deadline, expire)
    timer.daemon = True
    timer.start()
    try:
        run(arguments.url)
    except Failure as failure:
        print(f"FAILED: {failure}", flush=True)
        sys.exit(1)
    except Exception as error:
        print(f"FAILED: {type(error).__name__}: {error}", flush=True)
        raise
    print(f"PASSED in {time.monotonic() - STARTED:.1f}s", flush=True)


if __name__ == "__main__":
    main()

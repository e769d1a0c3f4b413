"""The dashboard's figures against a running cluster (Benchmarks/dashboard.sh starts it): deploys N instances as
apps /bench-1… of at most --per-app each, waits until the master runs them all, then measures in headless Chromium

- first render: `performance.now()` when the page marked itself rendered (navigation start = 0), over fresh loads,
  with the page's own marks (script start, snapshot received, parsed) for where the time goes;
- event-to-screen: the last /bench-N app scaled by one, SAMPLES times; for each, the page's figure (the master's launch event
  time → the frame applied to the DOM, `window.clusterbox.latencies`) and the wall clock from the scale request
  to the new task count in the DOM (this one includes Marathon taking the next offer)."""

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "dashboard"))
import dashboard_browser  # noqa: E402


def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=180) as response:
        return json.loads(response.read() or b"null")


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


def running_tasks(master):
    state = call("GET", master + "/dashboard/v1/snapshot")
    return sum(1 for t in state["tasks"] if t["state"] == "TASK_RUNNING"), len(state["agents"])


def deploy(master, marathon, instances, per_app, deadline_s=900):
    """/bench-1, /bench-2, … of at most `per_app` instances each, one after the other (each deployment waits for
    the master to run its tasks): one app of 10,000 instances, in a debug build on a busy machine, makes Marathon
    answer offers too late (they are rescinded) and back off; the delay is reset while waiting."""
    started = time.monotonic()
    apps = []
    remaining, index = instances, 0
    while remaining > 0:
        index += 1
        count = min(per_app, remaining)
        remaining -= count
        apps.append((f"/bench-{index}", count))
        call("POST", marathon + "/v2/apps", {
            "id": f"/bench-{index}", "cmd": "sleep 100000", "cpus": 0.1, "mem": 16, "instances": count,
            "portDefinitions": []})
        wanted = instances - remaining
        while time.monotonic() - started < deadline_s:
            # The master's counters: cheap, unlike Marathon's apps with thousands of embedded tasks.
            if call("GET", master + "/metrics/snapshot").get("master/tasks_running", 0) >= wanted:
                break
            # A launch on an offer rescinded meanwhile comes back TASK_DROPPED and Marathon backs off: launch again.
            call("DELETE", marathon + f"/v2/queue/bench-{index}/delay")
            time.sleep(1)
        else:
            raise SystemExit(f"{wanted} tasks were not running after {deadline_s} s")
        print(f"  {wanted} tasks running after {time.monotonic() - started:.1f} s")
    print(f"deployed {instances} tasks in {len(apps)} apps in {time.monotonic() - started:.1f} s")
    return apps


def first_render(driver, url, loads):
    figures = []
    for _ in range(loads):
        driver.get("about:blank")
        driver.get(url + "/")
        rendered = float(dashboard_browser.wait_for(driver, "return document.body.dataset.rendered", 120, "render"))
        marks = driver.execute_script("return window.clusterbox.marks")
        count = driver.execute_script("return window.clusterbox.tasks.size")
        agents = driver.execute_script("return document.getElementById('agents-canvas').dataset.agents")
        figures.append(rendered)
        print(f"  first render {rendered:.0f} ms (script {marks['script']:.0f}, snapshot received "
              f"{marks['snapshot']:.0f}, parsed {marks['parsed']:.0f}); {agents} agents, {count} tasks on the page")
    return figures


WAIT_COUNT = """
const [target, done] = arguments;
const check = () => {
  const b = document.querySelector('#task-states .chip b');
  if (b && Number(b.textContent) >= target) done(Date.now()); else requestAnimationFrame(check);
};
check();
"""


def event_to_screen(driver, url, marathon, app, instances, samples):
    driver.get(url + "/")
    dashboard_browser.wait_for(driver, "return document.body.dataset.rendered", 120, "render")
    page, wall = [], []
    tasks = driver.execute_script("return window.clusterbox.tasks.size")
    for i in range(samples):
        time.sleep(0.5)  # let the previous deployment settle into RUNNING
        before = driver.execute_script("return window.clusterbox.latencies.length")
        sent_ms = time.time() * 1000
        call("DELETE", marathon + f"/v2/queue{app}/delay")
        call("PUT", marathon + f"/v2/apps{app}?force=true", {"instances": instances + i + 1})
        try:
            shown_ms = driver.execute_async_script(WAIT_COUNT, tasks + 1)
        except Exception as error:  # noqa: BLE001 (a launch Marathon dropped: skip the sample, say so)
            print(f"  sample {i + 1}: no new task on screen within the script timeout ({type(error).__name__})")
            tasks = driver.execute_script("return window.clusterbox.tasks.size")
            continue
        tasks = driver.execute_script("return window.clusterbox.tasks.size")
        new = driver.execute_script("return window.clusterbox.latencies.slice(arguments[0])", before)
        parts = driver.execute_script("return window.clusterbox.latencyParts.slice(arguments[0])", before)
        wall.append(shown_ms - sent_ms)
        if new:
            page.append(new[0])
            print(f"  sample {i + 1}: event → DOM {new[0]:.0f} ms (server {parts[0][0]:.0f}, transfer+parse "
                  f"{parts[0][1]:.0f}, render {parts[0][2]:.0f}); request → DOM {shown_ms - sent_ms:.0f} ms")
    return page, wall


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("master")
    parser.add_argument("marathon")
    parser.add_argument("--instances", type=int, default=10000)
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--per-app", type=int, default=500)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--loads", type=int, default=5)
    args = parser.parse_args()
    problem = dashboard_browser.chromium_problem()
    if problem:
        raise SystemExit(problem)
    apps = deploy(args.master, args.marathon, args.instances, args.per_app)
    running, agents = running_tasks(args.master)
    print(f"master: {running} running tasks on {agents} agents")
    driver = dashboard_browser.start(1400, 1000)
    try:
        print("first render:")
        renders = first_render(driver, args.master, args.loads)
        page, wall = event_to_screen(driver, args.master, args.marathon, *apps[-1], args.samples)
        errors = dashboard_browser.console_errors(driver)
    finally:
        driver.quit()
    print(f"first render: median {statistics.median(renders):.0f} ms, max {max(renders):.0f} ms "
          f"({len(renders)} loads; target ≤ 1000 ms)")
    if page:
        print(f"event-to-screen (launch event → DOM, the page's figure): p50 {percentile(page, 50):.0f} ms, "
              f"p99 {percentile(page, 99):.0f} ms ({len(page)} samples; target ≤ 250 ms)")
    print(f"scale request → new task count in the DOM: p50 {percentile(wall, 50):.0f} ms, "
          f"p99 {percentile(wall, 99):.0f} ms ({len(wall)} samples)")
    if errors:
        print(f"console errors: {errors}")
        sys.exit(1)


if __name__ == "__main__":
    main()

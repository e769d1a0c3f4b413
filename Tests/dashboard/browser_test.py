"""The web dashboard in a real headless Chromium, against a running cluster (DashboardBrowserTests starts it and
deploys /web with 2 instances first):

1. the page, its script and stylesheet are served from the binary with their content types and ETags (304 when
   the browser has them), an unknown asset is a 404, and /dashboard/v1/snapshot is one JSON document;
2. the page renders: every agent of the cluster (canvas + its accessible list), /web 2/2 in the Marathon table,
   its tasks in the task table, sentences in the timeline;
3. `clusterbox app scale /web 4`: the two new tasks appear in the table and /web shows 4/4, without a reload (a
   marker set on `window` before is still there after);
4. a screenshot is saved; the browser console holds no error.

Prints PASSED at the end; exits 1 with the reason otherwise."""

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dashboard_browser  # noqa: E402


def http(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def check_assets(base):
    for path, kind in [("/", "text/html"), ("/dashboard/dashboard.js", "text/javascript"),
                       ("/dashboard/dashboard.css", "text/css")]:
        status, headers, body = http(base + path)
        assert status == 200, f"{path}: {status}"
        assert headers.get("Content-Type", "").startswith(kind), f"{path}: {headers.get('Content-Type')}"
        etag = headers.get("ETag")
        assert etag and body, f"{path}: no ETag or empty body"
        again, _, rest = http(base + path, {"If-None-Match": etag})
        assert again == 304 and not rest, f"{path} with its ETag: {again}"
    status, _, _ = http(base + "/dashboard/nope.js")
    assert status == 404, f"an unknown asset answered {status}"
    status, headers, body = http(base + "/dashboard/v1/snapshot")
    assert status == 200 and headers.get("Content-Type", "").startswith("application/json"), status
    snapshot = json.loads(body)
    for key in ["agents", "frameworks", "tasks", "apps", "kube", "services", "timeline", "total"]:
        assert key in snapshot, f"snapshot has no {key}: {sorted(snapshot)}"
    return snapshot


def task_keys(driver, app_name):
    return set(driver.execute_script(
        "return [...document.querySelectorAll('#task-table tr[data-task]')]"
        ".filter(r => r.children[1].textContent === arguments[0]).map(r => r.dataset.task)", app_name))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--cli", required=True, help="the clusterbox binary, for `app scale`")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--agents", type=int, required=True, help="agents the cluster has")
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--deadline", type=float, default=60)
    args = parser.parse_args()

    snapshot = check_assets(args.url)
    hostnames = sorted(agent["hostname"] for agent in snapshot["agents"])
    assert len(hostnames) == args.agents, f"snapshot lists {hostnames}"

    driver = dashboard_browser.start()
    try:
        driver.get(args.url + "/")
        rendered = dashboard_browser.wait_for(
            driver, "return document.body.dataset.rendered", args.deadline, "the first render")
        print(f"first render {float(rendered):.0f} ms after navigation start")
        drawn = driver.execute_script("return document.getElementById('agents-canvas').dataset.agents")
        assert drawn == str(args.agents), f"canvas drew {drawn} agents, the cluster has {args.agents}"
        listed = sorted(driver.execute_script(
            "return [...document.querySelectorAll('#agent-list li')].map(li => li.textContent.split(':')[0])"))
        assert listed == hostnames, f"agent list {listed} != {hostnames}"
        dashboard_browser.wait_for(
            driver, "const c = document.querySelector('#app-table tr[data-app=\"/web\"] .count');"
            "return c && c.textContent === '2/2'", args.deadline, "/web 2/2 in the Marathon table")
        before = task_keys(driver, "web")
        assert len(before) == 2, f"task table shows {sorted(before)} for web"
        dashboard_browser.wait_for(
            driver, "return document.querySelectorAll('#timeline-list li .comp').length > 0", args.deadline,
            "sentences in the timeline")
        dashboard_browser.wait_for(
            driver, "return document.querySelector('#drf-table tr[data-framework]') !== null", args.deadline,
            "a framework in the DRF table")

        driver.execute_script("window.__noReload = 'still here'")
        started = time.monotonic()
        scale = subprocess.run(
            [args.cli, "app", "scale", "/web", "4", "--data-dir", args.data_dir],
            capture_output=True, text=True, timeout=args.deadline)
        assert scale.returncode == 0, f"app scale failed: {scale.stdout} {scale.stderr}"
        dashboard_browser.wait_for(
            driver, "const c = document.querySelector('#app-table tr[data-app=\"/web\"] .count');"
            "return c && c.textContent === '4/4'", args.deadline, "/web 4/4 after the scale")
        after = dashboard_browser.wait_for(
            driver, "return document.querySelectorAll('#task-table tr[data-task]').length >= 4", args.deadline,
            "4 task rows") and task_keys(driver, "web")
        new = after - before
        assert len(after) == 4 and before <= after and len(new) == 2, f"before {sorted(before)}, after {sorted(after)}"
        print(f"scale to 4: new tasks {sorted(new)} on screen {time.monotonic() - started:.2f} s after `app scale`")
        assert driver.execute_script("return window.__noReload") == "still here", "the page was reloaded"
        latencies = driver.execute_script("return window.clusterbox.latencies")
        assert latencies, "no event-to-screen latency was recorded"
        print(f"event-to-screen latencies (ms): {[round(x) for x in latencies[-6:]]}")
        components = driver.execute_script(
            "return [...document.querySelectorAll('#components [data-component]')].map(c => c.dataset.component)")
        assert "master" in components and "marathon" in components, f"timeline components: {components}"

        os.makedirs(os.path.dirname(os.path.abspath(args.screenshot)), exist_ok=True)
        assert driver.save_screenshot(args.screenshot), "no screenshot"
        print(f"screenshot: {args.screenshot}")
        errors = dashboard_browser.console_errors(driver)
        assert not errors, f"console errors: {errors}"
    finally:
        driver.quit()
    print("PASSED")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAILED: {error}")
        sys.exit(1)

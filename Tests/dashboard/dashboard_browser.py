"""Shared by browser_test.py and Benchmarks/dashboard_bench.py: a headless Chromium driven by selenium, with the
browser console kept, and small bounded waits on the page's DOM."""

import os
import shutil
import time


def chromium_problem():
    """Why a headless Chromium cannot run here, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "python package selenium is missing (install.sh installs it into .venv)"
    if not find_binary(["chromium", "chromium-browser", "google-chrome"]):
        return "chromium is not installed (apt-get install chromium chromium-driver)"
    if not find_binary(["chromedriver"]):
        return "chromedriver is not installed (apt-get install chromium-driver)"
    return None


def find_binary(names):
    for name in names:
        path = shutil.which(name) or (f"/usr/bin/{name}" if os.path.exists(f"/usr/bin/{name}") else None)
        if path:
            return path
    return None


def start(width=1400, height=1600):
    """A headless Chromium with its console log kept (`driver.get_log("browser")`)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = find_binary(["chromium", "chromium-browser", "google-chrome"])
    for argument in [
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        f"--window-size={width},{height}",
    ]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=find_binary(["chromedriver"]))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    return driver


def wait_for(driver, script, deadline_s, what, interval_s=0.05):
    """Polls `script` (JavaScript returning a value) until it is truthy; raises after `deadline_s` seconds."""
    end = time.monotonic() + deadline_s
    last = None
    while time.monotonic() < end:
        last = driver.execute_script(script)
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {deadline_s} s waiting for {what} (last value: {last!r})")


def console_errors(driver):
    """The console entries at level SEVERE (JavaScript errors, failed requests)."""
    return [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]

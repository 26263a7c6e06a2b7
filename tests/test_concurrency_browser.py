"""Two dashboards (replicas) serve while a CLI import runs and a browser reloads them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager

import pytest

from leadbridge import store
from tests.app_fixtures import ROOT, build_sample_db
from tests.conftest import write_export
from tests.test_browser import (
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGE_TIMEOUT_MS,
    SERVER_START_TIMEOUT,
    _free_port,
    _require_chromium,
)
from tests.test_concurrency import NEW_LEADS

pytestmark = pytest.mark.browser


@contextmanager
def dashboard(db_file, log):
    port = _free_port()
    command = [sys.executable, "-m", "leadbridge", "dashboard", "--db", str(db_file),
               "--port", str(port), "--address", "127.0.0.1", "--headless"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the dashboard did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def leads_tile(page) -> int:
    """Reload, wait for the run to end, check there is no error, read the Leads tile."""
    page.reload()
    page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
    assert page.locator("[data-testid=stException]").count() == 0, page.inner_text("body")[:2000]
    assert page.locator("[data-testid=stAlertContentError]").count() == 0, page.inner_text("body")[:2000]
    metric = page.locator("[data-testid=stMetric]").filter(has_text="Leads submitted")
    return int(metric.locator("[data-testid=stMetricValue]").inner_text().replace(",", ""))


def test_a_cli_import_while_two_replicas_serve_and_a_browser_reloads(tmp_path):
    _require_chromium()
    from playwright.sync_api import sync_playwright

    db_file = build_sample_db(tmp_path / "company")
    export = write_export(tmp_path / "in" / "leads_k.csv", NEW_LEADS)
    marker = tmp_path / "paused"
    with ExitStack() as stack:
        urls = [stack.enter_context(dashboard(db_file, tmp_path / f"replica{i}.log")) for i in (1, 2)]
        playwright = stack.enter_context(sync_playwright())
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        stack.callback(chromium.close)
        pages = []
        for url in urls:
            page = chromium.new_page(viewport={"width": 1280, "height": 800})
            page.goto(url)
            page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
            pages.append(page)
        seen = [[leads_tile(p)] for p in pages]

        # The import holds the queue inside its transaction (paused before the commit) while
        # both replicas are reloaded, then finishes and publishes while they still are.
        env = {**os.environ, "LEADBRIDGE_TEST_PAUSE_AT": "merging",
               "LEADBRIDGE_TEST_PAUSE_FILE": str(marker)}
        process = subprocess.Popen([sys.executable, "-m", "leadbridge", "import", str(export),
                                    "--db", str(db_file)], cwd=ROOT, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        for page, values in zip(pages, seen, strict=True):
            values.append(leads_tile(page))
        marker.unlink()  # let the import commit and publish, while the replicas are reloaded
        deadline = time.monotonic() + 300
        while process.poll() is None and time.monotonic() < deadline:
            for page, values in zip(pages, seen, strict=True):
                values.append(leads_tile(page))
        for page, values in zip(pages, seen, strict=True):
            values.append(leads_tile(page))
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err

    old = seen[0][0]
    for values in seen:
        changes = [i for i in range(1, len(values)) if values[i] != values[i - 1]]
        assert len(changes) == 1, f"old then new, changing once at the publish: {values}"
        assert values[0] == old and values[-1] == old + 3, values
    assert store.read_pointer(db_file)["number"] == 2

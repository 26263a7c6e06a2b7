"""Journeys in a real browser: Playwright drives Debian's Chromium against the running dashboard.

Screenshots of every page land in test-artifacts/browser/. With LEADBRIDGE_DOC_SCREENSHOTS=1
(`make screenshots`) the Overview and Technicians shots are also written to docs/ for the README.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.app_fixtures import CHART_PAGES, PAGES, ROOT, build_sample_db

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "browser"
DOCS = ROOT / "docs"
SIZES = ((1280, 800), (1920, 1080))
# Chromium flags for a root user on a machine without a network beyond the package registries.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# The Streamlit e2e tests' signal that a script run has finished.
APP_IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
# Seconds: a cold server start imports pandas, plotly and duckdb on a 2-core machine.
SERVER_START_TIMEOUT = 90
PAGE_TIMEOUT_MS = 60_000

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"no Chromium at {CHROMIUM}: install it with `apt-get install -y chromium`"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (.ci/run installs it; in CI a skipped browser test is a failure)")
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on the sample company, served on a free local port."""
    _require_chromium()
    db_file = build_sample_db(tmp_path_factory.mktemp("browser"))
    port = _free_port()
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    env = {**os.environ, "LEADBRIDGE_DB": str(db_file)}
    command = [sys.executable, "-m", "leadbridge", "dashboard", "--db", str(db_file),
               "--port", str(port), "--address", "127.0.0.1", "--headless"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"the dashboard did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def _open(browser, url: str, size: tuple[int, int]):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(url)
    page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
    return page


def _path(name: str) -> str:
    return "" if name == "overview" else name


def _shoot(page, name: str) -> Path:
    """A screenshot of what the window shows, and one of the whole page for review."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    shot = ARTIFACTS / f"{name}_{width}x{height}.png"
    page.screenshot(path=str(shot))
    full = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": width, "height": max(height, int(full))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"{name}_{width}x{height}_full.png"))
    page.set_viewport_size({"width": width, "height": height})
    return shot


def test_a_shared_link_opened_first_on_a_fresh_server_is_routed(server, browser):
    """The server's very first visit goes straight to a page link: it still gets the router."""
    page = _open(browser, f"{server}/technicians?preset=Last+full+month&branch=Boston", SIZES[0])
    try:
        sidebar = page.locator("[data-testid=stSidebar]")
        assert sidebar.get_by_text("Revenue & rewards").count() == 1, "the router's page titles"
        assert sidebar.get_by_text("Branch", exact=True).count() == 1, "the shared filters"
        caption = page.locator("[data-testid=stCaptionContainer]").first.inner_text()
        assert "Oct 2026 · Boston" in caption
    finally:
        page.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_without_errors(server, browser, name, size):
    page = _open(browser, f"{server}/{_path(name)}", size)
    try:
        if name in CHART_PAGES:
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT_MS)
            assert page.locator(".js-plotly-plot").count() >= 3
        assert page.locator("[data-testid=stException]").count() == 0
        assert page.get_by_role("heading", level=1).count() >= 1
        assert page.get_by_text("Numbers as of").count() == 1, "the footer shows the as-of date"
        shot = _shoot(page, name)
        if os.environ.get("LEADBRIDGE_DOC_SCREENSHOTS") and size == SIZES[0] \
                and name in ("overview", "technicians"):
            DOCS.mkdir(exist_ok=True)
            (DOCS / f"screenshot-{name}.png").write_bytes(shot.read_bytes())
    finally:
        page.close()


def test_the_filters_stay_in_the_link_from_page_to_page(server, browser):
    page = _open(browser, f"{server}/technicians?preset=Last+full+month&branch=Boston", SIZES[0])
    try:
        page.get_by_role("link", name="Overview").click()
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        page.wait_for_function("location.search.includes('branch=Boston')", timeout=10_000)
    finally:
        page.close()


def test_an_uploaded_export_is_previewed_imported_and_counted(server, browser, tmp_path):
    export = tmp_path / "leads_from_the_field.csv"
    export.write_text(
        "Lead ID;Created Date;Technician ID;Opportunity Type;Est. Value\n"
        "WEB-1;05.10.2026;0105;Upsell;1.200,00 €\n"
        "WEB-2;06.10.2026;0105;New unit;9.800,00 €\n"
        "WEB-3;07.10.2026;;Upsell;500,00 €\n",
        encoding="utf-8",
    )
    page = _open(browser, f"{server}/data", SIZES[0])
    try:
        page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(export))
        page.get_by_text("Would read").wait_for(timeout=PAGE_TIMEOUT_MS)
        preview = page.locator("[data-testid=stMarkdownContainer]", has_text="Would read").inner_text()
        assert "Table leads" in preview and "3 rows" in preview and "1 rejected" in preview
        page.get_by_role("button", name="Import").click()
        page.get_by_text("leads_from_the_field.csv → leads").wait_for(timeout=PAGE_TIMEOUT_MS)
        done = page.get_by_text("leads_from_the_field.csv → leads").inner_text()
        assert "read 3 = 2 new" in done and "1 rejected" in done
        # The rejects table is a canvas grid; its cells exist in the DOM for screen readers.
        page.locator("[role=gridcell]", has_text="required value is missing").first.wait_for(
            state="attached", timeout=PAGE_TIMEOUT_MS)
        _shoot(page, "data_after_upload")
    finally:
        page.close()


def test_the_meeting_page_walks_slide_by_slide_on_a_projector(server, browser):
    """A facilitator clicks Next through the October meeting of one branch at 1920x1080; each
    slide is saved as test-artifacts/browser/meeting_slide_NN_1920x1080.png."""
    page = _open(browser, f"{server}/meeting?branch=Boston", SIZES[1])
    counter = page.locator("[data-testid=stMarkdownContainer]").filter(
        has_text=re.compile(r"^\d+ / \d+$"))
    next_button = page.locator(".st-key-meeting_slide_next button")
    try:
        total = int(counter.inner_text().split(" / ")[1])
        assert total > 10
        titles = []
        for number in range(1, total + 1):
            assert counter.inner_text() == f"{number} / {total}"
            page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
            if number > 1:  # every slide after the numbers draws a chart or a table
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT_MS)
            page.wait_for_timeout(300)
            assert page.locator("[data-testid=stException]").count() == 0
            titles.append(page.get_by_role("heading", level=1).first.inner_text())
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"meeting_slide_{number:02d}_1920x1080.png"))
            if number < total:
                next_button.click()
                counter.filter(has_text=f"{number + 1} / {total}").wait_for(
                    timeout=PAGE_TIMEOUT_MS)
        assert next_button.is_disabled(), "the last slide has no next"
        assert titles[0] == "October 2026 in numbers"
        assert titles[-1] == "The last 12 months"
        assert any(t.startswith("Closing the loop (2/") for t in titles)
        page.keyboard.press("ArrowLeft")
        counter.filter(has_text=f"{total - 1} / {total}").wait_for(timeout=PAGE_TIMEOUT_MS)
    finally:
        page.close()


def test_the_whole_closed_list_opens_under_its_slide(server, browser):
    """'All N rows' fetches the month's closed leads when opened (not before), sortable and
    downloadable; saved as test-artifacts/browser/meeting_all_rows_1920x1080.png."""
    page = _open(browser, f"{server}/meeting?branch=Boston", SIZES[1])
    try:
        heading = page.get_by_role("heading", level=1).first
        for _ in range(12):  # Next until the first closing-the-loop slide
            if heading.inner_text().startswith("Closing the loop"):
                break
            before = heading.inner_text()
            page.locator(".st-key-meeting_slide_next button").click()
            page.get_by_role("heading", level=1).filter(has_not_text=before).first.wait_for(
                timeout=PAGE_TIMEOUT_MS)
        assert heading.inner_text().startswith("Closing the loop (1/")
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        assert page.locator("[data-testid=stExpander] [data-testid=stDataFrame]").count() == 0
        page.get_by_text(re.compile(r"^All \d+ rows: sort, download")).click()
        page.locator("[data-testid=stExpander] [data-testid=stDataFrame]").wait_for(
            timeout=PAGE_TIMEOUT_MS)
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        assert page.get_by_role("button", name="Download CSV").count() >= 1
        assert page.locator("[data-testid=stException]").count() == 0
        page.wait_for_timeout(500)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "meeting_all_rows_1920x1080.png"), full_page=True)
    finally:
        page.close()

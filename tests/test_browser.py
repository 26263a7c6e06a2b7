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
from datetime import date
from pathlib import Path

import pytest

from leadbridge import access, policy, sample
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


# The database the module's server serves (its access log lies beside it).
SERVED: dict[str, Path] = {}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on the sample company, served on a free local port."""
    _require_chromium()
    db_file = build_sample_db(tmp_path_factory.mktemp("browser"))
    key = policy.add(sample.REWARD_POLICY_TEXT, db_file)  # as `make import-sample` does
    policy.use(key, date(2024, 11, 1), db_file)
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
    SERVED["db"] = db_file
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


# Streamlit draws a grey skeleton for an element until the code of its kind has loaded (metrics,
# tables, pickers, buttons, charts): an element's text is not there before.
NO_SKELETON = "() => !document.querySelector('[data-testid=stSkeleton]')"
# A tab drawn only when opened (ui.lazy_tabs) is empty until the rerun its click starts has drawn
# it: the open tab's panel has content again (the app may still look idle right after the click).
OPEN_TAB_DRAWN = ("() => { const p = [...document.querySelectorAll('[role=tabpanel]')]"
                  ".filter(e => !e.hidden && e.offsetParent !== null);"
                  " return p.length > 0 && p.every(e =>"
                  " e.querySelector('[data-testid=stElementContainer]')); }")


# At least n Plotly charts, each drawn (a chart draws several .main-svg layers, one after another).
CHARTS_DRAWN = ("(n) => { const c = [...document.querySelectorAll('.js-plotly-plot')];"
                " return c.length >= n && c.every(e => e.querySelector('.main-svg')); }")


def open_tab(page, label: str) -> None:
    """Click a tab and wait until its content is drawn (no skeleton left)."""
    page.get_by_role("tab", name=label).click()
    page.wait_for_function(OPEN_TAB_DRAWN, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(NO_SKELETON, timeout=PAGE_TIMEOUT_MS)


def _open(browser, url: str, size: tuple[int, int]):
    """A new tab at the URL, once the script run has finished and every element is drawn."""
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(url)
    page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(NO_SKELETON, timeout=PAGE_TIMEOUT_MS)
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
            # The page's charts, each drawn, not the first drawing only.
            page.wait_for_function(CHARTS_DRAWN, arg=CHART_PAGES[name], timeout=PAGE_TIMEOUT_MS)
            assert page.locator(".js-plotly-plot").count() >= CHART_PAGES[name]
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
        assert "The last 12 months" in titles
        assert titles[-1] == "Ready for an optional meeting"
        assert any(t.startswith("Who was here in Oct 2026") for t in titles)
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


def test_a_leads_story_opens_from_the_technicians_lead_list(server, browser):
    """Select a tech's row in the leaderboard, then a lead of their list: its timeline opens
    below, submitted first; saved as test-artifacts/browser/lead_story_1280x800.png."""
    page = _open(browser, f"{server}/technicians", SIZES[0])
    try:
        assert page.locator(".st-key-tech_leads_story").count() == 0, "no tech picked yet"
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        board = page.locator(".st-key-leaderboard_pick [data-testid=stDataFrameResizable]")
        board.scroll_into_view_if_needed()
        # The first tech's row: the box at its left, below the header row (35 px rows).
        board.click(position={"x": 20, "y": 35 + 17})
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        picker = page.locator(".st-key-tech_leads_story")
        picker.wait_for(timeout=PAGE_TIMEOUT_MS)
        picker.scroll_into_view_if_needed()
        picker.get_by_role("combobox").click()
        first = page.locator("[role=option]").first
        first.wait_for(timeout=PAGE_TIMEOUT_MS)
        lead_id = first.inner_text().split(" · ")[0]
        first.click()
        story = page.locator(".st-key-tech_leads_timeline")
        story.wait_for(timeout=PAGE_TIMEOUT_MS)
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        assert story.get_by_text("The lead's story").count() == 1
        assert story.get_by_text(lead_id).count() >= 1
        story.locator("[role=gridcell]", has_text="Submitted").first.wait_for(
            state="attached", timeout=PAGE_TIMEOUT_MS)
        assert page.locator("[data-testid=stException]").count() == 0
        story.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lead_story_1280x800.png"))
    finally:
        page.close()


def test_the_lead_quality_page_names_the_flagged_techs(server, browser):
    """The Lead quality page of the sample's last 12 months: the reward farmer and the month-end
    buncher, and the leads behind the buncher's signal; saved as
    test-artifacts/browser/lead_quality_drill_1280x800.png."""
    page = _open(browser, f"{server}/lead_quality", SIZES[0])
    try:
        page.locator("[role=gridcell]", has_text="Robert Hughes").first.wait_for(
            state="attached", timeout=PAGE_TIMEOUT_MS)
        assert page.get_by_role("heading", name="Techs worth a look (2)").count() == 1
        picker = page.locator(".st-key-quality_month_end_tech")
        picker.scroll_into_view_if_needed()
        picker.get_by_role("combobox").click()
        page.locator("[role=option]", has_text="José Ortiz").click()
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        page.locator(".st-key-quality_month_end [data-testid=stDataFrame]").nth(1).wait_for(
            timeout=PAGE_TIMEOUT_MS)
        assert page.locator("[data-testid=stException]").count() == 0
        page.wait_for_timeout(800)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "lead_quality_drill_1280x800.png"))
    finally:
        page.close()


def _dollars(text: str) -> float:
    """A compact money tile ($774.6k, $2.5M) as dollars."""
    scale = {"k": 1e3, "M": 1e6, "B": 1e9}.get(text[-1], 1)
    return float(text.strip("$kMB").replace(",", "")) * scale


def _tile(page, label: str) -> str:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=label).first
    return metric.locator("[data-testid=stMetricValue]").inner_text()


def test_a_manager_audits_payroll_and_tries_another_policy(server, browser, tmp_path):
    """Audit tab: the tiles, then the corrections payroll gets; What if: a changed amount in the
    rules table changes the simulated cost."""
    page = _open(browser, f"{server}/rewards?preset=All+data", SIZES[0])
    try:
        assert page.get_by_text("Policy in force since Nov 1, 2024").count() == 1
        assert _tile(page, "Unpaid").startswith("$")
        _shoot(page, "rewards_audit")
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)  # after the shot's resizes
        page.wait_for_function(NO_SKELETON, timeout=PAGE_TIMEOUT_MS)
        with page.expect_download(timeout=PAGE_TIMEOUT_MS) as download:
            page.get_by_role("button", name="Download corrections for payroll (CSV)").click()
        saved = tmp_path / "corrections.csv"
        download.value.save_as(saved)
        lines = saved.read_text().splitlines()
        assert lines[0] == "tech_id,tech_name,lead_id,action,amount,why"
        planted = [line for line in lines if ",L-100407," in line]  # paid to the wrong tech
        assert len(planted) == 2 and ",recover,-25.0," in planted[0] and ",pay,25.0," in planted[1]
        assert any(",L-100404,pay,25.0," in line for line in lines)  # never paid
        # written to the access log, as every download is (it holds per-person money)
        logged = access.read_log(SERVED["db"].parent)
        assert "rewards: corrections for payroll (CSV)" in set(logged["what"])

        open_tab(page, "What if")
        page.get_by_text("Change the rules below").wait_for(timeout=PAGE_TIMEOUT_MS)
        before = _tile(page, "Simulated cost")
        editor = page.locator("[data-testid=stDataFrame]:visible").first
        editor.scroll_into_view_if_needed()
        box = editor.bounding_box()
        # Row 1's "Amount ($)" cell: the third column after the row selector (about 300 px in).
        page.mouse.dblclick(box["x"] + 300, box["y"] + 35 + 17)
        page.wait_for_timeout(700)
        page.keyboard.press("Control+A")
        page.keyboard.type("300", delay=80)
        page.wait_for_timeout(300)
        page.keyboard.press("Enter")
        page.wait_for_timeout(1000)
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        page.get_by_text("$300 for every lead").first.wait_for(timeout=PAGE_TIMEOUT_MS)
        after = _tile(page, "Simulated cost")
        assert after != before
        assert _dollars(after) > _dollars(before) + 6000 * 250  # $275 more on some 6,000 leads
        _shoot(page, "rewards_what_if")

        # Only the open tab is drawn: the changed rules outlast a visit to the Audit tab.
        open_tab(page, "Audit")
        page.get_by_text("Leads to fix").wait_for(timeout=PAGE_TIMEOUT_MS)
        open_tab(page, "What if")
        page.get_by_text("with the changes you made before").wait_for(timeout=PAGE_TIMEOUT_MS)
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        assert page.get_by_text("$300 for every lead").count() == 1
        assert _tile(page, "Simulated cost") == after
    finally:
        page.close()

"""In Chromium: names from hostile exports never become links or markup on any page, and a
download clicked on a long list gives a valid file with every row. Screenshots land in
test-artifacts/browser/ (hostile_<page>.png)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from benchmarks.browser import start_server, stop_server
from leadbridge import db, metrics
from leadbridge.metrics import Filters
from tests.app_fixtures import CHART_TABS, PAGES, build_hostile_db, build_sample_db
from tests.test_browser import (
    APP_IDLE,
    ARTIFACTS,
    CHARTS_DRAWN,
    NO_SKELETON,
    PAGE_TIMEOUT_MS,
    SIZES,
    _path,
    _require_chromium,
    browser,  # noqa: F401 - the shared Chromium fixture
    open_tab,
)

pytestmark = pytest.mark.browser

# Links to the hostile site in HTML or SVG (Plotly writes xlink:href), and markup from data.
FOUND_JS = """() => {
  const links = [...document.querySelectorAll('a')].map(
      a => a.getAttribute('href') || a.getAttribute('xlink:href') || '');
  const bold = [...document.querySelectorAll('b, strong, i, em')].map(e => e.textContent);
  const scripts = [...document.querySelectorAll('script')].map(s => s.textContent);
  return {
    evil: links.filter(h => h.includes('evil.example') || h.startsWith('javascript:')),
    markup: bold.filter(t => /Bold Bob|Prov|Strong Steve|Rita|Inc/.test(t)),
    scripts: scripts.filter(t => t.includes('alert(')),
    shown: document.body.innerText.includes('<script>alert(1)</script> Sam'),
  };
}"""


def _serve(db_file, tmp_path_factory):
    _require_chromium()
    log = tmp_path_factory.mktemp("log") / "streamlit.log"
    process, url = start_server(db_file, log)
    return process, url


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    process, url = _serve(build_hostile_db(tmp_path_factory.mktemp("hostile")), tmp_path_factory)
    yield url
    stop_server(process)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    db_file = build_sample_db(tmp_path_factory.mktemp("downloads"))
    process, url = _serve(db_file, tmp_path_factory)
    yield url, db_file
    stop_server(process)


@pytest.mark.parametrize("name", list(PAGES))
def test_no_link_or_markup_from_hostile_names_on_any_page(hostile_server, browser, name):  # noqa: F811
    page = browser.new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    try:
        page.goto(f"{hostile_server}/{_path(name)}?preset=All+data")
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        if name == "meeting":  # from the numbers to the top lead generators' charts
            page.locator(".st-key-meeting_slide_next button").click()
        # Only the open tab is drawn: every tab in turn (the hostile branch is on the by-branch
        # charts, the hostile techs on the what-if's).
        others = ("What if",) if name == "rewards" else tuple(CHART_TABS.get(name, ("", {}))[1])[1:]
        for tab in (None, *others):
            if tab is not None:
                open_tab(page, tab)
            if name not in ("data", "lead_quality") and (name, tab) != ("rewards", None):
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT_MS)
                page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
            page.wait_for_function(NO_SKELETON, timeout=PAGE_TIMEOUT_MS)
            page.wait_for_function(CHARTS_DRAWN, arg=0, timeout=PAGE_TIMEOUT_MS)  # every one
            page.wait_for_timeout(500)
            found = page.evaluate(FOUND_JS)
            assert found["evil"] == [], "a live link from data"
            assert found["markup"] == [], "bold or italics from data"
            assert found["scripts"] == [], "a script from data"
            if name in ("technicians", "meeting") and tab is None:
                assert found["shown"], "the hostile name is shown as written"
            assert page.locator("[data-testid=stException]").count() == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"hostile_{name}.png"), full_page=True)
    finally:
        page.close()


def test_a_download_clicked_on_a_long_list_is_a_valid_file_with_every_row(sample, browser):  # noqa: F811
    url, db_file = sample
    expected = metrics.run(db.connect(db_file), "leads_awaiting_contact",
                           Filters.months("2024-11", "2026-10"))
    page = browser.new_page(viewport={"width": SIZES[0][0], "height": SIZES[0][1]})
    try:
        page.goto(f"{url}/follow_up?preset=All+data")
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        buttons = page.locator(".st-key-waiting_csv button")
        with page.expect_download(timeout=PAGE_TIMEOUT_MS) as done:
            buttons.click()
        data = done.value.path().read_text(encoding="utf-8")
        assert done.value.suggested_filename.startswith("leadbridge_follow-up_awaiting-contact_")
        rows = list(csv.DictReader(io.StringIO(data)))
        assert len(rows) == len(expected) > 0
        assert [r["lead_id"] for r in rows] == list(expected["lead_id"])
        with page.expect_download(timeout=PAGE_TIMEOUT_MS) as done:
            page.locator(".st-key-waiting_xlsx button").click()
        book = zipfile.ZipFile(io.BytesIO(done.value.path().read_bytes()))
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        assert sheet.count("<row ") == len(expected) + 1, "the header and every row"
        page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.close()

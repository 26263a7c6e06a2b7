"""Signing in for real: a local OpenID Connect provider, the dashboard with [auth] and an access
file on the sample company, and Chromium signing in as each person of ACCESS.md's roles.

The provider (oidc-provider-mock) runs in this process; the dashboard is `leadbridge dashboard
--secrets FILE --access FILE` in a subprocess, so st.login, the provider's discovery document,
the code exchange, the identity cookie and st.logout all run as in production. Each person signs
in by typing their subject on the provider's form; the provider hands the dashboard their email
and name claims. Screenshots land in test-artifacts/signin/.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.app_fixtures import ROOT, build_sample_db
from tests.test_browser import (
    APP_IDLE,
    CHROMIUM,
    CHROMIUM_ARGS,
    NO_SKELETON,
    PAGE_TIMEOUT_MS,
    SERVER_START_TIMEOUT,
    _free_port,
    _require_chromium,
    open_tab,
)

ARTIFACTS = ROOT / "test-artifacts" / "signin"
BRANCHES = ("Boston", "Hartford", "Providence", "Worcester")

ACCESS_TOML = """\
[[person]]
email = "dana@example.com"
name = "Dana Reyes"
role = "exec"

[[person]]
email = "sam@example.com"
name = "Sam Ortiz"
role = "manager"
branches = ["Boston"]

[[person]]
email = "vic@example.com"
name = "Vic Lane"
role = "viewer"
branches = ["Hartford"]
"""

# What the provider knows: subject -> claims. The subject is not the email, and Dana's email is
# written in another case than in the access file: the dashboard goes by the email claim.
USERS = {
    "dana-0001": {"email": "Dana@Example.com", "name": "Dana Reyes"},
    "sam-0002": {"email": "sam@example.com", "name": "Sam Ortiz"},
    "vic-0003": {"email": "vic@example.com", "name": "Vic Lane"},
    "nobody-0004": {"email": "nobody@example.com", "name": "No Body"},
}

ALL_PAGES = ("overview", "technicians", "conversion", "lead_quality", "revenue_rewards",
             "rewards", "meeting", "follow_up", "data")
TITLES = {"overview": "Overview", "technicians": "Technicians", "conversion": "Conversion",
          "lead_quality": "Lead quality", "revenue_rewards": "Revenue & rewards",
          "rewards": "Reward program", "meeting": "Monthly meeting",
          "follow_up": "Sales follow-up", "data": "Data"}
# Pages without a chart on first view (Lead quality lists; the meeting opens on numbers).
NO_CHART = ("lead_quality", "meeting")
# The tabs drawn only when opened that show other things (Reward program's What if) or branches.
OTHER_TABS = {"rewards": ("What if",), "conversion": ("By branch",),
              "revenue_rewards": ("Revenue by branch",)}
# Per-person money (ACCESS.md): revenue attributed, reward cost, revenue per reward dollar, the
# payouts of one person, the revenue credited to one tech's lead.
PERSON_MONEY = {"revenue_attributed", "reward_cost", "revenue_per_reward_dollar", "amount",
                "clawback_amount", "revenue"}
PERSON_COLUMNS = {"tech_id", "tech_name", "sales_rep"}

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def provider():
    """The OpenID Connect provider, on a free local port, knowing USERS."""
    _require_chromium()
    import oidc_provider_mock

    users = [oidc_provider_mock.User(sub=sub, claims=claims) for sub, claims in USERS.items()]
    with oidc_provider_mock.run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory, provider):
    """The dashboard with sign-in on the sample company: its URL and its data folder."""
    folder = tmp_path_factory.mktemp("signin")
    db_file = build_sample_db(folder)
    access_file = folder / "access.toml"
    access_file.write_text(ACCESS_TOML, encoding="utf-8")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "leadbridge"\n'
        'client_secret = "not-a-secret-in-a-test"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    log = folder / "streamlit.log"
    command = [sys.executable, "-m", "leadbridge", "dashboard", "--db", str(db_file),
               "--port", str(port), "--address", "127.0.0.1", "--headless",
               "--secrets", str(secrets_file), "--access", str(access_file)]
    env = {k: v for k, v in os.environ.items() if k not in ("LEADBRIDGE_ACCESS", "LEADBRIDGE_DB")}
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
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
    yield url, db_file.parent
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


# --- driving the browser ----------------------------------------------------------------------


def _idle(page) -> None:
    page.wait_for_selector(APP_IDLE, timeout=PAGE_TIMEOUT_MS)


def _sign_in(browser, url: str, subject: str):
    """A fresh browser (no cookies) that signs in as `subject` on the provider's form."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.goto(url)
    _idle(page)
    assert page.locator(".js-plotly-plot").count() == 0, "no data before signing in"
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").wait_for(timeout=PAGE_TIMEOUT_MS)
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(re.compile(re.escape(url) + r"/?(\?.*)?$"), timeout=PAGE_TIMEOUT_MS)
    page.get_by_role("heading", level=1).first.wait_for(timeout=PAGE_TIMEOUT_MS)
    _idle(page)
    return context, page


def _shoot(page, name: str) -> None:
    """The whole page (Streamlit scrolls inside its main area: the window is made that tall)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _idle(page)
    width, height = page.viewport_size["width"], page.viewport_size["height"]
    full = page.evaluate("document.querySelector('[data-testid=stMain]')?.scrollHeight || 0")
    page.set_viewport_size({"width": width, "height": max(height, int(full))})
    page.wait_for_timeout(800)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    page.set_viewport_size({"width": width, "height": height})


def _open_page(page, url: str, key: str) -> None:
    page.goto(f"{url}/{'' if key == 'overview' else key}")
    _idle(page)
    page.get_by_role("heading", level=1).first.wait_for(timeout=PAGE_TIMEOUT_MS)
    # Every element drawn (no skeleton): a table's download button must be there to be counted.
    page.wait_for_function(NO_SKELETON, timeout=PAGE_TIMEOUT_MS)


def _nav_titles(page) -> set[str]:
    nav = page.locator("[data-testid=stSidebarNav]")
    links = nav.locator("[data-testid=stSidebarNavLink]").all_inner_texts()
    return {link.strip().splitlines()[-1] for link in links}  # the icon's name comes first


def _text(page) -> str:
    """Everything the page shows as text: main area (charts' SVG text included) and sidebar."""
    return page.locator("[data-testid=stApp]").inner_text()


def _open_expanders(page) -> None:
    for details in page.locator("[data-testid=stExpander] details").all():
        summary = details.locator("summary")
        if summary.is_visible() and details.get_attribute("open") is None:  # a click closes one
            summary.click()
            # an expander drawn only while open (ui.lazy_expander) fills after the rerun it starts
            details.locator("[data-testid=stExpanderDetails]").locator(
                "[data-testid=stDataFrame], [data-testid=stMarkdownContainer]").first.wait_for(
                timeout=PAGE_TIMEOUT_MS)
            _idle(page)


def _csv_downloads(page) -> list[tuple[str, list[dict]]]:
    """Every table's CSV on the page (expanders opened first): (file name, rows)."""
    _open_expanders(page)
    tables = []
    buttons = page.get_by_role("button", name="Download CSV")
    for index in range(buttons.count()):
        button = buttons.nth(index)
        if not button.is_visible():
            continue
        # A click reruns the page (the download is logged), and a rerun drops the previous run's
        # deferred files: click the next one only once the page is idle, as a person would.
        page.wait_for_timeout(300)  # the previous click's rerun has begun by then
        _idle(page)
        with page.expect_download(timeout=PAGE_TIMEOUT_MS) as info:
            button.click()
        download = info.value
        text = Path(download.path()).read_text(encoding="utf-8-sig")
        tables.append((download.suggested_filename, list(csv.DictReader(io.StringIO(text)))))
    return tables


def _no_exception(page, key: str) -> None:
    errors = page.locator("[data-testid=stException]").all_inner_texts()
    if errors:
        _shoot(page, f"error_{key}")
    assert not errors, f"{key}: {errors}"


def _assert_deck_has_only(page, allowed: set[str]) -> None:
    """The meeting's deck, downloaded as the person: no other branch on any slide."""
    from pptx import Presentation

    with page.expect_download(timeout=PAGE_TIMEOUT_MS) as info:
        page.get_by_role("button", name="Deck").click()
    deck = Presentation(info.value.path())
    text = []
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                text.append(shape.text_frame.text)
            if shape.has_table:
                text += [cell.text for row in shape.table.rows for cell in row.cells]
            if getattr(shape, "has_chart", False) and shape.has_chart:
                for plot in shape.chart.plots:
                    text += [str(c) for c in plot.categories]
                    text += [s.name for s in plot.series]
    joined = "\n".join(text)
    assert len(deck.slides) > 5 and "Boston" in joined
    for branch in BRANCHES:
        if branch not in allowed:
            assert branch not in joined, f"the deck shows {branch}"


def _assert_only_branches(page, key: str, allowed: set[str], tables) -> None:
    hidden = [b for b in BRANCHES if b not in allowed]
    text = _text(page)
    for branch in hidden:
        assert branch not in text, f"{key}: the page shows {branch}"
    for name, rows in tables:
        for row in rows:
            for column, value in row.items():
                assert value not in hidden, f"{key}: {name} has {column} = {value}"
                if column == "branch":
                    assert value in allowed | {""}, f"{key}: {name} has branch {value}"


# --- the journeys -----------------------------------------------------------------------------


def test_an_exec_signs_in_sees_everything_and_signs_out(dashboard, browser):
    url, data_dir = dashboard
    context, page = _sign_in(browser, url, "dana-0001")
    try:
        sidebar = page.locator("[data-testid=stSidebar]")
        assert sidebar.get_by_text("Dana Reyes").count() == 1
        assert sidebar.get_by_text(re.compile("Executive")).count() == 1
        assert _nav_titles(page) == set(TITLES.values())
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT_MS)
        text = _text(page)
        _shoot(page, "exec_overview")
        _open_page(page, url, "conversion")
        open_tab(page, "By branch")
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT_MS)
        text = _text(page)
        assert all(b in text for b in BRANCHES), "an exec sees every branch"
        _open_page(page, url, "data")
        page.get_by_role("tab", name="Access").click()
        _idle(page)
        page.get_by_text("Access log").wait_for(timeout=PAGE_TIMEOUT_MS)
        for email in ("dana@example.com", "sam@example.com", "vic@example.com"):
            page.locator("[role=gridcell]", has_text=email).first.wait_for(
                state="attached", timeout=PAGE_TIMEOUT_MS)
        _shoot(page, "exec_data_access")
        log = (data_dir / "access.log").read_text(encoding="utf-8")
        assert '"who": "dana@example.com", "action": "sign-in"' in log

        page.get_by_role("button", name="Sign out").click()
        # The provider asks to confirm the end of its session, then sends the browser back.
        confirm = page.get_by_role("button", name="End session")
        confirm.wait_for(timeout=PAGE_TIMEOUT_MS)
        confirm.click()
        page.wait_for_url(re.compile(re.escape(url) + r"/?(\?.*)?$"), timeout=PAGE_TIMEOUT_MS)
        page.get_by_role("button", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
        _idle(page)
        assert page.locator(".js-plotly-plot").count() == 0
        _shoot(page, "exec_signed_out")
        page.goto(f"{url}/technicians")
        page.get_by_role("button", name="Sign in").wait_for(timeout=PAGE_TIMEOUT_MS)
        assert page.locator(".js-plotly-plot").count() == 0, "still signed out"
    finally:
        context.close()


def test_a_boston_manager_sees_boston_only_on_every_page_and_table(dashboard, browser):
    url, data_dir = dashboard
    context, page = _sign_in(browser, url, "sam-0002")
    try:
        sidebar = page.locator("[data-testid=stSidebar]")
        assert sidebar.get_by_text("Sam Ortiz").count() == 1
        assert sidebar.get_by_text(re.compile("Service manager")).count() == 1
        # A manager may open every page but Data (no can_import in the access file).
        assert _nav_titles(page) == set(TITLES.values()) - {"Data"}
        money_seen = False
        for key in ALL_PAGES[:-1]:
            _open_page(page, url, key)
            for tab in (None, *OTHER_TABS.get(key, ())):  # only the open tab is drawn
                if tab is not None:
                    open_tab(page, tab)
                if key not in NO_CHART and (key, tab) != ("rewards", None):
                    page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT_MS)
                _no_exception(page, key)
                _shoot(page, f"manager_{key}" + (f"_{tab.replace(' ', '_')}" if tab else ""))
                if key == "meeting":
                    _assert_deck_has_only(page, {"Boston"})
                tables = _csv_downloads(page)
                _no_exception(page, key)
                _assert_only_branches(page, key, {"Boston"}, tables)
                money_seen |= any(PERSON_MONEY & set(rows[0]) for _, rows in tables if rows)
        assert money_seen, "a manager sees per-person money in their branch"
        log = (data_dir / "access.log").read_text(encoding="utf-8")
        assert '"who": "sam@example.com", "action": "deck"' in log
        _open_page(page, url, "data")
        assert "not open to you" in _text(page)
        assert page.locator("[data-testid=stFileUploaderDropzoneInput]").count() == 0
        _shoot(page, "manager_data_refused")
        # A link naming another branch: a clear message and no data.
        page.goto(f"{url}/technicians?branch=Hartford")
        _idle(page)
        assert "Not your branch" in _text(page)
        assert page.locator(".js-plotly-plot").count() == 0
        assert page.locator("[data-testid=stDataFrame]").count() == 0
        _shoot(page, "manager_other_branch_link")
    finally:
        context.close()


def test_a_viewer_sees_their_pages_and_branch_without_per_person_money(dashboard, browser):
    url, _ = dashboard
    context, page = _sign_in(browser, url, "vic-0003")
    try:
        sidebar = page.locator("[data-testid=stSidebar]")
        assert sidebar.get_by_text("Vic Lane").count() == 1
        assert sidebar.get_by_text(re.compile("Viewer")).count() == 1
        assert _nav_titles(page) == {"Overview", "Technicians", "Conversion",
                                     "Revenue & rewards"}
        for key in ("overview", "technicians", "conversion", "revenue_rewards"):
            _open_page(page, url, key)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=PAGE_TIMEOUT_MS)
            _no_exception(page, key)
            _shoot(page, f"viewer_{key}")
            tables = _csv_downloads(page)
            _no_exception(page, key)
            assert tables, f"{key}: the viewer's tables download"
            _assert_only_branches(page, key, {"Hartford"}, tables)
            for name, rows in tables:
                columns = set(rows[0]) if rows else set()
                if columns & PERSON_COLUMNS:
                    assert not columns & PERSON_MONEY, f"{key}: {name} has per-person money"
        for key in ("lead_quality", "rewards", "meeting", "follow_up", "data"):
            _open_page(page, url, key)
            assert "not open to you" in _text(page), key
            assert page.locator(".js-plotly-plot").count() == 0
            assert page.locator("[data-testid=stDataFrame]").count() == 0
        _shoot(page, "viewer_data_refused")
    finally:
        context.close()


def test_someone_not_in_the_access_file_sees_who_to_ask_and_no_data(dashboard, browser):
    url, data_dir = dashboard
    context, page = _sign_in(browser, url, "nobody-0004")
    try:
        text = _text(page)
        assert "not on LeadBridge's access list" in text
        assert "nobody@example.com" in text and "Dana Reyes" in text, "who to ask"
        assert not any(b in text for b in BRANCHES)
        assert page.locator(".js-plotly-plot").count() == 0
        assert page.locator("[data-testid=stDataFrame]").count() == 0
        assert page.locator("[data-testid=stSidebarNav]").count() == 0
        _shoot(page, "not_in_access_file")
        page.goto(f"{url}/technicians?branch=Boston")
        _idle(page)
        assert page.locator(".js-plotly-plot").count() == 0
        assert "not on LeadBridge's access list" in _text(page)
        page.get_by_role("button", name="Sign out").wait_for(timeout=PAGE_TIMEOUT_MS)
        log = (data_dir / "access.log").read_text(encoding="utf-8")
        assert '"who": "nobody@example.com", "action": "sign-in refused"' in log
    finally:
        context.close()

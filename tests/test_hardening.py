"""Hardening (issue 11): errors without details, every value from a file shown as text, upload
limits; and big tables (issue 12): a bounded page with the total, downloads built on click."""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from leadbridge import charts, cli, db, exports, metrics, serve, text, ui_table
from leadbridge.metrics import Filters
from tests.app_fixtures import (
    CHART_TABS,
    CLOSED_EXPANDERS,
    CLOSED_TABS,
    DASHBOARD,
    HOSTILE,
    HOSTILE_BRANCH,
    HOSTILE_CUSTOMER,
    HOSTILE_FILE,
    HOSTILE_LEAD_TYPE,
    HOSTILE_REP,
    PAGES,
    ROOT,
    build_hostile_db,
    build_sample_db,
    lead_list,
    open_expander,
    open_tab,
    pick_technician,
)

RAW = (*HOSTILE, HOSTILE_BRANCH, HOSTILE_CUSTOMER, HOSTILE_LEAD_TYPE, HOSTILE_REP, HOSTILE_FILE)
# Markup that must never reach Plotly from data (the charts' own markup is <br>, <b>…</b> and
# <extra>, whose texts are the chart's, never these).
PLOTLY_MARKUP = re.compile(r"<a\b|<script|<i>|<b>Bold|<b>Prov")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    return build_hostile_db(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def open_app(monkeypatch):
    def _open(db_file, page: str | None = None, query: dict | None = None) -> AppTest:
        monkeypatch.setenv("LEADBRIDGE_DB", str(db_file))
        at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
        if query:
            at.query_params.update(query)
        if page:
            at.switch_page(PAGES[page])
        return at.run()

    return _open


def markdown_texts(at: AppTest) -> list[str]:
    """Every text the page renders as markdown: bodies, captions, headings, alerts, labels."""
    found = []
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "info",
                 "success", "warning"):
        found += [str(e.value) for e in at.get(kind)]
    found += [m.label for m in at.metric] + [e.label for e in at.expander]
    return found


def strings(value):
    """Every string inside a parsed JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def chart_strings(at: AppTest) -> list[str]:
    return [s for chart in at.get("plotly_chart") for s in strings(json.loads(chart.proto.spec))]


# --- errors -------------------------------------------------------------------------------------


def test_config_and_the_dashboard_command_hide_error_details_and_limit_uploads(monkeypatch):
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"
    assert config["server"]["maxUploadSize"] == serve.MAX_UPLOAD_MB == 200
    seen = []
    monkeypatch.setattr(serve, "run", lambda options: seen.append(options) or 0)
    assert cli.main(["dashboard", "--port", "8999", "--headless"]) == 0
    options = seen[0]
    flag = {options[i]: options[i + 1] for i in range(len(options) - 1)}
    assert flag["--client.showErrorDetails"] == "none"
    assert flag["--server.maxUploadSize"] == str(serve.MAX_UPLOAD_MB)
    # No full garbage collection after each rerun (the page waited for it), in both places.
    assert config["runner"]["postScriptGC"] is False
    assert flag["--runner.postScriptGC"] == "false"


def test_a_failing_engine_call_shows_an_incident_reference_and_no_details(
        open_app, sample_db, monkeypatch, caplog):
    real_run = metrics.run
    secret = "/srv/leadbridge/secret/lb.duckdb (pid 4242)"

    def run(con, name, filters=None, **extra):
        if name == "by_tech":
            raise RuntimeError(f"IO Error: could not read {secret}")
        return real_run(con, name, filters, **extra)

    monkeypatch.setattr(metrics, "run", run)
    import streamlit as st

    st.cache_data.clear()
    with caplog.at_level(logging.ERROR, logger="leadbridge.incidents"):
        at = open_app(sample_db, "technicians")
    assert not at.exception, "no traceback element"
    (error,) = at.error
    match = re.fullmatch(r"Something went wrong \(incident ([A-Z2-9]{6})\); the administrator "
                         r"can look it up\. .*", error.value)
    assert match, error.value
    shown = " ".join(markdown_texts(at))
    for detail in ("Traceback", "/srv/", "4242", "RuntimeError", "IO Error", ".py"):
        assert detail not in shown
    assert at.title[0].value == "Technicians", "the page drew up to the failure"
    assert any("Numbers as of" in c.value for c in at.caption), "the footer still shows"
    logged = [r for r in caplog.records if f"INCIDENT-{match.group(1)}" in r.getMessage()]
    assert logged and logged[0].exc_info, "the log has the reference and the traceback"
    assert secret in logging.Formatter().format(logged[0])


def test_a_database_that_cannot_be_read_shows_one_short_message(open_app, tmp_path):
    broken = tmp_path / "data" / "lb.duckdb"
    broken.parent.mkdir()
    broken.write_bytes(b"this is not a database file " * 100)
    at = open_app(broken, "overview")
    assert not at.exception
    assert len(at.error) == 1, "the page is not run without its sidebar: one message"
    assert "incident" in at.error[0].value and str(tmp_path) not in at.error[0].value


# --- values from files as text -----------------------------------------------------------------


def test_the_escapes_show_the_value_itself():
    assert text.md("[x](https://evil.example) **b**") == (
        r"\[x\]\(https\:\/\/evil\.example\) \*\*b\*\*")
    assert text.md("a\nb") == "a b", "one line: no block markdown from a value"
    assert text.plotly('<a href="x">y</a> & z') == '&lt;a href="x"&gt;y&lt;/a&gt; &amp; z'
    assert text.file_stem("../../etc/passwd <b>") == "etc-passwd-b"
    assert exports.file_stem("data", HOSTILE_FILE, None, __import__("datetime").date(2026, 1, 2)) \
        == "leadbridge_data_leads-f-evil-example-b-x-csv_2026-01-02"


def test_every_chart_function_escapes_what_it_is_given():
    import pandas as pd

    frame = pd.DataFrame({"tech_id": ["1"], "tech_name": [HOSTILE[0]], "branch": [HOSTILE[1]],
                          "leads_submitted": [3], "deals_won": [1]})
    fig = charts.top_techs(frame.assign(tech=frame["tech_name"]), "leads_submitted", "Most",
                           HOSTILE[3])
    found = list(strings(json.loads(fig.to_json())))
    assert not any(PLOTLY_MARKUP.search(s) for s in found)
    assert any("&lt;a href" in s for s in found)
    empty = charts.empty("Title", HOSTILE[0])
    assert empty.layout.annotations[0].text == text.plotly(HOSTILE[0]), "escaped once, not twice"


@pytest.mark.parametrize("page", PAGES)
def test_hostile_names_are_shown_as_text_on_every_page(open_app, hostile_db, page):
    at = open_app(hostile_db, page, query={"preset": "All data"})
    assert not at.exception, [e.value for e in at.exception]
    if page == "technicians":  # the hostile tech's own section: tiles, chart, lead list
        board = next(d.value for d in at.dataframe if d.key == "leaderboard_pick")
        (script_sam,) = board.loc[board["tech_name"] == HOSTILE[2], "tech_id"]
        at = pick_technician(at, script_sam)
        assert not at.exception, [e.value for e in at.exception]
    shown = markdown_texts(at)
    if page == "data":  # the tabs drawn only while open: the history (file names), the checks
        key, tabs = CLOSED_TABS[page]
        for tab in tabs:
            open_tab(at, key, tab)
            assert not at.exception, [e.value for e in at.exception]
            shown += markdown_texts(at)
    for value in shown:
        for raw in RAW:
            assert raw not in value, f"{raw!r} unescaped in markdown: {value!r}"
        assert "evil.example" not in value, f"a live link in markdown: {value!r}"
    footer = [c for c in shown if "Numbers as of" in c]
    assert footer and text.md(HOSTILE_FILE) in footer[0], "the file's name, escaped, in the footer"
    found = chart_strings(at)
    if page in CHART_TABS:  # one chart tab at a time: every tab's chart
        key, tabs = CHART_TABS[page]
        for tab in tabs:
            at.session_state[key] = tab
            at.run()
            assert not at.exception, [e.value for e in at.exception]
            found += chart_strings(at)
    bad = [s for s in found if PLOTLY_MARKUP.search(s)]
    assert not bad, bad[:3]
    if page in ("technicians", "overview", "conversion", "follow_up"):
        assert found, "the page draws charts"
    if page == "technicians":
        assert any("&lt;script&gt;" in s for s in found), "the hostile tech is on a chart"
        heading = [m for m in shown if "leads and what became of each" in m]
        assert heading and text.md(HOSTILE[2]) in heading[0]
    if page in ("technicians", "conversion", "follow_up"):  # charts by branch
        assert any("&lt;b&gt;Prov&lt;/b&gt;" in s for s in found), "the hostile branch, escaped"


def test_a_hostile_deck_has_the_names_as_text_and_no_links(hostile_db):
    from pptx import Presentation

    from leadbridge import deck, meeting

    content = meeting.build(db.connect(hostile_db), "2026-10", (), privacy=False, lists=True)
    pptx = Presentation(io.BytesIO(deck.build(content)))
    texts, links = [], []
    for slide in pptx.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [c.text_frame for row in shape.table.rows for c in row.cells]
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        texts.append(run.text)
                        if run.hyperlink.address:
                            links.append(run.hyperlink.address)
            if shape.click_action.hyperlink.address:
                links.append(shape.click_action.hyperlink.address)
    assert not links
    assert any(HOSTILE[0] in t for t in texts), "the name as written, as plain text"
    assert deck.file_name("2026-10", [HOSTILE_BRANCH]) == \
        "leadbridge-meeting-2026-10-b-prov-b-idence-https-evil-example-branch.pptx"


# --- big tables ---------------------------------------------------------------------------------


def test_no_download_is_built_before_a_click(open_app, sample_db, monkeypatch):
    built = []
    real_csv, real_xlsx = exports.frame_to_csv, exports.frame_to_xlsx
    monkeypatch.setattr(exports, "frame_to_csv", lambda *a, **k: built.append("csv")
                        or real_csv(*a, **k))
    monkeypatch.setattr(exports, "frame_to_xlsx", lambda *a, **k: built.append("xlsx")
                        or real_xlsx(*a, **k))
    for page in PAGES:
        at = open_app(sample_db, page)
        assert not at.exception
        found = list(at.get("download_button"))
        # only the open tab is drawn (no policy here: What if's downloads; Data: the history's)
        key, tabs = CLOSED_TABS.get(page, ("", ()))
        for tab in tabs:
            open_tab(at, key, tab)
            assert not at.exception
            found += at.get("download_button")
        if page in CLOSED_EXPANDERS:  # and the tables drawn only once their expander is open
            at = open_expander(at, CLOSED_EXPANDERS[page])
            assert not at.exception
            found += at.get("download_button")
        assert found, page
    assert built == [], "a download was built before anyone clicked"


def test_a_download_callable_writes_every_row_when_called(sample_db):
    con = db.connect(sample_db)
    filters = Filters.months("2024-11", "2026-10")
    calls = []

    def build():
        calls.append(1)
        return metrics.run(con, "leads_awaiting_contact", filters)

    write_csv, write_xlsx = ui_table.csv_file(build), ui_table.xlsx_file(build, "awaiting")
    assert calls == [], "nothing runs until the click"
    rows = list(csv.DictReader(io.StringIO(write_csv())))
    total = metrics.run(con, "leads_awaiting_contact_count", filters).iloc[0, 0]
    assert len(rows) == total > 0 and calls == [1]
    assert write_xlsx()[:2] == b"PK" and calls == [1, 1]


def test_a_long_lead_list_shows_a_page_and_the_total(open_app, sample_db):
    con = db.connect(sample_db)
    filters = Filters.months("2024-11", "2026-10")
    by_tech = metrics.run(con, "by_tech", filters)
    busiest = by_tech.sort_values("leads_submitted").iloc[-1]
    every = metrics.run(con, "lead_list", Filters.months("2024-11", "2026-10",
                                                         techs=[busiest["tech_id"]]))
    assert len(every) > ui_table.PAGE_ROWS, "the sample's busiest tech has a long list"
    at = open_app(sample_db, "technicians", query={"preset": "All data"})
    pick_technician(at, busiest["tech_id"])
    page_size = ui_table.PAGE_ROWS
    leads = lead_list(at)
    assert len(leads) == page_size
    assert list(leads["lead_id"]) == list(every["lead_id"][:page_size])
    caption = [c.value for c in at.caption if c.value.startswith("Rows ")]
    assert caption == [f"Rows 1–{page_size} of {len(every):,} · page 1 of "
                       f"{-(-len(every) // page_size)}; the downloads hold every row"]
    at.number_input(key="tech_leads_page").set_value(2).run()
    leads = lead_list(at)
    assert list(leads["lead_id"]) == list(every["lead_id"][page_size:2 * page_size])

"""Every page, driven with Streamlit's AppTest: it runs, and a filter change shows the report's numbers."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from leadbridge import contract, db, importer, metrics, quality, report, text, ui, ui_table
from leadbridge.metrics import Filters
from leadbridge.values import NO_VALUE
from tests.app_fixtures import (
    CHART_PAGES,
    CHART_TABS,
    CLOSED_EXPANDERS,
    CLOSED_TABS,
    DASHBOARD,
    PAGES,
    build_sample_db,
    copy_db,
    lead_list,
    open_expander,
    open_tab,
    pick_technician,
)

# The default view: the last 12 months counted back from the sample's latest complete month.
DEFAULT = ("2025-11", "2026-10")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("sample"))


@pytest.fixture
def open_app(monkeypatch):
    """open_app(db_file, page=None, query=None) -> a run AppTest of the dashboard on that database."""

    def _open(db_file, page: str | None = None, query: dict | None = None) -> AppTest:
        monkeypatch.setenv("LEADBRIDGE_DB", str(db_file))
        at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
        if query:
            at.query_params.update(query)
        if page:
            at.switch_page(PAGES[page])
        return at.run()

    return _open


def totals(db_file, filters: Filters) -> dict:
    """The report command's totals for these filters (the numbers pages must show)."""
    return report.build(db.connect(db_file), filters)["totals"]


def tile(at: AppTest, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert matches, f"no tile {label!r}; tiles: {[m.label for m in at.metric]}"
    return matches[0]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_sample_company(open_app, sample_db, page):
    at = open_app(sample_db, page)
    no_exception(at)
    assert at.title, "every page has a title"
    if page in CHART_PAGES:
        assert len(at.get("plotly_chart")) >= CHART_PAGES[page], "the page draws its charts"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_an_empty_database(open_app, tmp_path, page):
    at = open_app(tmp_path / "data" / "empty.duckdb", page)
    no_exception(at)
    if page in CHART_PAGES:
        assert at.get("plotly_chart"), "charts show their empty state"


def test_a_manager_picks_boston_and_the_overview_shows_bostons_numbers(open_app, sample_db):
    at = open_app(sample_db, "overview")
    everyone = totals(sample_db, Filters.months(*DEFAULT))
    assert tile(at, "Leads submitted") == f"{everyone['leads_submitted']:,}"

    at.multiselect(key="lb_branch").select("Boston").run()
    boston = totals(sample_db, Filters.months(*DEFAULT, branches=["Boston"]))
    assert boston["leads_submitted"] < everyone["leads_submitted"]
    assert tile(at, "Leads submitted") == f"{boston['leads_submitted']:,}"
    assert tile(at, "Conversion") == f"{boston['conversion_rate'] * 100:.1f} %"
    assert at.query_params["branch"] == "Boston", "the filter is in the link"


def test_a_link_with_filters_opens_the_same_view(open_app, sample_db):
    at = open_app(sample_db, "overview",
                  query={"preset": "Last full month", "type": ["upgrade", "new_equipment"]})
    wanted = totals(sample_db, Filters.months("2026-10", "2026-10",
                                              lead_types=["new_equipment", "upgrade"]))
    assert tile(at, "Leads submitted") == f"{wanted['leads_submitted']:,}"


def test_choosing_a_lead_type_narrows_the_technicians_leaderboard(open_app, sample_db):
    at = open_app(sample_db, "technicians")
    before = at.dataframe[0].value["leads_submitted"].sum()
    at.multiselect(key="lb_lead_type").select("upgrade").run()
    no_exception(at)
    after = at.dataframe[0].value["leads_submitted"].sum()
    wanted = totals(sample_db, Filters.months(*DEFAULT, lead_types=["upgrade"]))
    assert after == wanted["leads_submitted"] < before


def test_a_short_leaderboard_opens_with_the_most_leads_first(open_app, sample_db):
    """The sample's 37 techs fit one page: the leaderboard read in tech ID order ('0105',
    '0153', ...) where a long one opens on the most leads."""
    at = open_app(sample_db, "technicians")
    board = at.dataframe[0].value
    assert len(board) <= ui_table.PAGE_ROWS
    assert not [s for s in at.selectbox if s.label == "Sort all rows by"]
    leads = board["leads_submitted"].tolist()
    assert leads == sorted(leads, reverse=True) and leads[0] > leads[-1]


HINT = "Select a technician's row in the leaderboard"


def test_a_leaderboard_row_opens_that_technicians_section(open_app, sample_db):
    """Nothing of one tech is shown until their row is selected; then their tiles are their
    leaderboard row's, the lead list is theirs; another filter clears the selection."""
    at = open_app(sample_db, "technicians")
    assert any(HINT in i.value for i in at.info)
    assert not any("lead_id" in d.value.columns for d in at.dataframe)
    row = at.dataframe[0].value.iloc[3]
    at = pick_technician(at, row["tech_id"])
    no_exception(at)
    assert not any(HINT in i.value for i in at.info)
    theirs = totals(sample_db, Filters.months(*DEFAULT, techs=[row["tech_id"]]))
    assert tile(at, "Leads") == f"{row['leads_submitted']:,}" == f"{theirs['leads_submitted']:,}"
    assert tile(at, "Won") == f"{theirs['leads_won']:,}"
    assert set(lead_list(at)["tech_id"]) == {row["tech_id"]}
    at.session_state["lb_lead_type"] = ["upgrade"]
    at.run()
    no_exception(at)
    assert any(HINT in i.value for i in at.info), "the row selected was of other filters"


def test_one_technician_in_the_sidebar_opens_their_section(open_app, sample_db):
    by_tech = metrics.run(db.connect(sample_db), "by_tech", Filters.months(*DEFAULT))
    tech = by_tech.iloc[0]
    at = open_app(sample_db, "technicians", query={"tech": tech["tech_id"]})
    no_exception(at)
    assert len(at.dataframe[0].value) == 1
    assert tile(at, "Leads") == f"{tech['leads_submitted']:,}"
    assert set(lead_list(at)["tech_id"]) == {tech["tech_id"]}
    # their five tiles in rows of 3 and 2, not 4 and a lone 1
    assert tile_rows(at)[1:] == [["Leads", "Won", "Conversion"],
                                 ["Revenue attributed", "Rewards paid"]]
    # the header names the tech as the sidebar does, not by ID alone
    named = text.md(f"{tech['tech_name']} ({tech['tech_id']})")  # the caption's markdown, escaped
    assert any(f" · {named} · " in c.value for c in at.caption)
    # participation is of every active tech ('0.0 %' for one): the chip says of how many
    whole = totals(sample_db, Filters.months(*DEFAULT))
    (participation,) = [m.proto for m in at.metric if m.label == "Participation"]
    assert participation.delta == f"1 of {whole['active_techs']:,} active techs"
    assert (participation.direction, participation.color) == (participation.NONE,
                                                              participation.GRAY)


def tile_rows(at) -> list[list[str]]:
    """The labels of the page's KPI tiles, row by row (a row is one st.columns)."""
    rows = []

    def walk(node):
        kids = list(getattr(node, "children", {}).values())
        columns = [k for k in kids if getattr(k, "type", None) == "column"]
        labels = [m.label for c in columns for m in c.get("metric")]
        if labels:
            rows.append(labels)
        for kid in kids:
            walk(kid)

    walk(at.main)
    return rows


@pytest.mark.parametrize("count, rows", [(1, [1]), (2, [2]), (3, [3]), (4, [4]), (5, [3, 2]),
                                         (6, [3, 3]), (7, [4, 3]), (8, [4, 4]), (9, [3, 3, 3])])
def test_tiles_make_even_rows(count, rows):
    per_row = ui.tiles_per_row(count)
    assert [len(range(count)[i:i + per_row]) for i in range(0, count, per_row)] == rows


@pytest.mark.parametrize("delta, flat", [
    ("+0 (+0.0 %)", True), ("-0.0 pts", True), ("+0.0 pts (≤90 d)", True), ("+$0", True),
    ("+0.0 days (+0.0 %)", True), ("+1 (+3.0 %)", False), ("-0.1 pts (≤30 d)", False),
    ("+$10 (+0.0 %)", False), ("too young to compare", False), (None, False)])
def test_a_change_that_shows_as_zero_is_unchanged(delta, flat):
    assert ui.unchanged(delta) is flat


@pytest.mark.parametrize("page", ["overview", "technicians", "revenue_rewards", "follow_up"])
def test_all_data_has_nothing_before_it_to_compare_with(open_app, sample_db, page):
    """'All data' was compared with the 24 months before the data began: every tile read '+'
    its whole value ('+6,233', '+100.0 pts'). Now no tile has a change, and the header says why."""
    at = open_app(sample_db, page, query={"preset": "All data"})
    no_exception(at)
    assert at.metric and not [m.label for m in at.metric if m.proto.delta]
    if page != "follow_up":  # its header says what the backlog is as of instead
        assert "nothing before it in the data to compare with" in at.caption[0].value
    at = open_app(sample_db, page)  # the last 12 months: against the 12 before
    assert [m for m in at.metric if m.proto.delta]
    if page != "follow_up":
        assert "changes against Nov 2024" in at.caption[0].value


def test_a_tile_that_did_not_change_has_no_arrow_and_no_colour(open_app, sample_db):
    """The sample's median days to contact is 2.0 in both periods: no red arrow up for it."""
    at = open_app(sample_db, "follow_up")
    no_exception(at)
    (median,) = [m.proto for m in at.metric if m.label == "Median days to contact"]
    assert median.delta == "+0.0 days (+0.0 %)"
    assert (median.direction, median.color) == (median.NONE, median.GRAY)


def test_the_backlog_is_not_compared_with_a_year_contacted_since(open_app, sample_db):
    """The earlier period's 'Waiting 7+ days' is counted on today's data: its leads have had a
    year to be contacted, so the tile read '+' its whole value, red, against a backlog of 0."""
    at = open_app(sample_db, "follow_up")
    no_exception(at)
    (waiting,) = [m.proto for m in at.metric if m.label == "Waiting 7+ days"]
    assert int(waiting.body.replace(",", "")) > 0
    assert not waiting.delta
    assert "Not compared with the earlier period" in waiting.help


def test_the_revenue_pages_six_tiles_make_two_rows_of_three(open_app, sample_db):
    at = open_app(sample_db, "revenue_rewards")
    no_exception(at)
    assert [len(row) for row in tile_rows(at)] == [3, 3]


@pytest.mark.parametrize("page", CHART_TABS)
def test_chart_tabs_draw_only_the_open_tabs_chart(open_app, sample_db, page):
    """One tab's chart at a time: each tab, when opened, draws its own chart and no other tab's
    (beside the charts the page always shows)."""
    key, tabs = CHART_TABS[page]
    at = open_app(sample_db, page)
    assert [t.label for t in at.tabs] == list(tabs)
    drawn_per_tab = []
    for tab, title in tabs.items():
        at.session_state[key] = tab
        at.run()
        no_exception(at)
        drawn = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
        assert len(drawn) == CHART_PAGES[page], (tab, drawn)
        assert sum(d.startswith(title) for d in drawn) == 1, (tab, drawn)
        drawn_per_tab.append(set(drawn))
    always = set.intersection(*drawn_per_tab)
    assert len(always) == CHART_PAGES[page] - 1
    assert len(set.union(*drawn_per_tab) - always) == len(tabs), "each tab its own chart"


def test_the_conversion_tables_follow_the_period(open_app, sample_db):
    at = open_app(sample_db, "conversion")
    at = open_expander(at, CLOSED_EXPANDERS["conversion"])
    at.selectbox(key="lb_preset").set_value("Last quarter").run()
    no_exception(at)
    by_type = at.dataframe[0].value
    built = report.build(db.connect(sample_db), Filters.months("2026-07", "2026-09"))
    assert by_type["leads_submitted"].sum() == built["totals"]["leads_submitted"]
    assert by_type["leads_won"].sum() == built["totals"]["leads_won"]
    # the lead types by the names the charts use, first in the table ('new_equipment' before)
    assert by_type.columns[0] == "lead_type"
    assert set(by_type["lead_type"]) <= set(contract.LEAD_TYPE_LABELS.values())
    assert "New equipment" in set(by_type["lead_type"])
    # in the order of the lead-type chart beside it (the contract's), not alphabetical
    labels = list(contract.LEAD_TYPE_LABELS.values())
    ranks = [labels.index(t) for t in by_type["lead_type"]]
    assert ranks == sorted(ranks) and by_type["lead_type"].iloc[0] == "Upgrade"


def test_revenue_of_one_branch_matches_the_report(open_app, sample_db):
    at = open_app(sample_db, "revenue_rewards")
    at.multiselect(key="lb_branch").select("Hartford").run()
    no_exception(at)
    wanted = totals(sample_db, Filters.months(*DEFAULT, branches=["Hartford"]))
    assert tile(at, "Deals won") == f"{wanted['deals_won']:,}"
    assert tile(at, "Revenue attributed") == f"${wanted['revenue_attributed'] / 1e6:,.1f}M"


def test_one_techs_follow_up_numbers_match_the_report(open_app, sample_db):
    at = open_app(sample_db, "follow_up")
    everyone = tile(at, "Waiting 7+ days")
    at.selectbox(key="lb_preset").set_value("Last full month").run()
    wanted = totals(sample_db, Filters.months("2026-10", "2026-10"))
    assert tile(at, "Waiting 7+ days") == f"{wanted['leads_awaiting_contact_7d']:,}"
    assert tile(at, "Waiting 7+ days") != everyone
    assert tile(at, "Median days to contact") == f"{wanted['median_days_to_contact']:,.1f} days"


def test_the_data_page_lists_imports_rejects_and_quality_gaps(open_app, sample_db):
    at = open_app(sample_db, "data")
    no_exception(at)
    # only the Import tab is drawn when the page opens; the others when opened
    assert not at.dataframe and not at.expander and at.get("file_uploader")
    open_tab(at, "data_tab", "Import history & rejects")
    no_exception(at)
    history, rejects = at.dataframe[0].value, at.dataframe[1].value
    assert len(history) == 6 and set(history["table"]) == {
        "techs", "leads", "outcomes", "payouts", "jobs", "attendance"}
    assert rejects[["import_id", "row"]].drop_duplicates().shape[0] == history["rejected"].sum() == 8
    # headed in words ('import_id', 'date_order' and '12786579' read like a database dump)
    config = json.loads(at.dataframe[0].proto.columns)
    assert set(history.columns) <= set(config)
    assert config["read"]["label"] == "Rows read"
    assert config["read"]["type_config"]["format"] == ui.COUNT_FORMAT
    assert json.loads(at.dataframe[1].proto.columns)["raw_row"]["label"] == "The row as it was"
    assert not at.expander and at.get("file_uploader"), "the Import tab is always drawn"
    open_tab(at, "data_tab", "Data quality")
    labels = [e.label for e in at.expander]
    assert not any("rejected" in d.value.columns for d in at.dataframe), "history: not drawn"
    assert "Outcomes whose lead is unknown: 2" in labels
    assert "Lead types counted as 'other': 1" in labels
    # every check's table headed in words; every column any check returns has its heading
    assert at.dataframe and all(set(d.value.columns) <= set(json.loads(d.proto.columns))
                                for d in at.dataframe)
    for _, found in quality.quality_report(db.connect(sample_db)):
        assert set(found.columns) <= set(ui.QUALITY_COLUMNS)


def test_an_import_shows_up_at_once(open_app, sample_db, tmp_path, write):
    file = copy_db(sample_db, tmp_path)
    at = open_app(file, "overview")
    at.selectbox(key="lb_preset").set_value("Last full month").run()
    before = int(tile(at, "Leads submitted").replace(",", ""))
    export = write("leads_extra.csv", [
        ["Lead ID", "Date Submitted", "Technician ID"],
        ["X-1", "2026-10-05", "0105"],
        ["X-2", "2026-10-06", "0105"],
    ])
    with db.writer(file, what="leads_extra.csv") as con:  # imported, then published
        result = importer.import_file(con, export)
    assert result.inserted == 2
    at.run()
    assert int(tile(at, "Leads submitted").replace(",", "")) == before + 2


@pytest.mark.parametrize("page", CLOSED_EXPANDERS)
def test_tables_in_a_closed_expander_are_drawn_only_once_it_is_opened(open_app, sample_db, page):
    """A collapsed table costs the page nothing: not sent, so a browser opening the page does not
    load Streamlit's table code for it; opened, it is there with its downloads."""
    at = open_app(sample_db, page)
    no_exception(at)
    (expander,) = [e for e in at.expander if e.label.endswith("(tables)")]
    assert not expander.children, "drawn while closed"
    before = len(at.dataframe)
    at = open_expander(at, CLOSED_EXPANDERS[page])
    no_exception(at)
    assert len(at.dataframe) == before + 2
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download CSV") == len(at.dataframe) - len(at.data_editor)


@pytest.mark.parametrize("page", PAGES)
def test_every_table_shows_a_missing_value_as_a_dash(open_app, sample_db, page):
    """Streamlit's own word for an empty cell is "None", which reads as a count of zero: every
    table says "–", as the tiles, charts and deck do; the rule editor leaves an empty cell blank."""
    at = open_app(sample_db, page)
    tables = list(at.dataframe)
    if page in CLOSED_EXPANDERS:
        tables += open_expander(at, CLOSED_EXPANDERS[page]).dataframe
    tab_key, closed = CLOSED_TABS.get(page, ("", ()))
    for label in closed:
        tables += open_tab(at, tab_key, label).dataframe
    if page == "meeting":  # the month's closed leads: a table slide, its rows once opened
        jump = at.selectbox(key="meeting_slide")
        (closed_slide,) = [int(o.split(".")[0]) - 1 for o in jump.options
                           if "Closing the loop" in o]  # "3. Closing the loop: ..."
        at = jump.set_value(closed_slide).run()
        tables += open_expander(at, "meeting_all_closed").dataframe
    no_exception(at)
    shown = [t.proto for t in tables if t.proto.editing_mode == t.proto.READ_ONLY]
    edited = [t.proto for t in tables if t.proto.editing_mode != t.proto.READ_ONLY]
    assert shown, "no table on the page"
    assert [t.placeholder for t in shown] == [NO_VALUE] * len(shown)
    assert [t.placeholder for t in edited] == [""] * len(edited)
    assert [t.HasField("placeholder") for t in edited] == [True] * len(edited)


def test_a_young_months_90_day_conversion_is_a_dash_in_the_overviews_table(open_app, sample_db):
    at = open_app(sample_db, "overview")
    (table,) = at.dataframe
    young = table.value[table.value["conversion_90d"].isna()]
    assert len(young) >= 3  # the last three months are not 90 days old
    assert table.proto.placeholder == "–"


def test_a_tables_shares_are_shown_in_percent_with_one_decimal():
    """0.6580 is shown as 65.8 % (as on the tiles), the other columns and blanks as they were; the
    frame given (the download's rows) is not changed."""
    frame = pd.DataFrame({"month": ["2026-07", "2026-08"], "leads_submitted": [278, 294],
                          "conversion_rate": [0.6367, 0.658], "conversion_90d": [0.6367, None],
                          "revenue_attributed": [1000.0, 2000.0]})
    before = frame.copy()
    shown = ui_table.as_shown(frame, ui.MONTHLY_COLUMNS)
    assert list(shown["conversion_rate"]) == pytest.approx([63.67, 65.8])
    assert shown["conversion_90d"].iloc[0] == pytest.approx(63.67)
    assert pd.isna(shown["conversion_90d"].iloc[1])
    assert list(shown["leads_submitted"]) == [278, 294]
    assert list(shown["revenue_attributed"]) == [1000.0, 2000.0]
    pd.testing.assert_frame_equal(frame, before)
    assert ui_table.as_shown(frame, None) is frame
    assert ui.MONTHLY_COLUMNS["conversion_rate"]["type_config"]["format"] == "%.1f %%"


def test_the_overviews_monthly_table_shows_percent_and_downloads_the_fraction(open_app, sample_db,
                                                                           monkeypatch):
    downloads = {}
    real = ui_table.download_buttons

    def spy(build, page, name, *args, **kwargs):
        downloads[name] = build
        return real(build, page, name, *args, **kwargs)

    monkeypatch.setattr(ui_table, "download_buttons", spy)
    at = open_app(sample_db, "overview")
    (table,) = at.dataframe
    every = metrics.run(db.connect(sample_db), "monthly", Filters.months(*DEFAULT))
    assert list(table.value["conversion_rate"]) == pytest.approx(list(every["conversion_rate"] * 100))
    downloaded = downloads["monthly"]()
    assert list(downloaded["conversion_rate"]) == pytest.approx(list(every["conversion_rate"]))
    assert json.loads(table.proto.columns)["conversion_rate"]["type_config"]["format"] == "%.1f %%"


def test_the_overviews_monthly_table_names_every_column_in_words(open_app, sample_db):
    at = open_app(sample_db, "overview")
    (table,) = at.dataframe
    assert set(table.value.columns) == set(ui.MONTHLY_COLUMNS)
    config = json.loads(table.proto.columns)
    assert config["conversion_rate"]["label"] == "Conversion so far"
    assert config["revenue_attributed"]["type_config"]["format"] == "dollar"


@pytest.mark.parametrize("page", PAGES)
def test_every_table_has_its_csv_and_excel_downloads(open_app, sample_db, page):
    at = open_app(sample_db, page)
    labels = [b.label for b in at.get("download_button")]
    tables = len(at.dataframe) - len(at.data_editor)  # a table being edited is not data
    assert labels.count("Download CSV") == labels.count("Download Excel") == tables


def test_a_long_leaderboard_is_sorted_over_every_row_before_it_is_paged(open_app, sample_db,
                                                                       monkeypatch):
    """A leaderboard longer than a page is sorted by the column chosen (largest first) before it
    is paged; a new order starts at page 1 and clears the row selected."""
    monkeypatch.setattr(ui_table, "PAGE_ROWS", 10)  # the sample's techs make four pages now
    every = metrics.run(db.connect(sample_db), "by_tech", Filters.months(*DEFAULT))
    at = open_app(sample_db, "technicians")
    no_exception(at)
    assert at.selectbox(key="leaderboard_sort").value == "leads_submitted"
    shown = at.dataframe[0].value
    assert len(shown) == 10
    assert list(shown["leads_submitted"]) == sorted(every["leads_submitted"], reverse=True)[:10]
    at.number_input(key="leaderboard_page").set_value(2).run()
    at = pick_technician(at)
    assert any(m.label == "Won" for m in at.metric)
    at.selectbox(key="leaderboard_sort").set_value("conversion_rate").run()
    no_exception(at)
    assert at.number_input(key="leaderboard_page").value == 1
    shown = at.dataframe[0].value
    best = every["conversion_rate"].sort_values(ascending=False, na_position="last")
    assert list(shown["conversion_rate"]) == pytest.approx(list(best[:10] * 100))  # in percent
    assert any(HINT in i.value for i in at.info), "the row selected was of the other order"

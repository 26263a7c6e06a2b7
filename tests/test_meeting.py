"""The monthly meeting: its content equals the report's numbers, privacy removes every per-person
money value, first-time contributors and biggest wins on hand-made rows, and the Meeting page."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from leadbridge import db, meeting, metrics, report, text, ui, values
from leadbridge.metrics import Filters
from tests.app_fixtures import DASHBOARD, PAGES, build_sample_db
from tests.metrics_fixtures import fresh_db, lead, load, outcome, payout, tech

MONTH = "2026-10"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("meeting"))


@pytest.fixture(scope="module")
def con(sample_db):
    connection = db.connect(sample_db)
    yield connection
    connection.close()


def month_report(con, month=MONTH, branches=()) -> dict:
    return report.build(con, Filters.months(month, month, branches))


# --- the content equals the report ------------------------------------------------------------


@pytest.mark.parametrize("branches", [(), ("Boston",)], ids=["all branches", "Boston"])
def test_the_month_in_numbers_are_the_reports_for_three_months(con, branches):
    content = meeting.build(con, MONTH, branches)
    now = month_report(con, MONTH, branches)["totals"]
    before = month_report(con, "2026-09", branches)["totals"]
    year_ago = month_report(con, "2025-10", branches)["totals"]
    assert [n.key for n in content.numbers] == [
        "leads_submitted", "deals_won", "revenue_attributed", "conversion_rate",
        "participation_rate"]
    for number in content.numbers:
        assert report.clean(number.key, number.value) == now[number.key]
        assert report.clean(number.key, number.previous) == before[number.key]
        assert report.clean(number.key, number.last_year) == year_ago[number.key]
    assert content.as_of.isoformat() == month_report(con, MONTH, branches)["as_of"]


def top(rows: list[dict], key: str, n: int = meeting.TOP_TECHS) -> list[tuple[str, float]]:
    """The report's by_tech rows ranked as the meeting ranks them."""
    ranked = sorted((r for r in rows if (r[key] or 0) > 0),
                    key=lambda r: (-r[key], -r["deals_won"] if key == "revenue_attributed" else 0,
                                   r["tech_name"], r["tech_id"]))
    return [(r["tech_name"], r[key]) for r in ranked[:n]]


def test_top_lead_generators_are_the_reports_techs(con):
    content = meeting.build(con, MONTH, privacy=False)
    month = month_report(con)["by_tech"]
    year = report.build(con, Filters.months("2026-01", MONTH))["by_tech"]
    for frame, rows, key in ((content.top_month_leads, month, "leads_submitted"),
                             (content.top_month_won, month, "revenue_attributed"),
                             (content.top_year_leads, year, "leads_submitted"),
                             (content.top_year_won, year, "revenue_attributed")):
        shown = [(t, report.clean(key, v)) for t, v in zip(frame["tech"], frame[key], strict=True)]
        assert shown == top(rows, key)
        assert len(shown) == meeting.TOP_TECHS


def test_rankings_break_ties_by_won_deals_then_name_and_leave_out_zeros(tmp_path):
    connection = fresh_db(tmp_path)
    load(connection,
         techs=[tech("T1", "Boston", tech_name="Cy Moss"), tech("T2", "Boston", tech_name="Ann Lee"),
                tech("T3", "Boston", tech_name="Bob Ray"), tech("T4", "Boston", tech_name="Ann Lee")],
         # leads: T1 2, T2 2, T4 2, T3 1. Revenue: T1 1,000 in one deal, T3 1,000 in two, T2 0.
         leads=[lead(i, "2026-10-02", t, branch="Boston")
                for i, t in [("A", "T1"), ("B", "T1"), ("C", "T2"), ("D", "T2"), ("E", "T3"),
                             ("F", "T4"), ("G", "T4"), ("H", "T3")]],
         outcomes=[outcome("A", "won", closed="2026-10-05", revenue=1000),
                   outcome("E", "won", closed="2026-10-05", revenue=400),
                   outcome("H", "won", closed="2026-10-06", revenue=600),
                   outcome("C", "lost", closed="2026-10-06")])
    content = meeting.build(connection, MONTH, privacy=False)
    # H is submitted in October too: T3 has 2 leads; ties by label, then ID
    assert content.top_month_leads[["tech", "leads_submitted"]].values.tolist() == [
        ["Ann Lee (T2)", 2], ["Ann Lee (T4)", 2], ["Bob Ray", 2], ["Cy Moss", 2]]
    assert content.top_month_won[["tech", "deals_won", "revenue_attributed"]].values.tolist() == [
        ["Bob Ray", 2, 1000.0], ["Cy Moss", 1, 1000.0]]  # a revenue tie: more won deals first
    private = meeting.build(connection, MONTH, privacy=True)
    assert private.top_month_won[["tech", "deals_won"]].values.tolist() == [
        ["Bob Ray", 2], ["Cy Moss", 1]]


def test_with_privacy_the_second_ranking_counts_won_deals(con):
    content = meeting.build(con, MONTH, privacy=True)
    month = month_report(con)["by_tech"]
    assert content.won_measure == "deals_won"
    assert list(content.top_month_won.columns) == ["tech_id", "tech", "branch", "deals_won"]
    assert content.top_month_won["deals_won"].tolist() == [v for _, v in top(month, "deals_won")]


def test_closing_the_loop_lists_every_lead_won_or_lost_in_the_month(con):
    content = meeting.build(con, MONTH, privacy=False)
    built = month_report(con)
    lost = metrics.run(con, "lost_reasons", Filters.months(MONTH, MONTH))
    assert (content.closed["status"] == "won").sum() == built["totals"]["deals_won"]
    assert (content.closed["status"] == "lost").sum() == lost["leads_lost"].sum()
    won_revenue = content.closed.loc[content.closed["status"] == "won", "revenue"].sum()
    assert round(won_revenue, 2) == built["totals"]["revenue_attributed"]
    assert content.closed["lead_id"].is_unique
    assert set(content.closed["outcome"]) == {"Won", "Lost"}
    assert content.closed.loc[content.closed["status"] == "won", "loss_reason"].isna().all()
    by_reason = content.closed[content.closed["status"] == "lost"].groupby("loss_reason").size()
    assert by_reason.to_dict() == dict(zip(lost["loss_reason"], lost["leads_lost"], strict=True))
    # by tech: each tech's leads together
    names = content.closed["tech_name"].tolist()
    assert names == sorted(names)


def test_leads_waiting_are_the_follow_up_list_by_rep_oldest_first(con):
    content = meeting.build(con, MONTH, ["Boston"])
    waiting = metrics.run(con, "leads_awaiting_contact", Filters.months(MONTH, MONTH, ["Boston"]))
    assert sorted(content.awaiting["lead_id"]) == sorted(waiting["lead_id"])
    for _, rows in content.awaiting.groupby("sales_rep", sort=False):
        assert rows["days_waiting"].is_monotonic_decreasing
    assert content.awaiting["sales_rep"].is_monotonic_increasing


def test_speed_conversion_by_type_and_trend_are_the_reports(con):
    content = meeting.build(con, MONTH)
    built = month_report(con)
    by_type = {r["lead_type"]: r for r in built["by_lead_type"]}
    assert sorted(content.by_type["dimension_value"]) == sorted(by_type)
    for row in content.by_type.to_dict("records"):
        wanted = by_type[row["dimension_value"]]
        assert report.clean("conversion_rate", row["conversion_rate"]) == wanted["conversion_rate"]
        assert report.clean("win_rate", row["win_rate"]) == wanted["win_rate"]
    trend = report.build(con, Filters.months("2025-11", MONTH))["monthly"]
    assert content.trend["month"].tolist() == [r["month"] for r in trend]
    assert content.trend["leads_submitted"].tolist() == [r["leads_submitted"] for r in trend]
    assert [report.clean("conversion_rate", v) for v in content.trend["conversion_rate"]] == \
        [r["conversion_rate"] for r in trend]
    speed = metrics.run(con, "contact_speed_by_dimension", Filters.months(MONTH, MONTH),
                        dimension="sales_rep")
    assert sorted(content.speed["dimension_value"]) == sorted(speed["dimension_value"])
    medians = content.speed["median_days_to_contact"].fillna(float("inf")).tolist()
    assert medians == sorted(medians, reverse=True), "the slowest rep first"


def test_slides_come_in_meeting_order_and_long_tables_continue(con):
    content = meeting.build(con, MONTH, ["Boston"])
    slides = meeting.slides(content)
    assert [s.key for s in slides][0] == "numbers"
    assert list(dict.fromkeys(s.key for s in slides)) == list(meeting.SLIDE_ORDER)
    closed = [s for s in slides if s.key == "closed"]
    assert len(closed) == -(-len(content.closed) // meeting.ROWS_PER_SLIDE) > 1
    assert [s.title for s in closed][:2] == [f"Closing the loop (1/{len(closed)})",
                                             f"Closing the loop (2/{len(closed)})"]
    assert all(len(s.rows) <= meeting.ROWS_PER_SLIDE for s in closed)
    shown = pd.concat([s.rows for s in closed], ignore_index=True)
    pd.testing.assert_frame_equal(shown, content.table("closed").reset_index(drop=True))


def test_a_slide_counter_in_the_thousands_has_its_separator():
    """At 1M the meeting read 'Closing the loop (1/3181)' beside a '1 / 5,020' counter."""
    assert meeting.part_title("Closing the loop", 1, 3181) == "Closing the loop (1/3,181)"
    assert meeting.part_title("Closing the loop", 2, 3) == "Closing the loop (2/3)"
    assert meeting.part_title("Closing the loop", 1, 1) == "Closing the loop"


@pytest.mark.parametrize("branches", [(), ("Boston",)], ids=["all branches", "Boston"])
def test_the_pages_content_counts_the_lead_lists_and_fetches_one_slide_at_a_time(con, branches):
    whole = meeting.build(con, MONTH, branches)
    lean = meeting.build(con, MONTH, branches, lists=False)
    assert whole.complete and not lean.complete
    assert lean.closed is None and lean.awaiting is None
    assert lean.numbers == whole.numbers
    pd.testing.assert_frame_equal(lean.top_year_won, whole.top_year_won)
    assert (lean.closed_won, lean.closed_lost) == (whole.closed_won, whole.closed_lost)
    for key in meeting.LISTS:
        assert lean.size(key) == whole.size(key) == len(whole.table(key)) > 0
    lean_slides, whole_slides = meeting.slides(lean), meeting.slides(whole)
    assert [s.title for s in lean_slides] == [s.title for s in whole_slides]
    for mine, theirs in zip(lean_slides, whole_slides, strict=True):
        if mine.key in meeting.LISTS:
            assert mine.rows is None
            rows = meeting.slide_rows(con, lean, mine)
            # the same rows in the same columns, read the same (a part without any loss reason
            # holds None where the whole list's string column holds NaN)
            assert list(rows.columns) == list(theirs.rows.columns)
            assert meeting.cells(rows) == meeting.cells(theirs.rows)
            assert (meeting.rows_caption(mine, lean.size(mine.key))
                    == meeting.rows_caption(theirs, len(whole.table(mine.key))))
    with pytest.raises(ValueError, match="lists=True"):
        lean.table("closed")


def test_the_deck_needs_the_lead_lists_fetched(con):
    from leadbridge import deck

    with pytest.raises(ValueError, match="lead lists"):
        deck.build(meeting.build(con, MONTH, ["Boston"], lists=False))


def test_a_tech_is_named_with_the_id_only_where_two_techs_share_the_name(tmp_path):
    connection = fresh_db(tmp_path)
    load(connection,
         techs=[tech("T1", "Boston", tech_name="Sam Lee"), tech("T2", "Boston", tech_name="Sam Lee"),
                tech("T3", "Boston", tech_name="Ann Ray"), tech("T4", "Boston")],
         leads=[lead(f"L{i}", "2026-10-02", t, branch="Boston")
                for i, t in enumerate(["T1", "T2", "T3", "T4", "T1"])],
         outcomes=[outcome(f"L{i}", "won", closed="2026-10-09", revenue=100) for i in range(5)])
    closed = meeting.build(connection, MONTH).closed
    by_id = dict(zip(closed["tech_id"], closed["tech"], strict=False))
    assert by_id == {"T1": "Sam Lee (T1)", "T2": "Sam Lee (T2)", "T3": "Ann Ray", "T4": "T4"}
    # the SQL macro and the frames' rule agree, and a slide's part keeps the whole list's labels
    assert closed["tech"].tolist() == values.tech_labels(closed)
    part = metrics.run(connection, "meeting_closed_leads", Filters.months(MONTH, MONTH),
                       limit=1, offset=3)  # Ann Ray, Sam Lee (T1) x2, then T2
    assert part[["lead_id", "tech"]].values.tolist() == [["L1", "Sam Lee (T2)"]]
    assert values.tech_labels(closed.iloc[[1]]) == ["Sam Lee"]  # alone in its frame


def test_run_many_returns_what_run_returns(con):
    october, boston = Filters.months(MONTH, MONTH), Filters.months(MONTH, MONTH, ["Boston"])
    calls = {"totals": ("totals", october, {}), "by_tech": ("by_tech", boston, {}),
             "speed": ("contact_speed_by_dimension", october, {"dimension": "sales_rep"}),
             "sizes": ("meeting_list_sizes", boston, {})}
    found = metrics.run_many(con, calls)
    assert list(found) == list(calls)
    for key, (name, filters, extra) in calls.items():
        pd.testing.assert_frame_equal(found[key], metrics.run(con, name, filters, **extra))


# --- privacy ---------------------------------------------------------------------------------


def per_person_money(con, branches=()) -> set[float]:
    """Every per-person money value of the month and the year so far: each tech's revenue,
    rewards and revenue per reward dollar, and each deal's revenue, rounded to whole dollars."""
    values = set()
    for period in (Filters.months(MONTH, MONTH, branches), Filters.months("2026-01", MONTH,
                                                                             branches)):
        by_tech = metrics.run(con, "by_tech", period)
        for column in ("revenue_attributed", "reward_cost"):
            values |= {round(float(v)) for v in by_tech[column].dropna() if v}
        closed = metrics.run(con, "meeting_closed_leads", period, limit=None, offset=0)
        values |= {round(float(v)) for v in closed["revenue"].dropna() if v}
    return values


def money_in(frame: pd.DataFrame) -> set[float]:
    """Whole-dollar values of every numeric cell of a frame."""
    found = set()
    for column in frame.columns:
        if pd.api.types.is_numeric_dtype(frame[column]) and not pd.api.types.is_bool_dtype(
                frame[column]):
            found |= {round(float(v)) for v in frame[column].dropna()}
    return found


PER_PERSON_FRAMES = ("top_month_leads", "top_month_won", "top_year_leads", "top_year_won",
                     "first_timers", "biggest_wins", "closed", "awaiting")


def test_privacy_removes_every_per_person_money_value_from_the_content(con):
    private = meeting.build(con, MONTH, privacy=True)
    open_ = meeting.build(con, MONTH, privacy=False)
    money = per_person_money(con)
    assert len(money) > 100
    for name in PER_PERSON_FRAMES:
        frame = getattr(private, name)
        assert not set(frame.columns) & set(meeting.PERSONAL_MONEY), name
        # counts may equal a small dollar amount by chance; no money-sized value may appear
        assert not {v for v in money_in(frame) if v >= 1000} & money, name
    assert {"revenue"} <= set(open_.closed.columns) and {"revenue"} <= set(open_.biggest_wins)
    assert "revenue_attributed" in open_.top_month_won
    assert money_in(open_.biggest_wins) & money
    # team totals stay
    assert private.numbers == open_.numbers


# --- first-time contributors and biggest wins on hand-made rows --------------------------------


@pytest.fixture
def small(tmp_path):
    """Four techs: T1 a regular, T2 new in October, T3 new in Hartford in September and in Boston
    in October, T4 new in October in Hartford; October deals of several sizes."""
    connection = fresh_db(tmp_path)
    load(connection,
         techs=[tech("T1", "Boston", tech_name="Ann Lee"), tech("T2", "Boston", tech_name="Bob Ray"),
                tech("T3", "Boston", tech_name="Cy Moss"),
                tech("T4", "Hartford", tech_name="Dee Fox")],
         leads=[lead("A1", "2026-08-03", "T1", branch="Boston"),
                lead("A2", "2026-10-02", "T1", branch="Boston", customer_name="Acme"),
                lead("B1", "2026-10-05", "T2", branch="Boston", customer_name="Birch"),
                lead("B2", "2026-10-20", "T2", branch="Boston", customer_name="Birch 2"),
                lead("C1", "2026-09-28", "T3", branch="Hartford"),
                lead("C2", "2026-10-07", "T3", branch="Boston", customer_name="Cedar"),
                lead("D1", "2026-10-09", "T4", branch="Hartford", customer_name="Delta")],
         outcomes=[outcome("A1", "won", closed="2026-10-04", revenue=9000),
                   outcome("A2", "won", closed="2026-10-30", revenue=500),
                   outcome("B1", "won", closed="2026-10-15", revenue=9000),
                   outcome("B2", "lost", closed="2026-10-25", loss_reason="Price"),
                   outcome("C1", "won", closed="2026-09-30", revenue=50000),
                   outcome("C2", "won", closed="2026-10-12", revenue=12000),
                   outcome("D1", "won", closed="2026-11-02", revenue=70000)],
         payouts=[payout("P1", "T1", "2026-10-10", 150, "A1", "Lead won"),
                  payout("P2", "T2", "2026-10-20", 175, "B1", "Lead won")])
    yield connection
    connection.close()


def test_first_time_contributors_sent_their_first_lead_ever_in_the_month(small):
    everyone = meeting.build(small, MONTH).first_timers
    assert everyone[["tech_id", "first_lead_at", "leads_submitted", "leads_won"]].to_dict(
        "records") == [
        {"tech_id": "T2", "first_lead_at": pd.Timestamp("2026-10-05"), "leads_submitted": 2,
         "leads_won": 1},
        {"tech_id": "T4", "first_lead_at": pd.Timestamp("2026-10-09"), "leads_submitted": 1,
         "leads_won": 1},  # won in November: "won so far" is today's status
    ]
    # T3's first lead was in September (in another branch): not new in Boston in October
    boston = meeting.build(small, MONTH, ["Boston"]).first_timers
    assert boston["tech_id"].tolist() == ["T2"]
    assert meeting.build(small, "2026-09").first_timers["tech_id"].tolist() == ["T3"]


def test_biggest_wins_are_the_months_deals_by_revenue_with_their_tech(small):
    wins = meeting.build(small, MONTH, privacy=False).biggest_wins
    # D1 closes in November and C1 in September: not October's; B2 is lost
    assert wins[["lead_id", "tech", "revenue"]].to_dict("records") == [
        {"lead_id": "C2", "tech": "Cy Moss", "revenue": 12000.0},
        {"lead_id": "A1", "tech": "Ann Lee", "revenue": 9000.0},  # a tie: the earlier close
        {"lead_id": "B1", "tech": "Bob Ray", "revenue": 9000.0},
        {"lead_id": "A2", "tech": "Ann Lee", "revenue": 500.0},
    ]
    private = meeting.build(small, MONTH, privacy=True).biggest_wins
    assert private["lead_id"].tolist() == wins["lead_id"].tolist()
    assert "revenue" not in private
    assert meeting.cells(meeting.build(small, MONTH, privacy=False).table("biggest_wins"))[0] == [
        "Cy Moss", "Cedar", "Upgrade", "Oct 12, 2026", "$12,000"]


def test_the_biggest_wins_stop_at_the_limit(small):
    load(small, leads=[lead(f"X{i}", "2026-10-01", "T1") for i in range(10)],
         outcomes=[outcome(f"X{i}", "won", closed="2026-10-02", revenue=100 + i)
                   for i in range(10)])
    wins = meeting.build(small, MONTH, privacy=False).biggest_wins
    assert len(wins) == meeting.BIGGEST_WINS
    assert wins["revenue"].is_monotonic_decreasing


def test_an_empty_database_makes_a_meeting_of_empty_slides(tmp_path):
    connection = fresh_db(tmp_path)
    content = meeting.build(connection, MONTH)
    slides = meeting.slides(content)
    assert [s.key for s in slides] == list(meeting.SLIDE_ORDER)
    assert all(s.rows is None or s.rows.empty for s in slides)
    assert meeting.empty_note(content, "closed") == "No lead closed in Oct 2026"


@pytest.mark.parametrize(("kind", "value", "shown"), [
    ("count", 1234, "1,234"), ("rate", 0.1789, "17.9 %"), ("money", 1024084.37, "$1,024,084"),
    ("money", -25.0, "-$25"), ("days", 2.0, "2 days"), ("days", 1.0, "1 day"),
    ("date", "2026-10-05", "Oct 5, 2026"), ("count", None, "–"), ("rate", float("nan"), "–"),
])
def test_values_read_as_people_read_them(kind, value, shown):
    assert meeting.text(kind, value) == shown


@pytest.mark.parametrize(("kind", "now", "before", "shown"), [
    ("count", 83, 87, "-4 (-4.6 %)"), ("money", 331883.2, 218491.0, "+$113,392 (+51.9 %)"),
    ("rate", 0.181, 0.609, "-42.8 pts"), ("count", 5, 0, "+5"), ("count", 5, None, None),
])
def test_changes_are_points_for_rates_and_difference_with_percent_otherwise(kind, now, before,
                                                                            shown):
    assert meeting.change(kind, now, before) == shown


# --- the Meeting page ------------------------------------------------------------------------


@pytest.fixture
def open_meeting(monkeypatch):
    def _open(db_file, query: dict | None = None) -> AppTest:
        monkeypatch.setenv("LEADBRIDGE_DB", str(db_file))
        at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
        if query:
            at.query_params.update(query)
        at.switch_page(PAGES["meeting"])
        return at.run()

    return _open


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def counter(at: AppTest) -> str:
    return next(m.value for m in at.markdown if re.fullmatch(r"\*\*\d+ / \d+\*\*", m.value))


def tile(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_a_facilitator_opens_october_and_clicks_through(open_meeting, sample_db, con):
    at = open_meeting(sample_db)
    no_exception(at)
    content = meeting.build(con, MONTH)
    slides = meeting.slides(content)
    assert at.selectbox(key="meeting_month").value == MONTH, "the last full month by default"
    assert at.toggle(key="meeting_privacy").value is True, "privacy on by default"
    assert at.title[0].value == "October 2026 in numbers"
    assert counter(at) == f"**1 / {len(slides)}**"
    totals = month_report(con)["totals"]
    assert tile(at, "Leads submitted") == f"{totals['leads_submitted']:,}"
    assert tile(at, "Revenue attributed") == f"${totals['revenue_attributed']:,.0f}"
    assert tile(at, "Conversion") == f"{totals['conversion_rate'] * 100:.1f} %"

    at.button(key="meeting_slide_next").click().run()
    no_exception(at)
    assert counter(at) == f"**2 / {len(slides)}**"
    assert at.title[0].value == slides[1].title == "Top lead generators of Oct 2026"
    at.button(key="meeting_slide_previous").click().run()
    assert at.title[0].value == slides[0].title


def test_the_jump_list_offers_each_tables_first_slide_and_the_one_shown(open_meeting, sample_db,
                                                                        con):
    """A long table's slides are not listed one by one (over 5,000 at 1M leads): the jump list
    has each table's first slide, and the slide shown once Next has moved into a table."""
    at = open_meeting(sample_db)
    slides = meeting.slides(meeting.build(con, MONTH))
    firsts = [i for i, s in enumerate(slides) if s.part == 1]
    assert len(firsts) < len(slides), "the sample's month has a table over several slides"

    def listed(indexes) -> list[str]:
        return [f"{i + 1}. {slides[i].title}" for i in indexes]

    jump = at.selectbox(key="meeting_slide")
    assert jump.options == listed(firsts)
    long = next(i for i in firsts if slides[i].parts > 1)
    at = jump.set_value(long).run()
    at.button(key="meeting_slide_next").click().run()
    no_exception(at)
    assert at.title[0].value == slides[long + 1].title
    jump = at.selectbox(key="meeting_slide")
    assert jump.value == long + 1
    assert jump.options == listed(sorted({*firsts, long + 1}))
    at = jump.set_value(firsts[-1]).run()  # and back to a first slide: the part is gone again
    assert at.title[0].value == slides[firsts[-1]].title
    assert at.selectbox(key="meeting_slide").options == listed(firsts)


def test_the_branch_filter_shows_the_branchs_numbers(open_meeting, sample_db, con):
    at = open_meeting(sample_db)
    everyone = tile(at, "Leads submitted")
    at.multiselect(key="lb_branch").select("Hartford").run()
    no_exception(at)
    hartford = month_report(con, MONTH, ["Hartford"])["totals"]
    assert tile(at, "Leads submitted") == f"{hartford['leads_submitted']:,}" != everyone
    assert tile(at, "Won deals") == f"{hartford['deals_won']:,}"
    assert tile(at, "Participation") == f"{hartford['participation_rate'] * 100:.1f} %"
    # a shorter meeting: fewer closed leads, fewer slides
    slides = meeting.slides(meeting.build(con, MONTH, ["Hartford"]))
    assert counter(at) == f"**1 / {len(slides)}**"


def test_another_month_changes_the_numbers(open_meeting, sample_db, con):
    at = open_meeting(sample_db)
    at.selectbox(key="meeting_month").set_value("2026-06").run()
    no_exception(at)
    june = month_report(con, "2026-06")["totals"]
    assert at.title[0].value == "June 2026 in numbers"
    assert tile(at, "Leads submitted") == f"{june['leads_submitted']:,}"


def page_texts(at: AppTest) -> list[str]:
    """Everything a page shows as text: titles, markdown, captions, tiles, table cells and the
    charts' data (their JSON)."""
    texts = [e.value for e in (*at.title, *at.markdown, *at.caption)]
    texts += [f"{m.value} {m.proto.delta}" for m in at.metric]
    for frame in at.dataframe:
        texts += [str(v) for v in frame.value.to_numpy().ravel()]
    texts += [c.proto.spec for c in at.get("plotly_chart")]
    return texts


def walk(at: AppTest, content: meeting.Meeting) -> dict[str, list[str]]:
    """The texts of the first slide of each kind, and of the table below it, opened."""
    firsts = {}
    for i, slide in enumerate(meeting.slides(content)):
        firsts.setdefault(slide.key, i)
    found = {}
    for key, index in firsts.items():
        at.selectbox(key="meeting_slide").set_value(index).run()
        no_exception(at)
        if key in meeting.TABLE_SLIDES and content.size(key):
            open_table(at, key)
        found[key] = page_texts(at)
    return found


def open_table(at: AppTest, key: str) -> None:
    """Open the 'All N rows' expander under a table slide (it fetches its rows when opened)."""
    assert not [d for d in at.dataframe if d.key == f"meeting_{key}"], "fetched before opening"
    at.session_state[f"meeting_all_{key}"] = True
    at.run()
    no_exception(at)


def dollar_amounts(texts: list[str]) -> set[int]:
    """Whole-dollar values written as money ('$12,345') or as plain numbers in chart data."""
    found = set()
    for value in texts:
        found |= {int(m.replace(",", "")) for m in re.findall(r"\$(\d[\d,]*)", value)}
        if value.startswith("{"):
            found |= {round(float(n)) for n in re.findall(r"(?<![\w.])\d{3,}\.\d+", value)}
    return found


def test_privacy_hides_per_person_money_on_every_slide_of_the_page(open_meeting, sample_db, con):
    branches = ("Boston",)
    money = per_person_money(con, branches)
    at = open_meeting(sample_db, query={"branch": "Boston"})
    private = walk(at, meeting.build(con, MONTH, branches, privacy=True))
    for key, texts in private.items():
        leaked = dollar_amounts(texts) & money
        assert not leaked, f"{key}: per-person money shown with privacy on: {sorted(leaked)[:5]}"
        if key != "numbers":
            assert not any("$" in t for t in texts if not t.startswith("{")), key
    numbers = " ".join(private["numbers"])
    boston = month_report(con, MONTH, branches)["totals"]
    assert f"${boston['revenue_attributed']:,.0f}" in numbers, "team totals stay"

    at.toggle(key="meeting_privacy").set_value(False).run()
    shown = walk(at, meeting.build(con, MONTH, branches, privacy=False))
    for key in ("top_month", "top_year", "biggest_wins", "closed"):
        assert dollar_amounts(shown[key]) & money, f"{key}: per-person money with privacy off"


def test_every_table_of_the_page_has_its_downloads(open_meeting, sample_db):
    at = open_meeting(sample_db, query={"branch": "Boston"})
    at.selectbox(key="meeting_slide").set_value(5).run()  # closing the loop (1/…)
    no_exception(at)
    assert at.title[0].value.startswith("Closing the loop")
    assert [b.label for b in at.get("download_button")] == ["Deck"]
    open_table(at, "closed")
    labels = [b.label for b in at.get("download_button")]
    assert {"Download CSV", "Download Excel", "Deck"} <= set(labels)



@pytest.mark.parametrize("delta, shown", [
    ("-30 (-10.5 %)", "vs Sep"), ("-2.7 pts", "vs Sep"), (None, "vs Sep"),
    ("+$46,798 (+5.0 %)", None), ("+$146,798 (+18.0 %)", None), ("too young to compare", None)])
def test_vs_the_month_stands_beside_a_chip_only_where_both_fit_a_tile(delta, shown):
    assert ui.versus_month(delta, date(2026, 9, 1)) == shown


def test_the_meeting_tiles_say_vs_the_month_where_it_fits(open_meeting, sample_db):
    """At 1280 pixels a tile holds '-30 (-10.5 %) vs Sep'; a money chip fills it (it was cut to
    'v…'), so it stands alone and the tile's first line names the month."""
    at = open_meeting(sample_db)
    no_exception(at)
    tiles = {m.label: m.proto for m in at.metric}
    assert tiles["Leads submitted"].delta_description == "vs Sep"
    assert tiles["Revenue attributed"].delta.startswith(("+$", "-$"))
    assert tiles["Revenue attributed"].delta_description == ""
    revenue = at.get("markdown")
    assert any(m.value.startswith("Sep 2026: **$") for m in revenue)


def test_a_meeting_tile_shows_millions_short_and_the_exact_amount_in_its_tooltip():
    """'$128,108,412' did not fit a tile ('$128,108,…' at 1M leads)."""
    big = meeting.Number("revenue_attributed", "Revenue attributed", "money", 128_108_412.4,
                         125_694_368, 120_257_264, "Revenue.")
    exact = text.md("$128,108,412")  # as text in the tooltip's markdown, not LaTeX
    assert ui.meeting_tile_value(big) == ("$128.1M", f"Revenue.\n\nExactly {exact}.")
    small = meeting.Number("revenue_attributed", "Revenue attributed", "money", 963_936,
                           817_137, 988_469, "Revenue.")
    assert ui.meeting_tile_value(small) == ("$963,936", "Revenue.")
    leads = meeting.Number("leads_submitted", "Leads submitted", "count", 34_064, 36_259,
                           33_383, "Leads.")
    assert ui.meeting_tile_value(leads) == ("34,064", "Leads.")

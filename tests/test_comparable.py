"""Comparable conversion (METRICS.md): hand-made cohorts on both sides of the 30 and 90 day edges,
and every place that sets two periods' conversion side by side, walked on a month just ended."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from leadbridge import deck, meeting, metrics
from tests.app_fixtures import DASHBOARD, PAGES
from tests.metrics_fixtures import build, fresh_db, lead, load, outcome, payout, rows


def day(text: str) -> date:
    return date.fromisoformat(text)


# --- the numbers on both sides of the edges ---------------------------------------------------

# January 2026: won at exactly 30 days, at 31, at exactly 90, at 91; one lost, one open.
JANUARY = [
    (lead("L1", "2026-01-01"), outcome("L1", "won", closed="2026-01-31", revenue=100)),
    (lead("L2", "2026-01-01"), outcome("L2", "won", closed="2026-02-01", revenue=100)),
    (lead("L3", "2026-01-10"), outcome("L3", "won", closed="2026-04-10", revenue=100)),
    (lead("L4", "2026-01-10"), outcome("L4", "won", closed="2026-04-11", revenue=100)),
    (lead("L5", "2026-01-20"), outcome("L5", "lost", closed="2026-01-25")),
    (lead("L6", "2026-01-31"), None),
]


def january(tmp_path, latest: str):
    """January's cohort, the data's latest date moved to `latest` by a payout on that day."""
    con = fresh_db(tmp_path)
    load(con, leads=[pair[0] for pair in JANUARY],
         outcomes=[pair[1] for pair in JANUARY if pair[1]],
         payouts=[payout("P1", "T1", latest, 50)])
    return con


def test_won_within_30_and_90_days_counts_the_edge_day_in(tmp_path):
    con = january(tmp_path, "2026-05-01")  # Jan 31 + 90 days: both old enough
    totals = build(con, "2026-01")["totals"]
    assert totals["leads_submitted"] == 6
    assert totals["conversion_rate"] == pytest.approx(4 / 6)
    assert totals["conversion_30d"] == pytest.approx(1 / 6)  # L1 at 30 days; L2 at 31 is out
    assert totals["conversion_90d"] == pytest.approx(3 / 6)  # L1, L2, L3 at 90; L4 at 91 is out


@pytest.mark.parametrize(("latest", "has_30d", "has_90d"), [
    ("2026-03-01", False, False),  # Jan 31 + 29 days
    ("2026-03-02", True, False),   # Jan 31 + 30 days: the 30-day conversion exists
    ("2026-04-30", True, False),   # + 89 days
    ("2026-05-01", True, True),    # + 90 days
])
def test_a_period_has_a_comparable_conversion_once_it_is_that_old(tmp_path, latest, has_30d,
                                                                  has_90d):
    con = fresh_db(tmp_path)
    load(con, leads=[lead("A", "2026-01-05")],
         outcomes=[outcome("A", "won", closed="2026-01-10")],
         payouts=[payout("P", "T1", latest, 10)])
    totals = build(con, "2026-01")["totals"]
    assert (totals["conversion_30d"] == 1.0) is has_30d
    assert (totals["conversion_30d"] is None) is not has_30d
    assert (totals["conversion_90d"] == 1.0) is has_90d
    assert (totals["conversion_90d"] is None) is not has_90d


def test_each_month_of_the_breakdown_has_its_own_maturity(tmp_path):
    con = fresh_db(tmp_path)
    load(con, leads=[lead("D", "2025-12-15"), lead("J", "2026-01-15"), lead("F", "2026-02-15")],
         outcomes=[outcome("D", "won", closed="2026-01-20"),  # 36 days
                   outcome("J", "won", closed="2026-01-25")],  # 10 days
         payouts=[payout("P", "T1", "2026-04-30", 10)])
    by_month = {r["month"]: r for r in rows(con, "monthly", "2025-12", "2026-02")}
    # Dec 31 + 90 = Mar 31: Dec has both; Jan 31 + 90 = May 1: Jan only the 30-day one;
    # Feb 28 + 30 = Mar 30: Feb has the 30-day one (its lead is open: 0)
    assert (by_month["2025-12"]["conversion_30d"], by_month["2025-12"]["conversion_90d"]) == (0, 1)
    assert (by_month["2026-01"]["conversion_30d"], by_month["2026-01"]["conversion_90d"]) == (1, None)
    assert (by_month["2026-02"]["conversion_30d"], by_month["2026-02"]["conversion_90d"]) == (0, None)


def test_no_leads_no_comparable_conversion(tmp_path):
    con = january(tmp_path, "2026-12-31")
    totals = build(con, "2026-02")["totals"]
    assert totals["leads_submitted"] == 0
    assert totals["conversion_30d"] is None and totals["conversion_90d"] is None


# --- the rule that picks what to compare --------------------------------------------------------


def test_the_longest_conversion_both_periods_have_is_compared():
    now = {"leads_submitted": 10, "leads_open": 1, "conversion_30d": 0.2, "conversion_90d": 0.3}
    before = {"leads_submitted": 8, "conversion_30d": 0.25, "conversion_90d": 0.5}
    versus = metrics.compare_conversion(now, before)
    assert versus.key == "conversion_90d" and versus.change() == "-20.0 pts (≤90 d)"
    assert versus.before_text() == "50.0 % won within 90 days"
    versus = metrics.compare_conversion({**now, "conversion_90d": None}, before)
    assert versus.key == "conversion_30d" and versus.change() == "-5.0 pts (≤30 d)"


def test_a_period_without_a_30_day_conversion_is_too_young_to_compare():
    now = {"leads_submitted": 10, "leads_open": 9, "conversion_rate": 0.1,
           "conversion_30d": None, "conversion_90d": None}
    versus = metrics.compare_conversion(now, {"conversion_30d": 0.6, "conversion_90d": 0.7})
    assert not versus.comparable and versus.too_young
    assert versus.change() == "too young to compare: 9 of 10 leads still open"
    assert versus.before_text() == "–"
    # an earlier period without leads is not a comparison, and not a young one either
    versus = metrics.compare_conversion({**now, "conversion_30d": 0.1}, {"conversion_30d": None})
    assert versus.change() is None


# --- every comparison, on a month that has just ended -----------------------------------------

# April 2026: 10 leads, 6 won within 10 days. May 2026, just ended: 10 leads, 1 won, 9 open.
# May 2025: 10 leads, 5 won. The data's latest date: June 2, 2026. So-far conversion says May
# fell 50 points; it is only young.


def just_ended(tmp_path, latest: str = "2026-06-02"):
    leads, outcomes = [], []
    for month, won, lost in (("2026-04", 6, 4), ("2026-05", 1, 0), ("2025-05", 5, 5)):
        for i in range(10):
            submitted = day(f"{month}-01") + timedelta(days=2 * i)
            lead_id = f"{month}-{i}"
            leads.append(lead(lead_id, submitted.isoformat(), f"T{i % 3}", branch="Boston"))
            if i < won:
                closed = min(submitted + timedelta(days=10), day(f"{month}-28"))
                outcomes.append(outcome(lead_id, "won", contacted=submitted.isoformat(),
                                        closed=closed.isoformat(), revenue=1000))
            elif i < won + lost:
                outcomes.append(outcome(lead_id, "lost", closed=(submitted + timedelta(days=5))
                                        .isoformat()))
    con = fresh_db(tmp_path)
    load(con, leads=leads, outcomes=outcomes, payouts=[payout("P", "T1", latest, 20)])
    return con


def test_the_meeting_and_the_deck_never_show_a_young_month_as_a_drop(tmp_path):
    con = just_ended(tmp_path)
    content = meeting.build(con, "2026-05", privacy=True)
    (conversion,) = [n for n in content.numbers if n.key == "conversion_rate"]
    assert conversion.value == pytest.approx(0.1) and conversion.previous == pytest.approx(0.6)
    for which in ("previous", "last_year"):
        assert conversion.change(which) == "too young to compare: 9 of 10 leads still open"
        assert conversion.before_text(which) == "–"
    prs = Presentation(__import__("io").BytesIO(deck.build(content)))
    numbers = next(s for s in prs.slides if s.shapes.title.text_frame.text == "May 2026 in numbers")
    (table,) = [shape.table for shape in numbers.shapes if shape.has_table]
    row = next([c.text for c in r.cells] for r in table.rows if r.cells[0].text == "Conversion")
    assert row == ["Conversion", "10.0 %", "–", "too young\vto compare", "–",
                   "too young\vto compare"]
    texts = [shape.text_frame.text for shape in numbers.shapes if shape.has_text_frame]
    assert any("too young to compare: 9 of 10 leads still open" in t for t in texts)
    # no cell of the slide shows conversion falling
    assert not any(c.text.startswith("-") for c in table.rows[4].cells)


def test_once_the_month_is_30_days_old_it_is_compared_by_30_day_conversion(tmp_path):
    con = just_ended(tmp_path, latest="2026-07-01")  # May 31 + 31 days
    content = meeting.build(con, "2026-05", privacy=True)
    (conversion,) = [n for n in content.numbers if n.key == "conversion_rate"]
    assert conversion.change("previous") == "-50.0 pts (≤30 d)"  # a real drop: both 30 days old
    assert conversion.change("last_year") == "-40.0 pts (≤30 d)"
    assert conversion.before_text("previous") == "60.0 % won within 30 days"


@pytest.mark.parametrize("page", ["overview", "technicians"])
def test_the_conversion_tile_says_a_young_month_is_too_young(tmp_path, monkeypatch, page):
    just_ended(tmp_path).close()
    monkeypatch.setenv("LEADBRIDGE_DB", str(tmp_path / "data" / "lb.duckdb"))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.query_params.update({"preset": "Custom months", "from": "2026-05", "to": "2026-05"})
    at.switch_page(PAGES[page])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    conversion = [m for m in at.metric if m.label == "Conversion"]
    tile = conversion[0]  # the period's tile (Technicians also has one tech's, without a change)
    assert tile.value == "10.0 %"
    # The chip says it in words that fit a tile at 1280 pixels; the tooltip says how many leads.
    assert tile.delta == "too young to compare"
    assert tile.proto.help.endswith("Now too young to compare: 9 of 10 leads still open.")
    assert not any((m.delta or "").startswith("-") for m in conversion)


def test_the_meetings_conversion_tile_says_too_young_and_its_text_says_how_many(tmp_path,
                                                                               monkeypatch):
    """On the meeting page the chip fits its tile at 1280 pixels ('too young to compare'); the
    line against last year says how many of the month's leads are still open."""
    just_ended(tmp_path).close()
    monkeypatch.setenv("LEADBRIDGE_DB", str(tmp_path / "data" / "lb.duckdb"))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.switch_page(PAGES["meeting"])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    at.selectbox(key="meeting_month").set_value("2026-05").run()
    assert not at.exception, [e.value for e in at.exception]
    (tile,) = [m for m in at.metric if m.label == "Conversion"]
    assert (tile.value, tile.delta) == ("10.0 %", "too young to compare")
    # it read 'too young to compare: 9 of 10 leads still open vs May 2025'
    assert any(m.value.endswith("Too young to compare with May 2025: 9 of 10 leads still open")
               for m in at.markdown)
    assert any(m.value.endswith("+0 (+0.0 %) vs May 2025") for m in at.markdown)  # leads

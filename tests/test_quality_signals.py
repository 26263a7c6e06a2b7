"""Lead quality signals: hand-made leads on both sides of each threshold, exactly the planted techs
flagged in the sample company, and the Lead quality page and the leaderboard's marks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from leadbridge import quality_signals
from tests.app_fixtures import DASHBOARD, PAGES, build_sample_db
from tests.metrics_fixtures import fresh_db, import_sample, job, lead, load, outcome, payout, period

# The sample company's planted techs (sample_data/README.md, "Lead quality story").
FARMER, BUNCHER = "0701", "0605"
DEFAULT = ("2025-11", "2026-10")  # the dashboard's default view of the sample


def signal(con, key: str, month_from="2026-01", month_to="2026-03") -> dict[str, dict]:
    frame = quality_signals.signals(con, period(month_from, month_to))[key]
    return {r["tech_id"]: r for r in frame.to_dict("records")}


def days(start: str, n: int, step: int = 1) -> list[str]:
    first = date.fromisoformat(start)
    return [(first + timedelta(days=i * step)).isoformat() for i in range(n)]


def test_duplicate_looking_leads_same_customer_and_type_within_30_days(tmp_path):
    con = fresh_db(tmp_path)
    load(con, leads=[
        lead("A1", "2026-01-01", "T1", customer_id="C1"),
        lead("A2", "2026-01-31", "T1", customer_id="C1"),  # 30 days after A1: looks duplicate
        lead("A3", "2026-01-20", "T1", customer_id="C1", lead_type="new_equipment"),  # other type
        lead("B1", "2026-02-01", "T1", customer_id="C2"),
        lead("B2", "2026-03-04", "T1", customer_id="C2"),  # 31 days: not
        lead("D1", "2026-02-10", "T2", customer_id="C3"),
        lead("D2", "2026-02-12", "T1", customer_id="C3"),  # another tech's lead counts too
    ])
    found = signal(con, "duplicates")
    assert (found["T1"]["count"], found["T1"]["base"]) == (3, 6)  # A1, A2, D2
    assert found["T1"]["flagged"]  # 3 leads, 50 %
    assert (found["T2"]["count"], found["T2"]["flagged"]) == (1, False)  # one lead: too few
    rows = quality_signals.drill_down(con, period("2026-01", "2026-03"), "duplicates", "T1")
    assert sorted(rows["lead_id"]) == ["A1", "A2", "D2"]


def test_lost_fast_as_not_real_within_14_days_for_a_listed_reason(tmp_path):
    con = fresh_db(tmp_path)
    leads, outcomes = [], []
    for i, (after, reason) in enumerate([(14, "No need"), (3, "Duplicate lead"),
                                         (10, "Not interested!"), (15, "No need"),
                                         (2, "Price"), (5, None)]):
        leads.append(lead(f"L{i}", "2026-01-05", "T1"))
        outcomes.append(outcome(f"L{i}", "lost", closed=f"2026-01-{5 + after:02d}",
                                loss_reason=reason))
    load(con, leads=leads, outcomes=outcomes)
    found = signal(con, "lost_fast")["T1"]
    assert (found["count"], found["base"], found["flagged"]) == (3, 6, True)
    rows = quality_signals.drill_down(con, period("2026-01", "2026-03"), "lost_fast", "T1")
    assert sorted(rows["lead_id"]) == ["L0", "L1", "L2"]


def test_month_end_bunching_against_the_share_of_days(tmp_path):
    con = fresh_db(tmp_path)
    # T1: 12 leads, 10 in the last 3 days of January to March; T2: 12 leads spread evenly
    bunched = (["2026-01-29", "2026-01-30", "2026-01-31", "2026-02-26", "2026-02-27",
                "2026-02-28", "2026-03-29", "2026-03-30", "2026-03-31", "2026-03-31"]
               + ["2026-01-10", "2026-02-10"])
    load(con, leads=[lead(f"B{i}", d, "T1") for i, d in enumerate(bunched)]
         + [lead(f"E{i}", d, "T2") for i, d in enumerate(days("2026-01-02", 12, 7))])
    found = signal(con, "month_end")
    assert found["T1"]["benchmark"] == pytest.approx(9 / 90)  # 9 of the quarter's 90 days
    assert (found["T1"]["count"], found["T1"]["flagged"]) == (10, True)
    assert not found["T2"]["flagged"]
    # 9 leads, all at month end: too few to say
    con2 = fresh_db(tmp_path / "few")
    load(con2, leads=[lead(f"B{i}", d, "T1") for i, d in enumerate(bunched[:9])])
    assert not signal(con2, "month_end")["T1"]["flagged"]


def test_no_job_only_where_jobs_are_loaded(tmp_path):
    con = fresh_db(tmp_path)
    leads = [lead(f"L{i}", "2026-01-10", "T1", job_id=j)
             for i, j in enumerate(["J1", "J2", "", None, "J404", "J5"])]
    load(con, leads=leads)
    assert not signal(con, "no_job")["T1"]["flagged"]  # no jobs file: nothing to compare
    load(con, jobs=[job(f"J{i}", "T1", "2026-01-10") for i in (1, 2, 5)])
    found = signal(con, "no_job")["T1"]
    assert (found["count"], found["flagged"]) == (3, True)  # empty, missing and unknown J404


def test_conversion_whose_whole_interval_is_below_the_branch(tmp_path):
    con = fresh_db(tmp_path)
    leads, outcomes = [], []
    for tech, n, won in (("LOW", 12, 1), ("FEW", 9, 0), ("OK", 40, 30)):
        for i in range(n):
            leads.append(lead(f"{tech}{i}", "2026-01-10", tech, branch="Boston"))
            if i < won:
                outcomes.append(outcome(f"{tech}{i}", "won", closed="2026-01-20", revenue=10))
    load(con, leads=leads, outcomes=outcomes)
    found = signal(con, "conversion")
    branch_rate = 31 / 61
    assert found["LOW"]["benchmark"] == pytest.approx(branch_rate)
    assert found["LOW"]["interval_high"] < branch_rate and found["LOW"]["flagged"]
    assert not found["FEW"]["flagged"]  # 0 of 9: fewer than 10 leads
    assert not found["OK"]["flagged"]


def test_rewards_per_won_deal_far_above_the_branch(tmp_path):
    con = fresh_db(tmp_path)
    leads, outcomes, payouts = [], [], []
    # FARM: 60 leads paid $25 each, 2 won ($100 each) -> $1,700 / 2 = $850 per won deal.
    # GOOD: 40 leads paid $25, 20 won ($100) -> $3,000 / 20 = $150. Branch: $4,700 / 22 = $214.
    for tech, n, won in (("FARM", 60, 2), ("GOOD", 40, 20)):
        for i in range(n):
            lead_id = f"{tech}{i}"
            leads.append(lead(lead_id, "2026-01-05", tech, branch="Boston"))
            payouts.append(payout(f"S{lead_id}", tech, "2026-02-15", 25, lead_id))
            if i < won:
                outcomes.append(outcome(lead_id, "won", closed="2026-02-01", revenue=1000))
                payouts.append(payout(f"W{lead_id}", tech, "2026-03-15", 100, lead_id))
    load(con, leads=leads, outcomes=outcomes, payouts=payouts)
    found = signal(con, "rewards")
    assert found["FARM"]["value"] == pytest.approx(850)
    assert found["FARM"]["benchmark"] == pytest.approx(4700 / 22)
    assert found["FARM"]["flagged"] and not found["GOOD"]["flagged"]
    payouts_behind = quality_signals.drill_down(con, period("2026-01", "2026-03"), "rewards",
                                                "FARM")
    assert len(payouts_behind) == 62


def test_the_access_scope_limits_every_signal(tmp_path):
    con = fresh_db(tmp_path)
    load(con, leads=[lead("A", "2026-01-05", "T1", branch="Boston"),
                     lead("B", "2026-01-05", "T2", branch="Hartford")],
         payouts=[payout("P", "T1", "2026-01-15", 25, "A")])
    from dataclasses import replace
    scoped = replace(period("2026-01", "2026-03"), scope=("Hartford",))
    for key, frame in quality_signals.signals(con, scoped).items():
        assert "T1" not in set(frame["tech_id"]), key


# --- the sample company --------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    con = import_sample(tmp_path_factory.mktemp("quality_sample"))
    yield con
    con.close()


def test_exactly_the_planted_techs_are_flagged_in_the_sample(sample):
    found = quality_signals.signals(sample, period(*DEFAULT))
    summary = quality_signals.flagged(found)
    assert list(summary["tech_id"]) == [FARMER, BUNCHER]  # most signals first
    flagged = {key: set(frame.loc[frame["flagged"], "tech_id"]) for key, frame in found.items()}
    assert flagged == {"duplicates": set(), "lost_fast": {FARMER}, "month_end": {BUNCHER},
                       "no_job": {FARMER}, "conversion": {FARMER}, "rewards": {FARMER}}


# --- the page and the leaderboard ----------------------------------------------------------


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("quality_pages"))


def open_page(monkeypatch, db_file, page):
    monkeypatch.setenv("LEADBRIDGE_DB", str(db_file))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    at.switch_page(PAGES[page])
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_lead_quality_page_lists_the_techs_and_the_leads_behind(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db, "lead_quality")
    summary = at.dataframe[0].value
    assert list(summary["tech_id"]) == [FARMER, BUNCHER]
    assert list(summary["signals"]) == [4, 1]
    assert "worth a look" in at.markdown[0].value
    picker = at.selectbox(key="quality_month_end_tech")
    assert picker.value is None
    at = picker.set_value(BUNCHER).run()
    leads = [d.value for d in at.dataframe if "lead_id" in d.value.columns]
    (behind,) = leads
    assert len(behind) > 10
    assert (pd_day(behind["submitted_at"]) >= 26).all()  # each in the last 3 days of its month


def pd_day(series):
    import pandas as pd
    stamps = pd.to_datetime(series)
    return stamps.dt.day + (31 - stamps.dt.days_in_month)  # day counted as in a 31-day month


def test_the_leaderboard_marks_exactly_the_flagged_techs(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db, "technicians")
    board = next(d.value for d in at.dataframe if "worth_a_look" in d.value.columns)
    marked = board[board["worth_a_look"] != ""]
    assert sorted(marked["tech_id"]) == sorted([FARMER, BUNCHER])
    assert marked.set_index("tech_id").loc[BUNCHER, "worth_a_look"] == "Month-end bunching"

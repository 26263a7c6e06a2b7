"""dbt-style tests of METRICS.md: a few hand-written rows, the exact numbers worked out on paper.

Every expectation carries its arithmetic. Days count from the submission date: a lead submitted
on Jan 2 and contacted on Jan 4 took 2 days. z = 1.959964 for the Wilson interval, z^2 =
3.841458881296.
"""

from __future__ import annotations

import json
import math

import pytest

from tests.metrics_fixtures import (
    build,
    fresh_db,
    job,
    lead,
    load,
    outcome,
    payout,
    rows,
    tech,
)

Z2 = 1.959964**2


@pytest.fixture
def con(tmp_path):
    """A fresh, empty database for one test."""
    connection = fresh_db(tmp_path)
    yield connection
    connection.close()


def assert_close(actual, expected):
    """actual equals expected, numbers within 1e-9 relative (None only matches None)."""
    assert snap(actual, expected) == expected


def snap(actual, expected):
    """actual with each number that is within 1e-9 of its expected twin replaced by that twin."""
    if isinstance(actual, dict) and isinstance(expected, dict):
        return {k: snap(v, expected.get(k)) for k, v in actual.items()}
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            return actual
        return type(expected)(snap(a, e) for a, e in zip(actual, expected, strict=True))
    numbers = (int, float)
    if (isinstance(actual, numbers) and isinstance(expected, numbers)
            and not isinstance(actual, bool) and math.isclose(actual, expected, rel_tol=1e-9,
                                                              abs_tol=1e-12)):
        return expected
    return actual


# --- The base company: four roster techs, nine leads, eight CRM rows, three payouts ---------
#
# Roster: T1 Ann L. (North, active), T2 Bob Roy (South, active), T3 (North, inactive),
#         T4 Dee Fox (West, active). T5 submits leads but is not on the roster.
#
# lead submitted  tech lead.branch -> branch    type               outcome
# L0   2025-12-20 T1   North          North     competitor_threat  won: contacted 12-22,
#                                                                  closed 01-15, $500, margin $100
# L1   2026-01-02 T1   North          North     upgrade            won: contacted 01-04,
#                                                                  closed 01-20, $1000, margin $400
# L2   2026-01-05 T1   '' (empty)     North(T1) new_equipment      lost: contacted 01-09,
#                                                                  closed 01-25, price
# L3   2026-01-10 T2   -              South(T2) upgrade            quoted: contacted 01-11
# L4   2026-01-12 T2   East           East      service_agreement  open, no contact
# L5   2026-01-28 T5   -              Unassigned other             no outcome row -> open
# L6   2026-01-15 T2   -              South     upgrade            open, contacted 01-16
# L7   2026-01-20 T1   -              North     new_equipment      qualified, contacted 01-22
# L8   2026-02-10 T2   -              South     upgrade            lost: contacted 02-11,
#                                                                  closed 02-20
#
# Payouts: P1 T1 for L1 on 2026-01-21 $100; P2 T2 for L3 on 2026-01-31 $50; P3 T1 for L0 on
# 2025-12-31 $75. The latest date in the data is L8's close, 2026-02-20.


def load_base(con):
    load(
        con,
        techs=[
            tech("T1", "North", tech_name="Ann L."),
            tech("T2", "South", tech_name="Bob Roy"),
            tech("T3", "North", active=False),
            tech("T4", "West", tech_name="Dee Fox"),
        ],
        leads=[
            lead("L0", "2025-12-20", "T1", branch="North", lead_type="competitor_threat"),
            lead("L1", "2026-01-02", "T1", branch="North", tech_name="Ann Lee"),
            lead("L2", "2026-01-05", "T1", branch="", lead_type="new_equipment"),
            lead("L3", "2026-01-10", "T2"),
            lead("L4", "2026-01-12", "T2", branch="East", lead_type="service_agreement"),
            lead("L5", "2026-01-28", "T5", lead_type="other"),
            lead("L6", "2026-01-15", "T2"),
            lead("L7", "2026-01-20", "T1", lead_type="new_equipment"),
            lead("L8", "2026-02-10", "T2"),
        ],
        outcomes=[
            outcome("L0", "won", contacted="2025-12-22", closed="2026-01-15", revenue=500,
                    margin=100),
            outcome("L1", "won", contacted="2026-01-04", closed="2026-01-20", revenue=1000,
                    margin=400),
            outcome("L2", "lost", contacted="2026-01-09", closed="2026-01-25", loss_reason="price"),
            outcome("L3", "quoted", contacted="2026-01-11"),
            outcome("L4", "open"),
            outcome("L6", "open", contacted="2026-01-16"),
            outcome("L7", "qualified", contacted="2026-01-22"),
            outcome("L8", "lost", contacted="2026-02-11", closed="2026-02-20"),
        ],
        payouts=[
            payout("P1", "T1", "2026-01-21", 100, lead_id="L1"),
            payout("P2", "T2", "2026-01-31", 50, lead_id="L3"),
            payout("P3", "T1", "2025-12-31", 75, lead_id="L0"),
        ],
    )


@pytest.fixture
def base(con):
    load_base(con)
    return con


def test_totals_for_january(base):
    report = build(base, "2026-01")
    assert report["period"] == {"from": "2026-01-01", "to": "2026-01-31"}
    assert report["filters"] == {"branch": [], "lead_type": [], "tech": []}
    # The data runs to 2026-02-20, later than the period's end: as_of is the period's end.
    assert report["as_of"] == "2026-01-31"
    assert_close(report["totals"], {
        # cohort = L1..L7 (submitted in January)
        "leads_submitted": 7,
        "leads_won": 1,  # L1
        "leads_lost": 1,  # L2
        "leads_open": 5,  # L3 quoted, L4 open, L5 no outcome, L6 open, L7 qualified
        "conversion_rate": 1 / 7,
        "win_rate": 1 / 2,  # 1 won / (1 won + 1 lost)
        # days to contact: L1 2, L2 4, L3 1, L6 1, L7 2 -> sorted 1 1 2 2 4 -> median 2
        "median_days_to_contact": 2.0,
        "participating_techs": 3,  # T1, T2, T5
        "active_techs": 3,  # T1, T2, T4 (T3 is inactive)
        "participation_rate": 2 / 3,  # T1 and T2 have cohort leads; T5 is not on the roster
        # open with no contact date, submitted >= 7 days before Jan 31: L4 (19 days); L5 is 3
        # days old; L6 is open but has a contact date
        "leads_awaiting_contact_7d": 1,
        # Jan 31 + 30 days = Mar 2, after the data's latest date (Feb 20): January is too young
        "conversion_30d": None,
        "conversion_90d": None,
        # activity: closed won in January = L0 (submitted in December) and L1
        "deals_won": 2,
        "revenue_attributed": 1500.0,  # 500 + 1000
        "gross_margin_attributed": 500.0,  # 100 + 400
        # days to close: L0 Dec 20 -> Jan 15 = 11 + 15 = 26; L1 Jan 2 -> Jan 20 = 18; median 22
        "median_days_to_close": 22.0,
        "reward_cost": 150.0,  # P1 100 + P2 50 (P3 was paid in December)
        "revenue_per_reward_dollar": 10.0,  # 1500 / 150
        "program_roi": (500 - 150) / 150,  # 2.333...
        "cost_per_won_deal": 75.0,  # 150 / 2
    })


def test_deals_won_count_activity_not_cohort(base):
    # L0 was submitted in December and won in January: a December cohort win, a January deal.
    december, january = build(base, "2025-12")["totals"], build(base, "2026-01")["totals"]
    assert (december["leads_won"], december["deals_won"]) == (1, 0)
    assert (january["leads_won"], january["deals_won"]) == (1, 2)
    assert january["revenue_attributed"] == 1500.0


def test_funnel_of_january(base):
    assert build(base, "2026-01")["funnel"] == {
        "submitted": 7,  # L1..L7
        # status not open (L1, L2, L3, L7) or a contact date (L6 is open but contacted):
        # 4 + 1 = 5; L4 and L5 are open without contact
        "contacted": 5,
        "qualified": 3,  # L7 qualified, L3 quoted, L1 won
        "quoted": 2,  # L3 quoted, L1 won
        "won": 1,  # L1
    }


def test_monthly_december_to_march(base):
    assert_close(build(base, "2025-12", "2026-03")["monthly"], [
        # December: cohort L0 (won later) -> 1/1; nothing closed in December; P3 $75 paid
        # Dec 31 + 30 = Jan 30 <= Feb 20: L0, won 26 days after submission, counts; + 90 is not
        {"month": "2025-12", "leads_submitted": 1, "leads_won": 1, "conversion_rate": 1.0,
         "conversion_30d": 1.0, "conversion_90d": None, "deals_won": 0, "revenue_attributed": 0.0, "reward_cost": 75.0},
        # January: as in the totals
        {"month": "2026-01", "leads_submitted": 7, "leads_won": 1, "conversion_rate": 1 / 7,
         "conversion_30d": None, "conversion_90d": None, "deals_won": 2, "revenue_attributed": 1500.0, "reward_cost": 150.0},
        # February: L8 was lost, a month with leads but no wins -> 0 / 1 = 0.0, not null
        {"month": "2026-02", "leads_submitted": 1, "leads_won": 0, "conversion_rate": 0.0,
         "conversion_30d": None, "conversion_90d": None, "deals_won": 0, "revenue_attributed": 0.0, "reward_cost": 0.0},
        # March: no leads -> conversion null
        {"month": "2026-03", "leads_submitted": 0, "leads_won": 0, "conversion_rate": None,
         "conversion_30d": None, "conversion_90d": None, "deals_won": 0, "revenue_attributed": 0.0, "reward_cost": 0.0},
    ])


def wilson(won, n):
    """The Wilson bounds worked out step by step (checked against the numbers written below)."""
    p = won / n
    centre = p + Z2 / (2 * n)
    half = 1.959964 * (p * (1 - p) / n + Z2 / (4 * n * n)) ** 0.5
    return (centre - half) / (1 + Z2 / n), (centre + half) / (1 + Z2 / n)


def test_by_tech_of_january(base):
    # Wilson, 1 of 3: p = 1/3; centre = 1/3 + 3.841459/6 = 0.973576; half = 1.959964 *
    # sqrt(2/27 + 3.841459/36) = 0.833345; denominator 1 + 3.841459/3 = 2.280486 ->
    # low 0.140231/2.280486 = 0.0614919, high 1.806921/2.280486 = 0.7923404
    # Wilson, 0 of n: low = 0, high = z^2/(n + z^2): n = 3 -> 3.841459/6.841459 = 0.5614970;
    # n = 1 -> 3.841459/4.841459 = 0.7934507
    assert_close(wilson(1, 3), (0.061491944020930805, 0.7923404011921757))
    assert_close(build(base, "2026-01")["by_tech"], [
        # T1: cohort L1, L2, L7 (1 won); deals L0 + L1 = $1500; P1 $100 -> 15 per reward dollar;
        # name from its lead (Ann Lee) before the roster's (Ann L.)
        {"tech_id": "T1", "tech_name": "Ann Lee", "leads_submitted": 3, "leads_won": 1,
         "conversion_rate": 1 / 3, "conversion_ci_low": 0.061491944020930805,
         "conversion_ci_high": 0.7923404011921757, "deals_won": 2, "revenue_attributed": 1500.0,
         "reward_cost": 100.0, "revenue_per_reward_dollar": 15.0},
        # T2: cohort L3, L4, L6 (none won); P2 $50 -> 0 / 50 = 0.0; name from the roster
        {"tech_id": "T2", "tech_name": "Bob Roy", "leads_submitted": 3, "leads_won": 0,
         "conversion_rate": 0.0, "conversion_ci_low": 0.0,
         "conversion_ci_high": Z2 / (3 + Z2), "deals_won": 0, "revenue_attributed": 0.0,
         "reward_cost": 50.0, "revenue_per_reward_dollar": 0.0},
        # T5: not on the roster, no name anywhere -> its id; no reward -> null per reward dollar
        {"tech_id": "T5", "tech_name": "T5", "leads_submitted": 1, "leads_won": 0,
         "conversion_rate": 0.0, "conversion_ci_low": 0.0,
         "conversion_ci_high": Z2 / (1 + Z2), "deals_won": 0, "revenue_attributed": 0.0,
         "reward_cost": 0.0, "revenue_per_reward_dollar": None},
    ])


def test_wilson_interval_three_won_of_four(con):
    load(con, leads=[lead(f"L{i}", "2026-01-05", "T1") for i in range(4)],
         outcomes=[outcome(f"L{i}", "won", closed="2026-01-20", revenue=10) for i in range(3)])
    row = build(con, "2026-01")["by_tech"][0]
    # p = 3/4 = 0.75, n = 4
    # centre = 0.75 + z^2/8 = 0.75 + 0.480182 = 1.230182
    # half = z * sqrt(0.75 * 0.25 / 4 + z^2 / 64) = 1.959964 * sqrt(0.046875 + 0.060023)
    #      = 1.959964 * 0.326952 = 0.640815
    # denominator = 1 + z^2/4 = 1.960365
    # low = (1.230182 - 0.640815) / 1.960365 = 0.300642
    # high = (1.230182 + 0.640815) / 1.960365 = 0.954413
    assert (row["leads_submitted"], row["leads_won"], row["conversion_rate"]) == (4, 3, 0.75)
    assert row["conversion_ci_low"] == pytest.approx(0.300642, abs=1e-6)
    assert row["conversion_ci_high"] == pytest.approx(0.954413, abs=1e-6)
    assert_close((row["conversion_ci_low"], row["conversion_ci_high"]), wilson(3, 4))


def test_by_branch_of_january(base):
    assert_close(build(base, "2026-01")["by_branch"], [
        # East: L4 (the lead's own branch wins over T2's roster branch South)
        {"branch": "East", "leads_submitted": 1, "leads_won": 0, "conversion_rate": 0.0,
         "win_rate": None, "deals_won": 0, "revenue_attributed": 0.0},
        # North: L1, L2 (empty branch -> T1's roster branch), L7; won L1, lost L2 -> win 1/2;
        # deals L0 + L1 -> $1500
        {"branch": "North", "leads_submitted": 3, "leads_won": 1, "conversion_rate": 1 / 3,
         "win_rate": 0.5, "deals_won": 2, "revenue_attributed": 1500.0},
        # South: L3, L6 (no branch -> T2's roster branch)
        {"branch": "South", "leads_submitted": 2, "leads_won": 0, "conversion_rate": 0.0,
         "win_rate": None, "deals_won": 0, "revenue_attributed": 0.0},
        # Unassigned: L5 (no branch, T5 not on the roster)
        {"branch": "Unassigned", "leads_submitted": 1, "leads_won": 0, "conversion_rate": 0.0,
         "win_rate": None, "deals_won": 0, "revenue_attributed": 0.0},
    ])


def test_by_lead_type_of_january(base):
    assert_close(build(base, "2026-01")["by_lead_type"], [
        # competitor_threat: no January lead, but L0's deal closed in January
        {"lead_type": "competitor_threat", "leads_submitted": 0, "leads_won": 0,
         "conversion_rate": None, "win_rate": None, "deals_won": 1, "revenue_attributed": 500.0},
        # new_equipment: L2 lost, L7 qualified -> win 0 / (0 + 1) = 0.0
        {"lead_type": "new_equipment", "leads_submitted": 2, "leads_won": 0,
         "conversion_rate": 0.0, "win_rate": 0.0, "deals_won": 0, "revenue_attributed": 0.0},
        {"lead_type": "other", "leads_submitted": 1, "leads_won": 0, "conversion_rate": 0.0,
         "win_rate": None, "deals_won": 0, "revenue_attributed": 0.0},
        {"lead_type": "service_agreement", "leads_submitted": 1, "leads_won": 0,
         "conversion_rate": 0.0, "win_rate": None, "deals_won": 0, "revenue_attributed": 0.0},
        # upgrade: L1 won, L3, L6 open -> 1/3, win 1/1; deal L1 $1000
        {"lead_type": "upgrade", "leads_submitted": 3, "leads_won": 1, "conversion_rate": 1 / 3,
         "win_rate": 1.0, "deals_won": 1, "revenue_attributed": 1000.0},
    ])


def test_as_of_is_the_period_end_when_the_data_goes_on(base):
    # January ends before the data does (2026-02-20): as_of = 2026-01-31, L4 waits 19 days, L5 3
    report = build(base, "2026-01")
    assert report["as_of"] == "2026-01-31"
    assert report["totals"]["leads_awaiting_contact_7d"] == 1


def test_as_of_is_the_last_data_date_when_the_data_stops_earlier(base):
    # Q1 ends on Mar 31 but the data stops at L8's close on Feb 20: as_of = 2026-02-20; then L4
    # (Jan 12 -> Feb 20 = 39 days) and L5 (Jan 28 -> Feb 20 = 23 days) both wait 7+ days
    report = build(base, "2026-01", "2026-03")
    assert report["as_of"] == "2026-02-20"
    assert report["totals"]["leads_awaiting_contact_7d"] == 2


def test_as_of_counts_every_date_kind(con):
    # The latest date may be a submission, a contact, a close or a payment; each one moves as_of.
    load(con, leads=[lead("L1", "2026-01-03")])
    assert build(con, "2026-01")["as_of"] == "2026-01-03"
    load(con, outcomes=[outcome("L1", "contacted", contacted="2026-01-09")])
    assert build(con, "2026-01")["as_of"] == "2026-01-09"
    load(con, payouts=[payout("P1", "T1", "2026-01-12", 5)])
    assert build(con, "2026-01")["as_of"] == "2026-01-12"
    load(con, leads=[lead("L2", "2026-01-04")],
         outcomes=[outcome("L2", "lost", closed="2026-01-17")])
    assert build(con, "2026-01")["as_of"] == "2026-01-17"
    # a period ending before all of it: its own last day
    assert build(con, "2025-12")["as_of"] == "2025-12-31"


def test_an_empty_period_has_zero_counts_and_null_rates(base):
    report = build(base, "2020-01", "2020-03")
    assert report["as_of"] == "2020-03-31"
    totals = report["totals"]
    for key in ("leads_submitted", "leads_won", "leads_lost", "leads_open", "participating_techs",
                "leads_awaiting_contact_7d", "deals_won"):
        assert totals[key] == 0, key
    assert (totals["revenue_attributed"], totals["reward_cost"]) == (0.0, 0.0)
    for key in ("conversion_rate", "win_rate", "median_days_to_contact", "gross_margin_attributed",
                "median_days_to_close", "revenue_per_reward_dollar", "program_roi",
                "cost_per_won_deal"):
        assert totals[key] is None, key
    # The roster is loaded: 3 active techs, none with a lead -> 0 / 3 = 0.0 (null only when
    # active_techs is null or 0)
    assert (totals["active_techs"], totals["participation_rate"]) == (3, 0.0)
    assert [m["month"] for m in report["monthly"]] == ["2020-01", "2020-02", "2020-03"]
    assert all(m["leads_submitted"] == 0 and m["conversion_rate"] is None
               for m in report["monthly"])
    assert report["by_tech"] == report["by_lead_type"] == report["by_branch"] == []
    assert report["funnel"] == dict.fromkeys(("submitted", "contacted", "qualified", "quoted",
                                              "won"), 0)


def test_an_empty_database(con):
    report = build(con, "2026-01")
    assert report["as_of"] == "2026-01-31"  # no data at all: the period's end
    assert report["totals"]["leads_submitted"] == 0
    assert report["totals"]["active_techs"] is None
    assert report["totals"]["participation_rate"] is None
    json.loads(json.dumps(report, allow_nan=False))


def test_no_roster_means_no_active_techs(con):
    load(con, leads=[lead("L1", "2026-01-05", "T1", branch="North"),
                     lead("L2", "2026-01-06", "T2")])
    totals = build(con, "2026-01")["totals"]
    assert totals["participating_techs"] == 2
    assert totals["active_techs"] is None
    assert totals["participation_rate"] is None
    # without a roster a lead's branch is its own, else Unassigned
    assert [b["branch"] for b in build(con, "2026-01")["by_branch"]] == ["North", "Unassigned"]


def test_a_branch_filter_with_no_active_roster_tech_gives_null_participation(base):
    # East: L4 only (T2, whose roster branch is South); no roster tech is in East -> active 0
    totals = build(base, "2026-01", branch=["East"])["totals"]
    assert (totals["participating_techs"], totals["active_techs"]) == (1, 0)
    assert totals["participation_rate"] is None


@pytest.mark.parametrize(("branches", "active", "rate"), [
    # North: T1 active (T3 inactive); T1 has January leads -> 1/1
    (["North"], 1, 1.0),
    # North + West: T1 and T4 active; only T1 has a lead -> 1/2
    (["North", "West"], 2, 0.5),
    # South: T2 active with L3, L6 -> 1/1
    (["South"], 1, 1.0),
    # West: T4 active, no lead -> 0/1
    (["West"], 1, 0.0),
])
def test_participation_rate_with_a_branch_filter(base, branches, active, rate):
    totals = build(base, "2026-01", branch=branches)["totals"]
    assert (totals["active_techs"], totals["participation_rate"]) == (active, rate)


def test_participation_counts_only_active_roster_techs_in_the_branch(con):
    # T1 (roster North) submits a lead for branch South. With the South filter the lead is in the
    # cohort, but T1 is not an active South roster tech: active_techs = 1 (T2), rate 0/1.
    load(con, techs=[tech("T1", "North"), tech("T2", "South")],
         leads=[lead("L1", "2026-01-05", "T1", branch="South")])
    totals = build(con, "2026-01", branch=["South"])["totals"]
    assert (totals["leads_submitted"], totals["participating_techs"]) == (1, 1)
    assert (totals["active_techs"], totals["participation_rate"]) == (1, 0.0)


# Each filter alone and together, on January of the base company.
FILTER_CASES = {
    # North: L1, L2, L7 (T1); deals L0, L1; P1 (for L1, North) $100; P2 is for South's L3.
    # active North: T1 -> 1/1
    "branch": ({"branch": ["North"]}, {
        "leads_submitted": 3, "leads_won": 1, "leads_lost": 1, "leads_open": 1,
        "participating_techs": 1, "active_techs": 1, "participation_rate": 1.0,
        "deals_won": 2, "revenue_attributed": 1500.0, "reward_cost": 100.0,
        "cost_per_won_deal": 50.0}),
    # upgrade: L1 won, L3, L6 open; deal L1 $1000 (L0 is competitor_threat); P1 (L1) + P2 (L3)
    # = $150; no branch filter -> active 3; T1, T2 participate -> 2/3
    "lead type": ({"lead_type": ["upgrade"]}, {
        "leads_submitted": 3, "leads_won": 1, "leads_lost": 0, "leads_open": 2,
        "participating_techs": 2, "active_techs": 3, "participation_rate": 2 / 3,
        "deals_won": 1, "revenue_attributed": 1000.0, "reward_cost": 150.0,
        "cost_per_won_deal": 150.0}),
    # T2: L3, L4, L6; no deals; P2 $50; participation 1/3 (the tech filter leaves the roster)
    "tech": ({"tech": ["T2"]}, {
        "leads_submitted": 3, "leads_won": 0, "leads_lost": 0, "leads_open": 3,
        "participating_techs": 1, "active_techs": 3, "participation_rate": 1 / 3,
        "deals_won": 0, "revenue_attributed": 0.0, "reward_cost": 50.0,
        "cost_per_won_deal": None}),
    # North + upgrade + T1: L1 only; deal L1 $1000; P1 $100
    "all three": ({"branch": ["North"], "lead_type": ["upgrade"], "tech": ["T1"]}, {
        "leads_submitted": 1, "leads_won": 1, "leads_lost": 0, "leads_open": 0,
        "participating_techs": 1, "active_techs": 1, "participation_rate": 1.0,
        "deals_won": 1, "revenue_attributed": 1000.0, "reward_cost": 100.0,
        "cost_per_won_deal": 100.0}),
    # South + upgrade: L3, L6; P2 $50
    "branch and type": ({"branch": ["South"], "lead_type": ["upgrade"]}, {
        "leads_submitted": 2, "leads_won": 0, "leads_lost": 0, "leads_open": 2,
        "participating_techs": 1, "active_techs": 1, "participation_rate": 1.0,
        "deals_won": 0, "revenue_attributed": 0.0, "reward_cost": 50.0,
        "cost_per_won_deal": None}),
    # T1 + new_equipment: L2 lost, L7 qualified; P1 is for an upgrade lead -> $0
    "tech and type": ({"tech": ["T1"], "lead_type": ["new_equipment"]}, {
        "leads_submitted": 2, "leads_won": 0, "leads_lost": 1, "leads_open": 1,
        "participating_techs": 1, "active_techs": 3, "participation_rate": 1 / 3,
        "deals_won": 0, "revenue_attributed": 0.0, "reward_cost": 0.0,
        "cost_per_won_deal": None}),
    # East or Unassigned, other or service_agreement: L4, L5; two techs, T5 off the roster;
    # active in East/Unassigned: none -> null
    "two branches, two types": ({"branch": ["East", "Unassigned"],
                                 "lead_type": ["other", "service_agreement"]}, {
        "leads_submitted": 2, "leads_won": 0, "leads_lost": 0, "leads_open": 2,
        "participating_techs": 2, "active_techs": 0, "participation_rate": None,
        "deals_won": 0, "revenue_attributed": 0.0, "reward_cost": 0.0,
        "cost_per_won_deal": None}),
}


@pytest.mark.parametrize("case", list(FILTER_CASES))
def test_filters_alone_and_combined(base, case):
    filters, expected = FILTER_CASES[case]
    report = build(base, "2026-01", **filters)
    assert report["filters"] == {"branch": filters.get("branch", []),
                                 "lead_type": filters.get("lead_type", []),
                                 "tech": filters.get("tech", [])}
    assert_close({k: report["totals"][k] for k in expected}, expected)
    # the breakdowns keep to the filter too
    assert sum(t["leads_submitted"] for t in report["by_tech"]) == expected["leads_submitted"]
    assert sum(b["leads_submitted"] for b in report["by_branch"]) == expected["leads_submitted"]
    assert report["funnel"]["submitted"] == expected["leads_submitted"]
    assert sum(m["reward_cost"] for m in report["monthly"]) == expected["reward_cost"]


# --- Payouts ----------------------------------------------------------------------------------


def load_payouts(con):
    # T1 is on the roster (North) with one lead L1 (upgrade). Five January payouts:
    # PA T1 for L1            $10  -> branch North (lead), type upgrade
    # PB T1 without a lead     $20  -> branch North (T1's roster branch), no type
    # PC T9 (unknown) no lead  $40  -> Unassigned, no type
    # PD T1 for unknown LZ     $80  -> North (roster), no type
    # PE T2 (unknown) for L1  $160  -> North and upgrade from the lead; tech T2
    load(con, techs=[tech("T1", "North")],
         leads=[lead("L1", "2026-01-05", "T1")],
         payouts=[payout("PA", "T1", "2026-01-10", 10, lead_id="L1"),
                  payout("PB", "T1", "2026-01-11", 20),
                  payout("PC", "T9", "2026-01-12", 40),
                  payout("PD", "T1", "2026-01-13", 80, lead_id="LZ"),
                  payout("PE", "T2", "2026-01-14", 160, lead_id="L1")])


@pytest.mark.parametrize(("filters", "reward_cost"), [
    ({}, 310.0),  # 10 + 20 + 40 + 80 + 160
    ({"branch": ["North"]}, 270.0),  # PA + PB + PD + PE = 10 + 20 + 80 + 160
    ({"branch": ["Unassigned"]}, 40.0),  # PC
    ({"lead_type": ["upgrade"]}, 170.0),  # PA + PE; PB, PC, PD have no lead type
    ({"lead_type": ["other"]}, 0.0),  # a payout without a lead is not "other" either
    ({"tech": ["T1"]}, 110.0),  # PA + PB + PD: the payout's tech, not the lead's
    ({"tech": ["T2"]}, 160.0),  # PE, although L1 is T1's lead
    ({"tech": ["T9"], "branch": ["Unassigned"]}, 40.0),  # PC
    ({"tech": ["T1"], "lead_type": ["upgrade"]}, 10.0),  # PA
])
def test_payouts_without_a_lead_and_for_unknown_techs(con, filters, reward_cost):
    load_payouts(con)
    report = build(con, "2026-01", **filters)
    assert report["totals"]["reward_cost"] == reward_cost
    assert report["monthly"][0]["reward_cost"] == reward_cost
    assert sum(t["reward_cost"] for t in report["by_tech"]) == reward_cost


def test_payout_rows_by_tech(con):
    load_payouts(con)
    by_tech = {t["tech_id"]: t for t in build(con, "2026-01")["by_tech"]}
    # T1: PA + PB + PD = 110, with its cohort lead; T2 and T9: payouts only (no lead, null rates)
    assert {k: v["reward_cost"] for k, v in by_tech.items()} == {"T1": 110.0, "T2": 160.0,
                                                                  "T9": 40.0}
    assert by_tech["T9"]["tech_name"] == "T9"
    assert by_tech["T9"]["leads_submitted"] == 0
    assert by_tech["T9"]["conversion_rate"] is None
    assert by_tech["T9"]["conversion_ci_low"] is None
    assert by_tech["T9"]["revenue_per_reward_dollar"] == 0.0  # $0 revenue / $40


def load_clawbacks(con):
    load(con, leads=[lead("L1", "2026-01-05"), lead("L2", "2026-02-01"), lead("L3", "2026-03-01"),
                     lead("L4", "2026-04-01")],
         outcomes=[outcome("L1", "won", closed="2026-01-20", revenue=1000, margin=300),
                   outcome("L2", "won", closed="2026-02-10", revenue=200, margin=50),
                   outcome("L3", "won", closed="2026-03-05", revenue=100, margin=20),
                   outcome("L4", "won", closed="2026-04-05", revenue=100)],
         payouts=[payout("P1", "T1", "2026-01-21", 100, "L1"),
                  payout("P2", "T1", "2026-01-25", -30, "L1"),
                  payout("P3", "T1", "2026-02-15", -40),
                  payout("P4", "T1", "2026-03-06", 25, "L3"),
                  payout("P5", "T1", "2026-03-07", -25, "L3"),
                  payout("P6", "T1", "2026-04-06", 50, "L4")])


def test_clawbacks_reduce_reward_cost(con):
    load_clawbacks(con)
    totals = build(con, "2026-01")["totals"]
    assert_close(totals, {**totals,
                             "reward_cost": 70.0,  # 100 - 30
                             "revenue_per_reward_dollar": 1000 / 70,  # 14.2857...
                             "program_roi": (300 - 70) / 70,  # 3.2857...
                             "cost_per_won_deal": 70.0})  # 70 / 1


@pytest.mark.parametrize(("month", "reward_cost", "per_dollar", "roi", "per_deal"), [
    # February: only a clawback -> -40; per dollar and ROI null; -40 / 1 deal = -40
    ("2026-02", -40.0, None, None, -40.0),
    # March: 25 - 25 = 0 -> per dollar and ROI null; 0 / 1 deal = 0
    ("2026-03", 0.0, None, None, 0.0),
    # April: $50 and $100 revenue -> 2.0 per dollar; no margin -> ROI null
    ("2026-04", 50.0, 2.0, None, 50.0),
])
def test_reward_cost_zero_or_negative_or_no_margin(con, month, reward_cost, per_dollar, roi,
                                                   per_deal):
    load_clawbacks(con)
    totals = build(con, month)["totals"]
    assert (totals["reward_cost"], totals["revenue_per_reward_dollar"], totals["program_roi"],
            totals["cost_per_won_deal"]) == (reward_cost, per_dollar, roi, per_deal)
    by_tech = build(con, month)["by_tech"][0]
    assert (by_tech["reward_cost"], by_tech["revenue_per_reward_dollar"]) == (reward_cost,
                                                                             per_dollar)


# --- Leads, outcomes and dates ------------------------------------------------------------------


def test_dates_before_submission_are_left_out_of_medians(con):
    load(con, leads=[lead("L1", "2026-01-10"), lead("L2", "2026-01-10"), lead("L3", "2026-01-10")],
         outcomes=[
             # contacted two days before submission: out of the contact median; closed after 10
             outcome("L1", "won", contacted="2026-01-08", closed="2026-01-20", revenue=10),
             # contacted after 2 days; closed before submission: out of the close median
             outcome("L2", "won", contacted="2026-01-12", closed="2026-01-05", revenue=10),
             # contacted the same day: 0 days counts
             outcome("L3", "contacted", contacted="2026-01-10"),
         ])
    totals = build(con, "2026-01")["totals"]
    assert totals["median_days_to_contact"] == 1.0  # median of L2 2 and L3 0 = 1
    assert totals["median_days_to_close"] == 10.0  # L1 only (Jan 10 -> Jan 20)
    assert totals["deals_won"] == 2  # both still count as deals
    assert rows(con, "time_to_close", "2026-01")[-1] == {"bucket_order": 7,
                                                         "bucket": "date error", "deals_won": 1}


def test_a_lead_without_an_outcome_row_is_open(con):
    load(con, leads=[lead("L1", "2026-01-05")], payouts=[payout("P1", "T9", "2026-01-31", 1)])
    report = build(con, "2026-01")
    assert (report["totals"]["leads_open"], report["totals"]["leads_won"]) == (1, 0)
    assert report["totals"]["leads_awaiting_contact_7d"] == 1  # Jan 5 -> Jan 31 = 26 days
    assert report["funnel"]["contacted"] == 0
    # 26 days old at as_of -> the 15-30 days bucket of the open backlog
    assert rows(con, "open_leads_by_age", "2026-01") == [
        {"bucket_order": 3, "age_bucket": "15–30 days", "status": "open", "leads": 1}]


def test_outcomes_of_unknown_leads_count_nowhere(base):
    before = build(base, "2026-01")
    load(base, outcomes=[outcome("LX", "won", contacted="2026-01-02", closed="2026-01-18",
                                 revenue=9999, margin=9999, sales_rep="Zed")])
    after = build(base, "2026-01")
    assert after == before
    reps = rows(base, "conversion_by_dimension", "2026-01", dimension="sales_rep")
    assert "Zed" not in {r["dimension_value"] for r in reps}


def test_a_leads_branch_is_its_own_then_the_roster_then_unassigned(con):
    load(con, techs=[tech("T1", "North"), tech("T3", None)],
         leads=[lead("L1", "2026-01-05", "T1", branch="South"),  # its own
                lead("L2", "2026-01-05", "T1", branch=""),  # empty -> roster North
                lead("L3", "2026-01-05", "T1", branch="  "),  # blank -> roster North
                lead("L4", "2026-01-05", "T1"),  # missing -> roster North
                lead("L5", "2026-01-05", "T9"),  # T9 not on the roster -> Unassigned
                lead("L6", "2026-01-05", "T3")])  # T3 on the roster without a branch -> Unassigned
    by_branch = {b["branch"]: b["leads_submitted"] for b in build(con, "2026-01")["by_branch"]}
    assert by_branch == {"North": 3, "South": 1, "Unassigned": 2}
    assert build(con, "2026-01", branch=["Unassigned"])["totals"]["leads_submitted"] == 2


def test_a_missing_or_unknown_lead_type_is_other(tmp_path, con):
    from leadbridge import importer

    file = tmp_path / "leads.csv"
    file.write_text("Lead ID,Created Date,Technician ID,Lead Type\n"
                    "L1,2026-01-05,T1,\n"  # missing -> other
                    "L2,2026-01-06,T1,Widget swap\n"  # unknown word -> other
                    "L3,2026-01-07,T1,Upsell\n")  # a known word -> upgrade
    assert importer.import_file(con, file).ok
    by_type = {t["lead_type"]: t["leads_submitted"] for t in build(con, "2026-01")["by_lead_type"]}
    assert by_type == {"other": 2, "upgrade": 1}


def test_leads_awaiting_contact_at_six_and_seven_days(con):
    # as_of = Jan 31 (a payment that day). L7 was submitted 7 days before (Jan 24), L6 six (Jan 25)
    load(con, leads=[lead("L7", "2026-01-24", "T1"), lead("L6", "2026-01-25", "T2")],
         payouts=[payout("P1", "T1", "2026-01-31", 5)])
    report = build(con, "2026-01")
    assert report["as_of"] == "2026-01-31"
    assert report["totals"]["leads_awaiting_contact_7d"] == 1  # L7 only: 7 >= 7, 6 < 7
    waiting = rows(con, "leads_awaiting_contact", "2026-01")
    assert [(w["lead_id"], w["days_waiting"]) for w in waiting] == [("L7", 7), ("L6", 6)]
    speed = rows(con, "contact_speed_by_dimension", "2026-01", dimension="branch")
    assert [(s["dimension_value"], s["awaiting_contact_7d"]) for s in speed] == [("Unassigned", 1)]


# --- The extra breakdowns -------------------------------------------------------------------


def test_contact_speed_by_sales_rep(con):
    # Rep A: five January leads contacted after 1, 2, 3 and 10 days, one not contacted.
    # quantile_cont interpolates linearly (pandas' default): sorted 1 2 3 10, positions 0..3;
    # median at 1.5 -> 2 + 0.5 * (3 - 2) = 2.5; p90 at 0.9 * 3 = 2.7 -> 3 + 0.7 * (10 - 3) = 7.9.
    # Within 7 days: 3 of 5 leads = 0.6. The uncontacted lead (Jan 2 -> as_of Jan 31) waits.
    # Rep B: the outcome's rep wins over the lead's (lead says A): one lead, 5 days.
    # No rep anywhere -> Unassigned.
    load(con,
         leads=[lead("A1", "2026-01-01", sales_rep="A"), lead("A2", "2026-01-01", sales_rep="A"),
                lead("A3", "2026-01-01", sales_rep="A"), lead("A4", "2026-01-01", sales_rep="A"),
                lead("A5", "2026-01-02", sales_rep="A"), lead("B1", "2026-01-03", sales_rep="A"),
                lead("U1", "2026-01-04")],
         outcomes=[outcome("A1", "contacted", contacted="2026-01-02"),
                   outcome("A2", "contacted", contacted="2026-01-03"),
                   outcome("A3", "contacted", contacted="2026-01-04"),
                   outcome("A4", "contacted", contacted="2026-01-11"),
                   outcome("B1", "contacted", contacted="2026-01-08", sales_rep="B"),
                   outcome("U1", "lost", contacted="2026-01-31", closed="2026-01-31")])
    assert_close(rows(con, "contact_speed_by_dimension", "2026-01", dimension="sales_rep"), [
        {"dimension_value": "A", "leads": 5, "leads_contacted": 4, "median_days_to_contact": 2.5,
         "p90_days_to_contact": 7.9, "contacted_within_7d_share": 0.6, "awaiting_contact_7d": 1},
        {"dimension_value": "B", "leads": 1, "leads_contacted": 1, "median_days_to_contact": 5.0,
         "p90_days_to_contact": 5.0, "contacted_within_7d_share": 1.0, "awaiting_contact_7d": 0},
        # U1: Jan 4 -> Jan 31 = 27 days
        {"dimension_value": "Unassigned", "leads": 1, "leads_contacted": 1,
         "median_days_to_contact": 27.0, "p90_days_to_contact": 27.0,
         "contacted_within_7d_share": 0.0, "awaiting_contact_7d": 0},
    ])
    # by branch: all seven leads are Unassigned; days 1 2 3 10 5 27 -> sorted 1 2 3 5 10 27:
    # median = (3 + 5) / 2 = 4; p90 at 0.9 * 5 = 4.5 -> 10 + 0.5 * (27 - 10) = 18.5
    assert_close(rows(con, "contact_speed_by_dimension", "2026-01", dimension="branch"), [
        {"dimension_value": "Unassigned", "leads": 7, "leads_contacted": 6,
         "median_days_to_contact": 4.0, "p90_days_to_contact": 18.5,
         "contacted_within_7d_share": 4 / 7, "awaiting_contact_7d": 1},
    ])


def test_open_leads_by_age_bucket_edges(con):
    # as_of = Jan 31 (the period's end; the data goes on to Feb 5). Open leads aged 7, 8, 14, 15,
    # 30 and 31 days; a won and a lost lead and a lead submitted after the period are left out.
    load(con,
         leads=[lead("A7", "2026-01-24"), lead("A8", "2026-01-23"), lead("A14", "2026-01-17"),
                lead("A15", "2026-01-16"), lead("A30", "2026-01-01"), lead("A31", "2025-12-31"),
                lead("W", "2026-01-02"), lead("X", "2026-01-02"), lead("F", "2026-02-05")],
         outcomes=[outcome("A14", "contacted", contacted="2026-01-20"),
                   outcome("A30", "quoted", contacted="2026-01-03"),
                   outcome("W", "won", closed="2026-01-10", revenue=1),
                   outcome("X", "lost", closed="2026-01-10")])
    assert rows(con, "open_leads_by_age", "2026-01") == [
        {"bucket_order": 1, "age_bucket": "0–7 days", "status": "open", "leads": 1},  # A7
        {"bucket_order": 2, "age_bucket": "8–14 days", "status": "contacted", "leads": 1},  # A14
        {"bucket_order": 2, "age_bucket": "8–14 days", "status": "open", "leads": 1},  # A8
        {"bucket_order": 3, "age_bucket": "15–30 days", "status": "open", "leads": 1},  # A15
        {"bucket_order": 3, "age_bucket": "15–30 days", "status": "quoted", "leads": 1},  # A30
        {"bucket_order": 4, "age_bucket": "over 30 days", "status": "open", "leads": 1},  # A31
    ]
    # awaiting contact: open without a contact date, by the period's end, oldest first
    waiting = rows(con, "leads_awaiting_contact", "2026-01")
    assert [(w["lead_id"], w["days_waiting"], w["sales_rep"]) for w in waiting] == [
        ("A31", 31, "Unassigned"), ("A15", 15, "Unassigned"), ("A8", 8, "Unassigned"),
        ("A7", 7, "Unassigned")]


def test_cohort_conversion_by_age(con):
    # Period Nov 2025 .. Jan 2026, as_of Jan 31 (the data goes on to Feb 10).
    # November cohort, 4 leads: N1 won Nov 20 (age 0), N2 won Dec 5 (age 1), N3 won Feb 10
    # (after as_of: never shown), N4 lost. Ages shown: 0 (Nov), 1 (Dec), 2 (Jan); 3 starts Feb 1.
    # December cohort, 2 leads: D1 won Jan 10 (age 1), D2 open. January cohort: J1 open.
    load(con,
         leads=[lead("N1", "2025-11-03"), lead("N2", "2025-11-10"), lead("N3", "2025-11-15"),
                lead("N4", "2025-11-30"), lead("D1", "2025-12-01"), lead("D2", "2025-12-31"),
                lead("J1", "2026-01-15")],
         outcomes=[outcome("N1", "won", closed="2025-11-20", revenue=1),
                   outcome("N2", "won", closed="2025-12-05", revenue=1),
                   outcome("N3", "won", closed="2026-02-10", revenue=1),
                   outcome("N4", "lost", closed="2025-12-01"),
                   outcome("D1", "won", closed="2026-01-10", revenue=1)])
    assert_close(rows(con, "cohort_conversion_by_age", "2025-11", "2026-01"), [
        {"cohort_month": "2025-11", "months_since": 0, "leads_submitted": 4,
         "leads_won_by_then": 1, "conversion_rate": 0.25},  # N1
        {"cohort_month": "2025-11", "months_since": 1, "leads_submitted": 4,
         "leads_won_by_then": 2, "conversion_rate": 0.5},  # N1, N2
        {"cohort_month": "2025-11", "months_since": 2, "leads_submitted": 4,
         "leads_won_by_then": 2, "conversion_rate": 0.5},  # N3 closes after January
        {"cohort_month": "2025-12", "months_since": 0, "leads_submitted": 2,
         "leads_won_by_then": 0, "conversion_rate": 0.0},
        {"cohort_month": "2025-12", "months_since": 1, "leads_submitted": 2,
         "leads_won_by_then": 1, "conversion_rate": 0.5},  # D1
        {"cohort_month": "2026-01", "months_since": 0, "leads_submitted": 1,
         "leads_won_by_then": 0, "conversion_rate": 0.0},
    ])
    # the totals count the current status: N1, N2, N3 and D1 are won -> 4 of 7
    assert build(con, "2025-11", "2026-01")["totals"]["leads_won"] == 4


def test_time_to_close_buckets(con):
    # Deals won in January after 0, 7, 8, 30, 31 and 91 days, one closed before submission; a
    # lost lead and a deal closed in February are not January deals.
    days = {"D0": ("2026-01-10", "2026-01-10"), "D7": ("2026-01-01", "2026-01-08"),
            "D8": ("2026-01-01", "2026-01-09"), "D30": ("2025-12-15", "2026-01-14"),
            "D31": ("2025-12-15", "2026-01-15"),
            "D91": ("2025-10-05", "2026-01-04"),  # Oct 5 -> Jan 4 = 26 + 30 + 31 + 4 = 91 days
            "E": ("2026-01-20", "2026-01-19"), "LOST": ("2026-01-01", "2026-01-05"),
            "FEB": ("2026-01-01", "2026-02-02")}
    load(con, leads=[lead(k, v[0]) for k, v in days.items()],
         outcomes=[outcome(k, "lost" if k == "LOST" else "won", closed=v[1],
                           revenue=None if k == "LOST" else 1) for k, v in days.items()])
    assert rows(con, "time_to_close", "2026-01") == [
        {"bucket_order": 1, "bucket": "0–7 days", "deals_won": 2},  # D0, D7
        {"bucket_order": 2, "bucket": "8–14 days", "deals_won": 1},  # D8
        {"bucket_order": 3, "bucket": "15–30 days", "deals_won": 1},  # D30
        {"bucket_order": 4, "bucket": "31–60 days", "deals_won": 1},  # D31
        {"bucket_order": 5, "bucket": "61–90 days", "deals_won": 0},
        {"bucket_order": 6, "bucket": "over 90 days", "deals_won": 1},  # D91
        {"bucket_order": 7, "bucket": "date error", "deals_won": 1},  # E
    ]
    assert build(con, "2026-01")["totals"]["deals_won"] == 7


def test_lost_reasons(con):
    # Lost with a close date in January: price twice, timing once, no reason once (one of them a
    # December lead). A lead lost in February and a won lead do not count.
    load(con,
         leads=[lead("L1", "2026-01-02"), lead("L2", "2025-12-20"), lead("L3", "2026-01-05"),
                lead("L4", "2026-01-06"), lead("L5", "2026-01-07"), lead("L6", "2026-01-08")],
         outcomes=[outcome("L1", "lost", closed="2026-01-10", loss_reason="price"),
                   outcome("L2", "lost", closed="2026-01-11", loss_reason="price"),
                   outcome("L3", "lost", closed="2026-01-12", loss_reason="timing"),
                   outcome("L4", "lost", closed="2026-01-13"),
                   outcome("L5", "lost", closed="2026-02-01", loss_reason="price"),
                   outcome("L6", "won", closed="2026-01-14", revenue=5)])
    assert rows(con, "lost_reasons", "2026-01") == [
        {"loss_reason": "price", "leads_lost": 2, "share": 0.5},  # 2 / 4
        {"loss_reason": "Not given", "leads_lost": 1, "share": 0.25},
        {"loss_reason": "timing", "leads_lost": 1, "share": 0.25},
    ]


def test_reward_cost_by_month_and_reason(con):
    load(con, payouts=[payout("P1", "T1", "2026-01-05", 100, reason="lead bonus"),
                       payout("P2", "T1", "2026-01-06", 50, reason="lead bonus"),
                       payout("P3", "T1", "2026-01-07", -30, reason="lead bonus"),
                       payout("P4", "T2", "2026-01-08", 20),
                       payout("P5", "T2", "2026-02-01", 10, reason="lead bonus"),
                       payout("P6", "T2", "2026-03-01", 999, reason="lead bonus")])
    assert rows(con, "reward_cost_by_month_reason", "2026-01", "2026-02") == [
        # 100 + 50 - 30 = 120; one clawback of -30
        {"month": "2026-01", "reason": "Not given", "payouts": 1, "amount": 20.0, "clawbacks": 0,
         "clawback_amount": 0.0},
        {"month": "2026-01", "reason": "lead bonus", "payouts": 3, "amount": 120.0,
         "clawbacks": 1, "clawback_amount": -30.0},
        {"month": "2026-02", "reason": "lead bonus", "payouts": 1, "amount": 10.0, "clawbacks": 0,
         "clawback_amount": 0.0},
    ]


def test_leads_per_100_jobs_by_tech(con):
    # T1 (North): four January jobs, one of them booked to South; T2 (South): two jobs; T3 ran
    # a job in February only. T1 submitted one lead in January, T2 none.
    load(con, techs=[tech("T1", "North", tech_name="Ann"), tech("T2", "South"),
                     tech("T3", "North")],
         leads=[lead("L1", "2026-01-05", "T1"), lead("L2", "2026-02-05", "T3")],
         jobs=[job("J1", "T1", "2026-01-02"), job("J2", "T1", "2026-01-03"),
               job("J3", "T1", "2026-01-04"), job("J4", "T1", "2026-01-05", branch="South"),
               job("J5", "T2", "2026-01-06"), job("J6", "T2", "2026-01-07"),
               job("J7", "T3", "2026-02-01")])
    assert_close(rows(con, "leads_per_100_jobs_by_tech", "2026-01"), [
        {"tech_id": "T1", "tech_name": "Ann", "branch": "North", "jobs": 4, "leads_submitted": 1,
         "leads_per_100_jobs": 25.0},  # 100 * 1 / 4
        {"tech_id": "T2", "tech_name": "T2", "branch": "South", "jobs": 2, "leads_submitted": 0,
         "leads_per_100_jobs": 0.0},
    ])
    # North: T1's three North jobs (J4 was in South) and its North lead -> 100 * 1 / 3
    assert_close(rows(con, "leads_per_100_jobs_by_tech", "2026-01",
                      filters={"branch": ["North"]}), [
        {"tech_id": "T1", "tech_name": "Ann", "branch": "North", "jobs": 3, "leads_submitted": 1,
         "leads_per_100_jobs": 100 / 3},
    ])


def test_conversion_by_sales_rep(con):
    # L1: lead rep Ann, outcome rep Zed -> Zed (the CRM's rep wins); won in January for $100.
    # L2: lead rep Ann, no outcome -> Ann, open. L3: no rep -> Unassigned, lost.
    # K0: a December lead of Kim's won in January for $50: a deal without a cohort lead.
    load(con,
         leads=[lead("L1", "2026-01-05", sales_rep="Ann"),
                lead("L2", "2026-01-06", sales_rep="Ann"),
                lead("L3", "2026-01-07"), lead("K0", "2025-12-20", sales_rep="Kim")],
         outcomes=[outcome("L1", "won", closed="2026-01-20", revenue=100, sales_rep="Zed"),
                   outcome("L3", "lost", closed="2026-01-21"),
                   outcome("K0", "won", closed="2026-01-10", revenue=50)])
    assert rows(con, "conversion_by_dimension", "2026-01", dimension="sales_rep") == [
        {"dimension_value": "Ann", "leads_submitted": 1, "leads_won": 0, "leads_lost": 0,
         "conversion_rate": 0.0, "win_rate": None, "deals_won": 0, "revenue_attributed": 0.0},
        {"dimension_value": "Kim", "leads_submitted": 0, "leads_won": 0, "leads_lost": 0,
         "conversion_rate": None, "win_rate": None, "deals_won": 1, "revenue_attributed": 50.0},
        {"dimension_value": "Unassigned", "leads_submitted": 1, "leads_won": 0, "leads_lost": 1,
         "conversion_rate": 0.0, "win_rate": 0.0, "deals_won": 0, "revenue_attributed": 0.0},
        {"dimension_value": "Zed", "leads_submitted": 1, "leads_won": 1, "leads_lost": 0,
         "conversion_rate": 1.0, "win_rate": 1.0, "deals_won": 1, "revenue_attributed": 100.0},
    ]

"""The reward program (REWARD_POLICY.md): hand-computed simulations and audits on tiny data, the
policy file's checks, the policies kept beside the database, the commands, and a cross-check of
the SQL engine against tests/reward_reference.py on the sample company."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date, timedelta

import duckdb
import pytest

from leadbridge import cli, db, policy, rewards
from tests import reward_reference
from tests.metrics_fixtures import (
    SAMPLE_DIR,
    fresh_db,
    import_sample,
    insert,
    lead,
    load,
    outcome,
    payout,
    period,
    tech,
)

BASE_POLICY = """
name = "Base"

[[rule]]
name = "Lead submitted"
event = "submitted"
amount = 25

[[rule]]
name = "Lead won"
event = "won"
amount = 100
percent = 1.0
"""


def one_rule(**keys) -> policy.Policy:
    """A policy of one rule written as TOML from keyword arguments."""
    lines = ['name = "One"', "[[rule]]", 'name = "R"']
    for key, value in keys.items():
        key = {"start": "from", "end": "to"}.get(key, key)
        lines.append(f"{key} = {json.dumps(value) if not isinstance(value, date) else value}")
    return policy.parse("\n".join(lines))


# ---- the simulation, by hand -----------------------------------------------------------------
#
# Jan-Feb 2026. A (T1, Boston, upgrade): in Jan 5, won Jan 20, $10,000, margin $3,000.
# B (T1, new equipment): in Jan 10, lost. C (T2, Hartford, upgrade): in Jan 15, open.
# D (T2, service agreement): in Feb 3, won Feb 20, $500, no margin. E (T3, Boston, upgrade): in
# Dec 20 2025 (before the period), won Jan 10, $60,000, margin $20,000.
# Paid: Jan $25 (A); Feb $200 (A), $25 (C), $700 (E); Mar $105 (D, after the period).


@pytest.fixture
def sim_con(tmp_path):
    con = fresh_db(tmp_path)
    load(con,
         techs=[tech("T1", "Boston"), tech("T2", "Hartford"), tech("T3", "Boston")],
         leads=[lead("A", "2026-01-05", "T1"), lead("B", "2026-01-10", "T1",
                                                     lead_type="new_equipment"),
                lead("C", "2026-01-15", "T2"),
                lead("D", "2026-02-03", "T2", lead_type="service_agreement"),
                lead("E", "2025-12-20", "T3")],
         outcomes=[outcome("A", "won", closed="2026-01-20", revenue=10000, margin=3000),
                   outcome("B", "lost", closed="2026-01-25"),
                   outcome("D", "won", closed="2026-02-20", revenue=500),
                   outcome("E", "won", closed="2026-01-10", revenue=60000, margin=20000)],
         payouts=[payout("p1", "T1", "2026-01-15", 25, "A"),
                  payout("p2", "T1", "2026-02-15", 200, "A"),
                  payout("p3", "T2", "2026-02-15", 25, "C"),
                  payout("p4", "T3", "2026-02-15", 700, "E"),
                  payout("p5", "T2", "2026-03-15", 105, "D")])
    return con


def test_simulation_of_the_base_policy_by_hand(sim_con):
    out = rewards.simulate(sim_con, policy.parse(BASE_POLICY), period("2026-01", "2026-02"))
    assert list(out) == ["policy", "period", "as_of", "totals", "by_rule", "monthly", "by_tech"]
    assert out["period"] == {"from": "2026-01-01", "to": "2026-02-28"}
    assert out["as_of"] == "2026-02-28"
    # 4 leads in: $100; won A $200, D $105, E $700 (its win is in the period): $1,005.
    assert out["totals"] == {
        "simulated_cost": 1105.0, "actual_cost": 950.0, "difference": 155.0, "deals_won": 3,
        "revenue_attributed": 70500.0, "gross_margin_attributed": 23000.0,
        "simulated_cost_per_won_deal": 368.33,  # 1105 / 3
        "simulated_revenue_per_reward_dollar": pytest.approx(70500 / 1105, rel=1e-12),
        "simulated_program_roi": pytest.approx((23000 - 1105) / 1105, rel=1e-12),
        "leads_missing_margin": 0,
    }
    assert list(out["totals"]) == list(rewards.SIMULATION_TOTAL_KEYS)
    assert out["by_rule"] == [{"rule": "Lead submitted", "leads": 4, "cost": 100.0},
                              {"rule": "Lead won", "leads": 3, "cost": 1005.0}]
    assert out["monthly"] == [
        {"month": "2026-01", "simulated_cost": 975.0, "actual_cost": 25.0},
        {"month": "2026-02", "simulated_cost": 130.0, "actual_cost": 925.0},
    ]
    assert out["by_tech"] == [
        {"tech_id": "T1", "tech_name": "T1", "simulated_cost": 250.0, "actual_cost": 225.0,
         "difference": 25.0},
        {"tech_id": "T2", "tech_name": "T2", "simulated_cost": 155.0, "actual_cost": 25.0,
         "difference": 130.0},
        {"tech_id": "T3", "tech_name": "T3", "simulated_cost": 700.0, "actual_cost": 700.0,
         "difference": 0.0},
    ]


@pytest.mark.parametrize(("rule", "cost", "leads", "missing_margin"), [
    ({"event": "won", "amount": 50}, 150.0, 3, 0),  # flat: A, D, E
    ({"event": "won", "amount": 100, "percent": 1.0, "cap": 500}, 805.0, 3, 0),  # E 700 -> 500
    ({"event": "won", "percent": 10.0, "base": "margin"}, 2300.0, 3, 1),  # A 300, D 0, E 2000
    ({"event": "won", "percent": 2.0, "base": "revenue"}, 1410.0, 3, 0),  # 200 + 10 + 1200
    ({"event": "won", "amount": 100, "percent": 1.0, "min_revenue": 1000}, 900.0, 2, 0),  # not D
    ({"event": "won", "amount": 100, "min_revenue": 500}, 300.0, 3, 0),  # D's $500 is enough
    ({"event": "submitted", "amount": 25, "lead_types": ["upgrade"]}, 50.0, 2, 0),  # A, C
    ({"event": "submitted", "amount": 25, "branches": ["Hartford"]}, 50.0, 2, 0),  # C, D
    # from and to are inclusive: B (Jan 10), C (Jan 15), D (Feb 3); not A (Jan 5).
    ({"event": "submitted", "amount": 25, "start": date(2026, 1, 10), "end": date(2026, 2, 3)},
     75.0, 3, 0),
    ({"event": "won", "amount": 10, "end": date(2026, 1, 19)}, 10.0, 1, 0),  # E only
    ({"event": "submitted", "amount": 0}, 0.0, 4, 0),
])
def test_each_rule_option_by_hand(sim_con, rule, cost, leads, missing_margin):
    out = rewards.simulate(sim_con, one_rule(**rule), period("2026-01", "2026-02"))
    assert out["totals"]["simulated_cost"] == cost
    assert out["by_rule"] == [{"rule": "R", "leads": leads, "cost": cost}]
    assert out["totals"]["leads_missing_margin"] == missing_margin
    assert out["totals"]["actual_cost"] == 950.0
    if cost == 0:
        assert out["totals"]["simulated_revenue_per_reward_dollar"] is None
        assert out["totals"]["simulated_program_roi"] is None


@pytest.mark.parametrize(("filters", "scope", "simulated", "actual"), [
    ({"branch": ["Boston"]}, None, 950.0, 925.0),  # A 25 + B 25 + A 200 + E 700; paid A, E
    ({"lead_type": ["upgrade"]}, None, 950.0, 950.0),  # A 25 + C 25 + A 200 + E 700
    ({"tech": ["T2"]}, None, 155.0, 25.0),
    ({}, ("Hartford",), 155.0, 25.0),  # the access scope narrows like a branch filter
    ({}, (), 0.0, 0.0),  # an empty scope sees nothing
])
def test_filters_and_scope(sim_con, filters, scope, simulated, actual):
    chosen = replace(period("2026-01", "2026-02", **filters), scope=scope)
    out = rewards.simulate(sim_con, policy.parse(BASE_POLICY), chosen)
    assert (out["totals"]["simulated_cost"], out["totals"]["actual_cost"]) == (simulated, actual)
    assert sum(m["simulated_cost"] for m in out["monthly"]) == simulated


def test_rounding_is_to_cents_halves_away_from_zero(tmp_path):
    # DuckDB's round() on a DOUBLE gives 2.67 for 2.675 (binary 2.67499...); the engine keeps
    # money DECIMAL, where round() takes halves away from zero.
    assert duckdb.sql("select round(2.675::double, 2)").fetchall()[0][0] == 2.67
    assert float(duckdb.sql("select round(2.675::decimal(18, 4), 2)").fetchall()[0][0]) == 2.68
    con = fresh_db(tmp_path)
    load(con, techs=[tech("T1", "Boston")], leads=[lead("R", "2026-01-05", "T1")],
         outcomes=[outcome("R", "won", closed="2026-01-09", revenue=267.50, margin=100.10)])
    jan = period("2026-01")
    # 1 % of $267.50 = $2.675 -> $2.68; an amount of $2.675 -> $2.68; 0.5 % of $100.10 = 0.5005.
    assert rewards.simulate(con, one_rule(event="won", percent=1.0), jan)["totals"][
        "simulated_cost"] == 2.68
    assert rewards.simulate(con, one_rule(event="submitted", amount=2.675), jan)["totals"][
        "simulated_cost"] == 2.68
    assert rewards.simulate(con, one_rule(event="won", percent=0.5, base="margin"), jan)[
        "totals"]["simulated_cost"] == 0.5


# ---- the audit, by hand ----------------------------------------------------------------------
#
# Policy: $25 a lead; won: $100 + 1 %. The latest date in the data is Mar 20 2026 (a bonus), so
# with 45 days of grace an event is due when on or before Feb 3 2026.
AUDIT_AS_OF = date(2026, 3, 20)


@pytest.fixture
def audit_con(tmp_path):
    con = fresh_db(tmp_path)
    load(con,
         techs=[tech("T1", "Boston", tech_name="Ann"), tech("T2", "Hartford", tech_name="Bob"),
                tech("T3", "Boston", tech_name="=Cy")],
         leads=[lead("A", "2026-01-05", "T1"), lead("B", "2026-01-10", "T1"),
                lead("C", "2026-01-15", "T2"), lead("F", "2026-01-30", "T2"),
                lead("G", "2026-02-03", "T1"), lead("H", "2026-02-04", "T1"),
                lead("I", "2026-01-12", "T3"), lead("J", "2026-01-18", "T3"),
                lead("L", "2026-01-22", "T2"), lead("Z", "2025-12-01", "T1")],
         outcomes=[outcome("A", "won", closed="2026-01-20", revenue=10000),
                   outcome("B", "lost", closed="2026-01-25"),
                   outcome("F", "won", closed="2026-02-10", revenue=2000),
                   outcome("I", "won", closed="2026-01-25", revenue=5000),
                   outcome("J", "lost", closed="2026-01-30"),
                   outcome("L", "won", closed="2026-01-28", revenue=1000)],
         payouts=[payout("a1", "T1", "2026-02-15", 25, "A"), payout("a2", "T1", "2026-02-15", 200, "A"),
                  payout("c1", "T2", "2026-02-15", 25, "C"), payout("c2", "T2", "2026-02-15", 25, "C"),
                  payout("f1", "T2", "2026-02-15", 25, "F"),
                  payout("i1", "T3", "2026-02-15", 25, "I"), payout("i2", "T3", "2026-03-15", 100, "I"),
                  payout("j1", "T1", "2026-02-15", 25, "J"),
                  payout("l1", "T2", "2026-02-15", 25, "L"), payout("l2", "T2", "2026-02-15", 110, "L"),
                  payout("l3", "T2", "2026-03-15", -110, "L"),
                  payout("u1", "T1", "2026-01-31", 50, None, "Meeting bonus"),
                  payout("u2", "T2", "2026-02-15", 25, "L-404"),
                  payout("u3", "T1", "2026-03-20", 40, None, "Contest prize")])
    return con


def test_audit_by_hand(audit_con):
    assert AUDIT_AS_OF - timedelta(days=45) == date(2026, 2, 3)
    out = rewards.audit(audit_con, policy.parse(BASE_POLICY), period("2026-01", "2026-02"))
    assert list(out) == ["policy", "period", "as_of", "grace_days", "totals", "by_tech", "leads"]
    assert out["as_of"] == "2026-03-20" and out["grace_days"] == 45
    assert out["totals"] == {
        "leads": 9, "earned": 805.0, "due": 660.0, "pending": 145.0, "paid": 475.0,
        "unpaid_amount": 50.0, "underpaid_amount": 160.0, "overpaid_amount": 25.0,
        "leads_ok": 2, "leads_pending": 2, "leads_unpaid": 2, "leads_underpaid": 2,
        "leads_overpaid": 1, "unmatched_payouts": 2, "unmatched_amount": 75.0,
    }
    assert out["by_tech"] == [
        {"tech_id": "T1", "tech_name": "Ann", "earned": 300.0, "due": 275.0, "paid": 225.0,
         "unpaid_amount": 50.0, "underpaid_amount": 0.0, "overpaid_amount": 0.0},
        {"tech_id": "T2", "tech_name": "Bob", "earned": 305.0, "due": 185.0, "paid": 100.0,
         "unpaid_amount": 0.0, "underpaid_amount": 110.0, "overpaid_amount": 25.0},
        {"tech_id": "T3", "tech_name": "=Cy", "earned": 200.0, "due": 200.0, "paid": 150.0,
         "unpaid_amount": 0.0, "underpaid_amount": 50.0, "overpaid_amount": 0.0},
    ]
    verdicts = {row["lead_id"]: (row["audit"], row["earned"], row["due"], row["pending"],
                                 row["paid"], row["duplicate_payment"], row["paid_to_other_tech"])
                for row in out["leads"]}
    assert verdicts == {
        "B": ("unpaid", 25.0, 25.0, 0.0, 0.0, False, False),
        "C": ("overpaid", 25.0, 25.0, 0.0, 50.0, True, False),  # paid twice
        "F": ("pending", 145.0, 25.0, 120.0, 25.0, False, False),  # won Feb 10: not due yet
        "G": ("unpaid", 25.0, 25.0, 0.0, 0.0, False, False),  # in Feb 3: exactly 45 days: due
        "H": ("pending", 25.0, 0.0, 25.0, 0.0, False, False),  # in Feb 4: 44 days: pending
        "I": ("underpaid", 175.0, 175.0, 0.0, 125.0, False, False),
        "L": ("underpaid", 135.0, 135.0, 0.0, 25.0, False, False),  # won reward clawed back
    }
    assert [row["lead_id"] for row in out["leads"]] == sorted(verdicts)
    assert list(out["leads"][0]) == list(rewards.AUDIT_LEAD_KEYS)
    assert out["leads"][0]["submitted_at"] == "2026-01-10" and out["leads"][0]["status"] == "lost"


def test_audit_flags_a_payout_to_another_tech_on_an_ok_lead(audit_con):
    leads = rewards.audit_leads(audit_con, policy.parse(BASE_POLICY), period("2026-01", "2026-02"),
                                statuses=("ok",))
    assert leads.empty  # ok leads are never listed, whatever their flags
    fix = rewards.corrections(audit_con, policy.parse(BASE_POLICY), period("2026-01", "2026-02"))
    j = fix[fix["lead_id"] == "J"].to_dict("records")
    assert [(r["tech_id"], r["action"], r["amount"]) for r in j] == [
        ("T1", "recover", -25.0), ("T3", "pay", 25.0)]
    assert "which is =Cy's (T3)" in j[0]["why"]


def test_audit_grace_days_and_status_filter(audit_con):
    chosen = policy.parse(BASE_POLICY)
    out = rewards.audit(audit_con, chosen, period("2026-01", "2026-02"), grace_days=0)
    verdicts = {row["lead_id"]: row["audit"] for row in out["leads"]}
    assert verdicts["F"] == "underpaid" and verdicts["H"] == "unpaid"
    assert out["totals"]["due"] == out["totals"]["earned"] == 805.0
    unpaid = rewards.audit_leads(audit_con, chosen, period("2026-01", "2026-02"),
                                 statuses=("unpaid",))
    assert unpaid["lead_id"].tolist() == ["B", "G"]


def test_audit_filters_and_scope(audit_con):
    chosen = policy.parse(BASE_POLICY)
    hartford = rewards.audit(audit_con, chosen, period("2026-01", "2026-02", branch=["Hartford"]))
    assert hartford["totals"]["leads"] == 3  # C, F, L
    assert (hartford["totals"]["unmatched_payouts"], hartford["totals"]["unmatched_amount"]) == (1, 25.0)
    scoped = rewards.audit(audit_con, chosen, replace(period("2026-01", "2026-02"),
                                                      scope=("Hartford",)))
    assert scoped["totals"] == hartford["totals"] and scoped["leads"] == hartford["leads"]
    t3 = rewards.audit(audit_con, chosen, period("2026-01", "2026-02", tech=["T3"]))
    assert [r["tech_id"] for r in t3["by_tech"]] == ["T3"]
    assert t3["totals"]["unmatched_payouts"] == 0  # the bonuses were paid to T1 and T2
    jan = rewards.audit(audit_con, chosen, period("2026-01"))
    assert jan["as_of"] == "2026-03-20"  # the latest date in the data, whatever the period


def _same_leads(got, expected) -> None:
    """The frames of audit_with_leads and audit_leads: the same rows, columns and values, the
    flags booleans (pandas may type the text columns either way)."""
    import pandas as pd

    assert list(got.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    for flag in ("duplicate_payment", "paid_to_other_tech"):
        assert got[flag].dtype == bool


def test_audit_without_its_list_of_leads_and_with_the_leads_of_some_verdicts(audit_con):
    """What the Reward page asks (audit_with_leads) is the audit without its list of leads and the
    leads audit_leads gives for the verdicts picked."""
    chosen = policy.parse(BASE_POLICY)
    for filters in (period("2026-01", "2026-02"), period("2026-01", "2026-02", branch=["Boston"]),
                    replace(period("2026-01", "2026-02"), scope=("Hartford",), money=False)):
        for grace in (45, 0):
            whole = rewards.audit(audit_con, chosen, filters, grace)
            short = rewards.audit(audit_con, chosen, filters, grace, leads=False)
            assert list(short) == ["policy", "period", "as_of", "grace_days", "totals", "by_tech"]
            assert short == {k: v for k, v in whole.items() if k != "leads"}
            for statuses in ((), ("unpaid", "underpaid", "overpaid"), ("pending",), ("ok",)):
                page, listed = rewards.audit_with_leads(audit_con, chosen, filters, statuses, grace)
                assert page == short
                _same_leads(listed, rewards.audit_leads(audit_con, chosen, filters, statuses,
                                                        grace))
    _, listed = rewards.audit_with_leads(audit_con, chosen, period("2026-01", "2026-02"),
                                         ("unpaid", "overpaid"))
    assert listed["lead_id"].tolist() == ["B", "C", "G"] and listed["duplicate_payment"].tolist() == [
        False, True, False]


def test_duplicate_payment_among_three_or_more_positive_payouts(audit_con):
    """Two positive payouts of the same amount are a duplicate whatever else the lead was paid;
    three different amounts are not (the audit checks two payouts by their smallest and largest
    amount, three or more per amount)."""
    insert(audit_con, "payouts", [payout("a3", "T1", "2026-02-20", 25, "A"),  # 25, 200, 25
                                  payout("i3", "T3", "2026-03-16", 60, "I")])  # 25, 100, 60
    out = rewards.audit(audit_con, policy.parse(BASE_POLICY), period("2026-01", "2026-02"))
    leads = {row["lead_id"]: row for row in out["leads"]}
    assert (leads["A"]["audit"], leads["A"]["paid"], leads["A"]["duplicate_payment"]) == (
        "overpaid", 250.0, True)
    assert (leads["I"]["audit"], leads["I"]["paid"], leads["I"]["duplicate_payment"]) == (
        "overpaid", 185.0, False)
    assert leads["C"]["duplicate_payment"]  # 25 and 25
    assert not leads["L"]["duplicate_payment"]  # 25, 110 and the clawback of 110


def test_audit_after_payouts_or_leads_come_in_later_imports(audit_con):
    """The audit matches payouts to leads on the key stg_leads gives each lead: payouts imported
    alone (stg_payouts rebuilt, stg_leads kept) and new leads (both rebuilt) are matched."""
    chosen = policy.parse(BASE_POLICY)
    jan_feb = period("2026-01", "2026-02")
    before = rewards.audit(audit_con, chosen, jan_feb)
    # Rows written directly: the staged tables of the changed table are rebuilt (row counts).
    insert(audit_con, "payouts", [payout("b1", "T1", "2026-02-20", 25, "B"),
                                  payout("g1", "T3", "2026-02-20", 25, "G")])
    rebuilt = db.refresh_staging(audit_con)
    assert "stg_payouts" in rebuilt and "stg_leads" not in rebuilt
    after = rewards.audit(audit_con, chosen, jan_feb)
    verdicts = {row["lead_id"]: row for row in after["leads"]}
    assert "B" not in verdicts and "G" not in verdicts  # paid the 25 they earned: ok
    fix = rewards.corrections(audit_con, chosen, jan_feb)
    g = fix[fix["lead_id"] == "G"]  # but G's went to T3, not its tech T1
    assert [(r.tech_id, r.action, r.amount) for r in g.itertuples()] == [
        ("T3", "recover", -25.0), ("T1", "pay", 25.0)]
    assert after["totals"]["paid"] == before["totals"]["paid"] + 50
    assert after["totals"]["leads_unpaid"] == before["totals"]["leads_unpaid"] - 2
    insert(audit_con, "leads", [lead("K", "2026-01-07", "T2")])
    insert(audit_con, "payouts", [payout("k1", "T2", "2026-02-15", 25, "K")])
    assert {"stg_leads", "stg_payouts"} <= set(db.refresh_staging(audit_con))
    again = rewards.audit(audit_con, chosen, jan_feb)
    assert again["totals"]["leads"] == after["totals"]["leads"] + 1
    assert again["totals"]["paid"] == after["totals"]["paid"] + 25
    assert "K" not in {row["lead_id"] for row in again["leads"]}  # earned 25, paid 25: ok
    assert again["by_tech"][1]["paid"] == after["by_tech"][1]["paid"] + 25  # T2


def test_corrections_list_and_its_csv(audit_con):
    fix = rewards.corrections(audit_con, policy.parse(BASE_POLICY), period("2026-01", "2026-02"))
    assert list(fix.columns) == list(rewards.CORRECTION_KEYS)
    got = [(r["lead_id"], r["tech_id"], r["action"], r["amount"]) for r in fix.to_dict("records")]
    assert got == [("B", "T1", "pay", 25.0), ("C", "T2", "recover", -25.0),
                   ("G", "T1", "pay", 25.0), ("I", "T3", "pay", 50.0),
                   ("J", "T1", "recover", -25.0), ("J", "T3", "pay", 25.0),
                   ("L", "T2", "pay", 110.0)]
    assert "twice" in fix.loc[fix["lead_id"] == "C", "why"].iloc[0]
    rows = list(csv.DictReader(io.StringIO(rewards.corrections_csv(fix))))
    assert rows[3]["tech_name"] == "'=Cy"  # a formula start is defused, as in exports
    assert rows[3]["amount"] == "50.0"


def test_money_columns_are_cleaned_as_cents_would_clean_each_value():
    """records() takes whole-cent doubles as they are and sends the rest through clean()."""
    import math

    import pandas as pd

    values = [k / 100 for k in range(-20000, 20000, 7)] + [
        0.005, 2.675, 1.005, -0.0, 0.1 + 0.2, 1 / 3, float("nan"), float("inf"), 123456789012.35]
    got = rewards.records(pd.DataFrame({"earned": values}), ("earned",))
    for row, value in zip(got, values, strict=True):
        expected = rewards.clean("earned", value)
        assert row["earned"] == expected and (expected is None) == (row["earned"] is None)
        if expected is not None:
            assert math.copysign(1, row["earned"]) == math.copysign(1, expected)


# ---- the policy file ---------------------------------------------------------------------------


def test_the_contract_example_parses_and_reads_in_plain_words():
    text = """name = "2026 program"

[[rule]]
name = "Lead submitted"
event = "submitted"
amount = 25.00

[[rule]]
name = "Lead won"
event = "won"
amount = 100.00
percent = 1.0
base = "revenue"
cap = 500.00
min_revenue = 1000.00
lead_types = ["upgrade", "new_equipment"]
branches = ["Boston"]
from = "2025-01-01"
to = 2025-12-31
"""
    parsed = policy.parse(text)
    assert parsed.name == "2026 program" and len(parsed.rules) == 2
    won = parsed.rules[1]
    assert (won.start, won.end) == (date(2025, 1, 1), date(2025, 12, 31))
    assert policy.explain(parsed) == (
        "$25 for every lead; when won (sales of $1,000 or more), $100 plus 1 % of the sale, at "
        "most $500 (only upgrade, new equipment leads; only in Boston; from Jan 1, 2025 to "
        "Dec 31, 2025)")
    assert policy.parse(policy.to_toml(parsed)) == parsed
    assert policy.explain(policy.parse(BASE_POLICY)) == (
        "$25 for every lead; when won, $100 plus 1 % of the sale")


@pytest.mark.parametrize(("text", "message"), [
    ('name = "x"', r"key 'rule': the policy has no rule"),
    ('name = "x"\nbonus = 1\n[[rule]]\nevent = "won"', r"line 2: key 'bonus': unknown key"),
    ('name = "x"\n[[rule]]\nevent = "won"\nspeed = 3', r"line 4: rule 1 key 'speed': unknown key"),
    ('[[rule]]\nevent = "won"\n[[rule]]\nevent = "sold"', r"line 4: rule 2 key 'event': unknown event 'sold'"),
    ('[[rule]]\namount = 5', r"rule 1 key 'event': is missing"),
    ('[[rule]]\nevent = "won"\npercent = 2\nbase = "profit"', r"line 4: rule 1 key 'base': unknown base 'profit'"),
    ('[[rule]]\nevent = "won"\nlead_types = ["upgrade", "roofing"]', r"line 3: rule 1 key 'lead_types': unknown lead type 'roofing'"),
    ('[[rule]]\nevent = "won"\namount = -5', r"line 3: rule 1 key 'amount': must not be negative"),
    ('[[rule]]\nevent = "won"\npercent = -1', r"key 'percent': must not be negative"),
    ('[[rule]]\nevent = "won"\ncap = -1.5', r"line 3: rule 1 key 'cap': must not be negative"),
    ('[[rule]]\nevent = "won"\nfrom = 2026-02-01\nto = 2026-01-01', r"line 3: rule 1 key 'from': 2026-02-01 is after to"),
    ('[[rule]]\nevent = "won"\namount = "lots"', r"key 'amount': must be a number"),
    ('[[rule]]\nevent = "won"\nfrom = "01/02/2026"', r"key 'from': must be a day"),
    ('[[rule]]\nevent = "submitted"\npercent = 1', r"key 'percent': applies to won rules only"),
    ('[[rule]]\nevent = "won"\nbranches = []', r"key 'branches': is empty"),
    ('[[rule]\nevent = "won"', r"not a TOML file"),
])
def test_a_malformed_policy_is_refused_whole_naming_the_key(text, message):
    with pytest.raises(policy.PolicyError, match=message) as info:
        policy.parse(text, "p.toml")
    assert str(info.value).startswith("p.toml")


def test_policies_are_kept_as_files_beside_the_database(tmp_path):
    db_file = tmp_path / "data" / "lb.duckdb"
    key = policy.add(BASE_POLICY, db_file)
    assert key == "base" and (tmp_path / "data" / "policies" / "base.toml").read_text() == BASE_POLICY
    assert policy.in_force(db_file) is None
    with pytest.raises(policy.PolicyError, match="already kept"):
        policy.add(BASE_POLICY, db_file)
    with pytest.raises(policy.PolicyError, match="rule 1 key 'event'"):
        policy.add('name = "Bad"\n[[rule]]\nevent = "x"', db_file)
    assert not (tmp_path / "data" / "policies" / "bad.toml").exists()
    policy.use("Base", date(2026, 1, 1), db_file)
    current = policy.in_force(db_file)
    assert current[0] == "base" and current[2] == date(2026, 1, 1)
    index = json.loads((tmp_path / "data" / "policies" / "index.json").read_text())
    assert index["in_force"] == "base" and index["since"] == "2026-01-01"
    assert [p["in_force"] for p in policy.saved(db_file)] == [True]
    assert sorted(p.name for p in (tmp_path / "data" / "policies").iterdir()) == [
        "base.toml", "index.json"]  # no temp file left behind
    policy.remove("base", db_file)
    assert policy.in_force(db_file) is None and policy.saved(db_file) == []


# ---- the commands ------------------------------------------------------------------------------


def test_cli_simulate_audit_and_policies(audit_con, tmp_path, capsys):
    db_file = str(tmp_path / "data" / "lb.duckdb")
    audit_con.close()
    file = tmp_path / "p.toml"
    file.write_text(BASE_POLICY)
    out_csv = tmp_path / "fix.csv"
    assert cli.main(["audit", "--policy", str(file), "--from", "2026-01", "--to", "2026-02",
                     "--db", db_file, "--out", str(out_csv)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"]["leads_unpaid"] == 2
    assert out_csv.read_text().splitlines()[0] == "tech_id,tech_name,lead_id,action,amount,why"
    assert cli.main(["audit", "--policy", str(file), "--from", "2026-01", "--to", "2026-02",
                     "--db", db_file, "--grace-days", "0", "--format", "md"]) == 0
    assert "| leads_unpaid | 2 |" not in capsys.readouterr().out  # H became unpaid too
    assert cli.main(["simulate", "--from", "2026-01", "--to", "2026-02", "--db", db_file]) == 2
    assert "no policy in force" in capsys.readouterr().err
    assert cli.main(["policies", "--db", db_file, "add", str(file)]) == 0
    assert cli.main(["policies", "--db", db_file, "use", "base", "--from", "2026-01-01"]) == 0
    capsys.readouterr()
    assert cli.main(["simulate", "--from", "2026-01", "--to", "2026-02", "--db", db_file,
                     "--format", "csv"]) == 0
    text = capsys.readouterr().out
    assert "# By rule\nrule,leads,cost\nLead submitted,9,225.0\n" in text
    assert cli.main(["policies", "--db", db_file]) == 0
    assert "base: Base (in force since 2026-01-01)" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('[[rule]]\nevent = "won"\ncap = -1\n')
    assert cli.main(["simulate", "--policy", str(bad), "--from", "2026-01", "--to", "2026-02",
                     "--db", db_file]) == 2
    assert "line 3: rule 1 key 'cap': must not be negative" in capsys.readouterr().err


# ---- the cross-check on the sample company ---------------------------------------------------


@pytest.fixture(scope="module")
def sample_con(tmp_path_factory):
    con = import_sample(tmp_path_factory.mktemp("rewards"))
    yield con
    con.close()


CROSS_POLICIES = [
    (SAMPLE_DIR / "reward_policy.toml").read_text(),
    """name = "Margin share"
[[rule]]
event = "submitted"
amount = 10
lead_types = ["upgrade", "new_equipment", "other"]
[[rule]]
event = "won"
amount = 50
percent = 7.5
base = "margin"
cap = 900
min_revenue = 2500
branches = ["Boston", "Worcester"]
from = 2025-03-01
to = 2026-06-30
""",
]
CROSS_FILTERS = [
    period("2024-11", "2026-10"),
    period("2026-04", "2026-06", branch=["Hartford", "Providence"]),
    period("2025-07", "2026-09", lead_type=["upgrade", "other"]),
    period("2026-01", "2026-03", tech=["0105", "0216"]),
    replace(period("2025-01", "2025-12"), scope=("Boston",)),
]


def _same(sql, python, path="") -> None:
    """Equal structures; floats that are not money within 1e-9 relative."""
    if isinstance(sql, dict):
        assert list(sql) == list(python), path
        for key in sql:
            _same(sql[key], python[key], f"{path}.{key}")
    elif isinstance(sql, list):
        assert len(sql) == len(python), path
        for i, (a, b) in enumerate(zip(sql, python, strict=True)):
            _same(a, b, f"{path}[{i}]")
    elif isinstance(sql, float) and isinstance(python, float):
        assert sql == pytest.approx(python, rel=1e-9, abs=1e-9), path
    else:
        assert sql == python, path


@pytest.mark.parametrize("policy_text", CROSS_POLICIES, ids=["sample", "margin"])
@pytest.mark.parametrize("filters", CROSS_FILTERS, ids=["all", "branches", "types", "techs", "scope"])
def test_sql_engine_equals_the_python_reference(sample_con, policy_text, filters):
    chosen = policy.parse(policy_text)
    _same(rewards.simulate(sample_con, chosen, filters),
          reward_reference.simulate(sample_con, chosen, filters), "simulate")
    for grace in (45, 0):
        whole = rewards.audit(sample_con, chosen, filters, grace)
        _same(whole, reward_reference.audit(sample_con, chosen, filters, grace), "audit")
        short = {k: v for k, v in whole.items() if k != "leads"}
        assert rewards.audit(sample_con, chosen, filters, grace, leads=False) == short
        page, listed = rewards.audit_with_leads(sample_con, chosen, filters,
                                                ("unpaid", "underpaid", "overpaid"), grace)
        assert page == short
        _same_leads(listed, rewards.audit_leads(sample_con, chosen, filters,
                                                ("unpaid", "underpaid", "overpaid"), grace))


def test_the_sample_audit_finds_the_planted_mistakes(sample_con):
    chosen = policy.load(SAMPLE_DIR / "reward_policy.toml")
    out = rewards.audit(sample_con, chosen, period("2024-11", "2026-10"))
    leads = {row["lead_id"]: row for row in out["leads"]}
    assert leads["L-100404"]["audit"] == "unpaid"
    assert leads["L-100400"]["audit"] == "overpaid" and leads["L-100400"]["duplicate_payment"]
    assert leads["L-100401"]["audit"] == "underpaid"
    assert leads["L-100401"]["due"] - leads["L-100401"]["paid"] > 10  # the forgotten 1 %
    fix = rewards.corrections(sample_con, chosen, period("2024-11", "2026-10"))
    moved = fix[fix["lead_id"] == "L-100407"]
    assert moved["action"].tolist() == ["recover", "pay"] and moved["amount"].tolist() == [-25.0, 25.0]
    assert out["totals"]["unmatched_payouts"] == 1  # L-10181


# ---- the page's charts -------------------------------------------------------------------------


def test_reward_charts_have_units_empty_states_and_show_names_as_text():
    import pandas as pd

    from leadbridge import charts_rewards

    monthly = pd.DataFrame({"month": ["2026-01", "2026-02"], "simulated_cost": [975.0, 130.0],
                            "actual_cost": [25.0, 925.0]})
    fig = charts_rewards.simulated_vs_actual(monthly, "No rewards")
    assert "($)" in fig.layout.title.text
    assert [t.name for t in fig.data] == ["Actual (paid)", "Simulated policy"]
    assert list(fig.data[1].y) == [975.0, 130.0]
    empty = charts_rewards.simulated_vs_actual(monthly.iloc[0:0], "No rewards in Jan 2026")
    assert empty.layout.annotations[0].text == "No rewards in Jan 2026"
    by_tech = pd.DataFrame({"tech_id": ["T1", "T2", "T3"], "tech_name": ["<b>Ann</b>", "Bob", "Cy"],
                            "simulated_cost": [250.0, 155.0, 700.0],
                            "actual_cost": [225.0, 25.0, 700.0], "difference": [25.0, 130.0, 0.0]})
    fig = charts_rewards.tech_difference(by_tech, "No differences")
    assert "($ per tech)" in fig.layout.title.text
    assert list(fig.data[0].y) == ["Bob", "&lt;b&gt;Ann&lt;/b&gt;"]  # as text; Cy (no change) out
    assert list(fig.data[0].x) == [130.0, 25.0]
    assert fig.layout.xaxis.tickformat == "$~s"  # "-$1k" below zero, not "$-1000"
    none = charts_rewards.tech_difference(by_tech.assign(difference=0.0), "No differences")
    assert none.layout.annotations[0].text == "No differences"


def test_cli_as_a_person_of_the_access_file(audit_con, tmp_path, capsys):
    db_file = str(tmp_path / "data" / "lb.duckdb")
    audit_con.close()
    file = tmp_path / "p.toml"
    file.write_text(BASE_POLICY)
    (tmp_path / "data" / "access.toml").write_text(
        '[[person]]\nemail = "sam@example.com"\nrole = "manager"\nbranches = ["Hartford"]\n\n'
        '[[person]]\nemail = "vic@example.com"\nrole = "viewer"\nbranches = ["Hartford"]\n')
    common = ["--policy", str(file), "--from", "2026-01", "--to", "2026-02", "--db", db_file]
    assert cli.main(["audit", *common, "--as", "sam@example.com"]) == 0
    manager = json.loads(capsys.readouterr().out)
    assert manager["totals"]["leads"] == 3 and [r["tech_id"] for r in manager["by_tech"]] == ["T2"]
    assert cli.main(["simulate", *common, "--as", "vic@example.com"]) == 0
    viewer = json.loads(capsys.readouterr().out)
    assert viewer["by_tech"] == [{"tech_id": "T2", "tech_name": "Bob"}]  # no per-person money
    # Hartford in Jan-Feb: C 25 + 25, F 25, L 25 + 110 (its clawback is in March), L-404 25
    assert viewer["totals"]["actual_cost"] == 235.0
    assert cli.main(["audit", *common, "--as", "vic@example.com", "--out",
                     str(tmp_path / "fix.csv")]) == 2
    assert "per-person money" in capsys.readouterr().err
    assert cli.main(["simulate", *common, "--as", "nobody@example.com"]) == 2

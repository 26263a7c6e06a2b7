"""The SQL metrics and an independent pandas reading of METRICS.md agree on every number.

The sample company is imported once; for each period and filter set, `report.build` (SQL) and
`pandas_reference.build` must give the same report: counts equal, rates within 1e-9 relative,
money to the cent, nulls where the other has nulls.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadbridge import db, report
from tests import pandas_reference
from tests.metrics_fixtures import (
    fresh_db,
    import_sample,
    lead,
    load,
    outcome,
    payout,
    period,
    tech,
)
from tests.test_metrics_hand import load_base, load_clawbacks, load_payouts

CENT = 0.01 + 1e-9


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    con = import_sample(tmp_path_factory.mktemp("crosscheck"))
    yield con
    con.close()


def differences(sql, ref, path="report") -> list[str]:
    """Where two reports disagree, one line per value."""
    if isinstance(ref, dict):
        if not isinstance(sql, dict) or set(sql) != set(ref):
            shown = sorted(sql) if isinstance(sql, dict) else sql
            return [f"{path}: keys {shown} != {sorted(ref)}"]
        return [d for k in ref for d in differences(sql[k], ref[k], f"{path}.{k}")]
    if isinstance(ref, list):
        if not isinstance(sql, list) or len(sql) != len(ref):
            return [f"{path}: {len(sql) if isinstance(sql, list) else sql} rows != {len(ref)}"]
        return [d for i, (a, b) in enumerate(zip(sql, ref, strict=True))
                for d in differences(a, b, f"{path}[{i}]")]
    key = path.rsplit(".", 1)[-1]
    if ref is None or sql is None or isinstance(ref, (str, bool)):
        return [] if sql == ref else [f"{path}: sql {sql!r} != pandas {ref!r}"]
    if key in report.INT_KEYS or isinstance(ref, int) and key not in report.MONEY_KEYS:
        same = sql == ref and isinstance(sql, int)
    elif key in report.MONEY_KEYS:
        same = abs(sql - ref) <= CENT
    else:
        same = math.isclose(sql, ref, rel_tol=1e-9, abs_tol=1e-12)
    return [] if same else [f"{path}: sql {sql!r} != pandas {ref!r}"]


def assert_agree(con, filters):
    sql = report.build(con, filters)
    ref = pandas_reference.build(con, filters)
    problems = differences(sql, ref)
    assert not problems, "\n".join(problems[:40])
    return sql


SAMPLE_CASES = {
    "last twelve months": ("2025-11", "2026-10", {}),
    "one month": ("2026-10", "2026-10", {}),
    "two years": ("2024-11", "2026-10", {}),
    "one branch": ("2025-11", "2026-10", {"branch": ["Boston"]}),
    "one lead type": ("2025-11", "2026-10", {"lead_type": ["upgrade"]}),
    "one tech": ("2025-11", "2026-10", {"tech": ["0376"]}),
    "branch and type": ("2025-11", "2026-10", {"branch": ["Hartford"],
                                               "lead_type": ["service_agreement"]}),
    "two branches, two types": ("2025-05", "2026-04", {
        "branch": ["Providence", "Worcester"], "lead_type": ["new_equipment", "upgrade"]}),
    "all three filters": ("2025-11", "2026-10", {"branch": ["Hartford"], "lead_type": ["upgrade"],
                                                 "tech": ["0376", "0397", "0677"]}),
    "no data": ("2020-01", "2020-03", {}),
    "after the data": ("2026-09", "2026-12", {}),
}


@pytest.mark.parametrize("case", list(SAMPLE_CASES))
def test_sample_company(sample, case):
    from_month, to_month, filters = SAMPLE_CASES[case]
    result = assert_agree(sample, period(from_month, to_month, **filters))
    if case == "no data":
        assert result["totals"]["leads_submitted"] == 0
    else:
        # the case is not vacuous: the period holds leads, deals and rewards
        assert result["totals"]["leads_submitted"] > 0
        assert result["totals"]["deals_won"] > 0
        assert result["totals"]["reward_cost"] != 0


def test_the_sample_is_rich_enough_to_cross_check(sample):
    # the edges the cross-check should meet in the sample: leads without a branch, a payout for
    # an unknown lead, orphan outcomes, clawbacks, contacts before submission, inactive techs
    cur = sample.cursor()
    checks = {
        "leads without a branch": "select count(*) from leads where branch is null",
        "payouts for unknown leads": "select count(*) from payouts where lead_id is not null "
                                     "and lead_id not in (select lead_id from leads)",
        "orphan outcomes": "select count(*) from outcomes "
                           "where lead_id not in (select lead_id from leads)",
        "clawbacks": "select count(*) from payouts where amount < 0",
        "contact before submission": "select count(*) from leads join outcomes using (lead_id) "
                                     "where contacted_at < submitted_at",
        "inactive techs": "select count(*) from techs where not active",
    }
    counts = {name: cur.execute(sql).fetchone()[0] for name, sql in checks.items()}
    assert all(counts.values()), counts


# The hand-written companies of test_metrics_hand.py hold the edges the sample lacks (techs off
# the roster, payouts without a lead or for unknown techs, zero and negative reward cost).
HAND_CASES = [
    (load_base, "2026-01", "2026-01", {}),
    (load_base, "2025-12", "2026-03", {}),
    (load_base, "2026-01", "2026-01", {"branch": ["North", "Unassigned"]}),
    (load_base, "2026-01", "2026-01", {"lead_type": ["upgrade", "other"]}),
    (load_base, "2026-01", "2026-02", {"tech": ["T2", "T5"]}),
    (load_base, "2026-01", "2026-01", {"branch": ["East"], "lead_type": ["service_agreement"],
                                       "tech": ["T2"]}),
    (load_payouts, "2026-01", "2026-01", {}),
    (load_payouts, "2026-01", "2026-01", {"branch": ["North"]}),
    (load_payouts, "2026-01", "2026-01", {"lead_type": ["upgrade"]}),
    (load_payouts, "2026-01", "2026-01", {"tech": ["T2", "T9"]}),
    (load_clawbacks, "2026-01", "2026-04", {}),
    (load_clawbacks, "2026-02", "2026-03", {}),
]


@pytest.mark.parametrize(("loader", "from_month", "to_month", "filters"), HAND_CASES)
def test_hand_written_companies(tmp_path, loader, from_month, to_month, filters):
    con = fresh_db(tmp_path)
    loader(con)
    assert_agree(con, period(from_month, to_month, **filters))
    con.close()


def test_the_comparison_notices_a_difference(sample):
    filters = period("2026-10", "2026-10")
    sql = report.build(sample, filters)
    ref = pandas_reference.build(sample, filters)
    ref["totals"]["reward_cost"] += 0.02
    ref["by_tech"][0]["conversion_rate"] = None
    ref["monthly"].pop()
    assert len(differences(sql, ref)) == 3


# --- Random small companies ---------------------------------------------------------------------

DAYS = st.integers(min_value=0, max_value=150)  # days after 2025-11-01 (to the end of March)
ORIGIN = date(2025, 11, 1)
ROSTER_IDS = ("T1", "T2", "T3", "T4")
ALL_TECHS = (*ROSTER_IDS, "T5", "T6")  # T5 and T6 submit leads but are not on the roster
BRANCHES = (None, "", " ", "North", "South", "East")
TYPES = ("upgrade", "new_equipment", "other", "service_agreement")
STATUSES = ("open", "contacted", "qualified", "quoted", "won", "lost")


def day(offset: int) -> str:
    return (ORIGIN + timedelta(days=offset)).isoformat()


@st.composite
def companies(draw):
    roster = draw(st.lists(st.sampled_from(ROSTER_IDS), unique=True, max_size=4))
    techs = [tech(t, draw(st.sampled_from((None, "North", "South"))), active=draw(st.booleans()),
                  tech_name=draw(st.sampled_from((None, f"Roster {t}")))) for t in roster]
    named = {t: draw(st.sampled_from((None, f"Lead {t}"))) for t in ALL_TECHS}
    leads, outcomes = [], []
    for i in range(draw(st.integers(min_value=0, max_value=16))):
        submitted = draw(DAYS)
        tech_id = draw(st.sampled_from(ALL_TECHS))
        leads.append(lead(f"L{i}", day(submitted), tech_id, lead_type=draw(st.sampled_from(TYPES)),
                          branch=draw(st.sampled_from(BRANCHES)), tech_name=named[tech_id],
                          sales_rep=draw(st.sampled_from((None, "Ann", "Bo")))))
        # None: no outcome row; won and lost come up more often, as they do in a CRM
        status = draw(st.sampled_from((None, *STATUSES, "won", "won", "lost")))
        if status is None:
            continue
        contacted = draw(st.one_of(st.none(), st.integers(min_value=-3, max_value=20)))
        closed = draw(st.integers(min_value=-3, max_value=45))
        outcomes.append(outcome(
            f"L{i}", status,
            contacted=None if contacted is None else day(submitted + contacted),
            closed=day(submitted + closed) if status in ("won", "lost") else None,
            revenue=draw(st.sampled_from((0, 120.5, 1000))) if status == "won" else None,
            margin=draw(st.sampled_from((None, 30.25, 400))) if status == "won" else None))
    for i in range(draw(st.integers(min_value=0, max_value=2))):  # outcomes of unknown leads
        outcomes.append(outcome(f"X{i}", "won", closed=day(draw(DAYS)), revenue=999, margin=99))
    payouts = [
        payout(f"P{i}", draw(st.sampled_from((*ALL_TECHS, "T9"))), day(draw(DAYS)),
               draw(st.sampled_from((-50, -10.5, 0, 10, 25, 100))),
               lead_id=draw(st.sampled_from((None, "LZ", *(x["lead_id"] for x in leads)))))
        for i in range(draw(st.integers(min_value=0, max_value=10)))
    ]
    first = draw(st.integers(min_value=0, max_value=4))
    months = ("2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04")

    def sometimes(values):  # a filter of one or two values, one time in three
        return draw(st.sampled_from(((), (), draw(st.lists(
            st.sampled_from(values), unique=True, min_size=1, max_size=2)))))

    filters = period(
        months[first], months[draw(st.integers(min_value=first, max_value=5))],
        branch=sometimes(("North", "South", "East", "Unassigned")),
        lead_type=sometimes(TYPES), tech=sometimes((*ALL_TECHS, "T9")))
    return {"techs": techs, "leads": leads, "outcomes": outcomes, "payouts": payouts}, filters


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    con = fresh_db(tmp_path_factory.mktemp("random"))
    yield con
    con.close()


@settings(max_examples=20, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(companies())
def test_random_small_companies(scratch, company):
    tables, filters = company
    for table in ("techs", "leads", "outcomes", "payouts"):
        scratch.execute(db.render("delete from {table}", table=table))
    load(scratch, **tables)
    assert_agree(scratch, filters)

"""Scope in the engine (ACCESS.md): every query in queries/, run for a Boston-only person on the
sample company, returns no row of another branch, and a viewer gets no per-person money.

The queries are discovered from queries/, so a new query is checked the day it is written. The
sample gets a few extra rows (techs not on the roster, payouts for unknown leads, a duplicate,
dates before submission, in Boston and elsewhere) so that the data-quality checks have rows to
leak.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from leadbridge import access, db, importer, metrics, quality
from leadbridge.access import AccessDenied, Person
from leadbridge.metrics import Filters
from tests.conftest import write_export
from tests.metrics_fixtures import import_sample
from tests.test_queries import runs

BOSTON = ("Boston",)
PERIOD = ("2025-11", "2026-10")
VIEWER = Person("vic@example.com", "Vic", "viewer", BOSTON, False)
MANAGER = Person("sam@example.com", "Sam", "manager", BOSTON, False)
# Per-tech queries whose `branch` is the tech's roster branch, not the branch of the row's leads.
ROSTER_BRANCH = {"by_tech", "leads_per_100_jobs_by_tech", "meeting_first_time_contributors",
                 "meeting_top_techs"}
ALL_QUERIES = sorted(p.stem for p in db.QUERIES_DIR.glob("*.sql"))

EXTRA = {
    "leads_extra.csv": [
        ["Lead ID", "Submitted", "Tech ID", "Tech Name", "Branch", "Customer", "Lead Type"],
        ["X-H1", "2026-03-02", "TX99", "Xavier", "Hartford", "Zed Co", "Duct cleaning"],
        ["X-H2", "2026-03-20", "TX99", "Xavier", "Hartford", "Zed Co", "Duct cleaning"],
        ["X-B1", "2026-03-03", "TX98", "Yolanda", "Boston", "Yak Co", "Duct cleaning"],
        ["X-B2", "2026-03-09", "TX98", "Yolanda", "Boston", "Yak Co", "Duct cleaning"],
    ],
    "outcomes_extra.csv": [
        ["Lead ID", "Status", "First Contact", "Close Date", "Revenue"],
        ["X-H1", "Won", "2026-03-01", "2026-03-10", "900"],
        ["X-B1", "Won", "2026-03-01", "2026-03-10", "800"],
    ],
    "payouts_extra.csv": [
        ["Payout ID", "Tech ID", "Lead ID", "Paid On", "Amount", "Reason"],
        ["PX-1", "TX99", "X-H1", "2026-03-31", "50", "Spiff"],
        ["PX-2", "TX99", "X-GONE", "2026-03-31", "(20)", "Clawback"],
        ["PX-3", "TX98", "X-B1", "2026-03-31", "40", "Spiff"],
        ["PX-4", "0105", "X-B9", "2026-03-31", "(10)", "Clawback"],  # 0105: Boston roster
    ],
}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scope")
    con = import_sample(folder)
    for name, rows in EXTRA.items():
        result = importer.import_file(con, write_export(folder / name, rows))
        assert result.ok and result.rejected == 0, (name, result.error)
    db.refresh_staging(con)
    yield con
    con.close()


def frame_of(con, sql: str) -> pd.DataFrame:
    return con.cursor().execute(sql).df()


@pytest.fixture(scope="module")
def boston(sample):
    """What belongs to Boston, computed from the staged tables without the queries: its lead IDs,
    and its techs (roster, or a lead, payout or jobs there)."""
    leads = frame_of(sample, "select lead_id, branch, tech_id from stg_leads")
    payouts = frame_of(sample, "select tech_id, branch from stg_payouts")
    roster = frame_of(sample, "select tech_id, roster_branch as branch from stg_techs")
    jobs = frame_of(sample, "select tech_id, branch from stg_jobs")
    techs = set()
    for frame in (leads, payouts, roster, jobs):
        techs |= set(frame.loc[frame["branch"] == "Boston", "tech_id"])
    return {
        "leads": set(leads.loc[leads["branch"] == "Boston", "lead_id"]),
        "known_leads": set(leads["lead_id"]),
        "techs": techs,
    }


def filters(person: Person | None = None, **changes) -> Filters:
    base = Filters.months(*PERIOD, **changes)
    return base.for_person(person) if person else base


def run(con, name, person: Person | None, extra: dict) -> pd.DataFrame:
    sql = db.load_sql(name)
    if any(p in sql for p in ("$start", "$end", "$as_of")):
        return metrics.run(con, name, filters(person), **extra)
    scope, money = (None, True) if person is None else (person.scope, person.money)
    return metrics.run(con, name, scope=scope, money=money, **extra)


def test_every_query_but_the_import_records_takes_the_scope():
    unscoped = [name for name in ALL_QUERIES if "$scope" not in db.load_sql(name)]
    assert sorted(unscoped) == sorted(metrics.UNSCOPED_QUERIES)
    assert metrics.UNSCOPED_QUERIES <= set(ALL_QUERIES), "drop deleted queries from the list"


@pytest.mark.parametrize("name", ALL_QUERIES)
def test_a_boston_person_gets_no_row_of_another_branch(sample, boston, name):
    for extra in runs(name):
        everyone = run(sample, name, None, extra)
        frame = run(sample, name, VIEWER, extra)
        for column in ("branch", "other_branch"):
            if column in frame.columns:
                assert set(frame[column].dropna()) <= {"Boston"}, (name, extra, column)
        if extra.get("dimension") == "branch":
            assert set(frame["dimension_value"]) <= {"Boston"}, (name, extra)
        for column in ("lead_id", "possible_duplicate_of"):
            if column in frame.columns and name not in metrics.UNSCOPED_QUERIES:
                known = set(frame[column].dropna()) & boston["known_leads"]
                assert known <= boston["leads"], (name, extra, column, known - boston["leads"])
        for column in ("tech_id", "other_tech_id"):
            if column in frame.columns and name not in metrics.UNSCOPED_QUERIES:
                outside = set(frame[column].dropna()) - boston["techs"]
                assert not outside, (name, extra, column, outside)
        if name == "filter_choices":
            branches = set(frame.loc[frame["kind"] == "branch", "value"])
            assert branches == {"Boston"}
            assert set(frame.loc[frame["kind"] == "tech", "value"]) <= boston["techs"]
            assert len(everyone.query("kind == 'tech'")) > len(frame.query("kind == 'tech'"))
        if name in metrics.UNSCOPED_QUERIES:
            assert frame.equals(everyone.drop(columns=[c for c in everyone.columns
                                                       if c not in frame.columns])), name


@pytest.mark.parametrize("name", sorted(metrics.PER_PERSON_MONEY))
def test_a_viewer_gets_no_per_person_money(sample, name):
    for extra in runs(name):
        money = metrics.personal_money_columns(name, extra)
        viewer = run(sample, name, VIEWER, extra)
        manager = run(sample, name, MANAGER, extra)
        assert set(money) <= set(manager.columns), (name, extra, "stale PER_PERSON_MONEY")
        assert not set(money) & set(viewer.columns), (name, extra)
        assert list(viewer.columns) == [c for c in manager.columns if c not in money]
        assert len(viewer) <= len(manager)


def test_per_person_money_is_every_per_tech_money_column(sample):
    # by_tech's per-tech money, per tech and per rep breakdowns, one person's payouts
    assert set(metrics.PER_PERSON_MONEY["by_tech"]) == {
        "revenue_attributed", "reward_cost", "revenue_per_reward_dollar"}
    for dimension, personal in (("tech_id", True), ("sales_rep", True), ("branch", False),
                                ("lead_type", False)):
        frame = metrics.run(sample, "conversion_by_dimension", filters(VIEWER),
                            dimension=dimension)
        assert ("revenue_attributed" not in frame.columns) == personal, dimension
    rankings = metrics.run(sample, "meeting_top_techs", filters(VIEWER), top=5)
    assert "revenue_attributed" not in set(rankings["ranking"])


@pytest.mark.parametrize("name", [n for n in ALL_QUERIES if "$branches" in db.load_sql(n)
                                  and n not in ("filter_choices", "data_range")])
def test_scope_gives_what_the_branch_filter_gives(sample, name):
    """Independent of the scope's code path: a Boston scope equals a Boston filter."""
    assert MANAGER.money
    for extra in runs(name):
        scoped = metrics.run(sample, name, filters(MANAGER), **extra)
        filtered = metrics.run(sample, name, filters(branches=BOSTON), **extra)
        if name in ROSTER_BRANCH:  # a tech's roster branch outside the scope is left blank
            filtered["branch"] = filtered["branch"].where(filtered["branch"].isin(BOSTON))
            scoped["branch"] = scoped["branch"].astype(filtered["branch"].dtype)
        pd.testing.assert_frame_equal(scoped, filtered, obj=f"{name} {extra}",
                                      check_dtype=name not in ROSTER_BRANCH)


def test_the_scope_is_not_vacuous(sample):
    everyone = metrics.run(sample, "lead_list", filters())
    boston = metrics.run(sample, "lead_list", filters(VIEWER))
    assert 0 < len(boston) < len(everyone)
    assert set(everyone["branch"]) > {"Boston"}
    dq = dict((c.query, f) for c, f in quality.quality_report(sample))
    dq_boston = dict((c.query, f) for c, f in quality.quality_report(sample, VIEWER))
    for check in ("dq_unknown_techs", "dq_payouts_unknown_leads", "dq_dates_before_submission",
                  "dq_unrecognized_lead_types", "dq_payouts_unknown_techs"):
        assert len(dq_boston[check]) and not dq_boston[check].equals(dq[check]), check
    assert "amount" not in dq_boston["dq_payouts_unknown_techs"].columns
    span = metrics.run(sample, "data_range", scope=BOSTON).iloc[0]
    assert span["leads"] == len(frame_of(sample, "select 1 from stg_leads where branch = 'Boston'"))


def test_an_empty_scope_sees_nothing(sample):
    nobody = Person("n@x.com", "", "viewer", (), False)
    assert metrics.run(sample, "lead_list", filters(nobody)).empty
    assert metrics.run(sample, "totals", filters(nobody)).iloc[0]["leads_submitted"] == 0


def test_a_branch_filter_outside_the_scope_is_refused(sample):
    with pytest.raises(AccessDenied, match="may not see branch Hartford: their branches are Boston"):
        filters(VIEWER, branches=["Boston", "Hartford"])
    scoped = Filters.months(*PERIOD, branches=["Hartford"])
    with pytest.raises(AccessDenied, match="Hartford is outside the branches you may see"):
        metrics.run(sample, "totals", replace(scoped, scope=BOSTON))
    with pytest.raises(ValueError, match="travel with the filters"):
        metrics.run(sample, "totals", filters(), scope=BOSTON)


def test_an_exec_sees_everything(sample):
    dana = Person("dana@example.com", "", "exec", None, True)
    assert metrics.run(sample, "by_tech", filters(dana)).equals(
        metrics.run(sample, "by_tech", filters()))
    assert access.LOCAL_USER.scope is None


def test_the_engine_entry_points_take_the_person(sample):
    from leadbridge import meeting, report

    with pytest.raises(AccessDenied, match="vic@example.com may not see branch Hartford"):
        meeting.build(sample, "2026-03", ["Hartford"], person=VIEWER)
    with pytest.raises(AccessDenied, match="vic@example.com may not see branch Hartford"):
        report.build(sample, filters(branches=["Hartford"]), VIEWER)
    content = meeting.build(sample, "2026-03", privacy=False, person=VIEWER)
    assert content.privacy and content.scope == "Boston"
    assert content.filters.scope == BOSTON and not content.filters.money
    assert set(content.closed["branch"]) == {"Boston"}
    for frame in (content.biggest_wins, content.top_month_won, content.closed):
        assert not set(frame.columns) & {"revenue", "revenue_attributed"}
    as_manager = meeting.build(sample, "2026-03", privacy=False, person=MANAGER)
    assert not as_manager.privacy and "revenue" in as_manager.biggest_wins.columns
    data = report.build(sample, filters(), VIEWER)
    assert data["by_tech"] and all("reward_cost" not in row for row in data["by_tech"])

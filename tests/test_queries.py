"""Every query runs on the sample company, every METRICS.md key reaches the report and the glossary.

The twin of datasette's "every setting is documented": the tests read METRICS.md itself, so a key
added there fails here until the report and docs/metrics.md carry it.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re

import pytest

from leadbridge import cli, db, metrics, policy, quality_signals, report, rewards
from leadbridge import sample as sample_company
from tests.metrics_fixtures import METRICS_DOC, ROOT, import_sample, period

GLOSSARY = ROOT / "docs" / "metrics.md"

# What each top-level query returns: its columns in order, the columns that make a row unique
# (its grain), and the $dimension values it accepts. A new query file fails
# test_every_query_is_listed until it is described here.
QUERIES = {
    "as_of": (["as_of"], "one"),
    "attendance_by_branch": (["branch", "meetings", "expected", "attended", "attendance_rate"],
                             ["branch"]),
    "attendance_by_person": (["person_id", "person", "role", "branch", "meetings", "attended",
                              "attendance_rate", "last_attended"], ["person_id"]),
    "by_tech": (["tech_id", "tech_name", "branch", "leads_submitted", "leads_won", "leads_lost",
                 "leads_open", "conversion_rate", "conversion_ci_low", "conversion_ci_high",
                 "deals_won", "revenue_attributed", "reward_cost", "revenue_per_reward_dollar"],
                ["tech_id"]),
    "clawbacks": (["paid_on", "tech_id", "tech_name", "lead_id", "amount", "reason", "branch"],
                  None),
    "cohort_conversion_by_age": (["cohort_month", "months_since", "leads_submitted",
                                  "leads_won_by_then", "conversion_rate"],
                                 ["cohort_month", "months_since"]),
    "contact_speed_by_dimension": (["dimension_value", "leads", "leads_contacted",
                                    "median_days_to_contact", "p90_days_to_contact",
                                    "contacted_within_7d_share", "awaiting_contact_7d"],
                                   ["dimension_value"], ("sales_rep", "branch")),
    "conversion_by_dimension": (["dimension_value", "leads_submitted", "leads_won", "leads_lost",
                                 "conversion_rate", "win_rate", "deals_won",
                                 "revenue_attributed"],
                                ["dimension_value"], ("branch", "lead_type", "sales_rep",
                                                      "tech_id")),
    "data_range": (["first_date", "last_date", "leads"], "one"),
    "dq_dates_before_submission": (["lead_id", "tech_id", "branch", "submitted_at",
                                    "contacted_at", "closed_at", "problem"], ["lead_id"]),
    "dq_orphan_outcomes": (["lead_id", "status", "closed_at", "revenue", "sales_rep", "file"],
                           ["lead_id"]),
    "dq_payouts_unknown_leads": (["payout_id", "tech_id", "lead_id", "paid_on", "amount",
                                  "reason", "branch"], ["payout_id"]),
    "dq_payouts_unknown_techs": (["tech_id", "payouts", "amount"], ["tech_id"]),
    "dq_possible_duplicates": (["lead_id", "possible_duplicate_of", "customer", "lead_type",
                                "submitted_at", "other_submitted_at", "days_apart", "tech_id",
                                "other_tech_id", "branch", "other_branch"],
                               ["lead_id", "possible_duplicate_of"]),
    "dq_unknown_techs": (["tech_id", "tech_name", "leads", "first_lead", "last_lead"],
                         ["tech_id"]),
    "dq_unrecognized_lead_types": (["lead_type_as_written", "leads"], ["lead_type_as_written"]),
    "filter_choices": (["kind", "value", "label"], ["kind", "value"]),
    "funnel": (["submitted", "contacted", "qualified", "quoted", "won"], "one"),
    "import_history": (["import_id", "imported_at", "file", "table", "format", "encoding",
                        "date_order", "read", "inserted", "updated", "unchanged", "superseded",
                        "rejected", "skipped", "ignored_columns", "sha256"], ["import_id"]),
    "last_import": (["imported_at", "file", "table"], "at most one"),
    "lead_timeline": (["lead_id", "event_date", "event", "detail", "amount", "source_file"],
                      None),
    "lead_list": (["lead_id", "submitted_at", "tech_id", "tech_name", "branch", "lead_type",
                   "customer_name", "estimated_value", "status", "sales_rep", "contacted_at",
                   "closed_at", "revenue", "loss_reason", "days_to_contact"], ["lead_id"]),
    "lead_list_count": (["leads"], "one"),
    "leads_awaiting_contact_count": (["leads"], "one"),
    "leads_awaiting_contact": (["lead_id", "submitted_at", "days_waiting", "sales_rep", "tech_id",
                                "tech_name", "branch", "lead_type", "customer_name",
                                "estimated_value"], ["lead_id"]),
    "leads_per_100_jobs_by_tech": (["tech_id", "tech_name", "branch", "jobs", "leads_submitted",
                                    "leads_per_100_jobs"], ["tech_id"]),
    "leads_after_meetings": (["tech_id", "tech", "branch", "meetings_attended",
                              "leads_after_attended", "meetings_missed", "leads_after_missed"],
                             ["tech_id"]),
    "lost_reasons": (["loss_reason", "leads_lost", "share"], ["loss_reason"]),
    "meeting_attendance": (["meeting_date", "person_id", "person", "role", "branch", "attended",
                            "first_time"], ["meeting_date", "person_id"]),
    "meeting_readiness": (["tech_id", "tech_name", "branch", "first_reward_on",
                           "earned_first_reward"], ["tech_id"]),
    "meeting_biggest_wins": (["lead_id", "tech_id", "tech_name", "branch", "customer_name",
                              "lead_type", "sales_rep", "submitted_at", "closed_at", "revenue"],
                             ["lead_id"]),
    "meeting_awaiting_contact": (["lead_id", "submitted_at", "days_waiting", "sales_rep",
                                  "tech_id", "tech_name", "tech", "branch", "lead_type",
                                  "customer_name", "estimated_value"], ["lead_id"]),
    "meeting_closed_leads": (["tech_id", "tech_name", "tech", "lead_id", "branch",
                              "customer_name", "lead_type", "status", "outcome", "loss_reason",
                              "sales_rep", "submitted_at", "closed_at", "revenue"], ["lead_id"]),
    "meeting_list_sizes": (["closed_won", "closed_lost", "awaiting_contact"], "one"),
    "meeting_top_techs": (["ranking", "place", "tech_id", "tech", "branch", "leads_submitted",
                           "deals_won", "revenue_attributed"], ["ranking", "place"]),
    "meeting_first_time_contributors": (["tech_id", "tech_name", "branch", "first_lead_at",
                                         "leads_submitted", "leads_won"], ["tech_id"]),
    "monthly": (["month", "leads_submitted", "leads_won", "leads_lost", "leads_open",
                 "conversion_rate", "open_share", "conversion_30d", "conversion_90d", "deals_won",
                 "revenue_attributed", "reward_cost"], ["month"]),
    "open_leads_by_age": (["bucket_order", "age_bucket", "status", "leads"],
                          ["bucket_order", "status"]),
    "quality_signal_leads": (["lead_id", "submitted_at", "customer_name", "lead_type", "status",
                              "closed_at", "loss_reason", "job_id", "duplicate_of", "branch"],
                             ["lead_id"]),
    "quality_signal_reward_payouts": (["payout_id", "paid_on", "amount", "reason", "lead_id",
                                       "status", "closed_at", "loss_reason", "branch"],
                                      ["payout_id"]),
    "quality_signal_rewards": (["tech_id", "tech_name", "branch", "base", "count", "value", "benchmark", "flagged"], ["tech_id"]),
    "quality_signals_per_tech": (["signal", "tech_id", "tech_name", "branch", "base", "count",
                                  "value", "benchmark", "flagged", "interval_low",
                                  "interval_high"], ["signal", "tech_id"]),
    "rejects": (["import_id", "file", "table", "row", "column", "value", "reason", "raw_row"],
                None),
    "rejects_count": (["rejects", "rows", "imports"], "one"),
    "rejected_status_words": (["word", "rows"], ["word"]),
    "skipped": (["import_id", "file", "row", "reason", "line"], ["import_id", "row"]),
    "superseded_count": (["rows"], "one"),
    "superseded": (["import_id", "file", "table", "row", "key", "replaced_by_row"],
                   ["import_id", "row"]),
    "reward_cost_by_month_reason": (["month", "reason", "payouts", "amount", "clawbacks",
                                     "clawback_amount"], ["month", "reason"]),
    "reward_audit": (["part", *rewards.AUDIT_TOTAL_KEYS, "tech_id", "tech_name", "lead_id",
                      "submitted_at", "status", "audit", "duplicate_payment",
                      "paid_to_other_tech"], ["part", "tech_id", "lead_id"]),
    "reward_audit_by_tech": (list(rewards.AUDIT_BY_TECH_KEYS), ["tech_id"]),
    "reward_audit_corrections": (["lead_id", "tech_id", "tech_name", "audit", "earned", "due",
                                  "paid", "paid_other", "duplicate_payment", "paid_to_other_tech",
                                  "other_tech_id", "other_tech_name", "other_amount"],
                                 ["lead_id", "other_tech_id"]),
    "reward_audit_leads": (list(rewards.AUDIT_LEAD_KEYS), ["lead_id"]),
    "reward_audit_totals": (list(rewards.AUDIT_TOTAL_KEYS), "one"),
    "reward_simulation_by_rule": (list(rewards.BY_RULE_KEYS), None),
    "reward_simulation_by_tech": (list(rewards.SIM_BY_TECH_KEYS), ["tech_id"]),
    "reward_simulation_monthly": (list(rewards.SIM_MONTHLY_KEYS), ["month"]),
    "reward_simulation_totals": (list(rewards.SIMULATION_TOTAL_KEYS), "one"),
    "time_to_close": (["bucket_order", "bucket", "deals_won"], ["bucket_order"]),
    "totals": (list(report.TOTAL_KEYS), "one"),
}

# Queries whose `branch` column is the branch the filter looks at (by_tech and the jobs query show
# the tech's roster branch instead).
BRANCH_ROWS = {"clawbacks", "lead_list", "leads_awaiting_contact", "meeting_awaiting_contact",
               "meeting_biggest_wins", "meeting_closed_leads"}

TOP_LEVEL = sorted(p.stem for p in db.QUERIES_DIR.glob("*.sql"))
PERIOD = ("2025-11", "2026-10")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("queries")
    con = import_sample(folder)
    yield con, folder / "data" / "lb.duckdb"
    con.close()


def test_every_query_is_listed():
    assert TOP_LEVEL == sorted(QUERIES), "describe new queries in QUERIES, drop deleted ones"


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_every_query_states_its_grain_first(name):
    text = db.load_sql(name)
    assert text.startswith("-- "), f"{name}.sql must start with a '-- ' comment"
    header = " ".join(line[3:] for line in text.splitlines()[:3] if line.startswith("-- "))
    assert re.search(r"\bone row\b", header), f"{name}.sql: the header states no grain"


def runs(name: str) -> list[dict]:
    """The ways to run a query: each $dimension it accepts (or none), $import_id when needed."""
    spec = QUERIES[name]
    sql = db.load_sql(name)
    extra = {"import_id": None} if "$import_id" in sql else {}
    if "$top" in sql:
        extra["top"] = 8
    if "$lead_id" in sql:  # the sample's first lead
        extra["lead_id"] = "L-100001"
    if "$not_real" in sql or "$min_reward_cost" in sql:
        extra.update(quality_signals.params())
    if "$tech_id" in sql:  # the sample's reward farmer, in Worcester
        extra["tech_id"] = "0701"
    if "$signal" in sql:
        extra["signal"] = "lost_fast"
    if "$rules" in sql:  # the sample company's reward policy
        extra["rules"] = policy.parse(sample_company.REWARD_POLICY_TEXT).params()
    if "$grace_days" in sql:
        extra["grace_days"] = 45
    if "$audit_status" in sql:
        extra["audit_status"] = []
    if "$with_leads" in sql:  # the audit with its list of leads, as the audit command asks
        extra["with_leads"] = True
    if "$limit" in sql:  # every row
        extra.update(limit=None, offset=0)
    if "$dimension" in sql:
        return [{**extra, "dimension": d} for d in spec[2]]
    return [extra]


@pytest.mark.parametrize("branch", [(), ("Boston",)], ids=["all branches", "one branch"])
@pytest.mark.parametrize("name", TOP_LEVEL)
def test_every_query_runs_on_the_sample(sample, name, branch):
    con, _ = sample
    columns, grain = QUERIES[name][:2]
    for extra in runs(name):
        frame = metrics.run(con, name, period(*PERIOD, branch=branch), **extra)
        assert list(frame.columns) == columns, (name, extra)
        if grain == "one":
            assert len(frame) == 1, name
        elif grain == "at most one":
            assert len(frame) <= 1, name
        elif grain:
            assert not frame.duplicated(grain).any(), f"{name}: more than one row per {grain}"
        if branch and name in BRANCH_ROWS:
            assert set(frame["branch"]) <= {"Boston"}, name
        if branch and extra.get("dimension") == "branch":
            assert set(frame["dimension_value"]) <= {"Boston"}, name


def test_the_queries_find_rows_in_the_sample(sample):
    # not vacuous: each breakdown has rows for the last twelve months
    con, _ = sample
    empty = [name for name in TOP_LEVEL for extra in runs(name)
             if metrics.run(con, name, period(*PERIOD), **extra).empty]
    # the sample has every tech on the roster and every payout's tech known, and all of its
    # techs sent their first lead before the period (tests/test_meeting.py has a first-timer);
    # its exports are plain tables, with no report lines to skip
    assert set(empty) <= {"dq_payouts_unknown_techs", "dq_unknown_techs",
                          "meeting_first_time_contributors", "skipped"}


def test_the_one_branch_filter_narrows_the_numbers(sample):
    con, _ = sample
    everything = metrics.run(con, "totals", period(*PERIOD)).iloc[0]
    boston = metrics.run(con, "totals", period(*PERIOD, branch=["Boston"])).iloc[0]
    assert 0 < boston["leads_submitted"] < everything["leads_submitted"]
    assert 0 < boston["reward_cost"] < everything["reward_cost"]


# --- METRICS.md, parsed ----------------------------------------------------------------------


def metrics_doc() -> str:
    if not METRICS_DOC.exists():
        message = f"{METRICS_DOC} not found: these tests read the team's METRICS.md from shared/"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return METRICS_DOC.read_text(encoding="utf-8")


def table_keys(text: str) -> list[str]:
    """The keys in the first column of every `| key | definition |` table."""
    keys = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or cells[0] in ("key", "") or set(cells[0]) <= {"-"}:
            continue
        keys += [k.strip().strip("`") for k in cells[0].split("/")]
    return keys


def breakdowns(text: str) -> dict[str, list[str]]:
    """The column list of each breakdown bullet (`monthly`, `by_tech`, ..., `funnel`)."""
    section = text.split("## Breakdowns", 1)[1].split("\n## ", 1)[0]
    bullets = re.split(r"\n- ", "\n" + section.strip())
    found = {}
    for bullet in filter(None, bullets):
        bullet = " ".join(bullet.split())
        names = re.findall(r"`(\w+)`", bullet.split(":", 1)[0])
        body = re.sub(r"\([^()]*\)", "", bullet)  # drop the explanations in parentheses
        columns = [c.strip().rstrip(".").strip("`") for c in body.rsplit(":", 1)[1].split(",")]
        for name in names:
            found[name] = [c for c in columns if re.fullmatch(r"[a-z_0-9]+", c)]
    return found


def test_metrics_doc_parses():
    keys = table_keys(metrics_doc())
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z_0-9]+", k) for k in keys), keys
    assert {"leads_won", "leads_lost", "leads_open", "cost_per_won_deal"} <= set(keys)
    parts = breakdowns(metrics_doc())
    assert set(parts) == {"monthly", "by_tech", "by_lead_type", "by_branch", "funnel"}
    assert parts["by_tech"][:3] == ["tech_id", "tech_name", "leads_submitted"]
    assert "conversion_ci_high" in parts["by_tech"]
    assert parts["funnel"] == ["submitted", "contacted", "qualified", "quoted", "won"]


@pytest.fixture(scope="module")
def full_report(sample):
    return report.build(sample[0], period(*PERIOD))


def test_every_metrics_key_is_in_the_report(full_report):
    assert list(full_report["totals"]) == table_keys(metrics_doc())
    for name, columns in breakdowns(metrics_doc()).items():
        if name == "funnel":
            assert list(full_report["funnel"]) == columns
            continue
        assert full_report[name], f"{name} has no rows to check"
        key = {"by_lead_type": ["lead_type"], "by_branch": ["branch"]}.get(name, [])
        for row in full_report[name]:
            assert list(row) == key + columns, name
    block = metrics_doc().split("```", 2)[1]
    for key in re.findall(r'"(\w+)":', block):
        assert key in json.dumps(full_report), key
    assert set(full_report) == {"period", "as_of", "filters", "totals", "monthly", "by_tech",
                                "by_lead_type", "by_branch", "funnel"}


def test_the_report_rows_are_sorted_by_their_key(full_report):
    for name, key in (("monthly", "month"), ("by_tech", "tech_id"), ("by_lead_type", "lead_type"),
                      ("by_branch", "branch")):
        values = [row[key] for row in full_report[name]]
        assert values == sorted(values), name


def refuse(constant):
    raise ValueError(f"{constant} in the report JSON")


@pytest.mark.parametrize("filters", [
    {"period": PERIOD},
    {"period": ("2020-01", "2020-03")},
    {"period": ("2026-10", "2026-10"), "branch": ["Boston"], "lead_type": ["other"]},
    {"period": PERIOD, "tech": ["no such tech"]},
])
def test_the_report_json_has_no_nan(sample, filters):
    filters = dict(filters)
    text = report.to_json(report.build(sample[0], period(*filters.pop("period"), **filters)))
    parsed = json.loads(text, parse_constant=refuse)
    assert parsed["totals"]["leads_submitted"] is not None


# --- The report command ----------------------------------------------------------------------


def cli_report(capsys, db_file, *options):
    code = cli.main(["report", "--from", PERIOD[0], "--to", PERIOD[1], "--db", str(db_file),
                     *options])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_report_command_json(sample, capsys, full_report):
    code, out, _ = cli_report(capsys, sample[1], "--format", "json")
    assert code == 0
    assert json.loads(out, parse_constant=refuse) == full_report


def test_report_command_json_with_filters(sample, capsys):
    code, out, _ = cli_report(capsys, sample[1], "--branch", "Boston", "--branch", "Hartford",
                              "--lead-type", "upgrade", "--tech", "0677")
    assert code == 0
    parsed = json.loads(out, parse_constant=refuse)
    assert parsed["filters"] == {"branch": ["Boston", "Hartford"], "lead_type": ["upgrade"],
                                 "tech": ["0677"]}
    assert parsed == report.build(sample[0], period(*PERIOD, branch=["Boston", "Hartford"],
                                                    lead_type=["upgrade"], tech=["0677"]))


def test_report_command_csv(sample, capsys, full_report):
    code, out, _ = cli_report(capsys, sample[1], "--format", "csv")
    assert code == 0
    table = list(csv.reader(io.StringIO(out)))
    markers = [row[0] for row in table if row and row[0].startswith("# ")]
    assert markers == ["# Report", "# Totals", "# Monthly", "# By tech", "# By lead type",
                       "# By branch", "# Funnel"]
    start = table.index(["# Totals"]) + 2
    totals = dict(row for row in table[start:start + len(full_report["totals"])])
    assert list(totals) == list(full_report["totals"])
    assert int(totals["leads_submitted"]) == full_report["totals"]["leads_submitted"]
    monthly_header = table[table.index(["# Monthly"]) + 1]
    assert monthly_header == list(full_report["monthly"][0])


def test_report_csv_defuses_formula_cells_and_keeps_numbers(full_report):
    """A name from a file that a spreadsheet would run as a formula is made text, as in every
    download; a negative number stays a number."""
    crafted = copy.deepcopy(full_report)
    row = crafted["by_tech"][0]
    row["tech_name"] = '=HYPERLINK("http://evil.example","click")'
    row["revenue_attributed"] = -12.5
    table = list(csv.reader(io.StringIO(report.to_csv(crafted))))
    header = table[table.index(["# By tech"]) + 1]
    first = dict(zip(header, table[table.index(["# By tech"]) + 2], strict=True))
    assert first["tech_name"] == '\'=HYPERLINK("http://evil.example","click")'
    assert first["revenue_attributed"] == "-12.5"


def test_report_command_markdown(sample, capsys):
    code, out, _ = cli_report(capsys, sample[1], "--format", "md")
    assert code == 0
    for title in ("Report", "Totals", "Monthly", "By tech", "By lead type", "By branch", "Funnel"):
        assert f"## {title}\n" in out
    assert "| metric | value |" in out
    assert "|---|---|" in out
    assert "| leads_submitted | " in out
    assert not re.search(r"\|\s*(nan|inf|-inf|none)\s*\|", out, re.IGNORECASE)


@pytest.mark.parametrize("options", [
    ["--from", "2025-13", "--to", "2026-10"],
    ["--from", "2025/11", "--to", "2026-10"],
    ["--from", "last year", "--to", "2026-10"],
    ["--from", "2026-10", "--to", "2025-11"],
    ["--from", "2025-11", "--to", "2026-10", "--lead-type", "widgets"],
])
def test_report_command_refuses_bad_input(sample, capsys, options):
    code = cli.main(["report", *options, "--db", str(sample[1])])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("leadbridge report: ")


# --- The glossary ------------------------------------------------------------------------------


def glossary() -> str:
    return GLOSSARY.read_text(encoding="utf-8")


def test_every_metrics_key_is_in_the_glossary():
    text = glossary()
    keys = table_keys(metrics_doc()) + [c for cols in breakdowns(metrics_doc()).values()
                                        for c in cols]
    keys += list(breakdowns(metrics_doc()))
    missing = sorted({k for k in keys if not re.search(rf"\b{re.escape(k)}\b", text)})
    assert not missing, f"docs/metrics.md does not explain {missing}"


def test_the_glossary_names_real_query_files():
    named = set(re.findall(r"queries/([a-z0-9_/]+)\.sql", glossary()))
    assert named, "the glossary names no query file"
    assert not {n for n in named if not (db.QUERIES_DIR / f"{n}.sql").is_file()}
    # every metric query is named (the data-quality and import queries are documented elsewhere)
    metric_queries = {"totals", "monthly", "by_tech", "conversion_by_dimension", "funnel", "as_of",
                      "contact_speed_by_dimension", "open_leads_by_age", "leads_awaiting_contact",
                      "cohort_conversion_by_age", "time_to_close", "lost_reasons",
                      "reward_cost_by_month_reason", "leads_per_100_jobs_by_tech"}
    assert metric_queries <= named, sorted(metric_queries - named)

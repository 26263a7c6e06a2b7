"""The data-quality report: each check, fed a few rows that trigger it, finds exactly those."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from leadbridge import importer, quality

D = dt.date
ROSTER = [["Tech ID", "Name"], ["T1", "Ann"], ["T2", "Bob"]]
LEADS = [["Lead ID", "Submitted", "Tech ID", "Tech Name", "Customer", "Lead Type"],
         ["L1", "2026-03-01", "T1", "Ann", "Acme", "Upsell"],
         ["L2", "2026-03-10", "T2", "Bob", "Beta", "New unit"]]


def load(con, write, *files) -> None:
    """Import (name, rows) pairs in order; every one must be accepted without rejects."""
    for name, rows in files:
        result = importer.import_file(con, write(name, rows))
        assert result.ok and result.rejected == 0, (result.error, result.rejected)


def found(con, query: str) -> list[list]:
    """The rows a check finds, as plain lists (missing values as None)."""
    frame = dict((c.query, f) for c, f in quality.quality_report(con))[query]
    return [[None if v is pd.NaT or (not isinstance(v, str) and pd.isna(v)) else v for v in row]
            for row in frame.astype(object).values.tolist()]


def ts(day: D) -> pd.Timestamp:
    return pd.Timestamp(day)


# query -> (extra files on top of ROSTER and LEADS, the exact rows the check finds)
CASES = {
    "dq_orphan_outcomes": (
        [("outcomes.csv", [["Lead ID", "Status", "Close Date", "Revenue", "Sales Rep"],
                           ["L1", "Open", "", "", ""],
                           ["L9", "Won", "2026-03-20", "700", "Rita"]])],
        [["L9", "won", ts(D(2026, 3, 20)), Decimal("700.00"), "Rita", "outcomes.csv"]]),
    "dq_unknown_techs": (
        [("leads_more.csv", [["Lead ID", "Submitted", "Tech ID", "Tech Name"],
                             ["L3", "2026-03-02", "T7", "Old Name"],
                             ["L4", "2026-03-09", "T7", "Ted"]])],
        [["T7", "Ted", 2, ts(D(2026, 3, 2)), ts(D(2026, 3, 9))]]),
    "dq_payouts_unknown_leads": (
        [("payouts.csv", [["Payout ID", "Tech ID", "Lead ID", "Paid On", "Amount", "Reason"],
                          ["P1", "T1", "L1", "2026-03-31", "50", "Spiff"],
                          ["P2", "T1", "L404", "2026-03-31", "25", "Spiff"],
                          ["P3", "T1", "", "2026-03-31", "10", "Bonus"]])],
        [["P2", "T1", "L404", ts(D(2026, 3, 31)), Decimal("25.00"), "Spiff", "Unassigned"]]),
    "dq_payouts_unknown_techs": (
        [("payouts.csv", [["Payout ID", "Tech ID", "Paid On", "Amount"],
                          ["P1", "T1", "2026-03-31", "50"], ["P2", "T9", "2026-03-31", "50"],
                          ["P3", "T9", "2026-04-30", "(20)"]])],
        [["T9", 2, Decimal("30.00")]]),
    "dq_dates_before_submission": (
        [("outcomes.csv", [["Lead ID", "Status", "First Contact", "Close Date", "Revenue"],
                           ["L1", "Won", "2026-03-02", "2026-03-05", "100"],
                           ["L2", "Lost", "2026-03-08", "2026-03-09", ""]])],
        [["L2", "T2", "Unassigned", ts(D(2026, 3, 10)), ts(D(2026, 3, 8)), ts(D(2026, 3, 9)),
          "contacted before submission and closed before submission"]]),
    "dq_possible_duplicates": (
        [("leads_more.csv", [["Lead ID", "Submitted", "Tech ID", "Customer", "Lead Type"],
                             ["L3", "2026-03-21", "T2", "acme ", "Model upgrade"],
                             ["L4", "2026-04-25", "T1", "Acme", "Upsell"],
                             ["L5", "2026-03-05", "T1", "Acme", "Complaint"]])],
        [["L1", "L3", "Acme", "upgrade", ts(D(2026, 3, 1)), ts(D(2026, 3, 21)), 20, "T1", "T2",
          "Unassigned", "Unassigned"]]),
    "dq_unrecognized_lead_types": (
        [("leads_more.csv", [["Lead ID", "Submitted", "Tech ID", "Lead Type"],
                             ["L3", "2026-03-02", "T1", "Duct cleaning"],
                             ["L4", "2026-03-03", "T1", "duct cleaning"],
                             ["L5", "2026-03-04", "T1", "Duct cleaning"],
                             ["L6", "2026-03-05", "T1", "Other"]])],
        [["Duct cleaning", 2], ["duct cleaning", 1]]),
}


def test_every_check_has_a_case():
    assert set(CASES) == {check.query for check in quality.CHECKS}


@pytest.mark.parametrize("query", list(CASES))
def test_check_finds_exactly_its_rows(con, write, query):
    extra, expected = CASES[query]
    load(con, write, ("roster.csv", ROSTER), ("leads.csv", LEADS), *extra)
    assert found(con, query) == expected
    report = quality.quality_report(con)
    others = [c.query for c, frame in report if len(frame) and c.query != query]
    assert others == []  # each fixture triggers its own check only


def test_clean_data_passes_every_check(con, write):
    load(con, write, ("roster.csv", ROSTER), ("leads.csv", LEADS))
    report = quality.quality_report(con)
    assert [len(frame) for _, frame in report] == [0] * len(quality.CHECKS)
    text = quality.format_report(report)
    assert text.startswith("Data quality: 0 item(s) in 0 check(s)")
    assert "What to do" not in text


def test_orphan_outcome_is_kept_until_its_lead_arrives(con, write):
    load(con, write, ("outcomes.csv", [["Lead ID", "Status"], ["L7", "Quote Sent"]]))
    assert con.execute("select lead_id, status from outcomes").fetchall() == [("L7", "quoted")]
    assert [r[0] for r in found(con, "dq_orphan_outcomes")] == ["L7"]
    lead = [["Lead ID", "Submitted", "Tech ID"], ["L7", "2026-03-01", "T1"]]
    load(con, write, ("leads.csv", lead))
    assert found(con, "dq_orphan_outcomes") == []


def test_report_text_names_the_checks_and_what_to_do(con, write):
    extra, _ = CASES["dq_orphan_outcomes"]
    load(con, write, ("roster.csv", ROSTER), ("leads.csv", LEADS), *extra)
    text = quality.format_report(quality.quality_report(con))
    assert text.splitlines()[0] == "Data quality: 1 item(s) in 1 check(s)"
    assert "Outcomes whose lead is unknown: 1" in text
    assert "What to do: Import the leads export that has these leads" in text
    assert "Payouts for unknown leads: 0" in text


def test_report_text_is_cut_after_max_rows(con, write):
    rows = [["Lead ID", "Status"]] + [[f"L{i}", "Open"] for i in range(5)]
    load(con, write, ("outcomes.csv", rows))
    text = quality.format_report(quality.quality_report(con), max_rows=2)
    assert "Outcomes whose lead is unknown: 5" in text
    assert "  ... and 3 more" in text

"""Every row accounted for, re-imports change nothing, history kept, one transaction a file."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest

from leadbridge import db, importer

CANONICAL = ("techs", "leads", "outcomes", "outcome_history", "payouts", "jobs", "attendance")
COUNTS = ("read", "inserted", "updated", "unchanged", "superseded", "rejected", "skipped")


def counts(result) -> tuple[int, ...]:
    return tuple(getattr(result, k) for k in COUNTS)


def canonical(con) -> dict[str, list[tuple]]:
    """Full contents of the canonical tables, import ids included."""
    cur = con.cursor()
    return {t: sorted(cur.execute(f"select * from {t}").fetchall(), key=repr)  # noqa: S608
            for t in CANONICAL}


def test_accounting_identity_in_the_result_and_the_imports_table(con, write):
    first = write("leads_1.csv", [
        ["Lead ID", "Submitted", "Tech ID", "Customer"],
        ["L1", "2026-03-04", "T1", "Acme"],
        ["L2", "2026-03-05", "T1", "Beta"],
        ["L1", "2026-03-04", "T1", "Acme"],
        ["L3", "soon", "T1", "Gamma"],
    ])
    second = write("leads_2.csv", [
        ["Lead ID", "Submitted", "Tech ID", "Customer"],
        ["L1", "2026-03-04", "T1", "Acme"],         # unchanged
        ["L2", "2026-03-05", "T2", "Beta"],         # updated: another tech
        ["L4", "2026-03-07", "T1", "Delta"],        # superseded by the next row
        ["L4", "2026-03-07", "T1", "Delta Ltd"],    # inserted
        ["L5", "2026-03-08", "", "Epsilon"],        # rejected
    ])
    a = importer.import_file(con, first)
    b = importer.import_file(con, second)
    assert counts(a) == (4, 2, 0, 0, 1, 1, 0)
    assert counts(b) == (5, 1, 1, 1, 1, 1, 0)
    for result in (a, b):
        assert result.read == sum(counts(result)[1:])

    stored = con.execute(
        "select import_id, file_name, sha256, table_name, rows_read, inserted, updated, unchanged, "
        "superseded, rejected, skipped from imports order by import_id").fetchall()
    assert stored == [
        (a.import_id, "leads_1.csv", hashlib.sha256(first.read_bytes()).hexdigest(), "leads",
         *counts(a)),
        (b.import_id, "leads_2.csv", hashlib.sha256(second.read_bytes()).hexdigest(), "leads",
         *counts(b)),
    ]
    assert a.sha256 == stored[0][2]
    assert con.execute("select count(*) from imports where rows_read <> "
                       "inserted + updated + unchanged + superseded + rejected + skipped"
                       ).fetchone() == (0,)
    stored_leads = con.execute("select lead_id, tech_id, customer_name from leads order by 1")
    assert stored_leads.fetchall() == [
        ("L1", "T1", "Acme"), ("L2", "T2", "Beta"), ("L4", "T1", "Delta Ltd")]


@pytest.fixture
def company(write):
    """One small export per table, each with a superseded and a rejected row where it can."""
    return [
        write("techs.csv", [["Tech ID", "Name", "Branch", "Active"], ["T1", "Ann", "North", "yes"],
                            ["T2", "Bob", "South", "no"], ["T3", "Cy", "", "maybe"]]),
        write("leads.xlsx", [["Lead ID", "Submitted", "Tech ID", "Lead Type", "Est. Value"],
                             ["L1", "2026-03-04", "T1", "Upsell", 1200.5],
                             ["L2", "2026-03-05", "T2", "Widget", None],
                             ["L2", "2026-03-06", "T2", "Widget", None],
                             ["L3", "2026-03-06", "", "Upsell", None]]),
        write("outcomes.csv", [["Lead ID", "Stage", "Close Date", "Amount"],
                               ["L1", "Closed Won", "2026-03-20", "$1,500.00"],
                               ["L2", "Quote Sent", "", ""], ["L9", "Maybe", "", ""]],
              delimiter=";"),
        write("payouts.csv", [["Tech ID", "Lead ID", "Pay Date", "Spiff"],
                              ["T1", "L1", "03/31/2026", "50"], ["T1", "L1", "03/31/2026", "50"],
                              ["T2", "", "03/31/2026", "(25.00)"]]),
        write("jobs.parquet", [["Job ID", "Tech ID", "Completed"], ["J1", "T1", "2026-03-04"],
                               ["J2", "T2", "2026-03-05"]]),
        write("attendance.csv", [["Meeting Date", "Person ID", "Role", "Attended"],
                                 ["2026-03-02", "T1", "Tech", "Y"],
                                 ["2026-03-02", "R1", "Sales", "N"]]),
    ]


def test_importing_the_same_files_twice_changes_nothing_the_second_time(con, company):
    first = [importer.import_file(con, f) for f in company]
    assert all(r.ok for r in first), [r.error for r in first]
    before = canonical(con)
    second = [importer.import_file(con, f) for f in company]
    for a, b in zip(first, second, strict=True):
        valid_keys = a.inserted
        assert counts(b) == (a.read, 0, 0, valid_keys, a.superseded, a.rejected, 0), b.file
    assert canonical(con) == before
    last = max(r.import_id for r in first)
    assert [r.import_id for r in second] == list(range(last + 1, last + 7))


def test_later_outcomes_export_updates_the_state_and_keeps_the_history(con, write):
    header = ["Lead ID", "Status", "Close Date", "Revenue"]
    march = importer.import_file(con, write("outcomes_march.csv", [
        header, ["L1", "Quote Sent", "", ""], ["L2", "Open", "", ""]]))
    april = importer.import_file(con, write("outcomes_april.csv", [
        header, ["L1", "Closed Won", "2026-04-02", "1500"], ["L2", "Open", "", ""],
        ["L3", "Working", "", ""]]))
    may = importer.import_file(con, write("outcomes_may.csv", [
        header, ["L1", "Closed Won", "2026-04-02", "1650"]]))  # corrected revenue, same status
    assert counts(march) == (2, 2, 0, 0, 0, 0, 0)
    assert counts(april) == (3, 1, 1, 1, 0, 0, 0)
    assert counts(may) == (1, 0, 1, 0, 0, 0, 0)
    assert con.execute("select lead_id, status, status_raw, revenue, import_id "
                       "from outcomes order by 1").fetchall() == [
        ("L1", "won", "Closed Won", Decimal("1650.00"), may.import_id),
        ("L2", "open", "Open", None, march.import_id),
        ("L3", "contacted", "Working", None, april.import_id)]
    history = con.execute(
        "select lead_id, import_id, status, previous_status, revenue from outcome_history "
        "order by import_id, lead_id").fetchall()
    assert history == [
        ("L1", march.import_id, "quoted", None, None),
        ("L2", march.import_id, "open", None, None),
        ("L1", april.import_id, "won", "quoted", Decimal("1500.00")),
        ("L3", april.import_id, "contacted", None, None),
    ]


@pytest.mark.parametrize("step", ["import/parse_outcomes", "import/history_outcomes",
                                  "import/apply", "import/record"])
def test_a_crash_midway_leaves_the_database_as_it_was(con, write, take_snapshot, monkeypatch, step):
    header = ["Lead ID", "Status", "Close Date", "Revenue"]
    importer.import_file(con, write("outcomes_1.csv", [header, ["L1", "Quoted", "", ""]]))
    later = write("outcomes_2.csv", [header, ["L1", "Won", "2026-04-02", "900"],
                                     ["L2", "Open", "", ""], ["L3", "Won", "", ""]])
    before = take_snapshot(con)
    version = db.data_version(con)
    real = db.run_script

    def crash_after(cur, name, params=None, **identifiers):
        real(cur, name, params, **identifiers)  # the step's writes happen, then the crash
        if name == step:
            raise RuntimeError(f"disk full during {name}")

    monkeypatch.setattr(db, "run_script", crash_after)
    with pytest.raises(RuntimeError, match="disk full"):
        importer.import_file(con, later)
    assert take_snapshot(con) == before
    assert db.data_version(con) == version

    monkeypatch.setattr(db, "run_script", real)  # the connection is not left in a transaction
    assert counts(importer.import_file(con, later)) == (3, 1, 1, 0, 0, 1, 0)
    assert db.data_version(con) == version + 1


def test_a_crash_in_the_merge_leaves_the_database_as_it_was(con, write, take_snapshot,
                                                           monkeypatch):
    before = take_snapshot(con)

    def broken_merge(cur, spec, params):
        cur.execute("insert into leads (lead_id, submitted_at, tech_id, lead_type) "
                    "values ('X', date '2026-01-01', 'T', 'other')")
        raise MemoryError("out of memory")

    monkeypatch.setattr(importer, "_merge", broken_merge)
    path = write("leads.csv", "Lead ID,Submitted,Tech ID\nL1,2026-03-04,T1\n")
    with pytest.raises(MemoryError):
        importer.import_file(con, path)
    assert take_snapshot(con) == before


def test_a_payout_without_id_counts_its_equals_with_an_id_as_earlier_versions_did(con, write):
    """A payout without an id is numbered among every row of the same content, those with an id
    included, as the versions that stored such ids did: the same id, so a re-import after an
    upgrade stays a no-op."""
    header = ["Payout ID", "Tech ID", "Lead ID", "Pay Date", "Amount", "Reason"]
    rows = [header, ["P1", "T1", "L1", "2026-03-31", "50.00", "Spiff"],
            ["", "T1", "L1", "2026-03-31", "50.00", "Spiff"]]
    assert counts(importer.import_file(con, write("payouts.csv", rows))) == (2, 2, 0, 0, 0, 0, 0)
    content = hashlib.md5(b"T1|L1|2026-03-31|50.00|Spiff").hexdigest()[:20]
    assert {r[0] for r in con.execute("select payout_id from payouts").fetchall()} == {
        "P1", f"auto-{content}-2"}


def test_payouts_without_id_get_a_stable_derived_id(con, write):
    header = ["Tech ID", "Lead ID", "Pay Date", "Amount", "Reason"]
    march = [header, ["T1", "L1", "2026-03-31", "50.00", "Spiff"],
             ["T1", "L1", "2026-03-31", "50.00", "Spiff"],                  # a second, equal payout
             ["T1", "L1", "2026-04-15", "(50.00)", "Clawback: duplicate"]]
    first = importer.import_file(con, write("payouts_march.csv", march))
    assert counts(first) == (3, 3, 0, 0, 0, 0, 0)
    rows = con.execute("select payout_id, amount, reason from payouts order by paid_on, payout_id"
                       ).fetchall()
    assert [r[1:] for r in rows] == [(Decimal("50.00"), "Spiff"), (Decimal("50.00"), "Spiff"),
                                     (Decimal("-50.00"), "Clawback: duplicate")]
    spiff_1, spiff_2 = rows[0][0], rows[1][0]
    # The id is the one earlier versions stored (a re-import after an upgrade stays a no-op):
    # 'auto-', the first 20 hex digits of the MD5 of the values, the occurrence in the file.
    content = hashlib.md5(b"T1|L1|2026-03-31|50.00|Spiff").hexdigest()[:20]
    assert spiff_1 == f"auto-{content}-1"
    assert spiff_2 == f"auto-{content}-2"
    before = canonical(con)

    again = importer.import_file(con, write("payouts_march_again.csv", march))
    assert counts(again) == (3, 0, 0, 3, 0, 0, 0)
    assert canonical(con) == before

    # The next payroll export repeats March and adds a third equal payout: only that one is new.
    april = importer.import_file(con, write("payouts_april.csv", [
        *march, ["T1", "L1", "2026-03-31", "50.00", "Spiff"]]))
    assert counts(april) == (4, 1, 0, 3, 0, 0, 0)
    assert con.execute("select count(*) from payouts where payout_id like '%-3'").fetchone() == (1,)


def test_dry_run_counts_like_the_real_import_and_changes_nothing(con, write, take_snapshot):
    header = ["Lead ID", "Status", "Close Date", "Revenue"]
    importer.import_file(con, write("outcomes_1.csv", [header, ["L1", "Quoted", "", ""],
                                                       ["L2", "Open", "", ""]]))
    later = write("outcomes_2.csv", [header, ["L1", "Won", "2026-04-02", "900"],
                                     ["L2", "Open", "", ""], ["L3", "Open", "", ""],
                                     ["L3", "Working", "", ""], ["L4", "Won", "", ""]])
    before = take_snapshot(con)
    dry = importer.import_file(con, later, dry_run=True)
    assert take_snapshot(con) == before
    assert importer.describe(dry).startswith("outcomes_2.csv: would import as outcomes: read 5")
    real = importer.import_file(con, later)
    assert counts(dry) == counts(real) == (5, 1, 1, 1, 1, 1, 0)
    assert importer.describe(real).startswith("outcomes_2.csv: imported as outcomes: read 5")


def test_report_lines_are_skipped_and_counted(con, tmp_path):
    """A report-style export: the title lines, the group heading, the subtotal and the footer are
    read, skipped with their reason and never imported; the identity holds with skipped."""
    path = tmp_path / "leads_report.csv"
    path.write_text(
        "Leads by branch\nDate range: 03/01/2026 - 03/31/2026\n\n"
        "Lead ID,Submitted,Tech ID,Est. Value\n"
        "Boston\nL1,2026-03-04,T1,100\nL2,2026-03-05,T2,200\nSubtotal Boston,,,300\n"
        "L3,2026-03-06,T1,50\nGrand Total,,,350\n\nGenerated By: CRM\nCopyright 2026 Acme\n",
        encoding="utf-8")
    result = importer.import_file(con, path)
    assert counts(result) == (10, 3, 0, 0, 0, 0, 7)
    assert result.header_line == 4
    skipped = importer.list_skipped(con, result.import_id)
    assert skipped["row"].tolist() == [1, 2, 5, 8, 10, 12, 13]
    assert skipped.set_index("row")["reason"].to_dict() == {
        1: "above the header: a title or preamble line",
        2: "above the header: a title or preamble line",
        5: "a group heading of the report",
        8: "a total or subtotal row of the report",
        10: "a total or subtotal row of the report",
        12: "a footer line below the data (report name, totals, generated by, copyright)",
        13: "a footer line below the data (report name, totals, generated by, copyright)",
    }
    assert skipped.set_index("row")["line"][12] == "Generated By: CRM"
    assert con.execute("select lead_id, estimated_value from leads order by 1").fetchall() == [
        ("L1", 100), ("L2", 200), ("L3", 50)]
    assert con.execute("select rows_read, skipped from imports").fetchone() == (10, 7)

"""Bad input: refused files leave the database as it was; a rejected row is rejected alone."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from leadbridge import importer


def cells(frame: pd.DataFrame, columns: list[str]) -> list[list]:
    """The frame's cells as lists, a missing value as None."""
    return [[None if pd.isna(v) else v for v in row] for row in frame[columns].values.tolist()]


LEADS = "Lead ID,Submitted,Tech ID\nL1,2026-03-04,T1\nL2,2026-03-05,T2\n"


@pytest.fixture
def seeded(con, write):
    """A database that already holds two leads, so 'unchanged' means something."""
    assert importer.import_file(con, write("leads_seed.csv", LEADS)).ok
    return con


# --- refused files -------------------------------------------------------------------------

REFUSED = {
    "empty file": ("leads.csv", b"", ["the file is empty", "export it again with a header row"]),
    "header only": ("leads.csv", "Lead ID,Submitted,Tech ID\n",
                    ["has a header row but no data rows"]),
    "blank lines only": ("leads.csv", "\n\n", ["the file has no rows", "header row"]),
    "binary": ("leads.csv", b"\x00\x01\x02\x03binary\x00junk\n",
               ["not a text table", "NUL bytes", "save it as CSV UTF-8, Excel or Parquet"]),
    "broken UTF-16": ("leads.csv", LEADS.encode("utf-16") + b"\x00\xd8A\x00",
                      ["the file is not valid utf-16 text", "save it again as CSV UTF-8"]),
    "broken workbook": ("leads.xlsx", b"this is no workbook",
                        ["cannot read this Excel file", "save it again as .xlsx, or export CSV"]),
    "missing required column": (
        "leads.csv", "Lead ID,Tech ID,Notes\nL9,T1,hello\n",
        ["missing required column(s) for leads: submitted_at (e.g. 'Submitted At'",
         'Headers found: "Lead ID", "Tech ID", "Notes".', "Rename the column in the file"]),
    "unknown table": ("export.csv", "Colour,Size\nred,XL\n",
                      ["cannot tell which table this is from its name or headers (Colour, Size)",
                       "name the file after its table (techs*, leads*", "or pass --table"]),
    "headers fit two tables": (
        "export.csv", "Lead ID,Status,Submitted,Tech ID\nL9,Open,2026-03-04,T1\n",
        ["the headers fit more than one table (leads, outcomes)", "or pass --table"]),
    "header and rows do not line up": (
        "leads.csv", "Lead ID,Submitted,Tech ID\nL9,2026-03-04,T1,a\nL10,2026-03-04,T1,b\n",
        ["the header row (line 1) names 3 columns but 2 of the 2 rows below it have more values (4)",
         "do not line up"]),
    "ambiguous dates": (
        "leads.csv", "Lead ID,Submitted,Tech ID\nL9,03/04/2026,T1\nL10,04/05/2026,T1\n",
        ["all 2 slashed dates (like 03/04/2026) could be read day-first or month-first",
         "--date-order MDY or DMY"]),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_file_leaves_the_database_unchanged(seeded, write, take_snapshot, db_file, case):
    name, content, fragments = REFUSED[case]
    path = write(name, content)
    before = take_snapshot(seeded)
    result = importer.import_file(seeded, path)
    assert not result.ok
    for fragment in fragments:
        assert fragment in result.error
    assert result.file == name
    assert importer.describe(result).startswith(f"{name}: REFUSED - ")
    assert (result.read, result.inserted, result.rejected) == (0, 0, 0)
    assert take_snapshot(seeded) == before
    assert list((db_file.parent / "tmp").iterdir()) == []  # no staged copy left behind


@pytest.mark.parametrize(("options", "fragment"), [
    ({"table": "customers"}, "unknown table 'customers': use one of techs, leads"),
    ({"date_order": "DDMMYY"}, "unknown date order 'DDMMYY': use MDY, DMY or YMD"),
])
def test_bad_options_are_refused(seeded, write, take_snapshot, options, fragment):
    before = take_snapshot(seeded)
    result = importer.import_file(seeded, write("leads.csv", LEADS), **options)
    assert fragment in result.error
    assert take_snapshot(seeded) == before


def test_missing_file_is_refused(seeded, tmp_path):
    result = importer.import_file(seeded, tmp_path / "nowhere.csv")
    assert result.error == "no such file: check the path"


# --- rejected rows -------------------------------------------------------------------------

LEAD_ROWS = (["Lead ID", "Submitted", "Tech ID", "Est. Value"],
             ["L1", "2026-03-04", "T1", "10"], ["L3", "2026-03-06", "T1", "30"])
OUTCOME_ROWS = (["Lead ID", "Status", "Close Date", "Revenue"],
                ["L1", "Won", "2026-03-20", "100"], ["L3", "Open", "", ""])
ROSTER_ROWS = (["Tech ID", "Name", "Active"], ["T1", "Ann", "yes"], ["T3", "Cy", "no"])
PAYOUT_ROWS = (["Payout ID", "Tech ID", "Paid On", "Amount"],
               ["P1", "T1", "2026-03-04", "25"], ["P3", "T1", "2026-03-06", "-25"])
JOB_ROWS = (["Job ID", "Tech ID", "Completed"], ["J1", "T1", "2026-03-04"],
            ["J3", "T1", "2026-03-06"])
ATTENDANCE_ROWS = (["Meeting Date", "Person ID", "Attended"], ["2026-03-04", "T1", "Y"],
                   ["2026-03-04", "T3", "N"])

# case: (file, rows, bad row placed on line 3, expected header, value, reason start, good keys)
REJECTED = {
    "missing required value": (
        "leads.csv", LEAD_ROWS, ["L2", "2026-03-05", "", "20"],
        "Tech ID", None, "required value is missing: which technician found this lead?"),
    "unparseable required date": (
        "leads.csv", LEAD_ROWS, ["L2", "next week", "T1", "20"],
        "Submitted", "next week", "not a date LeadBridge can read: use e.g. 2026-03-04"),
    "unparseable money": (
        "leads.csv", LEAD_ROWS, ["L2", "2026-03-05", "T1", "lots"],
        "Est. Value", "lots", "not an amount LeadBridge can read: use e.g. 1234.50"),
    "negative estimated value": (
        "leads.csv", LEAD_ROWS, ["L2", "2026-03-05", "T1", "-20"],
        "Est. Value", "-20", "estimated value must not be negative"),
    "two-digit year": (
        "leads.csv", LEAD_ROWS, ["L2", "3/5/26", "T1", "20"],
        "Submitted", "3/5/26", "two-digit year is ambiguous: write the year in full"),
    "negative revenue": (
        "outcomes.csv", OUTCOME_ROWS, ["L2", "Won", "2026-03-21", "(5.00)"],
        "Revenue", "(5.00)", "revenue must not be negative"),
    "won without revenue": (
        "outcomes.csv", OUTCOME_ROWS, ["L2", "Sold", "2026-03-21", ""],
        "Revenue", None, "a won lead needs its revenue (the amount sold)"),
    "won without close date": (
        "outcomes.csv", OUTCOME_ROWS, ["L2", "Closed Won", "", "100"],
        "Close Date", None, "a won lead needs its close date"),
    "lost without close date": (
        "outcomes.csv", OUTCOME_ROWS, ["L2", "Lost", "", ""],
        "Close Date", None, "a lost lead needs its close date"),
    "unknown status": (
        "outcomes.csv", OUTCOME_ROWS, ["L2", "Maybe later", "", ""],
        "Status", "Maybe later", "unknown status; accepted words are open: new, pending"),
    "bad boolean": (
        "roster.csv", ROSTER_ROWS, ["T2", "Bob", "perhaps"],
        "Active", "perhaps", "not a yes/no value: use e.g. Active/Inactive"),
    "missing amount": (
        "payouts.csv", PAYOUT_ROWS, ["P2", "T1", "2026-03-05", ""],
        "Amount", None, "required value is missing"),
    "missing job date": (
        "jobs.csv", JOB_ROWS, ["J2", "T1", ""], "Completed", None, "required value is missing"),
    "bad attendance flag": (
        "attendance.csv", ATTENDANCE_ROWS, ["2026-03-04", "T2", "maybe"],
        "Attended", "maybe", "not a yes/no value"),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_rejected_row_is_rejected_alone(con, write, case):
    name, (header, first, last), bad, column, value, reason = REJECTED[case]
    result = importer.import_file(con, write(name, [header, first, bad, last]))
    assert result.ok, result.error
    assert (result.read, result.inserted, result.superseded, result.rejected) == (3, 2, 0, 1)
    table = result.table
    key = ", ".join(importer.contract.TABLES[table].key)
    assert len(con.execute(f"select {key} from {table}").fetchall()) == 2  # noqa: S608
    rejects = importer.list_rejects(con)
    assert len(rejects) == 1
    got = rejects.iloc[0]
    assert (got["file"], got["table"], got["row"], got["column"]) == (name, table, 3, column)
    assert (None if pd.isna(got["value"]) else got["value"]) == value
    assert got["reason"].startswith(reason)
    assert got["raw_row"] == "; ".join(f"{h}={v}" for h, v in zip(header, bad, strict=True))


def test_unknown_status_reason_lists_every_accepted_word(con, write):
    name, (header, first, last), bad, *_ = REJECTED["unknown status"]
    importer.import_file(con, write(name, [header, first, bad, last]))
    reason = importer.list_rejects(con)["reason"][0]
    for words in ("open: new, pending", "won: closed won, sold, booked, converted",
                  "lost: closed lost, dismissed", "quoted: quote sent, proposal"):
        assert words in reason


def test_row_breaking_two_rules_is_one_rejected_row_with_two_reasons(con, write):
    rows = [*LEAD_ROWS[:2], ["", "someday", "T1", "-5"]]
    result = importer.import_file(con, write("leads.csv", rows))
    assert (result.read, result.inserted, result.rejected) == (2, 1, 1)
    rejects = importer.list_rejects(con)
    assert cells(rejects, ["row", "column", "value"]) == [
        [3, "Est. Value", "-5"], [3, "Lead ID", None], [3, "Submitted", "someday"]]


def test_rejected_row_numbers_are_the_lines_of_the_file(con, write):
    """A quoted value over two lines takes two lines: the row below it is on line 5."""
    rows = [LEAD_ROWS[0], ["L1", "2026-03-04", "T1", "10"],
            ["L2\nsecond line", "2026-03-05", "T1", "20"], ["L3", "soon", "T1", "30"]]
    result = importer.import_file(con, write("leads.csv", rows))
    assert (result.read, result.inserted, result.rejected) == (3, 2, 1)
    assert importer.list_rejects(con)["row"].tolist() == [5]
    assert con.execute("select lead_id from leads order by 1").fetchall() == [
        ("L1",), ("L2\nsecond line",)]


def test_blank_rows_are_skipped_and_not_counted(con, write):
    result = importer.import_file(con, write("leads.csv", LEADS + ",,\n  , ,\nL3,soon,T1\n"))
    assert (result.read, result.inserted, result.rejected) == (3, 2, 1)
    assert importer.list_rejects(con)["row"].tolist() == [6]


# --- the rejected-rows download --------------------------------------------------------------


def test_rejects_csv_defuses_formulas(con, write, tmp_path):
    rows = [LEAD_ROWS[0],
            ["L1", '=HYPERLINK("http://evil.example","click")', "T1", "10"],
            ["L2", "2026-03-05", "T1", "+cmd|' /C calc'!A0"],
            ["L3", "@SUM(1+1)", "T1", "10"],
            ["L4", "2026-03-05", "T1", "-x"],
            ["L5", "2026-03-05", "T1", "12"]]
    result = importer.import_file(con, write("leads.csv", rows))
    assert (result.inserted, result.rejected) == (1, 4)
    out = tmp_path / "rejects.csv"
    assert importer.write_rejects_csv(con, out) == 4
    with open(out, newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert [(r["row"], r["column"], r["value"]) for r in got] == [
        ("2", "Submitted", '\'=HYPERLINK("http://evil.example","click")'),
        ("3", "Est. Value", "'+cmd|' /C calc'!A0"),
        ("4", "Submitted", "'@SUM(1+1)"),
        ("5", "Est. Value", "'-x"),
    ]
    assert all(r["reason"] and r["file"] == "leads.csv" for r in got)


def test_rejects_of_one_import(con, write, tmp_path):
    first = importer.import_file(con, write("leads_a.csv", LEADS + "L3,soon,T1\n"))
    importer.import_file(con, write("leads_b.csv", LEADS + "L4,later,T1\nL5,never,T1\n"))
    assert len(importer.list_rejects(con)) == 3
    assert importer.list_rejects(con, first.import_id)["value"].tolist() == ["soon"]
    assert importer.write_rejects_csv(con, tmp_path / "r.csv", first.import_id) == 1


# --- the same key twice in one file -----------------------------------------------------------


def test_later_row_wins_and_the_earlier_is_superseded(con, write):
    rows = [["Lead ID", "Submitted", "Tech ID", "Customer"],
            ["L1", "2026-03-04", "T1", "Acme"],
            ["L2", "2026-03-05", "T1", "Beta"],
            ["L1", "2026-03-06", "T2", "Acme Corp"],
            ["L1", "not a date", "T3", "Rejected Inc"]]
    result = importer.import_file(con, write("leads.csv", rows))
    assert (result.read, result.inserted, result.superseded, result.rejected) == (4, 2, 1, 1)
    stored = con.execute("select lead_id, tech_id, customer_name from leads order by 1")
    assert stored.fetchall() == [
        ("L1", "T2", "Acme Corp"), ("L2", "T1", "Beta")]
    assert con.execute("select * from superseded_rows").fetchall() == [
        (result.import_id, 2, "L1", 4)]


def test_attendance_key_has_two_columns(con, write):
    rows = [list(ATTENDANCE_ROWS[0]), ["2026-03-04", "T1", "no"], ["2026-04-01", "T1", "yes"],
            ["2026-03-04", "T1", "yes"]]
    result = importer.import_file(con, write("attendance.csv", rows))
    assert (result.read, result.inserted, result.superseded) == (3, 2, 1)
    assert con.execute("select * from superseded_rows").fetchall() == [
        (result.import_id, 2, "2026-03-04 | T1", 4)]
    stored = con.execute(
        "select meeting_date::varchar, person_id, attended from attendance order by 1")
    assert stored.fetchall() == [
        ("2026-03-04", "T1", True), ("2026-04-01", "T1", True)]

"""Reading exports as they come: delimiters, encodings, Excel, Parquet, dates, money, words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from leadbridge import importer, quality

D = dt.date
LEAD_HEADER = ["Lead ID", "Submitted", "Tech ID", "Customer", "Est. Value"]


def leads(con) -> list[tuple]:
    """lead_id, submitted_at, tech_id, customer_name, estimated_value of every lead, by id."""
    return con.execute(
        "select lead_id, submitted_at, tech_id, customer_name, estimated_value "
        "from leads order by lead_id"
    ).fetchall()


def assert_clean(result, table: str, inserted: int) -> None:
    assert result.error is None, result.error
    assert result.table == table
    assert (result.read, result.inserted, result.rejected) == (inserted, inserted, 0)


# --- delimiters and encodings --------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "name", "suffix"), [
    (",", "comma", ".csv"), (";", "semicolon", ".csv"), ("\t", "tab", ".tsv"),
    ("|", "pipe", ".txt"),
])
def test_delimiters(con, write, delimiter, name, suffix):
    rows = [LEAD_HEADER, ["0042", "2026-03-04", "7", "Acme, Inc.", "1234.50"],
            ["L2", "2026-03-05", "8", "Beta | Co; Ltd", ""]]
    result = importer.import_file(con, write(f"leads{suffix}", rows, delimiter=delimiter))
    assert_clean(result, "leads", 2)
    assert result.delimiter == name
    assert leads(con) == [("0042", D(2026, 3, 4), "7", "Acme, Inc.", Decimal("1234.50")),
                          ("L2", D(2026, 3, 5), "8", "Beta | Co; Ltd", None)]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_unicode_encodings(con, write, encoding):
    rows = [LEAD_HEADER, ["L1", "2026-03-04", "7", "Café Müller €", "10"]]
    result = importer.import_file(con, write("leads.csv", rows, encoding=encoding))
    assert_clean(result, "leads", 1)
    assert result.encoding == encoding
    assert result.matched["lead_id"] == "Lead ID"  # a byte-order mark does not stick to the header
    assert leads(con) == [("L1", D(2026, 3, 4), "7", "Café Müller €", Decimal("10.00"))]


def test_windows_1252_file_that_is_not_utf8(con, write):
    path = write("leads.csv", [LEAD_HEADER, ["L1", "2026-03-04", "7", "Café Noël", "5"]],
                 encoding="cp1252")
    path.write_bytes(path.read_bytes() + "L2,2026-03-05,8,Prix 5 €,6\n".encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = importer.import_file(con, path)
    assert_clean(result, "leads", 2)
    assert result.encoding == "windows-1252"
    assert [r[3] for r in leads(con)] == ["Café Noël", "Prix 5 €"]


def test_semicolon_file_with_decimal_comma(con, write):
    rows = [LEAD_HEADER, ["L1", "04.03.2026", "7", "Müller GmbH", "1.234,50 €"],
            ["L2", "05.03.2026", "8", "Schmidt AG", "99,5"]]
    result = importer.import_file(con, write("leads.csv", rows, delimiter=";"))
    assert_clean(result, "leads", 2)
    assert result.decimal_comma is True
    assert [r[4] for r in leads(con)] == [Decimal("1234.50"), Decimal("99.50")]


def test_ids_keep_leading_zeros(con, write):
    rows = [LEAD_HEADER, ["0042", "2026-03-04", "007", "", ""]]
    importer.import_file(con, write("leads.csv", rows))
    assert leads(con) == [("0042", D(2026, 3, 4), "007", None, None)]


# --- Excel and Parquet -----------------------------------------------------------------------


def test_excel_with_date_and_number_cells(con, write):
    rows = [LEAD_HEADER,
            [1234.0, D(2026, 3, 4), "0042", "Acme", 1234.5],
            ["0043", dt.datetime(2026, 3, 5, 10, 30), 7, "Beta", 99]]
    result = importer.import_file(con, write("leads.xlsx", rows))
    assert_clean(result, "leads", 2)
    assert result.file_format == "excel"
    assert leads(con) == [("0043", D(2026, 3, 5), "7", "Beta", Decimal("99.00")),
                          ("1234", D(2026, 3, 4), "0042", "Acme", Decimal("1234.50"))]


def test_excel_rejected_row_has_its_spreadsheet_row_number(con, write):
    rows = [LEAD_HEADER, ["L1", D(2026, 3, 4), "7", None, None],
            ["L2", "someday", "7", None, None], ["L3", D(2026, 3, 6), "7", None, None]]
    result = importer.import_file(con, write("leads.xlsx", rows))
    assert (result.read, result.inserted, result.rejected) == (3, 2, 1)
    assert importer.list_rejects(con)[["row", "column", "value"]].values.tolist() == [
        [3, "Submitted", "someday"]]


def test_parquet_keeps_every_row_and_numbers_rows_like_a_spreadsheet(con, write):
    rows = [LEAD_HEADER, ["0042", "2026-03-04", "7", "Acme", "10.00"],
            ["L2", "not a date", "8", "Beta", "20.00"], ["L3", "2026-03-06", "9", "Gamma", "30"]]
    result = importer.import_file(con, write("leads.parquet", rows))
    assert result.file_format == "parquet"
    assert (result.read, result.inserted, result.rejected) == (3, 2, 1)
    assert [r[0] for r in leads(con)] == ["0042", "L3"]
    assert importer.list_rejects(con)[["row", "column"]].values.tolist() == [[3, "Submitted"]]


def test_parquet_typed_columns(con, tmp_path):
    import pandas as pd

    frame = pd.DataFrame({"lead_id": ["0042"], "submitted_at": [pd.Timestamp("2026-03-04 10:30")],
                          "tech_id": [7], "estimated_value": [1234.5]})
    path = tmp_path / "leads.parquet"
    frame.to_parquet(path, index=False)
    assert_clean(importer.import_file(con, path), "leads", 1)
    assert leads(con) == [("0042", D(2026, 3, 4), "7", None, Decimal("1234.50"))]


def test_file_inside_the_data_folder_is_read_in_place(con, write, db_file):
    path = write("data/uploads/leads.csv", [LEAD_HEADER, ["L1", "2026-03-04", "7", "", ""]])
    assert db_file.parent in path.parents
    assert_clean(importer.import_file(con, path), "leads", 1)
    assert list(db_file.parent.joinpath("tmp").iterdir()) == []


# --- which table, which columns ----------------------------------------------------------------


ONE_ROW = {
    "outcomes": (["Opportunity ID", "Stage"], ["L1", "Open"]),
    "techs": (["Employee ID", "Full Name"], ["T1", "Ann"]),
    "payouts": (["Employee ID", "Pay Date", "Spiff"], ["T1", "2026-03-04", "$25"]),
    "leads": (["Lead ID", "Created Date", "Technician ID"], ["L1", "2026-03-04", "T1"]),
    "jobs": (["Work Order", "Tech ID", "Completed On"], ["J1", "T1", "2026-03-04"]),
    "attendance": (["Date", "Employee ID", "Present"], ["2026-03-04", "T1", "yes"]),
}


@pytest.mark.parametrize(("name", "table"), [
    ("opportunities_2026.csv", "outcomes"), ("Roster March.csv", "techs"),
    ("rewards.csv", "payouts"),
    # No name match: the headers tell. Every table with a tech ID also fits the roster; the
    # table that uses more of the file's headers wins.
    ("crm_export.csv", "outcomes"), ("people.csv", "techs"), ("payroll.csv", "payouts"),
    ("export.csv", "leads"), ("work.csv", "jobs"), ("meeting.csv", "attendance"),
])
def test_table_from_name_else_headers(con, write, name, table):
    header, row = ONE_ROW[table]
    result = importer.import_file(con, write(name, [header, row]))
    assert_clean(result, table, 1)


def test_header_aliases_and_ignored_columns(con, write):
    rows = [["Lead #", "Date Submitted", "Lead Generated By", "Favourite Colour", "Account Name"],
            ["L1", "2026-03-04", "T1", "blue", "Acme"]]
    result = importer.import_file(con, write("export.csv", rows))
    assert_clean(result, "leads", 1)
    assert result.matched == {"lead_id": "Lead #", "submitted_at": "Date Submitted",
                              "tech_id": "Lead Generated By", "customer_name": "Account Name"}
    assert result.ignored == ["Favourite Colour"]
    assert "(ignored columns: Favourite Colour)" in importer.describe(result)


def test_table_given_by_the_user(con, write):
    rows = [["Lead ID", "Submitted", "Tech ID"], ["L1", "2026-03-04", "T1"]]
    assert_clean(importer.import_file(con, write("export.csv", rows), table="leads"), "leads", 1)


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "2026-03-04", "2026-03-04T10:30:00Z", "2026-03-04 10:30", "2026/03/04", "04.03.2026",
    "4-Mar-2026", "04 Mar 2026", "Mar 4, 2026", "March 4, 2026", "Mar. 4 2026",
])
def test_date_shapes(con, write, value):
    rows = [LEAD_HEADER, ["L1", value, "7", "", ""]]
    assert_clean(importer.import_file(con, write("leads.csv", rows)), "leads", 1)
    assert leads(con)[0][1] == D(2026, 3, 4)


@pytest.mark.parametrize(("values", "order", "expected"), [
    (["03/04/2026", "03/25/2026"], "MDY", [D(2026, 3, 4), D(2026, 3, 25)]),
    (["04/03/2026", "25/03/2026"], "DMY", [D(2026, 3, 4), D(2026, 3, 25)]),
    (["4-3-2026", "25-3-2026"], "DMY", [D(2026, 3, 4), D(2026, 3, 25)]),
])
def test_slashed_date_order_from_an_unambiguous_value(con, write, values, order, expected):
    rows = [LEAD_HEADER] + [[f"L{i}", v, "7", "", ""] for i, v in enumerate(values)]
    result = importer.import_file(con, write("leads.csv", rows))
    assert_clean(result, "leads", 2)
    assert result.date_order == order
    assert [r[1] for r in leads(con)] == expected


def test_all_ambiguous_dates_are_refused_until_the_order_is_given(con, write, take_snapshot):
    path = write("leads.csv", [LEAD_HEADER, ["L1", "03/04/2026", "7", "", ""],
                               ["L2", "05/06/2026", "7", "", ""]])
    before = take_snapshot(con)
    refused = importer.import_file(con, path)
    assert "all 2 slashed dates" in refused.error
    assert "--date-order MDY or DMY" in refused.error
    assert take_snapshot(con) == before

    result = importer.import_file(con, path, date_order="DMY")
    assert_clean(result, "leads", 2)
    assert [r[1] for r in leads(con)] == [D(2026, 4, 3), D(2026, 6, 5)]


def test_mixed_date_orders_are_refused(con, write, take_snapshot):
    path = write("leads.csv", [LEAD_HEADER, ["L1", "25/03/2026", "7", "", ""],
                               ["L2", "03/25/2026", "7", "", ""]])
    before = take_snapshot(con)
    result = importer.import_file(con, path)
    assert "mix day-first (1 values" in result.error
    assert "month-first (1 values" in result.error
    assert take_snapshot(con) == before


def test_two_digit_year_is_a_rejected_row(con, write):
    rows = [LEAD_HEADER, ["L1", "2026-03-04", "7", "", ""], ["L2", "03/04/26", "7", "", ""]]
    result = importer.import_file(con, write("leads.csv", rows))
    assert (result.read, result.inserted, result.rejected) == (2, 1, 1)
    reject = importer.list_rejects(con).iloc[0]
    assert (reject["row"], reject["column"], reject["value"]) == (3, "Submitted", "03/04/26")
    assert reject["reason"].startswith("two-digit year is ambiguous: write the year in full")


# --- money ----------------------------------------------------------------------------------


def test_money_shapes(con, write):
    rows = [["Payout ID", "Tech ID", "Pay Date", "Amount"],
            ["P1", "T1", "2026-03-04", "$1,234.50"], ["P2", "T1", "2026-03-04", "USD 1,234.50"],
            ["P3", "T1", "2026-03-04", "(1,234.50)"], ["P4", "T1", "2026-03-04", "1234.5"],
            ["P5", "T1", "2026-03-04", "-25"], ["P6", "T1", "2026-03-04", "$ 1 234.50"]]
    result = importer.import_file(con, write("payouts.csv", rows))
    assert_clean(result, "payouts", 6)
    assert result.decimal_comma is False
    assert con.execute("select payout_id, amount from payouts order by payout_id").fetchall() == [
        ("P1", Decimal("1234.50")), ("P2", Decimal("1234.50")), ("P3", Decimal("-1234.50")),
        ("P4", Decimal("1234.50")), ("P5", Decimal("-25.00")), ("P6", Decimal("1234.50"))]


def test_decimal_comma_amount(con, write):
    rows = [["Payout ID", "Tech ID", "Pay Date", "Amount"],
            ["P1", "T1", "2026-03-04", "1.234,50 €"]]
    result = importer.import_file(con, write("payouts.csv", rows, delimiter=";"))
    assert_clean(result, "payouts", 1)
    assert con.execute("select amount from payouts").fetchall() == [(Decimal("1234.50"),)]


def test_decimal_comma_given_by_the_user(con, write):
    rows = [["Payout ID", "Tech ID", "Pay Date", "Amount"], ["P1", "T1", "2026-03-04", "1.234"]]
    result = importer.import_file(con, write("payouts.csv", rows, delimiter=";"),
                                  decimal_comma=True)
    assert_clean(result, "payouts", 1)
    assert con.execute("select amount from payouts").fetchall() == [(Decimal("1234.00"),)]


def test_file_mixing_decimal_comma_and_point_is_refused(con, write, take_snapshot):
    rows = [["Payout ID", "Tech ID", "Pay Date", "Amount"],
            ["P1", "T1", "2026-03-04", "1.234,50"], ["P2", "T1", "2026-03-04", "1,234.50"]]
    before = take_snapshot(con)
    result = importer.import_file(con, write("payouts.csv", rows, delimiter=";"))
    assert "mix a decimal comma (1 values" in result.error
    assert "a decimal point (1 values" in result.error
    assert "use one convention" in result.error
    assert take_snapshot(con) == before


# --- booleans and words ---------------------------------------------------------------------


def test_roster_booleans(con, write):
    words = {"true": True, "false": False, "yes": True, "No": False, "Y": True, "n": False,
             "1": True, "0": False, "t": True, "F": False, "Active": True, "INACTIVE": False}
    rows = [["Tech ID", "Name", "Status"]] + [[f"T{i:02d}", w, w] for i, w in enumerate(words)]
    result = importer.import_file(con, write("roster.csv", rows))
    assert_clean(result, "techs", len(words))
    got = dict(con.execute("select tech_name, active from techs").fetchall())
    assert got == words


def test_active_defaults_to_true(con, write):
    rows = [["Tech ID", "Name"], ["T1", "Ann"], ["T2", "Bob"]]
    importer.import_file(con, write("techs.csv", rows))
    assert con.execute("select tech_id, active from techs order by 1").fetchall() == [
        ("T1", True), ("T2", True)]


def test_status_words_map_to_the_six_states(con, write):
    rows = [["Lead ID", "Stage", "Close Date", "Amount"],
            ["L1", "Closed Won", "2026-03-20", "500"], ["L2", "Quote Sent", "", ""],
            ["L3", "not interested", "2026-03-21", ""], ["L4", "In Progress", "", ""],
            ["L5", "Appointment Set", "", ""], ["L6", "NEW", "", ""]]
    result = importer.import_file(con, write("outcomes.csv", rows))
    assert_clean(result, "outcomes", 6)
    stored = con.execute("select lead_id, status, status_raw from outcomes order by 1")
    assert stored.fetchall() == [
        ("L1", "won", "Closed Won"), ("L2", "quoted", "Quote Sent"),
        ("L3", "lost", "not interested"), ("L4", "contacted", "In Progress"),
        ("L5", "qualified", "Appointment Set"), ("L6", "open", "NEW")]


def test_lead_type_words(con, write):
    types = {"Upsell": "upgrade", "New Location": "additional_site", "replacement": "new_equipment",
             "Competitor": "competitor_threat", "UNHAPPY": "at_risk_customer",
             "Maintenance Plan": "service_agreement", "Misc": "other", "Widget Frenzy": "other",
             "": "other"}
    rows = [["Lead ID", "Submitted", "Tech ID", "Lead Type"]] + [
        [f"L{i}", "2026-03-04", "T1", raw] for i, raw in enumerate(types)]
    assert_clean(importer.import_file(con, write("leads.csv", rows)), "leads", len(types))
    got = con.execute("select lead_type_raw, lead_type from leads order by lead_id").fetchall()
    assert got == [(raw or None, canonical) for raw, canonical in types.items()]
    report = dict((c.query, frame) for c, frame in quality.quality_report(con))
    unrecognized = report["dq_unrecognized_lead_types"]
    assert unrecognized.values.tolist() == [["Widget Frenzy", 1]]

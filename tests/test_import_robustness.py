"""A small leads export damaged one way at a time: no wrong value, every intact row imported,
every damaged row rejected with its line, every report line skipped with its reason.

Each case writes its file with lead IDs of its own and imports it into one database shared by
the module, then looks only at its own leads, rejects and skipped lines.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import xlsxwriter

from leadbridge import db, importer

HEADER = ["Lead ID", "Submitted", "Tech ID", "Customer", "Notes", "Est. Value"]
WIDTH = len(HEADER)
ROWS = 6


def cells(case: str, i: int) -> list[str]:
    """Row i of a case's export: every value tells which row it is."""
    return [f"{case}-{i}", f"2026-03-0{i + 1}", f"010{i}", f"Customer {i}", f"note {i}",
            f"{i + 1}00.50"]


def expected(case: str, i: int) -> tuple:
    return (f"{case}-{i}", date(2026, 3, i + 1), f"010{i}", f"Customer {i}", f"note {i}",
            Decimal(f"{i + 1}00.50"))


def join(values: list[str], delimiter: str = ",") -> str:
    return delimiter.join(values)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    connection = db.connect(tmp_path_factory.mktemp("robust") / "data" / "lb.duckdb")
    yield connection
    connection.close()


def run(con, tmp_path, case: str, lines: list[str], *, newline: str = "\n", final: bool = True,
        suffix: str = ".csv"):
    """Write the lines as leads_<case>.csv and import it; return the result."""
    path = tmp_path / f"leads_{case}{suffix}"
    text = newline.join(lines) + (newline if final else "")
    path.write_bytes(text.encode("utf-8"))
    return importer.import_file(con, path, refresh=False)


def stored(con, case: str) -> list[tuple]:
    return con.cursor().execute(
        "select lead_id, submitted_at, tech_id, customer_name, description, estimated_value "
        "from leads where starts_with(lead_id, $p) order by lead_id", {"p": f"{case}-"}).fetchall()


def rejected_lines(con, result) -> dict[int, str]:
    frame = importer.list_rejects(con, result.import_id)
    return {int(r["row"]): r["reason"] for _, r in frame.iterrows()}


def skipped_lines(con, result) -> dict[int, str]:
    frame = importer.list_skipped(con, result.import_id)
    return {int(r["row"]): r["reason"] for _, r in frame.iterrows()}


def check(con, result, case: str, intact: list[int], rejected: dict[int, str] | list[int],
          skipped: int = 0):
    """The case's intact rows are stored with exactly their values and nothing else is; the
    damaged rows are rejected at their lines; the accounting adds up."""
    assert result.ok, result.error
    assert stored(con, case) == [expected(case, i) for i in sorted(intact)]
    got = rejected_lines(con, result)
    assert sorted(got) == sorted(rejected), got
    if isinstance(rejected, dict):
        for line, fragment in rejected.items():
            assert fragment in got[line], (line, got[line])
    assert result.skipped == skipped
    assert result.read == (result.inserted + result.updated + result.unchanged + result.superseded
                           + result.rejected + result.skipped)


# --- one damaged row, at each position and in each column --------------------------------------

def damage(kind: str, values: list[str], column: int) -> str:
    values = list(values)
    if kind == "extra delimiter":  # a delimiter inside a value that is not quoted
        values[column] = values[column][:2] + "," + values[column][2:]
        return join(values)
    if kind == "missing delimiter":  # two values run together
        at = min(column, WIDTH - 2)
        values[at:at + 2] = [values[at] + values[at + 1]]
        return join(values)
    if kind == "stray quote":  # a quote that opens a value and never closes
        values[column] = '"' + values[column]
        return join(values)
    if kind == "quote inside a value":
        values[column] = values[column][:2] + '"' + values[column][2:]
        return join(values)
    if kind == "other delimiter":
        return join(values, ";")
    raise AssertionError(kind)


REASONS = {
    "extra delimiter": "values where the header has 6 columns",
    "missing delimiter": "has 5 values where the header has 6 columns",
    "stray quote": "a quote that opens a value and never closes it",
    "quote inside a value": "a quote that opens a value and never closes it",
    "other delimiter": "separated by another delimiter",
}
DAMAGED = [(kind, column, position) for kind in REASONS for column in range(WIDTH)
           for position in sorted({column, ROWS - 1})
           if not (kind == "other delimiter" and column > 0)]


@pytest.mark.parametrize(("kind", "column", "position"), DAMAGED)
def test_one_damaged_row_costs_only_itself(con, tmp_path, kind, column, position):
    case = f"D{list(REASONS).index(kind)}{column}{position}"
    lines = [join(HEADER)] + [
        damage(kind, cells(case, i), column) if i == position else join(cells(case, i))
        for i in range(ROWS)]
    result = run(con, tmp_path, case, lines)
    check(con, result, case, [i for i in range(ROWS) if i != position],
          {position + 2: REASONS[kind]})


def test_stray_quotes_on_two_lines_never_merge_the_lines_between(con, tmp_path):
    case = "SQ2"
    rows = [cells(case, i) for i in range(ROWS)]
    rows[1][4] = '"note 1'            # opens
    rows[4][4] = 'note 4"'            # would close, five lines further
    result = run(con, tmp_path, case, [join(HEADER)] + [join(r) for r in rows])
    check(con, result, case, [0, 2, 3, 5], {3: "never closes", 6: "never closes"})


def test_a_quoted_value_over_two_lines_is_one_record_and_line_numbers_stay_real(con, tmp_path):
    case = "ML"
    rows = [join(cells(case, i)) for i in range(ROWS)]
    multi = cells(case, 1)
    multi[4] = '"first line, of the note\nsecond line"'
    rows[1] = join(multi)
    rows[3] = join(cells(case, 3)[:4])  # damaged, after the two-line record and two blank lines
    lines = [join(HEADER), rows[0], rows[1], "", "", rows[2], rows[3], rows[4], rows[5]]
    result = run(con, tmp_path, case, lines)
    assert result.ok, result.error
    # the header is line 1; the note takes lines 3-4; the blank lines are 5 and 6
    assert rejected_lines(con, result) == {
        8: "has 4 values where the header has 6 columns: a value or a delimiter is missing, so "
           "the values would land in the wrong columns; fix the row"}
    got = {r[0]: r for r in stored(con, case)}
    assert got[f"{case}-1"][4] == "first line, of the note\nsecond line"
    assert sorted(got) == [f"{case}-{i}" for i in (0, 1, 2, 4, 5)]
    assert got[f"{case}-5"] == expected(case, 5)


def test_a_shifted_description_is_a_wrong_field_count_not_a_decimal_comma(con, tmp_path):
    """A description with an unquoted comma pushes '1,50' shapes into the amount column: that
    row is rejected for its field count, and the file's separators come from the other rows."""
    case = "SH"
    rows = [join(cells(case, i)) for i in range(ROWS)]
    shifted = cells(case, 2)
    shifted[4] = "replace coil, 1,50 hours"
    rows[2] = join(shifted)
    result = run(con, tmp_path, case, [join(HEADER)] + rows)
    check(con, result, case, [0, 1, 3, 4, 5], {4: "has more than 7 values"})
    assert result.decimal_comma is False


# --- the header and the rows do not line up ------------------------------------------------------

@pytest.mark.parametrize(("header", "fragment"), [
    (HEADER + ["Branch"], "names 7 columns but 6 of the 6 rows below it have fewer values (6)"),
    (HEADER[:-1], "names 5 columns but 6 of the 6 rows below it have more values (6)"),
])
def test_a_header_that_does_not_line_up_is_refused(con, tmp_path, header, fragment):
    case = f"HD{len(header)}"
    result = run(con, tmp_path, case, [join(header)] + [join(cells(case, i)) for i in range(ROWS)])
    assert not result.ok
    assert fragment in result.error and "do not line up" in result.error
    assert stored(con, case) == []


def test_a_trailing_delimiter_on_every_row_is_read_correctly(con, tmp_path):
    case = "TD"
    lines = [join(HEADER)] + [join(cells(case, i)) + "," for i in range(ROWS)]
    check(con, run(con, tmp_path, case, lines), case, list(range(ROWS)), [])


# --- report-style files: title lines above the header, footers, totals --------------------------

PREAMBLES = {
    "title and date range": ["Leads Report", "Date range: 03/01/2026 - 03/31/2026", ""],
    "as of and blank lines": ["", "Leads as of 2026-04-01", "Company: Acme HVAC", "", ""],
    "title with delimiters": ["Leads Report,,,,,", ",,,,,", "Run by,admin,,,,"],
}


@pytest.mark.parametrize("name", list(PREAMBLES))
def test_title_lines_above_the_header_are_skipped(con, tmp_path, name):
    case = f"PR{list(PREAMBLES).index(name)}"
    preamble = PREAMBLES[name]
    body = [join(cells(case, i)) for i in range(ROWS)]
    body[2] = join(cells(case, 2)[:5])  # damaged: its line counts the title lines too
    result = run(con, tmp_path, case, preamble + [join(HEADER)] + body)
    header_line = len(preamble) + 1
    check(con, result, case, [0, 1, 3, 4, 5], {header_line + 3: "has 5 values"},
          skipped=sum(1 for line in preamble if line.strip(",").strip()))
    assert result.header_line == header_line
    assert set(skipped_lines(con, result).values()) <= {"above the header: a title or preamble line"}


FOOTERS = {
    "blank line, report name, generated by, copyright": [
        "", "Leads Report", "Generated By: Jane Admin on 04/01/2026 10:15", "© 2026 Acme Corp"],
    "grand total then footers": [
        "Grand Total,,,,,2100.00", "", "Report generated 2026-04-01", "Confidential"],
    "footers without a blank line": ["Generated By: CRM", "Copyright 2026 Acme. All rights reserved."],
    "record count": ["", "Total Records: 6"],
}


@pytest.mark.parametrize("name", list(FOOTERS))
def test_footer_lines_are_skipped_never_imported(con, tmp_path, name):
    case = f"FO{list(FOOTERS).index(name)}"
    footer = FOOTERS[name]
    lines = [join(HEADER)] + [join(cells(case, i)) for i in range(ROWS)] + footer
    result = run(con, tmp_path, case, lines)
    check(con, result, case, list(range(ROWS)), [], skipped=sum(1 for f in footer if f))
    assert set(skipped_lines(con, result)) == {
        ROWS + 2 + n for n, f in enumerate(footer) if f}


def test_group_headings_and_subtotals_of_a_grouped_report_are_skipped(con, tmp_path):
    case = "GR"
    rows = [join(cells(case, i)) for i in range(ROWS)]
    lines = [join(HEADER), "Branch: Boston", rows[0], rows[1], "Subtotal,,,,,300.50",
             "Providence", rows[2], rows[3], rows[4], "Sub-total Providence,,,,,1201.50", rows[5],
             "Total,,,,,2100.00"]
    result = run(con, tmp_path, case, lines)
    check(con, result, case, list(range(ROWS)), [], skipped=5)
    assert skipped_lines(con, result) == {
        2: "a group heading of the report", 5: "a total or subtotal row of the report",
        6: "a group heading of the report", 10: "a total or subtotal row of the report",
        12: "a total or subtotal row of the report"}


# --- a second table below the first ---------------------------------------------------------------

SECOND_TABLES = {
    "fewer columns": ["", "Tech ID,Leads,Value", "0100,3,300.00", "0101,2,250.00"],
    "the same columns": ["", join(HEADER), "{case}-0,2026-04-01,0999,Other,other,9.99",
                         "{case}-9,2026-04-02,0999,Other,other,9.99"],
    "the same columns, no blank line": [join(HEADER), "{case}-1,2026-04-01,0999,Other,x,9.99"],
    "more columns": ["", "Lead ID,Submitted,Tech ID,Customer,Notes,Est. Value,Stage,Amount",
                     "{case}-2,2026-04-01,0999,Other,x,9.99,Won,500"],
    "more columns, no header": ["", "{case}-3,2026-04-01,0999,Other,x,9.99,Won,500,extra",
                                "{case}-4,2026-04-01,0999,Other,x,9.99,Won,500,extra"],
}


@pytest.mark.parametrize("name", list(SECOND_TABLES))
def test_a_second_table_is_rejected_and_never_replaces_the_first(con, tmp_path, name):
    """A second table (another header, or rows of another width after a blank line)."""
    case = f"ST{list(SECOND_TABLES).index(name)}"
    second = [line.format(case=case) for line in SECOND_TABLES[name]]
    lines = [join(HEADER)] + [join(cells(case, i)) for i in range(ROWS)] + second
    result = run(con, tmp_path, case, lines)
    start = ROWS + 2 + (1 if second[0] == "" else 0)
    expected_rejects = {n: f"a second table starts at line {start}"
                        for n in range(start, ROWS + 2 + len(second))}
    check(con, result, case, list(range(ROWS)), expected_rejects)


# --- other delimiters, quotes, escapes and line ends ---------------------------------------------

def quoted(values: list[str], delimiter: str, quote: str = '"') -> str:
    return delimiter.join(quote + v + quote if delimiter in v or "," in v else v for v in values)


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters_with_one_damaged_row(con, tmp_path, delimiter):
    case = f"DL{ord(delimiter)}"
    rows = [join(cells(case, i), delimiter) for i in range(ROWS)]
    rows[3] = join(cells(case, 3), ",")  # this one row written with commas
    result = run(con, tmp_path, case, [join(HEADER, delimiter)] + rows)
    check(con, result, case, [0, 1, 2, 4, 5], {5: "separated by another delimiter"})


def test_single_quoted_values_holding_the_delimiter(con, tmp_path):
    case = "SQ"
    rows = []
    for i in range(ROWS):
        values = cells(case, i)
        values[3] = f"Customer {i}, Inc"
        rows.append(",".join(f"'{v}'" if "," in v else v for v in values))
    result = run(con, tmp_path, case, [join(HEADER)] + rows)
    assert result.ok, result.error
    got = stored(con, case)
    assert [r[3] for r in got] == [f"Customer {i}, Inc" for i in range(ROWS)]
    assert [r[5] for r in got] == [expected(case, i)[5] for i in range(ROWS)]


def test_backslash_escaped_quotes(con, tmp_path):
    case = "BS"
    rows = []
    for i in range(ROWS):
        values = cells(case, i)
        values[4] = f'"said \\"call me\\", row {i}"'
        rows.append(join(values))
    result = run(con, tmp_path, case, [join(HEADER)] + rows)
    assert result.ok, result.error
    assert [r[4] for r in stored(con, case)] == [f'said "call me", row {i}' for i in range(ROWS)]


def test_doubled_quotes_inside_quoted_values(con, tmp_path):
    case = "DQ"
    rows = []
    for i in range(ROWS):
        values = cells(case, i)
        values[4] = f'"the ""big"" unit, row {i}"'
        rows.append(join(values))
    assert run(con, tmp_path, case, [join(HEADER)] + rows).ok
    assert [r[4] for r in stored(con, case)] == [f'the "big" unit, row {i}' for i in range(ROWS)]


@pytest.mark.parametrize(("newline", "final"), [
    ("\r", True), ("\r", False), ("\r\n", True), ("\r\n", False), ("\n", False)])
def test_line_ends_and_a_missing_final_newline(con, tmp_path, newline, final):
    case = f"NL{len(newline)}{int(final)}{ord(newline[0])}"
    rows = [join(cells(case, i)) for i in range(ROWS)]
    rows[ROWS - 1] = join(cells(case, ROWS - 1)[:4])  # the last row is damaged
    lines = [join(HEADER), rows[0], "", rows[1], rows[2], rows[3], rows[4], rows[5]]
    result = run(con, tmp_path, case, lines, newline=newline, final=final)
    check(con, result, case, [0, 1, 2, 3, 4], {8: "has 4 values"})


def test_blank_lines_keep_the_real_line_numbers(con, tmp_path):
    case = "BL"
    rows = [join(cells(case, i)) for i in range(ROWS)]
    rows[4] = rows[4].replace("2026-03-05", "someday")
    lines = [join(HEADER), "", rows[0], "", "", rows[1], rows[2], "  ", rows[3], rows[4], rows[5]]
    result = run(con, tmp_path, case, lines)
    check(con, result, case, [0, 1, 2, 3, 5], {10: "not a date"})


# --- Excel reports ---------------------------------------------------------------------------------

def write_book(path, rows: list[list]) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Leads")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()


def test_an_excel_report_with_title_rows_totals_and_a_footer(con, tmp_path):
    case = "XL"
    body = []
    for i in range(ROWS):
        values: list = cells(case, i)
        values[5] = float(values[5])
        body.append(values)
    body[2] = body[2][:1] + [None] * 5  # a record with only its ID: rejected, never skipped
    rows = [["Leads Report"], ["As of 2026-04-01"], [], HEADER, ["Boston:"], *body[:3],
            ["Subtotal", None, None, None, None, 601.5], *body[3:],
            ["Grand Total", None, None, None, None, 2103.0], [], ["Generated By: ServicePro"],
            ["Copyright 2026"]]
    path = tmp_path / f"leads_{case}.xlsx"
    write_book(path, rows)
    result = importer.import_file(con, path, refresh=False)
    assert result.ok, result.error
    assert result.header_line == 4
    assert stored(con, case) == [expected(case, i) for i in (0, 1, 3, 4, 5)]
    assert sorted(rejected_lines(con, result)) == [8]
    assert skipped_lines(con, result) == {
        1: "above the header: a title or preamble line",
        2: "above the header: a title or preamble line",
        5: "a group heading of the report",
        9: "a total or subtotal row of the report",
        13: "a total or subtotal row of the report",
        15: "a footer line below the data (report name, totals, generated by, copyright)",
        16: "a footer line below the data (report name, totals, generated by, copyright)"}
    assert result.read == 13 and result.rejected == 1 and result.skipped == 7


def test_an_excel_sheet_with_a_second_table(con, tmp_path):
    case = "XS"
    body = [cells(case, i) for i in range(ROWS)]
    rows = [HEADER, *body, [], ["Technician", "Leads", "Est. Value"], ["Ann Lee", "3", "300"]]
    path = tmp_path / f"leads_{case}.xlsx"
    write_book(path, rows)
    result = importer.import_file(con, path, refresh=False)
    check(con, result, case, list(range(ROWS)),
          {9: "a second table starts at line 9", 10: "a second table starts at line 9"})


def test_a_broken_record_after_a_blank_line_at_the_end_is_rejected_not_skipped(con, tmp_path):
    case = "BE"
    broken = cells(case, 5)
    broken[1] = ""
    lines = ([join(HEADER)] + [join(cells(case, i)) for i in range(5)] + ["", join(broken)])
    check(con, run(con, tmp_path, case, lines), case, list(range(5)), {8: "required value"})


def test_rejected_and_skipped_rows_keep_their_lines_as_the_file_had_them(con, tmp_path):
    """Only the rejected and skipped rows' lines are read back (queries/import/record.sql):
    each is the one of its own number, in a text file and in a sheet."""
    case = "LN"
    lines = [join(HEADER), *[join(cells(case, i)) for i in range(ROWS)]]
    lines[2] = join(cells(case, 1)[:4])  # a row with values missing: rejected with its line
    lines[5] = join([f"{case}-4", "not a date", *cells(case, 4)[2:]])  # a broken record
    lines += ["", "Generated By: ServicePro"]
    result = run(con, tmp_path, case, lines)
    assert result.ok, result.error
    rejects = importer.list_rejects(con, result.import_id).set_index("row")
    assert sorted(rejects.index) == [3, 6]
    assert rejects.loc[3, "raw_row"] == lines[2]
    assert rejects.loc[6, "raw_row"] == "; ".join(
        f"{h}={v}" for h, v in zip(HEADER, lines[5].split(","), strict=True))
    skipped = importer.list_skipped(con, result.import_id).set_index("row")
    assert skipped.loc[9, "line"] == "Generated By: ServicePro"

    sheet = "LS"
    body = [cells(sheet, i) for i in range(ROWS)]
    body[2] = body[2][:1] + [None] * 5
    path = tmp_path / f"leads_{sheet}.xlsx"
    write_book(path, [HEADER, *body, [], ["Generated By: ServicePro"]])
    result = importer.import_file(con, path, refresh=False)
    assert result.ok, result.error
    rejects = importer.list_rejects(con, result.import_id)
    assert rejects["row"].tolist() == [4] * len(rejects)
    assert rejects["raw_row"].iloc[0].startswith(f"Lead ID={sheet}-2; Submitted=;")
    skipped = importer.list_skipped(con, result.import_id).set_index("row")
    assert skipped.loc[9, "line"] == "Generated By: ServicePro"

"""Guards against silent misreadings: wrong table from headers, ambiguous amounts, hidden rows."""

from __future__ import annotations

import datetime as dt

from leadbridge import cli, importer

LEADS = ["Lead ID", "Submitted", "Tech ID", "Est. Value"]


def test_a_roster_guess_with_a_lead_id_column_is_refused(con, write, take_snapshot):
    before = take_snapshot(con)
    path = write("export.csv", [["Lead ID", "Tech ID"], ["L1", "7"], ["L2", "8"]])
    result = importer.import_file(con, path)
    assert result.error.startswith("the headers would make this a techs file, but 'Lead ID'")
    assert "--table" in result.error
    assert take_snapshot(con) == before


def test_the_same_file_named_for_its_table_or_given_a_table_imports(con, write):
    path = write("export.csv", [["Lead ID", "Tech ID"], ["L1", "7"]])
    assert importer.import_file(con, path, table="techs").inserted == 1


def test_a_genuine_roster_found_by_headers_still_imports(con, write):
    path = write("export.csv", [["Employee ID", "Technician", "Branch"], ["0042", "Ann", "Boston"]])
    result = importer.import_file(con, path)
    assert (result.table, result.inserted, result.error) == ("techs", 1, None)


def test_amounts_like_1_234_with_no_other_clue_are_refused(con, write, take_snapshot):
    before = take_snapshot(con)
    path = write("leads.csv", [LEADS, ["L1", "2026-03-04", "7", "1.234"],
                               ["L2", "2026-03-05", "7", "12.500"]])
    result = importer.import_file(con, path)
    assert result.error.startswith("2 amounts like 1.234 could be one thousand two hundred")
    assert "--decimal-comma or --decimal-point" in result.error
    assert take_snapshot(con) == before


def test_the_separator_given_settles_1_234(con, write, tmp_path):
    rows = [LEADS, ["L1", "2026-03-04", "7", "1.234"]]
    comma = importer.import_file(con, write("a/leads.csv", rows), decimal_comma=True)
    assert comma.error is None
    assert con.execute("select estimated_value from leads").fetchone()[0] == 1234
    point = importer.import_file(con, write("b/leads.csv", rows), decimal_comma=False)
    assert point.error is None and point.updated == 1
    assert float(con.execute("select estimated_value from leads").fetchone()[0]) == 1.23


def test_one_amount_with_cents_tells_the_separator(con, write):
    path = write("leads.csv", [LEADS, ["L1", "2026-03-04", "7", "1.234"],
                               ["L2", "2026-03-05", "7", "99.50"]])
    result = importer.import_file(con, path)
    assert (result.error, result.decimal_comma) == (None, False)


def test_excel_number_cells_never_ask_for_the_separator(con, write):
    path = write("leads.xlsx", [LEADS, ["L1", dt.date(2026, 3, 4), "7", 1.234]])
    result = importer.import_file(con, path)
    assert result.error is None and result.inserted == 1


def test_superseded_rows_are_listed_with_the_row_that_replaced_them(con, write, capsys):
    path = write("leads.csv", [LEADS, ["L1", "2026-03-04", "7", "100"],
                               ["L2", "2026-03-05", "7", "200"], ["L1", "2026-03-06", "7", "150"]])
    db_file = con.execute("select path from duckdb_databases() where database_name = "
                          "current_database()").fetchone()[0]
    con.close()
    assert cli.main(["import", str(path), "--db", db_file]) == 0
    out = capsys.readouterr().out
    assert "superseded row 2 (L1): replaced by row 4" in out
    from leadbridge import db

    listed = importer.list_superseded(db.connect(db_file))
    assert listed[["file", "table", "row", "key", "replaced_by_row"]].values.tolist() == [
        ["leads.csv", "leads", 2, "L1", 4]]


def test_a_damaged_parquet_file_is_named_by_its_own_name(con, write):
    path = write("leads.parquet", b"PAR1 this is not parquet")
    result = importer.import_file(con, path)
    assert "cannot read the file as a table" in result.error
    assert "import-" not in result.error and "/tmp" not in result.error.split("(")[0]


def test_the_uploader_offers_every_ending_the_importer_reads():
    endings = importer.TEXT_SUFFIXES | importer.EXCEL_SUFFIXES | importer.PARQUET_SUFFIXES
    assert set(importer.ACCEPTED_EXTENSIONS) == {e.lstrip(".") for e in endings}


def test_decimal_point_is_a_command_line_option(con, write):
    path = write("leads.csv", [LEADS, ["L1", "2026-03-04", "7", "1.234"]])
    db_file = con.execute("select path from duckdb_databases() where database_name = "
                          "current_database()").fetchone()[0]
    con.close()
    assert cli.main(["import", str(path), "--db", db_file]) == 1
    assert cli.main(["import", str(path), "--db", db_file, "--decimal-point"]) == 0

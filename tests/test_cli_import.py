"""The `leadbridge` command line, run in-process: exit codes, summaries, JSON, folders, reports."""

from __future__ import annotations

import csv
import json

import pytest

from leadbridge import db
from leadbridge.cli import main

LEADS = "Lead ID,Submitted,Tech ID\nL1,2026-03-04,T1\nL2,2026-03-05,T2\n"
JSON_KEYS = {"file", "table", "read", "inserted", "updated", "unchanged", "superseded", "rejected",
             "skipped"}


def run(capsys, *argv: str) -> tuple[int, list[str]]:
    """Exit code and stdout lines of `leadbridge ARGV`."""
    code = main(list(argv))
    return code, capsys.readouterr().out.splitlines()


def test_import_prints_one_summary_line_per_file(capsys, write, db_file):
    leads = write("leads.csv", LEADS)
    roster = write("techs.csv", "Tech ID,Name,Shoe Size\nT1,Ann,38\n")
    code, out = run(capsys, "import", str(leads), str(roster), "--db", str(db_file))
    assert code == 0
    assert out == [
        "leads.csv: imported as leads: read 2, inserted 2, updated 0, unchanged 0, superseded 0, "
        "rejected 0, skipped 0",
        "techs.csv: imported as techs: read 1, inserted 1, updated 0, unchanged 0, superseded 0, "
        "rejected 0, skipped 0 (ignored columns: Shoe Size)",
    ]


def test_json_format_is_one_object_per_file(capsys, write, db_file):
    good = write("leads.csv", LEADS + "L3,soon,T1\n")
    bad = write("leads_empty.csv", "")
    code, out = run(capsys, "import", str(good), str(bad), "--db", str(db_file), "--format", "json")
    assert code == 1
    first, second = (json.loads(line) for line in out)
    assert first == {"file": "leads.csv", "table": "leads", "read": 3, "inserted": 2, "updated": 0,
                     "unchanged": 0, "superseded": 0, "rejected": 1, "skipped": 0}
    assert set(second) == JSON_KEYS | {"error"}
    assert second["file"] == "leads_empty.csv"
    assert second["error"].startswith("the file is empty")


def test_refused_file_exits_1_and_the_rest_is_imported(capsys, write, db_file):
    bad = write("leads_a.csv", "Lead ID,Tech ID\nL1,T1\n")
    good = write("leads_b.csv", LEADS)
    code, out = run(capsys, "import", str(bad), str(good), "--db", str(db_file))
    assert code == 1
    assert out[0].startswith("leads_a.csv: REFUSED - missing required column(s) for leads")
    assert out[1].startswith("leads_b.csv: imported as leads: read 2, inserted 2")


def test_rejected_rows_are_shown_and_strict_exits_1(capsys, write, db_file):
    path = write("leads.csv", LEADS + "L3,soon,T1\n")
    code, out = run(capsys, "import", str(path), "--db", str(db_file))
    assert code == 0
    assert out[1] == ("  rejected row 4: Submitted = 'soon': not a date LeadBridge can read: "
                      "use e.g. 2026-03-04, 03/04/2026, 04.03.2026 or 4-Mar-2026")
    code, out = run(capsys, "import", str(path), "--db", str(db_file), "--strict")
    assert code == 1
    assert out[0].endswith("unchanged 2, superseded 0, rejected 1, skipped 0")


def test_long_reject_lists_are_cut(capsys, write, db_file):
    rows = "".join(f"X{i},never,T1\n" for i in range(25))
    code, out = run(capsys, "import", str(write("leads.csv", LEADS + rows)), "--db", str(db_file))
    assert code == 0
    assert len([line for line in out if line.startswith("  rejected row")]) == 20
    assert out[-1] == "  ... and 5 more: leadbridge rejects --import 1 --out rejects.csv"


@pytest.mark.parametrize("argv", [
    [], ["import"], ["import", "x.csv", "--date-order", "YDM"], ["import", "x.csv", "--table", "x"],
    ["frobnicate"], ["rejects"], ["import", "x.csv", "--format", "xml"],
])
def test_usage_error_exits_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage: leadbridge" in capsys.readouterr().err


def test_folder_is_imported_in_name_order(capsys, write, db_file, tmp_path):
    write("exports/leads_2.csv", "Lead ID,Submitted,Tech ID\nL1,2026-03-04,T2\n")
    write("exports/leads_1.csv", "Lead ID,Submitted,Tech ID\nL1,2026-03-04,T1\nL2,2026-03-05,T1\n")
    write("exports/README.md", "not an export")
    code, out = run(capsys, "import", str(tmp_path / "exports"), "--db", str(db_file))
    assert code == 0
    assert [line.split(":")[0] for line in out] == ["leads_1.csv", "leads_2.csv"]
    assert out[1].endswith("inserted 0, updated 1, unchanged 0, superseded 0, rejected 0, skipped 0")
    con = db.connect(db_file)
    assert con.execute("select lead_id, tech_id from leads order by 1").fetchall() == [
        ("L1", "T2"), ("L2", "T1")]
    con.close()


def test_folder_without_exports_exits_1(capsys, tmp_path, db_file):
    (tmp_path / "nothing").mkdir()
    assert main(["import", str(tmp_path / "nothing"), "--db", str(db_file)]) == 1
    assert "no importable files" in capsys.readouterr().err


def test_options_reach_the_importer(capsys, write, db_file):
    path = write("export.csv", "Lead ID;Submitted;Tech ID;Est. Value\nL1;03/04/2026;T1;1.234\n")
    code, out = run(capsys, "import", str(path), "--db", str(db_file), "--table", "leads",
                    "--date-order", "DMY", "--decimal-comma")
    assert code == 0, out
    con = db.connect(db_file)
    assert con.execute("select submitted_at::varchar, estimated_value::varchar from leads"
                       ).fetchall() == [("2026-04-03", "1234.00")]
    con.close()


def test_dry_run_changes_nothing(capsys, write, db_file):
    code, out = run(capsys, "import", str(write("leads.csv", LEADS + "L3,soon,T1\n")),
                    "--db", str(db_file), "--dry-run")
    assert code == 0
    assert out == ["leads.csv: would import as leads: read 3, inserted 2, updated 0, unchanged 0, "
                   "superseded 0, rejected 1, skipped 0"]
    con = db.connect(db_file)
    assert con.execute("select count(*) from imports").fetchall() == [(0,)]
    con.close()


def test_database_from_the_environment(capsys, write, tmp_path, monkeypatch):
    monkeypatch.setenv("LEADBRIDGE_DB", str(tmp_path / "envdb" / "lb.duckdb"))
    code, _ = run(capsys, "import", str(write("leads.csv", LEADS)))
    assert code == 0
    con = db.connect(tmp_path / "envdb" / "lb.duckdb")
    assert con.execute("select count(*) from leads").fetchall() == [(2,)]
    con.close()


def test_newer_database_is_a_clear_error(capsys, write, db_file):
    con = db.connect(db_file)
    con.execute("update meta set value = '999' where key = 'schema_version'")
    con.close()
    assert main(["import", str(write("leads.csv", LEADS)), "--db", str(db_file)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("leadbridge: the database has schema version 999, newer than this")


def test_rejects_command_writes_a_safe_csv(capsys, write, db_file, tmp_path):
    main(["import", str(write("leads.csv", LEADS + 'L3,"=HYPERLINK(""http://x"")",T1\n')),
          "--db", str(db_file)])
    capsys.readouterr()
    out_file = tmp_path / "rejects.csv"
    code, out = run(capsys, "rejects", "--db", str(db_file), "--out", str(out_file))
    assert code == 0
    assert out == [f"1 rejected value(s) written to {out_file}"]
    with open(out_file, newline="", encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["file"], row["row"], row["column"]) == ("leads.csv", "4", "Submitted")
    assert row["value"] == "'=HYPERLINK(\"http://x\")"


def test_quality_prints_the_report(capsys, write, db_file):
    main(["import", str(write("outcomes.csv", "Lead ID,Status\nL7,Open\n")), "--db", str(db_file)])
    capsys.readouterr()
    code, out = run(capsys, "quality", "--db", str(db_file))
    assert code == 0
    assert out[0] == "Data quality: 1 item(s) in 1 check(s)"
    assert "Outcomes whose lead is unknown: 1" in out
    assert any(line.strip().startswith("L7") and "outcomes.csv" in line for line in out)


def test_history_lists_imports(capsys, write, db_file):
    code, out = run(capsys, "history", "--db", str(db_file))
    assert (code, out) == (0, ["No imports yet."])
    main(["import", str(write("leads.csv", LEADS)), "--db", str(db_file)])
    main(["import", str(write("leads.csv", LEADS)), "--db", str(db_file)])
    capsys.readouterr()
    code, out = run(capsys, "history", "--db", str(db_file))
    assert code == 0
    header, newest, oldest = out
    assert header.split()[:3] == ["import_id", "imported_at", "file"]
    assert newest.split()[0] == "2" and oldest.split()[0] == "1"
    assert "leads.csv" in newest and "sha256" not in header


def test_the_summary_counts_have_separators():
    """At 1M the line read 'read 1009110, inserted 1009105'; as on the Data page: '1,009,110'."""
    from leadbridge import importer

    result = importer.ImportResult(file="leads.csv", table="leads", read=1_009_110,
                                   inserted=1_009_105, rejected=4, superseded=1)
    assert importer.describe(result) == (
        "leads.csv: imported as leads: read 1,009,110, inserted 1,009,105, updated 0, "
        "unchanged 0, superseded 1, rejected 4, skipped 0")

"""The database: schema versions, a locked-down DuckDB, SQL templates that take no values."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from leadbridge import db, importer


def test_new_database_stores_its_schema_version(con):
    assert db.schema_version(con) == db.SCHEMA_VERSION
    assert con.execute("select value from meta where key = 'schema_version'").fetchall() == [
        (str(db.SCHEMA_VERSION),)]
    assert db.data_version(con) == 0
    assert {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()
            } >= {"techs", "leads", "outcomes", "outcome_history", "payouts", "jobs", "attendance",
                  "imports", "rejects", "superseded_rows", "meta"}


def test_fresh_connection_is_ready_for_any_query(con):
    assert con.sql("select count(*) from leads").fetchall() == [(0,)]


def test_reopening_is_idempotent(db_file, write, take_snapshot):
    con = db.connect(db_file)
    importer.import_file(con, write("leads.csv", "Lead ID,Submitted,Tech ID\nL1,2026-03-04,T1\n"))
    before = take_snapshot(con)
    con.close()
    for _ in range(2):
        again = db.connect(db_file)
        assert take_snapshot(again) == before
        assert db.data_version(again) == 1
        again.close()


def test_two_connections_in_one_process_share_the_database(db_file):
    first = db.connect(db_file)
    second = db.connect(db_file)
    first.execute("insert into meta values ('note', 'hello')")
    assert second.execute("select value from meta where key = 'note'").fetchall() == [("hello",)]
    first.close()
    second.close()


def test_newer_schema_is_refused(db_file):
    con = db.connect(db_file)
    con.execute("update meta set value = $v where key = 'schema_version'",
                {"v": str(db.SCHEMA_VERSION + 1)})
    con.close()
    with pytest.raises(db.DatabaseError, match="newer than this LeadBridge"):
        db.connect(db_file)


def test_every_import_bumps_the_data_version_and_a_refusal_does_not(con, write):
    importer.import_file(con, write("leads.csv", "Lead ID,Submitted,Tech ID\nL1,2026-03-04,T1\n"))
    importer.import_file(con, write("leads.csv", "Lead ID,Submitted,Tech ID\nL1,2026-03-04,T1\n"))
    importer.import_file(con, write("empty.csv", ""))
    assert db.data_version(con) == 2


def test_duckdb_cannot_read_outside_the_database_folder(con, tmp_path, db_file):
    with pytest.raises(duckdb.PermissionException):
        con.execute("select * from read_csv('/etc/hostname')")
    outside = tmp_path / "outside.csv"
    outside.write_text("a\n1\n")
    with pytest.raises(duckdb.PermissionException):
        con.execute("select * from read_csv($p)", {"p": str(outside)})
    inside = db_file.parent / "uploads" / "inside.csv"
    inside.write_text("a\n1\n")
    assert con.execute("select * from read_csv($p)", {"p": str(inside)}).fetchall() == [(1,)]


@pytest.mark.parametrize("statement", [
    "set enable_external_access = true",
    "set allowed_directories = ['/']",
    "set lock_configuration = false",
])
def test_configuration_is_locked(con, statement):
    with pytest.raises(duckdb.Error, match="configuration has been locked"):
        con.execute(statement)


def test_render_fills_identifier_slots():
    sql = db.render("select {columns} from {table} as t join s on {join}",
                    columns="t.a, t.b as c, null::varchar as d", table="leads",
                    join="s.k = t.k and s.j = t.j")
    assert sql == ("select t.a, t.b as c, null::varchar as d from leads as t join s on "
                   "s.k = t.k and s.j = t.j")


@pytest.mark.parametrize("slot", [
    "a, 'x'", 'a, "x"', "1 = 1", "x or 1 = 1", "a; drop table leads", "a -- comment", "a, 2024",
    "$value", "A",
])
def test_render_refuses_anything_but_identifiers(slot):
    with pytest.raises(ValueError, match="holds more than identifiers"):
        db.render("select {columns} from leads", columns=slot)


def test_bind_keeps_the_named_parameters_and_needs_them_all():
    assert db.bind("select $a, $b", {"a": 1, "b": 2, "c": 3}) == {"a": 1, "b": 2}
    with pytest.raises(KeyError, match="'b'"):
        db.bind("select $a, $b", {"a": 1})


def test_split_statements_ignores_comment_only_parts():
    sql = "-- a comment;\nselect 1;\n-- only a comment\nselect 2; -- trailing\nselect ';' as x\n"
    assert db.split_statements(sql) == ["select 1", "-- only a comment\nselect 2",
                                        "select ';' as x"]


def test_load_sql_stays_inside_queries():
    assert "insert into imports" in db.load_sql("import/record")
    with pytest.raises(ValueError, match="outside queries"):
        db.load_sql("../leadbridge/contract")


def test_db_path_default_env_and_argument(monkeypatch, tmp_path):
    monkeypatch.delenv("LEADBRIDGE_DB", raising=False)
    assert db.db_path() == Path("data/leadbridge.duckdb").resolve()
    monkeypatch.setenv("LEADBRIDGE_DB", str(tmp_path / "env" / "lb.duckdb"))
    assert db.db_path() == tmp_path / "env" / "lb.duckdb"
    assert db.data_dir() == tmp_path / "env"
    assert db.upload_dir() == tmp_path / "env" / "uploads"
    assert db.db_path(tmp_path / "arg.duckdb") == tmp_path / "arg.duckdb"


def test_connect_uses_the_env_database(monkeypatch, tmp_path):
    monkeypatch.setenv("LEADBRIDGE_DB", str(tmp_path / "env" / "lb.duckdb"))
    con = db.connect()
    con.close()
    assert (tmp_path / "env" / "lb.duckdb").is_file()
    assert (tmp_path / "env" / "uploads").is_dir()

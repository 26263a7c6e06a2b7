"""Shared fixtures: a fresh database per test, a writer of tiny exports, a database snapshot."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from streamlit.runtime.pages_manager import PagesManager

from leadbridge import db


@pytest.fixture
def db_file(tmp_path: Path) -> Path:
    """Where the test's database lives (its folder is the only one DuckDB may read)."""
    return tmp_path / "data" / "lb.duckdb"


@pytest.fixture
def con(db_file: Path):
    """A fresh LeadBridge database with its schema."""
    connection = db.connect(db_file)
    yield connection
    connection.close()


def write_export(path: Path, rows, *, delimiter: str = ",", encoding: str = "utf-8") -> Path:
    """Write rows (header first) as the file's suffix says: .xlsx, .parquet, else delimited text.

    `rows` given as str or bytes is written as is, whatever the suffix. Text files quote values
    as needed. Excel cells keep their Python type: dates become date cells, numbers number cells,
    None an empty cell. Parquet columns are typed by pandas from the values.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if isinstance(rows, str | bytes):
        path.write_bytes(rows if isinstance(rows, bytes) else rows.encode(encoding))
    elif suffix == ".xlsx":
        book = xlsxwriter.Workbook(str(path))
        sheet = book.add_worksheet("Export")
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    if not isinstance(value, dt.datetime):
                        value = dt.datetime.combine(value, dt.time())
                    sheet.write_datetime(r, c, value, date_format)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif value is not None:
                    sheet.write_string(r, c, value)
        book.close()
    elif suffix == ".parquet":
        pd.DataFrame(list(rows[1:]), columns=list(rows[0])).to_parquet(path, index=False)
    else:
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
        path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.fixture
def write(tmp_path: Path):
    """write(name, rows, delimiter=",", encoding="utf-8") -> path of a small export in tmp_path."""

    def _write(name: str, rows, **options) -> Path:
        return write_export(tmp_path / name, rows, **options)

    return _write


def snapshot(con) -> dict[str, list[tuple]]:
    """Every row of every table of the database (meta and the import audit included), sorted."""
    cur = con.cursor()
    tables = [r[0] for r in cur.execute(
        "select table_name from information_schema.tables "
        "where table_schema = 'main' and table_type = 'BASE TABLE' order by table_name"
    ).fetchall()]
    return {t: sorted(cur.execute(f"select * from {t}").fetchall(), key=repr)  # noqa: S608
            for t in tables}


@pytest.fixture
def take_snapshot():
    """take_snapshot(con) -> {table: sorted rows} for 'the database is unchanged' assertions."""
    return snapshot


@pytest.fixture(autouse=True)
def navigation_app(monkeypatch):
    """Run reruns the way the server does for an st.navigation app.

    AppTest (Streamlit 1.67) resets PagesManager.uses_pages_directory before every run; with a
    pages/ folder beside dashboard.py each rerun then takes the old pages-folder path and runs the
    page file alone, without the router's sidebar. The server sets the flag to False once
    st.navigation has run and keeps it, so the tests do the same.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        PagesManager.uses_pages_directory = False
        original(self, *args, **kwargs)

    monkeypatch.setattr(PagesManager, "__init__", init)

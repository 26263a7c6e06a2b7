"""The value parsers' fast paths (the shapes nearly every export uses) read exactly what the
general rules read, for tricky values around each shape."""

from __future__ import annotations

import itertools

import pytest

DATES = [
    "2026-03-04", "2026-3-4", " 2026-03-04", "2026-03-04 ", "2026-03-04T10:30:00Z",
    "2026-03-04 10:30", "2026-03-04T", "2026-03-04x", "2026-03-04\n", "2026-02-30", "2026-13-01",
    "1899-12-31", "1900-01-01", "2100-12-31", "2101-01-01", "0000-01-01", "20260304",
    "03/04/2026", "3/4/2026", "13/04/2026", "04/13/2026", "02/30/2026", "00/04/2026",
    "03/04/26", " 03/04/2026", "03/04/2026 10:30", "03-04-2026", "2026/03/04", "04.03.2026",
    "4-Mar-2026", "Mar 4, 2026", "45000", "45000.5", "", " ", "x", None,
]
AMOUNTS = [
    "1234.5", "1234.50", "1234.567", "0012.50", "12", "12.", ".5", "$12", "$3,950.00",
    "$1,234,567.89", "1,234", "12,34", "$1,2345.00", "1,2345", "-$500.00", "(1,234.50)",
    "1.234,50", "1.234", "  12 ", "$ 12", "USD 1,234.50", "1e5", "+12", "99999999999999999999",
    "", None,
]


@pytest.fixture(scope="module")
def cur(tmp_path_factory):
    from leadbridge import db

    con = db.connect(tmp_path_factory.mktemp("fast") / "lb.duckdb")
    yield con.cursor()
    con.close()


@pytest.mark.parametrize(("order", "excel"), list(itertools.product(["MDY", "DMY", "YMD", None],
                                                                    [False, True])))
def test_dates_read_the_same_as_the_general_rules(cur, order, excel):
    rows = cur.execute(
        "select s, lb_date(s, $o, $e), lb_date_in_range(lb_date_any(s, $o, $e)) "
        "from unnest($values) as v(s)", {"values": DATES, "o": order, "e": excel}).fetchall()
    assert [r for r in rows if r[1] != r[2]] == []
    assert any(r[1] is not None for r in rows)


@pytest.mark.parametrize("decimal_comma", [False, True])
def test_amounts_read_the_same_as_the_general_rules(cur, decimal_comma):
    rows = cur.execute(
        "select s, lb_money(s, $c), lb_money_written(s, $c) from unnest($values) as v(s)",
        {"values": AMOUNTS, "c": decimal_comma}).fetchall()
    assert [r for r in rows if r[1] != r[2]] == []
    assert any(r[1] is not None for r in rows)


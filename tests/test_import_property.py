"""Property: however the cells of a valid leads export are corrupted, every row is accounted for.

Hypothesis starts from 20 valid leads and changes random cells. Each generated cell carries the
value the import must store, or REJECT when it breaks a rule. The import must then hold exactly
the last valid row per lead, reject exactly the rule-breaking rows (and only their bad columns),
and keep read = inserted + updated + unchanged + superseded + rejected.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from leadbridge import db, importer

REJECT = object()  # the expected value of a cell that breaks a rule
HEADER = ["Lead ID", "Submitted", "Tech ID", "Customer", "Est. Value"]
ROWS = 20

# No digits and no spaces: never a date or an amount, and never trimmed.
GARBAGE = st.text(alphabet="abcxyzMAR?!#,;\"'=+-@|/.é€", min_size=1, max_size=8)


def base_row(i: int) -> list[tuple[str, object]]:
    day = dt.date(2026, 3, i + 1)
    return [(f"L{i:02d}", f"L{i:02d}"), (day.isoformat(), day), (f"T{i % 4}", f"T{i % 4}"),
            (f"Customer {i}", f"Customer {i}"), (f"{i * 10 + 5}.50", Decimal(f"{i * 10 + 5}.50"))]


@st.composite
def cell(draw, column: int, rows: list) -> tuple[str, object]:
    """A corrupted (or harmlessly rewritten) cell for the column, with its expected value."""
    if column == 0:  # lead id: any text is an id; empty breaks the rule; copies make duplicates
        kind = draw(st.sampled_from(["empty", "garbage", "copy"]))
        if kind == "copy":
            return rows[draw(st.integers(0, ROWS - 1))][0]
        if kind == "garbage":
            value = draw(GARBAGE)
            return value, value
        return "", REJECT
    if column == 1:  # submitted date: required
        day = dt.date(2026, 3, draw(st.integers(1, 28)))
        return draw(st.sampled_from([
            ("", REJECT), (draw(GARBAGE), REJECT), (day.strftime("%m/%d/%y"), REJECT),
            (f"{day:%b} {day.day}, {day.year}", day), (f"{day.isoformat()}T08:15:00Z", day),
        ]))
    if column == 2:  # tech id: required, any text
        value = draw(GARBAGE)
        return draw(st.sampled_from([("", REJECT), (value, value)]))
    if column == 3:  # customer: optional text
        value = draw(GARBAGE)
        return draw(st.sampled_from([("", None), (value, value)]))
    amount = Decimal(draw(st.integers(0, 99_999))) / 100  # estimated value: optional, >= 0
    negative = REJECT if amount else amount  # "-0.00" is zero, not negative
    return draw(st.sampled_from([
        ("", None), (draw(GARBAGE), REJECT), (f"-{amount}", negative), (f"({amount})", negative),
        (f"${amount:,.2f}", amount), (f"{amount:.2f}", amount),
    ]))


@st.composite
def corrupted_export(draw) -> list[list[tuple[str, object]]]:
    rows = [base_row(i) for i in range(ROWS)]
    for _ in range(draw(st.integers(0, 12))):
        i = draw(st.integers(0, ROWS - 1))
        column = draw(st.integers(-1, len(HEADER) - 1))
        if column == -1:  # the whole row left blank: skipped, not read
            rows[i] = [("", REJECT), ("", REJECT), ("", REJECT), ("", None), ("", None)]
        else:
            rows[i][column] = draw(cell(column, rows))
    return rows


@settings(max_examples=40, deadline=None)
@given(corrupted_export())
def test_every_row_is_stored_rejected_superseded_or_skipped(rows):
    lines = {line: row for line, row in enumerate(rows, start=2)
             if any(text for text, _ in row)}
    broken = {line: {HEADER[c] for c, (_, want) in enumerate(row) if want is REJECT}
              for line, row in lines.items()}
    broken = {line: columns for line, columns in broken.items() if columns}
    kept: dict[str, tuple] = {}
    for line, row in lines.items():  # in file order: the last valid row per lead wins
        if line not in broken:
            kept[row[0][1]] = tuple(want for _, want in row)
    valid = len(lines) - len(broken)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows(
                [HEADER] + [[text for text, _ in row] for row in rows])
        con = db.connect(Path(folder) / "data" / "lb.duckdb")
        try:
            result = importer.import_file(con, path)
            assert result.ok, result.error
            assert (result.read, result.inserted, result.updated, result.unchanged,
                    result.superseded, result.rejected) == (
                len(lines), len(kept), 0, 0, valid - len(kept), len(broken))
            assert con.execute("select count(*) from imports where rows_read = inserted + updated "
                               "+ unchanged + superseded + rejected").fetchone() == (1,)
            stored = con.execute("select lead_id, submitted_at, tech_id, customer_name, "
                                 "estimated_value from leads").fetchall()
            assert {row[0]: row for row in stored} == kept
            rejected = {}
            for line, header in con.execute("select line_no, header from rejects").fetchall():
                rejected.setdefault(line, set()).add(header)
            assert rejected == broken
        finally:
            con.close()

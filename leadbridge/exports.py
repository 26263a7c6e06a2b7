"""Downloads: tables as CSV or Excel that a spreadsheet opens safely."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pandas as pd

# A text cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SAFE = re.compile(r"[^A-Za-z0-9+]+")


def defuse(value):
    """A text cell made inert for spreadsheets: a leading formula character gets a quote prefix."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame whose text cells cannot run as formulas; numbers stay numbers."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(defuse, na_action="ignore")
    return out


def frame_to_csv(frame: pd.DataFrame) -> str:
    """CSV text of a frame, formula cells defused."""
    buf = io.StringIO()
    safe_frame(frame).to_csv(buf, index=False)
    return buf.getvalue()


# Excel's number formats for the kinds of column a table on a page shows: a share as 65.8 % (the
# cell keeps the fraction, 0.658, for formulas), money as $1,234.56.
XLSX_FORMATS = {"percent": "0.0%", "money": '"$"#,##0.00', "count": "#,##0"}


def frame_to_xlsx(frame: pd.DataFrame, sheet: str = "data",
                  columns: dict[str, tuple[str, str | None]] | None = None) -> bytes:
    """An .xlsx workbook of a frame: text cells stay text (never formulas or links), formula
    starts defused as in CSV, header bold and frozen, columns sized to their content. `columns`
    ({column: (header, kind)}, as the page's table names them) gives a column its header in words
    and a kind of XLSX_FORMATS its number format; other columns keep their names."""
    buf = io.BytesIO()
    columns = {c: v for c, v in (columns or {}).items() if c in frame.columns}
    safe = safe_frame(frame).rename(columns={c: header for c, (header, _) in columns.items()})
    kinds = [columns.get(c, (None, None))[1] for c in frame.columns]
    sheet_name = re.sub(r"[\[\]:*?/\\]", "-", sheet)[:31] or "data"
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(buf, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        safe.to_excel(writer, sheet_name=sheet_name, index=False)
        worksheet = writer.sheets[sheet_name]
        worksheet.freeze_panes(1, 0)
        formats = {k: writer.book.add_format({"num_format": f}) for k, f in XLSX_FORMATS.items()}
        for i, (col, kind) in enumerate(zip(safe.columns, kinds, strict=True)):
            sample = safe.iloc[:, i].astype("string").head(200).str.len().max()
            width = max(len(str(col)), 0 if pd.isna(sample) else int(sample))
            if kind in formats:  # "65.8%" and "$1,234.56" are shorter than the raw float
                width = max(len(str(col)), 12)
            worksheet.set_column(i, i, min(max(width + 2, 8), 60), formats.get(kind))
    return buf.getvalue()


def file_stem(page: str, table: str, filters, today: date) -> str:
    """A download's file name without extension: page, table, period, filters and date."""
    parts = ["leadbridge", page, table]
    if filters is not None:
        parts.append(filters.from_month if filters.from_month == filters.to_month
                     else f"{filters.from_month}_to_{filters.to_month}")
        for values in (filters.branches, filters.lead_types, filters.techs):
            if values:
                parts.append("+".join(values) if len(values) <= 3 else f"{len(values)}-selected")
    parts.append(today.isoformat())
    return "_".join(_SAFE.sub("-", p).strip("-").lower() for p in parts if p)


def csv_blocks(sections, cell=lambda value: value) -> str:
    """CSV for spreadsheets from (title, header, rows) sections: a "# title" line, the header,
    the rows (each value through cell(); None as an empty cell), a blank line between blocks.
    Shared by `leadbridge report` and the reward commands."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for i, (title, header, rows) in enumerate(sections):
        if i:
            writer.writerow([])
        writer.writerow([f"# {title}"])
        if header:
            writer.writerow(header)
        writer.writerows([["" if v is None else cell(v) for v in row] for row in rows])
    return buf.getvalue()


def markdown_tables(sections, human, pairs) -> str:
    """Markdown tables for people from (title, header, rows) sections: each cell formatted by
    human(column, value); a section whose header is one of `pairs` holds (key, value) rows, the
    value formatted by its key. Shared by `leadbridge report` and the reward commands."""
    out = []
    for title, header, rows in sections:
        out.append(f"## {title}\n")
        if not header:
            out.append("No rows.\n")
            continue
        out.append("| " + " | ".join(header) + " |")
        out.append("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            if header in pairs:
                cells = [str(row[0]), human(row[0], row[1])]
            else:
                cells = [human(h, v) for h, v in zip(header, row, strict=True)]
            out.append("| " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


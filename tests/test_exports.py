"""Excel downloads: the columns a page's table names and formats, as a spreadsheet shows them."""

from __future__ import annotations

import io
import re
import zipfile

import pandas as pd
import pytest

from leadbridge import exports, ui, ui_table

MONTHLY = pd.DataFrame({"month": ["2026-07", "2026-08"], "leads_submitted": [278, 294],
                        "conversion_rate": [0.6367, 0.658], "conversion_90d": [0.6367, None],
                        "revenue_attributed": [812345.5, 1000.0], "note": ["=1+1", "plain"]})


def column_formats(book: bytes) -> dict[int, str]:
    """{column index: Excel number format} of the first sheet's column definitions."""
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    codes = {int(i): c.replace("&quot;", '"')
             for i, c in re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles)}
    xfs = re.search(r"<cellXfs[^>]*>(.*?)</cellXfs>", styles, re.S).group(1)
    fmt_ids = [int(i) for i in re.findall(r'<xf numFmtId="(\d+)"', xfs)]
    found = {}
    for first, last, style in re.findall(r'<col min="(\d+)" max="(\d+)"[^>]*?style="(\d+)"', sheet):
        for col in range(int(first) - 1, int(last)):
            found[col] = codes.get(fmt_ids[int(style)], "General")
    return found


def test_an_excel_download_has_the_tables_headers_and_formats():
    book = ui_table.xlsx_file(lambda: MONTHLY, "monthly", ui.MONTHLY_COLUMNS)()
    back = pd.read_excel(io.BytesIO(book), engine="calamine")
    assert list(back.columns) == ["Month", "Leads", "Conversion so far", "Won within 90 days",
                                  "Revenue", "note"]
    # the cells keep the values (a share as its fraction, for formulas), formatted to read
    assert back["Conversion so far"].tolist() == pytest.approx([0.6367, 0.658])
    assert back["Revenue"].tolist() == pytest.approx([812345.5, 1000.0])
    assert back["note"].tolist() == ["'=1+1", "plain"]  # a formula start stays defused
    formats = column_formats(book)
    assert formats[2] == formats[3] == "0.0%"
    assert formats[4] == '"$"#,##0.00'
    assert formats[1] == "#,##0"  # a count: '33,383'
    assert 0 not in formats or formats[0] == "General"


def test_shown_columns_reads_labels_and_kinds_from_a_column_config():
    columns = ui_table.shown_columns(ui.MONTHLY_COLUMNS)
    assert columns["month"] == ("Month", None)
    assert columns["conversion_rate"] == ("Conversion so far", "percent")
    assert columns["revenue_attributed"] == ("Revenue", "money")
    assert columns["leads_submitted"] == ("Leads", "count")
    assert ui_table.shown_columns(None) == {}


def test_without_a_config_the_excel_keeps_the_engines_names():
    back = pd.read_excel(io.BytesIO(exports.frame_to_xlsx(MONTHLY)), engine="calamine")
    assert list(back.columns) == list(MONTHLY.columns)


def test_codes_read_as_words_in_the_table_and_the_excel_but_not_the_csv():
    """A lead's status and an audit's verdict read 'Lost', 'Unpaid' (they read 'lost', 'unpaid');
    a code without a word stays as it is, and the CSV keeps the codes for other tools."""
    from leadbridge import ui_rewards

    leads = pd.DataFrame({"lead_id": ["L1", "L2", "L3"], "status": ["lost", "won", None],
                          "audit": ["unpaid", "overpaid", "new-verdict"]})
    config = ui_rewards.AUDIT_LEAD_COLUMNS
    status = config["status"]["type_config"]["options"]
    assert {o["value"]: o["label"] for o in status} == ui.STATUS_LABELS
    assert config["status"]["disabled"] and config["audit"]["disabled"]
    back = pd.read_excel(io.BytesIO(ui_table.xlsx_file(lambda: leads, "leads", config)()),
                         engine="calamine")
    assert back["Lead status"].fillna("").tolist() == ["Lost", "Won", ""]
    assert back["Audit"].tolist() == ["Unpaid", "Overpaid", "new-verdict"]
    assert ui_table.csv_file(lambda: leads)().splitlines()[1] == "L1,lost,unpaid"
    assert ui.LEAD_COLUMNS["status"]["label"] == "Status"

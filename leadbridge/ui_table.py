"""Tables on the pages: a bounded page of rows with the total, and downloads built on click.

A list can be long (593 thousand leads waiting for a call at 1M leads): a page shows PAGE_ROWS
rows of it, fetched with limit/offset, with page controls and the total; the CSV and Excel
downloads run the query and write the file only when the button is clicked (Streamlit runs a
callable `data` of st.download_button then, in a thread of the server). Nothing is built before
the user asks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from leadbridge import exports, metrics, ui, ui_access
from leadbridge.metrics import Filters
from leadbridge.values import NO_VALUE

# Rows on one page of a table: enough to scan, few enough that a page is quick at any size.
PAGE_ROWS = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_file(build: Callable[[], pd.DataFrame]) -> Callable[[], str]:
    """The callable a CSV download runs on click: build the frame, write it, formulas defused."""
    return lambda: exports.frame_to_csv(build())


def xlsx_file(build: Callable[[], pd.DataFrame], sheet: str,
              column_config: dict | None = None) -> Callable[[], bytes]:
    """The callable an Excel download runs on click: the columns named and formatted as the
    table on the page shows them (the CSV keeps the engine's names and values, for tools)."""
    columns, words = shown_columns(column_config), shown_labels(column_config)
    return lambda: exports.frame_to_xlsx(in_words(build(), words), sheet=sheet, columns=columns)


def shown_labels(column_config: dict | None) -> dict[str, dict[str, str]]:
    """{column: {code: word}} of a table's columns of codes shown in words (ui.labelled)."""
    found = {}
    for column, conf in (column_config or {}).items():
        options = (conf.get("type_config") or {}).get("options") if isinstance(conf, dict) else None
        if options and conf["type_config"].get("type") == "selectbox":
            found[column] = {o["value"]: o["label"] for o in options}
    return found


def in_words(frame: pd.DataFrame, words: dict[str, dict[str, str]]) -> pd.DataFrame:
    """The frame with its columns of codes in words; a code without a word stays as it is."""
    words = {c: w for c, w in words.items() if c in frame.columns}
    return frame.assign(**{c: frame[c].replace(w) for c, w in words.items()})


def shown_columns(column_config: dict | None) -> dict[str, tuple[str, str | None]]:
    """{column: (header, kind)} of a table's column_config: the label the page shows, and
    "percent", "money" or "count" for the shares, amounts and counts (as_shown,
    exports.frame_to_xlsx)."""
    found = {}
    for column, conf in (column_config or {}).items():
        if isinstance(conf, str):
            found[column] = (conf, None)
        elif isinstance(conf, dict) and conf.get("label"):
            number_format = (conf.get("type_config") or {}).get("format")
            kind = {ui.PERCENT_FORMAT: "percent", "dollar": "money",
                    ui.COUNT_FORMAT: "count"}.get(number_format)
            found[column] = (conf["label"], kind)
    return found


def download_buttons(build: Callable[[], pd.DataFrame], page: str, table: str,
                     filters: Filters | None, key: str, column_config: dict | None = None) -> None:
    """CSV and Excel downloads of a table, built on click by `build` (which must not call
    Streamlit: it runs outside the script), named by page, table, filters and date."""
    name = exports.file_stem(page, table, filters, date.today())
    row = st.container(horizontal=True)
    # The access log's entry is written by the download itself (the person captured now), and a
    # click does not rerun the page: a rerun would drop this run's deferred files while the
    # browser is still fetching one (seen on a busy server, two downloads in a row).
    what = f"{page}: {table}"
    row.download_button("Download CSV",
                        ui_access.logged_download(csv_file(build), f"{what} (CSV)", filters),
                        f"{name}.csv", "text/csv", key=f"{key}_csv", icon=":material/download:",
                        on_click="ignore")
    row.download_button("Download Excel",
                        ui_access.logged_download(xlsx_file(build, table, column_config),
                                                  f"{what} (Excel)", filters),
                        f"{name}.xlsx", XLSX, key=f"{key}_xlsx", icon=":material/table_view:",
                        on_click="ignore")


def _page_key(key: str) -> str:
    """The session key of a table's page number (its page picker)."""
    return f"{key}_page"


def page_controls(key: str, total: int, page_rows: int | None = None) -> int:
    """The page picker of a table of `total` rows and its caption; returns the first row shown."""
    page_rows = page_rows or PAGE_ROWS
    pages = max(1, -(-total // page_rows))
    state = _page_key(key)
    if not isinstance(st.session_state.get(state), int) or not 1 <= st.session_state[state] <= pages:
        st.session_state[state] = 1
    if pages > 1:
        row = st.container(horizontal=True, vertical_alignment="center")
        number = row.number_input("Page", min_value=1, max_value=pages, step=1, key=state,
                                  width=170)
    else:
        number = 1
    first = (number - 1) * page_rows
    if pages > 1:
        row.caption(f"Rows {first + 1:,}–{min(first + page_rows, total):,} of {total:,} · page "
                    f"{number:,} of {pages:,}; the downloads hold every row")
    return first


def as_shown(frame: pd.DataFrame, column_config: dict | None) -> pd.DataFrame:
    """The rows as a table draws them: each share column (a fraction, configured with
    ui.PERCENT_FORMAT) in percent. Called on the page of rows shown, never on a download."""
    shares = [c for c, (_, kind) in shown_columns(column_config).items()
              if kind == "percent" and c in frame.columns]
    if not shares:
        return frame
    return frame.assign(**{c: frame[c] * 100 for c in shares})


def _sorted(frame: pd.DataFrame, sort: dict[str, str], key: str) -> tuple[pd.DataFrame, str]:
    """The frame in the order chosen in a "Sort all rows by" picker of `sort` ({column: label},
    largest first; the first is the default): clicking a header sorts only the page shown."""
    state = f"{key}_sort"
    if st.session_state.get(state) not in sort:
        st.session_state[state] = next(iter(sort))

    def first_page() -> None:
        st.session_state[_page_key(key)] = 1

    column = st.selectbox("Sort all rows by", list(sort), format_func=sort.get, key=state,
                          on_change=first_page, width=260,
                          help="Largest first, over every row; a click on a column's header "
                               "sorts only the page shown.")
    return frame.sort_values(column, ascending=False, kind="stable", na_position="last"), column


def table(frame: pd.DataFrame, page: str, name: str, filters: Filters | None, key: str,
          column_config: dict | None = None, height: int | str = "auto",
          pick: bool = False, sort: dict[str, str] | None = None) -> pd.Series | None:
    """A table already in memory (a summary): a page of it at a time when long, its downloads
    written on click. With `sort` ({column: label}), a long table is sorted by the column chosen
    before it is paged, a short one by the first. With `pick`, a row of the page can be selected
    (the box at its left): returns that row, or None while none is."""
    order = None
    sort = {c: label for c, label in (sort or {}).items() if c in frame.columns}
    if sort and len(frame) > PAGE_ROWS:
        frame, order = _sorted(frame, sort, key)
    elif sort:
        # All rows on one page: a click on a header sorts them all, so no picker; they open in
        # the picker's first order as a long table does (a leaderboard read in tech ID order).
        frame = frame.sort_values(next(iter(sort)), ascending=False, kind="stable",
                                  na_position="last")
    first = page_controls(key, len(frame))
    shown = frame.iloc[first:first + PAGE_ROWS] if len(frame) > PAGE_ROWS else frame
    picked = None
    if not pick:
        st.dataframe(as_shown(shown, column_config), hide_index=True, column_config=column_config,
                     height=height, placeholder=NO_VALUE)
    else:
        state = f"{key}_pick"
        # A selection is a row's position in the page shown: another page, order, filters or new
        # data put another row there, so the selection is cleared then.
        shown_for = (first, order, filters, ui.data_version())
        if st.session_state.get(f"{state}_for") != shown_for:
            st.session_state[f"{state}_for"] = shown_for
            st.session_state[state] = {"selection": {"rows": [], "columns": [], "cells": []}}
        event = st.dataframe(as_shown(shown, column_config), hide_index=True,
                             column_config=column_config, height=height,
                             placeholder=NO_VALUE,
                             key=state, on_select="rerun", selection_mode="single-row")
        rows = [r for r in event.selection.rows if 0 <= r < len(shown)]
        picked = shown.iloc[rows[0]] if rows else None
    download_buttons(lambda: frame, page, name, filters, key, column_config)
    return picked


def query_table(query: str, count: str, filters: Filters | None, page: str, name: str, key: str,
                column_config: dict | None = None, **extra) -> int:
    """A long list: its total from the `count` query, one page fetched with limit/offset, and
    downloads that run the whole query on click. Returns the total."""
    total = int(ui.query(count, filters, **extra).iloc[0, 0])
    first = page_controls(key, total)
    rows = ui.query(query, filters, limit=PAGE_ROWS, offset=first, **extra)
    st.dataframe(as_shown(rows, column_config), hide_index=True, column_config=column_config,
                 placeholder=NO_VALUE)
    con = ui.connection()
    # The download runs outside this script run: the person's scope and money go with it now.
    scoped, scoped_extra = ui.as_person(filters, extra)
    download_buttons(lambda: metrics.run(con, query, scoped, **scoped_extra), page, name,
                     filters, key, column_config)
    return total

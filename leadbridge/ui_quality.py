"""The Streamlit side of the lead quality signals: the Lead quality page and the leaderboard's
marks. Things worth a look for a manager, never accusations."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from leadbridge import quality_signals, ui, ui_table
from leadbridge.metrics import Filters
from leadbridge.values import NO_VALUE

INTRO = ("Patterns in a tech's leads that are **worth a look** with them: each has innocent "
         "explanations (a big customer, a new territory, a slow month). Talk before you conclude.")

SUMMARY_COLUMNS = {"tech_id": "Tech ID", "tech_name": "Technician", "branch": "Branch",
                   "signals": "Signals", "worth_a_look": "Worth a look"}


@st.cache_data(show_spinner=False, max_entries=256)
def _signals(path: str, version: int, filters: Filters) -> dict[str, pd.DataFrame]:
    return quality_signals.signals(ui._connection(path), filters)


def signals(filters: Filters) -> dict[str, pd.DataFrame]:
    """Every signal's per-tech rows, cached by data version."""
    return _signals(ui.db_file(), ui.data_version(), filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _flagged(path: str, version: int, filters: Filters) -> pd.DataFrame:
    return quality_signals.flagged(_signals(path, version, filters))


def flagged(filters: Filters) -> pd.DataFrame:
    """The techs with at least one signal, most signals first (cached: the leaderboard's marks
    need this small frame on every rerun, not the six signals' per-tech rows)."""
    return _flagged(ui.db_file(), ui.data_version(), filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _drill(path: str, version: int, filters: Filters, key: str, tech_id: str) -> pd.DataFrame:
    return quality_signals.drill_down(ui._connection(path), filters, key, tech_id)


def with_marks(by_tech: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The leaderboard with a 'Worth a look' column: the titles of a tech's signals."""
    summary = flagged(filters)
    # .tolist(): iterating an Arrow-backed column yields one scalar at a time (5,000 techs: 60 ms).
    marks = dict(zip(summary["tech_id"].tolist(), summary["worth_a_look"].tolist(), strict=True))
    return by_tech.assign(worth_a_look=[marks.get(t, "") for t in by_tech["tech_id"].tolist()])


def _columns(signal: quality_signals.Signal) -> dict:
    number = (ui._money if signal.kind == "money" else ui._percent)
    return {
        "tech_id": "Tech ID", "tech_name": "Technician", "branch": "Branch",
        "base": ui._money(signal.base) if signal.kind == "money" else ui._count(signal.base),
        "count": ui._count(signal.count), "value": number(signal.value),
        "benchmark": number(signal.benchmark),
        "interval_low": ui._percent("Interval low"), "interval_high": ui._percent("Interval high"),
    }


def page(filters: Filters) -> None:
    """The Lead quality page's body: who has signals, then each signal with its numbers and the
    leads behind it."""
    st.markdown(INTRO)
    found = signals(filters)
    summary = quality_signals.flagged(found)
    st.subheader(f"Techs worth a look ({len(summary):,})")
    if summary.empty:
        st.success("No tech shows a signal in this period.")
    else:
        ui_table.table(summary, "lead-quality", "worth-a-look", filters, key="quality_summary",
                       column_config=SUMMARY_COLUMNS)
    for signal in quality_signals.SIGNALS:
        frame = found[signal.key]
        hits = frame[frame["flagged"].fillna(False).astype(bool)].drop(columns="flagged")
        with st.expander(f"{signal.title} ({len(hits):,})", expanded=not hits.empty,
                         key=f"quality_{signal.key}"):
            st.markdown(signal.why)
            st.caption(quality_signals.rule(signal.key))
            if hits.empty:
                st.caption("No tech is flagged.")
                continue
            ui_table.table(hits, "lead-quality", signal.key, filters,
                           key=f"quality_{signal.key}_table", column_config=_columns(signal))
            names = dict(zip(hits["tech_id"], hits["tech_name"], strict=True))
            tech = st.selectbox("The leads behind it", list(names), index=None,
                                key=f"quality_{signal.key}_tech",
                                format_func=lambda t, n=names: f"{n[t]} ({t})",
                                placeholder="Pick a tech to see the leads behind the signal")
            if tech is not None:
                rows = _drill(ui.db_file(), ui.data_version(), filters, signal.key, tech)
                st.dataframe(rows, hide_index=True, placeholder=NO_VALUE, column_config={
                    **ui.LEAD_COLUMNS, "job_id": "Job", "duplicate_of": "Looks like lead",
                    "payout_id": "Payout", "paid_on": st.column_config.DateColumn("Paid"),
                    "amount": ui._money("Amount"), "reason": "Reason"})

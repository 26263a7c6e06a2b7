"""The Streamlit side of a lead's story: pick a lead of a list, see its timeline."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from leadbridge import meeting, timeline, ui, ui_table
from leadbridge.metrics import Filters
from leadbridge.values import NO_VALUE, missing

TIMELINE_COLUMNS = {
    "event_date": st.column_config.DateColumn("Date"),
    "event": "What happened",
    "detail": "Detail",
    "amount": st.column_config.NumberColumn("Amount", format="dollar"),
    "source_file": "From file",
}


@st.cache_data(show_spinner=False, max_entries=256)
def _timeline(path: str, version: int, lead_id: str, scope: tuple | None, privacy: bool,
              money: bool) -> pd.DataFrame:
    return timeline.lead_timeline(ui._connection(path), lead_id, scope, privacy, money)


def lead_timeline(lead_id: str, filters: Filters, privacy: bool = False) -> pd.DataFrame:
    """A lead's timeline as the person of `filters` may see it, cached by data version."""
    return _timeline(ui.db_file(), ui.data_version(), lead_id, filters.scope, privacy,
                     filters.money)


def shown_rows(query: str, filters: Filters, key: str, **extra) -> pd.DataFrame:
    """The rows a paged list (ui_table.query_table with this key) shows on its current page: the
    same cached query, so nothing more is fetched."""
    number = st.session_state.get(f"{key}_page", 1)
    first = (number - 1) * ui_table.PAGE_ROWS if isinstance(number, int) else 0
    return ui.query(query, filters, limit=ui_table.PAGE_ROWS, offset=first, **extra)


def _label(row: dict) -> str:
    parts = [str(row["lead_id"])]
    for column in ("customer_name", "tech_name", "tech"):
        if column in row and not missing(row[column]):
            parts.append(str(row[column]))
            break
    if "submitted_at" in row and not missing(row["submitted_at"]):
        parts.append(f"{pd.Timestamp(row['submitted_at']):%b %d, %Y}")
    return " · ".join(parts)


def lead_story(leads: pd.DataFrame, key: str, filters: Filters,
               privacy: bool = False) -> str | None:
    """A picker of the list's leads ("Open a lead's story") and, once one is picked, its
    timeline. Returns the lead picked, or None."""
    if leads.empty or "lead_id" not in leads.columns:
        return None
    labels = {str(r["lead_id"]): _label(r) for r in leads.to_dict("records")}
    lead_id = st.selectbox("Open a lead's story", list(labels), index=None,
                           format_func=labels.get, key=f"{key}_story",
                           placeholder="Pick a lead of this list to see its timeline",
                           help="Submitted, each status the CRM exports gave it with the file it "
                                "came from, first contact, close and rewards paid.")
    if lead_id is None:
        return None
    frame = lead_timeline(lead_id, filters, privacy)
    with st.container(border=True, key=f"{key}_timeline"):
        st.markdown("**The lead's story**")
        st.text(labels[lead_id])  # values from files: as text, never markup
        if frame.empty:
            st.info("This lead is not in the data you may see.")
        else:
            shown = frame.drop(columns=["lead_id"])
            st.dataframe(shown, hide_index=True, column_config=TIMELINE_COLUMNS,
                         placeholder=NO_VALUE)
    return lead_id


@st.cache_data(show_spinner=False, max_entries=256)
def _slide_leads(path: str, version: int, month: str, branches: tuple, privacy: bool, key: str,
                 part: int, rows_per_slide: int) -> pd.DataFrame:
    content = ui.meeting_content(month, branches, privacy)
    start = (part - 1) * rows_per_slide
    return meeting.list_rows(ui._connection(path), content, key, start, rows_per_slide)


def slide_leads(content: meeting.Meeting, slide: meeting.Slide) -> pd.DataFrame:
    """The leads a lead-list slide shows, with their IDs (privacy applied)."""
    return _slide_leads(ui.db_file(), ui.data_version(), content.month,
                        tuple(content.filters.branches), content.privacy, slide.key, slide.part,
                        slide.rows_per_slide)

"""Values from files shown as text, never as markup: one rule per place they are drawn.

A tech's name, a branch, a customer, a lead type or an uploaded file's name comes from an export
that anyone with a keyboard filled in. Plotly reads a subset of HTML in every label, tick, legend,
hover text and title (`<a href>` becomes a live link); Streamlit's markdown (st.markdown, captions,
titles, alerts, metric labels) reads markdown, autolinks bare URLs and `:directives:`. These
helpers turn such a value into text that shows exactly as written. No Streamlit here.
"""

from __future__ import annotations

import html
import re
import string

import pandas as pd

# Every ASCII punctuation character can be backslash-escaped in CommonMark; escaping them all
# leaves no link, emphasis, heading, list, table, HTML, LaTeX ($) or Streamlit directive (:) intact.
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
# What a download's file name may hold: letters, digits, dot, dash, underscore.
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_FILE_STEM = 120


def md(value) -> str:
    """A value shown as itself inside Streamlit markdown (punctuation escaped, one line)."""
    text = _LINE_BREAKS.sub(" ", str(value))
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def plotly(value):
    """A value shown as itself in a Plotly label, tick, legend, hover text or title.

    Plotly renders `<a>`, `<b>`, `<br>`, `<span>`… and HTML entities in text; escaping `&`, `<`
    and `>` makes it show the characters instead. Non-text values are returned unchanged."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    return value


def plotly_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of a frame whose text cells are Plotly-escaped (numbers, dates, blanks unchanged)."""
    text_columns = [c for c in frame.columns
                    if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    if not text_columns:
        return frame
    out = frame.copy()
    for column in text_columns:
        out[column] = out[column].map(plotly, na_action="ignore").astype(object)
    return out


def plotly_arg(value):
    """A chart function's argument with every text inside it Plotly-escaped: strings, frames,
    and lists or tuples of them (a table slide's header and rows)."""
    if isinstance(value, str):
        return plotly(value)
    if isinstance(value, pd.DataFrame):
        return plotly_frame(value)
    if isinstance(value, list | tuple):
        return type(value)(plotly_arg(v) for v in value)
    return value


def file_stem(value: str, fallback: str = "download") -> str:
    """A file name part that every system accepts and nothing reads as a path or markup."""
    stem = _FILE_UNSAFE.sub("-", str(value)).strip("-.")[:MAX_FILE_STEM]
    return stem or fallback

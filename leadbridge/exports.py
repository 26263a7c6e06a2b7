"""Downloads: tables as CSV or Excel that a spreadsheet opens safely."""

from __future__ import annotations

import io

import pandas as pd

# A text cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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

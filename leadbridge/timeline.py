"""Each lead's story: its timeline from queries/lead_timeline.sql, and the same as text."""

from __future__ import annotations

import pandas as pd

from leadbridge import metrics
from leadbridge.values import missing

# Per-person money in a timeline: a won deal's revenue and each reward's amount.
MONEY = "amount"


def lead_timeline(con, lead_id: str, scope: tuple[str, ...] | None = None,
                  privacy: bool = False, money: bool = True) -> pd.DataFrame:
    """One lead's events in date order (empty when the lead is unknown or outside `scope`); with
    the meeting's `privacy` on, or for a person without the money right, no amounts."""
    frame = metrics.run(con, "lead_timeline", lead_id=str(lead_id),
                        scope=None if scope is None else list(scope), money=money)
    return frame.drop(columns=[MONEY]) if privacy and MONEY in frame.columns else frame


def _money(value) -> str:
    value = float(value)
    return ("-" if value < 0 else "") + f"${abs(value):,.2f}"


def lines(frame: pd.DataFrame) -> list[str]:
    """The timeline as lines for a terminal: 'YYYY-MM-DD  Event  detail  $amount  (file)'."""
    out = []
    for row in frame.to_dict("records"):
        when = ("(no date)" if missing(row["event_date"])
                else f"{pd.Timestamp(row['event_date']):%Y-%m-%d}")
        parts = [when, str(row["event"])]
        if not missing(row.get("detail")) and row["detail"]:
            parts.append(str(row["detail"]))
        if MONEY in row and not missing(row[MONEY]):
            parts.append(_money(row[MONEY]))
        if not missing(row.get("source_file")):
            parts.append(f"(from {row['source_file']})")
        out.append("  ".join(parts))
    return out

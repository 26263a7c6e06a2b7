"""Values as the engine reads them, one rule each: what counts as missing, and how a tech is named.

Charts, the meeting, the report and the pages all import these, so that a blank cell reads the
same everywhere and a tech carries the same label on a chart, a slide and in a deck.
"""

from __future__ import annotations

import pandas as pd

# What a tile, a table cell, a chart label, a slide or the report shows for a value that is
# missing (a month too young for its 90-day conversion, a lead not contacted yet): a dash, not
# "None" or "nan", which read as a count of zero.
NO_VALUE = "–"


def missing(value) -> bool:
    """True for None, NaN, NaT and pandas' NA; False for anything else (lists included)."""
    if value is None:
        return True
    if not pd.api.types.is_scalar(value):  # a list is a value, even a list of blanks
        return False
    return bool(pd.isna(value))


def tech_labels(frame: pd.DataFrame) -> list[str]:
    """A label per row for its tech: the name (the ID when the name is missing), with the ID added
    when two techs in the frame share the name. The same rule as the SQL macro lb_tech_label
    (queries/staging/sets.sql), which labels the meeting's lead lists."""
    if frame.empty:
        return []
    names = frame["tech_name"].astype(object)
    if "tech_id" not in frame.columns:
        return [NO_VALUE if missing(n) else str(n) for n in names]
    ids = frame["tech_id"].astype(str)
    names = names.where(names.notna(), ids).astype(str)
    shared = ids.groupby(names.to_numpy()).transform("nunique").to_numpy() > 1
    return names.where(~shared, names + " (" + ids + ")").tolist()

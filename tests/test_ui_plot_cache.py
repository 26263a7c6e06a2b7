"""ui.plot keeps a figure by the query its frame came from, not by hashing every cell again."""

from __future__ import annotations

import gc

import pandas as pd
import pytest

from leadbridge import charts, ui


@pytest.fixture
def built(monkeypatch):
    """The frames a test chart was built from, one entry per build; ui.chart draws nothing."""
    calls: list[pd.DataFrame] = []

    def counted_chart(frame, note):
        calls.append(frame)
        return charts.empty("A test chart (leads)", note)

    monkeypatch.setattr(charts, "counted_chart", counted_chart, raising=False)
    monkeypatch.setattr(ui, "chart", lambda figure: None)
    ui._figure.clear()
    ui._figure_of_queries.clear()
    yield calls
    ui._figure.clear()
    ui._figure_of_queries.clear()


def frame(value: int) -> pd.DataFrame:
    return pd.DataFrame({"tech_id": ["T1", "T2"], "leads": [value, value + 1]})


def test_a_query_frame_is_kept_by_its_query_key(built):
    key = ("db", 1, "by_tech", None, ())
    first = ui._remember(frame(3), key)
    ui.plot(charts.counted_chart, first, "no leads")
    again = ui._remember(frame(3), key)  # the next rerun's copy of the same cached result
    ui.plot(charts.counted_chart, again, "no leads")
    assert len(built) == 1
    # Another data version is another key: built again, whatever the cells.
    ui.plot(charts.counted_chart, ui._remember(frame(3), ("db", 2, "by_tech", None, ())),
            "no leads")
    assert len(built) == 2
    # The note is part of the key.
    ui.plot(charts.counted_chart, again, "other note")
    assert len(built) == 3


def test_a_derived_frame_is_kept_by_its_content(built):
    key = ("db", 1, "by_tech", None, ())
    source = ui._remember(frame(3), key)
    derived = source.assign(leads=source["leads"] * 10)
    assert ui.query_key(source) == key
    assert ui.query_key(derived) is None, "a new frame never carries the query's key"
    ui.plot(charts.counted_chart, source, "n")
    ui.plot(charts.counted_chart, derived, "n")
    assert len(built) == 2
    assert built[1]["leads"].tolist() == [30, 40]
    ui.plot(charts.counted_chart, source.assign(leads=source["leads"] * 10), "n")
    assert len(built) == 2, "the same content again: the figure kept by content"


def test_the_key_goes_with_the_frame():
    kept = ui._remember(frame(1), ("db", 1, "monthly", None, ()))
    ident = id(kept)
    assert ident in ui._FROM_QUERY
    del kept
    gc.collect()
    assert ident not in ui._FROM_QUERY
    assert ui.query_key("not a frame") is None

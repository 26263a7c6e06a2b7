"""The engine's one rule for a missing value and for a tech's label, on hand-made values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from leadbridge import charts, meeting, report, ui, values


@pytest.mark.parametrize("value", [None, float("nan"), np.nan, pd.NA, pd.NaT, np.float64("nan")])
def test_these_are_missing(value):
    assert values.missing(value)


@pytest.mark.parametrize("value", [0, 0.0, "", "nan", False, [], [None], pd.Timestamp("2026-10-01"),
                                   math.inf])
def test_these_are_values(value):
    assert not values.missing(value)


def test_every_module_reads_missing_the_same_way():
    # one helper, imported: a blank cell reads the same on a chart, a slide, a tile and in JSON
    assert charts.missing is meeting.missing is ui.missing is values.missing
    assert report.clean("leads_submitted", pd.NA) is None
    assert report.clean("revenue_attributed", math.inf) is None
    assert meeting.text("count", pd.NaT) == "–"


def test_a_tech_is_named_and_the_id_added_only_where_names_repeat():
    frame = pd.DataFrame({
        "tech_id": ["T1", "T2", "T3", "T4", "T1"],
        "tech_name": ["Sam Lee", "Sam Lee", "Ann Ray", None, "Sam Lee"],
    })
    assert values.tech_labels(frame) == ["Sam Lee (T1)", "Sam Lee (T2)", "Ann Ray", "T4",
                                         "Sam Lee (T1)"]
    # one tech on several rows (a lead list) is not a shared name
    assert values.tech_labels(frame.iloc[[0, 4, 2]]) == ["Sam Lee", "Sam Lee", "Ann Ray"]


def test_without_ids_a_tech_is_its_name():
    frame = pd.DataFrame({"tech_name": ["Ann Ray", None]})
    assert values.tech_labels(frame) == ["Ann Ray", "–"]
    assert values.tech_labels(frame.iloc[:0]) == []

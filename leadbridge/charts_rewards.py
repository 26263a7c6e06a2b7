"""The Reward program page's charts: pure functions, frame in, Plotly figure out, in the shared
LeadBridge template of leadbridge.charts (titles with units, empty states, text shown as text)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from leadbridge.charts import (
    BLUE,
    MONEY_AXIS,
    ORANGE,
    SIGNED_MONEY_AXIS,
    VERMILLION,
    _all_zero,
    _cut_title,
    _figure,
    _hover,
    _is_empty,
    _money,
    _month_axis,
    _month_label,
    _text_only,
    empty,
)
from leadbridge.values import tech_labels


@_text_only
def simulated_vs_actual(monthly: pd.DataFrame, note: str) -> go.Figure:
    """Per month: what the simulated policy would have cost against the rewards actually paid ($)."""
    title = "Simulated and actual reward cost per month ($)"
    subtitle = "Simulated: rewards for events in the month; actual: payouts made in the month"
    if _is_empty(monthly) or (_all_zero(monthly["simulated_cost"])
                              and _all_zero(monthly["actual_cost"])):
        return empty(title, note)
    df = monthly.sort_values("month")
    months = [_month_label(m) for m in df["month"]]
    simulated = df["simulated_cost"].fillna(0).astype(float)
    actual = df["actual_cost"].fillna(0).astype(float)
    fig = _figure(title, subtitle, hovermode="x unified", barmode="group")
    fig.add_bar(x=months, y=actual.tolist(), name="Actual (paid)", marker_color=ORANGE,
                **_hover(f"Paid: {_money(v)}" for v in actual))
    fig.add_bar(x=months, y=simulated.tolist(), name="Simulated policy", marker_color=BLUE,
                **_hover(f"Simulated: {_money(v)}" for v in simulated))
    fig.update_layout(xaxis=_month_axis(months), yaxis={"title": "Dollars", **MONEY_AXIS})
    return fig


@_text_only
def tech_difference(by_tech: pd.DataFrame, note: str, top: int = 25) -> go.Figure:
    """Per tech: how much more (or less) the simulated policy would pay than was paid ($)."""
    title = "Who would earn more or less under the simulated policy ($ per tech)"
    if _is_empty(by_tech) or _all_zero(by_tech["difference"]):
        return empty(title, note)
    df = by_tech.assign(_name=tech_labels(by_tech),
                        _abs=by_tech["difference"].astype(float).abs())
    df = df[df["_abs"] > 0.005]
    total = len(df)
    df = df.sort_values(["_abs", "_name"], ascending=[False, True]).head(max(top, 1))
    df = df.sort_values(["difference", "_name"], ascending=[False, True])
    names = df["_name"].tolist()
    diff = df["difference"].astype(float)
    fig = _figure(_cut_title(title, len(df), total), "Simulated minus paid in the period; "
                  "blue: would earn more, vermillion: would earn less",
                  rows=len(df), showlegend=False)
    fig.add_bar(
        x=diff.tolist(), y=names, orientation="h",
        marker_color=[BLUE if v > 0 else VERMILLION for v in diff],
        **_hover(f"{name}: {'+' if v > 0 else ''}{_money(v)} (simulated {_money(s)}, paid "
                 f"{_money(a)})" for name, v, s, a in zip(names, diff, df["simulated_cost"],
                                                          df["actual_cost"], strict=True)),
    )
    fig.update_layout(
        xaxis={"title": "Simulated minus paid", **SIGNED_MONEY_AXIS},
        yaxis={"title": None, "autorange": "reversed", "categoryorder": "array",
               "categoryarray": names, "type": "category", "gridcolor": "rgba(0,0,0,0)"},
    )
    return fig


"""The dashboard's charts: one pure function per chart, query frame in, Plotly figure out.

Each function takes a frame exactly as `metrics.run(con, "<query>", filters, ...)` returns it and
the text to show when there is nothing to draw, and returns a figure in the one "leadbridge"
template defined here. No Streamlit and no database in this module; pages draw the figures with
`st.plotly_chart(figure, theme=None)` so that this template, not Streamlit's, sets the look.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import math
import re
import textwrap
from collections.abc import Iterable

import pandas as pd
import plotly.colors as pcolors
import plotly.graph_objects as go
import plotly.io as pio

from leadbridge import contract
from leadbridge import text as escape
from leadbridge.values import NO_VALUE, missing, tech_labels

TEMPLATE_NAME = "leadbridge"

# Okabe-Ito: eight colours told apart with every common colour-vision deficiency.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
BLUE, ORANGE, GREEN, VERMILLION, SKY, PINK, YELLOW, BLACK = PALETTE
GREY = "#999999"
LIGHT_GREY = "#DDDDDD"
DARK_BLUE = "#003F63"
TEXT_GREY = "#555555"

# One colour per lead status on every chart: won green, lost vermillion, open grey, and the
# stages in between in blues that darken as the lead gets closer to a sale.
STATUS_COLORS = {
    "open": GREY,
    "contacted": SKY,
    "qualified": BLUE,
    "quoted": DARK_BLUE,
    "won": GREEN,
    "lost": VERMILLION,
}
STATUS_LABELS = {status: status.capitalize() for status in contract.STATUSES}

# Sizes in px, chosen to stay legible on a meeting-room projector.
FONT_SIZE = 16
TITLE_SIZE = 20
SUBTITLE_SIZE = 15
FONT_FAMILY = '"Source Sans Pro", "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
DEFAULT_HEIGHT = 480
EMPTY_HEIGHT = 320
# Height per bar of the one-row-per-tech charts, so 25 names never overlap.
ROW_HEIGHT = 30
# A bar-per-row chart leaves room for this many bars however few it draws.
MIN_ROWS = 2
# Room above the plot for the title, the subtitle and a legend that may wrap onto two lines.
TOP_MARGIN = 130
# Characters per title and subtitle line: what fits a full-width chart beside the sidebar at 1280 px.
TITLE_WRAP = 72
SUBTITLE_WRAP = 100

# Money ticks are short, "$120M" and "$1.2B" rather than "$120,000,000", so that they read on a
# projector and leave the plot its width; the hover gives the exact amount.
MONEY_AXIS = {"tickprefix": "$", "exponentformat": "B"}
# An axis of dollars that go below zero (clawbacks, a simulation's differences): a prefix reads
# "$-1000" there; d3's currency format puts the sign first, "-$1k" (SI units: rewards, not
# billions).
SIGNED_MONEY_AXIS = {"tickformat": "$~s"}
RATE_AXIS = {"tickformat": ".0%"}
COUNT_AXIS = {"tickformat": ",d"}

# A month with more than this share of its leads still open has a conversion that will still rise.
MATURING_OPEN_SHARE = 0.10

# The age buckets of queries/open_leads_by_age.sql by bucket_order, all shown even when empty.
AGE_BUCKETS = ("0–7 days", "8–14 days", "15–30 days", "over 30 days")

# Statuses a lead can have while it is still open (the open backlog), in pipeline order.
OPEN_STATUSES = tuple(s for s in contract.STATUSES if s not in ("won", "lost"))

# Clawback bars of different reasons share the vermillion and differ by hatching.
CLAWBACK_PATTERNS = ("", "/", "x", ".", "\\", "+", "-", "|")

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _template() -> go.layout.Template:
    """The one LeadBridge look: Okabe-Ito colours, large type, light grid, legend on top."""
    axis = {
        "gridcolor": "#E8E8E8",
        "linecolor": "#B0B0B0",
        "zerolinecolor": "#B0B0B0",
        "zerolinewidth": 1.5,
        "ticks": "outside",
        "tickcolor": "#B0B0B0",
        "automargin": True,
        "title": {"standoff": 12, "font": {"size": FONT_SIZE}},
        "tickfont": {"size": FONT_SIZE - 1},
    }
    return go.layout.Template(
        layout={
            "colorway": list(PALETTE),
            "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": "#222222"},
            "title": {
                "font": {"size": TITLE_SIZE, "color": "#111111"},
                "x": 0,
                "xref": "container",
                "xanchor": "left",
                "y": 1,
                "yref": "container",
                "yanchor": "top",
                "pad": {"t": 14, "l": 12},
                "subtitle": {"font": {"size": SUBTITLE_SIZE, "color": TEXT_GREY}},
            },
            "paper_bgcolor": "white",
            "plot_bgcolor": "white",
            "height": DEFAULT_HEIGHT,
            "margin": {"l": 70, "r": 40, "t": TOP_MARGIN, "b": 60},
            "legend": {
                "orientation": "h",
                "x": 0,
                "xanchor": "left",
                "y": 1.02,
                "yanchor": "bottom",
                "font": {"size": FONT_SIZE - 1},
                "bgcolor": "rgba(255,255,255,0)",
            },
            "hoverlabel": {"font": {"family": FONT_FAMILY, "size": FONT_SIZE - 1},
                           "bgcolor": "white", "bordercolor": "#B0B0B0"},
            "hovermode": "closest",
            "xaxis": axis,
            "yaxis": axis,
            "bargap": 0.25,
            "colorscale": {"sequential": "Blues"},
            "annotationdefaults": {"font": {"size": FONT_SIZE - 1, "color": TEXT_GREY}},
        },
        data={
            "bar": [go.Bar(marker={"line": {"width": 0}}, cliponaxis=False,
                           textfont={"size": FONT_SIZE - 1})],
            "scatter": [go.Scatter(line={"width": 3}, marker={"size": 10})],
        },
    )


pio.templates[TEMPLATE_NAME] = _template()


# ---- helpers ------------------------------------------------------------------------------


def _is_empty(frame: pd.DataFrame | None) -> bool:
    return frame is None or len(frame) == 0


def _all_zero(values: Iterable) -> bool:
    """True when no value is a non-zero number (NaN counts as zero)."""
    return all(missing(v) or v == 0 for v in values)


def _num(value, default: float = 0.0) -> float:
    return default if missing(value) else float(value)


def _count(value) -> str:
    return f"{int(_num(value)):,}"


def _money(value) -> str:
    value = _num(value)
    return f"-${abs(value):,.0f}" if value < 0 else f"${value:,.0f}"


def _pct(value) -> str:
    return NO_VALUE if missing(value) else f"{float(value) * 100:.0f} %"


def _share_labels(values: Iterable) -> list[str]:
    """Shares as a chart writes them on its bars and cells, "63 %" as the tables and lost reasons
    do (d3's "63%" cannot take the space); nothing where there is no share."""
    return ["" if missing(v) else _pct(v) for v in values]


def _days(value) -> str:
    if missing(value):
        return NO_VALUE
    value = float(value)
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return f"{text} day" if value == 1 else f"{text} days"


def _plural(n, word: str) -> str:
    return f"{_count(n)} {word}" if int(_num(n)) == 1 else f"{_count(n)} {word}s"


def _nullable(values: Iterable) -> list:
    """Values for a trace, NaN as None (a gap, not a zero)."""
    return [None if missing(v) else v for v in values]


def _month_label(value, sep: str = "<br>") -> str:
    """'2025-11' (or a date) -> 'Nov<br>2025': two short lines stay horizontal under a bar.
    With sep=" " one line, for row labels and hover text."""
    stamp = pd.Timestamp(str(value)[:7] if isinstance(value, str) else value)
    return f"{_MONTH_NAMES[stamp.month - 1]}{sep}{stamp.year}"


def _month_range(months: Iterable[str]) -> list[str]:
    """Every YYYY-MM month from the first to the last one given, gaps filled."""
    present = sorted(str(m)[:7] for m in months if not missing(m))
    if not present:
        return []
    span = pd.period_range(present[0], present[-1], freq="M")
    return [p.strftime("%Y-%m") for p in span]


def _lead_type_label(value) -> str:
    if missing(value):
        return contract.LEAD_TYPE_LABELS["other"]
    return contract.LEAD_TYPE_LABELS.get(str(value), str(value).replace("_", " ").capitalize())


def _values(frame: pd.DataFrame, label: str) -> list[str]:
    """The dimension values to show: lead types by their labels, missing values named."""
    if label == "lead type":
        return [_lead_type_label(v) for v in frame["dimension_value"]]
    return ["Not given" if missing(v) else str(v) for v in frame["dimension_value"]]


# Characters per line of a category's label under its bar: two words of a lead type
# ("Competitor threat") ran into the next ("At-risk customer") at 1280 pixels.
TICK_WRAP = 12


def _category_axis(values: list[str]) -> dict:
    """A category x axis whose labels wrap onto lines under their bars; the categories (and
    the hover text) keep the whole label."""
    return {"title": None, "type": "category", "tickvals": values,
            "ticktext": ["<br>".join(_wrap(v, TICK_WRAP)) for v in values]}


# Month labels under a chart at most: 24 months' labels ran into each other at 1280 pixels, and
# Plotly then turned them on their side. Beyond this, every second (third...) month is labelled,
# the latest always.
MONTH_TICKS = 12


def _month_axis(months: list[str]) -> dict:
    """A category x axis of month labels ('Nov<br>2025'), thinned to MONTH_TICKS upright labels;
    every month keeps its place and its hover text."""
    axis = {"type": "category", "title": None, "tickangle": 0}
    step = -(-len(months) // MONTH_TICKS)
    if step > 1:
        shown = months[::-1][::step][::-1]
        axis.update(tickvals=shown, ticktext=shown)
    return axis


def _cut_title(title: str, shown: int, total: int, noun: str = "techs") -> str:
    return f"{title}: top {shown:,} of {total:,} {noun}" if total > shown else title


def _wrap(text: str, width: int) -> list[str]:
    """Lines of at most `width` characters, never breaking a "(unit)" or "top 25 of 40 techs"."""
    glued = re.sub(r"\([^)]*\)|top \d+ of \d+ \w+", lambda m: m.group(0).replace(" ", "\u00a0"),
                   text)
    return [line.replace("\u00a0", " ") for line in textwrap.wrap(glued, width)] or [""]


def _figure(title: str, subtitle: str | None = None, rows: int | None = None,
            **layout) -> go.Figure:
    """A new figure in the LeadBridge template with its title (and an optional subtitle).

    Titles and subtitles are wrapped so that they fit a half-width chart on a laptop, and the
    top margin grows with the extra lines. A chart of one bar per row (`rows` of them) is about
    ROW_HEIGHT pixels per bar tall below its title: with one tech picked, a fixed height drew one
    bar 300 pixels thick."""
    title_lines, subtitle_lines = _wrap(title, TITLE_WRAP), _wrap(subtitle or "", SUBTITLE_WRAP)
    extra = (len(title_lines) - 1) * TITLE_SIZE * 1.3 + (len(subtitle_lines) - 1) * SUBTITLE_SIZE * 1.3
    if rows is not None:
        layout["height"] = TOP_MARGIN + int(extra) + 90 + ROW_HEIGHT * max(rows, MIN_ROWS)
    fig = go.Figure()
    fig.update_layout(
        template=TEMPLATE_NAME,
        title={"text": "<br>".join(title_lines), "subtitle": {"text": "<br>".join(subtitle_lines)}},
        margin={"t": TOP_MARGIN + int(extra)},
        **layout,
    )
    return fig


def _hover(texts: Iterable[str]) -> dict:
    """Trace arguments for hover text prepared in Python (formatted numbers, no NaN)."""
    return {"customdata": list(texts), "hovertemplate": "%{customdata}<extra></extra>"}


# ---- public API ---------------------------------------------------------------------------


def empty(title: str, note: str) -> go.Figure:
    """The figure for nothing to show: the chart's title and the note in the middle, no axes."""
    return _figure(
        title,
        height=EMPTY_HEIGHT,
        showlegend=False,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{
            "text": note,
            "x": 0.5,
            "y": 0.5,
            "xref": "paper",
            "yref": "paper",
            "showarrow": False,
            "font": {"size": FONT_SIZE + 2, "color": TEXT_GREY},
        }],
    )


def kpi_delta(current, previous) -> float | None:
    """Relative change from previous to current (0.25 = up 25 %); None when it has no meaning."""
    if missing(current) or missing(previous) or float(previous) == 0:
        return None
    return (float(current) - float(previous)) / abs(float(previous))


def monthly_leads(monthly: pd.DataFrame, note: str) -> go.Figure:
    """Leads per submission month stacked won / lost / still open, with conversion as a line."""
    title = "Leads submitted per month by outcome (leads) and conversion (%)"
    if _is_empty(monthly) or _all_zero(monthly["leads_submitted"]):
        return empty(title, note)
    df = monthly.sort_values("month")
    months = [_month_label(m) for m in df["month"]]
    rows = list(zip(df["leads_submitted"], df["leads_won"], df["leads_lost"], df["leads_open"],
                    df["conversion_rate"], df["open_share"], strict=True))
    maturing = [_num(share) > MATURING_OPEN_SHARE for *_, share in rows]
    subtitle = "Hatched = still open: recent months' conversion is still maturing"
    if any(maturing):
        subtitle += f" (hollow dot: over {_pct(MATURING_OPEN_SHARE)} open)"
    fig = _figure(title, subtitle, barmode="stack", hovermode="x unified")
    fig.add_bar(
        x=months, y=df["leads_won"].tolist(), name="Won", marker_color=STATUS_COLORS["won"],
        **_hover(f"Won: {_plural(won, 'lead')}" for _, won, *_ in rows),
    )
    fig.add_bar(
        x=months, y=df["leads_lost"].tolist(), name="Lost", marker_color=STATUS_COLORS["lost"],
        **_hover(f"Lost: {_plural(lost, 'lead')}" for _, _, lost, *_ in rows),
    )
    fig.add_bar(
        x=months, y=df["leads_open"].tolist(), name="Still open",
        marker={"color": LIGHT_GREY, "pattern": {"shape": "/", "fgcolor": GREY, "solidity": 0.4}},
        **_hover(f"Still open: {_plural(r[3], 'lead')} ({_pct(r[5])} of submitted)" for r in rows),
    )
    fig.add_scatter(
        x=months, y=_nullable(df["conversion_rate"]), name="Conversion", yaxis="y2",
        mode="lines+markers", line={"color": BLUE},
        marker={"color": BLUE, "size": 11, "line": {"color": BLUE, "width": 2},
                "symbol": ["circle-open" if m else "circle" for m in maturing]},
        **_hover(
            f"Conversion: {_pct(rate)} ({_count(won)} of {_plural(n, 'lead')} won"
            f"{', still maturing' if m else ''})"
            for (n, won, _, _, rate, _), m in zip(rows, maturing, strict=True)
        ),
    )
    fig.update_layout(
        xaxis=_month_axis(months),
        yaxis={"title": "Leads submitted", "rangemode": "tozero", **COUNT_AXIS},
        yaxis2={"title": "Conversion", "overlaying": "y", "side": "right", "range": [0, 1.05],
                "tickvals": [0, 0.25, 0.5, 0.75, 1], "showgrid": False, "zeroline": False,
                **RATE_AXIS},
    )
    return fig


def revenue_vs_reward(monthly: pd.DataFrame, note: str, cumulative: bool = False) -> go.Figure:
    """Revenue attributed and reward cost per month ($), or both summed up over the period."""
    if cumulative:
        title = "Cumulative revenue attributed and reward cost ($)"
        subtitle = "Running totals since the start of the period"
    else:
        title = "Revenue attributed and reward cost per month ($)"
        subtitle = "Revenue of deals closed in the month; rewards paid in the month"
    if _is_empty(monthly) or (_all_zero(monthly["revenue_attributed"])
                              and _all_zero(monthly["reward_cost"])):
        return empty(title, note)
    df = monthly.sort_values("month")
    months = [_month_label(m) for m in df["month"]]
    revenue = df["revenue_attributed"].fillna(0).astype(float)
    reward = df["reward_cost"].fillna(0).astype(float)
    deals = df["deals_won"].fillna(0).astype(int)
    if cumulative:
        revenue, reward, deals = revenue.cumsum(), reward.cumsum(), deals.cumsum()
    fig = _figure(title, subtitle, hovermode="x unified", barmode="group")
    revenue_hover = _hover(
        f"{'Revenue so far' if cumulative else 'Revenue attributed'}: {_money(r)} "
        f"({_plural(d, 'deal')} won)" for r, d in zip(revenue, deals, strict=True)
    )
    reward_hover = _hover(
        f"{'Rewards so far' if cumulative else 'Reward cost'}: {_money(c)}" for c in reward
    )
    if cumulative:
        fig.add_scatter(x=months, y=revenue.tolist(), name="Revenue attributed",
                        mode="lines+markers", line_color=BLUE, marker_color=BLUE, **revenue_hover)
        fig.add_scatter(x=months, y=reward.tolist(), name="Reward cost",
                        mode="lines+markers", line_color=ORANGE, marker_color=ORANGE,
                        **reward_hover)
    else:
        fig.add_bar(x=months, y=revenue.tolist(), name="Revenue attributed", marker_color=BLUE,
                    **revenue_hover)
        fig.add_bar(x=months, y=reward.tolist(), name="Reward cost", marker_color=ORANGE,
                    **reward_hover)
    fig.update_layout(
        xaxis=_month_axis(months),
        yaxis={"title": "Dollars", **MONEY_AXIS},
    )
    return fig


def tech_volume(by_tech: pd.DataFrame, note: str, top: int = 25) -> go.Figure:
    """Leads per tech stacked won / lost / open, the techs with most leads at the top."""
    title = "Leads submitted per tech by outcome (leads)"
    df = by_tech if _is_empty(by_tech) else by_tech[by_tech["leads_submitted"].fillna(0) > 0]
    if _is_empty(df):
        return empty(title, note)
    df = df.assign(_name=tech_labels(df))
    df = df.sort_values(["leads_submitted", "_name"], ascending=[False, True])
    total = len(df)
    df = df.head(max(top, 1))
    names = df["_name"].tolist()
    fig = _figure(_cut_title(title, len(df), total), "Most leads at the top",
                  barmode="stack", hovermode="y unified", rows=len(df))
    for status, column, label in (("won", "leads_won", "Won"), ("lost", "leads_lost", "Lost"),
                                  ("open", "leads_open", "Still open")):
        fig.add_bar(
            x=df[column].tolist(), y=names, orientation="h", name=label,
            marker_color=STATUS_COLORS[status],
            **_hover(f"{label}: {_count(v)} of {_plural(n, 'lead')}"
                     for v, n in zip(df[column], df["leads_submitted"], strict=True)),
        )
    fig.update_layout(
        xaxis={"title": "Leads submitted", "rangemode": "tozero", **COUNT_AXIS},
        yaxis={"title": None, "autorange": "reversed", "categoryorder": "array",
               "categoryarray": names, "type": "category", "gridcolor": "rgba(0,0,0,0)"},
    )
    return fig


def tech_conversion(by_tech: pd.DataFrame, note: str, top: int = 25) -> go.Figure:
    """Conversion per tech with its 95 % Wilson interval, sorted by the interval's low end."""
    title = "Conversion per tech with 95 % interval (%)"
    df = by_tech if _is_empty(by_tech) else by_tech[
        (by_tech["leads_submitted"].fillna(0) > 0) & by_tech["conversion_rate"].notna()]
    if _is_empty(df):
        return empty(title, note)
    overall = df["leads_won"].sum() / df["leads_submitted"].sum()
    df = df.assign(
        _name=tech_labels(df),
        _low=df["conversion_ci_low"].fillna(df["conversion_rate"]),
        _high=df["conversion_ci_high"].fillna(df["conversion_rate"]),
    )
    df = df.sort_values(["_low", "leads_submitted", "_name"], ascending=[False, False, True])
    total = len(df)
    df = df.head(max(top, 1))
    names = df["_name"].tolist()
    rate = df["conversion_rate"].astype(float)
    fig = _figure(
        _cut_title(title, len(df), total),
        "Dot: conversion; bar: 95 % interval (wide with few leads); sorted by the interval's "
        "low end",
        rows=len(df), showlegend=False,
    )
    fig.add_scatter(
        x=rate.tolist(), y=names, mode="markers", name="Conversion",
        marker={"color": BLUE, "size": 12},
        error_x={"type": "data", "symmetric": False,
                 "array": (df["_high"] - rate).tolist(),
                 "arrayminus": (rate - df["_low"]).tolist(),
                 "color": GREY, "thickness": 2.5, "width": 6},
        **_hover(
            f"<b>{name}</b><br>{_count(won)} of {_plural(n, 'lead')} won ({_pct(r)}), "
            f"95 % interval {_num(lo) * 100:.0f}–{_num(hi) * 100:.0f} %"
            for name, won, n, r, lo, hi in zip(names, df["leads_won"], df["leads_submitted"],
                                               rate, df["_low"], df["_high"], strict=True)
        ),
    )
    fig.add_vline(x=overall, line={"color": BLACK, "dash": "dash", "width": 1.5},
                  annotation={"text": f"All techs {_pct(overall)}", "yanchor": "bottom"},
                  annotation_position="top")
    fig.update_layout(
        xaxis={"title": "Conversion (leads won ÷ leads submitted)", "range": [0, 1.02],
               **RATE_AXIS},
        yaxis={"title": None, "autorange": "reversed", "type": "category",
               "categoryorder": "array", "categoryarray": names},
    )
    return fig


# The most bubbles the volume-vs-conversion chart draws. A browser draws each as an SVG node
# with its hover text: 5,300 techs (a national company) took seconds to draw and make one
# unreadable cloud; the highest-volume techs are the ones the quadrants are about.
MAX_BUBBLES = 500


def volume_vs_conversion(by_tech: pd.DataFrame, note: str,
                         most: int = MAX_BUBBLES) -> go.Figure:
    """One bubble per tech: leads submitted against conversion, sized by revenue attributed.
    Above `most` techs, the `most` with the most leads (the median and overall lines still
    count every tech)."""
    title = "Lead volume (leads) vs conversion (%) per tech"
    df = by_tech if _is_empty(by_tech) else by_tech[
        (by_tech["leads_submitted"].fillna(0) > 0) & by_tech["conversion_rate"].notna()]
    if _is_empty(df):
        return empty(title, note)
    median_leads = float(df["leads_submitted"].median())
    overall = df["leads_won"].sum() / df["leads_submitted"].sum()
    shown = ""
    if len(df) > most:
        shown = (f"The {_count(most)} techs with the most leads of {_count(len(df))} (all in "
                 "the leaderboard). ")
        df = df.sort_values(["leads_submitted", "tech_id"], ascending=[False, True]).head(most)
    # Without per-person money (a viewer) the engine leaves revenue out: bubbles of one size.
    money = "revenue_attributed" in df
    df = df.assign(_name=tech_labels(df),
                   _revenue=df["revenue_attributed"].fillna(0).astype(float).clip(lower=0)
                   if money else 0.0)
    fig = _figure(
        title,
        f"{shown}{'Bubble size: revenue attributed ($). ' if money else ''}Lines: median tech "
        f"({median_leads:g} leads) and all techs' conversion ({_pct(overall)})",
    )
    biggest = df["_revenue"].max()
    # Bubble area proportional to revenue; the largest bubble is 46 px across.
    marker = ({"sizemode": "area", "sizeref": 2.0 * biggest / 46**2, "sizemin": 6}
              if biggest > 0 else {"sizemode": "diameter"})
    groups: list[tuple[str | None, pd.DataFrame]] = [(None, df)]
    if "branch" in df:
        branches = df["branch"].astype(object).where(df["branch"].notna(), "Unassigned")
        if 1 < branches.nunique() <= len(PALETTE):
            groups = [(b, df[branches == b]) for b in sorted(branches.unique())]
    for i, (branch, part) in enumerate(groups):
        sizes = part["_revenue"].tolist() if biggest > 0 else [14] * len(part)
        fig.add_scatter(
            x=part["leads_submitted"].tolist(), y=part["conversion_rate"].astype(float).tolist(),
            mode="markers", name=branch or "Techs", showlegend=branch is not None,
            marker={**marker, "size": sizes, "color": PALETTE[i % len(PALETTE)], "opacity": 0.75,
                    "line": {"color": "white", "width": 1}},
            **_hover(
                f"<b>{name}</b>{f' ({branch})' if branch else ''}<br>"
                f"{_plural(n, 'lead')} submitted, {_count(won)} won ({_pct(r)})"
                f"{f'<br>Revenue attributed: {_money(rev)}' if money else ''}"
                for name, n, won, r, rev in zip(part["_name"], part["leads_submitted"],
                                                part["leads_won"], part["conversion_rate"],
                                                part["revenue_attributed"] if money
                                                else part["_revenue"], strict=True)
            ),
        )
    line = {"color": GREY, "dash": "dash", "width": 1.5}
    fig.add_vline(x=median_leads, line=line)
    fig.add_hline(y=overall, line=line)
    corners = (("High volume, high conversion", 1, 1), ("Low volume, high conversion", 0, 1),
               ("Low volume, low conversion", 0, 0), ("High volume, low conversion", 1, 0))
    for text, x, y in corners:
        fig.add_annotation(text=text, x=x, y=y, xref="paper", yref="paper", showarrow=False,
                           xanchor="right" if x else "left", yanchor="top" if y else "bottom",
                           bgcolor="rgba(255,255,255,0.7)")
    fig.update_layout(
        xaxis={"title": "Leads submitted", "rangemode": "tozero", **COUNT_AXIS},
        yaxis={"title": "Conversion", "range": [0, 1.05], **RATE_AXIS},
        legend={"title": {"text": "Branch "}},
    )
    return fig


def leads_per_100_jobs(frame: pd.DataFrame, note: str, top: int = 25) -> go.Figure:
    """Leads per 100 service jobs run, per tech, highest at the top."""
    title = "Leads per 100 service jobs per tech (leads per 100 jobs)"
    df = frame if _is_empty(frame) else frame[frame["jobs"].fillna(0) > 0]
    if _is_empty(df):
        return empty(title, note)
    overall = 100.0 * df["leads_submitted"].sum() / df["jobs"].sum()
    df = df.assign(_name=tech_labels(df))
    df = df.sort_values(["leads_per_100_jobs", "_name"], ascending=[False, True])
    total = len(df)
    df = df.head(max(top, 1))
    names = df["_name"].tolist()
    fig = _figure(_cut_title(title, len(df), total), "Highest at the top",
                  showlegend=False, rows=len(df))
    fig.add_bar(
        x=df["leads_per_100_jobs"].astype(float).tolist(), y=names, orientation="h",
        name="Leads per 100 jobs", marker_color=BLUE,
        text=[f"{v:.1f}" for v in df["leads_per_100_jobs"]], textposition="outside",
        **_hover(
            f"<b>{name}</b><br>{v:.1f} leads per 100 jobs<br>"
            f"{_plural(n, 'lead')} from {_plural(jobs, 'job')}"
            for name, v, n, jobs in zip(names, df["leads_per_100_jobs"], df["leads_submitted"],
                                        df["jobs"], strict=True)
        ),
    )
    fig.add_vline(x=overall, line={"color": BLACK, "dash": "dash", "width": 1.5},
                  annotation={"text": f"All techs {overall:.1f}", "yanchor": "bottom"},
                  annotation_position="top")
    fig.update_layout(
        xaxis={"title": "Leads per 100 jobs", "rangemode": "tozero"},
        yaxis={"title": None, "autorange": "reversed", "type": "category",
               "categoryorder": "array", "categoryarray": names},
    )
    return fig


def funnel(funnel: pd.DataFrame, note: str) -> go.Figure:
    """How far the period's leads got, stage by stage, as counts and % of submitted."""
    title = "How far the period's leads got (leads, % of submitted)"
    if _is_empty(funnel) or _num(funnel["submitted"].iloc[0]) == 0:
        return empty(title, note)
    row = funnel.iloc[0]
    stages = (("submitted", "Submitted", BLACK),
              ("contacted", "Contacted", STATUS_COLORS["contacted"]),
              ("qualified", "Qualified", STATUS_COLORS["qualified"]),
              ("quoted", "Quoted", STATUS_COLORS["quoted"]),
              ("won", "Won", STATUS_COLORS["won"]))
    counts = [int(_num(row[key])) for key, _, _ in stages]
    fig = _figure(title, "A lead counts at every stage it reached", showlegend=False)
    fig.add_trace(go.Funnel(
        y=[label for _, label, _ in stages], x=counts, name="Leads",
        text=[f"{_count(n)} ({_pct(n / counts[0])})" for n in counts], texttemplate="%{text}",
        textposition="inside", textfont={"size": FONT_SIZE},
        marker={"color": [color for *_, color in stages]},
        connector={"fillcolor": "#EEEEEE", "line": {"width": 0}},
        **_hover(f"{label}: {_plural(n, 'lead')} ({_pct(n / counts[0])} of submitted)"
                 for (_, label, _), n in zip(stages, counts, strict=True)),
    ))
    fig.update_layout(xaxis={"visible": False}, yaxis={"title": None, "gridcolor": "rgba(0,0,0,0)"})
    return fig


def _dimension_rows(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """The frame with a `_value` column to show, lead types in their fixed order."""
    df = frame.assign(_value=_values(frame, label))
    if label == "lead type":
        df = df.assign(_rank=[contract.lead_type_rank(v) for v in df["dimension_value"]])
        df = df.sort_values(["_rank", "_value"])
    return df


def conversion_by(frame: pd.DataFrame, label: str, note: str) -> go.Figure:
    """Conversion and win rate per value of a dimension (lead type, branch, sales rep)."""
    title = f"Conversion and win rate by {label} (%)"
    df = frame if _is_empty(frame) else frame[frame["leads_submitted"].fillna(0) > 0]
    if _is_empty(df):
        return empty(title, note)
    df = _dimension_rows(df, label)
    x = df["_value"].tolist()
    fig = _figure(title, "Conversion: won ÷ submitted. Win rate: won ÷ (won + lost)",
                  barmode="group", hovermode="x unified")
    fig.add_bar(
        x=x, y=_nullable(df["conversion_rate"]), name="Conversion", marker_color=BLUE,
        text=_share_labels(df["conversion_rate"]), texttemplate="%{text}", textposition="outside",
        **_hover(f"Conversion: {_pct(r)} ({_count(won)} of {_plural(n, 'lead')} won)"
                 for r, won, n in zip(df["conversion_rate"], df["leads_won"],
                                      df["leads_submitted"], strict=True)),
    )
    fig.add_bar(
        x=x, y=_nullable(df["win_rate"]), name="Win rate", marker_color=ORANGE,
        text=_share_labels(df["win_rate"]), texttemplate="%{text}", textposition="outside",
        **_hover(
            "Win rate: none closed yet" if missing(r) else
            f"Win rate: {_pct(r)} ({_count(won)} won of {_count(_num(won) + _num(lost))} closed)"
            for r, won, lost in zip(df["win_rate"], df["leads_won"], df["leads_lost"], strict=True)
        ),
    )
    fig.update_layout(
        xaxis=_category_axis(x),
        yaxis={"title": "Share of leads", "range": [0, 1.1], **RATE_AXIS},
    )
    return fig


def revenue_by(frame: pd.DataFrame, label: str, note: str) -> go.Figure:
    """Revenue attributed per value of a dimension, largest first."""
    title = f"Revenue attributed by {label} ($)"
    if _is_empty(frame) or _all_zero(frame["revenue_attributed"]):
        return empty(title, note)
    df = _dimension_rows(frame, label)
    df = df.assign(_revenue=df["revenue_attributed"].fillna(0).astype(float))
    df = df.sort_values(["_revenue", "_value"], ascending=[False, True])
    fig = _figure(title, "Revenue of tech leads won in the period", showlegend=False)
    fig.add_bar(
        x=df["_value"].tolist(), y=df["_revenue"].tolist(), name="Revenue attributed",
        marker_color=BLUE, texttemplate="%{y:$.3s}", textposition="outside",
        **_hover(f"<b>{v}</b><br>{_money(r)} from {_plural(d, 'deal')} won"
                 for v, r, d in zip(df["_value"], df["_revenue"], df["deals_won"], strict=True)),
    )
    fig.update_layout(xaxis=_category_axis(df["_value"].tolist()),
                      yaxis={"title": "Revenue attributed", **MONEY_AXIS})
    return fig


def _age_label(months: int) -> str:
    return "In the month submitted" if months == 0 else f"{_plural(months, 'month')} later"


# The cohort heatmap's colours: Plotly's "Blues" from white up to its middle blue, so that one
# dark ink reads on every cell (4.5:1 at least, WCAG's AA; a test checks). On the full scale
# Plotly picked the ink per cell and it flipped between neighbours: '58%' dark on mid-blue beside
# '60%' white on nearly the same blue.
HEATMAP_SCALE = [[i / 5, color] for i, color in enumerate(
    pcolors.sample_colorscale("Blues", [i * 0.6 / 5 for i in range(6)]))]
HEATMAP_INK = "#1A1A1A"


def cohort_heatmap(frame: pd.DataFrame, note: str) -> go.Figure:
    """Cumulative conversion of each month's leads by months since submission."""
    title = "Cumulative conversion by month submitted and age (%)"
    if _is_empty(frame):
        return empty(title, note)
    df = frame.assign(_month=frame["cohort_month"].astype(str).str[:7],
                      _age=frame["months_since"].astype(int))
    cohorts = sorted(df["_month"].unique())
    ages = list(range(0, int(df["_age"].max()) + 1))
    z = (df.pivot_table(index="_month", columns="_age", values="conversion_rate", aggfunc="first")
         .reindex(index=cohorts, columns=ages))
    cells = {
        (m, a): (f"<b>Submitted {_month_label(m, ' ')}</b> ({_plural(n, 'lead')})<br>"
                 f"{_age_label(a)}: {_count(won)} won so far ({_pct(r)})")
        for m, a, n, won, r in zip(df["_month"], df["_age"], df["leads_submitted"],
                                   df["leads_won_by_then"], df["conversion_rate"], strict=True)
    }
    hover = [[cells.get((m, a), "") for a in ages] for m in cohorts]
    shares = z.to_numpy().tolist()
    fig = _figure(
        title,
        "Rows: the leads of one month. Along a row: share won by then, as deals keep closing",
        height=max(DEFAULT_HEIGHT, TOP_MARGIN + 120 + 28 * len(cohorts)),
    )
    fig.add_trace(go.Heatmap(
        z=[_nullable(row) for row in shares],
        x=ages, y=[_month_label(m, " ") for m in cohorts],
        colorscale=HEATMAP_SCALE, zmin=0, zmax=1, xgap=2, ygap=2,
        text=[_share_labels(row) for row in shares], texttemplate="%{text}",
        textfont={"size": FONT_SIZE - 2, "color": HEATMAP_INK},
        colorbar={"title": {"text": "Won"}, "tickformat": ".0%", "thickness": 14},
        customdata=hover, hovertemplate="%{customdata}<extra></extra>",
    ))
    fig.update_layout(
        xaxis={"title": "Months since submission (0 = the month submitted)", "dtick": 1,
               "side": "top", "showgrid": False, "ticks": ""},
        yaxis={"title": None, "autorange": "reversed", "type": "category", "showgrid": False},
        margin={"t": TOP_MARGIN + 30},
    )
    return fig


def time_to_close(frame: pd.DataFrame, note: str) -> go.Figure:
    """Deals won in the period by days from submission to close."""
    title = "Deals won by days from submission to close (deals)"
    if _is_empty(frame) or _all_zero(frame["deals_won"]):
        return empty(title, note)
    df = frame.sort_values("bucket_order")
    total = df["deals_won"].sum()
    colors = [VERMILLION if b == "date error" else BLUE for b in df["bucket"]]
    fig = _figure(title, "Deals closed in the period, whatever month they were submitted",
                  showlegend=False)
    fig.add_bar(
        x=df["bucket"].tolist(), y=df["deals_won"].tolist(), name="Deals won",
        marker_color=colors, texttemplate="%{y:,}", textposition="outside",
        **_hover(
            f"<b>{b}</b><br>{_plural(n, 'deal')} ({_pct(n / total)} of deals won)"
            + ("<br>Close date before submission" if b == "date error" else "")
            for b, n in zip(df["bucket"], df["deals_won"], strict=True)
        ),
    )
    fig.update_layout(xaxis={"title": "Days from submission to close", "type": "category"},
                      yaxis={"title": "Deals won", "rangemode": "tozero", **COUNT_AXIS})
    return fig


def lost_reasons(frame: pd.DataFrame, note: str) -> go.Figure:
    """Leads lost in the period by reason, the most common first."""
    title = "Leads lost by reason (leads, % of lost)"
    if _is_empty(frame) or _all_zero(frame["leads_lost"]):
        return empty(title, note)
    df = frame.assign(
        _reason=["Not given" if missing(r) else str(r) for r in frame["loss_reason"]])
    df = df.sort_values(["leads_lost", "_reason"], ascending=[False, True])
    reasons = df["_reason"].tolist()
    fig = _figure(title, "Leads lost with their close date in the period", showlegend=False,
                  rows=len(df))
    fig.add_bar(
        x=df["leads_lost"].tolist(), y=reasons, orientation="h", name="Leads lost",
        marker_color=STATUS_COLORS["lost"],
        text=[f"{_count(n)} ({_pct(s)})" for n, s in zip(df["leads_lost"], df["share"],
                                                        strict=True)],
        textposition="outside",
        **_hover(f"<b>{r}</b><br>{_plural(n, 'lead')} lost ({_pct(s)} of lost leads)"
                 for r, n, s in zip(reasons, df["leads_lost"], df["share"], strict=True)),
    )
    fig.update_layout(
        xaxis={"title": "Leads lost", "range": [0, 1.25 * float(df["leads_lost"].max())],
               **COUNT_AXIS},
        yaxis={"title": None, "autorange": "reversed", "type": "category",
               "categoryorder": "array", "categoryarray": reasons},
    )
    return fig


def reward_cost_by_month(frame: pd.DataFrame, note: str) -> go.Figure:
    """Rewards paid per month stacked by reason, clawbacks below zero, net cost as a line."""
    title = "Reward cost per month by reason ($)"
    if _is_empty(frame) or (_all_zero(frame["amount"]) and _all_zero(frame["clawback_amount"])):
        return empty(title, note)
    df = frame.assign(
        _month=frame["month"].astype(str).str[:7],
        _reason=["Not given" if missing(r) else str(r) for r in frame["reason"]],
        _claw=frame["clawback_amount"].fillna(0).astype(float),
        _clawbacks=frame["clawbacks"].fillna(0).astype(int),
    )
    df = df.assign(_paid=df["amount"].fillna(0).astype(float) - df["_claw"],
                   _payments=df["payouts"].fillna(0).astype(int) - df["_clawbacks"])
    months = _month_range(df["_month"])
    x = [_month_label(m) for m in months]
    fig = _figure(title, "Clawbacks below zero; the line is the net cost",
                  barmode="relative", hovermode="x unified")

    def by_month(part: pd.DataFrame, column: str) -> list:
        values = part.groupby("_month")[column].sum()
        return [None if _num(values.get(m)) == 0 else float(values.get(m)) for m in months]

    def counts(part: pd.DataFrame, column: str) -> pd.Series:
        return part.groupby("_month")[column].sum()

    paid = df.groupby("_reason")["_paid"].sum()
    clawed = df.groupby("_reason")["_claw"].sum()
    colors = [c for c in PALETTE if c not in (VERMILLION, BLACK)]
    for i, reason in enumerate(r for r in paid.sort_values(ascending=False).index
                               if paid[r] != 0):
        part = df[df["_reason"] == reason]
        y, n = by_month(part, "_paid"), counts(part, "_payments")
        fig.add_bar(
            x=x, y=y, name=reason, marker_color=colors[i % len(colors)],
            **_hover(f"{reason}: {_money(v)} ({_plural(n.get(m, 0), 'payout')})"
                     for v, m in zip(y, months, strict=True)),
        )
    for i, reason in enumerate(r for r in clawed.sort_values().index if clawed[r] != 0):
        part = df[df["_reason"] == reason]
        y, n = by_month(part, "_claw"), counts(part, "_clawbacks")
        name = f"{reason} (clawed back)" if paid.get(reason, 0) != 0 else reason
        fig.add_bar(
            x=x, y=y, name=name,
            # "overlay": white hatching over the bar's vermillion. Plotly's default replaces the
            # colour with the hatching: white on white, the bar and its legend swatch unseen.
            marker={"color": VERMILLION, "pattern": {
                "shape": CLAWBACK_PATTERNS[i % len(CLAWBACK_PATTERNS)], "fgcolor": "white",
                "solidity": 0.3, "fillmode": "overlay"}},
            **_hover(f"{name}: {_money(v)} ({_plural(n.get(m, 0), 'clawback')})"
                     for v, m in zip(y, months, strict=True)),
        )
    net = df.groupby("_month")["amount"].sum()
    net_y = [_num(net.get(m)) for m in months]
    fig.add_scatter(
        x=x, y=net_y, name="Net reward cost", mode="lines+markers",
        line={"color": BLACK, "width": 2}, marker={"color": BLACK, "size": 8},
        **_hover(f"<b>Net reward cost: {_money(v)}</b>" for v in net_y),
    )
    fig.update_layout(xaxis=_month_axis(x),
                      yaxis={"title": "Rewards paid", "zerolinecolor": "#555555",
                             "zerolinewidth": 2, **SIGNED_MONEY_AXIS})
    return fig


def contact_speed(frame: pd.DataFrame, label: str, note: str) -> go.Figure:
    """Days to first sales contact per value: median bar, 90th percentile marker, slowest first."""
    title = f"Days to first sales contact by {label} (days)"
    if _is_empty(frame):
        return empty(title, note)
    df = frame.assign(
        _value=_values(frame, label),
        _median=frame["median_days_to_contact"].astype(float),
        _p90=frame["p90_days_to_contact"].astype(float),
    )
    # Values with no lead contacted at all are the slowest of all: they come first.
    df = df.assign(_sort_median=df["_median"].fillna(math.inf),
                   _sort_p90=df["_p90"].fillna(math.inf))
    df = df.sort_values(["_sort_median", "_sort_p90", "_value"], ascending=[False, False, True])
    values = df["_value"].tolist()
    details = [
        f"{_count(c)} of {_plural(n, 'lead')} contacted, {_pct(share)} within a week<br>"
        f"{_plural(wait, 'lead')} waiting a week or more for a first contact"
        for c, n, share, wait in zip(df["leads_contacted"], df["leads"],
                                     df["contacted_within_7d_share"], df["awaiting_contact_7d"],
                                     strict=True)
    ]
    fig = _figure(title, "Bar: median; diamond: 90th percentile (9 in 10 contacted by then)",
                  hovermode="y unified", rows=len(df))
    fig.add_bar(
        x=_nullable(df["_median"]), y=values, orientation="h", name="Median", marker_color=BLUE,
        **_hover(f"Median: {_days(m)}<br>{d}"
                 for m, d in zip(df["_median"], details, strict=True)),
    )
    fig.add_scatter(
        x=_nullable(df["_p90"]), y=values, mode="markers", name="90th percentile",
        marker={"symbol": "diamond", "size": 14, "color": ORANGE,
                "line": {"color": BLACK, "width": 1}},
        **_hover(f"90th percentile: {_days(p)}" for p in df["_p90"]),
    )
    never = df["_median"].isna().tolist()
    if any(never):
        fig.add_scatter(
            x=[0] * sum(never), y=[v for v, n in zip(values, never, strict=True) if n],
            mode="markers", name="None contacted yet", cliponaxis=False,  # whole, on the axis
            marker={"symbol": "x-thin", "size": 14, "line": {"color": VERMILLION, "width": 3}},
            **_hover(f"None contacted yet<br>{d}"
                     for d, n in zip(details, never, strict=True) if n),
        )
    # The week mark is a legend entry, not a label, so it never covers the legend or a bar.
    fig.add_vline(x=7, line={"color": BLACK, "dash": "dash", "width": 1.5},
                  showlegend=True, name="One week")
    fig.update_layout(
        xaxis={"title": "Days from submission to first contact", "rangemode": "tozero"},
        yaxis={"title": None, "autorange": "reversed", "type": "category",
               "categoryorder": "array", "categoryarray": values},
    )
    return fig


def open_by_age(frame: pd.DataFrame, note: str) -> go.Figure:
    """The open backlog by days since submission, stacked by status."""
    title = "Open leads by days since submission and status (leads)"
    if _is_empty(frame) or _all_zero(frame["leads"]):
        return empty(title, note)
    df = frame.assign(_bucket=frame["bucket_order"].astype(int),
                      _status=frame["status"].astype(str))
    buckets = list(range(1, len(AGE_BUCKETS) + 1))
    statuses = [s for s in OPEN_STATUSES if s in set(df["_status"])]
    statuses += sorted(set(df["_status"]) - set(OPEN_STATUSES))
    fig = _figure(title, "Leads not won or lost yet, by how long ago they were submitted",
                  barmode="stack", hovermode="x unified")
    for status in statuses:
        counts = df[df["_status"] == status].groupby("_bucket")["leads"].sum()
        y = [int(_num(counts.get(b))) for b in buckets]
        label = STATUS_LABELS.get(status, status.capitalize())
        fig.add_bar(
            x=list(AGE_BUCKETS), y=y, name=label,
            marker_color=STATUS_COLORS.get(status, GREY),
            **_hover(f"{label}: {_plural(n, 'lead')}" for n in y),
        )
    fig.update_layout(
        xaxis={"title": "Days since submission", "type": "category", "categoryorder": "array",
               "categoryarray": list(AGE_BUCKETS)},
        yaxis={"title": "Open leads", "rangemode": "tozero", **COUNT_AXIS},
    )
    return fig


# ---- the Meeting page ---------------------------------------------------------------------

# What a ranking of techs counts: its axis label, the unit in its title, its axis and bar text.
RANKING_MEASURES = {
    "leads_submitted": ("Leads submitted", "leads", COUNT_AXIS, _count),
    "deals_won": ("Won deals", "deals", COUNT_AXIS, _count),
    "revenue_attributed": ("Won revenue", "$", MONEY_AXIS, _money),
}
# Sizes of the Meeting page's charts: read from the back of a room on a projector.
SLIDE_FONT_SIZE = 20
# Table text on a slide: a little smaller, two points less again for six columns or more, so
# that they share a laptop's width.
TABLE_FONT_SIZE = 18
SLIDE_ROW_HEIGHT = 40
# A chart's height on a slide: most of a projected 1080-pixel screen below the slide's title.
SLIDE_HEIGHT = 580


def top_techs(frame: pd.DataFrame, measure: str, title: str, note: str) -> go.Figure:
    """A ranking of techs by one measure (leads, won deals or won revenue), the first at the top.

    The frame is meeting.top_techs' (columns `tech` and the measure), already in rank order."""
    label, unit, axis, shown = RANKING_MEASURES[measure]
    title = f"{title} ({unit})"
    if _is_empty(frame) or measure not in frame or _all_zero(frame[measure]):
        return empty(title, note)
    names = [str(n) for n in frame["tech"]]
    values = [_num(v) for v in frame[measure]]
    fig = _figure(title, showlegend=False,
                  height=max(EMPTY_HEIGHT, TOP_MARGIN + 30 + 1.2 * SLIDE_ROW_HEIGHT * len(names)),
                  font={"size": SLIDE_FONT_SIZE})
    fig.add_bar(
        x=values, y=names, orientation="h", name=label, marker_color=BLUE,
        text=[shown(v) for v in values], textposition="outside",
        textfont={"size": SLIDE_FONT_SIZE},
        **_hover(f"<b>{n}</b><br>{label}: {shown(v)}" for n, v in zip(names, values, strict=True)),
    )
    fig.update_layout(
        margin={"t": TOP_MARGIN - 50},
        xaxis={"title": label, "range": [0, 1.25 * max(values)], **axis},
        yaxis={"title": None, "autorange": "reversed", "type": "category",
               "categoryorder": "array", "categoryarray": names,
               "tickfont": {"size": SLIDE_FONT_SIZE}},
    )
    return fig


def slide_table(header: list[str], rows: list[list[str]], title: str, note: str) -> go.Figure:
    """A table in large type for a projector: the header and rows as the text to show."""
    if not rows:
        return empty(title, note)
    columns = [[str(v) for v in col] for col in zip(*rows, strict=True)]
    # Each column as wide as its longest text needs, so that long names wrap the least.
    widths = [max(1.5 * len(h), *(len(str(v)) for v in col)) + 4
              for h, col in zip(header, columns, strict=True)]  # bold headers run wider
    size = TABLE_FONT_SIZE if len(header) <= 5 else TABLE_FONT_SIZE - 2
    top = TOP_MARGIN - 60
    fig = _figure(title, showlegend=False, height=top + SLIDE_ROW_HEIGHT * (len(rows) + 1) + 20)
    fig.update_layout(margin={"l": 10, "r": 10, "b": 10, "t": top})
    fig.add_trace(go.Table(
        columnwidth=widths,
        header={"values": [f"<b>{h}</b>" for h in header], "fill_color": DARK_BLUE,
                "font": {"color": "white", "size": size}, "align": "left",
                "height": SLIDE_ROW_HEIGHT, "line_color": "white"},
        cells={"values": columns, "font": {"size": size, "color": "#222222"},
               "align": "left", "height": SLIDE_ROW_HEIGHT,
               "fill_color": [["#F2F6FA" if i % 2 else "white" for i in range(len(rows))]],
               "line_color": LIGHT_GREY},
        hoverinfo="skip",
    ))
    return fig


def projected(figure: go.Figure, height: int | None = SLIDE_HEIGHT) -> go.Figure:
    """A copy of a figure in larger type, for the Meeting page on a projector; at least `height`
    pixels tall (None keeps the figure's own height)."""
    fig = go.Figure(figure)
    if height:
        fig.update_layout(height=max(fig.layout.height or DEFAULT_HEIGHT, height))
    fig.update_layout(font={"size": SLIDE_FONT_SIZE}, title_font_size=SLIDE_FONT_SIZE + 4,
                      title_subtitle_font_size=SLIDE_FONT_SIZE - 2,
                      legend_font_size=SLIDE_FONT_SIZE - 2,
                      hoverlabel_font_size=SLIDE_FONT_SIZE - 2)
    fig.update_xaxes(tickfont_size=SLIDE_FONT_SIZE - 2, title_font_size=SLIDE_FONT_SIZE)
    fig.update_yaxes(tickfont_size=SLIDE_FONT_SIZE - 2, title_font_size=SLIDE_FONT_SIZE)
    fig.update_annotations(font_size=SLIDE_FONT_SIZE)
    fig.update_traces(textfont_size=SLIDE_FONT_SIZE - 2, selector={"type": "bar"})
    return fig


# ---- every value shown as text ----------------------------------------------------------------

_ESCAPED = contextvars.ContextVar("charts_escaped", default=False)


def _text_only(chart):
    """Wrap a chart function so that every text it is given (frame cells, names, notes, labels)
    reaches Plotly escaped: a name like '<a href=…>' is shown as written, never as a link or bold.
    The chart's own markup (<br>, <b> in hover text) is added after and stays markup. Charts that
    call other charts escape once (the outermost call)."""

    @functools.wraps(chart)
    def wrapper(*args, **kwargs):
        if _ESCAPED.get():
            return chart(*args, **kwargs)
        token = _ESCAPED.set(True)
        try:
            return chart(*(escape.plotly_arg(a) for a in args),
                         **{k: escape.plotly_arg(v) for k, v in kwargs.items()})
        finally:
            _ESCAPED.reset(token)

    return wrapper


# Every public function that makes a figure from data; `projected` restyles a finished figure.
CHARTS = tuple(
    name for name, value in list(globals().items())
    if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == __name__
    and inspect.signature(value).return_annotation in ("go.Figure", go.Figure)
    and name != "projected"
)
for _name in CHARTS:
    globals()[_name] = _text_only(globals()[_name])

"""The Streamlit side of LeadBridge: the one connection, cached queries, shared filters, tiles.

This is the only module of the package that imports Streamlit; the engine (db, importer,
metrics, charts, exports) never does. Pages call these helpers and the engine, then draw.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Collection
from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from leadbridge import (
    charts,
    contract,
    db,
    mappings,
    meeting,
    metrics,
    serve,
    text,
    ui_access,
    ui_published,
)
from leadbridge.metrics import Filters
from leadbridge.values import NO_VALUE, missing

# A safety net for `streamlit run dashboard.py` (make run and `leadbridge dashboard` do it first).
serve.navigation_only()

# Widget keys owned by this module; pages never read them, they call current_filters().
_PRESET, _FROM, _TO = "lb_preset", "lb_from", "lb_to"
_BRANCH, _TYPE, _TECH = "lb_branch", "lb_lead_type", "lb_tech"
_TECH_FIND = "lb_tech_find"
_FILTERS = "lb_filters"
# Beyond this many techs the sidebar's Technician filter is searched, not listed: a list of
# thousands of names is sent and drawn on every run of every page (at 4,989 techs, 0.18 s of
# each click in the sidebar). TECH_MATCHES is how many matches of a search it offers.
TECH_LIST_MAX, TECH_MATCHES = 500, 50
DEFAULT_PRESET = "Last 12 months"

# Query-string names of the filters: a copied link reproduces the view.
URL_KEYS = {"preset": _PRESET, "from": _FROM, "to": _TO, "branch": _BRANCH,
            "type": _TYPE, "tech": _TECH}

PLOTLY_CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


# --- data -------------------------------------------------------------------------------------


def _connection(path: str):
    # The published snapshot this run reads (read-only; a new import shows on the next rerun).
    return ui_published.snapshot(path).con


def db_file() -> str:
    """The database file this app serves."""
    return str(db.db_path())


def connection():
    """The app's one DuckDB connection (use a cursor per query: the engine does)."""
    return _connection(db_file())


def data_version() -> int:
    """The published snapshot's number: it grows with each publish, so cached results are never
    stale."""
    return ui_published.snapshot(db_file()).number


@st.cache_data(show_spinner=False, max_entries=2000)
def _query(path: str, version: int, name: str, filters: Filters | None, extra: tuple) -> pd.DataFrame:
    return metrics.run(_connection(path), name, filters, **dict(extra))


def as_person(filters: Filters | None, extra: dict) -> tuple[Filters | None, dict]:
    """A query's filters and keywords as the signed-in person may run them: their branch scope
    and money rule go with the filters, or as keywords without filters (only when they narrow:
    the engine's default is everything)."""
    person = ui_access.current_person()
    extra = dict(extra)
    if filters is not None:
        filters = filters.for_person(person)
    elif person.scope is not None or not person.money:
        extra.update(scope=person.scope, money=person.money)
    return filters, extra


# The frames ui.query handed out, by id: {id(frame): (weak reference, the query's cache key)}.
# A chart drawn from such a frame is cached by that key (a few bytes) instead of by hashing the
# frame's every cell on each rerun (Streamlit's hasher: tens of ms for a 5,000-tech leaderboard,
# five charts a page). A frame derived from it (assign, filter, merge) is a new object, not in
# here, and is hashed as before. Pages do not change a query's frame in place.
_FROM_QUERY: dict[int, tuple[weakref.ref, tuple]] = {}


def _remember(frame: pd.DataFrame, key: tuple) -> pd.DataFrame:
    ident = id(frame)
    # The entry goes when the frame does, before its id can be given to another object.
    _FROM_QUERY[ident] = (weakref.ref(frame, lambda _ref, i=ident: _FROM_QUERY.pop(i, None)), key)
    return frame


def query_key(frame) -> tuple | None:
    """The cache key of the query a frame came from unchanged (None for any other value)."""
    entry = _FROM_QUERY.get(id(frame)) if isinstance(frame, pd.DataFrame) else None
    return entry[1] if entry is not None and entry[0]() is frame else None


def query(name: str, filters: Filters | None = None, **extra) -> pd.DataFrame:
    """A query's result as the signed-in person may see it (see as_person), cached by (query,
    parameters, data version)."""
    filters, extra = as_person(filters, extra)
    key = (db_file(), data_version(), name, filters, tuple(sorted(extra.items())))
    return _remember(_query(*key), key)


def totals(filters: Filters) -> dict:
    """The totals row of a period as a dict."""
    return query("totals", filters).iloc[0].to_dict()


# --- filters ----------------------------------------------------------------------------------


def _month_options(first: date, latest: date) -> list[str]:
    months, day = [], latest
    while day >= first.replace(day=1):
        months.append(day.strftime("%Y-%m"))
        day = metrics.add_months(day, -1)
    return months


def _from_url(key: str, multi: bool):
    if multi:
        return st.query_params.get_all(key)
    return st.query_params.get(key)


def _data_span() -> tuple[date, date]:
    """The first month of the data and its latest complete month (see latest_complete_month)."""
    span = query("data_range").iloc[0]
    last_date = None if pd.isna(span["last_date"]) else pd.Timestamp(span["last_date"]).date()
    first_date = None if pd.isna(span["first_date"]) else pd.Timestamp(span["first_date"]).date()
    latest = metrics.latest_complete_month(last_date, date.today())
    return first_date or metrics.add_months(latest, -11), latest


def data_months() -> list[str]:
    """Every YYYY-MM month of the data up to its latest complete month, newest first."""
    return _month_options(*_data_span())


def filter_options(kind: str) -> dict[str, str]:
    """The sidebar's choices of a kind ('branch', 'tech'): value -> label ('Name (ID)')."""
    choices = query("filter_choices")
    rows = choices[choices["kind"] == kind]
    return dict(zip(rows["value"].tolist(), rows["label"].tolist(), strict=True))


def sidebar_filters() -> Filters:
    """Draw the shared sidebar filters (state kept in the URL) and return the chosen Filters."""
    first, latest = _data_span()
    months = _month_options(first, latest)
    branches, techs = filter_options("branch"), filter_options("tech")
    lead_types = {t: contract.LEAD_TYPE_LABELS[t] for t in contract.LEAD_TYPES}

    _seed_from_url(months, branches, lead_types, techs)
    side = st.sidebar
    side.markdown("**Period**")
    preset = side.selectbox("Period", metrics.PRESETS, key=_PRESET, label_visibility="collapsed",
                            help="Counted back from the latest complete month in the data.")
    if preset == "Custom months":
        col_from, col_to = side.columns(2)
        from_month = col_from.selectbox("From", months[::-1], key=_FROM)
        to_month = col_to.selectbox("To", months, key=_TO)
        if from_month > to_month:
            from_month, to_month = to_month, from_month
    else:
        from_month, to_month = metrics.preset_months(preset, latest, first)
    side.markdown("**Filters**")
    chosen_branches = side.multiselect("Branch", list(branches), key=_BRANCH,
                                       placeholder="All branches")
    chosen_types = side.multiselect("Lead type", list(lead_types), key=_TYPE,
                                    format_func=lead_types.get, placeholder="All lead types")
    chosen_techs = _tech_filter(side, techs)
    filters = Filters.months(from_month, to_month, sorted(chosen_branches), sorted(chosen_types),
                             sorted(chosen_techs))
    _write_url(preset, from_month, to_month, filters)
    st.session_state[_FILTERS] = filters
    return filters


def matching_techs(techs: dict[str, str], search: str, limit: int = TECH_MATCHES) -> list[str]:
    """The first `limit` techs (in the list's order) whose label ("Name (ID)") contains `search`,
    ignoring case and extra spaces."""
    words = search.casefold().split()
    if not words:
        return []
    found = []
    for tech, label in techs.items():
        folded = label.casefold()
        if all(w in folded for w in words):
            found.append(tech)
            if len(found) == limit:
                break
    return found


def _tech_filter(side, techs: dict[str, str]) -> list[str]:
    """The Technician filter: every tech to pick from, or, for a long list (TECH_LIST_MAX), a
    search whose matches are offered beside the techs already chosen."""
    def label(tech: str) -> str:
        return techs.get(tech, tech)

    if len(techs) <= TECH_LIST_MAX:
        return side.multiselect("Technician", list(techs), key=_TECH, format_func=label,
                                placeholder="All technicians")
    search = side.text_input(
        "Find a technician", key=_TECH_FIND, placeholder=f"Name or ID ({len(techs):,} techs)",
        help="Type part of a name or ID and press Enter, then pick from the matches below.")
    chosen = [t for t in st.session_state.get(_TECH, []) if t in techs]
    matches = matching_techs(techs, search)
    options = chosen + [t for t in matches if t not in chosen]
    picked = side.multiselect(
        "Technician", options, key=_TECH, format_func=label,
        placeholder=(f"Pick from {len(matches)} match{'es' if len(matches) > 1 else ''}"
                     if matches else "All technicians"))
    if search.strip() and not matches:
        side.caption(f"No technician's name or ID contains “{text.md(search.strip())}”.")
    elif len(matches) == TECH_MATCHES:
        side.caption(f"The first {TECH_MATCHES} matches: type more of the name to narrow them.")
    return picked


def _seed_from_url(months, branches, lead_types, techs) -> None:
    """On a fresh session, set the widgets from the link's query string (invalid values dropped)."""
    if _PRESET in st.session_state:
        return
    preset = _from_url("preset", False)
    st.session_state[_PRESET] = preset if preset in metrics.PRESETS else DEFAULT_PRESET
    for url_key, widget, valid in (("from", _FROM, months), ("to", _TO, months)):
        value = _from_url(url_key, False)
        if value in valid:
            st.session_state[widget] = value
    for url_key, widget, valid in (("branch", _BRANCH, branches), ("type", _TYPE, lead_types),
                                   ("tech", _TECH, techs)):
        st.session_state[widget] = [v for v in _from_url(url_key, True) if v in valid]


def _write_url(preset: str, from_month: str, to_month: str, filters: Filters) -> None:
    params: dict[str, str | list[str]] = {"preset": preset}
    if preset == "Custom months":
        params.update({"from": from_month, "to": to_month})
    for key, values in (("branch", filters.branches), ("type", filters.lead_types),
                        ("tech", filters.techs)):
        if values:
            params[key] = list(values)
    current = {k: (st.query_params.get_all(k) if k in ("branch", "type", "tech")
                   else st.query_params.get(k)) for k in st.query_params}
    if current != params:
        st.query_params.from_dict(params)


def current_filters() -> Filters:
    """The filters the sidebar chose on this run (the router draws the sidebar before the page)."""
    filters = st.session_state.get(_FILTERS)
    if filters is None:
        filters = sidebar_filters()
    # With the person's scope and money rule: engine calls that do not go through query() (the
    # reward audit, the quality signals, a lead's story) are scoped all the same.
    return filters.for_person(ui_access.current_person())


def describe_filters(filters: Filters) -> str:
    """'Nov 2025 – Oct 2026 · Boston · Upgrade' for captions and empty states."""
    parts = [metrics.period_label(filters)]
    if filters.branches:
        parts.append(", ".join(filters.branches))
    if filters.lead_types:
        parts.append(", ".join(contract.LEAD_TYPE_LABELS.get(t, t) for t in filters.lead_types))
    if len(filters.techs) > 2:
        parts.append(f"{len(filters.techs):,} technicians")
    elif filters.techs:  # by name, as the sidebar shows them ('José Medeiros (000132)')
        labels = filter_options("tech")
        parts.append(", ".join(labels.get(t, t) for t in filters.techs))
    return " · ".join(parts)


def empty_note(filters: Filters, what: str = "leads") -> str:
    """The empty-state sentence of a chart: 'No leads in Oct 2026 for Boston'."""
    scope = [*filters.branches, *(contract.LEAD_TYPE_LABELS.get(t, t) for t in filters.lead_types)]
    note = f"No {what} in {metrics.period_label(filters)}"
    return note + (f" for {', '.join(scope)}" if scope else "")


def page_header(title: str, filters: Filters, subtitle: str = "") -> None:
    """Page title with the filters it shows."""
    st.title(title)
    st.caption(text.md(" · ".join(p for p in (describe_filters(filters), subtitle) if p)))


def footer() -> None:
    """The data's as-of date and the last import, under every page."""
    filters = current_filters()
    as_of = query("as_of", filters).iloc[0, 0]
    last = query("last_import")
    when = "no import yet"
    if len(last):
        row = last.iloc[0]
        when = (f"last import {text.md(row['file'])} ({text.md(row['table'])}) on "
                f"{pd.Timestamp(row['imported_at']):%b %d, %Y %H:%M}")
    st.divider()
    st.caption(f"Numbers as of {pd.Timestamp(as_of):%b %d, %Y} · {when} · definitions: docs/metrics.md")


# --- drawing ----------------------------------------------------------------------------------


def compact_money(value: float) -> str:
    """$950 · $12.3k · $10.2M: short enough for a tile on a laptop or a projector."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"${value / limit:,.1f}{suffix}"
    return f"${value:,.0f}"


def fmt(kind: str, value) -> str:
    """A KPI value for people: counts 1,234 · rates 62.5 % · money $12,345 · ratio $8.20 · days 3.5."""
    if missing(value):
        return NO_VALUE
    if kind == "rate":
        return f"{value * 100:.1f} %"
    if kind == "money":
        return ("-" if value < 0 else "") + compact_money(abs(value))
    if kind == "ratio":
        return f"${value:,.2f}"
    if kind == "days":
        return f"{value:,.1f} days"
    return f"{int(value):,}"


def fmt_delta(kind: str, current, previous) -> str | None:
    """The change against the previous period: points for rates, relative % otherwise."""
    if missing(current) or missing(previous):
        return None
    if kind == "rate":
        return f"{(current - previous) * 100:+.1f} pts"
    change = charts.kpi_delta(current, previous)
    diff = current - previous
    if kind == "money":
        text = ("+" if diff >= 0 else "-") + compact_money(abs(diff))
    elif kind == "ratio":
        text = f"{'+' if diff >= 0 else '-'}${abs(diff):,.2f}"
    elif kind == "days":
        text = f"{diff:+.1f} days"
    else:
        text = f"{int(diff):+,}"
    return text if change is None else f"{text} ({change * 100:+.1f} %)"


# Every total a tile shows: its label, format, whether a rise is bad news, and what it means.
KPIS = {
    "leads_submitted": ("Leads submitted", "count", False, "Leads techs submitted in the period."),
    "conversion_rate": ("Conversion", "rate", False,
                        "Share of the period's leads won so far; recent months are still "
                        "maturing. The change compares the share won within 90 (else 30) days "
                        "of submission, which both periods have, or says the period is too "
                        "young to compare."),
    "revenue_attributed": ("Revenue attributed", "money", False,
                           "Revenue of tech leads won (closed) in the period."),
    "reward_cost": ("Reward cost", "money", True,
                    "Rewards paid to techs in the period, clawbacks deducted."),
    "revenue_per_reward_dollar": ("Revenue per reward $", "ratio", False,
                                  "Revenue attributed for each dollar of rewards paid."),
    "program_roi": ("Program ROI", "rate", False,
                    "(Gross margin of deals won − reward cost) ÷ reward cost."),
    "participation_rate": ("Participation", "rate", False,
                           "Share of active roster techs who submitted at least one lead."),
    "participating_techs": ("Techs with leads", "count", False,
                            "Technicians who submitted a lead in the period."),
    "deals_won": ("Deals won", "count", False, "Leads won with their close date in the period."),
    "cost_per_won_deal": ("Cost per won deal", "money", True, "Reward cost ÷ deals won."),
    "median_days_to_contact": ("Median days to contact", "days", True,
                               "Half of the period's leads were contacted within this many days."),
    "leads_awaiting_contact_7d": ("Waiting 7+ days", "count", True,
                                  "The period's leads still open and never contacted, submitted a "
                                  "week or more ago. Not compared with the earlier period: its "
                                  "leads have had all the time since to be contacted, so its count "
                                  "is not the backlog it had then."),
}

# Totals whose tile shows no change: the earlier period's value is counted on today's data, not as
# it stood then (the Sales follow-up page read "Waiting 7+ days 4,890, +4,890" against a year
# whose leads have all been contacted since).
NOT_COMPARED = frozenset({"leads_awaiting_contact_7d"})


def earlier_period(filters: Filters) -> Filters | None:
    """The period of equal length just before, which the tiles compare with; None when it ends
    before the data begins ("All data": its tiles read "+6,233", everything new against nothing)."""
    previous = filters.previous()
    first, _ = _data_span()
    return None if previous.end < first else previous


def comparison_note(filters: Filters) -> str:
    """What a page's tiles compare with, for its header."""
    previous = earlier_period(filters)
    if previous is None:
        return "nothing before it in the data to compare with"
    return f"changes against {metrics.period_label(previous)}"


def total_tiles(keys: list[str], filters: Filters, compare: bool = True,
                extra: list[dict] = ()) -> None:
    """Tiles of the period's totals (see KPIS), each against the previous period of equal length."""
    now = totals(filters)
    previous = earlier_period(filters) if compare else None
    before = totals(previous) if previous is not None else {}
    tiles = [kpi_tile(key, now, before) for key in keys]
    if filters.techs:
        tiles = [participation_of_picked(t, now) if k == "participation_rate" else t
                 for k, t in zip(keys, tiles, strict=True)]
    kpi_tiles(tiles + list(extra))


def participation_of_picked(tile: dict, now: dict) -> dict:
    """Participation counts every active roster tech (of the branches chosen), not only the
    technicians picked in the sidebar (METRICS.md): with one tech picked it reads '0.0 %', and a
    change against the previous period says nothing. The chip says what it is a share of."""
    active = now.get("active_techs")
    if missing(active) or missing(now.get("participation_rate")):
        return tile
    counted = round(now["participation_rate"] * active)
    return {**tile, "delta": f"{counted:,} of {int(active):,} active techs", "delta_color": "off",
            "delta_arrow": "off",
            "help": f"{tile['help']} Counted over every active roster tech of the branches "
                    "chosen, not only the technicians picked in the sidebar."}


def kpi_tile(key: str, now: dict, before: dict) -> dict:
    """One total's tile against the previous period; conversion is compared only by a comparable
    conversion both periods have, else the tile says the period is too young to compare."""
    label, kind, inverse, help_text = KPIS[key]
    tile = {"label": label, "kind": kind, "value": now[key],
            "previous": None if key in NOT_COMPARED else before.get(key),
            "inverse": inverse, "help": help_text}
    if key == "conversion_rate" and before:
        versus = metrics.compare_conversion(now, before)
        tile["delta"] = conversion_chip(versus)
        if not versus.comparable:
            tile.update(delta_color="off", delta_arrow="off")
            if versus.too_young:
                tile["help"] = f"{help_text}\n\nNow {versus.young_note()}."
    return tile


def conversion_chip(versus: metrics.Comparison) -> str | None:
    """A conversion tile's change. A tile's chip holds about 22 characters four to a row at 1280
    pixels: a young period's says only 'too young to compare', and the tile says elsewhere how
    many leads are still open."""
    if versus.too_young and not versus.comparable:
        return "too young to compare"
    return versus.change()


# Tiles per row at most: four stay readable beside the sidebar on a 1280-pixel laptop screen.
TILES_PER_ROW = 4


def tiles_per_row(count: int, most: int = TILES_PER_ROW) -> int:
    """Tiles in each row so that rows are as even as they can be: five make rows of 3 and 2 (not
    4 and a lone 1), six 3 and 3, seven 4 and 3; no row holds more than `most`."""
    if not count:
        return most
    rows = -(-count // most)
    return -(-count // rows)


def kpi_tiles(tiles: list[dict], per_row: int = TILES_PER_ROW) -> None:
    """Rows of KPI tiles: each dict has label, kind, value, previous, help and optional inverse.
    Every row has the same columns, so tiles keep one width and line up."""
    per_row = tiles_per_row(len(tiles), per_row)
    for first in range(0, len(tiles), per_row):
        cols = st.columns(per_row)
        for col, tile in zip(cols, tiles[first:first + per_row], strict=False):
            _tile(col, tile)


def _tile(col, tile: dict) -> None:
    delta = (tile["delta"] if "delta" in tile
             else fmt_delta(tile["kind"], tile["value"], tile.get("previous")))
    flat = unchanged(delta)
    col.metric(
        tile["label"],
        fmt(tile["kind"], tile["value"]),
        delta=delta,
        delta_color="off" if flat else tile.get("delta_color",
                                                "inverse" if tile.get("inverse") else "normal"),
        delta_arrow="off" if flat else tile.get("delta_arrow", "auto"),
        help=tile.get("help"),
        border=True,
        height="stretch",  # a row's tiles one height, with or without a chip
    )


def unchanged(delta: str | None) -> bool:
    """Whether a change shows as none ('+0 (+0.0 %)', '-0.0 pts', '+0.0 pts (≤90 d)', '+$0'):
    its tile gets no arrow and no colour, not a green or red arrow for nothing. The change is
    read before its parentheses, which hold a percentage or a conversion's basis."""
    digits = {c for c in (delta or "").split(" (")[0] if c.isdigit()}
    return digits == {"0"}


def chart(figure) -> None:
    """Draw a figure with our own theme (not Streamlit's)."""
    st.plotly_chart(figure, theme=None, config=PLOTLY_CONFIG)


@st.cache_resource(show_spinner=False, max_entries=512)
def _figure(name: str, args: tuple, kwargs: tuple):
    return getattr(charts, name)(*args, **dict(kwargs))


@st.cache_resource(show_spinner=False, max_entries=512)
def _figure_of_queries(name: str, key: tuple, _args: tuple, _kwargs: tuple):
    # `key` stands for the arguments: each query frame by its query's key (see query_key), any
    # other value as itself. Streamlit does not hash the underscored arguments.
    return getattr(charts, name)(*_args, **dict(_kwargs))


def plot(chart_function, *args, **kwargs) -> None:
    """Draw charts.<chart>(*args, **kwargs), the figure built once per distinct input.

    Building a Plotly figure costs 50-300 ms (its objects validate every property): a page of five
    charts spent about a second on them at every rerun. The figure is kept by its inputs, shared
    read-only between sessions: a frame straight from ui.query by its query's key, any other
    frame by its content (hashed by Streamlit)."""
    items = tuple(sorted(kwargs.items()))
    if any(isinstance(v, pd.DataFrame) and query_key(v) is None
           for v in (*args, *kwargs.values())):
        chart(_figure(chart_function.__name__, args, items))
        return

    def token(value):
        return ("query", query_key(value)) if isinstance(value, pd.DataFrame) else ("value", value)

    key = (tuple(token(v) for v in args), tuple((k, token(v)) for k, v in items))
    chart(_figure_of_queries(chart_function.__name__, key, args, items))


def lazy_tabs(key: str, tabs: dict[str, Callable[[], None]], keep: dict | None = None,
              always: Collection[str] = ()) -> None:
    """Tabs of which only the open one is fetched and drawn (a browser spends 0.1-0.3 s drawing each
    Plotly chart on every visit; five charts took over a second). `tabs` maps each tab's label to
    what it draws; `key` keeps the open tab across reruns.

    Streamlit forgets the value of a widget that a run does not draw (one in a closed tab) unless
    it was set through Session State: `keep` maps the keys of such widgets to their defaults, and
    they are set so (create those widgets with their key and no default of their own). The tabs
    labelled in `always` are drawn on every run, open or not: for widgets that cannot be set
    through Session State (a file uploader's files)."""
    for widget, default in (keep or {}).items():
        st.session_state[widget] = st.session_state.get(widget, default)
    for (label, draw), tab in zip(tabs.items(), st.tabs(list(tabs), on_change="rerun", key=key),
                                  strict=True):
        if tab.open or label in always:
            with tab:
                draw()


def lazy_expander(label: str, key: str, draw: Callable[[], None]) -> None:
    """An expander whose content is fetched and drawn only while it is open. A collapsed table
    is otherwise sent on every run, and a tab opened at a chart page's URL loads and starts
    Streamlit's table code for it before it draws the tiles and charts above it."""
    box = st.expander(label, key=key, on_change="rerun")
    if box.open:
        with box:
            draw()


def lead_type_label(value: str) -> str:
    return contract.LEAD_TYPE_LABELS.get(value, value)


def dimension_table(frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """A breakdown's rows (conversion_by_dimension, contact_speed_by_dimension) for a table: the
    value in a column named for its dimension, a lead type by its label ('New equipment', not
    'new_equipment')."""
    values = frame["dimension_value"]
    if dimension == "lead_type":
        # in the contract's order, as every lead-type chart beside the table draws them (the
        # table read alphabetically: 'Additional site' first, 'Upgrade' last)
        frame = meeting.in_type_order(frame)
        values = frame["dimension_value"].map(lead_type_label)
    return frame.drop(columns="dimension_value").assign(**{dimension: values})[
        [dimension, *[c for c in frame.columns if c != "dimension_value"]]]


def one_tech(filters: Filters, tech_id: str) -> Filters:
    """The same period and filters narrowed to one technician."""
    return replace(filters, techs=(tech_id,))


def _money(label: str):
    return st.column_config.NumberColumn(label, format="dollar")


# A share in a table reads as on the tiles: one decimal and a space before the sign ("60.8 %").
# Streamlit's "percent" shows as many decimals as a value has ("63%" above "65.16%"), so the frame
# keeps the fraction (0.608, as the downloads and the report give it) and the page of rows shown
# is multiplied by 100 for this format (ui_table.as_shown).
PERCENT_FORMAT = "%.1f %%"


def _percent(label: str):
    return st.column_config.NumberColumn(label, format=PERCENT_FORMAT)


# A count in a table reads as on the tiles, with thousands separators ("33,383", not "33383").
COUNT_FORMAT = "%,d"


def _count(label: str):
    return st.column_config.NumberColumn(label, format=COUNT_FORMAT)


# The lead statuses of DATA_CONTRACT.md as a table shows them ("Lost", not "lost").
STATUS_LABELS = {"open": "Open", "contacted": "Contacted", "qualified": "Qualified",
                 "quoted": "Quoted", "won": "Won", "lost": "Lost"}


def labelled(label: str, labels: dict[str, str]):
    """A column of codes (a lead's status, an audit's verdict) shown in words: the table and the
    Excel download show `labels`' words, the CSV keeps the codes for other tools. A code without a
    word shows as it is."""
    return st.column_config.SelectboxColumn(label, options=list(labels), format_func=labels.get,
                                            disabled=True)


TECH_COLUMNS = {
    "tech_id": "Tech ID", "tech_name": "Technician", "branch": "Branch",
    "leads_submitted": _count("Leads"), "leads_won": _count("Won"), "leads_lost": _count("Lost"),
    "leads_open": _count("Open"),
    "conversion_rate": _percent("Conversion"),
    "conversion_ci_low": _percent("Interval low"),
    "conversion_ci_high": _percent("Interval high"),
    "deals_won": _count("Deals won (period)"),
    "revenue_attributed": _money("Revenue"),
    "reward_cost": _money("Rewards"),
    "revenue_per_reward_dollar": _money("Revenue per reward $"),
}

# What a long leaderboard can be sorted by before it is paged (largest first; the first is the
# default).
TECH_SORT = {"leads_submitted": "Leads", "leads_won": "Won", "conversion_rate": "Conversion",
             "conversion_ci_low": "Interval low", "revenue_attributed": "Revenue",
             "reward_cost": "Rewards", "revenue_per_reward_dollar": "Revenue per reward $"}

LEAD_COLUMNS = {
    "lead_id": "Lead", "submitted_at": st.column_config.DateColumn("Submitted"),
    "tech_id": "Tech ID", "tech_name": "Technician", "branch": "Branch", "lead_type": "Type",
    "customer_name": "Customer", "estimated_value": _money("Est. value"),
    "status": labelled("Status", STATUS_LABELS),
    "sales_rep": "Sales rep", "contacted_at": st.column_config.DateColumn("First contact"),
    "closed_at": st.column_config.DateColumn("Closed"), "revenue": _money("Revenue"),
    "loss_reason": "Loss reason", "days_to_contact": _count("Days to contact"),
    "days_waiting": _count("Days waiting"),
}

DIMENSION_COLUMNS = {
    "lead_type": "Lead type", "branch": "Branch",
    "leads_submitted": _count("Leads"), "leads_won": _count("Won"), "leads_lost": _count("Lost"),
    "conversion_rate": _percent("Conversion"), "win_rate": _percent("Win rate"),
    "deals_won": _count("Deals won (period)"), "revenue_attributed": _money("Revenue"),
}

MONTHLY_COLUMNS = {
    "month": "Month", "leads_submitted": _count("Leads"), "leads_won": _count("Won"),
    "leads_lost": _count("Lost"), "leads_open": _count("Open"),
    "conversion_rate": _percent("Conversion so far"),
    "open_share": _percent("Still open"), "conversion_30d": _percent("Won within 30 days"),
    "conversion_90d": _percent("Won within 90 days"), "deals_won": _count("Deals won (closed)"),
    "revenue_attributed": _money("Revenue"), "reward_cost": _money("Reward cost"),
}

SPEED_COLUMNS = {
    "sales_rep": "Sales rep", "branch": "Branch",
    "leads": _count("Leads"), "leads_contacted": _count("Contacted"),
    "median_days_to_contact": st.column_config.NumberColumn("Median days", format="%.1f"),
    "p90_days_to_contact": st.column_config.NumberColumn("90th pct days", format="%.1f"),
    "contacted_within_7d_share": _percent("Contacted within 7 days"),
    "awaiting_contact_7d": _count("Waiting 7+ days"),
}

REWARD_COLUMNS = {
    "paid_on": st.column_config.DateColumn("Paid on"), "tech_id": "Tech ID",
    "tech_name": "Technician", "lead_id": "Lead", "month": "Month", "reason": "Reason",
    "payouts": _count("Payouts"), "amount": _money("Amount"), "clawbacks": _count("Clawbacks"),
    "clawback_amount": _money("Clawed back"), "branch": "Branch",
}


# The Data page's tables of imports, rejected and superseded rows (queries/import_history.sql,
# rejects.sql, superseded.sql). Row numbers are the file's lines, as a text editor numbers them:
# no thousands separators.
IMPORT_COLUMNS = {
    "import_id": "Import", "imported_at": st.column_config.DatetimeColumn(
        "Imported at", format="YYYY-MM-DD HH:mm"),
    "file": "File", "table": "Table", "format": "Format", "encoding": "Encoding",
    "date_order": "Date order", "read": _count("Rows read"), "inserted": _count("New"),
    "updated": _count("Updated"), "unchanged": _count("Unchanged"),
    "superseded": _count("Superseded"), "rejected": _count("Rejected"),
    "skipped": _count("Skipped"), "ignored_columns": "Columns ignored", "sha256": "SHA-256",
}
REJECT_COLUMNS = {
    "import_id": "Import", "file": "File", "table": "Table", "row": "Row", "column": "Column",
    "value": "Value", "reason": "Reason", "raw_row": "The row as it was",
}
SUPERSEDED_COLUMNS = {
    "import_id": "Import", "file": "File", "table": "Table", "row": "Row", "key": "Key",
    "replaced_by_row": "Replaced by row",
}

# The data-quality checks' tables (queries/dq_*.sql), one set of headings for all.
QUALITY_COLUMNS = {
    "lead_id": "Lead", "tech_id": "Tech ID", "tech_name": "Technician", "branch": "Branch",
    "submitted_at": st.column_config.DateColumn("Submitted"),
    "contacted_at": st.column_config.DateColumn("First contact"),
    "closed_at": st.column_config.DateColumn("Closed"), "problem": "Problem",
    "status": "Status", "revenue": _money("Revenue"), "sales_rep": "Sales rep", "file": "File",
    "payout_id": "Payout", "paid_on": st.column_config.DateColumn("Paid on"),
    "amount": _money("Amount"), "reason": "Reason", "payouts": _count("Payouts"),
    "possible_duplicate_of": "Possible duplicate of", "customer": "Customer",
    "lead_type": "Type", "other_submitted_at": st.column_config.DateColumn("Other submitted"),
    "days_apart": _count("Days apart"), "other_tech_id": "Other tech ID",
    "other_branch": "Other branch", "leads": _count("Leads"),
    "first_lead": st.column_config.DateColumn("First lead"),
    "last_lead": st.column_config.DateColumn("Last lead"),
    "lead_type_as_written": "Lead type as written",
}


def preview_summary(preview) -> str:
    """What a dry-run import found, in one markdown paragraph."""
    fmt_bits = [text.md(preview.file_format.upper())]
    if preview.encoding:
        fmt_bits.append(text.md(preview.encoding))
    if preview.delimiter:
        fmt_bits.append(f"{text.md(preview.delimiter)}-separated")
    dates = {"MDY": "month first", "DMY": "day first", "YMD": "year first"}.get(
        preview.date_order or "", "no slashed dates")
    return (f"Table **{text.md(preview.table)}** · {' · '.join(fmt_bits)} · dates: {dates} · amounts: "
            f"{'decimal comma' if preview.decimal_comma else 'decimal point'}  \n"
            + ("A sample of a large file, its first part: " if preview.sampled else "")
            + f"Would read **{preview.read:,}** rows: {preview.inserted:,} new, {preview.updated:,} "
            f"updated, {preview.unchanged:,} unchanged, {preview.superseded:,} superseded, "
            f"**{preview.rejected:,} rejected**, {preview.skipped:,} skipped (report lines that "
            "are no records: titles, totals, footers).")


def column_matches(preview) -> pd.DataFrame:
    """Which header of the file feeds which LeadBridge column."""
    spec = contract.TABLES[preview.table]
    return pd.DataFrame({
        "LeadBridge column": spec.column_names,
        "required": [c.required for c in spec.columns],
        "from the file's column": [preview.matched.get(c, NO_VALUE) for c in spec.column_names],
    })


def accounting_sentence(result: dict) -> str:
    """'leads.csv → leads: read 120 = 100 new + 12 updated + ...' (markdown, the names escaped)."""
    return (f"{text.md(result['file'])} → {text.md(result['table'])}: read {result['read']:,} = "
            f"{result['inserted']:,} new + {result['updated']:,} updated + {result['unchanged']:,} "
            f"unchanged + {result['superseded']:,} superseded + {result['rejected']:,} rejected + "
            f"{result.get('skipped', 0):,} skipped")


@st.cache_data(show_spinner="Reading the file…", max_entries=64)
def _preview(path: str, version: int, name: str, table, date_order, decimal_comma, mapped=None):
    # `mapped` (the saved mappings' version) is part of the cache key only. Only the file's first
    # part is read (importer.SAMPLE_BYTES), so that an upload of any size stays small in memory.
    return ui_published.preview(db_file(), path, name, table=table, date_order=date_order,
                                decimal_comma=decimal_comma, sample=True)


def preview_import(path, name: str, table=None, date_order=None, decimal_comma=None):
    """What importing an uploaded file would do (a rolled-back import of its first part), cached
    per file content and saved mappings (a saved or removed mapping shows at once)."""
    return _preview(str(path), data_version(), name, table, date_order, decimal_comma,
                    mappings.version(db.data_dir(db_file())))


# --- the Meeting page -------------------------------------------------------------------------


@st.cache_data(show_spinner="Preparing the meeting…", max_entries=64)
def _meeting(path: str, version: int, month: str, branches: tuple, privacy: bool, lists: bool,
             person):
    return meeting.build(_connection(path), month, branches, privacy, lists=lists, person=person)


def meeting_content(month: str, branches, privacy: bool, lists: bool = False,
                    person=None) -> meeting.Meeting:
    """The meeting's content for a month and branches as the signed-in person may see it, cached
    by data version; its lead lists only with `lists` (the deck), else fetched a slide at a time
    with `meeting_rows`. A download's deferred callable runs outside the session: it passes the
    person it captured."""
    return _meeting(db_file(), data_version(), month, tuple(branches), privacy, lists,
                    person or ui_access.current_person())


@st.cache_data(show_spinner=False, max_entries=256)
def _meeting_rows(path: str, version: int, month: str, branches: tuple, privacy: bool, key: str,
                  part: int | None, person):
    content = _meeting(path, version, month, branches, privacy, False, person)
    con = _connection(path)
    if part is None:
        return meeting.list_rows(con, content, key)
    return meeting.part_rows(con, content, key, part)


def _rows(content: meeting.Meeting, key: str, part: int | None) -> pd.DataFrame:
    return _meeting_rows(db_file(), data_version(), content.month, tuple(content.filters.branches),
                         content.privacy, key, part, ui_access.current_person())


def meeting_rows(content: meeting.Meeting, slide: meeting.Slide) -> pd.DataFrame:
    """The rows a table slide shows (a lead list's part is fetched for the slide alone)."""
    if slide.rows is not None:
        return slide.rows
    return _rows(content, slide.key, slide.part)


def meeting_table(content: meeting.Meeting, key: str) -> pd.DataFrame:
    """A table slide's whole frame, every column privacy leaves (a lead list fetched whole)."""
    frame = getattr(content, key)
    if frame is not None:
        return frame
    return _rows(content, key, None)


def month_name(month: str) -> str:
    """'2026-10' -> 'October 2026'."""
    return meeting.long_month(metrics.month_start(month))


def slide_picker(key: str, titles: list[str], row=None,
                 starts: Collection[int] | None = None) -> int:
    """Previous / Next buttons, the slide counter ('3 / 7') and a jump list; returns the index.

    Owns st.session_state[key]; the index is kept within the slides when their number changes.
    The Left and Right arrow keys press Previous and Next. The jump list offers the slides in
    `starts` (default: every slide) and the one shown: a long table's slides are reached from its
    first with Next, not listed one by one (a month of 1M leads has over 5,000 slides)."""
    last = max(len(titles) - 1, 0)
    index = st.session_state.get(key)
    if not isinstance(index, int) or not 0 <= index <= last:
        st.session_state[key] = last if isinstance(index, int) and index > last else 0

    def step(by: int) -> None:
        st.session_state[key] = min(max(st.session_state[key] + by, 0), last)

    row = row or st.container(horizontal=True, vertical_alignment="center")
    # No icon: the shortcut's key (an arrow) is shown beside the label.
    row.button("Previous", key=f"{key}_previous",
               on_click=step, args=(-1,), disabled=st.session_state[key] == 0, shortcut="Left")
    row.markdown(f"**{st.session_state[key] + 1} / {len(titles):,}**", width="content")
    row.button("Next", key=f"{key}_next", type="primary",
               on_click=step, args=(1,), disabled=st.session_state[key] >= last,
               shortcut="Right")
    listed = set(range(len(titles))) if starts is None else {i for i in starts if 0 <= i <= last}
    row.selectbox("Go to slide", sorted(listed | {st.session_state[key]}), key=key,
                  format_func=lambda i: f"{i + 1}. {titles[i]}", label_visibility="collapsed",
                  width=340)
    return st.session_state[key]


# Larger type inside the slide, for a projector. A constant style sheet: no data goes in it.
_SLIDE_STYLE = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 4.5rem; }
.st-key-meeting_slide_body h1 { font-size: 3rem; padding-top: 0.5rem; }
.st-key-meeting_slide_body [data-testid="stMarkdownContainer"] p { font-size: 1.4rem; }
.st-key-meeting_slide_body [class*="st-key-meeting_tile_"] [data-testid="stMarkdownContainer"] p {
    font-size: 1.2rem; }
.st-key-meeting_slide_body [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {
    font-size: 1.4rem; }
.st-key-meeting_slide_body [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p,
.st-key-meeting_slide_body [data-testid="stMetricValue"] div { font-size: 2.6rem; line-height: 1.25; }
.st-key-meeting_slide_body [data-testid="stMetricDelta"] div { font-size: 1.2rem; }
</style>"""


def slide_body():
    """The container of one slide, in large type."""
    st.html(_SLIDE_STYLE)
    return st.container(key="meeting_slide_body")


# The meeting's tables: labels for people, money in dollars and dates as dates.
MEETING_COLUMNS = {
    column: (_money(label) if meeting.KINDS.get(column) == "money"
             else st.column_config.DateColumn(label) if meeting.KINDS.get(column) == "date"
             else _count(label) if meeting.KINDS.get(column) == "count"
             else label)
    for column, label in meeting.LABELS.items()
}


# A tile holds '$1,024,084' in projector type; five fit a 1920-pixel row, three a laptop's.
TILE_WIDTH = 250


# The longest chip beside which "vs Sep" still fits a meeting tile (TILE_WIDTH) at 1280 pixels.
SHORT_CHIP = 16


def versus_month(delta: str | None, month: date) -> str | None:
    """'vs Sep' beside a meeting tile's chip where both fit: a longer chip ('+$146,798 (+18.0 %)',
    'too young to compare') cut it to 'v…', and the tile's first line names the month anyway."""
    return f"vs {month:%b}" if delta is None or len(delta) <= SHORT_CHIP else None


def meeting_tile_value(number: meeting.Number) -> tuple[str, str]:
    """A meeting tile's value and tooltip. The slides give money to the dollar, but a tile holds
    about ten characters of its large digits: from a million up ("$128,108,…" at 1M leads) it
    shows "$128.1M", and its tooltip the exact amount."""
    exact = meeting.text(number.kind, number.value)
    if number.kind == "money" and not missing(number.value) and abs(number.value) >= 1e6:
        return fmt("money", number.value), f"{number.help}\n\nExactly {text.md(exact)}."
    return exact, number.help


def last_year_line(number: meeting.Number, month: date) -> str:
    """A meeting tile's last line: '+681 (+2.0 %) vs Oct 2025', or for a month too young to
    compare its conversion, 'Too young to compare with Oct 2025: 26,990 of 34,064 leads still
    open' (it read 'too young to compare: … still open vs Oct 2025')."""
    versus = number.vs_last_year
    if versus is not None and not versus.comparable and versus.too_young:
        return f"Too young to compare with {month:%b %Y}: {versus.still_open_text()}"
    return f"{number.change('last_year') or NO_VALUE} vs {month:%b %Y}"


def number_tiles(content: meeting.Meeting) -> None:
    """The month's headline numbers, each against the previous month and the same month last
    year, as tiles that wrap onto a second row on a laptop."""
    previous = meeting.month_label(content.previous.start)
    last_year = meeting.month_label(content.last_year.start)
    row = st.container(horizontal=True, gap="small")
    for number in content.numbers:
        # a row's tiles one height, whatever their lines
        tile = row.container(border=True, width=TILE_WIDTH, height="stretch",
                             key=f"meeting_tile_{number.key}")
        versus = number.vs_previous  # conversion's, the others' None
        delta = number.change("previous") if versus is None else conversion_chip(versus)
        moved = (versus is None or versus.comparable) and not unchanged(delta)
        value, help_text = meeting_tile_value(number)
        tile.metric(number.label, value,
                    delta=delta,
                    delta_color="normal" if moved else "off",
                    delta_arrow="auto" if moved else "off",
                    delta_description=versus_month(delta, content.previous.start),
                    help=help_text)
        tile.markdown(f"{previous}: **{number.before_text('previous')}**  \n"
                      f"{last_year}: **{number.before_text('last_year')}**  \n"
                      f"{last_year_line(number, content.last_year.start)}")

"""The metrics runner: load a query from queries/, bind the period and filters, return a DataFrame."""

from __future__ import annotations

import calendar
import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date

import duckdb
import pandas as pd

from leadbridge import db
from leadbridge.values import NO_VALUE

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(text: str) -> tuple[int, int]:
    """'2026-03' -> (2026, 3); ValueError with the expected form otherwise."""
    match = _MONTH.match(text or "")
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"{text!r} is not a month: use YYYY-MM, e.g. 2026-03")
    return int(match.group(1)), int(match.group(2))


def month_start(text: str) -> date:
    """First day of a YYYY-MM month."""
    year, month = parse_month(text)
    return date(year, month, 1)


def month_end(text: str) -> date:
    """Last day of a YYYY-MM month."""
    year, month = parse_month(text)
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after day's month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Filters:
    """A period of whole months plus optional filter lists (empty means all); hashable for caches."""

    start: date
    end: date
    branches: tuple[str, ...] = field(default=())
    lead_types: tuple[str, ...] = field(default=())
    techs: tuple[str, ...] = field(default=())
    # The branches the person asking may see (access scope), None for every branch. Not a filter:
    # queries apply it with lb_in_scope($scope, branch) whatever the filters say.
    scope: tuple[str, ...] | None = field(default=None)
    # Whether per-person money (per-tech and per-rep revenue, rewards, one person's payouts) is
    # shown: False drops the columns of PER_PERSON_MONEY from every result (see run).
    money: bool = field(default=True)

    @classmethod
    def months(cls, from_month: str, to_month: str, branches=(), lead_types=(), techs=()) -> Filters:
        """Filters for the months from_month..to_month inclusive (YYYY-MM)."""
        start, end = month_start(from_month), month_end(to_month)
        if start > end:
            raise ValueError(f"the period starts ({from_month}) after it ends ({to_month})")
        return cls(start, end, tuple(branches), tuple(lead_types), tuple(techs))

    def for_person(self, person) -> Filters:
        """These filters as `person` (an access.Person) may run them: their scope and money rule.

        AccessDenied (naming the branch) when a branch filter is outside the person's branches."""
        person.check_branches(self.branches)
        return replace(self, scope=person.scope, money=person.money)

    def check_scope(self) -> None:
        """AccessDenied when a branch filter names a branch outside the scope: such a filter would
        otherwise show an empty result as if the branch had no data."""
        if self.scope is None:
            return
        outside = [b for b in self.branches if b not in self.scope]
        if outside:
            from leadbridge.access import AccessDenied

            raise AccessDenied(
                f"branch{'es' if len(outside) > 1 else ''} {', '.join(outside)} "
                f"{'are' if len(outside) > 1 else 'is'} outside the branches you may see "
                f"({', '.join(self.scope) or 'none'})")

    @property
    def from_month(self) -> str:
        return self.start.strftime("%Y-%m")

    @property
    def to_month(self) -> str:
        return self.end.strftime("%Y-%m")

    @property
    def month_count(self) -> int:
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Filters:
        """The period of equal length just before this one, with the same filters."""
        start = add_months(self.start, -self.month_count)
        end = add_months(self.start, 0)
        return replace(self, start=start, end=date.fromordinal(end.toordinal() - 1))

    def shifted_years(self, years: int) -> Filters:
        """The same months `years` earlier (the same month last year for years=-1)."""
        start = add_months(self.start, 12 * years)
        end_month = add_months(self.end.replace(day=1), 12 * years)
        return replace(self, start=start, end=month_end(end_month.strftime("%Y-%m")))

    def params(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "branches": list(self.branches),
            "lead_types": list(self.lead_types),
            "techs": list(self.techs),
            "scope": None if self.scope is None else list(self.scope),
            "money": self.money,
        }


# Per-person money (ACCESS.md): for each query whose rows are per tech, per rep or per payout, the
# money columns a person without the money right never receives. The one list of it: metrics.run
# drops them, so every page, download, chart, report and deck follows. A query whose rows are per
# person only for some breakdowns names the $dimension values that make them so.
PER_PERSON_MONEY: dict[str, tuple[str, ...]] = {
    "by_tech": ("revenue_attributed", "reward_cost", "revenue_per_reward_dollar"),
    "conversion_by_dimension": ("revenue_attributed",),
    "meeting_top_techs": ("revenue_attributed",),
    "meeting_biggest_wins": ("revenue",),
    "meeting_closed_leads": ("revenue",),
    "lead_list": ("revenue",),
    "clawbacks": ("amount",),
    "dq_payouts_unknown_leads": ("amount",),
    "dq_payouts_unknown_techs": ("amount",),
    "dq_orphan_outcomes": ("revenue",),
    "lead_timeline": ("amount",),
    "quality_signal_rewards": ("base", "value", "benchmark"),
    "quality_signal_reward_payouts": ("amount",),
    "reward_simulation_by_tech": ("simulated_cost", "actual_cost", "difference"),
    "reward_audit_by_tech": ("earned", "due", "paid", "unpaid_amount", "underpaid_amount",
                             "overpaid_amount"),
    "reward_audit_leads": ("earned", "due", "pending", "paid"),
    "reward_audit_corrections": ("earned", "due", "paid", "paid_other", "other_amount"),
}
PER_PERSON_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "conversion_by_dimension": ("tech_id", "sales_rep"),
}

# Queries that take no access scope, and why: the as-of date (a date, no row), and the import
# records the Data page shows to people who may import (ACCESS.md: rejects show raw rows and are
# not scoped by branch; outcomes whose lead is unknown have no branch yet). Every other query in
# queries/ applies lb_in_scope itself (tests/test_scope.py checks both).
UNSCOPED_QUERIES = frozenset({
    "as_of", "import_history", "last_import", "rejects", "superseded", "dq_orphan_outcomes",
    "rejects_count", "superseded_count", "skipped", "rejected_status_words",
})


def personal_money_columns(name: str, params: dict) -> tuple[str, ...]:
    """The per-person money columns of a query's result with these parameters."""
    columns = PER_PERSON_MONEY.get(name, ())
    dimensions = PER_PERSON_DIMENSIONS.get(name)
    if dimensions is not None and params.get("dimension") not in dimensions:
        return ()
    return columns


def run(con: duckdb.DuckDBPyConnection, name: str, filters: Filters | None = None, **extra) -> pd.DataFrame:
    """Run queries/<name>.sql on a fresh cursor with the filters' parameters bound.

    `$as_of` is computed for queries that use it unless given; other `$params` come as keywords.
    The staged tables are rebuilt first when an import changed the data since they were built.
    Who is asking comes with the filters (scope, money); a query run without filters takes them as
    the keywords `scope` and `money` (default: everything, the administrator). A person without
    the money right never gets the query's PER_PERSON_MONEY columns; a branch filter outside the
    scope raises AccessDenied.
    """
    db.refresh_staging(con)
    return _run(con, name, filters, **extra)


def _run(con: duckdb.DuckDBPyConnection, name: str, filters: Filters | None = None,
         **extra) -> pd.DataFrame:
    sql = db.load_sql(name)
    if filters is not None:
        if "scope" in extra or "money" in extra:
            raise ValueError("scope and money travel with the filters: Filters.for_person")
        filters.check_scope()
        params = dict(filters.params())
    else:
        params = {"scope": None, "money": True}
    params.update(extra)
    if params["scope"] is not None:
        params["scope"] = list(params["scope"])
    if "$limit" in sql:  # a list query: every row unless a page is asked for
        params.setdefault("limit", None)
        params.setdefault("offset", 0)
    if "$as_of" in sql and "as_of" not in params:
        params["as_of"] = _as_of(con, filters)
    cur = con.cursor()
    try:
        frame = cur.execute(sql, db.bind(sql, params)).df()
    finally:
        cur.close()
    if not params["money"]:
        frame = frame.drop(columns=[c for c in personal_money_columns(name, params)
                                    if c in frame.columns])
    return frame


# Queries run side by side by run_many: DuckDB runs the cursors of one database in parallel and
# releases the GIL while it works, so small queries (one month's row groups each) keep every core
# busy instead of one.
PARALLEL = max(2, min(8, os.cpu_count() or 2))


def run_many(con: duckdb.DuckDBPyConnection,
             calls: dict[str, tuple[str, Filters | None, dict]]) -> dict[str, pd.DataFrame]:
    """Run several queries at once, each on a cursor of its own: {key: (name, filters, extra)}
    -> {key: frame}. The same results as `run` for each; the order of the calls does not matter."""
    db.refresh_staging(con)
    # Cursors are made here, in the caller's thread: a connection is not shared across threads.
    cursors = {key: con.cursor() for key in calls}
    try:
        with ThreadPoolExecutor(max_workers=min(PARALLEL, len(calls) or 1)) as pool:
            futures = {key: pool.submit(_run, cursors[key], name, filters, **extra)
                       for key, (name, filters, extra) in calls.items()}
            return {key: future.result() for key, future in futures.items()}
    finally:
        for cur in cursors.values():
            cur.close()


def as_of(con: duckdb.DuckDBPyConnection, filters: Filters) -> date:
    """The period's last day, or the latest date in the data when that is earlier."""
    db.refresh_staging(con)
    return _as_of(con, filters)


def _as_of(con: duckdb.DuckDBPyConnection, filters: Filters) -> date:
    value = _run(con, "as_of", filters).iloc[0, 0]
    return pd.Timestamp(value).date()


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """Grows with every import; part of every cache key."""
    return db.data_version(con)


PRESETS = ("Last full month", "Last quarter", "Year to date", "Last 12 months", "All data",
           "Custom months")


def latest_complete_month(last_date: date | None, today: date) -> date:
    """The newest month the data covers in full: the data's last month, unless that is the
    current calendar month (still running), then the month before. Old data still opens on numbers."""
    if last_date is None:
        return add_months(today.replace(day=1), -1)
    last_month = last_date.replace(day=1)
    current = today.replace(day=1)
    return add_months(current, -1) if last_month >= current else last_month


def preset_months(preset: str, latest: date, first: date | None) -> tuple[str, str]:
    """The (from, to) months of a period preset, counted back from the latest complete month."""
    def fmt(day: date) -> str:
        return day.strftime("%Y-%m")

    if preset == "Last full month":
        return fmt(latest), fmt(latest)
    if preset == "Last quarter":
        end = add_months(latest, -(latest.month % 3))  # the last calendar quarter fully in the data
        return fmt(add_months(end, -2)), fmt(end)
    if preset == "Year to date":
        return fmt(latest.replace(month=1)), fmt(latest)
    if preset == "Last 12 months":
        return fmt(add_months(latest, -11)), fmt(latest)
    if preset == "All data":
        start = first.replace(day=1) if first else add_months(latest, -11)
        return fmt(min(start, latest)), fmt(latest)
    raise ValueError(f"unknown period preset {preset!r}")


def period_label(filters: Filters) -> str:
    """'Nov 2025 – Oct 2026', or 'Oct 2026' for one month."""
    start, end = filters.start.strftime("%b %Y"), filters.end.strftime("%b %Y")
    return start if start == end else f"{start} – {end}"


# --- comparing two periods' conversion fairly (METRICS.md, "Comparable conversion") ----------

# The comparable conversions, the longest first, with how people read each.
COMPARABLE = (("conversion_90d", "won within 90 days", "≤90 d"),
              ("conversion_30d", "won within 30 days", "≤30 d"))


def _number(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass(frozen=True)
class Comparison:
    """A period's conversion set beside an earlier period's: by the longest comparable conversion
    both have (`key`), or not at all while the recent period is too young (`key` None)."""

    key: str | None
    current: float | None  # the recent period's comparable conversion (None: not comparable)
    before: float | None   # the earlier period's
    leads: int             # the recent period's leads
    still_open: int        # ... of them neither won nor lost yet
    too_young: bool        # the recent period is not 30 days old in the data yet

    @property
    def comparable(self) -> bool:
        return self.key is not None

    @property
    def basis(self) -> str:
        """'won within 90 days', or '' when not comparable."""
        return next((words for key, words, _ in COMPARABLE if key == self.key), "")

    @property
    def short_basis(self) -> str:
        return next((short for key, _, short in COMPARABLE if key == self.key), "")

    @property
    def points(self) -> float | None:
        """The change in percentage points, None when not comparable."""
        if not self.comparable:
            return None
        return (self.current - self.before) * 100

    def change(self) -> str | None:
        """'-1.2 pts (≤90 d)', 'too young to compare: 412 of 500 leads still open', or None."""
        if self.comparable:
            return f"{self.points:+.1f} pts ({self.short_basis})"
        if self.too_young:
            return self.young_note()
        return None

    def young_note(self) -> str:
        return f"too young to compare: {self.still_open_text()}"

    def still_open_text(self) -> str:
        """'412 of 500 leads still open'."""
        leads = "lead" if self.leads == 1 else "leads"
        return f"{self.still_open:,} of {self.leads:,} {leads} still open"

    def before_text(self) -> str:
        """The earlier period's conversion as compared: '21.0 % won within 30 days', or '–'."""
        if not self.comparable:
            return NO_VALUE
        return f"{self.before * 100:.1f} % {self.basis}"


def compare_conversion(now: dict, before: dict) -> Comparison:
    """How the totals `now` (the recent period) compare with `before` on conversion: by
    conversion_90d when both have it, else conversion_30d, else not (too young when the recent
    period has leads but no 30-day conversion yet)."""
    leads = int(_number(now.get("leads_submitted")) or 0)
    still_open = int(_number(now.get("leads_open")) or 0)
    for key, _, _ in COMPARABLE:
        current, earlier = _number(now.get(key)), _number(before.get(key))
        if current is not None and earlier is not None:
            return Comparison(key, current, earlier, leads, still_open, False)
    young = leads > 0 and _number(now.get("conversion_30d")) is None
    return Comparison(None, None, None, leads, still_open, young)

"""What each dashboard page asks of the engine on one view: its queries and their parameters.

Derived from pages/*.py, the router (dashboard.py: sidebar filters and footer) and leadbridge/ui.py;
tests/test_bench_pages.py runs every page with a spy on the engine and checks this list.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from leadbridge import meeting, metrics, quality_signals
from leadbridge.metrics import Filters

# Which filters a query runs with: none, the sidebar's, the previous period of equal length (the
# tiles' comparison), or the sidebar's narrowed to one tech (the Technicians drill-down opens on
# the first tech of the leaderboard).
NONE, FILTERS, PREVIOUS, FIRST_TECH = "none", "filters", "previous", "first tech"
# The Monthly meeting page asks the engine for its whole content in one call: meeting.build for
# the latest complete month (the period's last month) and the sidebar's branches, privacy on, its
# lead lists counted, not fetched (it opens on the numbers slide; a list slide fetches its rows).
MEETING = "meeting.build"
# The Reward program page asks the engine for the audit (its totals, per tech and the leads of the
# verdicts picked: unpaid, underpaid, overpaid at first) in one call, and for the simulation of
# the policy in force in another that runs its queries side by side; the policy is the sample
# company's ($25 a lead, $100 + 1 % of the sale when won), which the benchmark's payouts follow.
REWARD_AUDIT, REWARD_SIMULATION = ("rewards.audit_with_leads", "rewards.simulate")
REWARD_CALLS = (REWARD_AUDIT, REWARD_SIMULATION)
REWARD_STATUSES = ("unpaid", "underpaid", "overpaid")
# A long list's page: leadbridge.ui_table.PAGE_ROWS rows (not imported: it brings Streamlit in).
PAGE_ROWS = 200


@dataclass(frozen=True)
class Call:
    """One query a page runs: its name, which filters, and its other parameters."""

    query: str
    filters: str = FILTERS
    extra: tuple[tuple[str, object], ...] = field(default=())

    def label(self) -> str:
        bits = [self.filters] + [f"{k}={v}" for k, v in self.extra]
        return f"{self.query} ({', '.join(bits)})"


def _call(query: str, filters: str = FILTERS, **extra) -> Call:
    return Call(query, filters, tuple(sorted(extra.items())))


# The router runs these around every page: the sidebar's choices, then the footer.
SHELL = (
    _call("data_range", NONE),
    _call("filter_choices", NONE),
    _call("as_of"),
    _call("last_import", NONE),
)

# The lead quality signals (the Lead quality page, and the leaderboard's marks): those counting
# leads in one query, the rewards signal in another.
QUALITY = tuple(_call(name, **quality_signals.params())
                for name in ("quality_signals_per_tech", "quality_signal_rewards"))

PAGES: dict[str, tuple[Call, ...]] = {
    "overview": (
        _call("totals"),
        _call("totals", PREVIOUS),
        _call("monthly"),
    ),
    "technicians": (
        _call("totals"),
        _call("totals", PREVIOUS),
        _call("by_tech"),  # its first chart tab; "Leads per 100 jobs" runs its query when opened
        *QUALITY,
        _call("meeting_readiness"),
    ),
    "lead_quality": QUALITY,
    "conversion": (
        _call("funnel"),
        _call("conversion_by_dimension", dimension="lead_type"),  # the tables below the tabs
        _call("conversion_by_dimension", dimension="branch"),
        _call("cohort_conversion_by_age"),  # its first chart tab; the others query when opened
    ),
    "revenue_rewards": (
        _call("clawbacks"),
        _call("totals"),
        _call("totals", PREVIOUS),
        _call("monthly"),
        _call("reward_cost_by_month_reason"),
        # its first chart tab; "Revenue by branch" queries by branch when opened
        _call("conversion_by_dimension", dimension="lead_type"),
    ),
    "meeting": (
        _call(MEETING),
    ),
    # Both tabs: the Audit (drawn first), then the What if opened (it simulates the policy).
    "rewards": (
        _call(REWARD_AUDIT),
        _call(REWARD_SIMULATION),
        _call("filter_choices", NONE),
    ),
    "follow_up": (
        _call("as_of"),
        _call("leads_awaiting_contact_count"),
        _call("leads_awaiting_contact", limit=PAGE_ROWS, offset=0),
        _call("totals"),
        _call("totals", PREVIOUS),
        _call("contact_speed_by_dimension", dimension="sales_rep"),
        _call("contact_speed_by_dimension", dimension="branch"),
        _call("open_leads_by_age"),
    ),
    # every tab: the Data page draws only its Import tab when opened, the others when clicked
    "data": (
        _call("import_history", NONE),
        _call("rejects_count", NONE, import_id=None),
        _call("rejects", NONE, import_id=None, limit=PAGE_ROWS, offset=0),
        _call("superseded_count", NONE, import_id=None),
        _call("superseded", NONE, import_id=None, limit=PAGE_ROWS, offset=0),
        _call("dq_orphan_outcomes", NONE),
        _call("dq_unknown_techs", NONE),
        _call("dq_payouts_unknown_leads", NONE),
        _call("dq_payouts_unknown_techs", NONE),
        _call("dq_dates_before_submission", NONE),
        _call("dq_possible_duplicates", NONE),
        _call("dq_unrecognized_lead_types", NONE),
    ),
}


def page_calls(page: str) -> tuple[Call, ...]:
    """Everything one view of a page runs: the router's queries, then the page's own."""
    return SHELL + PAGES[page]


def filters_for(call: Call, filters: Filters, first_tech: str | None) -> Filters | None:
    """The Filters a call runs with, given the sidebar's and the leaderboard's first tech."""
    if call.filters == NONE:
        return None
    if call.filters == PREVIOUS:
        return filters.previous()
    if call.filters == FIRST_TECH:
        return replace(filters, techs=(first_tech,)) if first_tech else None
    return filters


@dataclass
class PageRun:
    """One view of a page: seconds per engine call."""

    calls: dict[str, float] = field(default_factory=dict)

    @property
    def queries(self) -> float:
        return sum(self.calls.values())


def _reward_call(con, name: str, filters: Filters):
    from leadbridge import policy, rewards, sample

    chosen = policy.parse(sample.REWARD_POLICY_TEXT)
    if name == REWARD_AUDIT:
        return rewards.audit_with_leads(con, chosen, filters, REWARD_STATUSES)
    return rewards.simulate(con, chosen, filters)


def run_page(con, page: str, filters: Filters) -> PageRun:
    """Run one view of a page on the engine (no result cache), timing each call."""
    run = PageRun()
    first_tech = None
    for call in page_calls(page):
        chosen = filters_for(call, filters, first_tech)
        if call.filters == FIRST_TECH and chosen is None:
            continue  # an empty leaderboard: the drill-down is not drawn
        start = time.perf_counter()
        if call.query in REWARD_CALLS:
            _reward_call(con, call.query, filters)
            run.calls[call.query] = time.perf_counter() - start
            continue
        if call.query == MEETING:
            # Its queries run side by side (metrics.run_many): the figure is the whole call,
            # the pandas work that ranks and labels the techs included.
            meeting.build(con, filters.to_month, filters.branches, privacy=True, lists=False)
            run.calls[MEETING] = time.perf_counter() - start
            continue
        frame = metrics.run(con, call.query, chosen, **dict(call.extra))
        run.calls[call.label()] = time.perf_counter() - start
        if call.query == "by_tech" and len(frame):
            first_tech = str(frame["tech_id"].iloc[0])
    return run

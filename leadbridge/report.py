"""The report of METRICS.md: one structure, printed as JSON for machines or CSV/markdown for people."""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd

from leadbridge import exports, metrics
from leadbridge.metrics import Filters
from leadbridge.values import NO_VALUE, missing

COHORT_KEYS = (
    "leads_submitted", "leads_won", "leads_lost", "leads_open", "conversion_rate", "win_rate",
    "median_days_to_contact", "participating_techs", "active_techs", "participation_rate",
    "leads_awaiting_contact_7d",
)
ACTIVITY_KEYS = (
    "deals_won", "revenue_attributed", "gross_margin_attributed", "median_days_to_close",
    "reward_cost", "revenue_per_reward_dollar", "program_roi", "cost_per_won_deal",
)
# Comparable conversion (METRICS.md): won within 30 (90) days of submission, once the period is
# that old in the data; what two periods of different age are compared by.
COMPARABLE_KEYS = ("conversion_30d", "conversion_90d")
TOTAL_KEYS = COHORT_KEYS + COMPARABLE_KEYS + ACTIVITY_KEYS
FUNNEL_KEYS = ("submitted", "contacted", "qualified", "quoted", "won")

# Money is rounded to cents; every other number is given as computed.
MONEY_KEYS = frozenset({
    "revenue_attributed", "gross_margin_attributed", "reward_cost", "cost_per_won_deal",
    "amount", "clawback_amount", "estimated_value", "revenue",
})
RATE_KEYS = frozenset({
    "conversion_rate", "conversion_30d", "conversion_90d", "win_rate", "participation_rate",
    "conversion_ci_low", "conversion_ci_high", "program_roi", "open_share", "share", "contacted_within_7d_share",
})
INT_KEYS = frozenset({
    "leads_submitted", "leads_won", "leads_lost", "leads_open", "participating_techs",
    "active_techs", "leads_awaiting_contact_7d", "deals_won", *FUNNEL_KEYS,
})

BY_TECH_KEYS = (
    "tech_id", "tech_name", "leads_submitted", "leads_won", "conversion_rate", "conversion_ci_low",
    "conversion_ci_high", "deals_won", "revenue_attributed", "reward_cost",
    "revenue_per_reward_dollar",
)
MONTHLY_KEYS = ("month", "leads_submitted", "leads_won", "conversion_rate", "conversion_30d",
                "conversion_90d", "deals_won", "revenue_attributed", "reward_cost")
DIMENSION_KEYS = ("leads_submitted", "leads_won", "conversion_rate", "win_rate", "deals_won",
                  "revenue_attributed")


def clean(key: str, value):
    """A JSON-safe value: None for NaN/NA/inf, cents for money, ints for counts, ISO for dates."""
    if missing(value) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if key in INT_KEYS and isinstance(value, (int, float)):
        return int(value)
    if key in MONEY_KEYS and isinstance(value, (int, float)):
        return round(float(value), 2)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value) if isinstance(value, float) else value
    return value


def records(frame: pd.DataFrame, keys: tuple[str, ...] | None = None) -> list[dict]:
    """Rows of a frame as JSON-safe dicts (only `keys`, in that order, when given; a key the frame
    lacks, such as per-person money for a person without it, is left out)."""
    cols = [k for k in keys if k in frame.columns] if keys else list(frame.columns)
    return [{k: clean(k, row[k]) for k in cols} for row in frame.to_dict("records")]


def build(con, filters: Filters, person=None) -> dict:
    """The report object of METRICS.md for a period and filters, as `person` (an access.Person;
    None: everything) may see it: their branches only, per-person money only if they have it. A
    branch filter outside their scope raises AccessDenied naming it."""
    if person is not None:
        filters = filters.for_person(person)
    as_of = metrics.as_of(con, filters)
    totals_row = metrics.run(con, "totals", filters, as_of=as_of).iloc[0].to_dict()
    totals = {k: clean(k, totals_row[k]) for k in TOTAL_KEYS}
    by_dimension = {}
    for dimension in ("lead_type", "branch"):
        frame = metrics.run(con, "conversion_by_dimension", filters, dimension=dimension)
        frame = frame.rename(columns={"dimension_value": dimension})
        by_dimension[dimension] = records(frame, (dimension, *DIMENSION_KEYS))
    funnel_row = metrics.run(con, "funnel", filters).iloc[0].to_dict()
    return {
        "period": {"from": filters.start.isoformat(), "to": filters.end.isoformat()},
        "as_of": as_of.isoformat(),
        "filters": {"branch": list(filters.branches), "lead_type": list(filters.lead_types),
                    "tech": list(filters.techs)},
        "totals": totals,
        "monthly": records(metrics.run(con, "monthly", filters), MONTHLY_KEYS),
        "by_tech": records(metrics.run(con, "by_tech", filters), BY_TECH_KEYS),
        "by_lead_type": by_dimension["lead_type"],
        "by_branch": by_dimension["branch"],
        "funnel": {k: clean(k, funnel_row[k]) for k in FUNNEL_KEYS},
    }


def to_json(report: dict) -> str:
    """JSON for machines: null for missing values, never NaN or Infinity."""
    return json.dumps(report, indent=2, allow_nan=False)


def _sections(report: dict) -> list[tuple[str, list[str], list[list]]]:
    """The report as titled tables: (title, header, rows)."""
    sections = [
        ("Report", ["key", "value"], [
            ["period_from", report["period"]["from"]], ["period_to", report["period"]["to"]],
            ["as_of", report["as_of"]],
            *[[f"filter_{k}", ", ".join(v) or "all"] for k, v in report["filters"].items()],
        ]),
        ("Totals", ["metric", "value"], [[k, v] for k, v in report["totals"].items()]),
    ]
    for key, title in (("monthly", "Monthly"), ("by_tech", "By tech"),
                       ("by_lead_type", "By lead type"), ("by_branch", "By branch")):
        rows = report[key]
        header = list(rows[0]) if rows else []
        sections.append((title, header, [[r[h] for h in header] for r in rows]))
    sections.append(("Funnel", ["stage", "leads"], [[k, v] for k, v in report["funnel"].items()]))
    return sections


def to_csv(report: dict) -> str:
    """CSV for spreadsheets: one titled block per section, blank line between blocks; a text cell
    that a spreadsheet would run as a formula (a tech named "=HYPERLINK(...)") is defused."""
    return exports.csv_blocks(_sections(report), exports.defuse)


def human(key: str, value) -> str:
    """A value as a person reads it: 62.5 %, $1,234.50, 3.5 days, or a dash when missing."""
    if value is None:
        return NO_VALUE
    if key in RATE_KEYS and isinstance(value, (int, float)):
        return f"{value * 100:.1f} %"
    if key in MONEY_KEYS and isinstance(value, (int, float)):
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.2f}"
    if key == "revenue_per_reward_dollar" and isinstance(value, (int, float)):
        return f"${value:,.2f}"
    if key.startswith("median_days") and isinstance(value, (int, float)):
        return f"{value:g} days"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def to_markdown(report: dict) -> str:
    """Markdown tables for people, values formatted as the dashboard shows them."""
    return exports.markdown_tables(_sections(report), human, [["metric", "value"], ["stage", "leads"]])

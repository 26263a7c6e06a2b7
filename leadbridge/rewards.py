"""The reward program (REWARD_POLICY.md): the simulation (what a policy would have cost) and the
audit (was each lead paid what it earned), built from queries/reward_*.sql, printed as JSON for
machines or CSV/markdown for people, and the correction list payroll acts on."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from leadbridge import exports, metrics
from leadbridge.metrics import Filters
from leadbridge.policy import Policy
from leadbridge.values import NO_VALUE, missing

DEFAULT_GRACE_DAYS = 45
AUDIT_STATUSES = ("ok", "pending", "unpaid", "underpaid", "overpaid")

SIMULATION_TOTAL_KEYS = (
    "simulated_cost", "actual_cost", "difference", "deals_won", "revenue_attributed",
    "gross_margin_attributed", "simulated_cost_per_won_deal", "simulated_revenue_per_reward_dollar",
    "simulated_program_roi", "leads_missing_margin",
)
BY_RULE_KEYS = ("rule", "leads", "cost")
SIM_MONTHLY_KEYS = ("month", "simulated_cost", "actual_cost")
SIM_BY_TECH_KEYS = ("tech_id", "tech_name", "simulated_cost", "actual_cost", "difference")
AUDIT_TOTAL_KEYS = (
    "leads", "earned", "due", "pending", "paid", "unpaid_amount", "underpaid_amount",
    "overpaid_amount", "leads_ok", "leads_pending", "leads_unpaid", "leads_underpaid",
    "leads_overpaid", "unmatched_payouts", "unmatched_amount",
)
AUDIT_BY_TECH_KEYS = ("tech_id", "tech_name", "earned", "due", "paid", "unpaid_amount",
                      "underpaid_amount", "overpaid_amount")
AUDIT_LEAD_KEYS = ("lead_id", "tech_id", "submitted_at", "status", "earned", "due", "pending",
                   "paid", "audit", "duplicate_payment", "paid_to_other_tech")
CORRECTION_KEYS = ("tech_id", "tech_name", "lead_id", "action", "amount", "why")

MONEY_KEYS = frozenset({
    "simulated_cost", "actual_cost", "difference", "revenue_attributed", "gross_margin_attributed",
    "simulated_cost_per_won_deal", "cost", "earned", "due", "pending", "paid", "unpaid_amount",
    "underpaid_amount", "overpaid_amount", "unmatched_amount", "amount",
})
INT_KEYS = frozenset({
    "deals_won", "leads_missing_margin", "leads", "leads_ok", "leads_pending", "leads_unpaid",
    "leads_underpaid", "leads_overpaid", "unmatched_payouts",
})
CENT = Decimal("0.01")


def cents(value) -> float:
    """Money rounded to cents, halves away from zero (exact for DECIMAL values from DuckDB)."""
    return float(Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP))


def clean(key: str, value):
    """A JSON-safe value: None for missing/NaN/inf, cents for money, ints for counts, ISO days."""
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if key in INT_KEYS and isinstance(value, (int, float, Decimal)):
        return int(value)
    if key in MONEY_KEYS and isinstance(value, (int, float, Decimal)):
        return cents(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def records(frame: pd.DataFrame, keys: tuple[str, ...]) -> list[dict]:
    """Rows as JSON-safe dicts in the order of keys; a key the frame lacks is left out (per-person
    money for a person without the money right: metrics.PER_PERSON_MONEY)."""
    present = [k for k in keys if k in frame.columns]
    columns = [_clean_series(k, frame[k]) for k in present]
    return [dict(zip(present, values, strict=True)) for values in zip(*columns, strict=True)]


def _clean_series(key: str, series: pd.Series) -> list:
    """clean() over one column, each distinct value worked out once (a long lead list repeats
    the same amounts, days and verdicts). A column of one numeric, boolean or date type is
    factorized (its distinct values found by pandas, missing ones included, then spread back);
    a column of Python objects goes value by value (_clean_column)."""
    if series.dtype == object or isinstance(series.dtype, pd.CategoricalDtype):
        return _clean_column(key, series.tolist())
    if key in MONEY_KEYS and series.dtype == np.float64:
        # A double that np.round leaves as it is is the double nearest a whole number of cents,
        # which cents() returns unchanged: only the others (none from a DECIMAL column; NaN and
        # infinities) go through clean().
        values = series.to_numpy()
        with np.errstate(invalid="ignore"):
            exact = np.isfinite(values) & (np.round(values, 2) == values)
        if exact.all():
            return values.tolist()
        out = values.astype(object)
        out[~exact] = [clean(key, value) for value in values[~exact].tolist()]
        out[exact] = values[exact].tolist()
        return out.tolist()
    codes, uniques = pd.factorize(series, use_na_sentinel=False)
    cleaned = np.empty(len(uniques), dtype=object)
    cleaned[:] = [clean(key, value) for value in uniques.tolist()]
    return cleaned[codes].tolist()


def _clean_column(key: str, values: list) -> list:
    """clean() over a list of values, each distinct value worked out once; values are told apart
    by type as well (True == 1)."""
    done: dict = {}
    out = []
    for value in values:
        try:
            memo = (type(value), value)
            out.append(done[memo] if memo in done else done.setdefault(memo, clean(key, value)))
        except TypeError:  # unhashable
            out.append(clean(key, value))
    return out


def audit_as_of(con, filters: Filters) -> date:
    """The audit's as-of date: the latest date anywhere in the data, whatever the period's end
    (the period's end when there is no data)."""
    far = replace(filters, end=date(9999, 12, 31))
    latest = metrics.as_of(con, far)
    return filters.end if latest == far.end else latest


def _period(filters: Filters) -> dict:
    return {"from": filters.start.isoformat(), "to": filters.end.isoformat()}


# ---- the simulation ------------------------------------------------------------------------


def simulate(con, policy: Policy, filters: Filters) -> dict:
    """The simulation object of REWARD_POLICY.md: what the policy would have cost in the period."""
    rules = policy.params()
    frames = metrics.run_many(con, {
        "totals": ("reward_simulation_totals", filters, {"rules": rules}),
        "by_rule": ("reward_simulation_by_rule", filters, {"rules": rules}),
        "monthly": ("reward_simulation_monthly", filters, {"rules": rules}),
        "by_tech": ("reward_simulation_by_tech", filters, {"rules": rules}),
        "as_of": ("as_of", filters, {}),
    })
    totals = frames["totals"].iloc[0].to_dict()
    return {
        "policy": policy.name,
        "period": _period(filters),
        "as_of": clean("as_of", frames["as_of"].iloc[0, 0]),
        "totals": {k: clean(k, totals[k]) for k in SIMULATION_TOTAL_KEYS},
        "by_rule": records(frames["by_rule"], BY_RULE_KEYS),
        "monthly": records(frames["monthly"], SIM_MONTHLY_KEYS),
        "by_tech": records(frames["by_tech"], SIM_BY_TECH_KEYS),
    }


# ---- the audit -----------------------------------------------------------------------------


def _audit_params(con, policy: Policy, filters: Filters, grace_days: int) -> dict:
    if grace_days < 0:
        raise ValueError(f"grace days must be 0 or more, got {grace_days}")
    return {"rules": policy.params(), "as_of": audit_as_of(con, filters),
            "grace_days": int(grace_days)}


def audit(con, policy: Policy, filters: Filters, grace_days: int = DEFAULT_GRACE_DAYS,
          leads: bool = True) -> dict:
    """The audit object of REWARD_POLICY.md for the leads submitted in the period; with
    leads=False, without its list of leads (tens of thousands a year at 1M leads, most of them
    not due yet)."""
    extra, frames = _audit_frames(con, policy, filters, grace_days, leads, ())
    return _audit_object(policy, filters, grace_days, extra, frames, leads)


def audit_with_leads(con, policy: Policy, filters: Filters, statuses: tuple[str, ...] = (),
                     grace_days: int = DEFAULT_GRACE_DAYS) -> tuple[dict, pd.DataFrame]:
    """What the Reward page shows, from one run of the per-lead audit: the audit object without
    its list of leads, and the leads to fix of the given verdicts (every verdict but ok when none
    is given) as audit_leads returns them."""
    extra, frames = _audit_frames(con, policy, filters, grace_days, True, statuses)
    # The flags as audit_leads gives them: stacking the parts made them nullable.
    listed = frames["leads"].astype({"duplicate_payment": bool, "paid_to_other_tech": bool})
    return _audit_object(policy, filters, grace_days, extra, frames, False), listed


def _audit_frames(con, policy: Policy, filters: Filters, grace_days: int, leads: bool,
                  statuses: tuple[str, ...]) -> tuple[dict, dict[str, pd.DataFrame]]:
    extra = _audit_params(con, policy, filters, grace_days) | {
        "with_leads": bool(leads), "audit_status": list(statuses)}
    # One query (reward_audit.sql) works out the per-lead audit once for its three parts: the
    # same rows as reward_audit_totals, _by_tech and _leads, each part with its own columns.
    stacked = metrics.run(con, "reward_audit", filters, **extra)
    part = stacked["part"].to_numpy()
    frames = {}
    for name, query, keys in (("totals", "reward_audit_totals", AUDIT_TOTAL_KEYS),
                              ("by_tech", "reward_audit_by_tech", AUDIT_BY_TECH_KEYS),
                              ("leads", "reward_audit_leads", AUDIT_LEAD_KEYS)):
        hidden = () if getattr(filters, "money", True) else metrics.personal_money_columns(
            query, filters.params())
        frames[name] = stacked.loc[part == name,
                                   [k for k in keys if k not in hidden]].reset_index(drop=True)
    return extra, frames


def _audit_object(policy: Policy, filters: Filters, grace_days: int, extra: dict,
                  frames: dict[str, pd.DataFrame], leads: bool) -> dict:
    totals = frames["totals"].iloc[0].to_dict()
    out = {
        "policy": policy.name,
        "period": _period(filters),
        "as_of": extra["as_of"].isoformat(),
        "grace_days": int(grace_days),
        "totals": {k: clean(k, totals[k]) for k in AUDIT_TOTAL_KEYS},
        "by_tech": records(frames["by_tech"], AUDIT_BY_TECH_KEYS),
    }
    if leads:
        out["leads"] = records(frames["leads"], AUDIT_LEAD_KEYS)
    return out


def audit_leads(con, policy: Policy, filters: Filters, statuses: tuple[str, ...] = (),
                grace_days: int = DEFAULT_GRACE_DAYS) -> pd.DataFrame:
    """The leads to fix (audit not ok), only those of the given verdicts when some are given."""
    extra = _audit_params(con, policy, filters, grace_days) | {"audit_status": list(statuses)}
    return metrics.run(con, "reward_audit_leads", filters, **extra)


def _money_text(value: float) -> str:
    return f"${abs(value):,.2f}"


def corrections(con, policy: Policy, filters: Filters,
                grace_days: int = DEFAULT_GRACE_DAYS) -> pd.DataFrame:
    """What payroll must do, one row per tech and lead: pay (amount > 0) or recover (amount < 0),
    and why. A payout to the wrong tech is recovered from that tech and paid to the lead's tech."""
    if not getattr(filters, "money", True):
        raise PermissionError("the correction list is per-person money, which this person's "
                              "role does not see")
    extra = _audit_params(con, policy, filters, grace_days)
    frame = metrics.run(con, "reward_audit_corrections", filters, **extra)
    rows = []
    for lead_id, group in frame.groupby("lead_id", sort=True):
        first = group.iloc[0]
        earned, due, paid = cents(first["earned"]), cents(first["due"]), cents(first["paid"])
        tech = (first["tech_id"], first["tech_name"])

        def add(who, amount: float, why: str, lead=lead_id):
            if abs(amount) > 0.005:
                rows.append({"tech_id": who[0], "tech_name": who[1], "lead_id": lead,
                             "action": "pay" if amount > 0 else "recover",
                             "amount": round(amount, 2), "why": why})

        if first["paid_to_other_tech"]:
            for other in group.itertuples():
                add((other.other_tech_id, other.other_tech_name), -cents(other.other_amount),
                    f"paid {_money_text(cents(other.other_amount))} for lead {lead_id}, which is "
                    f"{tech[1]}'s ({tech[0]})")
            own = round(paid - cents(first["paid_other"]), 2)
            if own < due - 0.005:
                add(tech, due - own, f"earned {_money_text(due)} (due now) under {policy.name}; "
                    f"paid {_money_text(own)} to this tech, the rest went to another tech")
            elif own > earned + 0.005:
                add(tech, earned - own, f"paid {_money_text(own)}, earned {_money_text(earned)}")
            continue
        if first["audit"] == "unpaid":
            add(tech, due, f"earned {_money_text(due)} (due now) under {policy.name}; never paid")
        elif first["audit"] == "underpaid":
            add(tech, due - paid, f"earned {_money_text(due)} (due now) under {policy.name}; "
                f"paid {_money_text(paid)}")
        elif first["audit"] == "overpaid":
            why = (f"paid {_money_text(paid)}, earned {_money_text(earned)} under {policy.name}"
                   + ("; the same payment was made twice" if first["duplicate_payment"] else ""))
            add(tech, earned - paid, why)
    return pd.DataFrame(rows, columns=list(CORRECTION_KEYS))


def corrections_csv(frame: pd.DataFrame) -> str:
    """The correction list as CSV payroll can open safely (formula cells defused)."""
    return exports.frame_to_csv(frame)


# ---- printing ------------------------------------------------------------------------------


def to_json(data: dict) -> str:
    """JSON for machines: null for missing values, never NaN or Infinity."""
    return json.dumps(data, indent=2, allow_nan=False)


def _sections(data: dict) -> list[tuple[str, list[str], list[list]]]:
    head = [["policy", data["policy"]], ["period_from", data["period"]["from"]],
            ["period_to", data["period"]["to"]], ["as_of", data["as_of"]]]
    if "grace_days" in data:
        head.append(["grace_days", data["grace_days"]])
    sections = [("Policy", ["key", "value"], head),
                ("Totals", ["metric", "value"], [[k, v] for k, v in data["totals"].items()])]
    for key in ("by_rule", "monthly", "by_tech", "leads"):
        if key in data:
            rows = data[key]
            header = list(rows[0]) if rows else []
            sections.append((key.replace("_", " ").capitalize(), header,
                             [[r[h] for h in header] for r in rows]))
    return sections


def to_csv(data: dict) -> str:
    """CSV for spreadsheets: one titled block per section, a blank line between blocks, text
    cells defused against formulas."""
    return exports.csv_blocks(_sections(data), exports.defuse)


def human(key: str, value) -> str:
    """A value as a person reads it: $1,234.50, 12.5 %, yes/no, a dash when missing."""
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in MONEY_KEYS and isinstance(value, (int, float)):
        sign = "-" if value < 0 else ""
        return f"{sign}${abs(value):,.2f}"
    if key == "simulated_revenue_per_reward_dollar" and isinstance(value, (int, float)):
        return f"${value:,.2f}"
    if key == "simulated_program_roi" and isinstance(value, (int, float)):
        return f"{value * 100:.1f} %"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|").replace("\n", " ")


def to_markdown(data: dict) -> str:
    """Markdown tables for people, money as dollars."""
    return exports.markdown_tables(_sections(data), human, [["key", "value"], ["metric", "value"]])

"""A second, independent implementation of METRICS.md in plain pandas, for the cross-check.

Written from the words of shared/METRICS.md (beside the repository), not from queries/: it reads the canonical
tables as they are (`select * from <table>`), applies the definitions with pandas and returns the
same dict as `report.build`. Nothing here is shared with the SQL, so a disagreement between the
two means one of them misreads the document.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import pandas as pd

Z = 1.959964
DAY = pd.Timedelta(days=1)


@dataclass
class Tables:
    techs: pd.DataFrame
    leads: pd.DataFrame
    outcomes: pd.DataFrame
    payouts: pd.DataFrame


def read_tables(con) -> Tables:
    """The canonical tables as DataFrames (dates as Timestamps, money as floats)."""
    cur = con.cursor()
    frames = {t: cur.execute(f"select * from {t}").df()  # noqa: S608 (fixed table names)
              for t in ("techs", "leads", "outcomes", "payouts")}
    cur.close()
    for table, columns in (("leads", ["submitted_at"]), ("outcomes", ["contacted_at", "closed_at"]),
                           ("payouts", ["paid_on"])):
        for column in columns:
            frames[table][column] = pd.to_datetime(frames[table][column])
    for table, columns in (("leads", ["estimated_value"]),
                           ("outcomes", ["revenue", "gross_margin"]), ("payouts", ["amount"])):
        for column in columns:
            frames[table][column] = pd.to_numeric(frames[table][column]).astype(float)
    return Tables(**frames)


def _text(value) -> str | None:
    """A text value, None when missing or blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    value = str(value).strip()
    return value or None


def roster_branches(t: Tables) -> dict[str, str]:
    """tech_id -> roster branch, for roster techs that have one."""
    return {row.tech_id: _text(row.branch) for row in t.techs.itertuples()
            if _text(row.branch) is not None}


def enriched_leads(t: Tables) -> pd.DataFrame:
    """Every lead with its branch, type and status as METRICS.md defines them.

    Outcome rows whose lead is unknown fall away in the left merge ("count nowhere").
    """
    roster = roster_branches(t)
    outcomes = t.outcomes.drop(columns=["sales_rep", "import_id"], errors="ignore")
    leads = t.leads.merge(outcomes, on="lead_id", how="left")
    leads["branch"] = [
        _text(own) or roster.get(tech) or "Unassigned"
        for own, tech in zip(leads["branch"], leads["tech_id"], strict=True)
    ]
    leads["lead_type"] = [_text(v) or "other" for v in leads["lead_type"]]
    leads["status"] = [_text(v) or "open" for v in leads["status"]]
    contact_days = (leads["contacted_at"] - leads["submitted_at"]).dt.days
    close_days = (leads["closed_at"] - leads["submitted_at"]).dt.days
    leads["days_to_contact"] = contact_days.where(contact_days >= 0)
    leads["days_to_close"] = close_days.where(close_days >= 0)
    return leads


def enriched_payouts(t: Tables, leads: pd.DataFrame) -> pd.DataFrame:
    """Payouts with the branch and lead type a filter looks at."""
    roster = roster_branches(t)
    lead_branch = dict(zip(leads["lead_id"], leads["branch"], strict=True))
    lead_type = dict(zip(leads["lead_id"], leads["lead_type"], strict=True))
    payouts = t.payouts.copy()
    branches, types = [], []
    for lead_id, tech in zip(payouts["lead_id"], payouts["tech_id"], strict=True):
        lead_id = _text(lead_id)
        if lead_id in lead_branch:
            branches.append(lead_branch[lead_id])
            types.append(lead_type[lead_id])
        else:
            branches.append(roster.get(tech) or "Unassigned")
            types.append(None)
    payouts["branch"] = branches
    payouts["lead_type"] = pd.Series(types, index=payouts.index, dtype=object)
    return payouts


def as_of(t: Tables, end: date) -> date:
    """The period's last day, or the latest date in the data when that is earlier."""
    dates = [t.leads["submitted_at"], t.outcomes["contacted_at"], t.outcomes["closed_at"],
             t.payouts["paid_on"]]
    latest = max((s.max() for s in dates if s.notna().any()), default=None)
    if latest is None:
        return end
    return min(end, latest.date())


def chosen(frame: pd.DataFrame, column: str, values) -> pd.Series:
    """Rows whose column is in values; every row when values is empty."""
    if not values:
        return pd.Series(True, index=frame.index)
    return frame[column].isin(list(values)).fillna(False).astype(bool)


def passes(frame: pd.DataFrame, f) -> pd.Series:
    return (chosen(frame, "branch", f.branches) & chosen(frame, "lead_type", f.lead_types)
            & chosen(frame, "tech_id", f.techs))


def between(series: pd.Series, start: date, end: date) -> pd.Series:
    return (series >= pd.Timestamp(start)) & (series <= pd.Timestamp(end))


def ratio(numerator, denominator):
    return None if not denominator else numerator / denominator


def median(series: pd.Series):
    values = series.dropna()
    return None if values.empty else float(values.median())


def cents(value):
    return None if value is None else round(float(value), 2)


def wilson(won: int, n: int) -> tuple[float | None, float | None]:
    """Wilson score interval, 95 %."""
    if n == 0:
        return None, None
    p = won / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    scale = 1 + Z * Z / n
    return (centre - half) / scale, (centre + half) / scale


def latest_date(t: Tables):
    """The latest date anywhere in the data (submissions, contacts, closes, payouts), or None."""
    dates = [t.leads["submitted_at"], t.outcomes["contacted_at"], t.outcomes["closed_at"],
             t.payouts["paid_on"]]
    return max((s.max().date() for s in dates if s.notna().any()), default=None)


def comparable(frame: pd.DataFrame, days: int, last_day: date, latest) -> float | None:
    """Leads won at most `days` days after submission over all leads; None while the period's
    last day is not yet `days` days old in the data."""
    if latest is None or pd.Timestamp(last_day) + pd.Timedelta(days=days) > pd.Timestamp(latest):
        return None
    won = (frame["status"] == "won") & ((frame["closed_at"] - frame["submitted_at"]).dt.days <= days)
    return ratio(int(won.sum()), len(frame))


def build(con, f) -> dict:
    """The report of METRICS.md for Filters f (start, end, branches, lead_types, techs)."""
    t = read_tables(con)
    leads = enriched_leads(t)
    payouts = enriched_payouts(t, leads)
    day = as_of(t, f.end)

    cohort = leads[between(leads["submitted_at"], f.start, f.end) & passes(leads, f)]
    deals = leads[(leads["status"] == "won") & between(leads["closed_at"], f.start, f.end)
                  & passes(leads, f)]
    paid = payouts[between(payouts["paid_on"], f.start, f.end) & passes(payouts, f)]

    won = int((cohort["status"] == "won").sum())
    lost = int((cohort["status"] == "lost").sum())
    waiting = cohort[(cohort["status"] == "open") & cohort["contacted_at"].isna()
                     & ((pd.Timestamp(day) - cohort["submitted_at"]).dt.days >= 7)]

    if t.techs.empty:
        active_techs, participation = None, None
    else:
        roster = t.techs.copy()
        roster["branch"] = [_text(b) or "Unassigned" for b in roster["branch"]]
        active = roster[roster["active"].astype(bool) & chosen(roster, "branch", f.branches)]
        active_techs = int(len(active))
        with_lead = active["tech_id"].isin(set(cohort["tech_id"])).sum()
        participation = ratio(int(with_lead), active_techs)

    revenue = float(deals["revenue"].sum())
    margins = deals["gross_margin"].dropna()
    margin = float(margins.sum()) if len(margins) else None
    reward = float(paid["amount"].sum())
    totals = {
        "leads_submitted": len(cohort),
        "leads_won": won,
        "leads_lost": lost,
        "leads_open": len(cohort) - won - lost,
        "conversion_rate": ratio(won, len(cohort)),
        "win_rate": ratio(won, won + lost),
        "median_days_to_contact": median(cohort["days_to_contact"]),
        "participating_techs": int(cohort["tech_id"].nunique()),
        "active_techs": active_techs,
        "participation_rate": participation,
        "leads_awaiting_contact_7d": len(waiting),
        "conversion_30d": comparable(cohort, 30, f.end, latest_date(t)),
        "conversion_90d": comparable(cohort, 90, f.end, latest_date(t)),
        "deals_won": len(deals),
        "revenue_attributed": cents(revenue),
        "gross_margin_attributed": cents(margin),
        "median_days_to_close": median(deals["days_to_close"]),
        "reward_cost": cents(reward),
        "revenue_per_reward_dollar": revenue / reward if reward > 0 else None,
        "program_roi": (margin - reward) / reward if reward > 0 and margin is not None else None,
        "cost_per_won_deal": cents(ratio(reward, len(deals))),
    }
    return {
        "period": {"from": f.start.isoformat(), "to": f.end.isoformat()},
        "as_of": day.isoformat(),
        "filters": {"branch": list(f.branches), "lead_type": list(f.lead_types),
                    "tech": list(f.techs)},
        "totals": totals,
        "monthly": monthly(f, cohort, deals, paid, latest_date(t)),
        "by_tech": by_tech(t, cohort, deals, paid),
        "by_lead_type": by_value("lead_type", cohort, deals),
        "by_branch": by_value("branch", cohort, deals),
        "funnel": funnel(cohort),
    }


def groups(frame: pd.DataFrame, keys: pd.Series) -> dict:
    """Rows of frame split by the value of keys (a Series on frame's index)."""
    return {key: part for key, part in frame.groupby(keys, sort=False)}


def monthly(f, cohort, deals, paid, latest) -> list[dict]:
    months = pd.period_range(pd.Timestamp(f.start), pd.Timestamp(f.end), freq="M")
    empty = {"cohort": cohort.iloc[:0], "deals": deals.iloc[:0], "paid": paid.iloc[:0]}
    by_cohort = groups(cohort, cohort["submitted_at"].dt.to_period("M"))
    by_deals = groups(deals, deals["closed_at"].dt.to_period("M"))
    by_paid = groups(paid, paid["paid_on"].dt.to_period("M"))
    out = []
    for month in months:
        in_cohort = by_cohort.get(month, empty["cohort"])
        in_deals = by_deals.get(month, empty["deals"])
        in_paid = by_paid.get(month, empty["paid"])
        won = int((in_cohort["status"] == "won").sum())
        out.append({
            "month": str(month),
            "leads_submitted": len(in_cohort),
            "leads_won": won,
            "conversion_rate": ratio(won, len(in_cohort)),
            "conversion_30d": comparable(in_cohort, 30, month.end_time.date(), latest),
            "conversion_90d": comparable(in_cohort, 90, month.end_time.date(), latest),
            "deals_won": len(in_deals),
            "revenue_attributed": cents(in_deals["revenue"].sum()),
            "reward_cost": cents(in_paid["amount"].sum()),
        })
    return out


def tech_names(t: Tables) -> dict[str, str]:
    """The name to show: the tech's latest lead that names it, else the roster's name."""
    names = {row.tech_id: _text(row.tech_name) for row in t.techs.itertuples()
             if _text(row.tech_name)}
    named = t.leads[t.leads["tech_name"].map(_text).notna()].sort_values("submitted_at",
                                                                         kind="stable")
    for tech_id, name in zip(named["tech_id"], named["tech_name"], strict=True):
        names[tech_id] = _text(name)  # later leads overwrite earlier ones and the roster
    return names


def by_tech(t: Tables, cohort, deals, paid) -> list[dict]:
    names = tech_names(t)
    by_cohort = groups(cohort, cohort["tech_id"])
    by_deals = groups(deals, deals["tech_id"])
    by_paid = groups(paid, paid["tech_id"])
    out = []
    for tech_id in sorted(set(by_cohort) | set(by_deals) | set(by_paid)):
        mine = by_cohort.get(tech_id, cohort.iloc[:0])
        my_deals = by_deals.get(tech_id, deals.iloc[:0])
        revenue = float(my_deals["revenue"].sum())
        reward = float(by_paid.get(tech_id, paid.iloc[:0])["amount"].sum())
        won = int((mine["status"] == "won").sum())
        low, high = wilson(won, len(mine))
        out.append({
            "tech_id": tech_id,
            "tech_name": names.get(tech_id, tech_id),
            "leads_submitted": len(mine),
            "leads_won": won,
            "conversion_rate": ratio(won, len(mine)),
            "conversion_ci_low": low,
            "conversion_ci_high": high,
            "deals_won": len(my_deals),
            "revenue_attributed": cents(revenue),
            "reward_cost": cents(reward),
            "revenue_per_reward_dollar": revenue / reward if reward > 0 else None,
        })
    return out


def by_value(column: str, cohort, deals) -> list[dict]:
    by_cohort = groups(cohort, cohort[column])
    by_deals = groups(deals, deals[column])
    out = []
    for value in sorted(set(by_cohort) | set(by_deals)):
        mine = by_cohort.get(value, cohort.iloc[:0])
        my_deals = by_deals.get(value, deals.iloc[:0])
        won = int((mine["status"] == "won").sum())
        lost = int((mine["status"] == "lost").sum())
        out.append({
            column: value,
            "leads_submitted": len(mine),
            "leads_won": won,
            "conversion_rate": ratio(won, len(mine)),
            "win_rate": ratio(won, won + lost),
            "deals_won": len(my_deals),
            "revenue_attributed": cents(my_deals["revenue"].sum()),
        })
    return out


def funnel(cohort) -> dict:
    status = cohort["status"]
    return {
        "submitted": len(cohort),
        "contacted": int(((status != "open") | cohort["contacted_at"].notna()).sum()),
        "qualified": int(status.isin(["qualified", "quoted", "won"]).sum()),
        "quoted": int(status.isin(["quoted", "won"]).sum()),
        "won": int((status == "won").sum()),
    }

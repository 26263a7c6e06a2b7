"""The usual way, for comparison: a plain pandas version of the Overview and Technicians numbers.

This is how a typical Streamlit dashboard is built: read the CSV exports into DataFrames once (in
an app, under @st.cache_data), clean them with the rules the exports need, and group by on every
interaction. It knows this company's export columns and words by heart, as such an app does, and
applies the same rules as LeadBridge (a lead without a tech or with an impossible date is left
out, the last row of a repeated ID wins, a won deal needs its amount...) so that its numbers can
be checked against LeadBridge's. It shares no code with LeadBridge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

Z = 1.959964

# The CRM's stages and the field tool's opportunity types, as this company's exports write them.
STAGES = {"new": "open", "working": "contacted", "appointment set": "qualified",
          "quote sent": "quoted", "closed won": "won", "closed lost": "lost"}
LEAD_TYPES = {"upsell": "upgrade", "model upgrade": "upgrade", "new equipment": "new_equipment",
              "replacement": "new_equipment", "additional site": "additional_site",
              "competitor": "competitor_threat", "at risk": "at_risk_customer",
              "maintenance plan": "service_agreement"}


@dataclass
class Data:
    """The cleaned exports, ready to filter."""

    techs: pd.DataFrame
    leads: pd.DataFrame
    payouts: pd.DataFrame
    jobs: pd.DataFrame
    names: pd.Series  # tech_id -> the name to show


@dataclass(frozen=True)
class View:
    """What the sidebar chose: whole months, and branch and lead-type lists (empty: all)."""

    start: date
    end: date
    branches: tuple[str, ...] = ()
    lead_types: tuple[str, ...] = ()

    def previous(self) -> View:
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1
        first = pd.Timestamp(self.start) - pd.DateOffset(months=months)
        last = pd.Timestamp(self.start) - pd.Timedelta(days=1)
        return View(first.date(), last.date(), self.branches, self.lead_types)


def _dates(values: pd.Series, fmt: str) -> pd.Series:
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.normalize()
    return pd.to_datetime(values, format=fmt, errors="coerce")


def _money(values: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype("str").str.replace(r"[$,\s]", "", regex=True)
    return pd.to_numeric(text, errors="coerce")


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype("str").str.strip() == "")


def load(folder: Path) -> Data:
    """Read and clean the exports (the part an app caches)."""
    folder = Path(folder)
    techs = pd.read_csv(folder / "technicians.csv", dtype=str)
    techs = pd.DataFrame({
        "tech_id": techs["Employee ID"].str.strip(),
        "tech_name": techs["Technician"],
        "branch": techs["Branch"].str.strip().replace("", None),
        "active": techs["Status"].fillna("active").str.strip().str.lower() == "active",
    }).drop_duplicates("tech_id", keep="last")
    roster_branch = techs.set_index("tech_id")["branch"]

    raw = pd.read_csv(folder / "leads.csv", dtype=str)
    leads = pd.DataFrame({
        "lead_id": raw["Lead #"].str.strip(),
        "submitted_at": _dates(raw["Date Submitted"], "%m/%d/%Y"),
        "tech_id": raw["Technician ID"].str.strip(),
        "tech_name": raw["Technician"],
        "branch": raw["Business Unit"].str.strip(),
        "lead_type": raw["Opportunity Type"].str.strip().str.lower().map(LEAD_TYPES),
        "estimated_value": _money(raw["Est. Value"]),
    })
    bad = (_blank(leads["tech_id"]) | leads["submitted_at"].isna()
           | (leads["estimated_value"] < 0)
           | (~_blank(raw["Est. Value"]) & leads["estimated_value"].isna()))
    leads = leads[~bad].drop_duplicates("lead_id", keep="last")
    leads["lead_type"] = leads["lead_type"].fillna("other")
    leads["branch"] = (leads["branch"].replace("", None)
                       .fillna(leads["tech_id"].map(roster_branch)).fillna("Unassigned"))

    outcomes_file = next(folder.glob("outcomes.*"))
    if outcomes_file.suffix == ".xlsx":
        raw = pd.read_excel(outcomes_file, engine="calamine", dtype={"Lead ID": str})
    else:
        raw = pd.read_csv(outcomes_file, dtype=str)
    outcomes = pd.DataFrame({
        "lead_id": raw["Lead ID"].astype("str").str.strip(),
        "status": raw["Stage"].astype("str").str.strip().str.lower().map(STAGES),
        "contacted_at": _dates(raw["First Contact Date"], "%Y-%m-%d"),
        "closed_at": _dates(raw["Close Date"], "%Y-%m-%d"),
        "revenue": _money(raw["Closed Won Amount"]),
        "gross_margin": _money(raw["Gross Profit"]),
    })
    closed = outcomes["status"].isin(["won", "lost"])
    bad = (outcomes["status"].isna() | (closed & outcomes["closed_at"].isna())
           | ((outcomes["status"] == "won") & outcomes["revenue"].isna())
           | (outcomes["revenue"] < 0))
    outcomes = outcomes[~bad].drop_duplicates("lead_id", keep="last")

    leads = leads.merge(outcomes, on="lead_id", how="left")
    leads["status"] = leads["status"].fillna("open")
    contact = (leads["contacted_at"] - leads["submitted_at"]).dt.days
    close = (leads["closed_at"] - leads["submitted_at"]).dt.days
    leads["days_to_contact"] = contact.where(contact >= 0)
    leads["days_to_close"] = close.where(close >= 0)

    raw = pd.read_csv(folder / "payouts.csv", dtype=str)
    payouts = pd.DataFrame({
        "tech_id": raw["Employee ID"].str.strip(),
        "lead_id": raw["Lead ID"].str.strip(),
        "paid_on": _dates(raw["Pay Date"], "%Y-%m-%d"),
        "amount": _money(raw["Spiff"]),
    })
    payouts = payouts[payouts["amount"].notna() & payouts["paid_on"].notna()]
    known = leads.set_index("lead_id")[["branch", "lead_type"]]
    payouts = payouts.join(known, on="lead_id")
    payouts["branch"] = (payouts["branch"].fillna(payouts["tech_id"].map(roster_branch))
                         .fillna("Unassigned"))

    raw = pd.read_csv(folder / "jobs.csv", dtype=str)
    jobs = pd.DataFrame({
        "tech_id": raw["Technician ID"].str.strip(),
        "completed_at": _dates(raw["Completed"].str.slice(0, 10), "%Y-%m-%d"),
        "branch": raw["Branch"].str.strip(),
    })
    jobs["branch"] = jobs["branch"].fillna(jobs["tech_id"].map(roster_branch)).fillna("Unassigned")

    latest = leads.dropna(subset=["tech_name"]).sort_values("submitted_at", kind="stable")
    names = latest.groupby("tech_id")["tech_name"].last()
    names = names.combine_first(techs.set_index("tech_id")["tech_name"].dropna())
    return Data(techs, leads, payouts, jobs, names)


def _chosen(frame: pd.DataFrame, column: str, values) -> pd.Series:
    return frame[column].isin(values) if values else pd.Series(True, index=frame.index)


def _between(values: pd.Series, view: View) -> pd.Series:
    return (values >= pd.Timestamp(view.start)) & (values <= pd.Timestamp(view.end))


def _sets(data: Data, view: View):
    leads = data.leads
    passes = _chosen(leads, "branch", view.branches) & _chosen(leads, "lead_type", view.lead_types)
    cohort = leads[passes & _between(leads["submitted_at"], view)]
    deals = leads[passes & (leads["status"] == "won") & _between(leads["closed_at"], view)]
    payouts = data.payouts
    paid = payouts[_chosen(payouts, "branch", view.branches)
                   & _chosen(payouts, "lead_type", view.lead_types)
                   & _between(payouts["paid_on"], view)]
    return cohort, deals, paid


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def totals(data: Data, view: View) -> dict:
    """The tiles' numbers for a period."""
    cohort, deals, paid = _sets(data, view)
    won = int((cohort["status"] == "won").sum())
    roster = data.techs
    active = roster[roster["active"]
                    & _chosen(roster.assign(branch=roster["branch"].fillna("Unassigned")),
                              "branch", view.branches)]
    active_techs = len(active) if len(roster) else None
    with_lead = int(active["tech_id"].isin(cohort["tech_id"].unique()).sum())
    revenue = float(deals["revenue"].sum())
    margins = deals["gross_margin"].dropna()
    margin = float(margins.sum()) if len(margins) else None
    reward = float(paid["amount"].sum())
    return {
        "leads_submitted": len(cohort),
        "leads_won": won,
        "conversion_rate": _ratio(won, len(cohort)),
        "participating_techs": int(cohort["tech_id"].nunique()),
        "active_techs": active_techs,
        "participation_rate": _ratio(with_lead, active_techs),
        "deals_won": len(deals),
        "revenue_attributed": round(revenue, 2),
        "gross_margin_attributed": None if margin is None else round(margin, 2),
        "reward_cost": round(reward, 2),
        "revenue_per_reward_dollar": revenue / reward if reward > 0 else None,
        "program_roi": (margin - reward) / reward if reward > 0 and margin is not None else None,
    }


def monthly(data: Data, view: View) -> list[dict]:
    """The Overview's monthly trend."""
    cohort, deals, paid = _sets(data, view)
    months = pd.period_range(pd.Timestamp(view.start), pd.Timestamp(view.end), freq="M")
    submitted = cohort.groupby(cohort["submitted_at"].dt.to_period("M")).agg(
        leads_submitted=("lead_id", "size"), leads_won=("status", lambda s: (s == "won").sum()))
    won = deals.groupby(deals["closed_at"].dt.to_period("M")).agg(
        deals_won=("lead_id", "size"), revenue_attributed=("revenue", "sum"))
    reward = paid.groupby(paid["paid_on"].dt.to_period("M"))["amount"].sum()
    table = pd.DataFrame(index=months).join(submitted).join(won).join(reward.rename("reward_cost"))
    table = table.fillna(0)
    return [{
        "month": str(month),
        "leads_submitted": int(row.leads_submitted),
        "leads_won": int(row.leads_won),
        "conversion_rate": _ratio(row.leads_won, row.leads_submitted),
        "deals_won": int(row.deals_won),
        "revenue_attributed": round(float(row.revenue_attributed), 2),
        "reward_cost": round(float(row.reward_cost), 2),
    } for month, row in zip(months, table.itertuples(), strict=True)]


def _wilson(won: float, n: float) -> tuple[float | None, float | None]:
    if not n:
        return None, None
    p = won / n
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)


def by_tech(data: Data, view: View) -> list[dict]:
    """The Technicians leaderboard."""
    cohort, deals, paid = _sets(data, view)
    table = pd.concat([
        cohort.groupby("tech_id").agg(leads_submitted=("lead_id", "size"),
                                      leads_won=("status", lambda s: (s == "won").sum())),
        deals.groupby("tech_id").agg(deals_won=("lead_id", "size"),
                                     revenue_attributed=("revenue", "sum")),
        paid.groupby("tech_id")["amount"].sum().rename("reward_cost"),
    ], axis=1).fillna(0).sort_index()
    rows = []
    for tech_id, row in table.iterrows():
        low, high = _wilson(row["leads_won"], row["leads_submitted"])
        reward = float(row["reward_cost"])
        rows.append({
            "tech_id": tech_id,
            "tech_name": data.names.get(tech_id, tech_id),
            "leads_submitted": int(row["leads_submitted"]),
            "leads_won": int(row["leads_won"]),
            "conversion_rate": _ratio(row["leads_won"], row["leads_submitted"]),
            "conversion_ci_low": low,
            "conversion_ci_high": high,
            "deals_won": int(row["deals_won"]),
            "revenue_attributed": round(float(row["revenue_attributed"]), 2),
            "reward_cost": round(reward, 2),
            "revenue_per_reward_dollar": float(row["revenue_attributed"]) / reward
            if reward > 0 else None,
        })
    return rows


def leads_per_100_jobs(data: Data, view: View) -> dict[str, list[int]]:
    """The Technicians page's jobs and leads per tech with jobs in the period (the chart shows
    100 x leads / jobs)."""
    jobs = data.jobs
    jobs = jobs[_between(jobs["completed_at"], view) & _chosen(jobs, "branch", view.branches)]
    cohort, _, _ = _sets(data, view)
    table = pd.concat([jobs.groupby("tech_id").size().rename("jobs"),
                       cohort.groupby("tech_id").size().rename("leads_submitted")], axis=1)
    table = table[table["jobs"].notna()].fillna(0)
    return {tech: [int(row.jobs), int(row.leads_submitted)] for tech, row in table.iterrows()}


def overview_and_technicians(data: Data, view: View) -> dict:
    """Everything the two pages show for a view: tiles now and before, trend, leaderboard."""
    return {
        "totals": totals(data, view),
        "previous_totals": totals(data, view.previous()),
        "monthly": monthly(data, view),
        "by_tech": by_tech(data, view),
        "leads_per_100_jobs": leads_per_100_jobs(data, view),
    }

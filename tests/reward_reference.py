"""A second, independent implementation of REWARD_POLICY.md in plain Python, for the cross-check.

Written from the words of shared/REWARD_POLICY.md, not from queries/: it reads the canonical
tables (through pandas_reference, which reads METRICS.md's lead attributes on its own), walks
every lead and rule in a Python loop with Decimal money, and returns the same dicts as
leadbridge.rewards.simulate and .audit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from leadbridge.policy import Policy
from tests import pandas_reference as ref

CENT = Decimal("0.01")


def _dec(value) -> Decimal | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _day(value) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    return pd.Timestamp(value).date()


def _money(value: Decimal | None):
    return None if value is None else float(value.quantize(CENT, rounding=ROUND_HALF_UP))


class World:
    """The data as plain Python rows."""

    def __init__(self, con):
        self.t = ref.read_tables(con)
        leads = ref.enriched_leads(self.t)
        self.payouts_frame = ref.enriched_payouts(self.t, leads)
        self.leads = [{
            "lead_id": r.lead_id, "tech_id": r.tech_id, "branch": r.branch,
            "lead_type": r.lead_type, "status": r.status,
            "submitted_at": _day(r.submitted_at), "closed_at": _day(r.closed_at),
            "revenue": _dec(r.revenue), "gross_margin": _dec(r.gross_margin),
        } for r in leads.itertuples()]
        self.by_id = {row["lead_id"]: row for row in self.leads}
        self.payouts = [{
            "tech_id": r.tech_id, "lead_id": ref._text(r.lead_id), "paid_on": _day(r.paid_on),
            "amount": _dec(r.amount), "branch": r.branch, "lead_type": r.lead_type,
        } for r in self.payouts_frame.itertuples()]
        self.names = ref.tech_names(self.t)
        dates = [d for row in self.leads for d in (row["submitted_at"], row["closed_at"]) if d]
        dates += [_day(v) for v in self.t.outcomes["contacted_at"] if _day(v)]
        dates += [p["paid_on"] for p in self.payouts if p["paid_on"]]
        self.latest = max(dates) if dates else None


_WORLDS: dict[tuple[int, int], World] = {}


def world_of(con) -> World:
    """The World of a connection, read once per data version (the tables do not change)."""
    from leadbridge import db

    key = (id(con), db.data_version(con))
    if key not in _WORLDS:
        _WORLDS.clear()
        _WORLDS[key] = World(con)
    return _WORLDS[key]


def earnings(world: World, policy: Policy, lead: dict) -> list[tuple[int, date, Decimal, bool]]:
    """(rule number, event day, amount, margin missing) for every rule that pays this lead."""
    out = []
    for number, rule in enumerate(policy.rules, start=1):
        if rule.event == "submitted":
            day = lead["submitted_at"]
        else:
            day = lead["closed_at"] if lead["status"] == "won" else None
        if day is None:
            continue
        if rule.start and day < rule.start or rule.end and day > rule.end:
            continue
        if rule.lead_types and lead["lead_type"] not in rule.lead_types:
            continue
        if rule.branches and lead["branch"] not in rule.branches:
            continue
        if rule.event == "won" and (lead["revenue"] or Decimal(0)) < rule.min_revenue:
            continue
        base = lead["revenue"] if rule.base == "revenue" else lead["gross_margin"]
        missing_margin = rule.base == "margin" and rule.percent > 0 and base is None
        amount = rule.amount + rule.percent / 100 * (base or Decimal(0))
        if rule.cap is not None:
            amount = min(amount, rule.cap)
        out.append((number, day, amount.quantize(CENT, rounding=ROUND_HALF_UP), missing_margin))
    return out


def _passes(row: dict, f) -> bool:
    return ((not f.branches or row["branch"] in f.branches)
            and (not f.lead_types or row.get("lead_type") in f.lead_types)
            and (not f.techs or row["tech_id"] in f.techs)
            and (f.scope is None or row["branch"] in f.scope))


def _months(f) -> list[str]:
    out, day = [], f.start.replace(day=1)
    while day <= f.end:
        out.append(day.strftime("%Y-%m"))
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def simulate(con, policy: Policy, f) -> dict:
    world = world_of(con)
    cost = Decimal(0)
    by_rule = {n: [0, Decimal(0)] for n in range(1, len(policy.rules) + 1)}
    monthly_sim, monthly_paid = defaultdict(Decimal), defaultdict(Decimal)
    tech_sim, tech_paid = defaultdict(Decimal), defaultdict(Decimal)
    missing = set()
    for lead in world.leads:
        if not _passes(lead, f):
            continue
        for number, day, amount, no_margin in earnings(world, policy, lead):
            if not f.start <= day <= f.end:
                continue
            cost += amount
            by_rule[number][0] += 1
            by_rule[number][1] += amount
            monthly_sim[day.strftime("%Y-%m")] += amount
            tech_sim[lead["tech_id"]] += amount
            if no_margin:
                missing.add(lead["lead_id"])
    actual = Decimal(0)
    for p in world.payouts:
        if p["paid_on"] and f.start <= p["paid_on"] <= f.end and _passes(p, f):
            actual += p["amount"]
            monthly_paid[p["paid_on"].strftime("%Y-%m")] += p["amount"]
            tech_paid[p["tech_id"]] += p["amount"]
    deals = [lead for lead in world.leads if lead["status"] == "won" and lead["closed_at"]
             and f.start <= lead["closed_at"] <= f.end and _passes(lead, f)]
    revenue = sum((d["revenue"] or Decimal(0) for d in deals), Decimal(0))
    margins = [d["gross_margin"] for d in deals if d["gross_margin"] is not None]
    margin = sum(margins, Decimal(0)) if margins else None
    end = min(f.end, world.latest) if world.latest else f.end
    techs = sorted(set(tech_sim) | set(tech_paid))
    return {
        "policy": policy.name,
        "period": {"from": f.start.isoformat(), "to": f.end.isoformat()},
        "as_of": end.isoformat(),
        "totals": {
            "simulated_cost": _money(cost),
            "actual_cost": _money(actual),
            "difference": _money(cost - actual),
            "deals_won": len(deals),
            "revenue_attributed": _money(revenue),
            "gross_margin_attributed": _money(margin),
            "simulated_cost_per_won_deal": _money(cost / len(deals)) if deals else None,
            "simulated_revenue_per_reward_dollar": float(revenue / cost) if cost > 0 else None,
            "simulated_program_roi": (float((margin - cost) / cost)
                                      if cost > 0 and margin is not None else None),
            "leads_missing_margin": len(missing),
        },
        "by_rule": [{"rule": rule.name, "leads": by_rule[n][0], "cost": _money(by_rule[n][1])}
                    for n, rule in enumerate(policy.rules, start=1)],
        "monthly": [{"month": m, "simulated_cost": _money(monthly_sim[m]),
                     "actual_cost": _money(monthly_paid[m])} for m in _months(f)],
        "by_tech": [{"tech_id": t, "tech_name": world.names.get(t, t),
                     "simulated_cost": _money(tech_sim[t]), "actual_cost": _money(tech_paid[t]),
                     "difference": _money(tech_sim[t] - tech_paid[t])} for t in techs],
    }


def audit(con, policy: Policy, f, grace_days: int = 45) -> dict:
    world = world_of(con)
    as_of = world.latest or f.end
    cutoff = as_of - timedelta(days=grace_days)
    payouts_of = defaultdict(list)
    for p in world.payouts:
        if p["lead_id"] in world.by_id and p["paid_on"] <= as_of:
            payouts_of[p["lead_id"]].append(p)
    totals = defaultdict(Decimal)
    counts = defaultdict(int)
    techs: dict[str, dict] = {}
    listed = []
    for lead in sorted(world.leads, key=lambda r: r["lead_id"]):
        if not (f.start <= lead["submitted_at"] <= f.end and _passes(lead, f)):
            continue
        earned = due = Decimal(0)
        for _, day, amount, _ in earnings(world, policy, lead):
            if day <= as_of:
                earned += amount
                if day <= cutoff:
                    due += amount
        mine = payouts_of[lead["lead_id"]]
        paid = sum((p["amount"] for p in mine), Decimal(0))
        positive = [p["amount"] for p in mine if p["amount"] > 0]
        duplicate = len(positive) != len(set(positive))
        other = any(p["tech_id"] != lead["tech_id"] for p in mine)
        half = Decimal("0.005")
        if paid > earned + half:
            verdict = "overpaid"
        elif due > half and paid == 0:
            verdict = "unpaid"
        elif paid < due - half:
            verdict = "underpaid"
        elif paid < earned - half:
            verdict = "pending"
        else:
            verdict = "ok"
        counts[verdict] += 1
        owed = {"unpaid": due if verdict == "unpaid" else Decimal(0),
                "underpaid": due - paid if verdict == "underpaid" else Decimal(0),
                "overpaid": paid - earned if verdict == "overpaid" else Decimal(0)}
        for key, value in (("earned", earned), ("due", due), ("pending", earned - due),
                           ("paid", paid)):
            totals[key] += value
        for key, value in owed.items():
            totals[key] += value
        if earned != 0 or mine:
            row = techs.setdefault(lead["tech_id"], defaultdict(Decimal))
            for key, value in (("earned", earned), ("due", due), ("paid", paid)):
                row[key] += value
            for key, value in owed.items():
                row[key] += value
        if verdict != "ok":
            listed.append({
                "lead_id": lead["lead_id"], "tech_id": lead["tech_id"],
                "submitted_at": lead["submitted_at"].isoformat(), "status": lead["status"],
                "earned": _money(earned), "due": _money(due), "pending": _money(earned - due),
                "paid": _money(paid), "audit": verdict, "duplicate_payment": duplicate,
                "paid_to_other_tech": other,
            })
    unmatched = [p for p in world.payouts
                 if p["paid_on"] and f.start <= p["paid_on"] <= f.end
                 and p["lead_id"] not in world.by_id and _passes(p, f)]
    return {
        "policy": policy.name,
        "period": {"from": f.start.isoformat(), "to": f.end.isoformat()},
        "as_of": as_of.isoformat(),
        "grace_days": grace_days,
        "totals": {
            "leads": sum(counts.values()),
            "earned": _money(totals["earned"]), "due": _money(totals["due"]),
            "pending": _money(totals["pending"]), "paid": _money(totals["paid"]),
            "unpaid_amount": _money(totals["unpaid"]),
            "underpaid_amount": _money(totals["underpaid"]),
            "overpaid_amount": _money(totals["overpaid"]),
            **{f"leads_{k}": counts[k] for k in ("ok", "pending", "unpaid", "underpaid",
                                                   "overpaid")},
            "unmatched_payouts": len(unmatched),
            "unmatched_amount": _money(sum((p["amount"] for p in unmatched), Decimal(0))),
        },
        "by_tech": [{"tech_id": t, "tech_name": world.names.get(t, t),
                     "earned": _money(r["earned"]), "due": _money(r["due"]),
                     "paid": _money(r["paid"]), "unpaid_amount": _money(r["unpaid"]),
                     "underpaid_amount": _money(r["underpaid"]),
                     "overpaid_amount": _money(r["overpaid"])}
                    for t, r in sorted(techs.items())],
        "leads": listed,
    }

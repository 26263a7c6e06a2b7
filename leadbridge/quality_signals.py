"""Lead quality signals per tech: things worth a look for a manager, never accusations.

The signals that count leads come from one query over the period's leads
(queries/quality_signals_per_tech.sql), the rewards signal from its own (quality_signal_rewards.sql).
Each signal has one row per tech with the same columns: tech_id, tech_name, branch, base (what the
value is over), count (what is counted), value, benchmark (what the value is set against) and
flagged; its definition and threshold are in docs/metrics.md ("Lead quality signals"). The
drill-down lists the leads (or, for rewards, the payouts) behind a tech's signal. No Streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from leadbridge import metrics
from leadbridge.metrics import Filters

# Loss reasons that say a lead was not a real opportunity: a reason counts when its words
# (lowercase, punctuation as spaces) contain one of these phrases ("Duplicate lead" has
# "duplicate"). Edit the list to match your CRM's reasons.
NOT_REAL_REASONS = ("no need", "duplicate", "not interested", "bad lead", "not a real lead",
                    "no such customer", "wrong customer")

# The thresholds of the signals (docs/metrics.md explains each).
THRESHOLDS = {
    "min_count": 3,            # duplicates, lost fast, no job: at least this many leads ...
    "duplicate_share": 0.25,   # ... and at least this share of the tech's leads
    "lost_fast_share": 0.25,
    "no_job_share": 0.25,
    "min_leads": 10,           # month-end bunching and conversion: at least this many leads
    "month_end_ratio": 2.0,    # the 95 % interval of the month-end share above 2x the days' share
    "min_reward_cost": 1000,   # rewards per won deal: at least $1,000 paid in the period ...
    "reward_ratio": 2.0,       # ... and more than 2x the branch's rewards per won deal
}


@dataclass(frozen=True)
class Signal:
    key: str
    title: str
    why: str
    base: str       # what `base` counts
    count: str      # what `count` counts
    value: str      # what `value` is
    benchmark: str  # what `benchmark` is
    kind: str       # how value and benchmark read: 'rate' or 'money'


SIGNALS = (
    Signal("duplicates", "Duplicate-looking leads",
           "Two leads for the same customer and need within a month are often one opportunity "
           "entered twice, and each may earn a reward.",
           "Leads", "Duplicate-looking", "Share of leads", "Look-at share", "rate"),
    Signal("lost_fast", "Leads lost fast as not real",
           "Leads sales closes within two weeks as no need, duplicate or not interested cost a "
           "call and a reward without a chance of a sale.",
           "Leads", "Lost fast, not real", "Share of leads", "Look-at share", "rate"),
    Signal("month_end", "Month-end bunching",
           "Leads piled into the last days of the month can mean leads held back or entered to "
           "meet a target, rather than found on the job.",
           "Leads", "In the last 3 days", "Share of leads", "Days' share", "rate"),
    Signal("no_job", "Leads with no job behind them",
           "A lead is expected to come from a service visit; one with no job (or an unknown job) "
           "may not come from the field.",
           "Leads", "No or unknown job", "Share of leads", "Look-at share", "rate"),
    Signal("conversion", "Conversion clearly below the branch",
           "When even the optimistic end of a tech's conversion is below the branch's, their "
           "leads may need coaching on what makes a good lead.",
           "Leads", "Won", "Conversion", "Branch conversion", "rate"),
    Signal("rewards", "Rewards per won deal far above the branch",
           "Rewards that buy far fewer won deals than the branch's may mean rewards are earned "
           "on leads that were never likely to sell.",
           "Rewards paid ($)", "Deals won", "Rewards per won deal", "Branch's per won deal",
           "money"),
)
BY_KEY = {s.key: s for s in SIGNALS}


def rule(key: str) -> str:
    """A signal's threshold in words, with the numbers in force."""
    t = THRESHOLDS
    share = {"duplicates": t["duplicate_share"], "lost_fast": t["lost_fast_share"],
             "no_job": t["no_job_share"]}
    if key in share:
        extra = " (only where a jobs file is loaded)" if key == "no_job" else ""
        return (f"Flagged at {t['min_count']} or more such leads making up {share[key]:.0%} or "
                f"more of the tech's leads{extra}.")
    if key == "month_end":
        return (f"Flagged with {t['min_leads']} or more leads when even the low end of the 95 % "
                f"interval of the tech's month-end share is above {t['month_end_ratio']:g}x "
                "the share of the period's days that are among the last 3 of their month.")
    if key == "conversion":
        return (f"Flagged with {t['min_leads']} or more leads when the tech's whole 95 % "
                "interval (Wilson) lies below the conversion of their branch.")
    return (f"Flagged with ${t['min_reward_cost']:,} or more paid in the period when rewards per "
            f"won deal are more than {t['reward_ratio']:g}x the branch's (no won deal at all "
            "counts as far above).")


def params() -> dict:
    """The signals' parameters: the thresholds and the not-real reasons ('|'-separated)."""
    return {"not_real": "|".join(NOT_REAL_REASONS), **THRESHOLDS}


def signals(con, filters: Filters) -> dict[str, pd.DataFrame]:
    """Every signal's per-tech rows for the period, filters and scope: {key: frame}, each in the
    columns above (conversion's with its interval) and by tech ID."""
    # The five signals that count leads come from one pass over the period's leads (five queries
    # read them five times: 0.75 s at 1M leads against 0.35 s); rewards count payouts.
    per_tech = metrics.run(con, "quality_signals_per_tech", filters, **params())
    frames = {}
    for signal in SIGNALS:
        if signal.key == "rewards":
            continue
        frame = per_tech[per_tech["signal"] == signal.key].drop(columns="signal")
        if signal.key != "conversion":
            frame = frame.drop(columns=["interval_low", "interval_high"])
        frames[signal.key] = frame.reset_index(drop=True)
    frames["rewards"] = metrics.run(con, "quality_signal_rewards", filters, **params())
    return frames


def flagged(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per tech with at least one signal: tech_id, tech_name, branch, signals (how
    many), and the titles of its signals; most signals first, then by name."""
    rows: dict[str, dict] = {}
    for signal in SIGNALS:
        frame = frames[signal.key]
        for row in frame[frame["flagged"].fillna(False).astype(bool)].to_dict("records"):
            entry = rows.setdefault(row["tech_id"], {
                "tech_id": row["tech_id"], "tech_name": row["tech_name"],
                "branch": row["branch"], "titles": []})
            entry["titles"].append(signal.title)
    out = pd.DataFrame(
        [{**r, "signals": len(r["titles"]), "worth_a_look": " · ".join(r["titles"])}
         for r in rows.values()],
        columns=["tech_id", "tech_name", "branch", "titles", "signals", "worth_a_look"])
    out = out.drop(columns="titles")
    return out.sort_values(["signals", "tech_name", "tech_id"],
                           ascending=[False, True, True]).reset_index(drop=True)


def drill_down(con, filters: Filters, key: str, tech_id: str) -> pd.DataFrame:
    """The leads behind a tech's signal (for rewards: the tech's payouts in the period)."""
    if key not in BY_KEY:
        raise ValueError(f"unknown signal {key!r}: use one of {', '.join(BY_KEY)}")
    if key == "rewards":
        return metrics.run(con, "quality_signal_reward_payouts", filters, tech_id=tech_id)
    return metrics.run(con, "quality_signal_leads", filters, tech_id=tech_id, signal=key,
                       **params())

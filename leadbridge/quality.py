"""The data-quality report: gaps between files that never block an import but deserve a look."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from leadbridge import metrics


@dataclass(frozen=True)
class Check:
    """One data-quality check: its query, what it means and what to do about it."""

    query: str
    title: str
    fix: str


CHECKS = (
    Check("dq_orphan_outcomes", "Outcomes whose lead is unknown",
          "Import the leads export that has these leads; the outcomes count as soon as it does."),
    Check("dq_unknown_techs", "Leads from techs not in the roster",
          "Add these techs to the roster export (their branch then fills leads without one)."),
    Check("dq_payouts_unknown_leads", "Payouts for unknown leads",
          "Check the lead IDs in the payroll export, or import the missing leads."),
    Check("dq_payouts_unknown_techs", "Payouts to techs not in the roster",
          "Add these techs to the roster export."),
    Check("dq_dates_before_submission", "Contact or close dates before the lead's submission",
          "Correct the dates in the CRM; these leads are left out of the days-to-contact/close medians."),
    Check("dq_possible_duplicates", "Possible duplicate leads (same customer and type within 30 days)",
          "Confirm with the techs; a real duplicate's reward may need a clawback."),
    Check("dq_unrecognized_lead_types", "Lead types counted as 'other'",
          "Use one of the known lead types in the field service tool, or ask for the word to be added."),
)


def quality_report(con, person=None) -> list[tuple[Check, pd.DataFrame]]:
    """Every check with the rows it found (empty frames for checks that pass), for `person` (an
    access.Person: their branches, without per-person money unless they have it) or everyone."""
    scope, money = (None, True) if person is None else (person.scope, person.money)
    return [(check, metrics.run(con, check.query, scope=scope, money=money)) for check in CHECKS]


def format_report(report: list[tuple[Check, pd.DataFrame]], max_rows: int = 20) -> str:
    """The report as plain text for the terminal."""
    lines = []
    total = sum(len(frame) for _, frame in report)
    lines.append(f"Data quality: {total} item(s) in {sum(1 for _, f in report if len(f))} check(s)")
    for check, frame in report:
        lines.append("")
        lines.append(f"{check.title}: {len(frame):,}")
        if len(frame):
            lines.append(f"  What to do: {check.fix}")
            shown = frame.head(max_rows).to_string(index=False)
            lines.extend("  " + line for line in shown.splitlines())
            if len(frame) > max_rows:
                lines.append(f"  ... and {len(frame) - max_rows} more")
    return "\n".join(lines)

"""Overview: does the reward program pay? Headline numbers against the previous period, trends."""

import streamlit as st

from leadbridge import charts, metrics, ui

filters = ui.current_filters()
previous = filters.previous()
ui.page_header("Overview", filters, f"changes against {metrics.period_label(previous)}")

now, before = ui.totals(filters), ui.totals(previous)
ui.kpi_tiles([
    {"label": "Leads submitted", "kind": "count", "value": now["leads_submitted"],
     "previous": before["leads_submitted"], "help": "Leads techs submitted in the period."},
    {"label": "Conversion", "kind": "rate", "value": now["conversion_rate"],
     "previous": before["conversion_rate"],
     "help": "Share of the period's leads that are won so far; recent months are still maturing."},
    {"label": "Revenue attributed", "kind": "money", "value": now["revenue_attributed"],
     "previous": before["revenue_attributed"], "help": "Revenue of tech leads won in the period."},
    {"label": "Reward cost", "kind": "money", "value": now["reward_cost"],
     "previous": before["reward_cost"], "inverse": True,
     "help": "Rewards paid to techs in the period, clawbacks deducted."},
    {"label": "Revenue per reward $", "kind": "ratio", "value": now["revenue_per_reward_dollar"],
     "previous": before["revenue_per_reward_dollar"],
     "help": "Revenue attributed for each dollar of rewards paid."},
    {"label": "Program ROI", "kind": "rate", "value": now["program_roi"],
     "previous": before["program_roi"],
     "help": "(Gross margin of won deals − reward cost) ÷ reward cost."},
    {"label": "Participation", "kind": "rate", "value": now["participation_rate"],
     "previous": before["participation_rate"],
     "help": "Share of active roster techs who submitted at least one lead."},
])

monthly = ui.query("monthly", filters)
note = ui.empty_note(filters)
ui.chart(charts.monthly_leads(monthly, note))
ui.chart(charts.revenue_vs_reward(monthly, ui.empty_note(filters, "revenue or rewards")))
ui.chart(charts.revenue_vs_reward(monthly, ui.empty_note(filters, "revenue or rewards"),
                                  cumulative=True))

with st.expander("Monthly numbers"):
    ui.table(monthly, "overview", "monthly", filters, key="monthly")

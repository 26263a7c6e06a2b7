"""Revenue & rewards: what tech leads bring in and what the reward program costs."""

import streamlit as st

from leadbridge import charts, metrics, ui

filters = ui.current_filters()
previous = filters.previous()
ui.page_header("Revenue & rewards", filters, f"changes against {metrics.period_label(previous)}")

now, before = ui.totals(filters), ui.totals(previous)
clawbacks = ui.query("clawbacks", filters)
ui.kpi_tiles([
    {"label": "Revenue attributed", "kind": "money", "value": now["revenue_attributed"],
     "previous": before["revenue_attributed"]},
    {"label": "Deals won", "kind": "count", "value": now["deals_won"], "previous": before["deals_won"]},
    {"label": "Reward cost", "kind": "money", "value": now["reward_cost"],
     "previous": before["reward_cost"], "inverse": True},
    {"label": "Cost per won deal", "kind": "money", "value": now["cost_per_won_deal"],
     "previous": before["cost_per_won_deal"], "inverse": True},
    {"label": "Revenue per reward $", "kind": "ratio", "value": now["revenue_per_reward_dollar"],
     "previous": before["revenue_per_reward_dollar"]},
    {"label": "Program ROI", "kind": "rate", "value": now["program_roi"],
     "previous": before["program_roi"]},
])

monthly = ui.query("monthly", filters)
ui.chart(charts.revenue_vs_reward(monthly, ui.empty_note(filters, "revenue or rewards")))
by_type = ui.query("conversion_by_dimension", filters, dimension="lead_type")
by_branch = ui.query("conversion_by_dimension", filters, dimension="branch")
ui.chart(charts.revenue_by(by_type, "lead type", ui.empty_note(filters, "deals won")))
ui.chart(charts.revenue_by(by_branch, "branch", ui.empty_note(filters, "deals won")))

rewards = ui.query("reward_cost_by_month_reason", filters)
ui.chart(charts.reward_cost_by_month(rewards, ui.empty_note(filters, "rewards paid")))

st.subheader("Rewards by month and reason")
ui.table(rewards, "revenue-rewards", "rewards-by-month", filters, key="rewards",
         column_config=ui.REWARD_COLUMNS)
st.subheader(f"Clawbacks ({len(clawbacks)})")
if clawbacks.empty:
    st.info(ui.empty_note(filters, "clawbacks"))
else:
    ui.table(clawbacks, "revenue-rewards", "clawbacks", filters, key="clawbacks",
             column_config=ui.REWARD_COLUMNS)

"""Revenue & rewards: what tech leads bring in and what the reward program costs."""

import streamlit as st

from leadbridge import charts, text, ui, ui_table

filters = ui.current_filters()
ui.page_header("Revenue & rewards", filters, ui.comparison_note(filters))

clawbacks = ui.query("clawbacks", filters)
ui.total_tiles(["revenue_attributed", "deals_won", "reward_cost", "cost_per_won_deal",
                "revenue_per_reward_dollar", "program_roi"], filters)

monthly = ui.query("monthly", filters)
ui.plot(charts.revenue_vs_reward, monthly, ui.empty_note(filters, "revenue or rewards"))
rewards = ui.query("reward_cost_by_month_reason", filters)
ui.lazy_tabs("revenue_chart", {
    "Revenue by lead type": lambda: ui.plot(
        charts.revenue_by, ui.query("conversion_by_dimension", filters, dimension="lead_type"),
        "lead type", ui.empty_note(filters, "deals won")),
    "Revenue by branch": lambda: ui.plot(
        charts.revenue_by, ui.query("conversion_by_dimension", filters, dimension="branch"),
        "branch", ui.empty_note(filters, "deals won")),
    "Reward cost by month": lambda: ui.plot(charts.reward_cost_by_month, rewards,
                                            ui.empty_note(filters, "rewards paid")),
})

st.subheader("Rewards by month and reason")
ui_table.table(rewards, "revenue-rewards", "rewards-by-month", filters, key="rewards",
               column_config=ui.REWARD_COLUMNS)
st.subheader(f"Clawbacks ({len(clawbacks):,})")
if clawbacks.empty:
    st.info(text.md(ui.empty_note(filters, "clawbacks")))
else:
    ui_table.table(clawbacks, "revenue-rewards", "clawbacks", filters, key="clawbacks",
                   column_config=ui.REWARD_COLUMNS)

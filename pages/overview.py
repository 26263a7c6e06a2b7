"""Overview: does the reward program pay? Headline numbers against the previous period, trends."""

import streamlit as st

from leadbridge import charts, ui, ui_table

filters = ui.current_filters()
ui.page_header("Overview", filters, ui.comparison_note(filters))

ui.total_tiles(["leads_submitted", "conversion_rate", "revenue_attributed", "reward_cost",
                "revenue_per_reward_dollar", "program_roi", "participation_rate"], filters)

monthly = ui.query("monthly", filters)
note = ui.empty_note(filters)
ui.plot(charts.monthly_leads, monthly, note)
ui.plot(charts.revenue_vs_reward, monthly, ui.empty_note(filters, "revenue or rewards"))
ui.plot(charts.revenue_vs_reward, monthly, ui.empty_note(filters, "revenue or rewards"),
        cumulative=True)

# Drawn collapsed, not only once opened (ui.lazy_expander) as on the other pages: the Overview is
# where a session starts, and this table is what loads Streamlit's table code in a new tab. Left
# to the next page, it made the click to Technicians 1.2 s instead of 1.0 s in Chromium at 1M,
# for 0.3-0.6 s less here (benchmarks/RESULTS.md, "Tables drawn once opened").
with st.expander("Monthly numbers"):
    ui_table.table(monthly, "overview", "monthly", filters, key="monthly",
                   column_config=ui.MONTHLY_COLUMNS)

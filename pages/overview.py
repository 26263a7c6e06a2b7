"""Overview: does the reward program pay? Headline numbers against the previous period, trends."""

from leadbridge import charts, metrics, ui, ui_table

filters = ui.current_filters()
previous = filters.previous()
ui.page_header("Overview", filters, f"changes against {metrics.period_label(previous)}")

ui.total_tiles(["leads_submitted", "conversion_rate", "revenue_attributed", "reward_cost",
                "revenue_per_reward_dollar", "program_roi", "participation_rate"], filters)

monthly = ui.query("monthly", filters)
note = ui.empty_note(filters)
ui.plot(charts.monthly_leads, monthly, note)
ui.plot(charts.revenue_vs_reward, monthly, ui.empty_note(filters, "revenue or rewards"))
ui.plot(charts.revenue_vs_reward, monthly, ui.empty_note(filters, "revenue or rewards"),
        cumulative=True)

ui.lazy_expander("Monthly numbers", "overview_tables",
                 lambda: ui_table.table(monthly, "overview", "monthly", filters, key="monthly",
                                        column_config=ui.MONTHLY_COLUMNS))

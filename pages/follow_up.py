"""Sales follow-up: how fast sales contacts tech leads, and which leads are still waiting."""

import streamlit as st

from leadbridge import charts, ui, ui_table, ui_timeline

filters = ui.current_filters()
as_of = ui.query("as_of", filters).iloc[0, 0]
ui.page_header("Sales follow-up", filters, f"waiting and backlog as of {as_of:%b %d, %Y}")

waiting = int(ui.query("leads_awaiting_contact_count", filters).iloc[0, 0])
ui.total_tiles(["median_days_to_contact", "leads_awaiting_contact_7d"], filters, extra=[
    {"label": "Waiting for contact", "kind": "count", "value": waiting,
     "help": "Every open lead submitted by the period's end that sales has not contacted yet, "
             "whatever month it was submitted."},
])

by_rep = ui.query("contact_speed_by_dimension", filters, dimension="sales_rep")
by_branch = ui.query("contact_speed_by_dimension", filters, dimension="branch")
ui.plot(charts.contact_speed, by_rep, "sales rep", ui.empty_note(filters))
ui.plot(charts.contact_speed, by_branch, "branch", ui.empty_note(filters))

ui.plot(charts.open_by_age, ui.query("open_leads_by_age", filters), ui.empty_note(filters, "open leads"))

st.subheader(f"Leads waiting for first contact ({waiting:,}), oldest first")
if not waiting:
    st.success("Every lead has been contacted.")
else:
    ui_table.query_table("leads_awaiting_contact", "leads_awaiting_contact_count", filters,
                         "follow-up", "awaiting-contact", key="waiting",
                         column_config=ui.LEAD_COLUMNS)
    ui_timeline.lead_story(ui_timeline.shown_rows("leads_awaiting_contact", filters, "waiting"),
                           "waiting", filters)


def speed_tables() -> None:
    ui_table.table(ui.dimension_table(by_rep, "sales_rep"), "follow-up",
                   "speed-by-rep", filters, key="speed_rep", column_config=ui.SPEED_COLUMNS)
    ui_table.table(ui.dimension_table(by_branch, "branch"), "follow-up",
                   "speed-by-branch", filters, key="speed_branch", column_config=ui.SPEED_COLUMNS)


ui.lazy_expander("Speed to first contact by rep and branch (tables)", "follow_up_tables",
                 speed_tables)

"""LeadBridge: the dashboard's router. Start it with `make run` (or `streamlit run dashboard.py`)."""

import streamlit as st

from leadbridge import ui, ui_errors

st.set_page_config(page_title="LeadBridge", page_icon=":material/handshake:", layout="wide")

pages = {
    "Program": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/technicians.py", title="Technicians", icon=":material/engineering:"),
        st.Page("pages/conversion.py", title="Conversion", icon=":material/filter_alt:"),
        st.Page("pages/lead_quality.py", title="Lead quality", icon=":material/flag:"),
        st.Page("pages/revenue_rewards.py", title="Revenue & rewards", icon=":material/payments:"),
        st.Page("pages/rewards.py", title="Reward program", icon=":material/fact_check:"),
    ],
    "Meetings": [
        st.Page("pages/meeting.py", title="Monthly meeting", icon=":material/co_present:"),
        st.Page("pages/follow_up.py", title="Sales follow-up", icon=":material/call:"),
    ],
    "Data": [
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    ],
}

page = st.navigation(pages)
# A failure shows a short message with an incident reference; its traceback goes to the log.
with ui_errors.guard("the sidebar") as sidebar:
    ui.sidebar_filters()
if sidebar.ok:  # the page needs the sidebar's filters: one message is enough
    with ui_errors.guard(f"the page {page.title}"):
        page.run()
    with ui_errors.guard("the footer"):
        ui.footer()

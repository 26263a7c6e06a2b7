"""LeadBridge: the dashboard's router. Start it with `make run` (or `leadbridge dashboard`)."""

import streamlit as st

from leadbridge import ui, ui_access, ui_errors

st.set_page_config(page_title="LeadBridge", page_icon=":material/handshake:", layout="wide")

# Who is asking: signed in (or the laptop's local exec); nobody else gets past this line.
person = ui_access.gate()

PAGES = {
    "Program": [
        ("overview", dict(page="pages/overview.py", title="Overview", icon=":material/dashboard:",
                          default=True)),
        ("technicians", dict(page="pages/technicians.py", title="Technicians",
                             icon=":material/engineering:")),
        ("conversion", dict(page="pages/conversion.py", title="Conversion",
                            icon=":material/filter_alt:")),
        ("lead_quality", dict(page="pages/lead_quality.py", title="Lead quality",
                              icon=":material/flag:")),
        ("revenue_rewards", dict(page="pages/revenue_rewards.py", title="Revenue & rewards",
                                 icon=":material/payments:")),
        ("rewards", dict(page="pages/rewards.py", title="Reward program",
                         icon=":material/fact_check:")),
    ],
    "Meetings": [
        ("meeting", dict(page="pages/meeting.py", title="Monthly meeting",
                         icon=":material/co_present:")),
        ("follow_up", dict(page="pages/follow_up.py", title="Sales follow-up",
                           icon=":material/call:")),
    ],
    "Data": [
        ("data", dict(page="pages/data.py", title="Data", icon=":material/upload_file:")),
    ],
}

page = st.navigation(ui_access.navigation(person, PAGES))
ui_access.sidebar_person(person)
ui_access.check_url_branches(person)
# A failure shows a short message with an incident reference; its traceback goes to the log.
with ui_errors.guard("the sidebar") as sidebar:
    ui.sidebar_filters()
if sidebar.ok:  # the page needs the sidebar's filters: one message is enough
    with ui_errors.guard(f"the page {page.title}"):
        page.run()
    with ui_errors.guard("the footer"):
        ui.footer()

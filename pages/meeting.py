"""Monthly meeting: the joint meeting of techs and sales, one slide at a time, and its deck."""

import streamlit as st

from leadbridge import charts, deck, meeting, text, ui, ui_access, ui_table, ui_timeline

filters = ui.current_filters()  # only its branches apply: the meeting picks its own month
months = ui.data_months()

controls = st.container(horizontal=True, vertical_alignment="center", gap="small")
month = controls.selectbox(
    "Month", months, key="meeting_month", format_func=ui.month_name, width=190,
    label_visibility="collapsed",
    help="The meeting's month (default: the latest complete month). The sidebar's branch "
         "filter applies; its period, lead type and technician filters do not.")
if ui_access.privacy_locked():  # a role without per-person money: always on
    privacy = controls.toggle("Privacy", value=True, disabled=True, key="meeting_privacy_locked",
                              help="Always on for your role: no per-person money.")
else:
    privacy = controls.toggle("Privacy", value=True, key="meeting_privacy",
                              help="On: no per-person money (rewards paid, revenue per tech, "
                                   "revenue of a tech's own wins). Team totals stay.")
content = ui.meeting_content(month, filters.branches, privacy)
slides = meeting.slides(content)
slide = slides[ui.slide_picker("meeting_slide", [s.title for s in slides], controls,
                               starts=[i for i, s in enumerate(slides) if s.part == 1])]


person = ui_access.current_person()  # the deck is built outside this run, on the click


def meeting_deck() -> bytes:
    """The deck, built when clicked, and the click written to the access log."""
    whole = ui.meeting_content(month, filters.branches, privacy, lists=True, person=person)
    ui_access.log("deck", f"{deck.file_name(month, whole.filters.branches)} "
                  f"({'privacy on' if whole.privacy else 'with per-person money'})",
                  whole.filters, person=person)
    return deck.build(whole)


controls.download_button(
    "Deck", meeting_deck,
    deck.file_name(month, content.filters.branches),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    key="meeting_deck", icon=":material/download:", on_click="ignore",
    help="These slides as a PowerPoint deck, with native charts and tables to edit.")
note = meeting.empty_note(content, slide.key)

with ui.slide_body():
    st.title(slide.title)
    st.markdown(slide.subtitle)
    if slide.key == "numbers":
        ui.number_tiles(content)
    elif slide.key in ("top_month", "top_year"):
        frames = ((content.top_month_leads, content.top_month_won) if slide.key == "top_month"
                  else (content.top_year_leads, content.top_year_won))
        won_title = "Most won deals" if privacy else "Most won revenue"
        left, right = st.columns(2)
        with left:
            ui.chart(charts.projected(charts.top_techs(frames[0], "leads_submitted",
                                                       "Most leads submitted", note), None))
        with right:
            ui.chart(charts.projected(charts.top_techs(frames[1], content.won_measure, won_title,
                                                       note), None))
    elif slide.key in meeting.TABLE_SLIDES:
        rows = ui.meeting_rows(content, slide)
        ui.chart(charts.slide_table(meeting.headers(rows), meeting.cells(rows),
                                    meeting.rows_caption(slide, content.size(slide.key)), note))
        if slide.key == "closed":
            ui_timeline.lead_story(ui_timeline.slide_leads(content, slide), "meeting_closed",
                                   filters, privacy)
    elif slide.key == "speed":
        ui.chart(charts.projected(charts.contact_speed(content.speed, "sales rep", note)))
    elif slide.key == "by_type":
        ui.chart(charts.projected(charts.conversion_by(content.by_type, "lead type", note)))
    elif slide.key == "trend":
        ui.chart(charts.projected(charts.monthly_leads(content.trend, note)))
    st.caption(f"{text.md(content.footer())} · "
               f"{'privacy on: no per-person money' if privacy else 'privacy off'}")

if slide.key in meeting.TABLE_SLIDES and content.size(slide.key):
    # Fetched when opened: a national company's month closes tens of thousands of leads.
    every = st.expander(f"All {content.size(slide.key):,} rows: sort, download CSV or Excel",
                        key=f"meeting_all_{slide.key}", on_change="rerun")
    if every.open:
        with every:
            ui_table.table(ui.meeting_table(content, slide.key), "meeting", slide.key, content.filters,
                           key=f"meeting_{slide.key}", column_config=ui.MEETING_COLUMNS)

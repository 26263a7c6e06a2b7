"""Technicians: who brings leads, whose leads convert, and one tech's leads in detail."""

import streamlit as st

from leadbridge import charts, meeting, text, ui, ui_quality, ui_table, ui_timeline

filters = ui.current_filters()
ui.page_header("Technicians", filters, ui.comparison_note(filters))

ui.total_tiles(["participating_techs", "participation_rate", "leads_submitted",
                "conversion_rate"], filters)

by_tech = ui.query("by_tech", filters)
note = ui.empty_note(filters)

ui.lazy_tabs("technicians_chart", {
    "Most leads": lambda: ui.plot(charts.tech_volume, by_tech, note),
    "Best conversion": lambda: ui.plot(charts.tech_conversion, by_tech, note),
    "Volume vs conversion": lambda: ui.plot(charts.volume_vs_conversion, by_tech, note),
    "Leads per 100 jobs": lambda: ui.plot(charts.leads_per_100_jobs,
                                          ui.query("leads_per_100_jobs_by_tech", filters),
                                          ui.empty_note(filters, "service jobs")),
})

st.subheader("Leaderboard")
st.caption("Select a tech's row (the box at its left) to see their leads below. Click a column "
           "header to sort the rows shown. The interval is where each tech's true conversion "
           "likely lies (95 %): wide for techs with few leads. \"Worth a look\" names a tech's "
           "lead quality signals (see the Lead quality page).")
picked = ui_table.table(
    ui_quality.with_marks(by_tech, filters), "technicians", "leaderboard", filters,
    key="leaderboard", column_config={**ui.TECH_COLUMNS, "worth_a_look": "Worth a look"},
    pick=True, sort=ui.TECH_SORT,
)

st.subheader("One technician")
# Nothing of one tech is fetched or drawn until a row is selected (or the sidebar names one).
if picked is None and len(filters.techs) == 1 and len(by_tech) == 1:
    picked = by_tech.iloc[0]
if picked is None:
    st.info(text.md(note) if by_tech.empty else
            "Select a technician's row in the leaderboard, or pick one in the sidebar's "
            "Technician filter: their tiles, leads month by month and each lead with what "
            "became of it.", icon=":material/touch_app:")
else:
    tech = picked["tech_id"]
    one = ui.one_tech(filters, tech)
    tiles = [("Leads", "count", "leads_submitted"), ("Won", "count", "leads_won"),
             ("Conversion", "rate", "conversion_rate"),
             ("Revenue attributed", "money", "revenue_attributed"),
             ("Rewards paid", "money", "reward_cost")]
    # Per-person money is not in the engine's rows for someone who may not see it.
    st.markdown(f"**{text.md(picked['tech_name'])}** ({text.md(tech)})")
    ui.kpi_tiles([{"label": label, "kind": kind, "value": picked[column]}
                  for label, kind, column in tiles if column in picked.index])
    ui.plot(charts.monthly_leads, ui.query("monthly", one), ui.empty_note(one))
    st.markdown(f"**{text.md(picked['tech_name'])}'s leads and what became of each**")
    ui_table.query_table("lead_list", "lead_list_count", one, "technicians", f"leads-{tech}",
                         key="tech_leads", column_config=ui.LEAD_COLUMNS)
    ui_timeline.lead_story(ui_timeline.shown_rows("lead_list", one, "tech_leads"), "tech_leads",
                           filters)

st.subheader("Ready for an optional meeting")
st.caption("Once a tech has earned a first reward (a payout paid, up to the period's end), the "
           "monthly meeting can become optional for them. Active roster techs per branch.")
readiness = meeting.readiness_by_branch(ui.query("meeting_readiness", filters))
if readiness.empty:
    st.info("No active tech on the roster for these filters.")
else:
    ui_table.table(readiness, "technicians", "meeting-readiness", filters, key="readiness",
                   column_config={c: ui.MEETING_COLUMNS.get(c, c) for c in readiness.columns})

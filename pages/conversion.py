"""Conversion: how far leads get, which kinds and branches convert, how long it takes, why leads are lost."""

from leadbridge import charts, ui, ui_table

filters = ui.current_filters()
ui.page_header("Conversion", filters, "cohort: leads submitted in the period")
note = ui.empty_note(filters)

ui.plot(charts.funnel, ui.query("funnel", filters), note)
by_type = ui.query("conversion_by_dimension", filters, dimension="lead_type")
by_branch = ui.query("conversion_by_dimension", filters, dimension="branch")
ui.lazy_tabs("conversion_chart", {
    "By age of lead": lambda: ui.plot(charts.cohort_heatmap,
                                      ui.query("cohort_conversion_by_age", filters), note),
    "By lead type": lambda: ui.plot(charts.conversion_by, by_type, "lead type", note),
    "By branch": lambda: ui.plot(charts.conversion_by, by_branch, "branch", note),
    "Time to close": lambda: ui.plot(charts.time_to_close, ui.query("time_to_close", filters),
                                     ui.empty_note(filters, "deals won")),
    "Lost reasons": lambda: ui.plot(charts.lost_reasons, ui.query("lost_reasons", filters),
                                    ui.empty_note(filters, "lost leads")),
})


def conversion_tables() -> None:
    ui_table.table(ui.dimension_table(by_type, "lead_type"), "conversion",
                   "by-lead-type", filters, key="by_type", column_config=ui.DIMENSION_COLUMNS)
    ui_table.table(ui.dimension_table(by_branch, "branch"), "conversion",
                   "by-branch", filters, key="by_branch", column_config=ui.DIMENSION_COLUMNS)


ui.lazy_expander("Conversion by lead type and branch (tables)", "conversion_tables",
                 conversion_tables)

"""Data: upload exports, see what LeadBridge makes of them, import, and review rejects and gaps."""

import streamlit as st

from leadbridge import (
    contract,
    importer,
    quality,
    serve,
    text,
    ui,
    ui_access,
    ui_mapping,
    ui_published,
    ui_table,
)

st.title("Data")
st.caption("Import the exports you already have: leads (field service tool), outcomes (CRM), "
           "technician roster, reward payouts, and optionally jobs and meeting attendance.")

DETECT = "Detect from the file"
TABLES = {DETECT: None, **{t.description.split(";")[0]: t.name for t in contract.TABLES.values()}}


def import_files() -> None:
    files = st.file_uploader(
        "Export files (CSV or other delimited text, Excel, Parquet)",
        type=importer.ACCEPTED_EXTENSIONS,
        # a new key after an import empties the uploader (its files are imported and removed)
        accept_multiple_files=True, key=f"data_upload_{st.session_state.get('data_round', 0)}",
        help="A file's table is found from its name (leads…, outcomes…, technicians…, payouts…, "
             "jobs…, attendance…) or its headers.")
    st.caption(f"Up to {serve.MAX_UPLOAD_MB} MB per file. Larger exports (a jobs history, "
               "several years of leads) import with `leadbridge import FILE` on the server.")
    left, right = st.columns(2)
    date_order = left.selectbox(
        "Date order of dates like 03/04/2026", [DETECT, "MDY", "DMY"], key="data_date_order",
        format_func=lambda v: {"MDY": "Month first (03/04/2026 = March 4)",
                               "DMY": "Day first (03/04/2026 = April 3)"}.get(v, v))
    separator = right.selectbox(
        "Decimal separator of amounts", [DETECT, "Decimal point (1,234.50)",
                                         "Decimal comma (1.234,50)"], key="data_decimal")
    options = {
        "date_order": None if date_order == DETECT else date_order,
        "decimal_comma": None if separator == DETECT else separator.startswith("Decimal comma"),
    }

    con = ui.connection()
    if files:
        ui_published.waiting_note(ui.db_file())
    planned = []
    for i, upload in enumerate(files or []):
        path = importer.save_upload(con, upload.name, upload)
        with st.container(border=True):
            top_left, top_right = st.columns([3, 2])
            top_left.markdown(f"**{text.md(upload.name)}**")
            table_label = top_right.selectbox("Table", list(TABLES), key=f"data_table_{i}",
                                              label_visibility="collapsed")
            preview = ui.preview_import(path, upload.name, TABLES[table_label], **options)
            if preview.error:
                st.error(text.md(preview.error), icon=":material/block:")
                if ui_mapping.needed(preview):
                    ui_mapping.mapping_step(preview, f"data_map_{i}", TABLES[table_label])
                continue
            planned.append((upload.name, path, TABLES[table_label]))
            st.markdown(ui.preview_summary(preview))
            ui_mapping.applied_note(preview)
            ui_table.table(ui.column_matches(preview), "data", f"columns-{upload.name}", None,
                           key=f"data_columns_{i}")
            if preview.ignored:
                st.caption("Ignored columns (no match): "
                           + ", ".join(text.md(c) for c in preview.ignored))
            if ui_mapping.needed(preview):
                ui_mapping.mapping_step(preview, f"data_map_{i}", TABLES[table_label])

    if st.button("Import", type="primary", disabled=not planned, key="data_import"):
        results = ui_published.import_files(ui.db_file(), planned, **options)
        for done in results:
            ui_access.log("import", f"{done['file']}: {done['error']}" if done["error"]
                          else ui.accounting_sentence(done))
        st.session_state["data_results"] = results
        for _, path, _ in planned:  # imported: the kept copy is no longer needed
            importer.discard_upload(path)
        # a new uploader key empties the uploader, whose files are imported and removed
        st.session_state["data_round"] = st.session_state.get("data_round", 0) + 1
        st.rerun()  # the next run reads the snapshot just published

    for result in st.session_state.get("data_results", []):
        if result["error"]:
            st.error(f"{text.md(result['file'])}: {text.md(result['error'])}")
            continue
        st.success(ui.accounting_sentence(result), icon=":material/check_circle:")
        ui_mapping.applied_note(result)
        if result["rejected"]:
            ui_table.query_table("rejects", "rejects_count", None, "data",
                                 f"rejects-{result['import_id']}",
                                 key=f"rejects_{result['import_id']}",
                                 column_config=ui.REJECT_COLUMNS, import_id=result["import_id"])
        if result["superseded"]:
            st.caption("Rows replaced by a later row with the same key in the same file:")
            ui_table.query_table("superseded", "superseded_count", None, "data",
                                 f"superseded-{result['import_id']}",
                                 key=f"superseded_{result['import_id']}",
                                 column_config=ui.SUPERSEDED_COLUMNS,
                                 import_id=result["import_id"])


def import_history() -> None:
    history = ui.query("import_history")
    if history.empty:
        st.info("No imports yet: upload your exports on the Import tab, or run "
                "`leadbridge import sample_data/` to load the sample company.")
    else:
        ui_table.table(history, "data", "import-history", None, key="history",
                       column_config=ui.IMPORT_COLUMNS)
        rejects = ui.query("rejects_count", None, import_id=None).iloc[0]
        st.subheader(f"Rejected rows ({rejects['rows']:,} rows in {rejects['imports']:,} "
                     "imports)")
        if not rejects["rejects"]:
            st.success("No rejected rows.")
        else:
            ui_table.query_table("rejects", "rejects_count", None, "data", "rejects",
                                 key="all_rejects", column_config=ui.REJECT_COLUMNS,
                                 import_id=None)
        superseded = int(ui.query("superseded_count", None, import_id=None).iloc[0, 0])
        if superseded:
            st.subheader(f"Superseded rows ({superseded:,})")
            st.caption("A later row with the same key in the same file replaced each of these.")
            ui_table.query_table("superseded", "superseded_count", None, "data", "superseded",
                                 key="all_superseded", column_config=ui.SUPERSEDED_COLUMNS,
                                 import_id=None)

    ui_mapping.saved_list()


def data_quality() -> None:
    st.caption("Gaps between files never block an import; they are listed here so they can be fixed "
               "at the source.")
    for check in quality.CHECKS:
        found = ui.query(check.query)
        with st.expander(f"{check.title}: {len(found):,}", expanded=False,
                         icon=":material/check:" if found.empty else ":material/warning:"):
            if found.empty:
                st.write("Nothing found.")
            else:
                st.caption(check.fix)
                ui_table.table(found, "data", check.query.removeprefix("dq_"), None, key=check.query,
                               column_config=ui.QUALITY_COLUMNS)


# Execs also see who may see what (the access file) and the access log. The Import tab is always
# drawn (its uploader keeps the files chosen while another tab is looked at); the others are
# fetched and drawn only while open: their tables and checks cost every run of the page otherwise.
execs = ui_access.current_person().role == "exec"
ui.lazy_tabs("data_tab", {
    "Import": import_files,
    "Import history & rejects": import_history,
    "Data quality": data_quality,
    **({"Access": ui_access.access_tab} if execs else {}),
}, always={"Import"})

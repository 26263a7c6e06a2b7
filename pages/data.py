"""Data: upload exports, see what LeadBridge makes of them, import, and review rejects and gaps."""

import streamlit as st

from leadbridge import contract, importer, quality, ui, ui_access

st.title("Data")
st.caption("Import the exports you already have: leads (field service tool), outcomes (CRM), "
           "technician roster, reward payouts, and optionally jobs and meeting attendance.")

DETECT = "Detect from the file"
TABLES = {DETECT: None, **{t.description.split(";")[0]: t.name for t in contract.TABLES.values()}}

# Execs also see who may see what (the access file) and the access log.
execs = ui_access.current_person().role == "exec"
upload_tab, history_tab, quality_tab, *access_tab = st.tabs(
    ["Import", "Import history & rejects", "Data quality", *(["Access"] if execs else [])])

with upload_tab:
    files = st.file_uploader(
        "Export files (CSV or other delimited text, Excel, Parquet)",
        type=importer.ACCEPTED_EXTENSIONS,
        accept_multiple_files=True, key="data_upload",
        help="A file's table is found from its name (leads…, outcomes…, technicians…, payouts…, "
             "jobs…, attendance…) or its headers.")
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
    planned = []
    for i, upload in enumerate(files or []):
        path = importer.save_upload(con, upload.name, upload.getvalue())
        with st.container(border=True):
            top_left, top_right = st.columns([3, 2])
            top_left.markdown(f"**{upload.name}**")
            table_label = top_right.selectbox("Table", list(TABLES), key=f"data_table_{i}",
                                              label_visibility="collapsed")
            preview = ui.preview_import(path, upload.name, TABLES[table_label], **options)
            if preview.error:
                st.error(preview.error, icon=":material/block:")
                continue
            planned.append((upload.name, path, TABLES[table_label]))
            st.markdown(ui.preview_summary(preview))
            ui.table(ui.column_matches(preview), "data", f"columns-{upload.name}", None,
                     key=f"data_columns_{i}")
            if preview.ignored:
                st.caption("Ignored columns (no match): " + ", ".join(preview.ignored))

    if st.button("Import", type="primary", disabled=not planned, key="data_import"):
        results = [importer.import_file(con, path, display_name=name, table=table, **options)
                   for name, path, table in planned]
        for done in (r.to_dict() for r in results):
            ui_access.log("import", f"{done['file']}: {done['error']}" if done["error"]
                          else ui.accounting_sentence(done))
        st.session_state["data_results"] = [r.to_dict() for r in results]

    for result in st.session_state.get("data_results", []):
        if result["error"]:
            st.error(f"{result['file']}: {result['error']}")
            continue
        st.success(ui.accounting_sentence(result), icon=":material/check_circle:")
        if result["rejected"]:
            rejects = ui.query("rejects", None, import_id=result["import_id"])
            ui.table(rejects, "data", f"rejects-{result['import_id']}", None,
                     key=f"rejects_{result['import_id']}")
        if result["superseded"]:
            st.caption("Rows replaced by a later row with the same key in the same file:")
            superseded = ui.query("superseded", None, import_id=result["import_id"])
            ui.table(superseded, "data", f"superseded-{result['import_id']}", None,
                     key=f"superseded_{result['import_id']}")

with history_tab:
    history = ui.query("import_history")
    if history.empty:
        st.info("No imports yet: upload your exports on the Import tab, or run "
                "`leadbridge import sample_data/` to load the sample company.")
    else:
        ui.table(history, "data", "import-history", None, key="history")
        rejects = ui.query("rejects", None, import_id=None)
        st.subheader(f"Rejected rows ({rejects['row'].nunique() if len(rejects) else 0} rows "
                     f"in {rejects['import_id'].nunique() if len(rejects) else 0} imports)")
        if rejects.empty:
            st.success("No rejected rows.")
        else:
            ui.table(rejects, "data", "rejects", None, key="all_rejects")
        superseded = ui.query("superseded", None, import_id=None)
        if len(superseded):
            st.subheader(f"Superseded rows ({len(superseded)})")
            st.caption("A later row with the same key in the same file replaced each of these.")
            ui.table(superseded, "data", "superseded", None, key="all_superseded")

with quality_tab:
    st.caption("Gaps between files never block an import; they are listed here so they can be fixed "
               "at the source.")
    for check in quality.CHECKS:
        found = ui.query(check.query)
        with st.expander(f"{check.title}: {len(found)}", expanded=False,
                         icon=":material/check:" if found.empty else ":material/warning:"):
            if found.empty:
                st.write("Nothing found.")
            else:
                st.caption(check.fix)
                ui.table(found, "data", check.query.removeprefix("dq_"), None, key=check.query)

if access_tab:
    with access_tab[0]:
        ui_access.access_tab()

"""The Data page's mapping step (leadbridge/ui_mapping.py), driven with AppTest on a previewed file."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from leadbridge import db, importer

CRM = ("Opp Ref,Stage Name,Close Date,**Amount**\n"
       "M-1,Value Proposition,,\n"
       "M-2,Closed Won,2026-03-02,100\n")


def _step(path: str) -> None:
    """The page's part for one uploaded file: its preview, then the mapping step when needed."""
    import streamlit as st

    from leadbridge import db, importer, ui_mapping

    preview = importer.import_file(db.connect(), path, dry_run=True)
    st.session_state["preview"] = preview.summary()
    if ui_mapping.needed(preview):
        ui_mapping.mapping_step(preview, "m")
    ui_mapping.applied_note(preview)
    ui_mapping.saved_list()


@pytest.fixture
def app(monkeypatch, tmp_path):
    db_file = tmp_path / "data" / "lb.duckdb"
    db.connect(db_file).close()
    monkeypatch.setenv("LEADBRIDGE_DB", str(db_file))
    export = tmp_path / "data" / "uploads" / "crm_week1.csv"
    export.parent.mkdir(parents=True, exist_ok=True)
    export.write_text(CRM)
    at = AppTest.from_function(_step, args=(str(export),), default_timeout=60)
    return at, db_file.parent / "mappings.json"


def texts(at) -> list[str]:
    return [t.value for t in at.text]


def test_columns_then_words_are_mapped_saved_and_shown(app):
    at, store = app
    at.run()
    assert not at.exception
    assert "cannot tell which table" in at.session_state["preview"]["error"]
    # The file's columns with their examples, as plain text (a header is never markup).
    shown = texts(at)
    assert ["Opp Ref", "M-1 · M-2", "Stage Name", "Value Proposition · Closed Won"] == shown[:4]
    assert "**Amount**" in shown
    at.selectbox(key="m_table").set_value("outcomes").run()
    assert "closed_at (recognised)" in texts(at)
    at.selectbox(key="m_col_0").set_value("lead_id")
    at.selectbox(key="m_col_1").set_value("status")
    at.button(key="m_save").click().run()
    assert not at.exception
    saved = json.loads(store.read_text())["mappings"]
    assert [(m["table"], m["columns"]) for m in saved] == [
        ("outcomes", {"Opp Ref": "lead_id", "Stage Name": "status"})]
    # Read as outcomes now: the unknown stage word is offered, the known one is not.
    preview = at.session_state["preview"]
    assert (preview["table"], preview["rejected"]) == ("outcomes", 1)
    assert "Value Proposition" in texts(at) and "Closed Won" not in texts(at)
    at.selectbox(key="m_status_0").set_value("qualified")
    at.button(key="m_save").click().run()
    preview = at.session_state["preview"]
    assert preview["rejected"] == 0
    assert preview["mapping"]["statuses"] == {"value proposition": "qualified"}
    note = [t for t in texts(at) if t.startswith("Mapping ")]
    assert note == [f"Mapping {saved[0]['id']} applied: Opp Ref → lead_id, Stage Name → status, "
                    "'value proposition' → qualified"]
    assert json.loads(store.read_text())["mappings"][0]["statuses"] == {"Value Proposition": "qualified"}
    assert at.subheader[0].value == "Saved mappings (1)"


def test_a_saved_mapping_is_prefilled_editable_and_removable(app):
    at, store = app
    at.run()
    at.selectbox(key="m_table").set_value("outcomes").run()
    at.selectbox(key="m_col_0").set_value("lead_id")
    at.selectbox(key="m_col_1").set_value("status")
    at.button(key="m_save").click().run()
    # Edited: the stage column is not used any more; the file is refused again, the form remembers.
    assert at.selectbox(key="m_col_0").value == "lead_id"
    at.selectbox(key="m_col_1").set_value("(not used)")
    at.button(key="m_save").click().run()
    assert "missing required column(s) for outcomes: status" in at.session_state["preview"]["error"]
    assert json.loads(store.read_text())["mappings"][0]["columns"] == {"Opp Ref": "lead_id"}
    at.button(key="m_remove").click().run()
    assert json.loads(store.read_text())["mappings"] == []
    assert "cannot tell which table" in at.session_state["preview"]["error"]
    assert at.subheader[0].value == "Saved mappings (0)"


def test_a_file_the_contract_reads_whole_gets_no_mapping_step(monkeypatch, tmp_path):
    db_file = tmp_path / "data" / "lb.duckdb"
    db.connect(db_file).close()
    monkeypatch.setenv("LEADBRIDGE_DB", str(db_file))
    export = tmp_path / "data" / "leads.csv"
    export.write_text("Lead ID,Created Date,Tech ID,Lead Type\nL1,2026-03-01,T1,Upsell\n")
    at = AppTest.from_function(_step, args=(str(export),), default_timeout=60).run()
    assert not at.exception and not at.expander
    assert importer.import_file(db.connect(db_file), export).inserted == 1

"""Saved mappings: the header signature, the store, applying a mapping on import, never over the contract."""

from __future__ import annotations

import json

import pytest

from leadbridge import contract, db, importer, mappings, metrics

CRM = [
    ["Opp Ref", "Stage Name", "Close Date", "Amount"],
    ["M-1", "Value Proposition", "", ""],
    ["M-2", "Closed Won", "2026-03-02", "100"],
    ["M-3", "Perception Analysis", "", ""],
]


def folder(con):
    return db.data_dir(importer._db_file(con))


def outcomes(con, lead_ids):
    return dict(con.execute(
        "select lead_id, status from outcomes where lead_id in $ids order by lead_id",
        {"ids": list(lead_ids)}).fetchall())


# --- signature and store ------------------------------------------------------------------------


def test_the_signature_compares_headers_as_the_contract_does_and_keeps_their_order():
    base = mappings.signature(["Opp Ref", "Stage Name"])
    assert mappings.signature(["opp_ref", "STAGE-NAME"]) == base
    assert mappings.signature(["Stage Name", "Opp Ref"]) != base
    assert mappings.signature(["Opp Ref", "Stage Name", "Amount"]) != base
    assert len(base) == 64


def test_save_merge_replace_and_remove(tmp_path):
    headers = ["Opp Ref", "Stage Name"]
    sig = mappings.signature(headers)
    first = mappings.save(tmp_path, mappings.Mapping(sig, headers, "outcomes", {"Opp Ref": "lead_id"}))
    assert mappings.find(tmp_path, ["OPP REF", "stage name"]).columns == {"Opp Ref": "lead_id"}
    mappings.save(tmp_path, mappings.Mapping(sig, headers, None, {"Stage Name": "status"},
                                             {"Value Proposition": "qualified"}))
    merged = mappings.find(tmp_path, headers)
    assert merged.columns == {"Opp Ref": "lead_id", "Stage Name": "status"}
    assert merged.statuses == {"Value Proposition": "qualified"} and merged.table == "outcomes"
    mappings.save(tmp_path, mappings.Mapping(sig, headers, "outcomes", {"Opp Ref": "lead_id"}),
                  replace=True)
    assert mappings.find(tmp_path, headers).statuses == {}
    # The file is plain JSON, written without leftovers (temp file, then os.replace).
    data = json.loads((tmp_path / "mappings.json").read_text())
    assert [m["id"] for m in data["mappings"]] == [first.id]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mappings.json"]
    with pytest.raises(mappings.MappingError, match="no saved mapping"):
        mappings.remove(tmp_path, "ffff")
    assert mappings.remove(tmp_path, first.id[:6]).signature == sig
    assert mappings.load_all(tmp_path) == {}


def test_a_broken_mappings_file_is_named_with_the_fix(tmp_path):
    (tmp_path / "mappings.json").write_text("{not json")
    with pytest.raises(mappings.MappingError, match="fix or remove the file"):
        mappings.load_all(tmp_path)


@pytest.mark.parametrize(("option", "message"), [
    ({"columns": {"Nope": "lead_id"}}, "the file has no column 'Nope'"),
    ({"columns": {"Opp Ref": "lead_number"}}, "'lead_number' is not a LeadBridge column"),
    ({"statuses": {"Value Proposition": "maybe"}}, "use one of open, contacted"),
    ({"lead_types": {"Upsell": "bigger"}}, "use one of upgrade, new_equipment"),
])
def test_what_the_user_gives_is_checked_for_typos(option, message):
    with pytest.raises(mappings.MappingError, match=message):
        mappings.from_options(CRM[0], **option)


# --- applying it on import -----------------------------------------------------------------------


def test_a_mapping_given_for_one_file_is_saved_and_applied_to_the_next_with_the_same_headers(con, write):
    first = importer.import_file(
        con, write("crm_week1.csv", CRM), map_columns={"Opp Ref": "lead_id", "Stage Name": "status"},
        map_statuses={"Value Proposition": "qualified"}, save_mapping=True)
    assert first.ok and first.table == "outcomes" and first.mapping_saved
    assert first.mapped_columns == {"Opp Ref": "lead_id", "Stage Name": "status"}
    assert first.mapped_statuses == {"value proposition": "qualified"}
    # The unmapped word is still unknown: its row is rejected and listed for the mapping step.
    assert (first.inserted, first.rejected, first.unknown_statuses) == (2, 1, ["Perception Analysis"])
    assert outcomes(con, ["M-1", "M-2", "M-3"]) == {"M-1": "qualified", "M-2": "won"}
    second = importer.import_file(con, write("crm_week2.csv", [
        CRM[0], ["M-4", "Value Proposition", "", ""], ["M-5", "Closed Lost", "2026-03-05", ""]]))
    assert second.ok and second.mapping_id == first.mapping_id and not second.mapping_saved
    assert (second.inserted, second.rejected) == (2, 0)
    assert outcomes(con, ["M-4", "M-5"]) == {"M-4": "qualified", "M-5": "lost"}
    summary = second.summary()
    assert summary["mapping"]["id"] == first.mapping_id
    assert summary["mapping"]["statuses"] == {"value proposition": "qualified"}
    assert f"mapping {first.mapping_id}: Opp Ref -> lead_id" in importer.describe(second)


def test_a_word_mapping_reaches_only_the_files_with_its_headers(con, write):
    words_before = con.execute("select count(*) from status_words").fetchone()[0]
    importer.import_file(con, write("crm.csv", CRM), map_columns={"Opp Ref": "lead_id",
                         "Stage Name": "status"}, map_statuses={"Value Proposition": "qualified"},
                         save_mapping=True)
    other = importer.import_file(con, write("outcomes_other.csv", [
        ["Lead ID", "Stage"], ["O-1", "Value Proposition"], ["O-2", "Quote sent"]]))
    assert other.mapping_id is None and (other.inserted, other.rejected) == (1, 1)
    assert other.unknown_statuses == ["Value Proposition"]
    assert con.execute("select count(*) from status_words").fetchone()[0] == words_before
    assert words_before == len(contract.word_map(contract.STATUS_WORDS)[0])


def test_a_lead_type_mapping_types_the_leads_and_keeps_the_word_as_written(con, write):
    result = importer.import_file(con, write("leads_field.csv", [
        ["Lead ID", "Created Date", "Tech Ref", "Lead Kind"],
        ["F-1", "2026-03-01", "0105", "Upsell Plus"],
        ["F-2", "2026-03-02", "0105", "Referral"],
    ]), map_columns={"Tech Ref": "tech_id", "Lead Kind": "lead_type"},
        map_lead_types={"Upsell Plus": "upgrade"}, save_mapping=True)
    assert result.ok and result.unknown_lead_types == ["Referral"]
    rows = con.execute("select lead_id, tech_id, lead_type, lead_type_raw from leads order by 1").fetchall()
    assert rows == [("F-1", "0105", "upgrade", "Upsell Plus"), ("F-2", "0105", "other", "Referral")]
    listed = metrics.run(con, "dq_unrecognized_lead_types")
    assert list(listed["lead_type_as_written"]) == ["Referral"]


def test_a_mapping_never_overrides_what_the_contract_recognises(con, write):
    path = write("outcomes_crm.csv", [
        ["Lead ID", "Stage", "Owner Ref", "Old Stage"],
        ["C-1", "Quote sent", "Ann", "x"],
        ["C-2", "Maybe", "Bo", "y"],
    ])
    result = importer.import_file(
        con, path, map_columns={"Stage": "loss_reason", "Old Stage": "status", "Owner Ref": "sales_rep"},
        map_statuses={"Quote sent": "lost", "Maybe": "open"}, save_mapping=True)
    assert result.ok
    assert result.mapped_columns == {"Owner Ref": "sales_rep"}
    assert result.mapped_statuses == {"maybe": "open"}
    assert result.mapping_warnings == [
        "column 'Stage' is already read as status; the mapping to loss_reason is not used",
        "status is already read from 'Stage'; the mapping of 'Old Stage' to it is not used",
        "status 'Quote sent' already means quoted; the mapping to lost is not used",
    ]
    assert outcomes(con, ["C-1", "C-2"]) == {"C-1": "quoted", "C-2": "open"}
    assert "mapping not used: column 'Stage' is already read as status" in importer.describe(result)
    assert result.summary()["mapping_warnings"] == result.mapping_warnings
    # Only what was used is saved.
    saved = mappings.find(folder(con), ["Lead ID", "Stage", "Owner Ref", "Old Stage"])
    assert (saved.columns, saved.statuses) == ({"Owner Ref": "sales_rep"}, {"Maybe": "open"})


def test_a_mapped_header_tells_the_table_of_a_neutrally_named_file(con, write):
    path = write("export.csv", [["Ref", "Worker ID", "Hired"], ["T-1", "0105", "2024-02-01"]])
    refused = importer.import_file(con, path)
    assert "cannot tell which table" in refused.error and "--map" in refused.error
    result = importer.import_file(con, path, map_columns={"Worker ID": "tech_id"}, save_mapping=True)
    assert result.ok and result.table == "techs" and result.matched["tech_id"] == "Worker ID"
    assert result.ignored == ["Ref"]
    again = importer.import_file(con, path)
    assert again.ok and again.table == "techs" and again.unchanged == 1


def test_a_dry_run_applies_a_given_mapping_but_saves_nothing(con, write):
    path = write("crm.csv", CRM)
    result = importer.import_file(con, path, dry_run=True, save_mapping=True,
                                  map_columns={"Opp Ref": "lead_id", "Stage Name": "status"})
    assert result.ok and result.mapping_id and not result.mapping_saved
    assert result.examples["Stage Name"] == ["Value Proposition", "Closed Won", "Perception Analysis"]
    assert mappings.load_all(folder(con)) == {}
    assert importer.import_file(con, path).error.startswith("cannot tell which table")


def test_a_typo_in_a_given_mapping_refuses_the_file_with_the_fix(con, write):
    result = importer.import_file(con, write("crm.csv", CRM), map_columns={"Opp Reference": "lead_id"})
    assert result.error.startswith("the file has no column 'Opp Reference': its columns are 'Opp Ref'")
    assert con.execute("select count(*) from imports").fetchone() == (0,)

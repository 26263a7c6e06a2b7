"""`leadbridge import --map/--status/--lead-type` and `leadbridge mappings`, run in-process."""

from __future__ import annotations

import json

from leadbridge import db
from leadbridge.cli import main

CRM = ("Opp Ref,Stage Name,Close Date,Amount\n"
       "M-1,Value Proposition,,\n"
       "M-2,Closed Won,2026-03-02,100\n")
FIELD = ("Lead ID,Created Date,Worker ID,Lead Kind\n"
         "F-1,2026-03-01,0105,Upsell\n"
         "F-2,2026-03-02,0106,Service plan\n")


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


def test_import_with_mappings_applies_and_saves_them_for_the_headers(capsys, write, db_file):
    crm = write("crm_week1.csv", CRM)
    code, out, _ = run(capsys, "import", str(crm), "--db", str(db_file), "--format", "json",
                       "--map", "Opp Ref=lead_id", "--map", "Stage Name=status",
                       "--status", "Value Proposition=qualified")
    assert code == 0
    [summary] = [json.loads(line) for line in out]
    assert (summary["table"], summary["inserted"], summary["rejected"]) == ("outcomes", 2, 0)
    mapping = summary["mapping"]
    assert mapping["columns"] == {"Opp Ref": "lead_id", "Stage Name": "status"}
    assert mapping["statuses"] == {"value proposition": "qualified"} and mapping["saved"] is True
    # Next week's file with the same headers needs no options.
    week2 = write("crm_week2.csv", CRM.replace("M-1", "M-3").replace("M-2", "M-4"))
    code, out, _ = run(capsys, "import", str(week2), "--db", str(db_file))
    assert code == 0
    assert out[0].startswith("crm_week2.csv: imported as outcomes: read 2, inserted 2")
    assert f"(mapping {mapping['id']}: Opp Ref -> lead_id, Stage Name -> status, " \
           "'value proposition' -> qualified)" in out[0]
    con = db.connect(db_file)
    assert con.execute("select status from outcomes where lead_id = 'M-3'").fetchone() == ("qualified",)


def test_lead_type_flag_and_the_mappings_command_list_and_remove(capsys, write, db_file):
    field = write("leads_field.csv", FIELD)
    code, out, _ = run(capsys, "import", str(field), "--db", str(db_file),
                       "--map", "Worker ID=tech_id", "--map", "Lead Kind=lead_type",
                       "--lead-type", "Service plan=service_agreement")
    assert code == 0 and "inserted 2" in out[0]
    con = db.connect(db_file)
    assert con.execute("select lead_type from leads order by lead_id").fetchall() == [
        ("upgrade",), ("service_agreement",)]
    con.close()
    code, out, _ = run(capsys, "mappings", "--db", str(db_file))
    assert code == 0
    mapping_id = out[0].split()[0]
    assert out[0].startswith(f"{mapping_id}  leads  saved ")
    assert out[0].endswith("headers: Lead ID, Created Date, Worker ID, Lead Kind")
    assert out[1:] == ["    column 'Worker ID' -> tech_id", "    column 'Lead Kind' -> lead_type",
                       "    lead type 'Service plan' -> service_agreement"]
    code, out, _ = run(capsys, "mappings", "--db", str(db_file), "--format", "json")
    assert [m["id"] for m in json.loads("\n".join(out))] == [mapping_id]
    code, out, _ = run(capsys, "mappings", "remove", mapping_id[:8], "--db", str(db_file))
    assert code == 0 and out == [f"removed mapping {mapping_id} (leads: 4 headers)"]
    code, out, _ = run(capsys, "mappings", "--db", str(db_file))
    assert out[0].startswith("No saved mappings.")
    code, _, err = run(capsys, "mappings", "remove", mapping_id, "--db", str(db_file))
    assert code == 1 and f"no saved mapping '{mapping_id}'" in err


def test_a_mapping_over_a_recognised_header_is_not_used_and_says_why(capsys, write, db_file):
    leads = write("leads.csv", "Lead ID,Submitted,Tech ID,Notes\nL1,2026-03-04,T1,hello\n")
    code, out, _ = run(capsys, "import", str(leads), "--db", str(db_file),
                       "--map", "Tech ID=job_id", "--map", "Notes=customer_name")
    assert code == 0
    assert out[1] == "  mapping not used: column 'Tech ID' is already read as tech_id; the mapping " \
                     "to job_id is not used"
    con = db.connect(db_file)
    assert con.execute("select tech_id, job_id, description, customer_name from leads").fetchall() == [
        ("T1", None, "hello", None)]


def test_badly_written_mappings_are_usage_errors(capsys, write, db_file):
    crm = write("crm.csv", CRM)
    code, _, err = run(capsys, "import", str(crm), "--db", str(db_file), "--map", "Opp Ref")
    assert code == 2 and "--map 'Opp Ref': write it as 'NAME IN THE FILE=ours'" in err
    code, out, _ = run(capsys, "import", str(crm), "--db", str(db_file), "--status", "Won=maybe")
    assert code == 1 and "status 'Won'='maybe': use one of open, contacted" in out[0]


def test_one_map_for_a_folder_maps_the_files_that_have_the_column(capsys, write, db_file):
    folder = write("exports/crm.csv", CRM).parent
    write("exports/leads.csv", "Lead ID,Created Date,Tech ID\nL1,2026-03-01,T1\n")
    code, out, _ = run(capsys, "import", str(folder), "--db", str(db_file),
                       "--map", "Opp Ref=lead_id", "--map", "Stage Name=status",
                       "--status", "Value Proposition=qualified")
    assert code == 0
    assert out[0].startswith("crm.csv: imported as outcomes: read 2, inserted 2")
    assert out[1] == "leads.csv: imported as leads: read 1, inserted 1, updated 0, unchanged 0, " \
                     "superseded 0, rejected 0, skipped 0"
    code, _, err = run(capsys, "import", str(folder), "--db", str(db_file), "--map", "Opp Reff=lead_id")
    assert code == 1 and "no file has the column(s) 'Opp Reff' given with --map" in err


def test_rejected_status_words_come_with_the_option_that_maps_them(capsys, write, db_file):
    """A CRM's own stage word rejects its rows; the import says how to map it, and the same file
    imported again with that option lands whole."""
    crm = write("crm.csv", "Lead ID,Stage,Close Date,Amount\n"
                           "M-1,Maybe later,,\nM-2,Maybe later,,\nM-3,On hold,,\n"
                           "M-4,Closed Won,2026-03-02,100\n")
    code, out, _ = run(capsys, "import", str(crm), "--db", str(db_file))
    assert code == 0
    assert out[0].startswith("crm.csv: imported as outcomes: read 4, inserted 1")
    (hint,) = [line for line in out if "status word" in line]
    assert hint == ("  3 rows with a status word LeadBridge does not know ('Maybe later', "
                    "'On hold'): tell it which state each is, one of open, contacted, qualified, "
                    "quoted, won, lost, e.g. --status 'Maybe later=open', and import the file "
                    "again (the mapping is saved for files with these headers).")
    code, out, _ = run(capsys, "import", str(crm), "--db", str(db_file),
                       "--status", "Maybe later=open", "--status", "On hold=open")
    assert code == 0
    assert "inserted 3" in out[0] and "rejected 0" in out[0]
    assert not [line for line in out if "status word" in line]

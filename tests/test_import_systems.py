"""Exports shaped like those of the systems in docs/data-contract.md §3.1: each is recognised as the
right table, its columns map where the doc says, its default words read as the doc says, and the
words that could mean two states are not guessed."""

from __future__ import annotations

import pytest

from leadbridge import contract, importer


def statuses(con) -> dict[str, str]:
    return dict(con.execute("select status_raw, status from outcomes").fetchall())


def rejected_words(con, import_id) -> list[str]:
    rejects = importer.list_rejects(con, import_id)
    return sorted(rejects[rejects["reason"].str.startswith("unknown status")]["value"])


def test_no_alias_means_two_columns_of_one_table():
    for table in contract.TABLES.values():
        seen: dict[str, str] = {}
        for column in table.columns:
            for alias in (column.name, *column.aliases):
                key = contract.normalize_header(alias)
                assert seen.setdefault(key, column.name) == column.name, (table.name, alias)


def test_no_status_word_means_two_states():
    words, states = contract.word_map(contract.STATUS_WORDS)
    for state in contract.STATUSES:
        for word in contract.STATUS_WORDS[state]:
            assert states[words.index(contract.normalize_word(word))] == state, word


def test_a_salesforce_opportunities_report(con, write):
    path = write("report1712345.csv", [
        ["Opportunity ID", "Opportunity Name", "Account Name", "Stage", "Amount", "Close Date",
         "Opportunity Owner", "Created Date"],
        ["006A1", "Boiler", "Acme", "Needs Analysis", "", "2026-04-30", "Ann", "2026-03-01"],
        ["006A2", "Chiller", "Acme", "Proposal/Price Quote", "", "2026-04-30", "Ann", "2026-03-01"],
        ["006A3", "RTU", "Birch", "Negotiation/Review", "", "2026-04-30", "Bo", "2026-03-02"],
        ["006A4", "Pump", "Birch", "Closed Won", "12,500.00", "2026-03-20", "Bo", "2026-03-02"],
        ["006A5", "Fan", "Cole", "Closed Lost", "", "2026-03-21", "Bo", "2026-03-03"],
        ["006A6", "Coil", "Cole", "Value Proposition", "", "2026-04-30", "Bo", "2026-03-03"],
        ["006A7", "Duct", "Cole", "Prospecting", "", "2026-04-30", "Bo", "2026-03-03"],
    ])
    result = importer.import_file(con, path)
    assert result.table == "outcomes"
    assert result.matched == {"lead_id": "Opportunity ID", "status": "Stage", "closed_at": "Close Date",
                              "revenue": "Amount", "sales_rep": "Opportunity Owner"}
    assert statuses(con) == {"Needs Analysis": "qualified", "Proposal/Price Quote": "quoted",
                             "Negotiation/Review": "quoted", "Closed Won": "won", "Closed Lost": "lost"}
    assert rejected_words(con, result.import_id) == ["Prospecting", "Value Proposition"]
    assert result.unknown_statuses == ["Prospecting", "Value Proposition"]


def test_a_hubspot_deals_export_needs_only_its_record_id_mapped(con, write):
    rows = [
        ["Record ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Deal Owner", "Create Date",
         "Pipeline"],
        ["901", "A", "Appointment Scheduled", "", "2026-04-30", "Ann", "2026-03-01", "Sales Pipeline"],
        ["902", "B", "Qualified to Buy", "", "2026-04-30", "Ann", "2026-03-01", "Sales Pipeline"],
        ["903", "C", "Contract Sent", "", "2026-04-30", "Ann", "2026-03-01", "Sales Pipeline"],
        ["904", "D", "Closed Won", "900", "2026-03-10", "Ann", "2026-03-01", "Sales Pipeline"],
        ["905", "E", "Closed Lost", "", "2026-03-11", "Ann", "2026-03-01", "Sales Pipeline"],
        ["906", "F", "Decision Maker Bought-In", "", "2026-04-30", "Ann", "2026-03-01", "Sales Pipeline"],
        ["907", "G", "Presentation Scheduled", "", "2026-04-30", "Ann", "2026-03-01", "Sales Pipeline"],
    ]
    path = write("hubspot-crm-exports-all-deals.csv", rows)
    assert "cannot tell which table" in importer.import_file(con, path).error
    result = importer.import_file(con, path, map_columns={"Record ID": "lead_id"})
    assert result.table == "outcomes"
    assert {k: v for k, v in result.matched.items() if k != "lead_id"} == {
        "status": "Deal Stage", "closed_at": "Close Date", "revenue": "Amount", "sales_rep": "Deal Owner"}
    assert statuses(con) == {"Appointment Scheduled": "qualified", "Qualified to Buy": "qualified",
                             "Contract Sent": "quoted", "Closed Won": "won", "Closed Lost": "lost"}
    assert rejected_words(con, result.import_id) == ["Decision Maker Bought-In", "Presentation Scheduled"]


def test_a_dynamics_365_opportunities_export(con, write):
    path = write("Opportunities Advanced Find View.csv", [
        ["(Do Not Modify) Opportunity", "Topic", "Potential Customer", "Status Reason",
         "Actual Revenue", "Actual Close Date", "Owner"],
        ["6f1c-01", "Boiler", "Acme", "In Progress", "", "", "Ann"],
        ["6f1c-02", "Chiller", "Acme", "Won", "$8,000.00", "3/20/2026", "Ann"],
        ["6f1c-03", "RTU", "Birch", "Canceled", "", "3/21/2026", "Bo"],
        ["6f1c-04", "Pump", "Birch", "Out-Sold", "", "3/22/2026", "Bo"],
        ["6f1c-05", "Fan", "Cole", "On Hold", "", "", "Bo"],
    ])
    result = importer.import_file(con, path, map_columns={"(Do Not Modify) Opportunity": "lead_id"})
    assert result.table == "outcomes" and result.date_order == "MDY"
    assert {k: v for k, v in result.matched.items() if k != "lead_id"} == {
        "status": "Status Reason", "closed_at": "Actual Close Date", "revenue": "Actual Revenue",
        "sales_rep": "Owner"}
    assert statuses(con) == {"In Progress": "contacted", "Won": "won", "Canceled": "lost",
                             "Out-Sold": "lost"}
    assert rejected_words(con, result.import_id) == ["On Hold"]


def test_zoho_and_housecall_pro_words(con, write):
    path = write("outcomes_zoho_hcp.csv", [
        ["Lead ID", "Stage", "Close Date", "Amount"],
        ["Z1", "Qualification", "", ""],
        ["Z2", "Identify Decision Makers", "", ""],
        ["Z3", "Needs Analysis", "", ""],
        ["H1", "Customer Approved", "2026-03-01", "450"],
        ["H2", "Customer Declined", "2026-03-02", ""],
    ])
    result = importer.import_file(con, path)
    assert statuses(con) == {"Needs Analysis": "qualified", "Customer Approved": "won",
                             "Customer Declined": "lost"}
    assert rejected_words(con, result.import_id) == ["Identify Decision Makers", "Qualification"]


@pytest.mark.parametrize(("name", "rows", "table", "matched"), [
    ("Employee Report.csv",  # Workday
     [["Employee ID", "Worker", "Hire Date", "Location", "Manager"],
      ["21001", "Ann Lee", "2019-04-01", "Boston", "Kim"]],
     "techs", {"tech_id": "Employee ID", "branch": "Location", "hired_on": "Hire Date",
               "manager": "Manager"}),
    ("employees_adp.csv",  # ADP Workforce Now
     [["File Number", "Name", "Hire Date", "Status"], ["000123", "Ann Lee", "2019-04-01", "Active"]],
     "techs", {"tech_id": "File Number", "tech_name": "Name", "hired_on": "Hire Date",
               "active": "Status"}),
    ("payroll_journal.csv",  # Gusto
     [["Employee ID", "Check Date", "Bonus", "Memo"], ["21001", "2026-03-13", "50.00", "Lead won"]],
     "payouts", {"tech_id": "Employee ID", "paid_on": "Check Date", "amount": "Bonus",
                 "reason": "Memo"}),
    ("pay lines.csv",  # ADP pay lines
     [["File Number", "Pay Date", "Amount"], ["000123", "2026-03-13", "25.00"]],
     "payouts", {"tech_id": "File Number", "paid_on": "Pay Date", "amount": "Amount"}),
])
def test_hr_and_payroll_exports_are_recognised(con, write, name, rows, table, matched):
    result = importer.import_file(con, write(name, rows))
    assert result.ok, result.error
    assert (result.table, result.matched, result.rejected) == (table, matched, 0)


def test_a_bamboohr_roster_maps_employee_number_once(con, write):
    rows = [["Employee #", "First Name", "Last Name", "Hire Date", "Location", "Supervisor",
             "Employment Status"],
            ["0105", "Ann", "Lee", "2019-04-01", "Boston", "Kim", "Full-Time"],
            ["0106", "Bo", "Ng", "2020-05-01", "Hartford", "Kim", "Part-Time"],
            ["0107", "Cy", "Ode", "2018-01-01", "Boston", "Kim", "Terminated"]]
    # "Employee #" reads as "Employee", which could be a name: not guessed.
    assert "cannot tell which table" in importer.import_file(con, write("employees.csv", rows)).error
    result = importer.import_file(con, write("employees.csv", rows),
                                  map_columns={"Employee #": "tech_id"})
    assert result.table == "techs" and result.rejected == 0
    assert con.execute("select tech_id, branch, manager, active from techs order by 1").fetchall() == [
        ("0105", "Boston", "Kim", True), ("0106", "Hartford", "Kim", True),
        ("0107", "Boston", "Kim", False)]


def test_file_number_is_not_read_on_a_leads_file(con, write):
    result = importer.import_file(con, write("leads_x.csv", [
        ["Lead ID", "Created Date", "Tech ID", "File Number"], ["L1", "2026-03-01", "T1", "99"]]))
    assert result.ok and result.ignored == ["File Number"]

"""The monthly meeting's people on a hand-made company: who was here (first-timers), attendance
per branch and person, leads after meetings came or missed, readiness; on the slides, in the deck
and on the Technicians page."""

from __future__ import annotations

import io

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from leadbridge import deck, meeting
from tests.app_fixtures import DASHBOARD, PAGES
from tests.metrics_fixtures import fresh_db, insert, lead, load, payout, rows, tech

SEPT, OCT = "2026-09-08", "2026-10-13"


def seat(day, person, came, role="tech") -> dict:
    return {"meeting_date": day, "person_id": person, "role": role, "attended": came}


@pytest.fixture
def company(tmp_path):
    con = fresh_db(tmp_path)
    insert(con, "attendance", [
        seat(SEPT, "T1", True), seat(SEPT, "T2", False), seat(SEPT, "T3", True),
        seat(SEPT, "Dana Whitaker", True, "Sales"),
        seat(OCT, "T1", True), seat(OCT, "T2", True), seat(OCT, "T3", False),
        seat(OCT, "Dana Whitaker", False, "Sales"),
    ])
    load(con,
         techs=[tech("T1", "Boston", tech_name="Ann Lee"), tech("T2", "Boston", tech_name="Bo Park"),
                tech("T3", "Hartford", tech_name="Cy Moss"),
                tech("T4", "Hartford", active=False, tech_name="Di Old")],
         leads=[lead("A", "2026-09-10", "T1"), lead("B", "2026-10-01", "T1"),
                lead("C", "2026-10-20", "T1"), lead("D", "2026-09-20", "T2"),
                lead("E", "2026-10-14", "T2"), lead("F", "2026-10-15", "T2"),
                lead("G", "2026-11-12", "T2"), lead("H", "2026-11-13", "T2")],
         payouts=[payout("P1", "T1", "2026-09-15", 25, "A"),
                  payout("P2", "T2", "2026-10-15", -25, "D")])  # a clawback is no reward
    yield con
    con.close()


def test_who_was_here_with_first_time_attendees(company):
    here = rows(company, "meeting_attendance", "2026-10")
    assert [(r["person"], r["role"], r["branch"], r["attended"], r["first_time"]) for r in here] == [
        ("Bo Park", "tech", "Boston", True, True),  # came for the first time
        ("Ann Lee", "tech", "Boston", True, False),
        ("Cy Moss", "tech", "Hartford", False, False),
        ("Dana Whitaker", "sales", None, False, False),  # a rep belongs to no branch
    ]
    boston = rows(company, "meeting_attendance", "2026-10", filters={"branch": ["Boston"]})
    assert {r["person"] for r in boston} == {"Bo Park", "Ann Lee", "Dana Whitaker"}


def test_attendance_per_branch_and_person_over_the_period(company):
    by_branch = {r["branch"]: r for r in rows(company, "attendance_by_branch", "2026-09", "2026-10")}
    assert {b: (r["meetings"], r["expected"], r["attended"]) for b, r in by_branch.items()} == {
        "Boston": (2, 4, 3), "Hartford": (2, 2, 1), None: (2, 2, 1)}
    people = {r["person"]: r for r in rows(company, "attendance_by_person", "2026-09", "2026-10")}
    assert people["Bo Park"]["attendance_rate"] == 0.5
    assert str(people["Cy Moss"]["last_attended"]) == SEPT


def test_leads_in_the_30_days_after_meetings_came_and_missed(company):
    after = {r["tech_id"]: r for r in rows(company, "leads_after_meetings", "2026-09", "2026-10")}
    # T1 came to both: A and B within 30 days of Sep 8, C of Oct 13
    assert (after["T1"]["meetings_attended"], after["T1"]["leads_after_attended"]) == (2, 1.5)
    # T2 missed Sep (D), came in Oct (E, F, G; H is 31 days after)
    assert (after["T2"]["leads_after_attended"], after["T2"]["leads_after_missed"]) == (3, 1)
    assert (after["T3"]["leads_after_attended"], after["T3"]["leads_after_missed"]) == (0, 0)


def test_the_meeting_slides_and_deck_show_the_people(company):
    content = meeting.build(company, "2026-10", privacy=True)
    assert content.seats == {"tech": (2, 3), "sales": (0, 1)}
    assert meeting.after_meeting_average(content) == (6 / 4, 1 / 2)
    assert list(content.readiness["who_not_yet"]) == ["Bo Park", "Cy Moss"]
    assert list(content.readiness["earned"]) == [1, 0]
    slides = {s.key: s for s in meeting.slides(content)}
    assert slides["who_was_here"].subtitle == ("2 of 3 techs and 0 of 1 sales reps came; "
                                               "1 for the first time")
    assert "Association, not cause" in slides["after_meeting"].subtitle
    prs = Presentation(io.BytesIO(deck.build(content)))
    here = next(s for s in prs.slides if s.shapes.title.text_frame.text == "Who was here in Oct 2026")
    (table,) = [shape.table for shape in here.shapes if shape.has_table]
    cells = [[c.text for c in r.cells] for r in table.rows]
    assert cells == [["Name", "Role", "Branch", "First time?"],
                     ["Bo Park", "Tech", "Boston", "First time!"],
                     ["Ann Lee", "Tech", "Boston", ""]]
    assert [meeting.cell("role", r) for r in ("tech", "sales", "other")] == [
        "Tech", "Sales rep", "other"]  # a role in words; one the contract does not name as it is
    ready = next(s for s in prs.slides
                 if s.shapes.title.text_frame.text == "Ready for an optional meeting")
    (table,) = [shape.table for shape in ready.shapes if shape.has_table]
    assert [c.text for c in table.rows[2].cells] == ["Hartford", "1", "0", "1", "Cy Moss"]


def test_the_technicians_page_shows_readiness(company, tmp_path, monkeypatch):
    company.close()
    monkeypatch.setenv("LEADBRIDGE_DB", str(tmp_path / "data" / "lb.duckdb"))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.query_params.update({"preset": "Custom months", "from": "2026-09", "to": "2026-11"})
    at.switch_page(PAGES["technicians"])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (ready,) = [d.value for d in at.dataframe if "who_not_yet" in d.value.columns]
    assert ready.to_dict("records") == [
        {"branch": "Boston", "active_techs": 2, "earned": 1, "not_yet": 1, "who_not_yet": "Bo Park"},
        {"branch": "Hartford", "active_techs": 1, "earned": 0, "not_yet": 1,
         "who_not_yet": "Cy Moss"}]

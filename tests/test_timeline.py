"""Each lead's story: the timeline query on real imports (two CRM exports that move a lead on),
and `leadbridge lead` printing the same."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from leadbridge import cli, db, importer, timeline
from tests.app_fixtures import DASHBOARD, PAGES, build_sample_db, pick_technician

LEADS = [["lead_id", "submitted_at", "tech_id", "tech_name", "branch", "customer_name",
          "lead_type"],
         ["L1", "2026-03-02", "T1", "Ann Lee", "Boston", "Acme Dental", "upgrade"],
         ["L2", "2026-03-05", "T2", "Bo Park", "Hartford", "Elm Farm", "upgrade"]]
OUTCOMES_MARCH = [["lead_id", "status", "contacted_at", "closed_at", "revenue", "loss_reason",
                   "updated_at"],
                  ["L1", "contacted", "2026-03-04", "", "", "", "2026-03-04"],
                  ["L2", "contacted", "2026-03-06", "", "", "", "2026-03-06"]]
OUTCOMES_APRIL = [["lead_id", "status", "contacted_at", "closed_at", "revenue", "loss_reason",
                   "updated_at"],
                  ["L1", "won", "2026-03-04", "2026-04-10", "5000", "", "2026-04-10"],
                  ["L2", "lost", "2026-03-06", "2026-04-02", "", "No need", "2026-04-02"]]
PAYOUTS = [["payout_id", "tech_id", "lead_id", "paid_on", "amount", "reason"],
           ["P1", "T1", "L1", "2026-03-15", "25", "Lead submitted"],
           ["P2", "T1", "L1", "2026-04-30", "150", "Lead won"]]


@pytest.fixture
def story(write, db_file):
    con = db.connect(db_file)
    for name, rows in (("leads.csv", LEADS), ("outcomes-march.csv", OUTCOMES_MARCH),
                       ("outcomes-april.csv", OUTCOMES_APRIL), ("payouts.csv", PAYOUTS)):
        (result,) = importer.import_paths(con, [write(name, rows)])
        assert result.ok, result.error
    yield con
    con.close()


def test_a_leads_timeline_has_every_event_in_date_order_with_its_file(story):
    frame = timeline.lead_timeline(story, "L1")
    frame = frame.astype(object).where(frame.notna(), None)
    events = [(str(r.event_date.date()), r.event, r.detail, r.source_file)
              for r in frame.itertuples()]
    assert events == [
        ("2026-03-02", "Submitted", "Ann Lee · Upgrade · Acme Dental", "leads.csv"),
        ("2026-03-04", "Status: Contacted", "first status in the CRM export",
         "outcomes-march.csv"),
        ("2026-03-04", "First contact", None, "outcomes-april.csv"),
        ("2026-03-15", "Reward paid", "T1 · Lead submitted", "payouts.csv"),
        ("2026-04-10", "Status: Won", "was contacted", "outcomes-april.csv"),
        ("2026-04-10", "Closed: Won", None, "outcomes-april.csv"),
        ("2026-04-30", "Reward paid", "T1 · Lead won", "payouts.csv"),
    ]
    assert frame["amount"].dropna().tolist() == [25, 5000, 150]


def test_a_lost_lead_says_why_and_privacy_drops_the_money(story):
    frame = timeline.lead_timeline(story, "L2", privacy=True)
    assert "amount" not in frame.columns
    closed = frame[frame["event"] == "Closed: Lost"].iloc[0]
    assert closed["detail"] == "No need"


def test_the_access_scope_hides_another_branchs_lead(story):
    assert len(timeline.lead_timeline(story, "L2", scope=("Hartford",))) == 5  # no reward
    assert timeline.lead_timeline(story, "L2", scope=("Boston",)).empty
    assert timeline.lead_timeline(story, "nope").empty


def test_the_command_prints_the_same_timeline(story, db_file, capsys):
    story.close()
    assert cli.main(["lead", "L1", "--db", str(db_file)]) == cli.EXIT_OK
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Lead L1"
    assert out[1] == "2026-03-02  Submitted  Ann Lee · Upgrade · Acme Dental  (from leads.csv)"
    assert out[5] == "2026-04-10  Status: Won  was contacted  (from outcomes-april.csv)"
    assert out[6] == "2026-04-10  Closed: Won  $5,000.00  (from outcomes-april.csv)"
    assert len(out) == 8
    assert cli.main(["lead", "L9", "--db", str(db_file)]) == cli.EXIT_FAILED
    assert "no lead 'L9'" in capsys.readouterr().err


# --- the lead's story opens from the lists (AppTest) ---------------------------------------------


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("timeline_sample"))


def open_page(monkeypatch, db_file, page: str):
    monkeypatch.setenv("LEADBRIDGE_DB", str(db_file))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    at.switch_page(PAGES[page])
    return at.run()


def story_of(at, key: str):
    """Pick the list's first lead in the story picker; return (lead ID, timeline frame)."""
    picker = at.selectbox(key=f"{key}_story")
    assert picker.value is None  # nothing is fetched before the user asks
    lead_id = picker.options[0].split(" · ")[0]
    at = picker.set_value(lead_id).run()
    assert not at.exception, [e.value for e in at.exception]
    (frame,) = [d.value for d in at.dataframe if "event" in d.value.columns]
    return lead_id, frame, at


@pytest.mark.parametrize(("page", "key"), [("technicians", "tech_leads"),
                                           ("follow_up", "waiting")])
def test_a_leads_story_opens_from_the_list(monkeypatch, sample_db, page, key):
    at = open_page(monkeypatch, sample_db, page)
    if page == "technicians":  # the lead list is one tech's: pick the first
        at = pick_technician(at)
    lead_id, frame, at = story_of(at, key)
    con = db.connect(sample_db)
    expected = timeline.lead_timeline(con, lead_id)
    con.close()
    assert list(frame["event"]) == list(expected["event"])
    assert frame["event"].iloc[0] == "Submitted"
    assert "amount" in frame.columns


def test_a_closed_leads_story_opens_from_the_meeting_slide_without_money(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db, "meeting")
    titles = at.selectbox(key="meeting_slide").options
    closing = next(i for i, t in enumerate(titles) if "Closing the loop" in t)
    at = at.selectbox(key="meeting_slide").select_index(closing).run()
    lead_id, frame, at = story_of(at, "meeting_closed")
    assert frame["event"].str.startswith("Closed: ").any()  # every lead of the slide is closed
    assert "amount" not in frame.columns  # privacy is on by default

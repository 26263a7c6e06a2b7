"""The dashboard as each person of the access file sees it (AppTest).

Signed in is simulated the way Streamlit's own AppTest does it: `at.secrets["auth"]` turns
sign-in on (st.secrets is what the dashboard asks), `at.user` holds what st.login leaves in
st.user, and LEADBRIDGE_ACCESS points at the access file. Without secrets the dashboard is the
laptop's local exec, as before.
"""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from leadbridge import access, ui
from tests.app_fixtures import DASHBOARD, PAGES, build_sample_db, open_tab, pick_technician

ACCESS_TOML = """\
[[person]]
email = "dana@example.com"
name = "Dana Reyes"
role = "exec"

[[person]]
email = "sam@example.com"
name = "Sam Ortiz"
role = "manager"
branches = ["Boston"]

[[person]]
email = "fay@example.com"
role = "facilitator"
branches = ["Worcester"]
can_import = true

[[person]]
email = "vic@example.com"
name = "Vic Lane"
role = "viewer"
branches = ["Hartford"]
"""

# Any values: st.login is never called here (the user is already signed in or is shown the button).
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
        "client_id": "leadbridge", "client_secret": "secret",
        "server_metadata_url": "http://localhost:9400/.well-known/openid-configuration"}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("access_pages"))


@pytest.fixture
def access_file(tmp_path, monkeypatch):
    path = tmp_path / "access.toml"
    path.write_text(ACCESS_TOML, encoding="utf-8")
    monkeypatch.setenv("LEADBRIDGE_ACCESS", str(path))
    return path


@pytest.fixture
def open_as(monkeypatch, sample_db, access_file):
    """open_as(email or None, page=None, query=None) -> the run dashboard, signed in as email
    (None: signed out), with sign-in on."""

    def _open(email: str | None, page: str | None = None, query: dict | None = None) -> AppTest:
        monkeypatch.setenv("LEADBRIDGE_DB", str(sample_db))
        at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
        at.secrets["auth"] = AUTH
        at.user = ({"is_logged_in": False} if email is None else
                   {"is_logged_in": True, "email": email, "name": "From the provider"})
        if query:
            at.query_params.update(query)
        if page:
            at.switch_page(PAGES[page])
        return at.run()

    return _open


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def texts(at: AppTest) -> str:
    """Every text the run shows (titles, markdown, captions, warnings, tiles)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption",
                                  "warning", "error", "info", "success") for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def test_without_auth_the_local_user_is_an_exec_on_every_page(monkeypatch, sample_db):
    monkeypatch.delenv("LEADBRIDGE_ACCESS", raising=False)
    monkeypatch.setenv("LEADBRIDGE_DB", str(sample_db))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90).run()
    no_exception(at)
    assert "Local user" in at.sidebar.markdown[0].value
    assert at.multiselect(key="lb_branch").options == ["Boston", "Hartford", "Providence",
                                                       "Worcester"]
    assert not [b for b in at.button if b.label == "Sign out"]
    at.switch_page(PAGES["data"]).run()
    assert [t.label for t in at.tabs][-1] == "Access", "the local exec sees the access tab"


def test_signed_out_sees_only_the_sign_in_button(open_as):
    at = open_as(None, "technicians")
    no_exception(at)
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.get("plotly_chart") and not at.dataframe and not at.metric
    assert not at.sidebar.children or not at.multiselect


def test_a_boston_managers_filter_offers_boston_only(open_as):
    at = open_as("Sam@Example.com")  # the email claim matches case-insensitively
    no_exception(at)
    assert at.multiselect(key="lb_branch").options == ["Boston"]
    box = at.sidebar.markdown[0].value
    assert "Sam Ortiz" in box and "Service manager" in box and "Boston" in box
    assert [b for b in at.button if b.label == "Sign out"]
    for name in ("Hartford", "Providence", "Worcester"):
        assert name not in texts(at)


@pytest.mark.parametrize(("email", "pages"), [
    ("sam@example.com", ("overview", "technicians", "conversion", "lead_quality",
                         "revenue_rewards", "rewards", "meeting", "follow_up")),
    ("vic@example.com", ("overview", "technicians", "conversion", "revenue_rewards")),
    ("fay@example.com", ("overview", "meeting", "follow_up", "data")),
], ids=["manager", "viewer", "facilitator"])
def test_each_role_runs_its_pages_without_error(open_as, email, pages):
    for page in pages:
        at = open_as(email, page)
        no_exception(at)
        assert "not open to you" not in texts(at), page


def test_a_link_to_another_branch_shows_why_and_no_data(open_as):
    at = open_as("sam@example.com", "overview", {"branch": "Hartford"})
    no_exception(at)
    assert at.title[0].value == "Not your branch"
    assert "Hartford" in at.warning[0].value and "Boston" in at.warning[0].value
    assert not at.get("plotly_chart") and not at.metric and not at.dataframe


def test_a_viewer_cannot_open_the_data_page(open_as):
    at = open_as("vic@example.com", "data")
    no_exception(at)
    assert at.title[0].value == "Data"
    assert "not open to you" in at.warning[0].value
    assert not at.get("file_uploader") and not at.dataframe and not at.tabs


def test_a_viewers_technicians_have_no_per_person_money(open_as):
    at = open_as("vic@example.com", "technicians")
    no_exception(at)
    at = pick_technician(at)  # one tech's tiles too
    no_exception(at)
    labels = [m.label for m in at.metric]
    assert "Revenue attributed" not in labels and "Rewards paid" not in labels
    for frame in at.dataframe:
        assert not {"revenue_attributed", "reward_cost", "revenue_per_reward_dollar",
                    "revenue"} & set(frame.value.columns)
        if "branch" in frame.value.columns:
            assert set(frame.value["branch"]) <= {"Hartford"}


def test_a_facilitator_has_privacy_locked_on_the_meeting(open_as):
    at = open_as("fay@example.com", "meeting")
    no_exception(at)
    toggles = [t for t in at.toggle if t.label == "Privacy"]
    assert toggles and toggles[0].value is True and toggles[0].disabled
    at2 = open_as("fay@example.com", "data")
    no_exception(at2)
    assert [t.label for t in at2.tabs] == ["Import", "Import history & rejects", "Data quality"]


def test_someone_not_in_the_file_sees_who_to_ask(open_as):
    at = open_as("nobody@example.com", "overview")
    no_exception(at)
    warning = at.warning[0].value
    assert "nobody\\@example\\.com" in warning and "Dana Reyes" in warning  # as text
    assert not at.get("plotly_chart") and not at.metric and not at.dataframe


def test_a_refused_access_file_shows_the_line_and_no_data(open_as, access_file):
    access_file.write_text(ACCESS_TOML + '\n[[person]]\nemail = "x@example.com"\nrole = "boss"\n',
                           encoding="utf-8")
    with pytest.raises(access.AccessFileError) as refused:
        access.load(access_file)
    at = open_as("dana@example.com", "overview")
    no_exception(at)
    assert at.title[0].value == "LeadBridge's access file is refused"
    assert f"line {refused.value.line}" in at.warning[0].value
    assert not at.get("plotly_chart") and not at.metric and not at.dataframe


def test_sign_ins_are_logged_once_per_session(open_as, sample_db):
    before = len(access.read_log(sample_db.parent))
    at = open_as("dana@example.com")
    at.run()
    log = access.read_log(sample_db.parent)
    assert len(log) == before + 1
    assert log.iloc[0][["who", "action"]].tolist() == ["dana@example.com", "sign-in"]


def test_a_branch_taken_away_mid_session_leaves_the_filter(open_as, access_file):
    access_file.write_text(ACCESS_TOML.replace('branches = ["Boston"]',
                                               'branches = ["Boston", "Hartford"]'),
                           encoding="utf-8")
    at = open_as("sam@example.com")
    at.multiselect(key="lb_branch").select("Hartford").run()
    assert at.multiselect(key="lb_branch").value == ["Hartford"]
    access_file.write_text(ACCESS_TOML, encoding="utf-8")  # Hartford taken away
    at.run()
    no_exception(at)
    assert at.title[0].value == "Not your branch", "the view (and its link) names Hartford"
    assert not at.get("plotly_chart") and not at.metric
    at.button(key="lb_clear_branches").click().run()
    no_exception(at)
    assert at.multiselect(key="lb_branch").options == ["Boston"]
    assert at.multiselect(key="lb_branch").value == []
    assert "Hartford" not in texts(at)


@pytest.mark.parametrize("page", ["rewards", "lead_quality"])
def test_a_boston_manager_sees_only_boston_techs_on_the_pages_of_their_own_engine(open_as, page):
    """The reward audit and the quality signals call their engines with the sidebar's filters:
    the person's scope must come with them, not only through ui.query."""
    import csv

    from tests.app_fixtures import SAMPLE_DIR

    with open(SAMPLE_DIR / "technicians.csv", encoding="utf-8-sig") as roster:
        rows = list(csv.DictReader(roster))
    elsewhere = {r["Employee ID"] for r in rows if r["Branch"] != "Boston"}
    boston = {r["Employee ID"] for r in rows if r["Branch"] == "Boston"}
    at = open_as("sam@example.com", page)
    no_exception(at)
    frames = list(at.dataframe)
    shown = texts(at)
    if page == "rewards":  # only the open tab is drawn: the What if tab too
        open_tab(at, "rw_tab", "What if")
        no_exception(at)
        frames += list(at.dataframe)
        shown += "\n" + texts(at)
    seen = set()
    for frame in frames:
        for column in ("tech_id", "Tech ID"):
            if column in frame.value.columns:
                seen |= set(frame.value[column].dropna().astype(str))
        if "branch" in frame.value.columns:
            assert set(frame.value["branch"].dropna()) <= {"Boston"}, page
    assert not seen & elsewhere, (page, sorted(seen & elsewhere))
    assert "Hartford" not in shown and "Worcester" not in shown
    if page == "rewards":
        assert seen & boston  # the audit shows Boston's techs


def test_a_long_list_of_techs_is_searched_in_the_sidebar(open_as, monkeypatch):
    """Beyond ui.TECH_LIST_MAX techs the Technician filter offers the matches of a search (and
    the techs already chosen), not every tech: the search finds by name or ID, a pick filters
    the page, and the pick stays when the search changes."""
    monkeypatch.setattr(ui, "TECH_LIST_MAX", 10)  # the sample's techs are a long list now
    at = open_as("dana@example.com", "technicians")
    no_exception(at)
    assert at.multiselect(key="lb_tech").options == []
    count = re.search(r"\(([\d,]+) techs\)", at.text_input(key="lb_tech_find").placeholder)
    assert count and int(count[1]) > 10, "the search says how many techs it looks through"
    at.text_input(key="lb_tech_find").input("moreau").run()
    found = at.multiselect(key="lb_tech").options
    assert found and all("Moreau" in name for name in found)
    at.multiselect(key="lb_tech").select("0216").run()
    no_exception(at)
    assert at.query_params["tech"] == "0216"
    assert list(at.dataframe[0].value["tech_id"]) == ["0216"], "the leaderboard is the tech's"
    at.text_input(key="lb_tech_find").input("0105").run()
    assert at.multiselect(key="lb_tech").value == ["0216"], "the pick stays"
    assert set(at.multiselect(key="lb_tech").options) == {"Kevin Moreau (0216)",
                                                         "Shawn Lynch (0105)"}
    at.text_input(key="lb_tech_find").input("no such *name*").run()
    assert any("contains “no such \\*name\\*”" in c.value for c in at.sidebar.caption)


def test_a_tech_search_matches_every_word_of_a_name_or_id():
    techs = {"0105": "Shawn Lynch (0105)", "0216": "Kevin Moreau (0216)",
             "0153": "Maria Moreau (0153)", "1216": "Ann Lee (1216)"}
    assert ui.matching_techs(techs, "moreau") == ["0216", "0153"]
    assert ui.matching_techs(techs, "  MARIA   moreau ") == ["0153"]
    assert ui.matching_techs(techs, "216") == ["0216", "1216"]
    assert ui.matching_techs(techs, "moreau", limit=1) == ["0216"]
    assert ui.matching_techs(techs, "   ") == [] and ui.matching_techs(techs, "zed") == []

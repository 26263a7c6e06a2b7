"""`--as EMAIL` / `--access FILE` on report and deck, `leadbridge access check`, `leadbridge log`:
run in-process on the sample company with an access file beside the database."""

from __future__ import annotations

import json
import textwrap

import pytest
from pptx import Presentation

from leadbridge import access
from leadbridge.cli import main
from tests.metrics_fixtures import import_sample

ACCESS = textwrap.dedent("""\
    [[person]]
    email = "dana@example.com"
    name = "Dana Reyes"
    role = "exec"

    [[person]]
    email = "sam@example.com"
    role = "manager"
    branches = ["Boston"]

    [[person]]
    email = "hal@example.com"
    role = "manager"
    branches = ["Hartford", "Providence"]

    [[person]]
    email = "vic@example.com"
    role = "viewer"
    branches = ["Boston"]
""")
PERIOD = ("--from", "2026-01", "--to", "2026-06")
MONEY = {"revenue_attributed", "reward_cost", "revenue_per_reward_dollar"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli_access")
    con = import_sample(folder)
    con.close()
    db_file = folder / "data" / "lb.duckdb"
    (db_file.parent / "access.toml").write_text(ACCESS)
    return db_file


@pytest.fixture(autouse=True)
def no_access_env(monkeypatch):
    monkeypatch.delenv("LEADBRIDGE_ACCESS", raising=False)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def report(capsys, db_file, *argv) -> dict:
    code, out, err = run(capsys, "report", *PERIOD, "--db", db_file, *argv)
    assert code == 0, err
    return json.loads(out)


def without_filters(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "filters"}


def test_report_as_a_manager_equals_the_report_for_their_branches(capsys, sample):
    as_sam = report(capsys, sample, "--as", "sam@example.com")
    boston = report(capsys, sample, "--branch", "Boston")
    assert without_filters(as_sam) == without_filters(boston)
    assert as_sam["by_branch"] and {r["branch"] for r in as_sam["by_branch"]} == {"Boston"}
    as_hal = report(capsys, sample, "--as", "HAL@example.com")
    two = report(capsys, sample, "--branch", "Hartford", "--branch", "Providence")
    assert without_filters(as_hal) == without_filters(two)
    everything = report(capsys, sample)
    assert without_filters(report(capsys, sample, "--as", "dana@example.com")) == \
        without_filters(everything)
    assert 0 < as_sam["totals"]["leads_submitted"] < everything["totals"]["leads_submitted"]
    # a filter inside the scope narrows as it does for the administrator
    assert report(capsys, sample, "--as", "hal@example.com", "--branch", "Hartford")["totals"] == \
        report(capsys, sample, "--branch", "Hartford")["totals"]


def test_a_viewer_gets_no_per_person_money(capsys, sample):
    as_vic = report(capsys, sample, "--as", "vic@example.com")
    boston = report(capsys, sample, "--branch", "Boston")
    assert as_vic["by_tech"], "not vacuous"
    for row in as_vic["by_tech"]:
        assert not MONEY & set(row)
    assert [{k: v for k, v in r.items() if k not in MONEY} for r in boston["by_tech"]] == \
        as_vic["by_tech"]
    assert as_vic["totals"] == boston["totals"]  # branch money stays: it is not one person's
    code, out, _ = run(capsys, "report", *PERIOD, "--db", sample, "--as", "vic@example.com",
                       "--format", "md")
    by_tech = out.split("## By tech")[1].split("##")[0]
    assert code == 0 and "reward_cost" not in by_tech and "revenue_attributed" not in by_tech
    assert "leads_submitted" in by_tech


def test_an_email_not_in_the_file_exits_2_naming_it(capsys, sample):
    code, out, err = run(capsys, "report", *PERIOD, "--db", sample, "--as", "eve@example.com")
    assert code == 2 and out == ""
    assert "eve@example.com is not in the access file" in err
    assert str(sample.parent / "access.toml") in err


def test_a_branch_outside_the_scope_exits_2_naming_it(capsys, sample):
    code, out, err = run(capsys, "report", *PERIOD, "--db", sample, "--as", "sam@example.com",
                         "--branch", "Hartford")
    assert code == 2 and out == ""
    assert err.strip() == ("leadbridge report: sam@example.com may not see branch Hartford: "
                           "their branches are Boston")
    code, _, err = run(capsys, "deck", "--month", "2026-06", "--db", sample,
                       "--as", "sam@example.com", "--branch", "Boston", "--branch", "Worcester")
    assert code == 2 and "may not see branch Worcester" in err


def test_a_refused_access_file_exits_2_with_its_line(capsys, sample, tmp_path):
    bad = tmp_path / "team.toml"
    bad.write_text('[[person]]\nemail = "sam@example.com"\nrole = "manager"\n')
    code, _, err = run(capsys, "report", *PERIOD, "--db", sample, "--as", "sam@example.com",
                       "--access", bad)
    assert code == 2
    assert "team.toml line 1: sam@example.com is a manager: a manager needs branches" in err
    code, _, err = run(capsys, "access", "check", "--access", bad)
    assert code == 2 and "team.toml line 1:" in err
    code, _, err = run(capsys, "report", *PERIOD, "--db", sample, "--access", bad)
    assert code == 2 and "give --as too" in err


def test_the_access_file_comes_from_the_environment(capsys, sample, tmp_path, monkeypatch):
    other = tmp_path / "other.toml"
    other.write_text('[[person]]\nemail = "zoe@example.com"\nrole = "viewer"\n'
                     'branches = ["Worcester"]\n')
    monkeypatch.setenv("LEADBRIDGE_ACCESS", str(other))
    as_zoe = report(capsys, sample, "--as", "zoe@example.com")
    assert {r["branch"] for r in as_zoe["by_branch"]} == {"Worcester"}
    code, _, err = run(capsys, "report", *PERIOD, "--db", sample, "--as", "sam@example.com")
    assert code == 2 and "other.toml" in err


def test_access_check_prints_who_may_see_what(capsys, sample):
    code, out, _ = run(capsys, "access", "check", "--db", sample)
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == f"{sample.parent / 'access.toml'}: 4 people"
    vic = next(line for line in lines if line.strip().startswith("vic@example.com"))
    assert "viewer" in vic and "Boston" in vic
    assert "overview, technicians, conversion, revenue_rewards" in vic
    code, out, _ = run(capsys, "access", "check", "--db", sample, "--format", "json")
    people = {p["email"]: p for p in json.loads(out)["people"]}
    assert people["dana@example.com"] == {
        "email": "dana@example.com", "name": "Dana Reyes", "role": "exec", "branches": "all",
        "pages": ", ".join(access.PAGE_ORDER), "money": "yes", "imports": "yes"}
    assert people["sam@example.com"]["pages"] == \
        "overview, technicians, conversion, revenue_rewards, meeting, follow_up"
    assert (people["vic@example.com"]["money"], people["vic@example.com"]["imports"]) == ("no", "no")


def test_a_deck_as_a_viewer_keeps_privacy_and_is_logged(capsys, sample, tmp_path):
    out_file = tmp_path / "vic.pptx"
    code, out, err = run(capsys, "deck", "--month", "2026-06", "--db", sample,
                         "--as", "vic@example.com", "--no-privacy", "--out", out_file)
    assert code == 0, err
    assert "privacy stays on: vic@example.com (viewer)" in err
    assert out.startswith(f"{out_file}: ") and "· Boston" in out and "per-person money" not in out
    texts = " ".join(shape.text_frame.text for slide in Presentation(out_file).slides
                     for shape in slide.shapes if shape.has_text_frame)
    assert "Per-person money is left out" in texts
    for other in ("Hartford", "Providence", "Worcester"):
        assert other not in texts
    events = access.read_log(sample.parent)
    deck = events[events["action"] == "deck"].iloc[0]
    assert deck["who"] == "vic@example.com" and deck["what"] == "vic.pptx"
    assert json.loads(deck["filters"]) == {"month": "2026-06", "privacy": True,
                                           "scope": ["Boston"]}


def test_log_prints_reports_imports_and_decks(capsys, tmp_path, write):
    db_file = tmp_path / "data" / "lb.duckdb"
    leads = write("leads.csv", "Lead ID,Submitted,Tech ID,Branch\nL1,2026-03-04,T1,Boston\n")
    assert run(capsys, "import", leads, "--db", db_file)[0] == 0
    assert run(capsys, "import", leads, "--db", db_file, "--dry-run")[0] == 0  # not logged
    (db_file.parent / "access.toml").write_text(ACCESS)
    assert run(capsys, "report", "--from", "2026-03", "--to", "2026-03", "--db", db_file,
               "--as", "sam@example.com", "--branch", "Boston")[0] == 0
    code, out, _ = run(capsys, "log", "--db", db_file, "--format", "json")
    assert code == 0
    events = [json.loads(line) for line in out.splitlines()]
    assert [(e["action"], e["what"]) for e in events] == [
        ("report", "report 2026-03..2026-03 (json)"), ("import", "leads.csv")]
    assert events[0]["who"] == "sam@example.com"
    assert events[0]["filters"] == {"from": "2026-03", "to": "2026-03", "branch": ["Boston"],
                                    "scope": ["Boston"]}
    assert events[1]["who"].endswith("(command line)")
    assert events[1]["filters"] == {"table": "leads", "read": 1, "rejected": 0}
    assert all(e["at"] for e in events)
    code, out, _ = run(capsys, "log", "--db", db_file, "--limit", "1")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and "sam@example.com" in lines[1]
    assert run(capsys, "log", "--db", db_file, "--limit", "0")[0] == 2


def test_log_of_a_new_database_says_so(capsys, tmp_path):
    code, out, _ = run(capsys, "log", "--db", tmp_path / "data" / "lb.duckdb")
    assert code == 0 and out.strip() == "No events in the access log yet."


def test_an_import_from_the_drop_folder_is_logged(tmp_path, write):
    from leadbridge import watch

    db_file = tmp_path / "data" / "lb.duckdb"
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "leads.csv").write_text("Lead ID,Submitted,Tech ID\nL1,2026-03-04,T1\n")
    summaries = watch.Watcher(drop, db_file, settle=0, log=lambda _: None).scan()
    assert [s["status"] for s in summaries] == ["imported"]
    event = access.read_log(db_file.parent).iloc[0]
    assert (event["who"], event["action"], event["what"]) == (f"drop folder {drop}", "import",
                                                              "leads.csv")
    assert json.loads(event["filters"]) == {"table": "leads", "read": 1, "rejected": 0}

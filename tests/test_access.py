"""The access file (ACCESS.md): parsing, line-precise refusals, the person's rights, the log."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from leadbridge import access
from leadbridge.access import AccessDenied, AccessFileError, NotInAccessFile

GOOD = textwrap.dedent("""\
    # Who may see what
    [[person]]
    email = "Dana@Example.com"
    name = "Dana Reyes"
    role = "exec"

    [[person]]
    email = "sam@example.com"
    role = "manager"
    branches = ["Boston", "Hartford"]

    [[person]]
    email = "fay@example.com"
    role = "facilitator"
    branches = ["Boston"]
    can_import = true

    [[person]]
    email = "vic@example.com"
    role = "viewer"
    branches = [
        "Boston",
    ]
""")


def write(tmp_path, text):
    path = tmp_path / "access.toml"
    path.write_text(textwrap.dedent(text))
    return path


def refusal(tmp_path, text) -> AccessFileError:
    with pytest.raises(AccessFileError) as caught:
        access.load(write(tmp_path, text))
    return caught.value


def test_good_file_gives_each_person_their_rights(tmp_path):
    people = access.load(write(tmp_path, GOOD))
    dana = people.person("dana@example.COM")
    assert (dana.role, dana.name, dana.scope, dana.money, dana.can_import) == \
        ("exec", "Dana Reyes", None, True, True)
    assert all(dana.may_see_page(p) for p in access.PAGE_ORDER)
    sam = people.person("sam@example.com")
    assert (sam.scope, sam.money, sam.can_import) == (("Boston", "Hartford"), True, False)
    assert sam.may_see_page("meeting") and not sam.may_see_page("data")
    fay = people.person("fay@example.com")
    assert not fay.money and fay.can_import
    assert {p for p in access.PAGE_ORDER if fay.may_see_page(p)} == \
        {"overview", "meeting", "follow_up", "data"}
    vic = people.person("vic@example.com")
    assert vic.scope == ("Boston",) and not vic.money and not vic.can_import
    assert {p for p in access.PAGE_ORDER if vic.may_see_page(p)} == \
        {"overview", "technicians", "conversion", "revenue_rewards"}


def test_local_user_is_an_exec():
    assert access.LOCAL_USER.role == "exec" and access.LOCAL_USER.scope is None
    assert access.LOCAL_USER.money and access.LOCAL_USER.can_import


def test_unknown_email_names_email_and_file(tmp_path):
    people = access.load(write(tmp_path, GOOD))
    with pytest.raises(NotInAccessFile) as caught:
        people.person("eve@example.com")
    assert "eve@example.com" in str(caught.value) and str(tmp_path / "access.toml") in str(caught.value)
    assert isinstance(caught.value, AccessDenied)


def test_branch_outside_scope_is_named():
    sam = access.Person("sam@example.com", "", "manager", ("Boston",), False)
    sam.check_branches(["Boston"])
    sam.check_branches([])
    with pytest.raises(AccessDenied, match="may not see branch Hartford: their branches are Boston"):
        sam.check_branches(["Boston", "Hartford"])
    access.LOCAL_USER.check_branches(["Anywhere"])


BAD_FILES = [
    ('[[person]]\nemail = "a@x.com"\nrole = "boss"\n', 3, "unknown role 'boss'"),
    ('[[person]]\nemail = "a@x.com"\nrole = "exec"\n\n[[person]]\nemail = "b@x.com"\n'
     'role = "viewer"\nbranch = ["Boston"]\n', 8, "unknown key 'branch'"),
    ('[[person]]\nemail = "a@x.com"\nrole = "exec"\n[[person]]\nrole = "exec"\n'
     'email = "A@x.com"\n', 6, "duplicate email 'A@x.com' (first at line 2)"),
    ('[[person]]\nemail = "a@x.com"\nrole = "exec"\n\n# Sam\n[[person]]\nemail = "s@x.com"\n'
     'role = "manager"\n', 6, "s@x.com is a manager: a manager needs branches"),
    ('[[person]]\nemail = "s@x.com"\nrole = "viewer"\nbranches = []\n', 4,
     "a viewer needs branches"),
    ('[[person]]\nemail = "s@x.com"\nrole = "manager"\nbranches = "Boston"\n', 4,
     "branches must be a list"),
    ('[[person]]\nemail = "s@x.com"\nrole = "manager"\nbranches = ["Boston"]\ncan_import = "yes"\n',
     5, "can_import must be true or false"),
    ('[[person]]\nemail = 42\nrole = "exec"\n', 2, "email must be an address"),
    ('[[person]]\nemail = "v@x.com"\nrole = "viewer"\nbranches = ["B"]\ncan_import = true\n', 5,
     "viewers never import"),
    ('[[person]]\nemail = "a@x.com"\nrole = "exec"\nbranches = ["B"]\n', 4, "sees every branch"),
    ('[[person]]\nrole = "exec"\n', 1, "without an email"),
    ('[[person]]\nemail = "a@x.com"\nrole = "exec"\nname = "Dana\n', 4, "not valid TOML"),
    ('[[person]]\nemail = "a@x.com"\nrole = "exec"\n\n[settings]\nx = 1\n', 5,
     "unknown key 'settings'"),
]


@pytest.mark.parametrize(("text", "line", "reason"), BAD_FILES)
def test_bad_file_is_refused_with_its_line(tmp_path, text, line, reason):
    error = refusal(tmp_path, text)
    assert error.line == line, str(error)
    assert reason in error.reason
    assert str(error).startswith(f"access.toml line {line}: ")


def test_missing_and_empty_files_are_refused(tmp_path):
    with pytest.raises(AccessFileError, match="no access file"):
        access.load(tmp_path / "nowhere.toml")
    assert "no [[person]] entry" in refusal(tmp_path, "# nobody yet\n").reason


def test_access_path_order(tmp_path, monkeypatch):
    monkeypatch.delenv("LEADBRIDGE_ACCESS", raising=False)
    assert access.access_path(tmp_path / "db" / "x.duckdb") == tmp_path / "db" / "access.toml"
    monkeypatch.setenv("LEADBRIDGE_ACCESS", str(tmp_path / "env.toml"))
    assert access.access_path(tmp_path / "db" / "x.duckdb") == tmp_path / "env.toml"
    assert access.access_path(tmp_path / "x.duckdb", tmp_path / "given.toml") == \
        tmp_path / "given.toml"


def test_log_appends_one_json_line_per_event_and_reads_newest_first(tmp_path):
    access.log_event(tmp_path, "dana@example.com", "sign-in", "dashboard")
    access.log_event(tmp_path, "sam@example.com", "deck", "meeting-2026-10.pptx",
                     {"month": "2026-10", "branches": ("Boston",)})
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert len(lines) == 2
    second = json.loads(lines[1])
    assert second["who"] == "sam@example.com" and second["filters"] == \
        {"month": "2026-10", "branches": ["Boston"]}
    frame = access.read_log(tmp_path)
    assert list(frame.columns) == list(access.LOG_COLUMNS)
    assert list(frame["action"]) == ["deck", "sign-in"]
    assert json.loads(frame["filters"].iloc[0]) == {"month": "2026-10", "branches": ["Boston"]}
    assert frame["filters"].iloc[1] == ""
    assert list(access.read_log(tmp_path, limit=1)["who"]) == ["sam@example.com"]


def test_the_data_page_reads_the_log_in_words(tmp_path):
    access.log_event(tmp_path, "sam@example.com", "deck", "meeting-2026-10.pptx",
                     {"month": "2026-10", "branches": ("Boston", "Hartford"), "lead_types": [],
                      "techs": None, "privacy": True})
    access.log_event(tmp_path, "dana@example.com", "sign-in", "dashboard")
    frame = access.read_log(tmp_path, readable=True)
    assert list(frame["filters"]) == ["", "month: 2026-10 · branches: Boston, Hartford · privacy: yes"]
    assert isinstance(frame["at"].dtype, pd.DatetimeTZDtype) and str(frame["at"].dt.tz) == "UTC"
    assert frame["at"].iloc[0] >= frame["at"].iloc[1]


def test_log_skips_a_torn_line_and_an_absent_log_is_empty(tmp_path):
    assert access.read_log(tmp_path).empty
    access.log_event(tmp_path, "a", "import", "leads.csv")
    with (tmp_path / "access.log").open("a") as handle:
        handle.write('{"at": "2026-\n')
    access.log_event(tmp_path, "b", "import", "techs.csv")
    assert list(access.read_log(tmp_path)["who"]) == ["b", "a"]


# --- docs/access.md says what the code does ----------------------------------------------------

DOC = (Path(__file__).resolve().parent.parent / "docs" / "access.md").read_text(encoding="utf-8")


def test_every_documented_refusal_is_what_the_file_gets(tmp_path):
    rows = [line.split("|")[2].strip() for line in DOC.splitlines()
            if line.startswith("| ") and "`access.toml line" in line]
    assert len(rows) == 8
    actual = [str(refusal(tmp_path, text)) for text, _, _ in BAD_FILES]
    for cell in rows:
        documented = cell.strip("`")
        assert any(all(piece in message for piece in documented.split("…") if piece)
                   for message in actual), documented


def test_every_access_option_is_documented():
    import argparse

    from leadbridge import cli

    commands = next(a for a in cli.build_parser()._actions
                    if isinstance(a, argparse._SubParsersAction)).choices
    check = next(a for a in commands["access"]._actions
                 if isinstance(a, argparse._SubParsersAction)).choices["check"]
    options = {o for parser in (check, commands["log"]) for a in parser._actions
               for o in a.option_strings if o.startswith("--") and o not in ("--help", "--db")}
    options |= {"--as", "--access"}
    for option in options:
        assert option in DOC, option
    for command in ("report", "deck"):
        assert {"--as", "--access"} <= {o for a in commands[command]._actions
                                         for o in a.option_strings}
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "(docs/access.md)" in readme and "leadbridge access check" in readme
    assert "leadbridge log" in readme


def test_windows_line_ends_and_a_bom_read_the_same(tmp_path):
    path = tmp_path / "access.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    assert access.load(path).people == access.load(write(tmp_path, GOOD)).people
    path.write_bytes(b"\xef\xbb\xbf" + b'[[person]]\r\nemail = "a@x.com"\r\nrole = "boss"\r\n')
    assert refusal_line(path) == 3


def refusal_line(path) -> int | None:
    with pytest.raises(AccessFileError) as caught:
        access.load(path)
    return caught.value.line

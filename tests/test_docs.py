"""docs/data-contract.md and the README's import section say what the contract and importer do.

The column tables, word lists, refusal messages, reject reasons, quality checks, examples and
sample counts of the doc are checked against leadbridge/contract.py and real imports.
"""

from __future__ import annotations

import argparse
import codecs
import re
from pathlib import Path

import pytest
import xlsxwriter

from leadbridge import cli, contract, db, importer, quality

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
IMPORTER_SOURCE = (ROOT / "leadbridge" / "importer.py").read_text(encoding="utf-8")

LEADS_HEADER = "Lead ID,Submitted,Tech ID,Est. Value\n"


# --- reading the markdown --------------------------------------------------------------------


def section(text: str, heading: str) -> str:
    """The text under the first heading that starts with `heading`, up to the next heading of the
    same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    end = next((i for i in range(start + 1, len(lines))
                if re.match(rf"#{{1,{level}}} ", lines[i])), len(lines))
    return "\n".join(lines[start + 1:end])


def tables(text: str) -> list[list[list[str]]]:
    """The markdown tables of a text, each as its body rows of stripped cells (header dropped)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = [c.strip() for c in stripped.strip("|").split("|")]
            if current is None:
                current = []
                found.append(current)
            current.append(cells)
        else:
            current = None
    return [rows[2:] for rows in found]


def ticked(cell: str) -> list[str]:
    """The `code` spans of a cell."""
    return re.findall(r"`([^`]+)`", cell)


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def matches(documented: str, actual: str) -> bool:
    """Whether a documented message, with `…` for the parts that vary, fits an actual one."""
    return all(piece in actual for piece in documented.split("…") if piece)


# --- the contract's tables, columns and words ------------------------------------------------


@pytest.mark.parametrize("name", list(contract.TABLES))
def test_column_table_matches_the_contract(name):
    spec = contract.TABLES[name]
    rows = tables(section(DOC, f"### {name} "))[0]
    documented = [(ticked(r[0]), r[1], r[2], ticked(r[3])) for r in rows]
    expected = [([c.name], c.kind, "yes" if c.required else "no", list(c.aliases))
                for c in spec.columns]
    assert documented == expected


def test_every_table_is_described_with_its_key_and_file_prefixes():
    overview = {ticked(r[0])[0]: r for r in tables(section(DOC, "## 1. "))[0]}
    assert list(overview) == list(contract.TABLES)
    for name, spec in contract.TABLES.items():
        assert ticked(overview[name][4]) == list(spec.key)
    prefixes = {r[1]: ticked(r[0]) for r in tables(section(DOC, "## 3. "))[0]}
    assert prefixes == {name: list(t.file_prefixes) for name, t in contract.TABLES.items()}


def test_every_column_kind_is_explained():
    kinds = {r[0] for r in tables(section(DOC, "## 2. "))[0]}
    assert {c.kind for t in contract.TABLES.values() for c in t.columns} <= kinds


def test_status_words_per_state():
    rows = {ticked(r[0])[0]: set(ticked(r[1])) for r in tables(section(DOC, "### 5.4 "))[0]}
    assert list(rows) == list(contract.STATUSES)
    for state in contract.STATUSES:
        assert rows[state] == {state, *contract.STATUS_WORDS[state]}


def test_lead_type_words_per_type():
    rows = {ticked(r[0])[0]: r for r in tables(section(DOC, "### 5.5 "))[0]}
    assert list(rows) == list(contract.LEAD_TYPES)
    for lead_type, row in rows.items():
        assert row[1] == contract.LEAD_TYPE_LABELS[lead_type]
        assert set(ticked(row[2])) | {lead_type} == {lead_type, *contract.LEAD_TYPE_WORDS[lead_type]}


def test_yes_and_no_words():
    [[true_cell, false_cell]] = tables(section(DOC, "### 5.6 "))[0]
    assert ticked(true_cell) == list(contract.TRUE_WORDS)
    assert ticked(false_cell) == list(contract.FALSE_WORDS)


def test_internal_links_lead_to_headings():
    anchors = {slug(line.lstrip("#")) for line in DOC.splitlines() if line.startswith("#")}
    links = set(re.findall(r"\]\(#([^)]+)\)", DOC))
    assert links, "the doc links its own sections"
    assert links <= anchors


# --- refused files ---------------------------------------------------------------------------


def _empty_workbook(path: Path) -> None:
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("Sheet1")
    book.close()


# A fragment of each refusal's message -> a tiny file that earns it (name, content).
REFUSALS: dict[str, tuple[str, object]] = {
    "the file is empty": ("leads.csv", b""),
    "the file has no rows": ("leads.csv", "\n\n"),
    "no data rows": ("leads.csv", LEADS_HEADER),
    "contains NUL bytes": ("leads.csv", (LEADS_HEADER + "L1,2026-03-04,7,\n").encode("utf-16-le")),
    "not valid utf-16 text": ("leads.csv",
                              codecs.BOM_UTF16_LE + LEADS_HEADER.encode("utf-16-le") + b"\x00\xd8"),
    "do not line up": ("leads.csv", LEADS_HEADER + "L1,2026-03-04,7,1,234.00\nL2,2026-03-05,7,1,5\n"),
    "cannot read this Excel file": ("leads.xlsx", b"PK\x03\x04 not a workbook"),
    "no sheet with a header row": ("leads.xlsx", _empty_workbook),
    "cannot read the file as a table": ("leads.parquet", b"PAR1 not a parquet file"),
    "cannot tell which table": ("export.csv", "Foo,Bar\n1,2\n"),
    "more than one table": ("export.csv",
                            "Tech ID,Pay Date,Amount,Lead ID,Stage\n7,2026-03-04,25,L1,won\n"),
    "identify rows of another table": ("export.csv", "Lead ID,Tech ID\nL1,7\n"),
    "could be one thousand two hundred": ("leads.csv", LEADS_HEADER
                                          + "L1,2026-03-04,7,1.234\nL2,2026-03-05,7,2.500\n"),
    "missing required column": ("leads_march.csv",
                                "Lead #,Submit Dt,Technician ID\nL-1,2026-03-04,0105\n"),
    "day-first or month-first": ("leads.csv",
                                 LEADS_HEADER + "L1,03/04/2026,7,\nL2,05/06/2026,7,\n"),
    "the dates mix": ("leads.csv", LEADS_HEADER + "L1,25/03/2026,7,\nL2,03/25/2026,7,\n"),
    "amounts mix": ("leads.csv",
                    LEADS_HEADER + 'L1,2026-03-04,7,"1.234,50"\nL2,2026-03-04,7,"1,234.50"\n'),
    "no such file": ("leads_missing.csv", None),
}

# Refusals a person cannot meet: the command line and the Data page offer only valid tables and
# date orders, and a file that reaches the row check always has its header row.
NOT_FOR_PEOPLE = ("unknown table ", "unknown date order ")


def _refusal_rows() -> list[list[str]]:
    return tables(section(DOC, "### 6.1 "))[0]


def test_every_documented_refusal_is_what_the_importer_says(tmp_path):
    con = db.connect(tmp_path / "data" / "lb.duckdb")
    documented = [ticked(row[1])[0] for row in _refusal_rows()]
    used = set()
    for message in documented:
        keys = [k for k in REFUSALS if k in message]
        assert len(keys) == 1, f"no single test file for the documented refusal {message!r}"
        used.add(keys[0])
        name, content = REFUSALS[keys[0]]
        path = tmp_path / "in" / keys[0].replace(" ", "_") / name
        path.parent.mkdir(parents=True)
        if callable(content):
            content(path)
        elif content is not None:
            path.write_bytes(content if isinstance(content, bytes) else content.encode())
        result = importer.import_file(con, path)
        assert result.error is not None, f"{message!r}: the file was imported"
        assert matches(message, result.error), (message, result.error)
    assert used == set(REFUSALS), "a refusal is missing from the doc"
    assert con.execute("select count(*) from imports").fetchone() == (0,)


def test_every_refusal_in_the_importer_is_documented():
    starts = re.findall(r'ImportRefused\(\s*name,\s*f?"([^"{]*)', IMPORTER_SOURCE)
    assert len(starts) > 10
    text = "\n".join(ticked(row[1])[0] for row in _refusal_rows())
    missing = [s for s in starts if s not in text and not s.startswith(NOT_FOR_PEOPLE)]
    assert not missing


def test_no_importable_files_message(tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "notes.docx").write_bytes(b"not an export")
    code = cli.main(["import", str(folder), "--db", str(tmp_path / "data" / "lb.duckdb")])
    assert code == cli.EXIT_FAILED
    error = capsys.readouterr().err
    documented = next(m for m in ticked(section(DOC, "### 6.1 ")) if "no importable files" in m)
    assert documented.removesuffix("exports/") in error


# --- rejected rows ---------------------------------------------------------------------------

BAD_ROWS = {
    "leads.csv": LEADS_HEADER + ",2026-03-04,7,\nL2,,7,\nL3,2026-03-04,,\nL4,02/30/2024,7,\n"
                 "L5,03/04/26,7,\nL6,2026-03-04,7,n/a\nL7,2026-03-04,7,-5\nL8,2026-03-04,7,10\n",
    "leads_comma.csv": LEADS_HEADER + 'L1,2026-03-04,7,"1,5"\nL2,2026-03-04,7,abc\n',
    "outcomes.csv": "Lead ID,Stage,Close Date,Amount\nL1,Maybe later,,\nL2,won,,5\nL3,lost,,\n"
                    "L4,won,2026-03-04,\nL5,won,2026-03-04,-5\nL6,open,,\n",
    "techs.csv": "Tech ID,Status\nT1,On leave\nT2,Active\n",
    # damaged rows, then a second table: each rejected for its real cause
    "leads_damaged.csv": LEADS_HEADER + "L0,2026-03-04,7,10\n" * 6
                         + "L1,2026-03-04,7,10\nL2,2026-03-04,7,1,234.00\n"
                         "L3,2026-03-04,7,1,234.00,9\nL4,2026-03-04,7\nL5;2026-03-04;7;10\n"
                         'L6,2026-03-04,7,"10\nL7,2026-03-04,7,10\n\nTech ID,Pay Date,Amount\n'
                         "7,2026-03-04,25\n",
    "attendance.csv": "Meeting Date,Person ID,Attended\n2026-03-10,7,maybe\n2026-03-10,8,Y\n",
}


def test_every_documented_reject_reason_is_what_the_importer_says(tmp_path):
    con = db.connect(tmp_path / "data" / "lb.duckdb")
    for name, text in BAD_ROWS.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        assert importer.import_file(con, path).error is None
    actual = set(importer.list_rejects(con)["reason"])
    documented = [ticked(row[2])[0] for row in tables(section(DOC, "### 6.2 "))[0]]
    for reason in documented:
        assert any(matches(reason, a) for a in actual), reason
    for reason in actual:
        assert any(matches(d, reason) for d in documented), reason


# --- examples --------------------------------------------------------------------------------


def _block_after(label: str, skip: int = 0) -> str:
    """The fenced code block that follows `label` in the doc (after skipping `skip` blocks)."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", DOC[DOC.index(label):], re.S)
    return blocks[skip]


def test_leads_example_imports_cleanly(tmp_path):
    con = db.connect(tmp_path / "data" / "lb.duckdb")
    path = tmp_path / "leads.csv"
    path.write_text(_block_after("A small leads export"), encoding="utf-8")
    result = importer.import_file(con, path)
    assert (result.error, result.rejected, result.ignored, result.date_order) == (None, 0, [], "MDY")
    assert con.execute("select tech_id, lead_type from leads order by lead_id").fetchall() == [
        ("0599", "at_risk_customer"), ("0849", "competitor_threat")]


def test_outcomes_example_gives_the_documented_output(tmp_path, capsys):
    paths = []
    for name in ("outcomes_march.csv", "outcomes_april.csv"):
        path = tmp_path / name
        path.write_text(_block_after(f"`{name}`:"), encoding="utf-8")
        paths.append(str(path))
    database = str(tmp_path / "data" / "lb.duckdb")
    assert cli.main(["import", *paths, "--db", database]) == cli.EXIT_OK
    output = capsys.readouterr().out
    assert output == _block_after("`outcomes_april.csv`:", skip=1)
    assert cli.main(["import", paths[1], "--db", database]) == cli.EXIT_OK
    again = re.search(r"a second time gives\s+`([^`]+)`", section(DOC, "### 6.5 ")).group(1)
    assert again in capsys.readouterr().out


def test_sample_accounting_and_rejects_are_the_real_ones(tmp_path, capsys):
    database = str(tmp_path / "data" / "lb.duckdb")
    assert cli.main(["import", str(ROOT / "sample_data"), "--db", database]) == cli.EXIT_OK
    output = capsys.readouterr().out
    real = {}
    for line in output.splitlines():
        found = re.match(r"(\S+): imported as (\w+): read ([\d,]+), inserted ([\d,]+), "
                         r"updated ([\d,]+), unchanged ([\d,]+), superseded ([\d,]+), "
                         r"rejected ([\d,]+), skipped ([\d,]+)", line)
        if found:
            real[found.group(1)] = [found.group(2), *(n.replace(",", "") for n in found.groups()[2:])]
    rows = tables(section(DOC, "### 6.8 "))[0]
    assert {r[0]: [r[1], *(c.replace(",", "") for c in r[2:])] for r in rows} == real
    for line in _block_after("The first import of the sample data rejects").splitlines():
        assert any(matches(line, real_line) for real_line in output.splitlines()), line


# --- quality checks and the command line -----------------------------------------------------


def test_every_quality_check_is_documented_with_its_fix():
    rows = tables(section(DOC, "### 6.10 "))[0]
    assert [(r[0], r[2]) for r in rows] == [(c.title, c.fix) for c in quality.CHECKS]


def test_every_command_option_is_documented():
    commands = next(a for a in cli.build_parser()._actions
                    if isinstance(a, argparse._SubParsersAction)).choices
    reference = section(DOC, "## 7. ")
    for name in ("import", "rejects", "history", "quality"):
        assert f"### `leadbridge {name}" in reference
        for action in commands[name]._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in reference, (name, option)
    assert {str(cli.EXIT_OK), str(cli.EXIT_FAILED), str(cli.EXIT_USAGE)} <= {
        r[0] for r in tables(section(DOC, "### `leadbridge import"))[1]}


# --- the README ------------------------------------------------------------------------------


def test_readme_links_the_contract():
    assert "(docs/data-contract.md)" in section(README, "## Import your own exports")
    assert (ROOT / "docs" / "data-contract.md").is_file()


def _columns(cell: str) -> list[tuple[str, list[str]]]:
    """'lead_id (`Lead ID`, `Lead #`), branch' -> [('lead_id', ['Lead ID', 'Lead #']), ...]."""
    return [(name, ticked(aliases))
            for name, aliases in re.findall(r"([a-z_]+)\s*(?:\(([^)]*)\))?", cell)]


def test_readme_accepted_columns_are_real():
    rows = next(t for t in tables(section(README, "## Import your own exports")) if len(t) == 6)
    assert sorted(r[0] for r in rows) == sorted(contract.TABLES)
    for name, required, optional in rows:
        spec = contract.TABLES[name]
        req, opt = _columns(required), _columns(optional)
        assert [c for c, _ in req] == spec.required, name
        assert sorted(c for c, _ in opt) == sorted(set(spec.column_names) - set(spec.required))
        for column, aliases in req + opt:
            assert set(aliases) <= set(spec.column(column).aliases), (name, column, aliases)

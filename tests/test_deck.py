"""The meeting deck: its slides, titles, chart series and table cells are the report's numbers;
privacy keeps per-person money out of every cell, chart and text; the file is the same for the
same data; `leadbridge deck` writes it; LibreOffice opens it with one page per slide."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from pptx import Presentation
from pptx.util import Emu, Inches

from leadbridge import cli, db, deck, meeting, metrics, report
from leadbridge.metrics import Filters
from tests.app_fixtures import build_sample_db
from tests.test_meeting import per_person_money

MONTH = "2026-10"
# Seconds for LibreOffice to start and convert a deck of forty slides on a 2-core machine.
CONVERT_TIMEOUT = 240


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("deck"))


@pytest.fixture(scope="module")
def con(sample_db):
    connection = db.connect(sample_db)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def decks(con):
    """(content, Presentation) for every branch scope and privacy setting the tests read."""
    built = {}
    for branches in ((), ("Boston",)):
        for privacy in (True, False):
            content = meeting.build(con, MONTH, branches, privacy=privacy)
            built[branches, privacy] = (content, Presentation(io.BytesIO(deck.build(content))))
    return built


def month_report(con, month=MONTH, branches=()) -> dict:
    return report.build(con, Filters.months(month, month, branches))


def title(slide) -> str:
    return slide.shapes.title.text_frame.text


def slide_texts(slide) -> list[str]:
    """Every text of a slide: text frames, table cells, chart titles, series names, categories."""
    texts = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            texts.append(shape.text_frame.text)
        if shape.has_table:
            texts += [cell.text for row in shape.table.rows for cell in row.cells]
        if shape.has_chart:
            chart = shape.chart
            if chart.has_title:
                texts.append(chart.chart_title.text_frame.text)
            for plot in chart.plots:
                texts += [str(c) for c in plot.categories]
                texts += [s.name for s in plot.series]
    return texts


def tables(slide) -> list[list[list[str]]]:
    return [[[cell.text for cell in row.cells] for row in shape.table.rows]
            for shape in slide.shapes if shape.has_table]


def charts_of(slide) -> dict[str, object]:
    return {shape.chart.chart_title.text_frame.text: shape.chart
            for shape in slide.shapes if shape.has_chart}


def series(chart) -> dict[str, list]:
    return {s.name: list(s.values) for s in chart.plots[0].series}


def categories(chart) -> list[str]:
    return [str(c) for c in chart.plots[0].categories]


def slides_of(prs, key_title: str) -> list:
    return [s for s in prs.slides if title(s).split(" (")[0] == key_title]


# --- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("branches", [(), ("Boston",)], ids=["all branches", "Boston"])
def test_every_slide_has_a_title_and_the_footer_with_period_and_as_of(decks, branches):
    content, prs = decks[branches, True]
    assert prs.slide_width == Emu(int(13.333 * 914400)) and prs.slide_height == 6858000  # 16:9
    wanted = ["Monthly meeting: October 2026"] + [s.title for s in meeting.slides(content)]
    assert [title(s) for s in prs.slides] == wanted
    scope = "Boston" if branches else "All branches"
    for number, slide in enumerate(prs.slides, start=1):
        texts = slide_texts(slide)
        assert f"Oct 2026 · {scope} · as of Oct 31, 2026" in texts
        assert f"{number} / {len(prs.slides)}" in texts


def test_tables_and_charts_stay_above_the_footer(decks):
    _, prs = decks[(), False]
    footer_top = int(6.95 * 914400)
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_table:
                rows = len(shape.table.rows)
                assert rows <= meeting.ROWS_PER_SLIDE + 1, title(slide)
                height = sum(r.height for r in shape.table.rows)
                assert shape.top + height <= footer_top, title(slide)
            if shape.has_chart or shape.has_table:
                assert shape.left + shape.width <= prs.slide_width, title(slide)


def test_the_numbers_slides_note_has_two_lines_of_room_above_the_footer(tmp_path):
    """A young month's note wraps onto a second line at 13 pt: in a box of one line's height it
    ran into the footer (seen in LibreOffice's rendering of the sample's October deck)."""
    from tests.test_comparable import just_ended

    content = meeting.build(just_ended(tmp_path), "2026-05", privacy=True)
    prs = Presentation(io.BytesIO(deck.build(content)))
    numbers = next(s for s in prs.slides if title(s) == "May 2026 in numbers")
    (table,) = [s for s in numbers.shapes if s.has_table]
    (note,) = [s for s in numbers.shapes
               if s.has_text_frame and s.text_frame.text.startswith("Conversion: May 2026")]
    table_end = table.top + sum(r.height for r in table.table.rows)
    assert table_end <= note.top
    assert note.top + note.height <= int(6.95 * 914400)
    line = 13 / 72 * 1.2 * 914400  # a 13 pt line, in EMU
    assert note.height >= 2 * line + 2 * int(0.05 * 914400)


def test_a_long_subtitle_is_set_smaller_to_stay_above_the_content(decks):
    """'Leads after a meeting' has a subtitle of two lines: at 18 pt its second line ran into
    the table's header. Set at 14 pt, two lines (about 2 x 125 characters) fit its box."""
    _, prs = decks[(), True]
    sizes = {}
    for slide in list(prs.slides)[1:]:
        box = next(s for s in slide.shapes if s.has_text_frame and s.top == Inches(1.05))
        text = box.text_frame.text
        size = box.text_frame.paragraphs[0].runs[0].font.size.pt
        sizes[title(slide).split(" (")[0]] = size
        assert len(text) <= deck.SUBTITLE_LINE_CHARS or (size == 14 and len(text) <= 230), text
        assert box.top + box.height <= Inches(deck.CONTENT_TOP)
    assert sizes["Leads after a meeting"] == 14 and sizes["Conversion by lead type"] == 18


def test_copied_table_rows_are_the_rows_formatted_cell_by_cell():
    """A table's rows are copies of a header and a body row of their stripe formatted once per
    deck, with their own text; the XML is the same as formatting every cell, for values that
    cannot go into a copied run too (empty, line breaks, tabs, control characters), for rows
    after them, for a second table of the same columns on the next slide, and for a third of
    smaller text, which copies none of theirs."""
    header = ["Tech", "Customer", "Value"]
    rows = [["Zoë Ngata (010793)", "Blackstone Deli 60", "$1,550"],
            ["", "Granite Florist 74", "$0"],
            ["Amanda Barros", "two\nlines", "$12"],
            ["Tab\there", "bell\x07", "=HYPERLINK(\"x\")"],
            ["Amanda Barros", "Eastview Grocery 33", "$7"],
            ["A", "B", "C"], ["D", "", "F"], ["G", "H", "I"], ["J", "K", "L\u2028M"]]
    second = [["", "first row not plain", "$1"], ["P", "Q", "R"], ["S", "T", "U"]]
    built = []
    for copy_rows in (True, False):
        token = deck._FORMATTED_ROWS.set({})
        try:
            prs = Presentation()
            tables = [deck._table(prs.slides.add_slide(prs.slide_layouts[6]), header, body,
                                  [3.0, 4.0, 2.0], size=size, right={2}, bold_columns={0},
                                  big={2: 20}, copy_rows=copy_rows)
                      for body, size in ((rows, 16), (second, 16), (second, 12))]
        finally:
            deck._FORMATTED_ROWS.reset(token)
        built.append((tables, [etree.tostring(t._tbl) for t in tables]))
    (copied, xml), (_, reference) = built
    assert xml == reference
    for table, body in zip(copied, (rows, second, second), strict=True):
        assert [[cell.text for cell in row.cells] for row in table.rows] == [
            header, *[[v.replace("\x07", "_x0007_") for v in row] for row in body]]


def test_each_slide_is_written_once_drawn_and_the_file_is_the_same(con, monkeypatch):
    """Every slide's XML is serialized when it is drawn and its tree let go (python-pptx would
    keep them all until the file is saved); the file is the one python-pptx writes itself."""
    content = meeting.build(con, MONTH, ["Boston"])
    frozen, freeze = [], deck._freeze
    monkeypatch.setattr(deck, "_freeze", lambda part: (freeze(part), frozen.append(part)))
    written = deck.build(content)
    assert len(frozen) == len(meeting.slides(content)) + 1  # the cover too
    assert all(type(p) is deck._FrozenSlidePart and p._element is None for p in frozen)
    monkeypatch.setattr(deck, "_freeze", lambda part: None)
    assert deck.build(content) == written


def test_slides_added_in_one_step_each_make_python_pptx_s_own_file(con, monkeypatch):
    """deck._add_slide skips python-pptx's two passes over the slides before each new one; the
    parts, relationships and slide IDs, and so the file, are the ones python-pptx makes."""
    content = meeting.build(con, MONTH, ["Boston"])
    ours = deck.build(content)
    monkeypatch.setattr(deck, "_add_slide", lambda prs, layout: prs.slides.add_slide(layout))
    assert deck.build(content) == ours
    prs = Presentation(io.BytesIO(ours))
    ids = [s.slide_id for s in prs.slides]
    assert ids == list(range(256, 256 + len(ids)))


@pytest.mark.parametrize("rows", [1, 2, 3, 40])
def test_a_new_tables_rows_are_python_pptx_s_own(rows):
    """deck._new_table copies an empty row instead of building each cell through python-pptx:
    once the rows' heights are set (as deck._table does), the table is python-pptx's own."""
    made = []
    for add in (lambda page, *a: page.shapes.add_table(*a), deck._new_table):
        prs = Presentation()
        page = prs.slides.add_slide(prs.slide_layouts[6])
        shape = add(page, rows, 4, Inches(0.5), Inches(1), Inches(8), Inches(0.3 * rows))
        for row in shape.table._tbl.tr_lst:
            row.h = Inches(0.3)
        made.append(etree.tostring(shape._element))
    assert made[0] == made[1]


def test_the_same_data_gives_the_same_file(con):
    content = meeting.build(con, MONTH, ["Boston"])
    assert deck.build(content) == deck.build(meeting.build(con, MONTH, ["Boston"]))


# --- the numbers are the report's --------------------------------------------------------------


def money(value) -> str:
    return ("-" if value < 0 else "") + f"${abs(value):,.0f}"


@pytest.mark.parametrize("branches", [(), ("Boston",)], ids=["all branches", "Boston"])
def test_the_month_in_numbers_table_is_the_reports_totals(con, decks, branches):
    _, prs = decks[branches, True]
    now = month_report(con, MONTH, branches)["totals"]
    before = month_report(con, "2026-09", branches)["totals"]
    year_ago = month_report(con, "2025-10", branches)["totals"]
    (table,) = tables(slides_of(prs, "October 2026 in numbers")[0])
    assert table[0] == ["", "Oct 2026", "Sep 2026", "Change", "Oct 2025", "Change"]
    rows = {row[0]: row[1:] for row in table[1:]}
    shown = {
        "Leads submitted": lambda t: f"{t['leads_submitted']:,}",
        "Won deals": lambda t: f"{t['deals_won']:,}",
        "Revenue attributed": lambda t: money(t["revenue_attributed"]),
        "Conversion": lambda t: f"{t['conversion_rate'] * 100:.1f} %",
        "Participation": lambda t: f"{t['participation_rate'] * 100:.1f} %",
    }
    assert list(rows) == list(shown)
    for label, fmt in shown.items():
        if label == "Conversion":  # set beside other months only by a comparable conversion
            assert rows[label][0] == fmt(now)
            continue
        assert [rows[label][0], rows[label][1], rows[label][3]] == [fmt(now), fmt(before),
                                                                    fmt(year_ago)], label
    # October is days old in the sample's data: no 30-day conversion yet, so no comparison, and
    # the note under the table says how many of its leads are still open
    assert now["conversion_30d"] is None and now["leads_open"] > 0
    assert rows["Conversion"][1:] == ["–", "too young\vto compare", "–", "too young\vto compare"]
    note = [t for t in slide_texts(slides_of(prs, "October 2026 in numbers")[0])
            if t.startswith("Conversion: Oct 2026 is too young to compare")]
    assert note == [f"Conversion: Oct 2026 is too young to compare: {now['leads_open']:,} of "
                    f"{now['leads_submitted']:,} leads still open; it is compared once its leads "
                    "are 30 days old. ≤30 d / ≤90 d: won within 30 / 90 days of submission."]
    diff = now["leads_submitted"] - before["leads_submitted"]
    assert rows["Leads submitted"][2].startswith(f"{diff:+,}\v(")  # the % on a second line


@pytest.mark.parametrize("privacy", [True, False], ids=["privacy", "no privacy"])
def test_the_rankings_are_native_bar_charts_of_the_reports_techs(con, decks, privacy):
    _, prs = decks[(), privacy]
    by_tech = {"Oct 2026": month_report(con)["by_tech"],
               "2026 so far": report.build(con, Filters.months("2026-01", MONTH))["by_tech"]}
    won_key = "deals_won" if privacy else "revenue_attributed"
    for period, rows in by_tech.items():
        slide = slides_of(prs, f"Top lead generators of {period}")[0]
        found = charts_of(slide)
        leads = found["Most leads submitted (leads)"]
        won = found["Most won deals (deals)" if privacy else "Most won revenue ($)"]
        for chart, key in ((leads, "leads_submitted"), (won, won_key)):
            tie = "deals_won" if key == "revenue_attributed" else key
            ranked = sorted((r for r in rows if (r[key] or 0) > 0),
                            key=lambda r, k=key, t=tie: (-r[k], -r[t], r["tech_name"]))[:5]
            assert categories(chart) == [r["tech_name"] for r in ranked]
            (values,) = series(chart).values()
            assert values == pytest.approx([r[key] for r in ranked], abs=0.005)


def test_conversion_by_lead_type_is_a_clustered_column_chart_of_the_report(con, decks):
    _, prs = decks[(), True]
    chart = charts_of(slides_of(prs, "Conversion by lead type")[0])[
        "Conversion and win rate by lead type (%)"]
    assert chart.chart_type.name == "COLUMN_CLUSTERED"
    rows = [r for r in month_report(con)["by_lead_type"] if r["leads_submitted"] > 0]
    order = list(meeting.contract.LEAD_TYPE_LABELS)
    rows.sort(key=lambda r: order.index(r["lead_type"]))
    assert categories(chart) == [meeting.lead_type_label(r["lead_type"]) for r in rows]
    values = series(chart)
    assert values["Conversion"] == pytest.approx([r["conversion_rate"] for r in rows])
    assert values["Win rate"] == pytest.approx([r["win_rate"] for r in rows])
    # the bars read "64 %" as the page does, the axis "80%" as the page's
    labels = chart.plots[0].data_labels
    assert (labels.number_format, labels.number_format_is_linked) == ("0 %", False)
    assert chart.value_axis.tick_labels.number_format == "0%"


def test_the_trend_is_the_reports_twelve_months(con, decks):
    _, prs = decks[("Boston",), True]
    found = charts_of(slides_of(prs, "The last 12 months")[0])
    monthly = report.build(con, Filters.months("2025-11", MONTH, ["Boston"]))["monthly"]
    line = found["Conversion per month (%)"]
    assert line.chart_type.name == "LINE_MARKERS"
    assert series(line)["Conversion"] == pytest.approx([r["conversion_rate"] for r in monthly])
    assert categories(line) == deck.trend_labels([r["month"] for r in monthly])
    assert categories(line)[:3] == ["Nov 2025", "Dec", "Jan 2026"]
    stacked = series(found["Leads submitted per month by outcome (leads)"])
    assert stacked["Won"] == [r["leads_won"] for r in monthly]
    assert [w + lo + o for w, lo, o in zip(stacked["Won"], stacked["Lost"], stacked["Still open"],
                                           strict=True)] == [r["leads_submitted"] for r in monthly]


def test_speed_to_contact_is_a_bar_chart_of_the_query(con, decks):
    _, prs = decks[("Boston",), True]
    chart = charts_of(slides_of(prs, "Speed to first contact by sales rep")[0])[
        "Days to first sales contact by sales rep (days)"]
    speed = metrics.run(con, "contact_speed_by_dimension", Filters.months(MONTH, MONTH, ["Boston"]),
                        dimension="sales_rep")
    by_rep = dict(zip(speed["dimension_value"], speed["median_days_to_contact"], strict=True))
    values = series(chart)
    reps = [c.removesuffix(" (none contacted yet)") for c in categories(chart)]
    assert dict(zip(reps, values["Median days"], strict=True)) == pytest.approx(by_rep)


def test_closing_the_loop_tables_hold_every_closed_lead_of_the_report(con, decks):
    content, prs = decks[("Boston",), False]
    parts = slides_of(prs, "Closing the loop")
    rows = [row for slide in parts for table in tables(slide) for row in table[1:]]
    header = tables(parts[0])[0][0]
    assert header == ["Technician", "Customer", "Type", "Outcome", "Reason", "Closed", "Revenue"]
    totals = month_report(con, MONTH, ["Boston"])["totals"]
    lost = metrics.run(con, "lost_reasons", Filters.months(MONTH, MONTH, ["Boston"]))
    assert sum(r[3] == "Won" for r in rows) == totals["deals_won"]
    assert sum(r[3] == "Lost" for r in rows) == lost["leads_lost"].sum()
    revenue = sum(float(r[6].strip("$").replace(",", "")) for r in rows if r[3] == "Won")
    assert revenue == pytest.approx(totals["revenue_attributed"], abs=0.5 * totals["deals_won"])
    assert rows == meeting.cells(content.table("closed"))
    assert len(parts) == -(-len(rows) // meeting.ROWS_PER_SLIDE)
    assert title(parts[1]) == f"Closing the loop (2/{len(parts)})"


def test_the_waiting_list_is_the_follow_up_pages_leads(con, decks):
    _, prs = decks[("Boston",), True]
    rows = [row for slide in slides_of(prs, "Leads waiting for a first call")
            for table in tables(slide) for row in table[1:]]
    waiting = metrics.run(con, "leads_awaiting_contact", Filters.months(MONTH, MONTH, ["Boston"]))
    assert len(rows) == len(waiting)
    assert sorted(int(r[1]) for r in rows) == sorted(waiting["days_waiting"].tolist())


# --- privacy -----------------------------------------------------------------------------------


def whole_dollars(texts: list[str]) -> set[int]:
    return {int(m.replace(",", "")) for t in texts for m in re.findall(r"\$(\d[\d,]*)", t)}


def chart_values(slide) -> set[int]:
    return {round(v) for shape in slide.shapes if shape.has_chart
            for plot in shape.chart.plots for s in plot.series for v in s.values if v is not None}


@pytest.mark.parametrize("branches", [(), ("Boston",)], ids=["all branches", "Boston"])
def test_privacy_keeps_per_person_money_out_of_every_cell_chart_and_text(con, decks, branches):
    personal = per_person_money(con, branches)
    content, prs = decks[branches, True]
    team = {round(n.value) for n in content.numbers if n.kind == "money"} | {
        round(n.previous) for n in content.numbers if n.kind == "money"} | {
        round(n.last_year) for n in content.numbers if n.kind == "money"}
    for slide in prs.slides:
        texts = slide_texts(slide)
        if title(slide) != "October 2026 in numbers":
            assert not any("$" in t for t in texts), title(slide)
        assert not (whole_dollars(texts) - team) & personal, title(slide)
        assert not {v for v in chart_values(slide) if v >= 1000} & personal, title(slide)

    _, shown = decks[branches, False]
    leaked = set()
    for slide in shown.slides:
        leaked |= (whole_dollars(slide_texts(slide)) | chart_values(slide)) & personal
    assert len(leaked) > 10, "privacy off: per-person money is in the deck"


# --- the command -------------------------------------------------------------------------------


def test_the_deck_command_writes_the_deck_named_by_month_and_branch(sample_db, tmp_path,
                                                                   monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["deck", "--month", MONTH, "--branch", "Boston", "--db", str(sample_db)]) == 0
    written = tmp_path / "leadbridge-meeting-2026-10-boston.pptx"
    prs = Presentation(str(written))
    out = capsys.readouterr().out
    assert f"{written.name}: {len(prs.slides)} slides for Oct 2026 · Boston" in out
    assert "per-person money" not in out

    target = tmp_path / "out" / "october.pptx"
    target.parent.mkdir()
    assert cli.main(["deck", "--month", MONTH, "--out", str(target), "--no-privacy",
                     "--db", str(sample_db)]) == 0
    assert "with per-person money" in capsys.readouterr().out
    assert "Most won revenue ($)" in {t for s in Presentation(str(target)).slides
                                      for t in slide_texts(s)}
    assert deck.file_name(MONTH) == "leadbridge-meeting-2026-10-all-branches.pptx"
    assert deck.file_name(MONTH, ("New Haven", "Boston")) == \
        "leadbridge-meeting-2026-10-new-haven-boston.pptx"


@pytest.mark.parametrize(("options", "message"), [
    (["--month", "2026-13"], "not a month"),
    (["--month", "October"], "not a month"),
    (["--month", MONTH, "--branch", "Bostn"], "unknown branch(es) Bostn"),
])
def test_the_deck_command_refuses_bad_input(sample_db, options, message, capsys):
    assert cli.main(["deck", *options, "--db", str(sample_db)]) == cli.EXIT_USAGE
    assert message in capsys.readouterr().err


# --- LibreOffice -------------------------------------------------------------------------------


def _require(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found:
        return found
    message = f"no `{tool}` on this machine: install it with `apt-get install -y {package}`"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (.ci/run installs it; in CI a skipped deck test is a failure)")
    pytest.skip(message)


def pdf_pages(pdfinfo: str, pdf: Path) -> int:
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def convert(soffice: str, pptx: Path, out: Path) -> Path:
    """The deck as PDF by LibreOffice headless, with its own profile (works as root and beside
    other conversions)."""
    home = out / "home"
    home.mkdir(parents=True, exist_ok=True)
    command = [soffice, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(out), str(pptx)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=CONVERT_TIMEOUT,
                          env={**os.environ, "HOME": str(home)})
    pdf = out / f"{pptx.stem}.pdf"
    assert pdf.is_file(), f"LibreOffice made no PDF:\n{done.stdout}\n{done.stderr}"
    return pdf


@pytest.mark.parametrize("branches", [(), ("Boston",)], ids=["all branches", "Boston"])
def test_libreoffice_opens_the_deck_with_one_page_per_slide(con, tmp_path, branches):
    soffice = _require("soffice", "libreoffice-impress")
    pdfinfo = _require("pdfinfo", "poppler-utils")
    content = meeting.build(con, MONTH, branches, privacy=not branches)
    pptx = tmp_path / deck.file_name(MONTH, branches)
    deck.write(content, pptx)
    pdf = convert(soffice, pptx, tmp_path / "pdf")
    assert pdf_pages(pdfinfo, pdf) == len(Presentation(str(pptx)).slides) == \
        len(meeting.slides(content)) + 1

"""The meeting deck: the Meeting page's slides as a 16:9 PowerPoint file a facilitator can edit.

Charts are native PowerPoint charts that carry their data (edit them in PowerPoint or
LibreOffice), tables are real tables, and every slide has a title and a footer with the period
and the as-of date. The same data gives the same file, byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from contextvars import ContextVar
from copy import deepcopy
from datetime import datetime

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.oxml import serialize_part_xml
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.parts.slide import SlidePart
from pptx.util import Inches, Pt

from leadbridge import charts, metrics
from leadbridge.meeting import (
    Meeting,
    Slide,
    cells,
    empty_note,
    headers,
    lead_type_label,
    long_month,
    month_label,
    slides,
    text,
)
from leadbridge.values import NO_VALUE

# 16:9 at PowerPoint's default widescreen size, in inches.
WIDTH, HEIGHT = 13.333, 7.5
MARGIN = 0.4
CONTENT_TOP, CONTENT_BOTTOM = 1.65, 6.8
FONT = "Arial"  # on every PowerPoint, and metric-compatible with Liberation Sans on Linux
TITLE_PT, SUBTITLE_PT, FOOTER_PT = 32, 18, 12
TABLE_PT, TABLE_ROW = 16, 0.39
# The smallest table text, and Arial's average character width in ems (bold header included).
MIN_TABLE_PT, CHAR_WIDTH = 12, 0.55
CHART_PT = 16

INK = RGBColor(0x22, 0x22, 0x22)
GREY = RGBColor(0x55, 0x55, 0x55)
HEADER = RGBColor.from_string(charts.DARK_BLUE.lstrip("#"))
STRIPE = RGBColor(0xF2, 0xF6, 0xFA)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


# The table rows a deck being built has formatted, to copy (_table); per build and thread.
_FORMATTED_ROWS: ContextVar[dict | None] = ContextVar("deck_formatted_rows", default=None)
_TEXT = qn("a:t")


def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color.lstrip("#").upper())


# Width weights of each table's columns; a table spreads them over the slide's width.
COLUMN_WEIGHTS = {
    "tech": 2.4, "branch": 1.8, "first_lead_at": 1.8, "leads_submitted": 1.3, "leads_won": 1.4,
    "customer_name": 3.1, "lead_type": 2.0, "closed_at": 1.6, "revenue": 1.4, "outcome": 1.3,
    "loss_reason": 2.3, "sales_rep": 2.0, "days_waiting": 1.5, "submitted_at": 1.6,
    "person": 2.4, "who_not_yet": 4.0, "leads_after_attended": 2.0, "leads_after_missed": 2.0,
}
# Columns of numbers, right-aligned.
NUMERIC = {"leads_submitted", "leads_won", "days_waiting", "revenue", "meetings", "expected",
           "attended", "attendance_rate", "meetings_attended", "leads_after_attended",
           "meetings_missed", "leads_after_missed", "active_techs", "earned", "not_yet"}

# A fixed time for every part of the file, so the same data gives the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def file_name(month: str, branches=()) -> str:
    """'leadbridge-meeting-2026-10-all-branches.pptx', or with the branches' names."""
    scope = "-".join(branches) if branches else "all-branches"
    scope = re.sub(r"[^A-Za-z0-9]+", "-", scope).strip("-").lower() or "branch"
    return f"leadbridge-meeting-{month}-{scope}.pptx"


def build(meeting: Meeting) -> bytes:
    """The deck of a meeting as .pptx bytes (its lead lists fetched whole: build(lists=True))."""
    if not meeting.complete:
        raise ValueError("the deck needs the meeting's lead lists: meeting.build(..., lists=True)")
    if not meeting.filters.money and not meeting.privacy:
        raise ValueError("a deck without per-person money has privacy on: meeting.build(person=)")
    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDTH), Inches(HEIGHT)
    deck = slides(meeting)
    total = len(deck) + 1
    _freeze(_cover(prs, meeting, total).part)
    rows = _FORMATTED_ROWS.set({})
    try:
        for number, slide in enumerate(deck, start=2):
            page = _slide(prs, meeting, slide.title, slide.subtitle, number, total)
            DRAW[slide.key](page, meeting, slide)
            _freeze(page.part)
    finally:
        _FORMATTED_ROWS.reset(rows)
    props = prs.core_properties
    stamp = datetime(meeting.as_of.year, meeting.as_of.month, meeting.as_of.day)
    props.title = f"Monthly meeting {meeting.month_label} · {meeting.scope}"
    props.author = props.last_modified_by = "LeadBridge"
    props.created = props.modified = stamp
    props.revision = 1
    buf = io.BytesIO()
    prs.save(buf)
    return _steady(buf.getvalue(), stamp)


def _add_slide(prs, layout):
    """prs.slides.add_slide(layout), without its two passes over the slides already added.

    python-pptx looks among the presentation's relationships for one to the new slide (there is
    none: the slide is new) and reads every slide's ID to find the next: each slide cost a pass
    over all before it, a fifth of the time of one branch's deck at 1M leads (1,649 slides) and
    more of the company's (5,021). Here the new relationship is added outright and the next ID
    follows the last one. The same parts, relationships and IDs, so the same file (a test
    compares it with python-pptx's own)."""
    part = prs.part
    ids = part._element.get_or_add_sldIdLst()
    last = ids[-1].id if len(ids) else 255  # slide IDs start at 256
    slide_part = SlidePart.new(PackURI(f"/ppt/slides/slide{len(ids) + 1}.xml"), part.package,
                               layout.part)
    rId = part.rels._add_relationship(RT.SLIDE, slide_part)
    slide = slide_part.slide
    slide.shapes.clone_layout_placeholders(layout)
    ids._add_sldId(id=last + 1, rId=rId)
    return slide


class _FrozenSlidePart(SlidePart):
    """A slide drawn and written to XML: its bytes, without the tree they came from."""

    @property
    def blob(self) -> bytes:
        return self._xml


def _freeze(part: SlidePart) -> None:
    """Serialize a drawn slide now, as python-pptx would when the file is saved, and let its
    XML tree go: python-pptx keeps every slide's tree until then, about 0.5 MB per table slide
    (1 GB for one branch's month at 1M leads: 1,649 slides, 12,650 closed leads). A drawn
    slide is never changed again; its relationships (layout, charts) stay with the part."""
    part._xml = serialize_part_xml(part._element)
    part.__dict__.pop("slide", None)  # python-pptx's cached Slide, which holds the tree
    part._element = None
    part.__class__ = _FrozenSlidePart


def write(meeting: Meeting, path) -> None:
    """Save the deck of a meeting to a file."""
    with open(path, "wb") as out:
        out.write(build(meeting))


# --- frame of every slide --------------------------------------------------------------------


def _text_box(page, left, top, width, height, value: str, size: int, *, color=INK,
              bold=False, align=PP_ALIGN.LEFT, anchor=MSO_ANCHOR.TOP):
    box = page.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = anchor
    for side in ("margin_left", "margin_right", "margin_top", "margin_bottom"):
        setattr(frame, side, Inches(0.05))
    for i, line in enumerate(value.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.alignment = align
        run = para.add_run()
        run.text = line
        _font(run.font, size, color=color, bold=bold)
    return box


def _font(font, size: int, *, color=INK, bold=False) -> None:
    font.name = FONT
    font.size = Pt(size)
    font.bold = bold
    font.color.rgb = color


def _slide(prs, meeting: Meeting, title: str, subtitle: str, number: int, total: int):
    """A new slide with its title, the line under it and the footer."""
    page = _add_slide(prs, prs.slide_layouts[5])  # "Title Only": a real title placeholder
    shape = page.shapes.title
    shape.left, shape.top = Inches(MARGIN), Inches(0.3)
    shape.width, shape.height = Inches(WIDTH - 2 * MARGIN), Inches(0.8)
    frame = shape.text_frame
    frame.word_wrap = True
    frame.vertical_anchor = MSO_ANCHOR.TOP
    frame.text = title
    para = frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    _font(para.runs[0].font, TITLE_PT, bold=True)
    _text_box(page, MARGIN, 1.05, WIDTH - 2 * MARGIN, 0.55, subtitle, subtitle_size(subtitle),
              color=GREY)
    _footer(page, meeting, number, total)
    return page


# Characters of a subtitle line across the slide at SUBTITLE_PT (Arial: about 105 measured in
# LibreOffice's rendering); a longer subtitle is set smaller, in two lines above the content
# (at 18 pt its second line ran into the table's header).
SUBTITLE_LINE_CHARS, SUBTITLE_SMALL_PT = 95, 14


def subtitle_size(subtitle: str) -> int:
    """The subtitle's point size: one line at SUBTITLE_PT, or two at SUBTITLE_SMALL_PT."""
    return SUBTITLE_PT if len(subtitle) <= SUBTITLE_LINE_CHARS else SUBTITLE_SMALL_PT


def _footer(page, meeting: Meeting, number: int, total: int) -> None:
    _text_box(page, MARGIN, 6.95, WIDTH - 2 * MARGIN - 1.2, 0.35, meeting.footer(), FOOTER_PT,
              color=GREY)
    _text_box(page, WIDTH - MARGIN - 1.2, 6.95, 1.2, 0.35, f"{number:,} / {total:,}", FOOTER_PT,
              color=GREY, align=PP_ALIGN.RIGHT)


def _cover(prs, meeting: Meeting, total: int):
    page = _add_slide(prs, prs.slide_layouts[0])
    shape = page.shapes.title
    shape.left, shape.top = Inches(MARGIN + 0.4), Inches(1.7)
    shape.width, shape.height = Inches(WIDTH - 2 * MARGIN - 0.8), Inches(1.3)
    shape.text_frame.text = f"Monthly meeting: {long_month(meeting.filters.start)}"
    para = shape.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.LEFT
    _font(para.runs[0].font, 44, bold=True)
    body = page.placeholders[1]
    body.left, body.top = Inches(MARGIN + 0.4), Inches(3.2)
    body.width, body.height = Inches(WIDTH - 2 * MARGIN - 0.8), Inches(2.8)
    privacy = ("Per-person money is left out (privacy on)" if meeting.privacy
               else "Includes per-person money (privacy off)")
    lines = [f"Techs and sales · {meeting.scope}",
             "The month in numbers · recognition · closing the loop · sales follow-up · "
             "conversion · the meeting's people", privacy]
    body.text_frame.word_wrap = True
    for i, line in enumerate(lines):
        para = body.text_frame.paragraphs[0] if i == 0 else body.text_frame.add_paragraph()
        para.text = line
        para.alignment = PP_ALIGN.LEFT
        _font(para.runs[0].font, 24 if i == 0 else 20, color=INK if i == 0 else GREY)
    _footer(page, meeting, 1, total)
    return page


def _note(page, note: str) -> None:
    """A slide's empty state: the reason in the middle of the slide."""
    _text_box(page, MARGIN, 3.2, WIDTH - 2 * MARGIN, 1.0, note, 24, color=GREY,
              align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE)


# --- tables ----------------------------------------------------------------------------------


def _new_table(page, rows: int, columns: int, left, top, width, height):
    """page.shapes.add_table(rows, columns, ...) with its rows' heights left to be set: two rows
    through python-pptx, which builds every cell element by element, and the others copies of
    the second, empty (a fifth of a big deck's table time)."""
    shape = page.shapes.add_table(min(rows, 2), columns, left, top, width, height)
    empty = shape.table._tbl.tr_lst[-1]
    for _ in range(rows - 2):
        empty.addnext(deepcopy(empty))
    return shape


def _table(page, header: list[str], rows: list[list[str]], widths: list[float], *,
           top: float = CONTENT_TOP, size: int = TABLE_PT, row_height: float = TABLE_ROW,
           right: set[int] = frozenset(), bold_columns: set[int] = frozenset(),
           big: dict[int, int] | None = None, copy_rows: bool = True):
    """A real table: header row, striped body, columns of the given widths (inches).

    Formatting a cell through python-pptx is a dozen lookups in its XML. So the header and a
    body row of each stripe are formatted once per deck for tables of the same columns and
    sizes, and the other rows are copies of them with their own text (copy_rows=False formats
    every cell, as the copies must come out)."""
    shape = _new_table(page, len(rows) + 1, len(header), Inches(MARGIN), Inches(top),
                       Inches(sum(widths)), Inches(row_height * (len(rows) + 1)))
    table = shape.table
    table.first_row = True
    table.horz_banding = False
    # Each width and height set in the XML, then the frame's size once (python-pptx's setters
    # add up every column or row again at each one).
    for column, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = Inches(width)
    table.notify_width_changed()
    rows_xml = table._tbl.tr_lst
    for row in rows_xml:
        row.h = Inches(row_height)
    table.notify_height_changed()
    key = (tuple(header), tuple(widths), size, row_height, tuple(sorted(right)),
           tuple(sorted(bold_columns)), tuple(sorted((big or {}).items())))
    deck_rows = _FORMATTED_ROWS.get()
    # The header ("header") and a body row of each stripe (row number % 2) formatted cell by
    # cell, each cell one run: by this deck's tables of the same key, else by this table.
    formatted = {} if deck_rows is None or not copy_rows else deck_rows.setdefault(key, {})
    for r, values in enumerate([header, *rows]):
        stripe = r % 2 if r else "header"
        template = formatted.get(stripe)
        if template is not None:
            row = deepcopy(template)
            rows_xml[r].getparent().replace(rows_xml[r], row)
            copied = [_replace_text(tc, value) for tc, value in zip(row.tc_lst, values, strict=True)]
        else:
            copied = [False] * len(values)
        for c, value in enumerate(values):
            if not copied[c]:
                _format_cell(table.cell(r, c), value, r, c, size=size, right=right,
                             bold_columns=bold_columns, big=big)
        if copy_rows and template is None and all(_plain(v) for v in values):
            formatted[stripe] = deepcopy(rows_xml[r])  # a copy: the slide's tree can go
    return table


def _format_cell(target, value: str, r: int, c: int, *, size: int, right: set[int],
                 bold_columns: set[int], big: dict[int, int] | None) -> None:
    target.text = value
    target.margin_left = target.margin_right = Inches(0.08)
    target.margin_top = target.margin_bottom = Inches(0.03)
    target.vertical_anchor = MSO_ANCHOR.MIDDLE
    target.fill.solid()
    target.fill.fore_color.rgb = HEADER if r == 0 else (STRIPE if r % 2 == 0 else WHITE)
    para = target.text_frame.paragraphs[0]
    para.alignment = PP_ALIGN.RIGHT if c in right else PP_ALIGN.LEFT
    points = (big or {}).get(c, size) if r else size
    for run in para.runs:
        _font(run.font, points, color=WHITE if r == 0 else INK, bold=r == 0 or c in bold_columns)


def _plain(value: str) -> bool:
    """A value python-pptx writes as one run of its own characters: no line breaks, tabs or
    control characters (those become paragraphs, breaks or escapes), and not empty (no run)."""
    return bool(value) and value.isprintable()


def _replace_text(cell, value: str) -> bool:
    """Put a plain value in a copied cell's (a:tc) one run; False when it must be formatted."""
    if not _plain(value):
        return False
    runs = list(cell.iter(_TEXT))
    if len(runs) != 1:
        return False
    runs[0].text = value
    return True


def _fitting_size(header: list[str], rows: list[list[str]], widths: list[float]) -> int:
    """The largest font size (TABLE_PT down to MIN_TABLE_PT) at which every cell fits its
    column on one line, so that rows never wrap and push the table over the footer."""
    longest = [max(len(v) for v in column) for column in zip(header, *rows, strict=True)]
    for size in range(TABLE_PT, MIN_TABLE_PT - 1, -1):
        if all(n * CHAR_WIDTH * size / 72 + 0.2 <= w
               for n, w in zip(longest, widths, strict=True)):
            return size
    return MIN_TABLE_PT


def _widths(columns) -> list[float]:
    weights = [COLUMN_WEIGHTS.get(c, 1.5) for c in columns]
    scale = (WIDTH - 2 * MARGIN) / sum(weights)
    return [round(w * scale, 3) for w in weights]


def _draw_table(page, meeting: Meeting, slide: Slide) -> None:
    rows = slide.rows
    if rows is None or rows.empty:
        _note(page, empty_note(meeting, slide.key))
        return
    columns = list(rows.columns)
    header, body, widths = headers(rows), cells(rows), _widths(columns)
    _table(page, header, body, widths, size=_fitting_size(header, body, widths),
           right={i for i, c in enumerate(columns) if c in NUMERIC})


# The numbers slide: its table's rows, and room under it for a two-line note above the footer.
NUMBERS_ROW, NUMBERS_NOTE_HEIGHT = 0.76, 0.6


def _draw_numbers(page, meeting: Meeting, slide: Slide) -> None:
    """The month's headline numbers against last month and the same month last year."""
    header = ["", month_label(meeting.filters.start), month_label(meeting.previous.start),
              "Change", month_label(meeting.last_year.start), "Change"]
    def changed(number, which: str) -> str:
        # the difference above, the percentage (or a conversion's basis) below it:
        # '+$75,587' / '(+8.0 %)'; a month too young to compare says so, its count in the note
        versus = number.vs_previous if which == "previous" else number.vs_last_year
        if versus is not None and not versus.comparable and versus.too_young:
            return "too young\vto compare"
        return (number.change(which) or NO_VALUE).replace(" (", "\v(")

    def before(number, which: str) -> str:
        versus = number.vs_previous if which == "previous" else number.vs_last_year
        if versus is None:
            return text(number.kind, getattr(number, which))
        if not versus.comparable:
            return NO_VALUE
        return f"{versus.before * 100:.1f} %\v({versus.short_basis})"

    rows = [[n.label, text(n.kind, n.value), before(n, "previous"), changed(n, "previous"),
             before(n, "last_year"), changed(n, "last_year")] for n in meeting.numbers]
    _table(page, header, rows, [2.7, 2.3, 1.85, 1.9, 1.85, 1.9], size=18,
           row_height=NUMBERS_ROW, right={1, 2, 3, 4, 5}, bold_columns={0, 1}, big={1: 26})
    young = next((versus for n in meeting.numbers for versus in (n.vs_previous, n.vs_last_year)
                  if versus is not None and versus.too_young), None)
    if young is not None:
        # two lines of 13 pt between the table and the footer: one line ran into the footer
        table_end = CONTENT_TOP + NUMBERS_ROW * (len(rows) + 1)
        _text_box(page, MARGIN, table_end + 0.05, WIDTH - 2 * MARGIN, NUMBERS_NOTE_HEIGHT,
                  f"Conversion: {month_label(meeting.filters.start)} is {young.young_note()}; "
                  "it is compared once its leads are 30 days old. ≤30 d / ≤90 d: won within "
                  "30 / 90 days of submission.", 13, color=GREY)


# --- charts ----------------------------------------------------------------------------------


# A share on a bar, with the space the tables and tiles write ("64 %"; Excel's format keeps it).
SHARE_LABEL = "0 %"


def _chart(page, kind, data: CategoryChartData, left: float, top: float, width: float,
           height: float, title: str, *, number_format: str, colors: list[str],
           legend: bool = False, labels: bool = True, axis_max: float | None = None,
           axis_format: str | None = None):
    """A native chart with its data, in the LeadBridge colours and large type."""
    frame = page.shapes.add_chart(kind, Inches(left), Inches(top), Inches(width),
                                  Inches(height), data)
    chart = frame.chart
    chart.font.name, chart.font.size = FONT, Pt(CHART_PT)
    chart.has_title = True
    chart.chart_title.text_frame.text = title
    _font(chart.chart_title.text_frame.paragraphs[0].runs[0].font, 18, bold=True)
    chart.has_legend = legend
    if legend:
        chart.legend.position = XL_LEGEND_POSITION.TOP
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(CHART_PT)
    plot = chart.plots[0]
    if labels:
        plot.has_data_labels = True
        plot.data_labels.number_format = number_format
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(CHART_PT - 2)
    value_axis = chart.value_axis
    value_axis.tick_labels.number_format = axis_format or number_format
    value_axis.tick_labels.number_format_is_linked = False
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.color.rgb = RGBColor(0xE0, 0xE0, 0xE0)
    value_axis.minimum_scale = 0
    if axis_max is not None:
        value_axis.maximum_scale = axis_max
    chart.category_axis.tick_labels.font.size = Pt(CHART_PT - 2)
    value_axis.tick_labels.font.size = Pt(CHART_PT - 2)
    for series, color in zip(plot.series, colors, strict=False):
        if kind in (XL_CHART_TYPE.LINE_MARKERS, XL_CHART_TYPE.LINE):
            series.format.line.color.rgb = _rgb(color)
            series.format.line.width = Pt(3)
            series.smooth = False
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = _rgb(color)
        else:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _rgb(color)
    return chart


def _values(values) -> list:
    """Chart values: floats, a gap (None) where a value is missing."""
    return [None if pd.isna(v) else float(v) for v in values]


def _ranking(page, frame: pd.DataFrame, measure: str, left: float, title: str,
             note: str) -> None:
    label, unit, _, _ = charts.RANKING_MEASURES[measure]
    width, height = (WIDTH - 2 * MARGIN - 0.3) / 2, CONTENT_BOTTOM - CONTENT_TOP
    if frame.empty:
        _text_box(page, left, CONTENT_TOP + 0.2, width, 0.5, f"{title} ({unit})", 18, bold=True)
        _text_box(page, left, 3.3, width, 1.0, note, 20, color=GREY, align=PP_ALIGN.CENTER)
        return
    data = CategoryChartData()
    data.categories = [str(t) for t in frame["tech"]]
    number_format = '"$"#,##0' if measure == "revenue_attributed" else "#,##0"
    data.add_series(label, _values(frame[measure]), number_format=number_format)
    chart = _chart(page, XL_CHART_TYPE.BAR_CLUSTERED, data, left, CONTENT_TOP, width, height,
                   f"{title} ({unit})", number_format=number_format, colors=[charts.BLUE],
                   axis_max=1.3 * float(frame[measure].max()))
    chart.category_axis.reverse_order = True  # the first of the ranking on top
    chart.plots[0].gap_width = 60
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END


def _draw_rankings(page, meeting: Meeting, slide: Slide) -> None:
    frames = ((meeting.top_month_leads, meeting.top_month_won) if slide.key == "top_month"
              else (meeting.top_year_leads, meeting.top_year_won))
    note = empty_note(meeting, slide.key)
    half = (WIDTH - 2 * MARGIN - 0.3) / 2
    _ranking(page, frames[0], "leads_submitted", MARGIN, "Most leads submitted", note)
    won_title = "Most won deals" if meeting.privacy else "Most won revenue"
    _ranking(page, frames[1], meeting.won_measure, MARGIN + half + 0.3, won_title, note)


def _draw_speed(page, meeting: Meeting, slide: Slide) -> None:
    frame = meeting.speed
    if frame.empty:
        _note(page, empty_note(meeting, slide.key))
        return
    data = CategoryChartData()
    data.categories = [str(rep) if pd.notna(median) else f"{rep} (none contacted yet)"
                       for rep, median in zip(frame["dimension_value"],
                                              frame["median_days_to_contact"], strict=True)]
    data.add_series("Median days", _values(frame["median_days_to_contact"]), number_format="0.0")
    data.add_series("90th percentile days", _values(frame["p90_days_to_contact"]),
                    number_format="0.0")
    chart = _chart(page, XL_CHART_TYPE.BAR_CLUSTERED, data, MARGIN, CONTENT_TOP,
                   WIDTH - 2 * MARGIN, CONTENT_BOTTOM - CONTENT_TOP,
                   "Days to first sales contact by sales rep (days)", number_format="0.0",
                   colors=[charts.BLUE, charts.ORANGE], legend=True, axis_format="0")
    chart.category_axis.reverse_order = True
    chart.plots[0].gap_width = 40
    chart.plots[0].data_labels.position = XL_LABEL_POSITION.OUTSIDE_END


def _draw_by_type(page, meeting: Meeting, slide: Slide) -> None:
    frame = meeting.by_type[meeting.by_type["leads_submitted"] > 0]
    if frame.empty:
        _note(page, empty_note(meeting, slide.key))
        return
    data = CategoryChartData()
    data.categories = [lead_type_label(v) for v in frame["dimension_value"]]
    # the bars' shares as on the page ("64 %"), the axis as the page's ("80%")
    data.add_series("Conversion", _values(frame["conversion_rate"]), number_format=SHARE_LABEL)
    data.add_series("Win rate", _values(frame["win_rate"]), number_format=SHARE_LABEL)
    _chart(page, XL_CHART_TYPE.COLUMN_CLUSTERED, data, MARGIN, CONTENT_TOP, WIDTH - 2 * MARGIN,
           CONTENT_BOTTOM - CONTENT_TOP, "Conversion and win rate by lead type (%)",
           number_format=SHARE_LABEL, axis_format="0%", colors=[charts.BLUE, charts.ORANGE],
           legend=True, axis_max=1.0)


def _draw_trend(page, meeting: Meeting, slide: Slide) -> None:
    frame = meeting.trend
    if frame.empty or frame["leads_submitted"].sum() == 0:
        _note(page, empty_note(meeting, slide.key))
        return
    months = trend_labels(frame["month"])
    half = (WIDTH - 2 * MARGIN - 0.3) / 2
    height = CONTENT_BOTTOM - CONTENT_TOP
    leads = CategoryChartData()
    leads.categories = months
    for column, name in (("leads_won", "Won"), ("leads_lost", "Lost"),
                         ("leads_open", "Still open")):
        leads.add_series(name, _values(frame[column]), number_format="#,##0")
    chart = _chart(page, XL_CHART_TYPE.COLUMN_STACKED, leads, MARGIN, CONTENT_TOP, half, height,
                   "Leads submitted per month by outcome (leads)", number_format="#,##0",
                   colors=[charts.STATUS_COLORS["won"], charts.STATUS_COLORS["lost"],
                           charts.LIGHT_GREY], legend=True, labels=False)
    chart.plots[0].gap_width = 40
    _level_labels(chart)
    rate = CategoryChartData()
    rate.categories = months
    rate.add_series("Conversion", _values(frame["conversion_rate"]), number_format="0%")
    _level_labels(_chart(page, XL_CHART_TYPE.LINE_MARKERS, rate, MARGIN + half + 0.3,
                         CONTENT_TOP, half, height, "Conversion per month (%)",
                         number_format="0%", colors=[charts.BLUE], labels=False, axis_max=1.0))


def trend_labels(months) -> list[str]:
    """'Nov 2025', 'Dec', 'Jan 2026', 'Feb', ...: the year on the first month and on January,
    so that twelve labels stand level under the columns."""
    labels = []
    for i, month in enumerate(months):
        day = metrics.month_start(month)
        labels.append(day.strftime("%b %Y") if i == 0 or day.month == 1 else day.strftime("%b"))
    return labels


def _level_labels(chart) -> None:
    """Category labels written level (LibreOffice otherwise turns them 45 degrees)."""
    tick_labels = chart.category_axis.tick_labels
    tick_labels.font.size = Pt(CHART_PT - 3)
    body = tick_labels._element.get_or_add_txPr().find(qn("a:bodyPr"))
    body.set("rot", "0")
    body.set("vert", "horz")


DRAW = {
    "numbers": _draw_numbers,
    "top_month": _draw_rankings,
    "top_year": _draw_rankings,
    "first_timers": _draw_table,
    "biggest_wins": _draw_table,
    "closed": _draw_table,
    "awaiting": _draw_table,
    "speed": _draw_speed,
    "by_type": _draw_by_type,
    "trend": _draw_trend,
    "who_was_here": _draw_table,
    "attendance": _draw_table,
    "attendance_people": _draw_table,
    "after_meeting": _draw_table,
    "readiness": _draw_table,
}


# --- the same bytes for the same data --------------------------------------------------------

_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _steady(package: bytes, stamp: datetime) -> bytes:
    """The package with fixed zip times, and the charts' embedded workbooks likewise, so that
    the same data gives the same file (zip entries and xlsxwriter otherwise record the clock)."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith(".xlsx"):
                data = _steady(data, stamp)
            elif info.filename.endswith("core.xml"):
                data = _CORE_DATES.sub(lambda m: m.group(1) + iso + m.group(3), data)
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, data)
    return out.getvalue()

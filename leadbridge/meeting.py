"""The monthly joint meeting of techs and sales: its content for one month, built once as data.

`build` runs the queries for a month (and optional branches) and returns a `Meeting`; `slides`
cuts it into the sequence of slides that the Meeting page shows and `leadbridge deck` writes, so
both show the same slides with the same numbers. With `privacy` on, the content holds no
per-person money: no rewards paid, no revenue per tech, no revenue of a tech's own wins (team
totals stay). No Streamlit and no drawing here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

import pandas as pd

from leadbridge import contract, metrics
from leadbridge.metrics import Filters
from leadbridge.values import NO_VALUE, missing, tech_labels

# Techs per ranking: five names can be read out, and read from the back of the room.
TOP_TECHS = 5
# Deals on the biggest-wins slide.
BIGGEST_WINS = 8
# Table rows per slide: what fits a 16:9 slide at 14 pt, and a projected page, without scrolling.
ROWS_PER_SLIDE = 12
# Months of the trend slide, the meeting's month the last of them.
TREND_MONTHS = 12
# The two lead lists, which grow with the company (a national one closes tens of thousands of
# leads a month): the query of each. A view of the Meeting page fetches their sizes only and then
# the rows of the slide on screen; the deck and the command line fetch them whole.
LISTS = {"closed": "meeting_closed_leads", "awaiting": "meeting_awaiting_contact"}

# Per-person money: the columns that privacy removes from every per-tech or per-lead list.
PERSONAL_MONEY = ("revenue", "revenue_attributed", "reward_cost", "revenue_per_reward_dollar",
                  "estimated_value", "amount")

# Column labels for people, shared by the page's tables and the deck's.
LABELS = {
    "tech": "Technician", "tech_id": "Tech ID", "tech_name": "Tech name", "branch": "Branch",
    "first_lead_at": "First lead", "leads_submitted": "Leads", "leads_won": "Won so far",
    "lead_id": "Lead", "customer_name": "Customer", "lead_type": "Type",
    "outcome": "Outcome", "loss_reason": "Reason", "sales_rep": "Sales rep",
    "submitted_at": "Submitted", "closed_at": "Closed", "revenue": "Revenue",
    "days_waiting": "Days waiting", "deals_won": "Won deals",
    "revenue_attributed": "Won revenue", "status": "Status", "estimated_value": "Est. value",
    "person": "Name", "role": "Role", "here": "First time?", "meetings": "Meetings",
    "expected": "Expected", "attended": "Came", "attendance_rate": "Attendance",
    "last_attended": "Last came", "meetings_attended": "Meetings came",
    "leads_after_attended": "Leads in 30 days after (came)", "meetings_missed": "Meetings missed",
    "leads_after_missed": "Leads in 30 days after (missed)", "active_techs": "Active techs",
    "earned": "Earned a first reward", "not_yet": "Not yet", "who_not_yet": "Who has not yet",
}
# How each column's values read: counts, money, dates or text.
KINDS = {
    "leads_submitted": "count", "leads_won": "count", "deals_won": "count",
    "days_waiting": "count", "revenue": "money", "revenue_attributed": "money",
    "first_lead_at": "date", "submitted_at": "date", "closed_at": "date",
    "meetings": "count", "expected": "count", "attended": "count", "attendance_rate": "rate",
    "last_attended": "date", "meetings_attended": "count", "meetings_missed": "count",
    "leads_after_attended": "decimal", "leads_after_missed": "decimal", "active_techs": "count",
    "earned": "count", "not_yet": "count",
}

# The columns each table slide shows, in order (the money columns only without privacy).
TABLE_COLUMNS = {
    "first_timers": ("tech", "branch", "first_lead_at", "leads_submitted", "leads_won"),
    "biggest_wins": ("tech", "customer_name", "lead_type", "closed_at", "revenue"),
    "closed": ("tech", "customer_name", "lead_type", "outcome", "loss_reason", "closed_at",
               "revenue"),
    "awaiting": ("sales_rep", "days_waiting", "customer_name", "lead_type", "tech",
                 "submitted_at"),
    "who_was_here": ("person", "role", "branch", "here"),
    "attendance": ("branch", "meetings", "expected", "attended", "attendance_rate"),
    "attendance_people": ("person", "role", "branch", "meetings", "attended", "attendance_rate",
                          "last_attended"),
    "after_meeting": ("tech", "branch", "meetings_attended", "leads_after_attended",
                      "meetings_missed", "leads_after_missed"),
    "readiness": ("branch", "active_techs", "earned", "not_yet", "who_not_yet"),
}


# --- numbers as people read them ----------------------------------------------------------------


def text(kind: str, value) -> str:
    """A value as the slides show it: 1,234 · 17.9 % · $12,345 · 2.5 days · Oct 5, 2026 · –."""
    if missing(value):
        return NO_VALUE
    if kind == "count":
        return f"{int(value):,}"
    if kind == "rate":
        return f"{float(value) * 100:.1f} %"
    if kind == "money":
        value = float(value)
        return ("-" if value < 0 else "") + f"${abs(value):,.0f}"
    if kind == "days":
        value = float(value)
        shown = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
        return f"{shown} day" if value == 1 else f"{shown} days"
    if kind == "decimal":
        return f"{float(value):,.1f}"
    if kind == "date":
        day = pd.Timestamp(value)
        return f"{day:%b} {day.day}, {day.year}"
    return str(value)


def change(kind: str, current, before) -> str | None:
    """The change from `before` to `current`: points for rates, difference and % otherwise."""
    if missing(current) or missing(before):
        return None
    if kind == "rate":
        return f"{(float(current) - float(before)) * 100:+.1f} pts"
    diff = float(current) - float(before)
    shown = (("+" if diff >= 0 else "-") + text("money", abs(diff)) if kind == "money"
             else f"{int(diff):+,}")
    if float(before) == 0:
        return shown
    return f"{shown} ({diff / abs(float(before)):+.1%})".replace("%)", " %)")


# The attendance file's roles (DATA_CONTRACT.md) as a slide reads them ("tech" read as code).
ROLE_LABELS = {"tech": "Tech", "sales": "Sales rep"}


def cell(column: str, value) -> str:
    """A table cell's text: the column's kind decides (see KINDS), text stays as it is; a role
    reads in words."""
    if column == "role" and value in ROLE_LABELS:
        return ROLE_LABELS[value]
    return text(KINDS.get(column, "text"), value)


def month_label(day: date) -> str:
    """'Oct 2026'."""
    return day.strftime("%b %Y")


def long_month(day: date) -> str:
    """'October 2026'."""
    return day.strftime("%B %Y")


# --- the content -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Number:
    """One headline number of the month, with the previous month and the same month last year."""

    key: str
    label: str
    kind: str
    value: float | None
    previous: float | None
    last_year: float | None
    help: str = ""
    # Conversion only: how it compares, fairly (see metrics.compare_conversion).
    vs_previous: metrics.Comparison | None = None
    vs_last_year: metrics.Comparison | None = None

    def change(self, which: str) -> str | None:
        """The change against 'previous' or 'last_year' as the slides say it: a conversion by a
        comparable conversion both months have, or 'too young to compare: …'."""
        versus = self.vs_previous if which == "previous" else self.vs_last_year
        if versus is not None:
            return versus.change()
        return change(self.kind, self.value, getattr(self, which))

    def before_text(self, which: str) -> str:
        """The earlier month's value as compared ('21.0 % won within 30 days' for conversion)."""
        versus = self.vs_previous if which == "previous" else self.vs_last_year
        if versus is not None:
            return versus.before_text()
        return text(self.kind, getattr(self, which))


# The month in numbers: key of the report's totals, label, kind, one line for the tooltip.
NUMBERS = (
    ("leads_submitted", "Leads submitted", "count", "Leads techs submitted in the month."),
    ("deals_won", "Won deals", "count",
     "Tech leads won with their close date in the month, whatever month they were submitted."),
    ("revenue_attributed", "Revenue attributed", "money", "Revenue of the month's won deals."),
    ("conversion_rate", "Conversion", "rate",
     "Share of the month's leads won so far: still maturing for a recent month. Against other "
     "months it compares the share won within 90 (else 30) days, which both months have, or says "
     "the month is too young to compare."),
    ("participation_rate", "Participation", "rate",
     "Share of the active roster techs who submitted a lead in the month."),
)


@dataclass(frozen=True)
class Meeting:
    """Everything the meeting shows for one month, as plain data (frames in display order)."""

    filters: Filters
    as_of: date
    privacy: bool
    numbers: tuple[Number, ...]
    previous: Filters
    last_year: Filters
    year: Filters
    trend_filters: Filters
    top_month_leads: pd.DataFrame
    top_month_won: pd.DataFrame
    top_year_leads: pd.DataFrame
    top_year_won: pd.DataFrame
    first_timers: pd.DataFrame
    biggest_wins: pd.DataFrame
    closed: pd.DataFrame | None  # None: not fetched (see LISTS and list_rows)
    awaiting: pd.DataFrame | None
    speed: pd.DataFrame
    by_type: pd.DataFrame
    trend: pd.DataFrame
    closed_won: int = 0
    closed_lost: int = 0
    awaiting_contact: int = 0
    # The meeting's people (see people()): who came to this month's meeting, attendance over the
    # trend's 12 months per branch and per person, leads after meetings came or missed, and per
    # branch the active techs who have earned a first reward.
    who_was_here: pd.DataFrame = field(default_factory=pd.DataFrame)
    attendance: pd.DataFrame = field(default_factory=pd.DataFrame)
    attendance_people: pd.DataFrame = field(default_factory=pd.DataFrame)
    after_meeting: pd.DataFrame = field(default_factory=pd.DataFrame)
    readiness: pd.DataFrame = field(default_factory=pd.DataFrame)
    seats: dict = field(default_factory=dict)  # {'tech': (came, expected), 'sales': (...)}

    @property
    def month(self) -> str:
        return self.filters.from_month

    @property
    def month_label(self) -> str:
        return month_label(self.filters.start)

    @property
    def scope(self) -> str:
        """'Boston, Hartford' (the branch filter, else the person's branches) or 'All branches'."""
        if self.filters.branches:
            return ", ".join(self.filters.branches)
        if self.filters.scope is not None:
            return ", ".join(self.filters.scope) or "No branch"
        return "All branches"

    @property
    def won_measure(self) -> str:
        """What the second ranking counts: won revenue, or won deals when privacy is on."""
        return "deals_won" if self.privacy else "revenue_attributed"

    def footer(self) -> str:
        """'Oct 2026 · All branches · as of Oct 31, 2026'."""
        return f"{self.month_label} · {self.scope} · as of {text('date', self.as_of)}"

    @property
    def complete(self) -> bool:
        """Whether the lead lists are fetched whole (the deck needs them)."""
        return all(getattr(self, key) is not None for key in LISTS)

    def size(self, key: str) -> int:
        """A table slide's number of rows, fetched or not."""
        frame = getattr(self, key)
        if frame is not None:
            return len(frame)
        return {"closed": self.closed_won + self.closed_lost,
                "awaiting": self.awaiting_contact}[key]

    def table(self, key: str) -> pd.DataFrame:
        """A table slide's full frame with the columns it shows (privacy applied)."""
        frame = getattr(self, key)
        if frame is None:
            raise ValueError(f"the {key} list is not fetched: build(..., lists=True) or "
                             "list_rows()")
        return shown_columns(key, frame)


def shown_columns(key: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The columns a table slide shows, in order (the money ones only where privacy left them)."""
    return frame[[c for c in TABLE_COLUMNS[key] if c in frame.columns]]


def _with_tech(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(tech=tech_labels(frame)) if len(frame) else frame.assign(tech=[])


def _private(frame: pd.DataFrame, privacy: bool) -> pd.DataFrame:
    """The frame without per-person money columns when privacy is on."""
    if not privacy:
        return frame.reset_index(drop=True)
    return frame.drop(columns=[c for c in PERSONAL_MONEY if c in frame.columns]).reset_index(
        drop=True)


def top_techs(rankings: pd.DataFrame, measure: str) -> pd.DataFrame:
    """One ranking of queries/meeting_top_techs.sql (leads_submitted, deals_won or
    revenue_attributed): its techs in rank order, with the measure (and won deals for revenue)."""
    columns = ["tech_id", "tech", "branch", measure]
    if measure == "revenue_attributed":
        columns.insert(3, "deals_won")
    ranking = rankings[rankings["ranking"] == measure].sort_values("place")
    return ranking[columns].reset_index(drop=True)


def list_rows(con, m: Meeting, key: str, offset: int = 0, limit: int | None = None
              ) -> pd.DataFrame:
    """Rows of a lead list (`closed` or `awaiting`) in slide order, privacy applied: `limit` rows
    from row `offset`, or every row."""
    frame = metrics.run(con, LISTS[key], m.filters, as_of=m.as_of, offset=offset, limit=limit)
    return _private(frame, m.privacy)


def part_rows(con, m: Meeting, key: str, part: int, rows_per_slide: int = ROWS_PER_SLIDE
              ) -> pd.DataFrame:
    """The rows a lead list's slide `part` (from 1) shows, fetched for that slide alone."""
    start = (part - 1) * rows_per_slide
    return shown_columns(key, list_rows(con, m, key, start, rows_per_slide))


def slide_rows(con, m: Meeting, slide: Slide) -> pd.DataFrame:
    """The rows a table slide shows: from the content, or fetched for the slide alone."""
    if slide.rows is not None:
        return slide.rows
    return part_rows(con, m, slide.key, slide.part, slide.rows_per_slide)


def build(con, month: str, branches=(), privacy: bool = True, lists: bool = True,
          person=None) -> Meeting:
    """The meeting's content for a YYYY-MM month and optional branches, as `person` (an
    access.Person; None: everything) may see it: their branches only, and privacy always on for a
    person without per-person money. A branch outside their scope raises AccessDenied.

    `lists=False` leaves the two lead lists unfetched (their sizes are counted): what the page
    needs to show one slide; `list_rows` and `slide_rows` fetch them a part at a time."""
    filters = Filters.months(month, month, sorted(branches))
    if person is not None:
        filters = filters.for_person(person)
        privacy = privacy or not person.money
    previous = filters.previous()
    last_year = filters.shifted_years(-1)
    year = replace(filters, start=filters.start.replace(month=1))
    trend = replace(filters, start=metrics.add_months(filters.start, 1 - TREND_MONTHS))
    as_of = metrics.as_of(con, filters)
    won_measure = "deals_won" if privacy else "revenue_attributed"
    found = metrics.run_many(con, {
        "now": ("totals", filters, {}),
        "before": ("totals", previous, {}),
        "year_ago": ("totals", last_year, {}),
        "top_month": ("meeting_top_techs", filters, {"top": TOP_TECHS}),
        "top_year": ("meeting_top_techs", year, {"top": TOP_TECHS}),
        "sizes": ("meeting_list_sizes", filters, {"as_of": as_of}),
        "first_timers": ("meeting_first_time_contributors", filters, {}),
        "biggest_wins": ("meeting_biggest_wins", filters, {"top": BIGGEST_WINS}),
        "speed": ("contact_speed_by_dimension", filters, {"dimension": "sales_rep"}),
        "by_type": ("conversion_by_dimension", filters, {"dimension": "lead_type"}),
        "trend": ("monthly", trend, {}),
        "here": ("meeting_attendance", filters, {}),
        "attendance": ("attendance_by_branch", trend, {}),
        "attendance_people": ("attendance_by_person", trend, {}),
        "after_meeting": ("leads_after_meetings", trend, {}),
        "readiness": ("meeting_readiness", filters, {}),
    })
    now, before, year_ago = (found[key].iloc[0].to_dict() for key in ("now", "before", "year_ago"))
    numbers = tuple(
        Number(key, label, kind, now[key], before[key], year_ago[key], help_text,
               *((metrics.compare_conversion(now, before), metrics.compare_conversion(now, year_ago))
                 if key == "conversion_rate" else ()))
        for key, label, kind, help_text in NUMBERS)
    sizes = found["sizes"].iloc[0]

    content = Meeting(
        filters=filters,
        as_of=as_of,
        privacy=privacy,
        numbers=numbers,
        previous=previous,
        last_year=last_year,
        year=year,
        trend_filters=trend,
        top_month_leads=top_techs(found["top_month"], "leads_submitted"),
        top_month_won=_private(top_techs(found["top_month"], won_measure), privacy),
        top_year_leads=top_techs(found["top_year"], "leads_submitted"),
        top_year_won=_private(top_techs(found["top_year"], won_measure), privacy),
        first_timers=_with_tech(found["first_timers"]),
        biggest_wins=_private(_with_tech(found["biggest_wins"]), privacy),
        closed=None,
        awaiting=None,
        speed=_slowest_first(found["speed"]),
        by_type=in_type_order(found["by_type"]),
        trend=found["trend"],
        closed_won=int(sizes["closed_won"]),
        closed_lost=int(sizes["closed_lost"]),
        awaiting_contact=int(sizes["awaiting_contact"]),
        **people(found),
    )
    if not lists:
        return content
    return replace(content, **{key: list_rows(con, content, key) for key in LISTS})


def people(found: dict[str, pd.DataFrame]) -> dict:
    """The meeting's people slides' frames from the queries' results (no money in any)."""
    here = found["here"]
    seats = {role: (int(here.loc[here["role"] == role, "attended"].sum()),
                    int((here["role"] == role).sum())) for role in ("tech", "sales")}
    came = here[here["attended"].astype(bool)]
    who = came.assign(here=["First time!" if first else "" for first in came["first_time"]],
                      branch=came["branch"].fillna("Sales"))
    after = found["after_meeting"]
    return {
        "who_was_here": who.reset_index(drop=True),
        "attendance": found["attendance"].fillna({"branch": "Sales reps"}),
        "attendance_people": found["attendance_people"].fillna({"branch": "Sales"}),
        "after_meeting": after.reset_index(drop=True),
        "readiness": readiness_by_branch(found["readiness"]),
        "seats": seats,
    }


def readiness_by_branch(techs: pd.DataFrame) -> pd.DataFrame:
    """queries/meeting_readiness.sql's techs summed per branch: active techs, those who have
    earned a first reward, those who have not yet and their names."""
    rows = []
    for branch, part in techs.groupby("branch", sort=True):
        earned = part["earned_first_reward"].astype(bool)
        rows.append({"branch": branch, "active_techs": len(part), "earned": int(earned.sum()),
                     "not_yet": int((~earned).sum()),
                     "who_not_yet": ", ".join(tech_labels(part[~earned]))})
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS["readiness"]))


def after_meeting_average(m: Meeting) -> tuple[float | None, float | None]:
    """Leads per tech in the 30 days after a meeting they came to, and after one they missed,
    over every tech's meetings of the trend's months."""
    frame = m.after_meeting
    averages = []
    for count, mean in (("meetings_attended", "leads_after_attended"),
                        ("meetings_missed", "leads_after_missed")):
        n = frame[count].sum() if len(frame) else 0
        total = (frame[count] * frame[mean].fillna(0)).sum() if len(frame) else 0
        averages.append(float(total / n) if n else None)
    return averages[0], averages[1]


# --- the slides ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slide:
    """One slide: what it is (`key`), its title and one line under it, and for a table slide
    the rows of this part (`part` of `parts`), cut from the whole table when first asked for."""

    key: str
    title: str
    subtitle: str
    # The slide's whole table (None: no table, or a lead list not fetched: see slide_rows).
    table: pd.DataFrame | None = field(default=None, repr=False, compare=False)
    part: int = 1
    parts: int = 1
    rows_per_slide: int = ROWS_PER_SLIDE

    @cached_property
    def rows(self) -> pd.DataFrame | None:
        """This part's rows. Cut on demand: at 1M leads a meeting has over a thousand table
        slides (everyone's attendance, twelve to a slide), and the page shows one of them."""
        if self.table is None:
            return None
        first = (self.part - 1) * self.rows_per_slide
        return self.table.iloc[first:first + self.rows_per_slide].reset_index(drop=True)


def _seats_line(m: Meeting) -> str:
    techs, sales = m.seats.get("tech", (0, 0)), m.seats.get("sales", (0, 0))
    first = int(m.who_was_here["first_time"].sum()) if len(m.who_was_here) else 0
    return (f"{techs[0]:,} of {techs[1]:,} techs and {sales[0]:,} of {sales[1]:,} sales reps "
            f"came; {first:,} for the first time")


def _after_line(m: Meeting) -> str:
    came, missed = after_meeting_average(m)
    return (f"Leads per tech in the 30 days after a meeting: {text('decimal', came)} after one "
            f"they came to, {text('decimal', missed)} after one they missed.")


def _subtitles(m: Meeting) -> dict[str, tuple[str, str]]:
    month, year = m.month_label, metrics.period_label(m.year)
    trend_period = metrics.period_label(m.trend_filters)
    won = "won deals" if m.privacy else "won revenue"
    return {
        "numbers": (f"{long_month(m.filters.start)} in numbers",
                    f"Against {month_label(m.previous.start)} and "
                    f"{month_label(m.last_year.start)}"),
        "top_month": (f"Top lead generators of {month}",
                      f"Most leads submitted, and most {won}, in {month}"),
        "top_year": (f"Top lead generators of {m.filters.start.year} so far",
                     f"Most leads submitted, and most {won}, {year}"),
        "first_timers": ("First-time contributors",
                         f"Techs whose first lead ever came in {month}: welcome!"),
        "biggest_wins": (f"Biggest wins of {month}",
                         f"The {BIGGEST_WINS} largest deals won in {month}, "
                         "and the tech who found each"),
        "closed": ("Closing the loop",
                   f"Every lead closed in {month} by tech: {m.closed_won:,} won, "
                   f"{m.closed_lost:,} lost"),
        "awaiting": ("Leads waiting for a first call",
                     f"By sales rep, longest waiting first, as of {text('date', m.as_of)}"),
        "speed": ("Speed to first contact by sales rep",
                  f"Days from submission to sales' first call, leads of {month}"),
        "by_type": ("Conversion by lead type",
                    f"Leads submitted in {month}; recent leads are still maturing"),
        "who_was_here": (f"Who was here in {month}", _seats_line(m)),
        "attendance": ("Meeting attendance by branch",
                       f"Seats filled at the monthly meeting, {trend_period}"),
        "attendance_people": ("Meeting attendance by person",
                              f"Meetings each tech and sales rep came to, {trend_period}"),
        "after_meeting": ("Leads after a meeting",
                          _after_line(m) + " Association, not cause: techs who come may be the "
                          "ones who would bring leads anyway."),
        "readiness": ("Ready for an optional meeting",
                      "Active techs who have earned a first reward (the meeting can become "
                      "optional for them), and who has not yet"),
        "trend": ("The last 12 months",
                  f"Leads, outcomes and conversion per month, "
                  f"{metrics.period_label(m.trend_filters)}"),
    }


# The slides in meeting order: numbers, recognition, closing the loop, follow-up, conversion.
SLIDE_ORDER = ("numbers", "top_month", "top_year", "first_timers", "biggest_wins", "closed",
               "awaiting", "speed", "by_type", "trend", "who_was_here", "attendance",
               "attendance_people", "after_meeting", "readiness")
TABLE_SLIDES = frozenset(TABLE_COLUMNS)


def part_title(title: str, part: int, parts: int) -> str:
    """A long table's slide: 'Closing the loop (1/3,181)', counted as the slide counter is."""
    return f"{title} ({part:,}/{parts:,})" if parts > 1 else title


def slides(m: Meeting, rows_per_slide: int = ROWS_PER_SLIDE) -> list[Slide]:
    """The meeting as slides; a long table continues on the next slide ('Closing the loop (2/3)')."""
    found = []
    titles = _subtitles(m)
    for key in SLIDE_ORDER:
        title, subtitle = titles[key]
        if key not in TABLE_SLIDES:
            found.append(Slide(key, title, subtitle))
            continue
        table = m.table(key) if getattr(m, key) is not None else None
        parts = max(1, math.ceil(m.size(key) / rows_per_slide))
        for part in range(1, parts + 1):
            shown = part_title(title, part, parts)
            found.append(Slide(key, shown, subtitle, table, part, parts, rows_per_slide))
    return found


def empty_note(m: Meeting, key: str) -> str:
    """What a slide says when it has nothing to show."""
    scope = f" for {m.scope}" if m.filters.branches else ""
    month = m.month_label
    return {
        "top_month": f"No leads in {month}{scope}",
        "top_year": f"No leads in {metrics.period_label(m.year)}{scope}",
        "first_timers": f"No first-time contributor in {month}{scope}",
        "biggest_wins": f"No deal won in {month}{scope}",
        "closed": f"No lead closed in {month}{scope}",
        "awaiting": f"Every lead{scope} has had a first call",
        "speed": f"No leads in {month}{scope}",
        "by_type": f"No leads in {month}{scope}",
        "trend": f"No leads in {metrics.period_label(m.trend_filters)}{scope}",
        "who_was_here": f"No meeting attendance recorded for {month}{scope}",
        "attendance": f"No meeting attendance recorded in "
                      f"{metrics.period_label(m.trend_filters)}{scope}",
        "attendance_people": f"No meeting attendance recorded in "
                             f"{metrics.period_label(m.trend_filters)}{scope}",
        "after_meeting": f"No tech expected at a meeting in "
                         f"{metrics.period_label(m.trend_filters)}{scope}",
        "readiness": f"No active tech on the roster{scope}",
    }.get(key, f"Nothing in {month}{scope}")


def rows_caption(slide: Slide, total: int) -> str:
    """What part of a table a slide shows, with its unit: 'Rows 13–24 of 209 (leads)'."""
    unit = {"first_timers": "techs", "biggest_wins": "deals", "who_was_here": "people",
            "attendance": "branches", "attendance_people": "people", "after_meeting": "techs",
            "readiness": "branches"}.get(slide.key, "leads")
    if not total:
        return f"None this month ({unit})"
    first = (slide.part - 1) * slide.rows_per_slide + 1
    last = min(first + slide.rows_per_slide - 1, total)
    if slide.parts == 1:
        return f"All {total:,} ({unit})"
    return f"Rows {first:,}–{last:,} of {total:,} ({unit})"


def cells(frame: pd.DataFrame) -> list[list[str]]:
    """A table's rows as the text people read."""
    return [[cell(c, v) for c, v in zip(frame.columns, row, strict=True)]
            for row in frame.itertuples(index=False)]


def headers(frame: pd.DataFrame) -> list[str]:
    return [LABELS.get(c, c) for c in frame.columns]


def lead_type_label(value) -> str:
    """A lead type's label ('New equipment')."""
    if missing(value):
        return contract.LEAD_TYPE_LABELS["other"]
    return contract.LEAD_TYPE_LABELS.get(str(value), str(value))


def _slowest_first(frame: pd.DataFrame) -> pd.DataFrame:
    """Reps by median days to contact, slowest first (none contacted yet: slowest of all)."""
    inf = float("inf")
    return (frame.assign(_m=frame["median_days_to_contact"].astype(float).fillna(inf),
                         _p=frame["p90_days_to_contact"].astype(float).fillna(inf))
            .sort_values(["_m", "_p", "dimension_value"], ascending=[False, False, True])
            .drop(columns=["_m", "_p"]).reset_index(drop=True))


def in_type_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Lead types in the contract's order (the order of every lead-type chart)."""
    rank = [contract.lead_type_rank(v) for v in frame["dimension_value"]]
    return (frame.assign(_rank=rank).sort_values(["_rank", "dimension_value"])
            .drop(columns="_rank").reset_index(drop=True))

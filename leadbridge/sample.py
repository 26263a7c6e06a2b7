"""Synthetic company: the exports of a fictional commercial HVAC and refrigeration service firm.

`generate()` writes the six files LeadBridge reads (technician roster, leads, CRM outcomes, reward
payouts, jobs and meeting attendance) for Harborline Mechanical, a made-up service company with
four branches in southern New England. Every value is drawn with numpy from one seeded
generator, whole arrays at a time, so the same seed gives the same bytes and the cost grows
linearly with techs x months. A handful of bad rows is planted on purpose (`PLANNED_REJECTS`,
`PLANNED_QUALITY_ITEMS`) so that a first import shows what rejects and data-quality items look
like.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

DEFAULT_SEED = 7
COMPANY = "Harborline Mechanical"

# Lead IDs are "L-" + (base + sequence number), so lead number 12 is always L-100012 whatever the
# size of the run; this keeps the IDs of the planted rows fixed.
LEAD_NUMBER_BASE = 100_000
# Excel holds about 1M rows and xlsxwriter needs seconds per 100k rows: bigger runs write CSV.
XLSX_MAX_LEADS = 100_000
# The planted rows use lead numbers below this, so a run with bad rows needs at least this many.
PLAN_MIN_LEADS = 400
MAX_MONTHS = 1200  # job days are sorted as 16-bit offsets from the first day
OUTCOME_HEADERS = ("Lead ID", "Stage", "First Contact Date", "Close Date", "Closed Won Amount",
                   "Gross Profit", "Sales Rep", "Lost Reason", "Last Modified")

BRANCHES = ("Boston", "Hartford", "Providence", "Worcester")
BRANCH_SHARE = (0.34, 0.24, 0.20, 0.22)
BRANCH_REGION = ("Massachusetts", "Southern New England", "Southern New England", "Massachusetts")
BRANCH_MANAGER = ("Rick Donnelly", "Sandra Ortiz", "Paul Nguyen", "Maureen Kelly")
# Two sales reps per branch, in branch order; each has a typical speed to first contact.
SALES_REPS = ("Dana Whitaker", "Marcus Bell", "Priya Raman", "Tom Kowalczyk",
              "Elena Ruiz", "Greg Lindqvist", "Aisha Thompson", "Kevin Brody")
REP_FAST_SPEED = (0.10, 0.45, 0.20, 0.55, 0.15, 0.35, 0.30, 0.60)  # extra days ~ Binomial(4, p)
REP_SLOW_SHARE = (0.05, 0.17, 0.08, 0.21, 0.07, 0.12, 0.10, 0.19)  # first touched after 8+ days
NEVER_CONTACTED_SHARE = 0.3  # of a rep's slow leads, the part never contacted at all
REP_ATTENDANCE = (0.70, 0.92)  # range of a rep's chance to attend the monthly meeting

FIRST_NAMES = (
    "James", "Maria", "Robert", "Linda", "Michael", "Patricia", "David", "Jennifer", "Carlos",
    "Elizabeth", "Joseph", "Susan", "Thomas", "Jessica", "Daniel", "Karen", "Matthew", "Nancy",
    "Anthony", "Lisa", "Mark", "Angela", "Steven", "Michelle", "Paul", "Kimberly", "Andrew",
    "Donna", "Joshua", "Carol", "Kevin", "Rachel", "Brian", "Amanda", "José", "Sean", "Tyler",
    "Nicole", "Ryan", "Megan", "Jason", "Erin", "Luis", "Heather", "Derek", "Tanya", "Marco",
    "Shawn", "Victor", "Colleen",
)
LAST_NAMES = (
    "Murphy", "Sullivan", "Silva", "Nguyen", "Kowalski", "Rossi", "O'Connor", "Patel", "Medeiros",
    "Fitzgerald", "Brennan", "Costa", "Walsh", "Gagnon", "Ramirez", "Pereira", "Doyle", "Kelly",
    "Lynch", "Moreau", "Santos", "Carroll", "Bergeron", "Russo", "Morales", "Chen", "Dufresne",
    "Haddad", "Quinn", "McCarthy", "Tavares", "Ferreira", "Leblanc", "Romano", "Hughes", "Reilly",
    "Ortiz", "Almeida", "Carvalho", "Phan", "Kennedy", "Barros", "Cote", "Mahoney", "Delgado",
    "Souza", "Flanagan", "Thibodeau", "Greene", "Marino",
)
CUSTOMER_PLACES = (
    "Harbor", "Summit", "Maple", "Granite", "Riverside", "Beacon", "Elm Street", "Oak Hill",
    "Bay State", "Charter", "Commonwealth", "Union", "Liberty", "Pioneer", "Mill River", "Cedar",
    "Northgate", "Southside", "Westfield", "Eastview", "Lakeside", "Hillcrest", "Brookline",
    "Chestnut", "Pine Ridge", "Stonebridge", "Kingston", "Fairview", "Meadowbrook", "Blackstone",
    "Narragansett", "Quinebaug", "Wachusett", "Valley", "Pawtucket", "Main Street", "Federal Hill",
    "Back Bay", "Seaport", "Trinity", "Coventry", "Shrewsbury", "Canal", "Station", "Old Mill",
    "Red Barn", "Blue Heron", "Golden", "Silver Lake", "Iron Horse", "Copper Kettle",
    "Cornerstone", "Keystone", "Heritage", "Patriot", "Colonial", "Minuteman", "Yankee", "Whaler",
    "Lighthouse",
)
CUSTOMER_KINDS = (
    "Bakery", "Diner", "Pizzeria", "Grocery", "Market", "Pharmacy", "Dental Group",
    "Medical Center", "Clinic", "Hotel", "Inn", "Brewing Co.", "Coffee Roasters", "Fitness Club",
    "Ice Arena", "Cold Storage", "Seafood", "Deli", "Steakhouse", "Bistro", "Supermarket",
    "Office Park", "Academy", "Library", "Animal Hospital", "Florist", "Creamery", "Catering",
    "Auto Body", "Data Center", "Labs", "Tavern", "Bowling Center", "Cinema", "Senior Living",
    "Daycare", "Church", "Wine & Spirits", "Butcher Shop", "Car Wash",
)

# Lead types in contract.LEAD_TYPES order; the last one (other) is only used for planted leads.
TYPE_SHARE = (0.30, 0.18, 0.07, 0.11, 0.10, 0.24)
TYPE_WORDS = (
    ("Upsell", "Model Upgrade"),
    ("New Equipment", "Replacement"),
    ("Additional Site",),
    ("Competitor",),
    ("At Risk",),
    ("Maintenance Plan",),
    ("Referral",),
)
TYPE_VALUE = ((1000, 3000), (8000, 15000), (8000, 15000), (2000, 8000), (1000, 5000),
              (1000, 4000), (2000, 10000))  # estimated value range in dollars
TYPE_WIN = (0.80, 0.70, 0.66, 0.72, 0.76, 0.86, 0.62)  # chance a contacted lead is won
TYPE_CLOSE_DAYS = ((7, 35), (14, 56), (21, 56), (7, 42), (7, 28), (7, 35), (7, 42))
TYPE_NOTES = (
    ("Customer asked about a higher-efficiency model",
     "Unit is 12 years old, customer open to an upgrade",
     "Compressor running hot; suggested the variable-speed model",
     "Owner wants quieter condensers by the patio, asked for pricing",
     "Asked about smart thermostats for all zones",
     "Walk-in cooler controls are outdated, an upgrade would cut energy costs"),
    ("Rooftop unit failing, replacement recommended",
     "Ice machine beyond repair, needs a new unit",
     "Cracked heat exchanger on the boiler, customer wants a replacement quote",
     "Reach-in freezer at end of life, manager wants options",
     "Chiller needs replacing before summer per the facilities manager"),
    ("Opening a second location in the spring, wants the same setup",
     "Customer expanding to a new site and asked us to quote HVAC",
     "Owner mentioned a new store, needs a refrigeration quote",
     "Buying the building next door, will need equipment"),
    ("Competitor quoted a cheaper service contract",
     "Customer got a bid from another company, wants us to match",
     "Saw a competitor's van on site; manager is shopping around",
     'Manager said a competitor offered "free" maintenance visits'),
    ("Customer unhappy with response times, wants a call from sales",
     "Complaint about repeat repairs on the same unit",
     "Manager frustrated with billing, at risk of cancelling",
     "Unhappy with the last install, asked for someone to follow up"),
    ("No maintenance plan, interested in quarterly visits",
     "Asked about a preventive maintenance contract for all units",
     "Maintenance plan expired last month, customer wants to renew",
     "Interested in a service agreement covering the kitchen equipment"),
    ("Customer referred a friend who owns a restaurant",),
)
OTHER_TYPE = 6

LOSS_REASONS = ("Price", "Went with competitor", "No budget", "Timing", "No response",
                "Chose to repair")
LOSS_SHARE = (0.24, 0.20, 0.18, 0.16, 0.12, 0.10)
DUPLICATE_REASON = "Duplicate lead"
CANCEL_REASON = "Order cancelled"
STALE_REASON = "Never contacted"
# What sales writes for the reward farmer's junk leads (see _farm_rewards).
NOT_REAL_REASONS = ("No need", "Not interested")
# The CRM closes a lead nobody ever contacted this many days after submission (lost, STALE_REASON),
# so only recent uncontacted leads still wait, as in a CRM that is looked after.
STALE_CLOSE_DAYS = 90
STAGES = ("New", "Working", "Appointment Set", "Quote Sent", "Closed Won", "Closed Lost")
NEW, WORKING, APPOINTMENT, QUOTE, WON, LOST = range(6)

# Lead volume: a tech's monthly rate is scale * (floor + an exponential quantile), which averages
# about 7 leads a month and gives the top fifth of techs about 40% of the leads.
LEAD_RATE_SCALE = 4.35
LEAD_RATE_FLOOR = 0.61
SEASON_AMPLITUDE = 0.12  # mild summer peak of the cooling season
TECH_WIN_SD = 0.15  # spread of a tech's lead quality, as a shift in log-odds of winning
JOB_RATE_SPREAD = 0.08  # techs run jobs_per_month +- 8%
TECH_ATTENDANCE = (0.70, 0.95)  # range of a tech's chance to attend the monthly meeting
LEFT_BEFORE_SHARE = 0.05  # techs on the roster, inactive, who left before the period
LEFT_DURING_SHARE = 0.025  # techs who left during the period (at least one)
HIRED_DURING_SHARE = 0.10  # techs hired during the period
WORK_MINUTES = (11 * 60, 23 * 60)  # jobs complete between 11:00 and 23:00 UTC (7am-7pm local)
NEXT_DAY_SHARE = 0.15  # leads typed in the day after the job

BLANK_BRANCH_SHARE = 0.03  # leads with an empty Business Unit (branch comes from the roster)
BLANK_VALUE_SHARE = 0.04  # leads without an estimate
BLANK_REP_SHARE = 0.04  # leads not yet assigned to a rep in the field tool
BLANK_JOB_SHARE = 0.03  # leads without a job number
BLANK_NOTES_SHARE = 0.06  # leads typed without notes
CRM_NEW_SHARE = 0.5  # uncontacted leads that have a "New" CRM row; the rest are absent
DUPLICATE_FLAG_SHARE = 0.015  # leads sales closes as duplicates of an existing opportunity
CANCEL_SHARE = 0.05  # won orders cancelled afterwards (the win reward is clawed back)
REVENUE_SPREAD = (0.80, 1.25)  # won revenue / estimate
MARGIN_SHARE = (0.25, 0.40)  # gross margin / revenue

SUBMIT_SPIFF_CENTS = 2500
WIN_SPIFF_CENTS = 10000
WIN_SPIFF_RATE = 0.01  # of revenue
PAYDAY = 15  # rewards are paid on the 15th of the month after the event
SUBMIT_REASON = "Lead submitted"
WIN_REASON = "Lead won"
DUPLICATE_CLAWBACK = "Clawback - duplicate lead"
CANCEL_CLAWBACK = "Clawback - cancelled order"

FAR = 10**9  # a day number meaning "never" (far after any real day)


def _lead_key(number: int) -> str:
    """The lead ID of a lead number (12 -> L-100012)."""
    return f"L-{LEAD_NUMBER_BASE + number}"


# Lead numbers of the planted rows (see PLANNED_REJECTS and PLANNED_QUALITY_ITEMS).
NO_TECH, BAD_DATE, SHORT_YEAR, NEGATIVE_VALUE, REENTERED = 12, 25, 38, 51, 64
WON_NO_AMOUNT, UNKNOWN_STAGE, LOST_NO_DATE = 77, 90, 103
ORPHAN_TYPOS = (116, 129)  # outcome rows keyed with a digit dropped: L-10116, L-10129
EARLY_CONTACTS = (142, 155)
NA_SPIFF, PAYOUT_TYPO = 168, 181
REFERRALS = (194, 207)
DUPLICATE_PAIRS = ((220, 223), (300, 302), (380, 384))
REJECTED_LEADS = (NO_TECH, BAD_DATE, SHORT_YEAR, NEGATIVE_VALUE)


def _typo_key(number: int) -> str:
    """A lead ID with a zero dropped, which matches no lead (116 -> L-10116)."""
    digits = str(LEAD_NUMBER_BASE + number)
    return f"L-{digits[:1]}{digits[2:]}"


PLANNED_REJECTS: list[dict[str, str]] = [
    {"table": "leads", "lead_or_key": _lead_key(NO_TECH), "column": "tech_id",
     "problem": "empty Technician ID"},
    {"table": "leads", "lead_or_key": _lead_key(BAD_DATE), "column": "submitted_at",
     "problem": "impossible date 02/30/YYYY"},
    {"table": "leads", "lead_or_key": _lead_key(SHORT_YEAR), "column": "submitted_at",
     "problem": "two-digit year MM/DD/YY"},
    {"table": "leads", "lead_or_key": _lead_key(NEGATIVE_VALUE), "column": "estimated_value",
     "problem": "negative Est. Value -$500.00"},
    {"table": "outcomes", "lead_or_key": _lead_key(WON_NO_AMOUNT), "column": "revenue",
     "problem": "Closed Won without a Closed Won Amount"},
    {"table": "outcomes", "lead_or_key": _lead_key(UNKNOWN_STAGE), "column": "status",
     "problem": "unknown stage 'Maybe later'"},
    {"table": "outcomes", "lead_or_key": _lead_key(LOST_NO_DATE), "column": "closed_at",
     "problem": "Closed Lost without a Close Date"},
    {"table": "payouts", "lead_or_key": _lead_key(NA_SPIFF), "column": "amount",
     "problem": "Spiff is 'n/a'"},
]

PLANNED_QUALITY_ITEMS: list[dict[str, str]] = [
    {"table": "leads", "lead_or_key": _lead_key(REENTERED), "column": "lead_id",
     "problem": "superseded: re-entered at the end of the file with the Est. Value corrected"},
    *({"table": "outcomes", "lead_or_key": _typo_key(n), "column": "lead_id",
       "problem": "orphan outcome: Lead ID matches no lead (a digit dropped)"}
      for n in ORPHAN_TYPOS),
    *({"table": "outcomes", "lead_or_key": _lead_key(n), "column": "contacted_at",
       "problem": "First Contact Date before the lead's submission"} for n in EARLY_CONTACTS),
    {"table": "payouts", "lead_or_key": _typo_key(PAYOUT_TYPO), "column": "lead_id",
     "problem": "payout for an unknown lead (a digit dropped)"},
]

# Story items present in every run (not bad rows): possible duplicates and an unknown lead type.
POSSIBLE_DUPLICATES: list[tuple[str, str]] = [(_lead_key(a), _lead_key(b))
                                              for a, b in DUPLICATE_PAIRS]
UNKNOWN_TYPE_LEADS: list[str] = [_lead_key(n) for n in REFERRALS]


def generate(out_dir: Path, techs: int = 40, months: int = 24, seed: int = DEFAULT_SEED,
             end_month: str = "2026-10", bad_rows: bool = True,
             jobs_per_month: int = 90, excel: bool | None = None) -> dict[str, Path]:
    """Write a fictional service company's exports into out_dir; return table name -> file path."""
    if techs < 1 or not 1 <= months <= MAX_MONTHS or jobs_per_month < 1:
        raise ValueError(f"techs and jobs_per_month must be at least 1, months 1 to {MAX_MONTHS}")
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", end_month):
        raise ValueError(f"end_month must look like 2026-10, got {end_month!r}")
    rng = np.random.default_rng(seed)
    cal = _calendar(end_month, months)
    roster = _roster(rng, techs, cal)
    jobs = _jobs(rng, roster, cal, jobs_per_month)
    leads = _leads(rng, roster, jobs, cal)
    n_leads = len(leads["day"])
    if bad_rows:
        if n_leads < PLAN_MIN_LEADS:
            raise ValueError(f"bad_rows needs at least {PLAN_MIN_LEADS} leads and this run has "
                             f"{n_leads}: add techs or months, or pass bad_rows=False")
        leads["value_blank"][REENTERED - 1] = False  # the re-entry corrects its estimate
    farmer, buncher = _quality_story_techs(roster, cal)
    _bunch_at_month_end(leads, buncher, cal)
    sales = _sales(rng, roster, leads, cal, bad_rows)
    _farm_rewards(leads, sales, farmer, cal)
    attendance = _attendance(rng, roster, cal)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if excel is None:
        excel = n_leads <= XLSX_MAX_LEADS
    paths = {
        "techs": out_dir / "technicians.csv",
        "leads": out_dir / "leads.csv",
        "outcomes": out_dir / ("outcomes.xlsx" if excel else "outcomes.csv"),
        "payouts": out_dir / "payouts.csv",
        "jobs": out_dir / "jobs.csv",
        "attendance": out_dir / "attendance.csv",
    }
    # A stale outcomes file of the other format would be imported beside the new one.
    (out_dir / ("outcomes.csv" if excel else "outcomes.xlsx")).unlink(missing_ok=True)
    _write_csv(paths["techs"], _roster_columns(roster, cal))
    _write_csv(paths["leads"], _lead_columns(roster, leads, bad_rows))
    outcomes = _outcome_rows(leads, sales, bad_rows)
    if excel:
        _write_outcomes_xlsx(paths["outcomes"], outcomes, cal)
    else:
        _write_csv(paths["outcomes"], _outcome_columns(outcomes))
    _write_csv(paths["payouts"], _payout_columns(roster, leads, sales, cal, bad_rows))
    _write_csv(paths["jobs"], _job_columns(roster, jobs, cal))
    _write_csv(paths["attendance"], _attendance_columns(roster, attendance))
    _write_reward_policy(out_dir)
    return paths


# ---- calendar -------------------------------------------------------------------------------


def _calendar(end_month: str, months: int) -> dict:
    """Month boundaries as day numbers (days since 1970-01-01), the export day and seasonality."""
    end = np.datetime64(end_month, "M")
    month = end - np.arange(months - 1, -1, -1)
    starts = np.append(month, end + 1).astype("datetime64[D]").astype(np.int64)
    month_of_year = month.astype(np.int64) % 12 + 1
    season = 1 + SEASON_AMPLITUDE * np.cos(2 * np.pi * (month_of_year - 7) / 12)
    meeting = np.busday_offset(month.astype("datetime64[D]"), 1, roll="forward", weekmask="Tue")
    return {"starts": starts, "start": int(starts[0]), "as_of": int(starts[-1]) - 1,
            "season": season, "meetings": meeting.astype(np.int64)}


def _payday_after(days: np.ndarray) -> np.ndarray:
    """The payroll day (the 15th of the next month) that pays an event of each day."""
    month = np.minimum(days, FAR - 1).astype("datetime64[D]").astype("datetime64[M]")
    paid = (month + 1).astype("datetime64[D]").astype(np.int64) + PAYDAY - 1
    return np.where(days >= FAR, FAR, paid)


# ---- company --------------------------------------------------------------------------------


def _roster(rng: np.random.Generator, n: int, cal: dict) -> dict:
    """The techs: ID, name, branch, hire and leave days, lead rate, lead quality, job rate."""
    start, as_of = cal["start"], cal["as_of"]
    span = as_of + 1 - start
    number = np.sort(rng.choice(np.arange(100, 100 + 25 * n), size=n, replace=False))
    combos = len(FIRST_NAMES) * len(LAST_NAMES)
    name = rng.choice(combos, size=n, replace=n > combos)
    branch = rng.choice(len(BRANCHES), size=n, p=BRANCH_SHARE)
    hire = start - rng.integers(60, 12 * 365, size=n)
    leave = np.full(n, as_of + 1)  # first day no longer employed
    role = rng.permutation(n)
    n_before = round(LEFT_BEFORE_SHARE * n)
    n_during = max(1, round(LEFT_DURING_SHARE * n))
    n_hired = max(1, round(HIRED_DURING_SHARE * n)) if n > 2 else 0
    before = role[:n_before]
    during = role[n_before:n_before + n_during]
    hired = role[n_before + n_during:n_before + n_during + n_hired]
    leave_before = start - rng.integers(30, 700, size=n)
    leave[before] = leave_before[before]
    hire[before] = np.minimum(hire, leave_before - rng.integers(365, 6 * 365, size=n))[before]
    leave_during = start + (span * rng.uniform(0.40, 0.75, size=n)).astype(np.int64)
    leave[during] = leave_during[during]
    hire_during = start + (span * rng.uniform(0.05, 0.85, size=n)).astype(np.int64)
    hire[hired] = hire_during[hired]
    quantile = (rng.permutation(n) + 0.5) / n
    return {
        "n": n,
        "id": _padded(number, max(4, len(str(100 + 25 * n)))),
        "name": _concat(pa.array(FIRST_NAMES).take(pa.array(name % len(FIRST_NAMES))), " ",
                        pa.array(LAST_NAMES).take(pa.array(name // len(FIRST_NAMES)))),
        "branch": branch,
        "hire": hire,
        "leave": leave,
        "lead_rate": LEAD_RATE_SCALE * (LEAD_RATE_FLOOR - np.log1p(-quantile)),
        "win_shift": rng.normal(0, TECH_WIN_SD, size=n),
        "job_rate": rng.uniform(1 - JOB_RATE_SPREAD, 1 + JOB_RATE_SPREAD, size=n),
        "attend": rng.uniform(*TECH_ATTENDANCE, size=n),
    }


def _work_windows(roster: dict, cal: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (month, tech) cell, month-major: first employed day, days employed, share of month."""
    starts = cal["starts"]
    lo = np.maximum(starts[:-1, None], roster["hire"][None, :])
    hi = np.minimum(starts[1:, None], roster["leave"][None, :])
    days = np.clip(hi - lo, 0, None)
    share = days / np.diff(starts)[:, None]
    return lo.ravel(), days.ravel(), share.ravel()


def _weekday_days(rng: np.random.Generator, lo: np.ndarray, days: np.ndarray) -> np.ndarray:
    """A random day in [lo, lo + days) per row, moved off the weekend when the window allows."""
    day = lo + (rng.random(len(lo)) * days).astype(np.int64)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    moved = day + np.where(weekday == 5, -1, 0) + np.where(weekday == 6, 1, 0)
    return np.where((moved >= lo) & (moved < lo + days), moved, day)


def _jobs(rng: np.random.Generator, roster: dict, cal: dict, per_month: int) -> dict:
    """Service jobs run, in completion order: tech, day, time slot, and per-cell offsets."""
    lo, days, share = _work_windows(roster, cal)
    n_months = len(cal["season"])
    rate = per_month * np.tile(roster["job_rate"], n_months) * share
    count = rng.poisson(rate)
    cell = np.repeat(np.arange(len(count)), count)
    day = _weekday_days(rng, lo[cell], days[cell])
    slot = rng.integers(0, (WORK_MINUTES[1] - WORK_MINUTES[0]) // 5, size=len(cell))
    # Two stable 16-bit passes (slot, then day) sort 13M jobs by time in well under a second.
    by_slot = np.argsort(slot.astype(np.uint16), kind="stable")
    order = by_slot[np.argsort((day[by_slot] - cal["start"]).astype(np.uint16), kind="stable")]
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return {"cell": cell, "day": day, "slot": slot, "order": order, "rank": rank,
            "count": count, "first": np.cumsum(count) - count, "lo": lo, "days": days,
            "share": share}


def _leads(rng: np.random.Generator, roster: dict, jobs: dict, cal: dict) -> dict:
    """Leads in submission order: tech, day, job, type, value, customer, rep and notes."""
    n_techs = roster["n"]
    rate = (roster["lead_rate"][None, :] * cal["season"][:, None]).ravel() * jobs["share"]
    cell = np.repeat(np.arange(len(rate)), rng.poisson(rate))
    n_jobs = jobs["count"][cell]
    job = jobs["first"][cell] + (rng.random(len(cell)) * n_jobs).astype(np.int64)
    job = np.where(n_jobs > 0, job, -1)
    lo, days = jobs["lo"][cell], jobs["days"][cell]
    day = np.where(job >= 0, jobs["day"][np.maximum(job, 0)], _weekday_days(rng, lo, days))
    next_day = (rng.random(len(cell)) < NEXT_DAY_SHARE) & (day + 1 < lo + days)
    day = day + next_day
    job_rank = np.where(job >= 0, jobs["rank"][np.maximum(job, 0)], -1)
    order = np.lexsort((job_rank, day))
    tech = (cell % n_techs)[order]
    day = day[order]
    job_rank = job_rank[order]
    n = len(order)

    kind = rng.choice(len(TYPE_SHARE), size=n, p=TYPE_SHARE)
    kind[[r - 1 for r in REFERRALS if r <= n]] = OTHER_TYPE
    branch = roster["branch"][tech]
    customer, n_customers = _customers(rng, branch, kind, day)
    for a, b in DUPLICATE_PAIRS:  # a fresh customer with exactly these two same-type leads
        if b <= n:
            customer[[a - 1, b - 1]] = n_customers
            kind[b - 1] = kind[a - 1]
            n_customers += 1
    low, high = np.array(TYPE_VALUE).T
    value = ((low[kind] + rng.random(n) * (high[kind] - low[kind])) // 50 * 5000).astype(np.int64)
    return {
        "n_jobs": len(jobs["order"]),
        "tech": tech,
        "day": day,
        "job_rank": np.where(rng.random(n) < BLANK_JOB_SHARE, -1, job_rank),
        "kind": kind,
        "word": _choose_within(rng, TYPE_WORDS, kind),
        "value": value,
        "value_blank": rng.random(n) < BLANK_VALUE_SHARE,
        "branch_blank": rng.random(n) < BLANK_BRANCH_SHARE,
        "customer": customer,
        "customer_names": _customer_names(rng, n_customers),
        "rep": branch * 2 + rng.integers(0, 2, size=n),
        "rep_blank": rng.random(n) < BLANK_REP_SHARE,
        "note": np.where(rng.random(n) < BLANK_NOTES_SHARE, -1,
                         _choose_within(rng, TYPE_NOTES, kind)),
    }


def _choose_within(rng: np.random.Generator, groups: tuple[tuple[str, ...], ...],
                   group: np.ndarray) -> np.ndarray:
    """A random index into the flattened groups, within each row's group."""
    size = np.array([len(g) for g in groups])
    first = np.cumsum(size) - size
    return first[group] + (rng.random(len(group)) * size[group]).astype(np.int64)


def _customers(rng: np.random.Generator, branch: np.ndarray, kind: np.ndarray,
               day: np.ndarray) -> tuple[np.ndarray, int]:
    """Each lead's customer number from its branch's customers, and the number of customers.

    A lead that would repeat a customer and lead type within 30 days gets a new customer, so the
    only possible duplicates are the planted ones.
    """
    n = len(branch)
    per_branch = np.bincount(branch, minlength=len(BRANCHES))
    pool = np.maximum(10, np.ceil(per_branch / 4)).astype(np.int64)  # ~4 leads per customer
    first = np.cumsum(pool) - pool
    customer = first[branch] + (rng.random(n) ** 1.3 * pool[branch]).astype(np.int64)
    order = np.lexsort((day, kind, customer))
    c, k, d = customer[order], kind[order], day[order]
    repeat = (c[1:] == c[:-1]) & (k[1:] == k[:-1]) & (d[1:] - d[:-1] <= 30)
    moved = order[1:][repeat]
    total = int(pool.sum())
    customer[np.sort(moved)] = total + np.arange(len(moved))
    return customer, total + len(moved)


def _customer_names(rng: np.random.Generator, n: int) -> pa.Array:
    """Distinct business names for n customers ("Harbor Bakery", later "Harbor Bakery 2")."""
    combos = len(CUSTOMER_PLACES) * len(CUSTOMER_KINDS)
    pick = np.resize(rng.permutation(combos), n)
    place = pa.array(CUSTOMER_PLACES).take(pa.array(pick % len(CUSTOMER_PLACES)))
    kind = pa.array(CUSTOMER_KINDS).take(pa.array(pick // len(CUSTOMER_PLACES)))
    again = np.arange(n) // combos + 1
    suffix = pc.if_else(pa.array(again > 1), _concat(" ", _ints(again)), "")
    return _concat(place, " ", kind, suffix)


# ---- sales follow-up, rewards ---------------------------------------------------------------


def _sales(rng: np.random.Generator, roster: dict, leads: dict, cal: dict, bad_rows: bool) -> dict:
    """What sales did with each lead: contact, outcome, close, revenue, and the CRM stage."""
    n = len(leads["day"])
    as_of = cal["as_of"]
    day, kind, rep = leads["day"], leads["kind"], leads["rep"]
    slow = rng.random(n) < np.array(REP_SLOW_SHARE)[rep]
    never = slow & (rng.random(n) < NEVER_CONTACTED_SHARE)
    fast_delay = 1 + rng.binomial(4, np.array(REP_FAST_SPEED)[rep])
    delay = np.where(slow, rng.integers(8, 33, size=n), fast_delay)
    win_odds = np.log(np.array(TYPE_WIN) / (1 - np.array(TYPE_WIN)))[kind]
    win_chance = 1 / (1 + np.exp(-(win_odds + roster["win_shift"][leads["tech"]])))
    won = rng.random(n) < win_chance
    duplicate = rng.random(n) < DUPLICATE_FLAG_SHARE
    low, high = np.array(TYPE_CLOSE_DAYS).T
    close_delay = low[kind] + (rng.random(n) * (high[kind] - low[kind] + 1)).astype(np.int64)
    duplicate_delay = rng.integers(0, 4, size=n)  # sales spots a duplicate within days
    vlow, vhigh = np.array(TYPE_VALUE).T * 100
    base = np.where(leads["value_blank"], vlow[kind] + rng.random(n) * (vhigh - vlow)[kind],
                    leads["value"])
    revenue = np.round(base * rng.uniform(*REVENUE_SPREAD, size=n)).astype(np.int64)
    margin = np.round(revenue * rng.uniform(*MARGIN_SHARE, size=n)).astype(np.int64)
    cancelled = rng.random(n) < CANCEL_SHARE
    cancel_delay = rng.integers(25, 91, size=n)
    loss = rng.choice(len(LOSS_REASONS), size=n, p=LOSS_SHARE)
    crm_new = rng.random(n) < CRM_NEW_SHARE

    def rows(numbers):
        return [x - 1 for x in numbers if x <= n]

    planted = [WON_NO_AMOUNT, UNKNOWN_STAGE, LOST_NO_DATE, *EARLY_CONTACTS]
    touched = rows(planted) if bad_rows else []
    dups = rows([b for _, b in DUPLICATE_PAIRS])
    plain = rows([WON_NO_AMOUNT, LOST_NO_DATE, NA_SPIFF]) if bad_rows else []
    never[touched + dups] = False
    duplicate[plain] = False
    cancelled[plain] = False
    duplicate[dups] = True
    if bad_rows:  # contacted the next day, closed a week later, so closed in any run
        won[WON_NO_AMOUNT - 1], won[LOST_NO_DATE - 1] = True, False
        delay[touched] = 1
        close_delay[[WON_NO_AMOUNT - 1, LOST_NO_DATE - 1]] = 7
        delay[rows(EARLY_CONTACTS)] = -2

    contact = np.where(never, FAR, day + delay)
    close = contact + np.where(duplicate, duplicate_delay, close_delay)
    won = won & ~duplicate
    cancel = np.where(won & cancelled, close + cancel_delay, FAR)
    win_paid = np.where(won & (close <= as_of), _payday_after(close), FAR)
    win_paid = np.where(cancel < win_paid, FAR, win_paid)  # cancelled before payroll: never paid
    submit_paid = _payday_after(day)
    duplicate_claw = np.where(duplicate & (close <= as_of),
                              _payday_after(np.maximum(close, submit_paid)), FAR)
    cancel_claw = np.where(win_paid < FAR, _payday_after(np.maximum(cancel, win_paid)), FAR)

    contacted = contact <= as_of
    closed = contacted & (close <= as_of)
    cancelled_now = cancel <= as_of
    stage = np.full(n, NEW)
    progress = (as_of - contact) / np.maximum(close - contact, 1)
    stage = np.where(contacted, np.select([progress < 0.35, progress < 0.7], [WORKING, APPOINTMENT],
                                          QUOTE), stage)
    stage = np.where(closed, np.where(won & ~cancelled_now, WON, LOST), stage)
    threshold = np.array([0, 0, 0.35, 0.7, 0, 0])[stage]
    modified = np.select(
        [stage == NEW, stage < WON],
        [day, contact + (threshold * (close - contact)).astype(np.int64)],
        np.where(cancelled_now & won, cancel, close))
    reason = np.where(duplicate, len(LOSS_REASONS), loss)
    reason = np.where(won & cancelled_now, len(LOSS_REASONS) + 1, reason)
    stale = never & (day + STALE_CLOSE_DAYS <= as_of)
    stage = np.where(stale, LOST, stage)
    reason = np.where(stale, len(LOSS_REASONS) + 2, reason)
    modified = np.where(stale, day + STALE_CLOSE_DAYS, modified)
    closed_on = np.where(closed, np.where(won & cancelled_now, cancel, close), FAR)
    return {
        "contact": np.where(contacted, contact, FAR),
        "closed": np.where(stale, day + STALE_CLOSE_DAYS, closed_on),
        "stage": stage,
        "revenue": revenue,
        "margin": margin,
        "reason": reason,
        "modified": modified,
        "has_row": contacted | crm_new | stale,
        "submit_paid": submit_paid,
        "win_paid": win_paid,
        "win_spiff": _win_spiff(revenue),
        "duplicate_claw": duplicate_claw,
        "cancel_claw": cancel_claw,
    }


def _attendance(rng: np.random.Generator, roster: dict, cal: dict) -> dict:
    """Monthly meeting rows (meeting, person) for employed techs, then the reps, and who came."""
    meetings = cal["meetings"]
    day = meetings[:, None]
    employed = (roster["hire"][None, :] <= day) & (roster["leave"][None, :] > day)
    present = np.ones((len(meetings), len(SALES_REPS)), dtype=bool)
    expected = np.hstack([employed, present])
    chance = np.concatenate([roster["attend"], rng.uniform(*REP_ATTENDANCE, size=len(SALES_REPS))])
    came = rng.random(expected.shape) < chance[None, :]
    meeting, person = np.nonzero(expected)
    return {"day": meetings[meeting], "person": person, "came": came[meeting, person]}


# ---- lead quality story: one tech farms rewards with junk leads, one bunches at month end ----

# Leads from this number on may be changed by the story (the planted bad rows and the payroll
# mistakes, from lead 400, come before it).
STORY_FROM = 500


def _quality_story_techs(roster: dict, cal: dict) -> tuple[int | None, int | None]:
    """The reward farmer (the busiest tech employed all along) and the month-end buncher (the
    tech at the middle of the others' lead rates); None when there are not two such techs."""
    steady = np.flatnonzero((roster["hire"] < cal["start"]) & (roster["leave"] > cal["as_of"]))
    if len(steady) < 3:
        return None, None
    by_rate = steady[np.argsort(roster["lead_rate"][steady], kind="stable")]
    return int(by_rate[-1]), int(by_rate[len(by_rate) // 2])


def _story_rows(leads: dict, tech: int | None) -> np.ndarray:
    if tech is None:
        return np.array([], dtype=np.int64)
    rows = np.flatnonzero(leads["tech"] == tech)
    return rows[rows >= STORY_FROM]


def _bunch_at_month_end(leads: dict, tech: int | None, cal: dict) -> None:
    """The buncher holds most leads and types them in over the last 3 days of the month (before
    sales sees them, so every later date follows from the day typed in)."""
    rows = _story_rows(leads, tech)
    rows = rows[(rows % 4) != 0]  # three in four
    day = leads["day"][rows]
    month = np.searchsorted(cal["starts"], day, side="right") - 1
    last = cal["starts"][month + 1] - 1
    moved = np.maximum(day, last - rows % 3)
    # A lead stays put where its new day would come within 30 days of another lead of the same
    # customer and type: the sample's possible duplicates are only the planted pairs.
    key = leads["customer"] * len(TYPE_SHARE) + leads["kind"]
    for i, row in enumerate(rows):
        others = np.flatnonzero((key == key[row]) & (np.arange(len(key)) != row))
        if np.any(np.abs(leads["day"][others] - moved[i]) <= 30):
            moved[i] = day[i]
    leads["day"][rows] = moved


def _farm_rewards(leads: dict, sales: dict, tech: int | None, cal: dict) -> None:
    """The farmer's junk leads: no job behind them, closed lost by sales within days as not real,
    so they earn the submission reward and never a win."""
    rows = _story_rows(leads, tech)
    rows = rows[(rows % 10) != 0]  # nine in ten
    rows = rows[leads["day"][rows] + 6 <= cal["as_of"]]  # recent ones are still open
    day = leads["day"][rows]
    leads["job_rank"][rows] = -1
    sales["contact"][rows] = day + 1
    sales["closed"][rows] = day + 2 + rows % 4
    sales["modified"][rows] = day + 2 + rows % 4
    sales["stage"][rows] = LOST
    sales["reason"][rows] = len(LOSS_REASONS) + 3 + rows % 2
    sales["has_row"][rows] = True
    for paid in ("win_paid", "duplicate_claw", "cancel_claw"):
        sales[paid][rows] = FAR


# ---- text columns ---------------------------------------------------------------------------


NEEDS_QUOTES = r'[",\r\n]'  # a CSV field holding one of these is quoted, with quotes doubled


def _csv_quote(text: str) -> str:
    """One CSV field: quoted only when it holds a comma, quote or newline."""
    return '"' + text.replace('"', '""') + '"' if re.search(NEEDS_QUOTES, text) else text


def _csv_text(column: pa.Array) -> pa.Array:
    """A text column as CSV fields: quoted only where a value holds a comma, quote or newline."""
    needs = pc.match_substring_regex(column, NEEDS_QUOTES)
    quoted = _concat('"', pc.replace_substring(column, '"', '""'), '"')
    return pc.if_else(needs, quoted, column)


def _labels(labels, index: np.ndarray, blank: np.ndarray | None = None) -> pa.Array:
    """CSV-ready text column: labels[index] per row, empty where blank (or index < 0)."""
    index = np.asarray(index)
    empty = index < 0 if blank is None else blank | (index < 0)
    table = _csv_text(labels if isinstance(labels, pa.Array) else pa.array(labels, pa.string()))
    return table.take(pa.array(np.maximum(index, 0), mask=empty)).fill_null("")


def _ints(values: np.ndarray) -> pa.Array:
    """Decimal text of integers."""
    return pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())


def _padded(values: np.ndarray, width: int, prefix: str = "") -> pa.Array:
    """Zero-padded integers with a prefix ("J-" and 123 -> J-0000123)."""
    return _concat(prefix, pc.utf8_lpad(_ints(values), width=width, padding="0"))


def _concat(*parts) -> pa.Array:
    """Strings joined row by row."""
    return pc.binary_join_element_wise(*parts, "")


def _days(days: np.ndarray, fmt: str, suffixes: tuple[str, ...] = ("",),
          suffix: np.ndarray | None = None) -> pa.Array:
    """Day numbers as text in a strftime format; FAR (never) is empty.

    Formats each distinct day (and optional suffix, e.g. a time of day) once, then looks rows up.
    """
    days = np.asarray(days, dtype=np.int64)
    blank = days >= FAR
    if blank.all():
        return pa.array([""] * len(days), type=pa.string())
    first = int(days[~blank].min())
    span = int(days[~blank].max()) - first + 1
    day_text = pc.strftime(pa.array((first + np.arange(span)).astype("datetime64[D]")), format=fmt)
    table = _concat(day_text.take(pa.array(np.repeat(np.arange(span), len(suffixes)))),
                    pa.array(suffixes * span, type=pa.string()))
    code = (days - first) * len(suffixes) + (0 if suffix is None else suffix)
    return table.take(pa.array(np.where(blank, 0, code), mask=blank)).fill_null("")


def _grouped(whole: np.ndarray) -> pa.Array:
    """Non-negative integers with thousands commas (12345 -> 12,345)."""
    low, high = whole % 1000, whole // 1000
    if not (high > 0).any():
        return _ints(low)
    padded = pc.utf8_lpad(_ints(low), width=3, padding="0")
    return pc.if_else(pa.array(high > 0), _concat(_grouped(high), ",", padded), _ints(low))


def _money(cents: np.ndarray, dollars: bool = False) -> pa.Array:
    """Amounts in cents as text: 1234.50 / -25.00, or with dollars=True "$1,234.50" (CSV-quoted)."""
    cents = np.asarray(cents, dtype=np.int64)
    sign = pa.array(np.where(cents < 0, "-", ""))
    whole, part = np.abs(cents) // 100, pc.utf8_lpad(_ints(np.abs(cents) % 100), 2, padding="0")
    if not dollars:
        return _concat(sign, _ints(whole), ".", part)
    text = _concat(sign, "$", _grouped(whole), ".", part)
    needs_quotes = pa.array(np.abs(cents) >= 100_000)
    return pc.if_else(needs_quotes, _concat('"', text, '"'), text)


def _replace(column: pa.Array, rows: list[int], values: list[str]) -> pa.Array:
    """The column with a few rows set to CSV-quoted values (for the planted bad rows)."""
    pairs = sorted((r, v) for r, v in zip(rows, values, strict=True) if r < len(column))
    if not pairs:
        return column
    mask = np.zeros(len(column), dtype=bool)
    mask[[r for r, _ in pairs]] = True
    return pc.replace_with_mask(column, pa.array(mask), pa.array([_csv_quote(v) for _, v in pairs]))


def _lead_ids(numbers: np.ndarray) -> pa.Array:
    """Lead IDs of lead numbers (1-based)."""
    return _concat("L-", _ints(LEAD_NUMBER_BASE + np.asarray(numbers)))


def _job_width(n_jobs: int) -> int:
    """Digits of a job number: at least 7 (J-0000123), more when a run has more jobs."""
    return max(7, len(str(n_jobs)))


def _roster_columns(roster: dict, cal: dict) -> dict[str, pa.Array]:
    """technicians.csv: the roster export."""
    branch = roster["branch"]
    return {
        "Employee ID": roster["id"],
        "Technician": _labels(roster["name"], np.arange(roster["n"])),
        "Branch": _labels(BRANCHES, branch),
        "Region": _labels(BRANCH_REGION, branch),
        "Manager": _labels(BRANCH_MANAGER, branch),
        "Hire Date": _days(roster["hire"], "%Y-%m-%d"),
        "Status": _labels(("Inactive", "Active"), (roster["leave"] > cal["as_of"]).astype(int)),
    }


def _lead_columns(roster: dict, leads: dict, bad_rows: bool) -> dict[str, pa.Array]:
    """leads.csv: the field service tool's lead list (US dates, dollar values)."""
    tech = leads["tech"]
    n = len(tech)
    columns = {
        "Lead #": _lead_ids(np.arange(1, n + 1)),
        "Date Submitted": _days(leads["day"], "%m/%d/%Y"),
        "Technician ID": roster["id"].take(pa.array(tech)),
        "Technician": _labels(roster["name"], tech),
        "Business Unit": _labels(BRANCHES, roster["branch"][tech], leads["branch_blank"]),
        "Customer ID": _concat("C", _ints(10_000 + leads["customer"])),
        "Account Name": _labels(leads["customer_names"], leads["customer"]),
        "Opportunity Type": _labels([w for g in TYPE_WORDS for w in g], leads["word"]),
        "Est. Value": pc.if_else(pa.array(leads["value_blank"]), "", _money(leads["value"], True)),
        "Assigned Rep": _labels(SALES_REPS, leads["rep"], leads["rep_blank"]),
        "Job #": pc.if_else(pa.array(leads["job_rank"] >= 0),
                            _padded(leads["job_rank"] + 1, _job_width(leads["n_jobs"]), "J-"), ""),
        "Notes": _labels([t for g in TYPE_NOTES for t in g], leads["note"]),
    }
    if not bad_rows:
        return columns
    day = leads["day"].astype("datetime64[D]")
    bad_date = f"02/30/{day[BAD_DATE - 1].astype(object).year}"
    short_year = day[SHORT_YEAR - 1].astype(object).strftime("%m/%d/%y")
    columns["Technician ID"] = _replace(columns["Technician ID"], [NO_TECH - 1], [""])
    columns["Date Submitted"] = _replace(columns["Date Submitted"], [BAD_DATE - 1, SHORT_YEAR - 1],
                                         [bad_date, short_year])
    columns["Est. Value"] = _replace(columns["Est. Value"], [NEGATIVE_VALUE - 1], ["-$500.00"])
    # The re-entered lead: first typed with an extra zero in the estimate, then the same row again
    # at the end of the file with the right one.
    again = REENTERED - 1
    for name, column in columns.items():
        columns[name] = pa.concat_arrays([column, column.slice(again, 1)])
    dollars = int(leads["value"][again]) // 100
    columns["Est. Value"] = _replace(columns["Est. Value"], [again, n],
                                     [f"${10 * dollars:,.2f}", f"${dollars:,.2f}"])
    note = "Re-entered: the estimate had an extra zero"
    columns["Notes"] = _replace(columns["Notes"], [n], [note])
    return columns


def _outcome_rows(leads: dict, sales: dict, bad_rows: bool) -> dict:
    """The CRM export rows (one per lead the CRM knows, plus planted orphans) as arrays."""
    has_row = sales["has_row"].copy()
    if bad_rows:
        has_row[[x - 1 for x in REJECTED_LEADS]] = False
    row = np.flatnonzero(has_row)
    stage = sales["stage"][row]
    won, lost = stage == WON, stage == LOST
    out = {
        "lead_id": _lead_ids(row + 1),
        "stage": stage,
        "contact": sales["contact"][row],
        "closed": sales["closed"][row],
        "revenue": np.where(won, sales["revenue"][row], -1),
        "margin": np.where(won, sales["margin"][row], -1),
        "rep": leads["rep"][row],
        "reason": np.where(lost, sales["reason"][row], -1),
        "modified": sales["modified"][row],
        "stage_text": np.array(STAGES, dtype=object)[stage],
    }
    if not bad_rows:
        return out
    at = {x: int(np.searchsorted(row, x - 1)) for x in (WON_NO_AMOUNT, UNKNOWN_STAGE, LOST_NO_DATE)}
    out["revenue"][at[WON_NO_AMOUNT]] = -1
    out["margin"][at[WON_NO_AMOUNT]] = -1
    out["stage_text"][at[UNKNOWN_STAGE]] = "Maybe later"
    out["closed"][at[LOST_NO_DATE]] = FAR
    # Orphans: rows keyed by hand with a digit dropped, still being worked.
    orphan = np.array([x - 1 for x in ORPHAN_TYPOS])
    extra = {
        "stage": np.array([WORKING, QUOTE]),
        "contact": leads["day"][orphan] + 2,
        "closed": np.full(len(orphan), FAR),
        "revenue": np.full(len(orphan), -1),
        "margin": np.full(len(orphan), -1),
        "rep": leads["rep"][orphan],
        "reason": np.full(len(orphan), -1),
        "modified": leads["day"][orphan] + 9,
        "stage_text": np.array([STAGES[WORKING], STAGES[QUOTE]], dtype=object),
    }
    for name, values in extra.items():
        out[name] = np.concatenate([out[name], values])
    orphan_ids = pa.array([_typo_key(x) for x in ORPHAN_TYPOS])
    out["lead_id"] = pa.concat_arrays([out["lead_id"], orphan_ids])
    return out


def _outcome_columns(rows: dict) -> dict[str, pa.Array]:
    """outcomes.csv (large runs): the CRM export with ISO dates and plain amounts."""
    def money(cents):
        return pc.if_else(pa.array(cents < 0), "", _money(np.maximum(cents, 0)))

    values = [
        rows["lead_id"],
        _labels(rows["stage_text"], np.arange(len(rows["stage"]))),
        _days(rows["contact"], "%Y-%m-%d"),
        _days(rows["closed"], "%Y-%m-%d"),
        money(rows["revenue"]),
        money(rows["margin"]),
        _labels(SALES_REPS, rows["rep"]),
        _labels(LOSS_REASONS + (DUPLICATE_REASON, CANCEL_REASON, STALE_REASON) + NOT_REAL_REASONS, rows["reason"]),
        _days(rows["modified"], "%Y-%m-%d"),
    ]
    return dict(zip(OUTCOME_HEADERS, values, strict=True))


def _write_outcomes_xlsx(path: Path, rows: dict, cal: dict) -> None:
    """outcomes.xlsx: the CRM export as a workbook with date cells and number cells."""
    def dates(days):
        cells = np.where(days >= FAR, np.datetime64("NaT"), days.astype("datetime64[D]"))
        return cells.astype(object).tolist()  # datetime.date, or None for an empty cell

    def amounts(cents):
        return np.where(cents < 0, None, cents / 100).tolist()

    reasons = np.array(("",) + LOSS_REASONS + (DUPLICATE_REASON, CANCEL_REASON, STALE_REASON) + NOT_REAL_REASONS,
                       dtype=object)
    columns = [
        rows["lead_id"].to_pylist(),
        rows["stage_text"].tolist(),
        dates(rows["contact"]),
        dates(rows["closed"]),
        amounts(rows["revenue"]),
        amounts(rows["margin"]),
        np.array(SALES_REPS, dtype=object)[rows["rep"]].tolist(),
        np.where(rows["reason"] < 0, None, reasons[rows["reason"] + 1]).tolist(),
        dates(rows["modified"]),
    ]
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    export_day = dt.date(1970, 1, 1) + dt.timedelta(days=cal["as_of"] + 1)
    export_time = dt.datetime.combine(export_day, dt.time(6))  # fixed, so the bytes are too
    book.set_properties({"title": "Opportunities export", "author": "CRM", "company": COMPANY,
                         "created": export_time})
    sheet = book.add_worksheet("Opportunities")
    bold = book.add_format({"bold": True})
    date_cell = book.add_format({"num_format": "yyyy-mm-dd"})
    money_cell = book.add_format({"num_format": "#,##0.00"})
    cell_format = [None, None, date_cell, date_cell, money_cell, money_cell, None, None, date_cell]
    widths = [12, 16, 18, 12, 18, 12, 16, 20, 14]
    sheet.write_row(0, 0, OUTCOME_HEADERS, bold)
    for col, (values, fmt, width) in enumerate(zip(columns, cell_format, widths, strict=True)):
        sheet.set_column(col, col, width)
        sheet.write_column(1, col, values, fmt)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, len(columns[0]), len(columns) - 1)
    book.close()


def _payout_columns(roster: dict, leads: dict, sales: dict, cal: dict,
                    bad_rows: bool) -> dict[str, pa.Array]:
    """payouts.csv: the payroll's reward lines, up to the export day, in pay-date order."""
    n = len(leads["day"])
    number = np.arange(1, n + 1)
    keep = np.ones(n, dtype=bool)
    if bad_rows:
        keep[[x - 1 for x in REJECTED_LEADS]] = False
    kinds = [  # (pay day, amount in cents, reason index)
        (sales["submit_paid"], np.full(n, SUBMIT_SPIFF_CENTS), 0),
        (sales["win_paid"], sales["win_spiff"], 1),
        (sales["duplicate_claw"], np.full(n, -SUBMIT_SPIFF_CENTS), 2),
        (sales["cancel_claw"], -sales["win_spiff"], 3),
    ]
    paid = np.concatenate([k[0] for k in kinds])
    amount = np.concatenate([k[1] for k in kinds])
    reason = np.repeat([k[2] for k in kinds], n)
    lead = np.tile(number, len(kinds))
    use = (paid <= cal["as_of"]) & np.tile(keep, len(kinds))
    paid, amount, reason, lead = paid[use], amount[use], reason[use], lead[use]
    tech = leads["tech"][lead - 1]
    if bad_rows:
        paid, amount, reason, lead, tech = _payroll_mistakes(roster, sales, cal, paid, amount,
                                                             reason, lead, tech)
    if bad_rows:  # a second "Lead submitted" line keyed with a digit dropped (lead number 0 here)
        paid = np.append(paid, sales["submit_paid"][PAYOUT_TYPO - 1])
        amount = np.append(amount, SUBMIT_SPIFF_CENTS)
        reason = np.append(reason, 0)
        lead = np.append(lead, 0)
        tech = np.append(tech, leads["tech"][PAYOUT_TYPO - 1])
    order = np.lexsort((reason, lead, tech, paid))
    paid, amount, reason = paid[order], amount[order], reason[order]
    lead, tech = lead[order], tech[order]
    columns = {
        "Employee ID": roster["id"].take(pa.array(tech)),
        "Lead ID": _lead_ids(lead),
        "Pay Date": _days(paid, "%Y-%m-%d"),
        "Spiff": _money(amount),
        "Reason": _labels((SUBMIT_REASON, WIN_REASON, DUPLICATE_CLAWBACK, CANCEL_CLAWBACK), reason),
    }
    if bad_rows:
        typo = int(np.flatnonzero(lead == 0)[0])
        columns["Lead ID"] = _replace(columns["Lead ID"], [typo], [_typo_key(PAYOUT_TYPO)])
        na = int(np.flatnonzero((lead == NA_SPIFF) & (reason == 0))[0])
        columns["Spiff"] = _replace(columns["Spiff"], [na], ["n/a"])
    return columns


# ---- the reward program's payroll mistakes (docs/rewards.md) -----------------------------------

# Payroll follows sample_data/reward_policy.toml ($25 a lead, $100 + 1 % of the sale when won,
# cents rounded half up) except for four planted mistakes, each on the first lead from
# MISTAKES_FROM on that fits it, so that the Reward program page's audit has something true to
# find: a lead never paid, a win paid twice, a win paid without its 1 %, and a lead's reward paid
# to another tech.
MISTAKES_FROM = 400
REWARD_POLICY_FILE = "reward_policy.toml"


REWARD_POLICY_TEXT = """\
# The reward policy payroll follows (docs/rewards.md): leadbridge audit --policy this file.
name = "Harborline 2025 program"

[[rule]]
name = "Lead submitted"
event = "submitted"
amount = 25.00

[[rule]]
name = "Lead won"
event = "won"
amount = 100.00
percent = 1.0
base = "revenue"
"""


def _write_reward_policy(out_dir: Path) -> None:
    """reward_policy.toml: the policy the payouts follow (mistakes aside), beside the exports."""
    (out_dir / REWARD_POLICY_FILE).write_text(REWARD_POLICY_TEXT, encoding="utf-8")


def _win_spiff(revenue_cents: np.ndarray) -> np.ndarray:
    """$100 plus 1 % of the sale in cents, halves rounded up as the policy says."""
    return WIN_SPIFF_CENTS + (revenue_cents + 50) // 100


def reward_mistakes(sales: dict, cal: dict) -> dict[str, int]:
    """The lead numbers of the planted payroll mistakes: kind -> lead number."""
    n = len(sales["submit_paid"])
    number = np.arange(1, n + 1)
    settled = cal["as_of"] - 90  # paid well before the export: past any grace period
    clean = ((sales["duplicate_claw"] == FAR) & (sales["cancel_claw"] == FAR)
             & (number >= MISTAKES_FROM))
    paid_win = clean & (sales["win_paid"] <= settled)
    paid_lead = clean & (sales["submit_paid"] <= settled) & (sales["win_paid"] == FAR)
    wins = number[paid_win][:2].tolist()
    leads = number[paid_lead][:2].tolist()
    found = {"unpaid": leads[:1], "paid_twice": wins[:1], "underpaid": wins[1:2],
             "paid_to_other_tech": leads[1:2]}
    return {kind: int(n[0]) for kind, n in found.items() if n}  # a small run may lack some


def _payroll_mistakes(roster: dict, sales: dict, cal: dict, paid, amount, reason, lead, tech):
    """The payout rows with the planted mistakes made (see reward_mistakes)."""
    planted = {"unpaid": 0, "paid_twice": 0, "underpaid": 0, "paid_to_other_tech": 0}
    planted |= reward_mistakes(sales, cal)  # lead number 0 matches no lead
    submit, win = reason == 0, reason == 1
    keep = ~((lead == planted["unpaid"]) & submit)
    twice = np.flatnonzero((lead == planted["paid_twice"]) & win)
    short = (lead == planted["underpaid"]) & win
    amount = np.where(short, WIN_SPIFF_CENTS, amount)  # the 1 % of the sale forgotten
    other = (lead == planted["paid_to_other_tech"]) & submit
    tech = np.where(other, (tech + 1) % roster["n"], tech)  # keyed to the next tech on the roster

    def pick(values):
        return np.append(values[keep], values[twice])

    return pick(paid), pick(amount), pick(reason), pick(lead), pick(tech)


def _job_columns(roster: dict, jobs: dict, cal: dict) -> dict[str, pa.Array]:
    """jobs.csv: every service job, in completion order, with a UTC timestamp."""
    order = jobs["order"]
    n_techs = roster["n"]
    tech = jobs["cell"][order] % n_techs
    minutes = WORK_MINUTES[0] + 5 * np.arange((WORK_MINUTES[1] - WORK_MINUTES[0]) // 5)
    times = tuple(f"T{m // 60:02d}:{m % 60:02d}:00Z" for m in minutes)
    return {
        "Job ID": _padded(np.arange(1, len(order) + 1), _job_width(len(order)), "J-"),
        "Technician ID": roster["id"].take(pa.array(tech)),
        "Completed": _days(jobs["day"][order], "%Y-%m-%d", times, jobs["slot"][order]),
        "Branch": _labels(BRANCHES, roster["branch"][tech]),
    }


def _attendance_columns(roster: dict, attendance: dict) -> dict[str, pa.Array]:
    """attendance.csv: one row per person expected at each monthly meeting."""
    person = attendance["person"]
    is_tech = person < roster["n"]
    people = pa.concat_arrays([roster["id"], _csv_text(pa.array(SALES_REPS))])
    return {
        "Meeting Date": _days(attendance["day"], "%Y-%m-%d"),
        "Person ID": people.take(pa.array(person)),
        "Role": _labels(("sales", "tech"), is_tech.astype(int)),
        "Attended": _labels(("N", "Y"), attendance["came"].astype(int)),
    }


WRITE_ROWS = 1_000_000  # rows joined into text at a time, to bound memory on big runs


def _write_csv(path: Path, columns: dict[str, pa.Array]) -> None:
    """Write CSV-ready text columns (already quoted where needed) as a UTF-8, LF-terminated file."""
    n = len(next(iter(columns.values())))
    with open(path, "wb") as f:
        f.write((",".join(_csv_quote(name) for name in columns) + "\n").encode())
        for start in range(0, n, WRITE_ROWS):
            parts: list = []
            for column in columns.values():
                parts += [column.slice(start, WRITE_ROWS), ","]
            parts[-1] = "\n"
            lines = pc.binary_join_element_wise(*parts, "").cast(pa.large_string())
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
            begin, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
            f.write(memoryview(lines.buffers()[2])[begin:end])

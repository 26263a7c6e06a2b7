"""Databases for the page and browser tests: the imported sample company, and an empty one."""

from __future__ import annotations

import shutil
from pathlib import Path

from leadbridge import db, importer

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"
DASHBOARD = ROOT / "dashboard.py"

PAGES = {
    "overview": "pages/overview.py",
    "technicians": "pages/technicians.py",
    "conversion": "pages/conversion.py",
    "revenue_rewards": "pages/revenue_rewards.py",
    "rewards": "pages/rewards.py",
    "meeting": "pages/meeting.py",
    "lead_quality": "pages/lead_quality.py",
    "follow_up": "pages/follow_up.py",
    "data": "pages/data.py",
}
# The pages with charts, and how many each draws when opened (some show one chart tab at a time:
# CHART_TABS).
CHART_PAGES = {"overview": 3, "technicians": 1, "conversion": 2, "revenue_rewards": 2,
               "follow_up": 3}
# The pages whose charts sit in tabs, only the open one drawn: the tabs' session key, and each
# tab's label with the start of its chart's title.
CHART_TABS = {
    "technicians": ("technicians_chart", {
        "Most leads": "Leads submitted per tech",
        "Best conversion": "Conversion per tech",
        "Volume vs conversion": "Lead volume (leads) vs conversion",
        "Leads per 100 jobs": "Leads per 100 service jobs",
    }),
    "conversion": ("conversion_chart", {
        "By age of lead": "Cumulative conversion by month submitted and age",
        "By lead type": "Conversion and win rate by lead type",
        "By branch": "Conversion and win rate by branch",
        "Time to close": "Deals won by days from submission to close",
        "Lost reasons": "Leads lost by reason",
    }),
    "revenue_rewards": ("revenue_chart", {
        "Revenue by lead type": "Revenue attributed by lead type",
        "Revenue by branch": "Revenue attributed by branch",
        "Reward cost by month": "Reward cost per month by reason",
    }),
}
# The other pages with tabs drawn only when opened: the tabs' session key and the tabs closed
# when the page opens (app_fixtures.open_tab opens one).
CLOSED_TABS = {
    "rewards": ("rw_tab", ("What if",)),
    "data": ("data_tab", ("Import history & rejects", "Data quality")),
}

# The expanders of tables drawn only while open (ui.lazy_expander): page -> the expander's key.
CLOSED_EXPANDERS = {
    "conversion": "conversion_tables",
    "follow_up": "follow_up_tables",
}


def build_sample_db(folder: Path) -> Path:
    """Import sample_data/ into a new database below folder; return the database file."""
    file = folder / "data" / "lb.duckdb"
    with db.writer(file, what="sample_data/") as con:  # imported and published
        results = importer.import_paths(con, [SAMPLE_DIR])
    assert all(r.ok for r in results), [r.error for r in results]
    return file


def copy_db(source: Path, folder: Path) -> Path:
    """A private copy of a database (its own folder), for tests that change data."""
    target = folder / "data" / "lb.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


# Names that a careless or hostile export could hold: HTML (a live link, bold, a script),
# markdown (a link, bold), a javascript: URL and a bare URL that markdown would autolink.
HOSTILE = (
    '<a href="https://evil.example/tech">Click me</a>',
    "<b>Bold Bob</b>",
    "<script>alert(1)</script> Sam",
    "[Mark](https://evil.example/md)",
    "**Strong Steve**",
    "javascript:alert(2)",
    "https://evil.example/bare Ann",
)
HOSTILE_BRANCH = "<b>Prov</b> [idence](https://evil.example/branch)"
HOSTILE_CUSTOMER = '<a href="https://evil.example/customer">ACME</a> **Inc**'
HOSTILE_LEAD_TYPE = "[Referral](https://evil.example/type)"
HOSTILE_REP = "<i>Rita</i> [Rep](https://evil.example/rep)"
# An upload's file name: markdown link syntax and HTML survive in a file name.
HOSTILE_FILE = "leads [f](evil.example) <b>x.csv"


def build_hostile_db(folder: Path) -> Path:
    """The sample company with hostile text in tech names (the seven busiest techs), a branch
    (Providence), customers, a lead type, a sales rep and the leads file's name."""
    import pandas as pd

    exports = folder / "exports"
    shutil.copytree(SAMPLE_DIR, exports)
    techs = pd.read_csv(exports / "technicians.csv", dtype=str, keep_default_na=False)
    leads = pd.read_csv(exports / "leads.csv", dtype=str, keep_default_na=False)
    busiest = leads["Technician ID"].value_counts().index[:len(HOSTILE)]
    names = dict(zip(busiest, HOSTILE, strict=True))
    techs["Technician"] = techs["Employee ID"].map(names).fillna(techs["Technician"])
    leads["Technician"] = leads["Technician ID"].map(names).fillna(leads["Technician"])
    techs["Branch"] = techs["Branch"].replace("Providence", HOSTILE_BRANCH)
    leads["Business Unit"] = leads["Business Unit"].replace("Providence", HOSTILE_BRANCH)
    mine = leads["Technician ID"].isin(busiest)
    leads.loc[mine, "Account Name"] = HOSTILE_CUSTOMER
    leads.loc[mine, "Assigned Rep"] = HOSTILE_REP
    leads["Opportunity Type"] = leads["Opportunity Type"].replace("Referral", HOSTILE_LEAD_TYPE)
    techs.to_csv(exports / "technicians.csv", index=False)
    (exports / "leads.csv").unlink()
    leads.to_csv(exports / HOSTILE_FILE, index=False)
    file = folder / "data" / "lb.duckdb"
    con = db.connect(file)
    others = [p for p in importer.expand_paths([exports]) if p.name != HOSTILE_FILE]
    # The hostile file last: its name is the footer's "last import".
    results = importer.import_paths(con, [*others, exports / HOSTILE_FILE])
    assert all(r.ok for r in results), [r.error for r in results]
    con.close()
    return file


def pick_technician(at, tech_id: str | None = None):
    """Select a tech's row in the Technicians leaderboard (the first row by default), as a click
    on the box at the row's left does, and run the page again."""
    board = next(d for d in at.dataframe if d.key == "leaderboard_pick")
    row = 0 if tech_id is None else board.value["tech_id"].tolist().index(tech_id)
    at.session_state["leaderboard_pick"] = {"selection": {"rows": [row], "columns": [],
                                                          "cells": []}}
    return at.run()


def lead_list(at):
    """The first table of the run that lists leads (one per row, with their lead_id)."""
    return next(d.value for d in at.dataframe if "lead_id" in d.value.columns)


def open_expander(at, key: str):
    """Open an expander drawn only while open (`ui.lazy_expander`), as a click on it does, and
    run the page again."""
    at.session_state[key] = True
    return at.run()


def open_tab(at, key: str, label: str):
    """Open a tab of tabs drawn only while open (`st.tabs(..., key=key, on_change="rerun")`), as a
    click on it does, and run the page again."""
    at.session_state[key] = label
    return at.run()

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
    "follow_up": "pages/follow_up.py",
    "data": "pages/data.py",
}
CHART_PAGES = ("overview", "technicians", "conversion", "revenue_rewards", "follow_up")


def build_sample_db(folder: Path) -> Path:
    """Import sample_data/ into a new database below folder; return the database file."""
    file = folder / "data" / "lb.duckdb"
    con = db.connect(file)
    results = importer.import_paths(con, [SAMPLE_DIR])
    assert all(r.ok for r in results), [r.error for r in results]
    con.close()
    return file


def copy_db(source: Path, folder: Path) -> Path:
    """A private copy of a database (its own folder), for tests that change data."""
    target = folder / "data" / "lb.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target

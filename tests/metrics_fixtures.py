"""Helpers for the metric tests: hand-written rows into a fresh database, the sample company."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from leadbridge import db, importer, metrics, report
from leadbridge.metrics import Filters

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "sample_data"
# The team's one definition of every number lives in shared/ beside the repository (as in CI).
METRICS_DOC = ROOT.parent / "shared" / "METRICS.md"


def fresh_db(folder: Path):
    """A new, empty LeadBridge database below folder/data."""
    return db.connect(folder / "data" / "lb.duckdb")


def insert(con, table: str, rows: list[dict]) -> None:
    """Insert rows (dicts of column -> value; missing columns take their default) into a table."""
    if not rows:
        return
    frame = pd.DataFrame(rows, dtype=object)
    cur = con.cursor()
    cur.register("incoming_rows", frame)
    cur.execute(db.render("insert into {table} by name select * from incoming_rows", table=table))
    cur.unregister("incoming_rows")
    cur.close()


def load(con, *, techs=(), leads=(), outcomes=(), payouts=(), jobs=()) -> None:
    """Insert rows into each canonical table, then bump the data version as an import does (the
    staged tables are rebuilt before the next query)."""
    for table, rows in (("techs", techs), ("leads", leads), ("outcomes", outcomes),
                        ("payouts", payouts), ("jobs", jobs)):
        insert(con, table, list(rows))
    con.cursor().execute("update meta set value = cast(cast(value as bigint) + 1 as varchar) "
                         "where key = 'data_version'")


def tech(tech_id, branch=None, *, active=True, tech_name=None) -> dict:
    return {"tech_id": tech_id, "tech_name": tech_name, "branch": branch, "active": active}


def lead(lead_id, submitted_at, tech_id="T1", *, lead_type="upgrade", branch=None, **other) -> dict:
    return {"lead_id": lead_id, "submitted_at": submitted_at, "tech_id": tech_id,
            "lead_type": lead_type, "branch": branch, **other}


def outcome(lead_id, status, *, contacted=None, closed=None, revenue=None, margin=None,
            **other) -> dict:
    return {"lead_id": lead_id, "status": status, "contacted_at": contacted, "closed_at": closed,
            "revenue": revenue, "gross_margin": margin, **other}


def payout(payout_id, tech_id, paid_on, amount, lead_id=None, reason=None) -> dict:
    return {"payout_id": payout_id, "tech_id": tech_id, "lead_id": lead_id, "paid_on": paid_on,
            "amount": amount, "reason": reason}


def job(job_id, tech_id, completed_at, branch=None) -> dict:
    return {"job_id": job_id, "tech_id": tech_id, "completed_at": completed_at, "branch": branch}


def period(from_month, to_month=None, *, branch=(), lead_type=(), tech=()) -> Filters:
    """Filters for from_month..to_month (one month when to_month is omitted)."""
    return Filters.months(from_month, to_month or from_month, branch, lead_type, tech)


def build(con, from_month, to_month=None, **filters) -> dict:
    """report.build for a period and filters."""
    return report.build(con, period(from_month, to_month, **filters))


def rows(con, name: str, from_month, to_month=None, *, filters: dict | None = None,
         **extra) -> list[dict]:
    """A query's rows as JSON-safe dicts (None for null)."""
    frame = metrics.run(con, name, period(from_month, to_month, **(filters or {})), **extra)
    return report.records(frame)


# The first import of sample_data/ in a test run, kept as a file that later callers copy.
_sample_template: list[Path] = []


def import_sample(folder: Path):
    """A database below folder with sample_data/ imported (imported once per run, then copied)."""
    target = folder / "data" / "lb.duckdb"
    if _sample_template and _sample_template[0].is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_sample_template[0], target)
        return fresh_db(folder)
    con = fresh_db(folder)
    results = importer.import_paths(con, [SAMPLE_DIR])
    failed = [(r.file, r.error) for r in results if not r.ok]
    assert not failed, failed
    assert {r.table for r in results} >= {"techs", "leads", "outcomes", "payouts"}
    con.execute("checkpoint")
    template = folder / "sample-template.duckdb"
    shutil.copyfile(target, template)
    _sample_template[:] = [template]
    return con

"""`make bench-load`'s protocol client against a real dashboard on the sample company.

Two sessions click through every page twice while `leadbridge import` adds three leads: no errors,
every page seen, every view showing the numbers of one snapshot (old or new, never mixed), and
the Overview's tiles equal to `leadbridge report`'s totals before and after."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pandas as pd

from benchmarks import load
from leadbridge import metrics, policy, sample, store, ui
from tests.app_fixtures import PAGES, ROOT, build_sample_db
from tests.conftest import write_export
from tests.test_concurrency import NEW_LEADS

TITLES = {"Overview", "Technicians", "Conversion", "Lead quality", "Revenue & rewards",
          "Reward program", "Monthly meeting", "Sales follow-up", "Data"}


def report_tiles(db_file, start: str, end: str) -> list[tuple[str, str]]:
    """The Overview's tiles from the totals of `leadbridge report`, formatted as the page does."""
    done = subprocess.run([sys.executable, "-m", "leadbridge", "report", "--from", start,
                           "--to", end, "--db", str(db_file)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    totals = json.loads(done.stdout)["totals"]
    return [(ui.KPIS[k][0], ui.fmt(ui.KPIS[k][1], totals[k])) for k in load.OVERVIEW_KPIS]


def default_period(db_file) -> tuple[str, str]:
    snap = store.readers(db_file).current()
    span = metrics.run(snap.con, "data_range").iloc[0]
    latest = metrics.latest_complete_month(pd.Timestamp(span["last_date"]).date(), date.today())
    return metrics.preset_months("Last 12 months", latest,
                                 pd.Timestamp(span["first_date"]).date())


def test_sessions_click_every_page_through_an_import_without_errors_or_mixed_numbers(tmp_path):
    db_file = build_sample_db(tmp_path / "company")
    key = policy.add(sample.REWARD_POLICY_TEXT, db_file)  # as `make import-sample` does
    policy.use(key, date(2024, 11, 1), db_file)
    extra = write_export(tmp_path / "in" / "leads_k.csv", NEW_LEADS)
    start, end = default_period(db_file)
    expected_before = report_tiles(db_file, start, end)

    # Two rounds each, the import 3 s in; the sessions click on until 2 s after it published.
    result = load.run_scenario(load.Scenario(2, 1, [extra]), db_file, duration=None, rounds=2,
                               browsers=0, logs=tmp_path / "logs", warmup=False,
                               work=tmp_path / "work", after_import=2, import_at=3)

    assert result["error_count"] == 0, result["errors"][:5]
    assert set(result["pages_seen"]) == TITLES and len(TITLES) == len(PAGES)
    for page, kinds in result["pages"].items():
        assert kinds["click"]["count"] >= 4 or page == "Overview", (page, kinds)
    imported = result["import"]
    assert imported["returncode"] == 0, imported["output"]
    counts = imported["counts"]
    assert counts.get("mixed", 0) == 0, imported["mixed"]
    assert counts.get("old", 0) > 0 and counts.get("new", 0) > 0, counts
    assert "Overview" in imported["pages_changed"]
    # The tiles the sessions saw are the report's totals, before and after the import.
    assert [tuple(t) for t in imported["overview_before"]] == expected_before
    served = tmp_path / "work" / "served" / db_file.name
    assert [tuple(t) for t in imported["overview_after"]] == report_tiles(served, start, end)
    before = dict(expected_before)["Leads submitted"].replace(",", "")
    after = dict(imported["overview_after"])["Leads submitted"].replace(",", "")
    assert int(after) == int(before) + len(NEW_LEADS) - 1
    assert imported["tiles_match_report"] == {"before": True, "after": True}
    assert r"last import leads\_k\.csv" in imported["footer_after"]  # markdown-escaped
    assert all(r["peak_rss_mb"] and r["peak_rss_mb"] > 50 for r in result["memory"])
    assert load.markdown({"machine": load.machine(), "db": str(db_file), "db_mb": 1,
                          "scenarios": [result]})


def test_a_view_with_numbers_from_two_snapshots_is_counted_as_mixed():
    importer = load.ImportRun([], None, 0)
    importer.started, importer.ended, importer.returncode = 10.0, 20.0, 0
    old_tiles, new_tiles = [("Leads", "1")], [("Leads", "2")]

    def view(start, tiles, footer):
        v = load.View(0, 0, "Overview", "click", start, start + 1)
        v.tiles, v.footer = tiles, footer
        return v

    views = [view(1, old_tiles, "old"), view(12, old_tiles, "old"), view(13, new_tiles, "new"),
             view(14, new_tiles, "old"), view(25, new_tiles, "new")]
    found = load.numbers(views, importer, 0.0, {"tiles": []}, {"tiles": []})
    assert found["counts"] == {"old": 2, "new": 2, "mixed": 1}
    assert found["during_import"] == {"old": 1, "new": 1, "mixed": 1}
    assert found["mixed"][0]["at_s"] == 14
    assert found["old_after_publish"] == 0

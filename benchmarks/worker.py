"""One measurement in a process of its own: `python -m benchmarks.worker <task> <json args>`.

Each task prints one JSON object on its last line of output, with the process's peak memory (RSS)
read from /proc/self/status, so that each side is measured alone and from a cold start.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

# A process's peak resident memory; the kernel keeps it in VmHWM ("high water mark").
STATUS = Path("/proc/self/status")


def peak_rss_mb() -> float | None:
    """This process's peak resident memory in MB (None where /proc is not available)."""
    try:
        for line in STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _filters(view: dict):
    from leadbridge.metrics import Filters

    return Filters.months(view["from"], view["to"], view.get("branches", ()),
                          view.get("lead_types", ()))


def floor(args: dict) -> dict:
    """DuckDB reading each CSV into a table, no checks: the least an import can cost."""
    import duckdb

    con = duckdb.connect(args["db"])
    seconds, how = {}, {}
    for name, path in args["files"].items():
        start = time.perf_counter()
        try:
            con.execute("create or replace table t as select * from read_csv($path)",
                        {"path": path})
            how[name] = "read_csv"
        except duckdb.Error:  # the sniffer's types meet a planted bad value ('n/a' as an amount)
            start = time.perf_counter()
            con.execute("create or replace table t as select * from read_csv($path, "
                        "all_varchar = true)", {"path": path})
            how[name] = "read_csv, all_varchar"
        con.execute("checkpoint")
        seconds[name] = time.perf_counter() - start
    con.close()
    return {"seconds": seconds, "how": how}


def load(args: dict) -> dict:
    """Import the exports into a fresh LeadBridge database, timing each file and each refresh."""
    import inspect

    from leadbridge import db, importer

    # An older LeadBridge (measured for benchmarks/README.md's before and after) has no staged
    # tables to refresh.
    deferred = {"refresh": False} if "refresh" in inspect.signature(importer.import_file).parameters else {}
    refresh = getattr(db, "refresh_staging", lambda con: [])
    con = db.connect(args["db"])
    seconds, accounting = {}, {}
    for group in args["groups"]:  # e.g. [["leads", "outcomes"], ["payouts", "jobs"]]
        for name in group:
            start = time.perf_counter()
            result = importer.import_file(con, args["files"][name], **deferred)
            seconds[name] = time.perf_counter() - start
            if not result.ok:
                raise SystemExit(f"{name}: {result.error}")
            accounting[name] = result.summary()
        start = time.perf_counter()
        rebuilt = refresh(con)
        seconds["refresh after " + "+".join(group)] = time.perf_counter() - start
        accounting["refresh after " + "+".join(group)] = rebuilt
    if hasattr(db, "publish"):  # the read-only snapshot dashboards read (docs/concurrency.md)
        start = time.perf_counter()
        db.publish(con)
        seconds["publish"] = time.perf_counter() - start
    con.execute("checkpoint")
    con.close()
    return {"seconds": seconds, "accounting": accounting,
            "db_mb": Path(args["db"]).stat().st_size / 2**20}


def page(args: dict) -> dict:
    """Cold: a new process opens the database and runs one view of a page (or the report)."""
    from benchmarks import pages
    from leadbridge import db, report

    start = time.perf_counter()
    con = db.connect(args["db"])
    opened = time.perf_counter() - start
    filters = _filters(args["view"])
    if args["page"] == "report":
        report.to_json(report.build(con, filters))
        calls = {}
    else:
        run = pages.run_page(con, args["page"], filters)
        calls = run.calls
    return {"seconds": time.perf_counter() - start, "open_seconds": opened, "calls": calls}


def warm(args: dict) -> dict:
    """Warm: the database open, every page's view run again and again (no result cache)."""
    from benchmarks import pages
    from leadbridge import db, metrics, report

    con = db.connect(args["db"])
    out: dict = {"pages": {}, "report": {}, "truth": {}}
    for view_name, view in args["views"].items():
        filters = _filters(view)
        for name in [*pages.PAGES, "report"]:
            runs, calls = [], {}
            for _ in range(args["repeat"] + 1):  # the first run warms DuckDB's buffers
                start = time.perf_counter()
                if name == "report":
                    report.to_json(report.build(con, filters))
                    runs.append(time.perf_counter() - start)
                else:
                    run = pages.run_page(con, name, filters)
                    runs.append(run.queries)
                    calls = run.calls
            timing = {"median": statistics.median(runs[1:]), "min": min(runs[1:]), "calls": calls}
            target = out["report"] if name == "report" else out["pages"].setdefault(name, {})
            target[view_name] = timing
        previous = filters.previous()
        jobs = metrics.run(con, "leads_per_100_jobs_by_tech", filters)
        out["truth"][view_name] = {
            "report": report.build(con, filters),
            "previous_totals": report.build(con, previous)["totals"],
            "leads_per_100_jobs": {r.tech_id: [int(r.jobs), int(r.leads_submitted)]
                                   for r in jobs.itertuples()},
        }
    return out


def ours(args: dict) -> dict:
    """LeadBridge doing what the pandas app does: open, show Overview and Technicians, then the
    same two pages for another filter."""
    from benchmarks import pages
    from leadbridge import db

    start = time.perf_counter()
    con = db.connect(args["db"])
    for name in ("overview", "technicians"):
        pages.run_page(con, name, _filters(args["views"]["default"]))
    cold = time.perf_counter() - start
    start = time.perf_counter()
    for name in ("overview", "technicians"):
        pages.run_page(con, name, _filters(args["views"]["narrow"]))
    return {"cold_seconds": cold, "filter_change_seconds": time.perf_counter() - start}


def pandas(args: dict) -> dict:
    """The usual way: read the CSV exports, clean, group by; then group by again for a filter."""
    from benchmarks import pandas_app

    def view(v: dict) -> pandas_app.View:
        return pandas_app.View(date.fromisoformat(v["from"] + "-01"), _filters(v).end,
                               tuple(v.get("branches", ())), tuple(v.get("lead_types", ())))

    start = time.perf_counter()
    data = pandas_app.load(Path(args["folder"]))
    loaded = time.perf_counter() - start
    numbers = {"default": pandas_app.overview_and_technicians(data, view(args["views"]["default"]))}
    cold = time.perf_counter() - start
    start = time.perf_counter()
    numbers["narrow"] = pandas_app.overview_and_technicians(data, view(args["views"]["narrow"]))
    change = time.perf_counter() - start
    return {"cold_seconds": cold, "load_seconds": loaded, "filter_change_seconds": change,
            "numbers": numbers}


TASKS = {"floor": floor, "load": load, "page": page, "warm": warm, "ours": ours,
         "pandas": pandas}


def main() -> None:
    task, args = sys.argv[1], json.loads(sys.argv[2])
    result = TASKS[task](args)
    result["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()

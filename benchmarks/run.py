"""`make bench`: LeadBridge against the floor and against the usual pandas way, at every size.

python -m benchmarks.run                  # sample, 100k, 1M and 10M leads; updates RESULTS.md
python -m benchmarks.run --quick          # 100k only; exit 1 when pandas and LeadBridge disagree
python -m benchmarks.run --sizes 100k,1m  # some sizes

Every measurement runs in a process of its own (benchmarks/worker.py). Results go to
benchmarks/results/ (JSON and markdown, with the machine); the full run also writes RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from benchmarks import browser, data, pages

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
SIZE_RESULTS = RESULTS / "sizes"  # the latest measurement of each size, run alone or with others
RECORD = ROOT / "RESULTS.md"

# The dashboard's default view (the last 12 months up to the data's latest complete month: every
# size ends in October 2026) and a narrow one: one branch, one lead type.
VIEWS = {
    "default": {"from": "2025-11", "to": "2026-10"},
    "narrow": {"from": "2025-11", "to": "2026-10", "branches": ["Boston"],
               "lead_types": ["upgrade"]},
}
VIEW_LABELS = {"default": "last 12 months", "narrow": "Boston, upgrades"}

# The targets of issue 6, on a 2-core machine.
IMPORT_RATIO = 3.0  # importing 1M leads with their outcomes, against the floor
WARM_1M_MS = 150  # every page's queries at 1M leads, database open
COLD_1M_MS = 1000  # the same from a new process
WARM_10M_MS = 1500  # every page's queries at 10M leads, database open
APP_10M_MB = 2048  # peak memory of the app at 10M leads
# Issue 13: at 1M leads the reward audit and a simulation each under 1 s warm. The Reward program
# page runs both (and the leads to fix), so it is held to these, not to the 150 ms of the others.
REWARD_1M_MS = 1000
OWN_TARGETS = ("report", "rewards")
# Issue 12: in Chromium at 1M leads, every page ready within 1 s of a sidebar click and 2 s of
# opening its URL (median of BROWSER_ROUNDS); measured at these sizes (not by --quick).
BROWSER_SIZES = ("sample", "1m")
BROWSER_ROUNDS = 5

# Agreement with pandas: counts exactly, money to the cent, rates and ratios to 1e-9 relative.
CENT = 0.01 + 1e-9
MONEY = {"revenue_attributed", "gross_margin_attributed", "reward_cost"}


def worker(task: str, args: dict, timeout: float = 7200) -> dict:
    """Run one measurement in a new process; return its JSON result."""
    env = {**os.environ, "PYTHONPATH": str(ROOT.parent)}
    done = subprocess.run([sys.executable, "-m", "benchmarks.worker", task, json.dumps(args)],
                          cwd=ROOT.parent, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"worker {task} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    """What the numbers were measured on."""
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    import duckdb
    import pandas

    return {"cpus": os.cpu_count(), "memory_gb": memory, "platform": platform.platform(),
            "python": platform.python_version(), "duckdb": duckdb.__version__,
            "pandas": pandas.__version__, "load_average": list(os.getloadavg()),
            "date": datetime.now().isoformat(timespec="seconds")}


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# --- one size ----------------------------------------------------------------------------------


def measure(size: data.Size, repeat: int, in_browser: bool = False) -> dict:
    """Every measurement for one size."""
    out: dict = {"size": data.describe(size)}
    log(f"{size.name}: exports")
    start = time.perf_counter()
    files = data.exports(size)
    out["generate_seconds"] = time.perf_counter() - start
    out["files_mb"] = {name: path.stat().st_size / 2**20 for name, path in files.items()}
    work = data.CACHE / size.name
    work.mkdir(parents=True, exist_ok=True)
    db_file = work / "db" / "lb.duckdb"
    shutil.rmtree(db_file.parent, ignore_errors=True)

    log(f"{size.name}: the floor (DuckDB reading each CSV into a table)")
    csv_files = {n: str(p) for n, p in files.items() if p.suffix == ".csv"}
    floor_db = work / "floor.duckdb"
    floor_db.unlink(missing_ok=True)
    out["floor"] = worker("floor", {"db": str(floor_db), "files": csv_files})
    floor_db.unlink(missing_ok=True)

    log(f"{size.name}: import")
    groups = [["technicians"], ["leads", "outcomes"], ["payouts", "jobs", "attendance"]]
    out["import"] = worker("load", {"db": str(db_file), "groups": groups,
                                    "files": {n: str(p) for n, p in files.items()}})

    log(f"{size.name}: pages and report, cold (one new process each)")
    out["cold"] = {}
    for name in [*pages.PAGES, "report"]:
        for view_name, view in VIEWS.items():
            result = worker("page", {"db": str(db_file), "page": name, "view": view})
            out["cold"].setdefault(name, {})[view_name] = result

    log(f"{size.name}: pages and report, warm ({repeat} runs each)")
    out["warm"] = worker("warm", {"db": str(db_file), "views": VIEWS, "repeat": repeat})

    if in_browser and browser.CHROMIUM.exists():
        log(f"{size.name}: every page in Chromium ({BROWSER_ROUNDS} rounds)")
        out["browser"] = browser.run(db_file, BROWSER_ROUNDS, work / "browser-server.log")
        out["browser"]["load_average"] = list(os.getloadavg())

    log(f"{size.name}: LeadBridge and pandas on the Overview and Technicians numbers")
    out["ours"] = worker("ours", {"db": str(db_file), "views": VIEWS})
    truth = out["warm"].pop("truth")
    try:
        out["pandas"] = worker("pandas", {"folder": str(files["leads"].parent), "views": VIEWS})
    except RuntimeError as exc:  # the usual way can run out of memory at 10M: say so, go on
        out["pandas"] = {"error": str(exc)[-2000:]}
        out["differences"] = ["pandas did not finish: " + str(exc).splitlines()[-1]]
        return out
    out["differences"] = compare(out["pandas"].pop("numbers"), truth)
    return out


# --- agreement ---------------------------------------------------------------------------------


def differences(ours, theirs, path: str) -> list[str]:
    """Where two values disagree (counts exactly, money to the cent, rates to 1e-9)."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return [f"{path}: {ours!r} is not a mapping"]
        missing = [k for k in theirs if k not in ours]
        found = [f"{path}.{k}: missing in LeadBridge" for k in missing]
        return found + [d for k in theirs if k in ours
                        for d in differences(ours[k], theirs[k], f"{path}.{k}")]
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return [f"{path}: {len(ours) if isinstance(ours, list) else ours} rows in LeadBridge, "
                    f"{len(theirs)} in pandas"]
        return [d for i, (a, b) in enumerate(zip(ours, theirs, strict=True))
                for d in differences(a, b, f"{path}[{i}]")]
    if theirs is None or ours is None or isinstance(theirs, str):
        return [] if ours == theirs else [f"{path}: LeadBridge {ours!r}, pandas {theirs!r}"]
    key = path.rsplit(".", 1)[-1]
    if key in MONEY:
        same = abs(ours - theirs) <= CENT
    elif isinstance(theirs, int) and not isinstance(theirs, bool):
        same = ours == theirs
    else:
        same = math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)
    return [] if same else [f"{path}: LeadBridge {ours!r}, pandas {theirs!r}"]


def compare(pandas_numbers: dict, truth: dict) -> list[str]:
    """pandas' Overview and Technicians numbers against LeadBridge's report, view by view."""
    found = []
    for view_name, theirs in pandas_numbers.items():
        ours = truth[view_name]
        report = ours["report"]
        found += differences(report["totals"], theirs["totals"], f"{view_name}.totals")
        found += differences(ours["previous_totals"], theirs["previous_totals"],
                             f"{view_name}.previous_totals")
        found += differences(report["monthly"], theirs["monthly"], f"{view_name}.monthly")
        found += differences(report["by_tech"], theirs["by_tech"], f"{view_name}.by_tech")
        found += differences(ours["leads_per_100_jobs"], theirs["leads_per_100_jobs"],
                             f"{view_name}.leads_per_100_jobs")
    return found


# --- summaries and targets ---------------------------------------------------------------------


def summary(result: dict) -> dict:
    """The headline figures of one size."""
    imp, floor = result["import"]["seconds"], result["floor"]["seconds"]
    accounting = result["import"]["accounting"]
    lo_import = imp["leads"] + imp["outcomes"] + imp["refresh after leads+outcomes"]
    lo_floor = floor.get("leads", 0) + floor.get("outcomes", math.nan)
    warm = {p: max(v["median"] for v in views.values())
            for p, views in [*result["warm"]["pages"].items(), ("report", result["warm"]["report"])]}
    cold = {p: max(v["seconds"] for v in views.values()) for p, views in result["cold"].items()}
    ours, theirs = result["ours"], result["pandas"]
    nan = math.nan
    return {
        "leads": accounting["leads"]["inserted"],
        "outcomes": accounting["outcomes"]["inserted"],
        "payouts": accounting["payouts"]["inserted"],
        "jobs": accounting["jobs"]["inserted"],
        "techs": accounting["technicians"]["inserted"],
        "csv_mb": sum(result["files_mb"].values()),
        "import_leads_outcomes_s": lo_import,
        "floor_leads_outcomes_s": lo_floor,
        "import_floor_ratio": lo_import / lo_floor if lo_floor else math.nan,
        "import_all_s": sum(imp.values()),
        "floor_all_s": sum(floor.values()),
        "import_peak_rss_mb": result["import"]["peak_rss_mb"],
        "db_mb": result["import"]["db_mb"],
        "warm_ms": {p: 1000 * s for p, s in warm.items()},
        # The reward calls of the Rewards page's last warm run, the slower of the two views.
        "reward_ms": {
            name: 1000 * max(v["calls"].get(name, math.nan)
                             for v in result["warm"]["pages"].get("rewards", {}).values())
            for name in pages.REWARD_CALLS if result["warm"]["pages"].get("rewards")},
        "cold_ms": {p: 1000 * s for p, s in cold.items()},
        "app_peak_rss_mb": result["warm"]["peak_rss_mb"],
        "ours_cold_s": ours["cold_seconds"],
        "pandas_cold_s": theirs.get("cold_seconds", nan),
        "ours_change_s": ours["filter_change_seconds"],
        "pandas_change_s": theirs.get("filter_change_seconds", nan),
        "ours_rss_mb": ours["peak_rss_mb"],
        "pandas_rss_mb": theirs.get("peak_rss_mb", nan),
        "agree": not result["differences"],
        **browser_summary(result.get("browser")),
    }


def browser_summary(measured: dict | None) -> dict:
    """Seconds until each page is ready in Chromium: median per page of a sidebar click and of
    opening its URL (empty when not measured)."""
    if not measured:
        return {}
    summary, floor = measured["summary"], measured.get("floor", {})
    out = {"browser_click_s": {p: w["click"]["median"] for p, w in summary.items()},
           "browser_open_s": {p: w["open"]["median"] for p, w in summary.items()}}
    if all("first_visit" in w for w in summary.values()):
        out["browser_first_visit_s"] = {p: w["first_visit"]["median"] for p, w in summary.items()}
    text = [w for name, w in floor.items() if name not in ("chart", "table")]
    if text:  # Streamlit alone: its slowest page of a title and a line, each way
        out["browser_floor_s"] = {way: max(w[way]["median"] for w in text) for way in browser.WAYS}
    # Streamlit alone with one small Plotly chart; with one table of 200 rows
    for name, key in (("chart", "browser_floor_chart_s"), ("table", "browser_floor_table_s")):
        if name in floor:
            out[key] = {way: floor[name][way]["median"] for way in browser.WAYS}
    return out


def targets(sizes: dict) -> list[dict]:
    """Each target of issue 6 with its measured figure: met, missed, or not measured."""
    def row(target: str, size: str, figure, limit, unit: str, which=None) -> dict:
        found = sizes.get(size, {}).get("summary")
        value = figure(found) if found else None
        if value is not None and math.isnan(value):
            value = None  # e.g. pandas did not finish
        met = None if value is None else value < limit
        return {"target": target, "size": size, "value": value, "limit": limit, "unit": unit,
                "met": met, "which": which(found) if found and which else None}

    def worst(kind):
        return lambda s: max(v for p, v in s[kind].items() if p not in OWN_TARGETS)

    def slowest(kind):
        return lambda s: max((v, p) for p, v in s[kind].items() if p not in OWN_TARGETS)[1]

    return [
        row("import leads + outcomes within 3x the floor", "1m",
            lambda s: s["import_floor_ratio"], IMPORT_RATIO, "x"),
        row("every page warm under 150 ms", "1m", worst("warm_ms"), WARM_1M_MS, "ms",
            slowest("warm_ms")),
        row("every page cold under 1 s", "1m", worst("cold_ms"), COLD_1M_MS, "ms",
            slowest("cold_ms")),
        row("reward audit warm under 1 s", "1m",
            lambda s: s.get("reward_ms", {}).get(pages.REWARD_AUDIT), REWARD_1M_MS, "ms"),
        row("reward simulation warm under 1 s", "1m",
            lambda s: s.get("reward_ms", {}).get(pages.REWARD_SIMULATION), REWARD_1M_MS, "ms"),
        row("every page warm under 1.5 s", "10m", worst("warm_ms"), WARM_10M_MS, "ms",
            slowest("warm_ms")),
        *[row(f"ahead of pandas: {what}", size, lambda s, k=key: s[f"ours_{k}"] / s[f"pandas_{k}"],
              1.0, "x ours/pandas")
          for size in ("1m", "10m")
          for what, key in (("cold start", "cold_s"), ("filter change", "change_s"),
                            ("peak memory", "rss_mb"))],
        row("app peak memory under 2 GB", "10m", lambda s: s["app_peak_rss_mb"], APP_10M_MB, "MB"),
        row("every page ready within 1 s of a sidebar click (Chromium, median)", "1m",
            lambda s: max(s["browser_click_s"].values()) if "browser_click_s" in s else None,
            browser.CLICK_TARGET_S, "s",
            lambda s: max((v, p) for p, v in s.get("browser_click_s", {"–": 0}).items())[1]),
        row("every page ready within 2 s of opening its URL (Chromium, median)", "1m",
            lambda s: max(s["browser_open_s"].values()) if "browser_open_s" in s else None,
            browser.OPEN_TARGET_S, "s",
            lambda s: max((v, p) for p, v in s.get("browser_open_s", {"–": 0}).items())[1]),
    ]


# --- markdown ----------------------------------------------------------------------------------


def _fmt(value, unit: str = "") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if unit == "ms":
        return f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:,.1f} s" if value >= 10 else f"{value:,.2f} s"
    if unit == "MB":
        return f"{value:,.0f} MB"
    if unit.startswith("x"):
        return f"{value:.2f}x"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def markdown(results: dict) -> str:
    """The results as tables for people."""
    m = results["machine"]
    names = [n for n in results["sizes"]]
    sums = {n: results["sizes"][n]["summary"] for n in names}
    lines = [
        f"{m['cpus']} CPUs, {m['memory_gb']} GB RAM ({m['platform']}; Python {m['python']}, "
        f"DuckDB {m['duckdb']}, pandas {m['pandas']}). Pages are the default view (last 12 "
        "months) and a narrow one (Boston, upgrades); each figure is the slower of the two. Warm: "
        "median of repeated runs, database open, no result cache. Cold: a new process opens the "
        "database and runs the page once (the OS file cache is warm). The load average (1 "
        "minute) shows how busy the shared machine was around each size's run.",
        "",
        "| | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    when = {n: results["sizes"][n].get("when", {}) for n in names}
    lines.append("| measured | " + " | ".join(when[n].get("date", "–").replace("T", " ")
                                              for n in names) + " |")
    lines.append("| load average, start / end | " + " | ".join(
        f"{when[n]['load_average_start'][0]:.1f} / {when[n]['load_average_end'][0]:.1f}"
        if "load_average_start" in when[n] else "–" for n in names) + " |")

    def line(label, fn, unit=""):
        lines.append(f"| {label} | " + " | ".join(_fmt(fn(sums[n]), unit) for n in names) + " |")

    line("leads", lambda s: s["leads"])
    line("outcomes", lambda s: s["outcomes"])
    line("payouts", lambda s: s["payouts"])
    line("jobs", lambda s: s["jobs"])
    line("CSV exports", lambda s: s["csv_mb"], "MB")
    line("import leads + outcomes", lambda s: s["import_leads_outcomes_s"], "s")
    line("floor: read_csv into a table", lambda s: s["floor_leads_outcomes_s"], "s")
    line("import / floor", lambda s: s["import_floor_ratio"], "x")
    line("import all six files", lambda s: s["import_all_s"], "s")
    line("import peak memory", lambda s: s["import_peak_rss_mb"], "MB")
    line("database file", lambda s: s["db_mb"], "MB")
    for page in [*pages.PAGES, "report"]:
        line(f"{page}: warm", lambda s, p=page: s["warm_ms"].get(p), "ms")
        line(f"{page}: cold", lambda s, p=page: s["cold_ms"].get(p), "ms")
    for call in pages.REWARD_CALLS:
        line(f"{call}: warm", lambda s, c=call: s.get("reward_ms", {}).get(c), "ms")
    line("app peak memory (all pages)", lambda s: s["app_peak_rss_mb"], "MB")
    for page in browser.PAGES:
        line(f"{page}: Chromium, sidebar click (median)",
             lambda s, p=page: s.get("browser_click_s", {}).get(p), "s")
        line(f"{page}: Chromium, open URL (median)",
             lambda s, p=page: s.get("browser_open_s", {}).get(p), "s")
        line(f"{page}: Chromium, first visit (median)",
             lambda s, p=page: s.get("browser_first_visit_s", {}).get(p), "s")
    for key, floor in (("browser_floor_s", "a title and a line"),
                       ("browser_floor_chart_s", "a title and one Plotly chart"),
                       ("browser_floor_table_s", "a title and one table of 200 rows")):
        for way, what in (("click", "sidebar click"), ("open", "open URL"),
                          ("first_visit", "first visit")):
            line(f"Streamlit alone ({floor}): Chromium, {what} (median)",
                 lambda s, k=key, w=way: s.get(k, {}).get(w), "s")
    line("**cold start**: LeadBridge", lambda s: s["ours_cold_s"], "s")
    line("**cold start**: pandas", lambda s: s["pandas_cold_s"], "s")
    line("cold start: ours / pandas", lambda s: s["ours_cold_s"] / s["pandas_cold_s"], "x")
    line("**filter change**: LeadBridge", lambda s: s["ours_change_s"], "s")
    line("**filter change**: pandas", lambda s: s["pandas_change_s"], "s")
    line("filter change: ours / pandas", lambda s: s["ours_change_s"] / s["pandas_change_s"], "x")
    line("**peak memory**: LeadBridge", lambda s: s["ours_rss_mb"], "MB")
    line("**peak memory**: pandas", lambda s: s["pandas_rss_mb"], "MB")
    line("peak memory: ours / pandas", lambda s: s["ours_rss_mb"] / s["pandas_rss_mb"], "x")
    lines.append("| pandas numbers equal ours | " + " | ".join(
        "yes" if sums[n]["agree"] else "**NO**" for n in names) + " |")
    lines += ["", "| target | size | measured | limit | |", "|---|---|---|---|---|"]
    for t in results["targets"]:
        verdict = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        where = f" ({t['which']})" if t.get("which") else ""
        lines.append(f"| {t['target']} | {t['size']} | {_fmt(t['value'], t['unit'])}{where} | "
                     f"{_fmt(t['limit'], t['unit'])} | {verdict} |")
    for n in names:
        diffs = results["sizes"][n]["differences"]
        if diffs:
            lines += ["", f"Disagreements at {n} (first 20):", ""]
            lines += [f"- {d}" for d in diffs[:20]]
    return "\n".join(lines) + "\n"


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="100k leads only; exit 1 when pandas and LeadBridge disagree")
    parser.add_argument("--sizes", default=None, help=f"comma-separated: {', '.join(data.SIZES)}")
    parser.add_argument("--repeat", type=int, default=None, help="warm runs per page (median)")
    args = parser.parse_args(argv)
    chosen = (args.sizes.split(",") if args.sizes else
              ["100k"] if args.quick else list(data.SIZES))
    unknown = [n for n in chosen if n not in data.SIZES]
    if unknown:
        parser.error(f"unknown size(s) {unknown}: use {', '.join(data.SIZES)}")
    repeat = args.repeat or (3 if args.quick else 5)

    measured = {}
    for name in chosen:
        started = {"date": datetime.now().isoformat(timespec="seconds"),
                   "load_average_start": list(os.getloadavg())}
        result = measure(data.SIZES[name], repeat if name != "10m" else min(repeat, 3),
                         in_browser=not args.quick and name in BROWSER_SIZES)
        result["when"] = {**started, "load_average_end": list(os.getloadavg())}
        result["summary"] = summary(result)
        measured[name] = result
        log(f"{name}: done; pandas numbers {'equal ours' if result['summary']['agree'] else 'DIFFER'}")
        if not args.quick:  # the latest full measurement of each size is kept
            SIZE_RESULTS.mkdir(parents=True, exist_ok=True)
            (SIZE_RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, default=str))

    sizes = measured
    if not args.quick:
        sizes = {n: json.loads((SIZE_RESULTS / f"{n}.json").read_text()) for n in data.SIZES
                 if (SIZE_RESULTS / f"{n}.json").is_file()}
    results = {"machine": machine(), "views": VIEWS, "sizes": sizes, "targets": targets(sizes)}
    RESULTS.mkdir(exist_ok=True)
    stem = "quick" if args.quick else "bench"
    text = markdown(results)
    (RESULTS / f"{stem}.json").write_text(json.dumps(results, indent=2, default=str))
    (RESULTS / f"{stem}.md").write_text(text)
    if not args.quick and set(sizes) == set(data.SIZES):
        RECORD.write_text("# Benchmark results\n\nWritten by `make bench` (benchmarks/run.py); "
                          "how to read them: benchmarks/README.md.\n\n" + text)
    print(text)
    disagree = [n for n, r in measured.items() if r["differences"]]
    if disagree:
        print(f"pandas and LeadBridge disagree at {', '.join(disagree)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

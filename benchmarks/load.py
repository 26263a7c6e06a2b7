"""Load: N simultaneous sessions click through every page, against 1 or 2 replicas, once while an
import runs (`make bench-load`).

A replica is a process; each of its sessions is a Streamlit AppTest (the server's script runner,
without a browser: on a 2-core machine browser rendering would dominate) in its own thread, going
through every page in turn with the default filters. Each page run is timed; an exception shown
on a page counts as an error. The Overview's "Leads submitted" tile is read at every visit: with
an import running, each session must see the old number, then the new, never anything else.

    python -m benchmarks.load --size 1m --sessions 10,30 --replicas 1,2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {"overview": "pages/overview.py", "technicians": "pages/technicians.py",
         "conversion": "pages/conversion.py", "revenue_rewards": "pages/revenue_rewards.py",
         "meeting": "pages/meeting.py", "follow_up": "pages/follow_up.py", "data": "pages/data.py"}


def replica(args: dict) -> dict:
    """One dashboard process: `sessions` AppTest sessions in threads, `rounds` rounds of every page."""
    os.environ["LEADBRIDGE_DB"] = args["db"]
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import AppTest

    from benchmarks.worker import peak_rss_mb

    original = PagesManager.__init__

    def init(self, *a, **k):  # as the server does for an st.navigation app (tests/conftest.py)
        PagesManager.uses_pages_directory = False
        original(self, *a, **k)

    PagesManager.__init__ = init
    timings: dict[str, list[float]] = {p: [] for p in PAGES}
    errors: list[str] = []
    leads_seen: list[list[int]] = []
    lock = threading.Lock()
    start_at = time.monotonic() + 1.0

    def session(number: int) -> None:
        seen: list[int] = []
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=600)
        time.sleep(max(0.0, start_at - time.monotonic()) + number * 0.05)
        for _ in range(args["rounds"]):
            for name, page in PAGES.items():
                began = time.perf_counter()
                try:
                    at.switch_page(page).run()
                except Exception as exc:  # noqa: BLE001 - counted, not raised
                    with lock:
                        errors.append(f"{name}: {type(exc).__name__}: {exc}")
                    continue
                took = time.perf_counter() - began
                problems = [str(e.value)[:300] for e in at.exception]
                problems += [str(e.value)[:300] for e in at.error]
                if name == "overview":
                    tiles = [m.value for m in at.metric if m.label == "Leads submitted"]
                    if tiles:
                        seen.append(int(tiles[0].replace(",", "")))
                with lock:
                    timings[name].append(took)
                    errors.extend(f"{name}: {p}" for p in problems)
        with lock:
            leads_seen.append(seen)

    threads = [threading.Thread(target=session, args=(i,)) for i in range(args["sessions"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"timings": timings, "errors": errors, "leads_seen": leads_seen,
            "peak_rss_mb": peak_rss_mb()}


def run(db: str, sessions: int, replicas: int, rounds: int, import_file: str | None) -> dict:
    per = [sessions // replicas + (1 if i < sessions % replicas else 0) for i in range(replicas)]
    procs = []
    for count in per:
        payload = json.dumps({"db": db, "sessions": count, "rounds": rounds})
        procs.append(subprocess.Popen([sys.executable, "-m", "benchmarks.load", "--replica", payload],
                                      cwd=ROOT, stdout=subprocess.PIPE, text=True))
    importer = None
    if import_file:
        time.sleep(20)  # the sessions are clicking by then
        importer = subprocess.run([sys.executable, "-m", "leadbridge", "import", import_file,
                                   "--db", db, "--format", "json"], cwd=ROOT, capture_output=True,
                                  text=True, check=False)
    results = [json.loads(p.communicate()[0].splitlines()[-1]) for p in procs]
    timings: dict[str, list[float]] = {p: [] for p in PAGES}
    for r in results:
        for name, values in r["timings"].items():
            timings[name] += values
    seen = [s for r in results for s in r["leads_seen"]]
    distinct = sorted({v for s in seen for v in s})
    mixed = [s for s in seen if sum(1 for a, b in zip(s, s[1:], strict=False) if a != b) > 1]
    return {
        "sessions": sessions, "replicas": replicas, "rounds": rounds,
        "import": None if importer is None else {"returncode": importer.returncode,
                                                 "summary": importer.stdout.strip()[-500:]},
        "pages": {name: {"runs": len(v), "p50_s": statistics.median(v) if v else None,
                         "p95_s": _p95(v)} for name, v in timings.items()},
        "errors": [e for r in results for e in r["errors"]],
        "replica_peak_rss_mb": [r["peak_rss_mb"] for r in results],
        "leads_values_seen": distinct,
        "sessions_changing_more_than_once": len(mixed),
    }


def _p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(prog="benchmarks.load")
    parser.add_argument("--replica", help=argparse.SUPPRESS)
    parser.add_argument("--db", help="the working database (default: the size's benchmark database)")
    parser.add_argument("--size", default="1m")
    parser.add_argument("--sessions", default="10,30")
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--import-file", help="the export imported during the last run "
                        "(default: a 20,000-lead file made for the purpose)")
    args = parser.parse_args()
    if args.replica:
        print(json.dumps(replica(json.loads(args.replica))))
        return
    from benchmarks import data

    db = args.db or str(data.CACHE / args.size / "db" / "lb.duckdb")
    out = []
    for sessions in (int(s) for s in args.sessions.split(",")):
        for replicas in (int(r) for r in args.replicas.split(",")):
            print(f"[{time.strftime('%H:%M:%S')}] {sessions} sessions on {replicas} replica(s)", flush=True)
            out.append(run(db, sessions, replicas, args.rounds, None))
    extra = args.import_file or str(_extra_leads(Path(db).parent.parent / "load-extra"))
    sessions, replicas = int(args.sessions.split(",")[0]), int(args.replicas.split(",")[-1])
    print(f"[{time.strftime('%H:%M:%S')}] {sessions} sessions on {replicas} replicas while "
          "an import runs", flush=True)
    out.append(run(db, sessions, replicas, args.rounds + 1, extra))
    target = ROOT / "benchmarks" / "results" / f"load-{args.size}.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


def _extra_leads(folder: Path, count: int = 20_000) -> Path:
    """New leads in the last month of the benchmark company, so the Overview's number moves."""
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / f"leads_extra_{int(time.time())}.csv"
    lines = ["Lead ID,Date Submitted,Technician ID"]
    lines += [f"LOAD-{int(time.time())}-{i},2026-10-{1 + i % 28:02d},{1 + i % 5000:06d}"
              for i in range(count)]
    file.write_text("\n".join(lines) + "\n")
    return file


if __name__ == "__main__":
    main()

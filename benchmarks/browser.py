"""Pages in a real browser: how long until each page is ready, in Chromium, on a database.

python -m benchmarks.browser --db benchmarks/cache/1m/db/lb.duckdb   # one database
(`make bench` runs it on each size's database after the import; see benchmarks/README.md)

A page is ready when Streamlit's script run has finished (`data-test-script-state=notRunning`),
its first heading is drawn, no element is stale, no element is still a skeleton (Streamlit draws
a grey placeholder until the code of a kind of element, such as Plotly's 3.5 MB, has loaded: a
check without this one passed while every chart, metric and table was still a placeholder), and
every Plotly chart on it has drawn its SVG.
Three ways in, each page several rounds (the first round is the server's first visit: nothing in
Streamlit's result cache):
- click: the page's link in the sidebar is clicked from the page before it (Overview -> Technicians
  -> ... -> Data -> Overview); the time from the click to ready.
- open: the page's URL opened in a new tab of a browser that has used the dashboard before: a
  profile on disk, as a person's browser is, whose cache holds Streamlit's scripts and the code
  V8 compiled from them (Playwright's default context is off the record: it kept the scripts but
  compiled them again on every open, 0.3-0.4 s of each). A new session, the websocket, the
  sidebar and the page; navigation start to ready.
- first visit: the same in a new, empty off-the-record context (every script downloaded and
  compiled).
Streamlit alone (benchmarks/floor_app.py: a title and a line; a title and one small Plotly chart;
a title and one table of 200 rows) is measured the same way, for reference: what no page of a
Streamlit app (with a chart, with a table) beats on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
# The sidebar's link text and the URL path of each page, in the sidebar's order.
PAGES = {
    "overview": ("Overview", ""),
    "technicians": ("Technicians", "technicians"),
    "conversion": ("Conversion", "conversion"),
    "lead_quality": ("Lead quality", "lead_quality"),
    "revenue_rewards": ("Revenue & rewards", "revenue_rewards"),
    "rewards": ("Reward program", "rewards"),
    "meeting": ("Monthly meeting", "meeting"),
    "follow_up": ("Sales follow-up", "follow_up"),
    "data": ("Data", "data"),
}
# Streamlit alone (floor_app.py), measured the same way.
FLOOR_APP = Path(__file__).resolve().parent / "floor_app.py"
FLOOR_PAGES = {"one": ("One", ""), "two": ("Two", "two"), "chart": ("Chart", "chart"),
               "table": ("Table", "table")}
WAYS = ("click", "open", "first_visit")
# The issue-12 targets (median): ready within 1 s of a click, 2 s of opening the URL.
CLICK_TARGET_S, OPEN_TARGET_S = 1.0, 2.0
TIMEOUT_MS = 120_000

# True when the page at `path` has finished its run and drawn it: no stale element, a heading,
# every chart's SVG.
READY_JS = """(path) => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (location.pathname.replace(/^\\//, '') !== path) return false;
  if (document.querySelector('[data-stale=true]')) return false;
  if (document.querySelector('[data-testid=stSkeleton]')) return false;
  if (!document.querySelector('[data-testid=stMain] h1')) return false;
  const charts = document.querySelectorAll('[data-testid=stPlotlyChart]');
  for (const c of charts) { if (!c.querySelector('.main-svg')) return false; }
  return true;
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_health(process: subprocess.Popen, url: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.5)


def start_server(db: Path, log: Path, cwd: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """`leadbridge dashboard` on the database, on a free local port; waits for its health check."""
    port = _free_port()
    env = {**os.environ, "LEADBRIDGE_DB": str(db)}
    command = [sys.executable, "-m", "leadbridge", "dashboard", "--db", str(db), "--port",
               str(port), "--address", "127.0.0.1", "--headless"]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait_health(process, url, log)
    return process, url


def start_floor(log: Path) -> tuple[subprocess.Popen, str]:
    """Streamlit alone (floor_app.py) with the server settings `leadbridge dashboard` passes."""
    from leadbridge import serve

    port = _free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(FLOOR_APP), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
               *serve.hardened_options()]
    with open(log, "w") as out:
        process = subprocess.Popen(command, cwd=FLOOR_APP.parent, stdout=out,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait_health(process, url, log)
    return process, url


def ensure_policy(db: Path) -> None:
    """The sample company's reward policy in force beside the database (as `make import-sample`
    does), so that the Reward program page has an audit to show; a policy already set stays."""
    from leadbridge import policy, sample

    if policy.in_force(db) is None:
        key = policy.add(sample.REWARD_POLICY_TEXT, db, replace=True)
        policy.use(key, date(2024, 11, 1), db)


def _wait_ready(page, path: str) -> None:
    page.wait_for_function(READY_JS, arg=path, timeout=TIMEOUT_MS, polling=20)


def _timed_open(context, url: str, path: str) -> float:
    """A new tab of the browser context at the page's URL: navigation start to ready."""
    tab = context.new_page()
    try:
        start = time.perf_counter()
        tab.goto(f"{url}/{path}")
        _wait_ready(tab, path)
        return time.perf_counter() - start
    finally:
        tab.close()


def measure(url: str, rounds: int, pages: dict | None = None) -> dict:
    """{page: {"click": [seconds...], "open": [...], "first_visit": [...]}}, round 1 first."""
    from playwright.sync_api import sync_playwright

    pages = pages or PAGES
    times: dict[str, dict[str, list[float]]] = {p: {w: [] for w in WAYS} for p in pages}
    names = list(pages)
    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        # a browser that has been here before: V8 caches a script's code once it has run twice
        used = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, viewport=VIEWPORT)
        try:
            for _ in range(2):
                _timed_open(used, url, pages[names[0]][1])
            for _ in range(rounds):
                for name in names:  # a new session per URL
                    path = pages[name][1]
                    fresh = browser.new_context(viewport=VIEWPORT)
                    try:
                        times[name]["first_visit"].append(_timed_open(fresh, url, path))
                    finally:
                        fresh.close()
                    times[name]["open"].append(_timed_open(used, url, path))
                tab = used.new_page()
                tab.goto(url)
                _wait_ready(tab, "")
                for name in [*names[1:], names[0]]:  # sidebar clicks round the pages
                    label, path = pages[name]
                    link = tab.get_by_role("link", name=label, exact=True)
                    start = time.perf_counter()
                    link.click(timeout=TIMEOUT_MS)
                    _wait_ready(tab, path)
                    times[name]["click"].append(time.perf_counter() - start)
                tab.close()
        finally:
            used.close()
            browser.close()
    return times


def summarize(times: dict) -> dict:
    """Per page and way in: the first round, the median of every round, the worst."""
    return {name: {way: {"first": values[0], "median": statistics.median(values),
                         "max": max(values), "rounds": len(values)}
                   for way, values in ways.items()}
            for name, ways in times.items()}


def markdown(summary: dict, label: str, floor: dict | None = None) -> str:
    lines = [f"| page ({label}) | click: median | click: first | open URL: median | "
             "open URL: first | first visit: median |", "|---|---|---|---|---|---|"]
    rows = [(PAGES[name][0], ways) for name, ways in summary.items()]
    rows += [(f"Streamlit alone: page {FLOOR_PAGES[name][0]}", ways)
             for name, ways in (floor or {}).items()]
    for title, ways in rows:
        click, opened, first = ways["click"], ways["open"], ways["first_visit"]
        lines.append(f"| {title} | {click['median']:.2f} s | {click['first']:.2f} s | "
                     f"{opened['median']:.2f} s | {opened['first']:.2f} s | "
                     f"{first['median']:.2f} s |")
    return "\n".join(lines)


def stop_server(process: subprocess.Popen, timeout: float = 10) -> None:
    """Stop a server started here: terminate, then kill when it does not end in time."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def run(db: Path, rounds: int, log: Path, cwd: Path = ROOT) -> dict:
    """Every page of the dashboard on the database, then Streamlit alone, in Chromium."""
    ensure_policy(db)
    process, url = start_server(db, log, cwd)
    try:
        times = measure(url, rounds)
    finally:
        stop_server(process)
    process, url = start_floor(log.with_name(log.stem + "-floor.log"))
    try:
        floor = measure(url, rounds, FLOOR_PAGES)
    finally:
        stop_server(process)
    return {"times": times, "summary": summarize(times), "floor": summarize(floor)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", type=Path, help="write the JSON result here")
    parser.add_argument("--app", type=Path, default=ROOT,
                        help="the checkout whose dashboard to serve (to compare commits)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"no Chromium at {CHROMIUM}: apt-get install -y chromium")
    log = Path(os.environ.get("TMPDIR", "/tmp")) / f"leadbridge-bench-browser-{os.getpid()}.log"
    result = run(args.db.resolve(), args.rounds, log, args.app.resolve())
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1))
    print(markdown(result["summary"], args.label or args.db.name, result["floor"]))


if __name__ == "__main__":
    main()

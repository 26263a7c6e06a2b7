"""`make bench-load`: many people clicking through the dashboard at once, measured at the server.

python -m benchmarks.load                                   # the full matrix at 1M leads
python -m benchmarks.load --db FILE --sessions 10 --replicas 1 --duration 60
python -m benchmarks.load --sessions 10 --replicas 2 --import FILE --duration 60

Each simulated person is a **protocol client**: it speaks Streamlit's own websocket protocol
(ws://host:port/_stcore/stream, protobuf `BackMsg` up, `ForwardMsg` down) the way the browser
does, without drawing anything, so that on a 2-core machine the figures are the server's work and
not Chromium's. One asyncio event loop drives every session. A session opens the app (a new
session on the Overview, as opening the URL does), then clicks through every page in the order
of the sidebar, round after round: a click is a `rerun_script` BackMsg carrying the next page's
`page_script_hash`, as a sidebar link sends it. A **page view** lasts from sending it to the
`script_finished` message of that run. An error is an exception element, an `st.error` (the
incident message of leadbridge.ui_errors), a run that did not finish successfully, a page not
found, a message the client could not resolve, a dropped connection or a view over the time limit.

A few real Chromium sessions (--browsers) click through the pages at the same time and time each
click until the page is drawn (benchmarks/browser.py's readiness test).

The numbers shown: every view's KPI tiles (label and value) and the footer ("Numbers as of ... ·
last import ...") are kept. With --import, `leadbridge import` runs on the served database while
the sessions click; each page's views before the import and after it give that page's old and new
numbers, and every view is counted as old, new or **mixed** (tiles and footer that match neither:
numbers from two snapshots on one page). Mixed must be 0. The Overview's tiles are also computed
the way `leadbridge report` computes its totals, before and after the import, and set beside the
tiles the sessions saw.

The dashboards are started by this tool (`leadbridge dashboard --headless` on free local ports),
one process per replica; sessions are split round-robin over the replicas. Each server's resident
memory (VmRSS) is sampled every half second and its peak (VmHWM) read at the end.

Results: benchmarks/results/load.json and load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from benchmarks import browser, data

ROOT = Path(__file__).resolve().parent
RESULTS = ROOT / "results"
DEFAULT_DB = data.CACHE / "1m" / "db" / "lb.duckdb"
WORK = data.CACHE / "load"  # the import scenario's copy of the database, the extra leads file
VIEW_TIMEOUT_S = 180.0
# After the import has published, every session clicks on for at least this many seconds and
# until it has clicked through every page once (a whole round begun after the publish).
AFTER_IMPORT_S = 20.0
MAX_SCENARIO_S = 1800.0  # a scenario whose import never ends stops all the same
SIDEBAR: list[str] = []  # the pages' titles in the sidebar's order, as the first session saw them
# The Overview's tiles, in the order the page draws them (pages/overview.py).
OVERVIEW_KPIS = ("leads_submitted", "conversion_rate", "revenue_attributed", "reward_cost",
                 "revenue_per_reward_dollar", "program_roi", "participation_rate")
FOOTER_PREFIX = "Numbers as of"
INCIDENT = "Something went wrong (incident"


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- the protocol client -----------------------------------------------------------------------


@dataclass
class Page:
    """One page of the sidebar, as the server's `navigation` message lists it."""

    title: str
    script_hash: str
    url_path: str
    default: bool = False

    @property
    def path(self) -> str:
        """The page's URL path in the browser ("" for the default page)."""
        return "" if self.default else self.url_path


@dataclass
class View:
    """One page view of one session: what it took and what it showed."""

    session: int
    replica: int
    page: str
    kind: str  # "open": a new session on the URL; "click": a sidebar click
    start: float  # time.monotonic()
    end: float = 0.0
    ok: bool = True
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    title: str = ""
    tiles: list[tuple[str, str]] = field(default_factory=list)
    footer: str = ""
    reruns: int = 0  # runs that ended early for a rerun inside the view (st.rerun)
    messages: int = 0
    bytes: int = 0

    @property
    def seconds(self) -> float:
        return self.end - self.start

    def error(self, text: str) -> None:
        self.ok = False
        self.errors.append(text)

    def signature(self) -> tuple:
        """What the view showed that depends on the data: its tiles and its footer."""
        return (tuple(self.tiles), self.footer)


class ProtocolError(Exception):
    """The server said something a browser could not have shown: the view failed."""


class Session:
    """One person's browser tab, at the protocol level.

    The browser keeps big elements it was sent (ForwardMsg `metadata.cacheable`) by their hash,
    tells the server which it has on every rerun (`cached_message_hashes`), and the server then
    sends a `ref_hash` instead of the element; an element not used for more than
    `max_cached_message_age` runs (2) is dropped. This client does the same."""

    def __init__(self, number: int, replica: int, url: str, query: str = ""):
        self.number, self.replica = number, replica
        self.url = url.replace("http://", "ws://").rstrip("/") + "/_stcore/stream"
        self.query = query  # the query string of the URL the session was opened with
        self.ws = None
        self.pages: list[Page] = []
        self.current_hash = ""
        self.cache: dict[str, bytes] = {}
        self.cache_used: dict[str, int] = {}  # hash -> the run count when last used
        self.runs = 0
        self.max_age = 2

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        # As the browser: the "streamlit" subprotocol, no keepalive pings (a busy server must not
        # be taken for a dead one), permessage-deflate, no limit on a message's size.
        self.ws = await connect(self.url, subprotocols=["streamlit"], ping_interval=None,
                                max_size=None, open_timeout=VIEW_TIMEOUT_S)

    async def close(self) -> None:
        if self.ws is not None:
            try:
                await self.ws.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass
            self.ws = None

    def _rerun(self, page_hash: str, page_name: str, query: str) -> bytes:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_script_hash = page_hash
        state.page_name = page_name
        state.widget_states.SetInParent()
        state.cached_message_hashes.extend(self.cache)
        return msg.SerializeToString()

    async def view(self, page: Page | None, kind: str) -> View:
        """Open the app (page None: the URL's page) or click a page; wait for the run's end."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        title = page.title if page else "?"
        view = View(self.number, self.replica, title, kind, time.monotonic())
        if page is None:  # a new tab: the page comes from the URL, the query string with it
            payload = self._rerun("", "", self.query)
        else:  # a sidebar click: the browser clears the query string when the page changes
            query = self.query if page.script_hash == self.current_hash else ""
            payload = self._rerun(page.script_hash, "", query)
        try:
            await self.ws.send(payload)
            deadline = view.start + VIEW_TIMEOUT_S
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ProtocolError(f"no end of the run within {VIEW_TIMEOUT_S:.0f} s")
                raw = await asyncio.wait_for(self.ws.recv(), remaining)
                view.messages += 1
                view.bytes += len(raw)
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                if self._handle(msg, view):
                    break
        except ProtocolError as exc:
            view.error(str(exc))
        except TimeoutError:
            view.error(f"no end of the run within {VIEW_TIMEOUT_S:.0f} s")
        except Exception as exc:  # noqa: BLE001 - a dropped connection and the like
            view.error(f"connection: {type(exc).__name__}: {exc}")
            await self.close()
        view.end = time.monotonic()
        if page is None and self.current_hash:
            view.page = next((p.title for p in self.pages if p.script_hash == self.current_hash),
                             view.page)
        return view

    def _handle(self, msg, view: View) -> bool:
        """Take one ForwardMsg into the view; True when the run has ended."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        kind = msg.WhichOneof("type")
        if kind == "ref_hash":
            cached = self.cache.get(msg.ref_hash)
            if cached is None:
                raise ProtocolError(f"the server referred to an element this client was never "
                                    f"sent (hash {msg.ref_hash})")
            full = ForwardMsg()
            full.ParseFromString(cached)
            full.metadata.CopyFrom(msg.metadata)
            self.cache_used[msg.ref_hash] = self.runs
            return self._handle(full, view)
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = msg.SerializeToString()
            self.cache_used[msg.hash] = self.runs
        if kind == "delta":
            if msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, view)
        elif kind == "navigation":
            self.pages = [Page(p.page_name, p.page_script_hash, p.url_pathname, p.is_default)
                          for p in msg.navigation.app_pages if not p.is_hidden]
            if not SIDEBAR:
                SIDEBAR.extend(p.title for p in self.pages)
            self.current_hash = msg.navigation.page_script_hash
            view.page = next((p.title for p in self.pages if p.script_hash == self.current_hash),
                             view.page)
        elif kind == "new_session":
            self.max_age = msg.new_session.config.max_cached_message_age or self.max_age
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            view.error(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event":
            event = msg.session_event.WhichOneof("type")
            if event == "script_compilation_exception":
                exc = msg.session_event.script_compilation_exception
                view.error(f"script compilation error: {exc.type}: {exc.message}")
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_SUCCESSFULLY:
                self._age_cache()
                return True
            if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                view.reruns += 1
                return False
            name = ForwardMsg.ScriptFinishedStatus.Name(status)
            view.error(f"the run ended with {name}")
            return True
        return False

    def _age_cache(self) -> None:
        self.runs += 1
        for key in [k for k, used in self.cache_used.items() if self.runs - used > self.max_age]:
            del self.cache[key], self.cache_used[key]

    @staticmethod
    def _element(element, view: View) -> None:
        kind = element.WhichOneof("type")
        if kind == "metric":
            view.tiles.append((element.metric.label, element.metric.body))
        elif kind == "exception":
            view.error(f"exception: {element.exception.type}: {element.exception.message}"[:500])
        elif kind == "alert":
            from streamlit.proto.Alert_pb2 import Alert

            body = element.alert.body
            if element.alert.format == Alert.ERROR or INCIDENT in body:
                view.error(f"st.error: {body}"[:500])
            elif element.alert.format == Alert.WARNING:
                view.warnings.append(body[:300])
        elif kind == "heading" and not view.title:
            view.title = element.heading.body
        elif kind == "markdown" and element.markdown.body.startswith(FOOTER_PREFIX):
            view.footer = element.markdown.body


async def run_session(number: int, replica: int, url: str, query: str, stop, views: list) -> None:
    """One person: open the app, then click every page in the sidebar's order until
    stop(rounds) says so; `rounds` holds the start (monotonic) of each round the session finished.
    Session n begins its clicks n pages further down the sidebar, so that the people are spread
    over the pages as they would be, and every page is measured however short the run."""
    session = Session(number, replica, url, query)
    rounds: list[float] = []
    try:
        while not stop(rounds):
            if session.ws is None:
                try:
                    await session.connect()
                except Exception as exc:  # noqa: BLE001 - a refused connection is an error
                    failed = View(number, replica, "(connect)", "open", time.monotonic())
                    failed.end = failed.start
                    failed.error(f"connect: {type(exc).__name__}: {exc}")
                    views.append(failed)
                    await asyncio.sleep(1)
                    continue
                views.append(await session.view(None, "open"))
                if session.ws is None or not session.pages:
                    continue
            order = session.pages
            position = (next((i for i, p in enumerate(order)
                              if p.script_hash == session.current_hash), 0) + number) % len(order)
            round_start, clicks = time.monotonic(), 0
            while session.ws is not None and not stop(rounds):
                position = (position + 1) % len(order)
                views.append(await session.view(order[position], "click"))
                clicks += 1
                if clicks == len(order):
                    rounds.append(round_start)
                    round_start, clicks = time.monotonic(), 0
    finally:
        await session.close()


async def discover(url: str) -> list[Page]:
    """The sidebar's pages, from one session that opens the app."""
    session = Session(-1, 0, url)
    await session.connect()
    try:
        view = await session.view(None, "open")
        if not view.ok:
            raise RuntimeError(f"opening {url}: {'; '.join(view.errors)}")
        return session.pages
    finally:
        await session.close()


# --- real browsers -----------------------------------------------------------------------------


def browser_sessions(urls: list[str], pages: list[Page], count: int, go: threading.Event,
                     stop: threading.Event, out: list) -> None:
    """`count` Chromium tabs (one browser) open the app, wait for `go`, then each clicks through
    the sidebar's pages until stop; appends {"page", "seconds", "ok", "error", "replica", "start"}
    per click. The tabs take turns (Playwright's synchronous API drives one at a time), so each is
    one person clicking, with the others' clicks as pauses between theirs."""
    try:
        _browse(urls, pages, count, go, stop, out)
    except Exception as exc:  # noqa: BLE001 - a browser that fails is an error of the run
        out.append({"page": "(browser)", "replica": 0, "start": time.monotonic(), "ok": False,
                    "seconds": 0.0, "error": f"{type(exc).__name__}: {str(exc)[:300]}"})


def _browse(urls, pages, count, go, stop, out) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(browser.CHROMIUM),
                                              args=browser.CHROMIUM_ARGS)
        try:
            tabs = []
            for i in range(count):
                replica = i % len(urls)
                tab = chromium.new_page(viewport=browser.VIEWPORT)
                tab.goto(urls[replica])
                browser._wait_ready(tab, "")
                tabs.append((tab, replica, [i]))
            go.wait()
            while not stop.is_set():
                for tab, replica, position in tabs:
                    if stop.is_set():
                        break
                    position[0] = (position[0] + 1) % len(pages)
                    label, path = pages[position[0]].title, pages[position[0]].path
                    start = time.monotonic()
                    entry = {"page": label, "replica": replica, "start": start, "ok": True,
                             "error": ""}
                    try:
                        tab.get_by_role("link", name=label, exact=True).first.click(
                            timeout=browser.TIMEOUT_MS)
                        browser._wait_ready(tab, path)
                        entry["seconds"] = time.monotonic() - start
                        bad = (tab.locator("[data-testid=stException]").count()
                               + tab.locator("[data-testid=stAlertContentError]").count())
                        if bad:
                            entry.update(ok=False, error="an error element on the page")
                    except Exception as exc:  # noqa: BLE001 - a timeout is an error, go on
                        entry.update(ok=False, seconds=time.monotonic() - start,
                                     error=f"{type(exc).__name__}: {str(exc)[:300]}")
                    out.append(entry)
        finally:
            chromium.close()


# --- servers and their memory ------------------------------------------------------------------


def proc_memory_mb(pid: int) -> dict:
    """VmRSS and VmHWM of a process, in MB (empty when it is gone)."""
    found = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return found


class MemorySampler(threading.Thread):
    """Every `every` seconds, each server's resident memory; the peaks and the last samples."""

    def __init__(self, pids: list[int], every: float = 0.5):
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.samples: dict[int, list[tuple[float, float]]] = {p: [] for p in pids}
        self.hwm: dict[int, float] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.every)

    def sample(self) -> None:
        for pid in self.pids:
            found = proc_memory_mb(pid)
            if "VmRSS" in found:
                self.samples[pid].append((time.monotonic(), found["VmRSS"]))
            if "VmHWM" in found:
                self.hwm[pid] = found["VmHWM"]

    def stop(self) -> dict:
        self.sample()
        self.done.set()
        self.join(timeout=5)
        return {pid: {"peak_rss_mb": self.hwm.get(pid),
                      "max_sampled_rss_mb": max((r for _, r in self.samples[pid]), default=None),
                      "end_rss_mb": self.samples[pid][-1][1] if self.samples[pid] else None,
                      "samples": len(self.samples[pid])}
                for pid in self.pids}


def stop_server(process: subprocess.Popen) -> None:
    browser.stop_server(process, timeout=15)


# --- the import --------------------------------------------------------------------------------


def copy_database(source: Path, folder: Path) -> Path:
    """A private copy of a database and its published snapshot (the one CURRENT names)."""
    from leadbridge import db, store

    shutil.rmtree(folder, ignore_errors=True)
    target = folder / source.name
    folder.mkdir(parents=True)
    shutil.copyfile(source, target)
    # The staging folder, as the importer made it beside the original: a reader spills there.
    db.staging_dir(target).mkdir()
    pointer_file = store.pointer_file(source)
    if pointer_file.is_file():
        pointer = json.loads(pointer_file.read_text())
        published = store.published_dir(target)
        published.mkdir()
        shutil.copyfile(store.published_dir(source) / pointer["file"],
                        published / pointer["file"])
        shutil.copyfile(pointer_file, store.pointer_file(target))
    return target


def extra_leads(db_file: Path, out: Path, count: int) -> Path:
    """A leads export of `count` new leads by the roster's techs, dated in the data's latest
    complete month: importing it changes the Overview's numbers and not its period."""
    import random

    from leadbridge import metrics, store

    snap = store.readers(db_file).current()
    cur = snap.con.cursor()
    span = cur.execute("select max(submitted_at)::date from leads").fetchone()[0]
    latest = metrics.latest_complete_month(span, date.today())
    techs = [r[0] for r in cur.execute(  # techs who submitted leads that month: on the roster
        "select distinct tech_id from leads where submitted_at >= $1 order by tech_id",
        [latest]).fetchall()]
    last_day = min(span, metrics.add_months(latest, 1) - timedelta(days=1))
    rng = random.Random(12)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w") as f:
        f.write("Lead ID,Date Submitted,Technician ID\n")
        for i in range(count):
            day = latest.replace(day=rng.randint(1, last_day.day))
            f.write(f"LOAD-{i + 1:07d},{day.isoformat()},{rng.choice(techs)}\n")
    return out


class ImportRun(threading.Thread):
    """`leadbridge import FILES --db DB` in a process of its own, started at `at` (monotonic)."""

    def __init__(self, files: list[Path], db_file: Path, at: float):
        super().__init__(daemon=True)
        self.files, self.db_file, self.at = files, db_file, at
        self.started = self.ended = None
        self.returncode = None
        self.output = ""

    def run(self) -> None:
        time.sleep(max(0.0, self.at - time.monotonic()))
        command = [sys.executable, "-m", "leadbridge", "import", *map(str, self.files),
                   "--db", str(self.db_file)]
        self.started = time.monotonic()
        done = subprocess.run(command, cwd=ROOT.parent, capture_output=True, text=True)
        self.ended = time.monotonic()
        self.returncode = done.returncode
        self.output = (done.stdout + done.stderr)[-3000:]


def expected_overview(db_file: Path) -> dict:
    """The Overview's tiles for the default view (the last 12 months), from the totals
    `leadbridge report` gives, in a process of its own (it opens the published snapshot)."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.load", "--expect", str(db_file)],
                          cwd=ROOT.parent, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        return {"error": done.stderr[-2000:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def expect(db_file: Path) -> dict:
    """expected_overview's work: the default view's period as the sidebar computes it, the
    report's totals for it, formatted as the tiles format them."""
    import pandas as pd

    from leadbridge import metrics, report, store, ui

    snap = store.readers(db_file).current()
    span = metrics.run(snap.con, "data_range").iloc[0]
    last = None if pd.isna(span["last_date"]) else pd.Timestamp(span["last_date"]).date()
    first = None if pd.isna(span["first_date"]) else pd.Timestamp(span["first_date"]).date()
    latest = metrics.latest_complete_month(last, date.today())
    start, end = metrics.preset_months(ui.DEFAULT_PRESET, latest, first or latest)
    totals = report.build(snap.con, metrics.Filters.months(start, end))["totals"]
    tiles = [(ui.KPIS[k][0], ui.fmt(ui.KPIS[k][1], totals[k])) for k in OVERVIEW_KPIS]
    return {"snapshot": snap.number, "from": start, "to": end, "tiles": tiles,
            "leads_submitted": totals["leads_submitted"]}


# --- one scenario ------------------------------------------------------------------------------


@dataclass
class Scenario:
    sessions: int
    replicas: int
    imports: list[Path] = field(default_factory=list)

    @property
    def name(self) -> str:
        name = f"{self.sessions} sessions, {self.replicas} replica{'s' if self.replicas > 1 else ''}"
        return name + (", import" if self.imports else "")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), linear between the closest ranks."""
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q / 100
    low = int(k)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (k - low)


def run_scenario(scenario: Scenario, db_file: Path, duration: float | None, rounds: int | None,
                 browsers: int, logs: Path, warmup: bool = True, work: Path = WORK,
                 after_import: float = AFTER_IMPORT_S, import_at: float | None = None) -> dict:
    """Start the replicas, click, (import), stop; the scenario's figures."""
    served = db_file
    if scenario.imports:
        log(f"{scenario.name}: a private copy of the database for the import")
        served = copy_database(db_file, work / "served")
    before = expected_overview(served) if scenario.imports else None
    load_start = load_average()
    logs.mkdir(parents=True, exist_ok=True)
    servers = []
    go_browsers, stop_browsers = threading.Event(), threading.Event()
    try:
        for i in range(scenario.replicas):
            log(f"{scenario.name}: starting replica {i + 1}")
            servers.append(browser.start_server(served, logs / f"replica{i + 1}.log"))
        urls = [url for _, url in servers]
        pids = [process.pid for process, _ in servers]
        clicks: list[dict] = []
        browser_thread = None
        if browsers:  # Chromium starts and opens its tabs during the warm-up, then waits
            pages = asyncio.run(discover(urls[0]))
            browser_thread = threading.Thread(
                target=browser_sessions,
                args=(urls, pages, browsers, go_browsers, stop_browsers, clicks), daemon=True)
            browser_thread.start()
        if warmup:  # the first visit of a server fills Streamlit's caches: not measured
            log(f"{scenario.name}: one round on each replica to warm it (not measured)")
            warm: list[View] = []
            asyncio.run(_clients([(i, i, url, "") for i, url in enumerate(urls)],
                                 lambda rounds: len(rounds) >= 1, warm))
        sampler = MemorySampler(pids)
        sampler.start()
        views: list[View] = []
        started = time.monotonic()
        go_browsers.set()
        importer = None
        if scenario.imports:
            # The import starts once every session has had time to show the old numbers.
            if import_at is None:
                import_at = max(10.0, (duration or 30) / 3)
            importer = ImportRun(scenario.imports, served, started + import_at)
            importer.start()
        def stop(done: list[float]) -> bool:
            """The duration has passed and the session has clicked through every page once, or
            it has done its rounds; and with an import, it has published `after_import` seconds
            ago and the session has clicked through a whole round since."""
            now = time.monotonic()
            if now - started > MAX_SCENARIO_S:
                return True
            if importer is not None:
                if importer.ended is None or now < importer.ended + after_import:
                    return False
                if not any(start >= importer.ended for start in done):
                    return False
            if duration is not None:
                return now - started >= duration and len(done) >= 1
            return len(done) >= (rounds or 1)

        plan = [(n, n % scenario.replicas, urls[n % scenario.replicas], "")
                for n in range(scenario.sessions)]
        usage = resource.getrusage(resource.RUSAGE_SELF)
        log(f"{scenario.name}: {scenario.sessions} sessions clicking"
            + (f" for {duration:.0f} s" if duration else f", {rounds} rounds each"))
        asyncio.run(_clients(plan, stop, views))
        ended = time.monotonic()
        client_cpu = (resource.getrusage(resource.RUSAGE_SELF).ru_utime - usage.ru_utime
                      + resource.getrusage(resource.RUSAGE_SELF).ru_stime - usage.ru_stime)
        stop_browsers.set()
        if browser_thread is not None:
            browser_thread.join(timeout=300)
        if importer is not None:
            importer.join(timeout=600)
        memory = sampler.stop()
    finally:
        go_browsers.set()
        stop_browsers.set()
        for process, _ in servers:
            stop_server(process)
    result = summarize(scenario, views, clicks, started, ended)
    result.update({
        "db": str(db_file), "duration_s": ended - started, "load_average_start": load_start,
        "load_average_end": load_average(), "client_cpu_s": client_cpu,
        "memory": [{"replica": i + 1, **memory[pid]} for i, pid in enumerate(pids)],
        "server_log": [server_log(logs / f"replica{i + 1}.log") for i in range(len(pids))],
    })
    if importer is not None:
        after = expected_overview(served)
        result["import"] = numbers(views, importer, started, before, after)
    return result


def server_log(path: Path) -> dict:
    """What a replica's log says went wrong: incidents (ui_errors), tracebacks, warnings."""
    text = path.read_text(errors="replace") if path.is_file() else ""
    lines = text.splitlines()
    return {"incidents": sum("INCIDENT-" in line for line in lines),
            "tracebacks": sum(line.startswith("Traceback") for line in lines),
            "warnings": sum(" WARNING " in line or "Warning:" in line for line in lines),
            "tail": [line for line in lines if "INCIDENT-" in line or "Error" in line][:10]}


async def _clients(plan, stop, views) -> None:
    await asyncio.gather(*(run_session(n, replica, url, query, stop, views)
                           for n, replica, url, query in plan))


def summarize(scenario: Scenario, views: list[View], clicks: list[dict], started: float,
              ended: float) -> dict:
    """Per page: p50, p95, max and count of the views (clicks and opens apart); the errors."""
    def figures(seconds: list[float]) -> dict:
        return {"count": len(seconds), "p50": percentile(seconds, 50),
                "p95": percentile(seconds, 95), "max": max(seconds, default=float("nan"))}

    pages: dict[str, dict] = {}
    for kind in ("click", "open"):
        for view in views:
            if view.kind == kind and view.ok:
                pages.setdefault(view.page, {}).setdefault(kind, []).append(view.seconds)
    order = {title: i for i, title in enumerate(SIDEBAR)}
    per_page = {page: {kind: figures(values) for kind, values in kinds.items()}
                for page, kinds in sorted(pages.items(), key=lambda p: order.get(p[0], 99))}
    all_clicks = [v.seconds for v in views if v.kind == "click" and v.ok]
    errors = [{"session": v.session, "replica": v.replica + 1, "page": v.page, "kind": v.kind,
               "at_s": round(v.start - started, 1), "errors": v.errors} for v in views if not v.ok]
    browser_pages: dict[str, list[float]] = {}
    for c in clicks:
        if c["ok"]:
            browser_pages.setdefault(c["page"], []).append(c["seconds"])
    return {
        "scenario": scenario.name, "sessions": scenario.sessions, "replicas": scenario.replicas,
        "with_import": bool(scenario.imports),
        "views": len(views), "views_per_s": len(views) / max(ended - started, 1e-9),
        "pages": per_page, "all_clicks": figures(all_clicks),
        "all_opens": figures([v.seconds for v in views if v.kind == "open" and v.ok]),
        "errors": errors, "error_count": len(errors),
        "warnings": Counter(w for v in views for w in v.warnings).most_common(10),
        "reruns_inside_views": sum(v.reruns for v in views),
        "pages_seen": sorted({v.page for v in views if v.ok}),
        "browser": {
            "clicks": len(clicks), "errors": [c for c in clicks if not c["ok"]],
            "pages": {p: figures(s) for p, s in browser_pages.items()},
            "all": figures([c["seconds"] for c in clicks if c["ok"]]),
        },
        "views_raw": [[v.session, v.replica + 1, v.page, v.kind, round(v.start - started, 2),
                       round(v.seconds, 3), v.ok] for v in views],
        "overview_tiles_seen": Counter(
            json.dumps(v.tiles) for v in views if v.ok and v.page == "Overview").most_common(5),
    }


def numbers(views: list[View], importer: ImportRun, started: float, before: dict,
            after: dict) -> dict:
    """Old, new or mixed: each view against its page's numbers before and after the import."""
    ok = [v for v in views if v.ok]
    pre = [v for v in ok if importer.started is not None and v.end <= importer.started]
    post = [v for v in ok if importer.ended is not None and v.start >= importer.ended]
    old = {p: Counter(v.signature() for v in pre if v.page == p).most_common(1)
           for p in {v.page for v in pre}}
    new = {p: Counter(v.signature() for v in post if v.page == p).most_common(1)
           for p in {v.page for v in post}}
    old = {p: c[0][0] for p, c in old.items() if c}
    new = {p: c[0][0] for p, c in new.items() if c}
    counts = Counter()
    mixed = []
    for v in ok:
        signature = v.signature()
        if v.page not in old or v.page not in new:
            counts["unclassified (page not seen both before and after)"] += 1
        elif signature == old[v.page] and signature == new[v.page]:
            counts["unchanged"] += 1
        elif signature == old[v.page]:
            counts["old"] += 1
        elif signature == new[v.page]:
            counts["new"] += 1
        else:
            counts["mixed"] += 1
            mixed.append({"session": v.session, "page": v.page, "at_s": round(v.start - started, 1),
                          "tiles": v.tiles, "footer": v.footer})
    during = [v for v in ok if importer.started is not None and importer.ended is not None
              and v.end > importer.started and v.start < importer.ended]
    during_counts = Counter()
    for v in during:
        if v.page in old and v.page in new:
            s = v.signature()
            during_counts["old" if s == old[v.page] else "new" if s == new[v.page] else "mixed"] += 1
    # A view begun after the publish reads the new snapshot: old numbers then would be stale.
    stale = sum(1 for v in post if v.page in old and v.page in new and old[v.page] != new[v.page]
                and v.signature() == old[v.page])
    # Seconds per page view before, during and after the import (after: the caches start empty,
    # as every cached result is keyed by the snapshot).
    phases: dict[str, dict[str, list[float]]] = {}
    for v in ok:
        if v.kind != "click" or importer.started is None or importer.ended is None:
            continue
        phase = ("before" if v.end <= importer.started else
                 "after" if v.start >= importer.ended else "during")
        phases.setdefault(v.page, {}).setdefault(phase, []).append(v.seconds)
    # Views that changed numbers: every page whose old and new signatures differ.
    changed = sorted(p for p in old if p in new and old[p] != new[p])
    overview_old = list(old.get("Overview", ((), ""))[0])
    overview_new = list(new.get("Overview", ((), ""))[0])
    return {
        "files": [str(f) for f in importer.files], "returncode": importer.returncode,
        "output": importer.output,
        "started_at_s": None if importer.started is None else importer.started - started,
        "ended_at_s": None if importer.ended is None else importer.ended - started,
        "seconds": (importer.ended - importer.started) if importer.ended else None,
        "counts": dict(counts), "during_import": dict(during_counts), "mixed": mixed[:20],
        "old_after_publish": stale,
        "phases": {page: {phase: {"count": len(x), "p50": percentile(x, 50),
                                  "p95": percentile(x, 95), "max": max(x)}
                          for phase, x in found.items()}
                   for page, found in sorted(phases.items(),
                                             key=lambda p: SIDEBAR.index(p[0])
                                             if p[0] in SIDEBAR else 99)},
        "pages_changed": changed,
        "overview_before": overview_old, "overview_after": overview_new,
        "footer_before": old.get("Overview", ((), ""))[1],
        "footer_after": new.get("Overview", ((), ""))[1],
        "report_before": before, "report_after": after,
        "tiles_match_report": {
            "before": [list(t) for t in overview_old] == [list(t) for t in before.get("tiles", [])],
            "after": [list(t) for t in overview_new] == [list(t) for t in after.get("tiles", [])]},
    }


# --- the matrix and its report -----------------------------------------------------------------


def _s(value: float | None) -> str:
    if value is None or value != value:
        return "–"
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [
        f"Measured {m['date']} on {m['cpus']} CPUs, {m['memory_gb']} GB RAM; database "
        f"`{results['db']}` ({results['db_mb']:.0f} MB). Load average at the start: "
        f"{m['load_average'][0]:.2f}. Protocol-level sessions (Streamlit's websocket protocol, "
        "no rendering) click through every page; a view is a click to the end of the page's "
        "run on the server. Each replica is warmed with one round first (not counted).",
        "",
    ]
    scenarios = results["scenarios"]
    pages: list[str] = []  # the sidebar's order (summarize sorts each scenario's pages by it)
    for s in scenarios:
        for p in s["pages"]:
            if p not in pages:
                pages.append(p)
    header = "| page | " + " | ".join(s["scenario"] for s in scenarios) + " |"
    lines += ["p50 / p95 seconds per page view (sidebar click to the end of the run):", "",
              header, "|---|" + "---|" * len(scenarios)]
    for p in pages:
        cells = []
        for s in scenarios:
            f = s["pages"].get(p, {}).get("click")
            cells.append(f"{_s(f['p50'])} / {_s(f['p95'])}" if f else "–")
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    rows = [
        ("every click", lambda s: f"{_s(s['all_clicks']['p50'])} / {_s(s['all_clicks']['p95'])}"
         f" (max {_s(s['all_clicks']['max'])})"),
        ("open the app (a new session)", lambda s: f"{_s(s['all_opens']['p50'])} / "
         f"{_s(s['all_opens']['p95'])} ({s['all_opens']['count']})"),
        ("page views (per second)", lambda s: f"{s['views']} ({s['views_per_s']:.1f}/s)"),
        ("errors", lambda s: str(s["error_count"]) if not s["error_count"]
         else f"**{s['error_count']}**"),
        ("server peak memory (VmHWM), per replica", lambda s: ", ".join(
            f"{r['peak_rss_mb']:.0f} MB" for r in s["memory"] if r["peak_rss_mb"])),
        ("Chromium clicks: p50 / p95 (count)", lambda s: (
            f"{_s(s['browser']['all']['p50'])} / {_s(s['browser']['all']['p95'])} "
            f"({s['browser']['clicks']}, errors {len(s['browser']['errors'])})"
            if s["browser"]["clicks"] else "–")),
        ("server log: incidents / tracebacks", lambda s: " + ".join(
            f"{r['incidents']} / {r['tracebacks']}" for r in s["server_log"])),
        ("load average start / end", lambda s: f"{s['load_average_start'][0]:.1f} / "
         f"{s['load_average_end'][0]:.1f}"),
        ("client CPU (s) / duration (s)", lambda s: f"{s['client_cpu_s']:.0f} / "
         f"{s['duration_s']:.0f}"),
    ]
    for label, fn in rows:
        lines.append(f"| {label} | " + " | ".join(fn(s) for s in scenarios) + " |")
    for s in scenarios:
        imp = s.get("import")
        if not imp:
            continue
        c = imp["counts"]
        lines += ["", f"The import ({s['scenario']}): `leadbridge import "
                  f"{' '.join(Path(f).name for f in imp['files'])}` ran from "
                  f"{imp['started_at_s']:.0f} s to {imp['ended_at_s']:.0f} s of the run "
                  f"({imp['seconds']:.1f} s, exit {imp['returncode']}). Views: "
                  f"{c.get('old', 0)} old, {c.get('new', 0)} new, **{c.get('mixed', 0)} mixed**, "
                  f"{c.get('unchanged', 0)} on pages whose numbers did not change; while the "
                  f"import ran: {imp['during_import'].get('old', 0)} old, "
                  f"{imp['during_import'].get('new', 0)} new, "
                  f"{imp['during_import'].get('mixed', 0)} mixed; old numbers in a view begun "
                  f"after the publish: {imp.get('old_after_publish', '–')}. Pages whose "
                  f"numbers changed: {', '.join(imp['pages_changed'])}.", "",
                  "| Overview tile | before | after |", "|---|---|---|"]
        after = dict(imp["overview_after"])
        for label, value in imp["overview_before"]:
            lines.append(f"| {label} | {value} | {after.get(label, '–')} |")
        lines += ["", "p50 / p95 (count) per page view before, while and after the import ran "
                  "(after: every result cache starts empty for the new snapshot):", "",
                  "| page | before | during | after |", "|---|---|---|---|"]
        for page, found in imp["phases"].items():
            cells = [f"{_s(found[p]['p50'])} / {_s(found[p]['p95'])} ({found[p]['count']})"
                     if p in found else "–" for p in ("before", "during", "after")]
            lines.append(f"| {page} | " + " | ".join(cells) + " |")
        match = imp["tiles_match_report"]
        lines += ["", f"The tiles equal the totals of `leadbridge report` for "
                  f"{imp['report_before'].get('from')}..{imp['report_before'].get('to')}: before "
                  f"{'yes' if match['before'] else '**no**'}, after "
                  f"{'yes' if match['after'] else '**no**'}. Footer before: "
                  f"\"{imp['footer_before']}\"; after: \"{imp['footer_after']}\"."]
    errors = [(s["scenario"], e) for s in scenarios for e in s["errors"]]
    if errors:
        lines += ["", "Errors (first 20):", ""]
        lines += [f"- {name}: session {e['session']}, {e['page']} at {e['at_s']} s: "
                  f"{'; '.join(e['errors'])}" for name, e in errors[:20]]
    return "\n".join(lines) + "\n"


def machine() -> dict:
    memory = None
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = round(int(line.split()[1]) / 2**20, 1)
    return {"cpus": os.cpu_count(), "memory_gb": memory, "load_average": load_average(),
            "date": datetime.now().isoformat(timespec="seconds")}


def ensure_1m(db_file: Path) -> None:
    """The bench's 1M database, imported as `make bench` does when it is missing."""
    if db_file.is_file():
        return
    from benchmarks import run

    size = data.SIZES["1m"]
    files = data.exports(size)
    log("1m: importing the exports (the database is missing)")
    groups = [["technicians"], ["leads", "outcomes"], ["payouts", "jobs", "attendance"]]
    run.worker("load", {"db": str(db_file), "groups": groups,
                        "files": {n: str(p) for n, p in files.items()}})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=None,
                        help=f"the database (default: the bench's 1M database, {DEFAULT_DB})")
    parser.add_argument("--sessions", default="10,30", help="simultaneous sessions, e.g. 10,30")
    parser.add_argument("--replicas", default="1,2", help="dashboard processes, e.g. 1,2")
    parser.add_argument("--duration", type=float, default=None,
                        help="seconds of clicking per scenario (default 60 unless --rounds)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="rounds of every page per session instead of a duration")
    parser.add_argument("--import", dest="imports", type=Path, action="append", default=[],
                        metavar="FILE", help="run `leadbridge import FILE` during one more "
                        "scenario (repeat for several files); 'extra' makes a file of new leads")
    parser.add_argument("--import-sessions", type=int, default=10)
    parser.add_argument("--import-replicas", type=int, default=2)
    parser.add_argument("--only-import", action="store_true",
                        help="run the import scenario only, not the matrix")
    parser.add_argument("--extra-leads", type=int, default=20_000,
                        help="new leads in the generated import file (--import extra)")
    parser.add_argument("--browsers", type=int, default=0,
                        help="real Chromium sessions clicking alongside in each scenario")
    parser.add_argument("--no-warmup", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for load.json/load.md")
    parser.add_argument("--expect", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.expect:
        print(json.dumps(expect(args.expect), default=str))
        return 0
    db_file = (args.db or DEFAULT_DB).resolve()
    if args.db is None:
        ensure_1m(db_file)
    if not db_file.is_file():
        parser.error(f"no database at {db_file}")
    if args.browsers and not browser.CHROMIUM.exists():
        parser.error(f"no Chromium at {browser.CHROMIUM}: apt-get install -y chromium")
    duration = args.duration if args.duration or args.rounds else 60.0
    imports = []
    for f in args.imports:
        if str(f) == "extra":
            f = extra_leads(db_file, WORK / "load_extra_leads.csv", args.extra_leads)
        imports.append(f.resolve())
    scenarios = [] if args.only_import else [
        Scenario(int(n), int(r)) for n in args.sessions.split(",") for r in args.replicas.split(",")]
    if imports:
        scenarios.append(Scenario(args.import_sessions, args.import_replicas, imports))
    results = {"machine": machine(), "db": str(db_file),
               "db_mb": db_file.stat().st_size / 2**20, "scenarios": []}
    logs = args.out / "load-logs"
    for scenario in scenarios:
        log(f"{scenario.name} (load average {os.getloadavg()[0]:.2f})")
        result = run_scenario(scenario, db_file, duration, args.rounds, args.browsers,
                              logs / scenario.name.replace(", ", "-").replace(" ", ""),
                              warmup=not args.no_warmup)
        results["scenarios"].append(result)
        log(f"{scenario.name}: {result['views']} views, {result['error_count']} errors, every "
            f"click p50 {_s(result['all_clicks']['p50'])} p95 {_s(result['all_clicks']['p95'])}")
    results["machine"]["load_average_end"] = load_average()
    args.out.mkdir(parents=True, exist_ok=True)
    text = markdown(results)
    (args.out / "load.json").write_text(json.dumps(results, indent=1, default=str))
    (args.out / "load.md").write_text(text)
    print(text)
    failed = sum(s["error_count"] + len(s["browser"]["errors"]) for s in results["scenarios"])
    mixed = sum(s.get("import", {}).get("counts", {}).get("mixed", 0) for s in results["scenarios"])
    return 1 if failed or mixed else 0


if __name__ == "__main__":
    sys.exit(main())

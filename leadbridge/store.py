"""One writer, many readers: the import lock, published snapshots and the pointer to the newest.

Beside the working database ``data/leadbridge.duckdb`` (only imports open it, one at a time):

- ``leadbridge.import.lock``: imports take an exclusive ``flock`` on it and wait their turn;
  ``leadbridge.import.json`` says who holds it, since when, importing what.
- ``leadbridge.published/<n>.duckdb``: read-only copies of the working database, each made after
  a commit and a rebuild of the staged tables; ``leadbridge.published/CURRENT`` names the newest
  (a small JSON file replaced atomically). Readers hold a shared ``flock`` on the snapshot they
  read; the publisher deletes the older snapshots it can lock exclusively.

A reader therefore sees one committed, fully staged state: the old numbers or the new, never a
half import. The design and why: docs/concurrency.md.
"""

from __future__ import annotations

import fcntl
import getpass
import json
import os
import shutil
import socket
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from leadbridge import db

POINTER = "CURRENT"
# A connection to an older snapshot stays open this long after a newer one appeared, for the
# dashboard runs that started on it (a run keeps the snapshot it began with).
GRACE_SECONDS = 120.0
# How often a waiting import looks at the lock again.
POLL_SECONDS = 0.2
# How long a reader waits for another process that brings the published data up to date.
UPGRADE_WAIT_SECONDS = 30.0


def lock_file(path=None) -> Path:
    file = db.db_path(path)
    return file.with_name(file.stem + ".import.lock")


def lock_info_file(path=None) -> Path:
    file = db.db_path(path)
    return file.with_name(file.stem + ".import.json")


def published_dir(path=None) -> Path:
    file = db.db_path(path)
    return file.with_name(file.stem + ".published")


def pointer_file(path=None) -> Path:
    return published_dir(path) / POINTER


# --- the import lock ----------------------------------------------------------------------------


def default_who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user}@{socket.gethostname()} (pid {os.getpid()})"


def holder(path=None) -> dict | None:
    """Who holds the import lock (what, who, started), or None when nobody does."""
    with open(_touch(lock_file(path)), "rb") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_info(path) or {"what": "an import", "who": "another process", "started": ""}
        fcntl.flock(fh, fcntl.LOCK_UN)
        return None


def describe_holder(info: dict) -> str:
    """'waiting for the import of payouts.csv started 14:02 by ann@server (pid 12)'."""
    started = info.get("started") or ""
    try:
        started = datetime.fromisoformat(started).strftime("%H:%M")
    except ValueError:
        pass
    what = info.get("what") or "an import"
    return f"waiting for the import of {what} started {started or 'a moment ago'} by {info.get('who') or 'another process'}"


def _read_info(path) -> dict | None:
    try:
        return json.loads(lock_info_file(path).read_text())
    except (OSError, ValueError):
        return None


def _touch(file: Path) -> Path:
    file.parent.mkdir(parents=True, exist_ok=True)
    if not file.exists():
        with open(file, "ab"):
            pass
    return file


@contextmanager
def import_lock(path=None, *, what: str = "an import", who: str | None = None, on_wait=None):
    """Hold the import lock (waiting for it, calling on_wait(message) when the holder changes).

    The kernel releases a flock when its process ends, however it ends: a killed import never
    leaves the lock behind.
    """
    fh = open(_touch(lock_file(path)), "rb")  # noqa: SIM115 - held for the block
    try:
        told = None
        while True:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                info = _read_info(path) or {}
                message = describe_holder(info)
                if on_wait is not None and message != told:
                    on_wait(message)
                    told = message
                time.sleep(POLL_SECONDS)
        _write_atomic(lock_info_file(path), json.dumps({
            "what": what, "who": who or default_who(), "pid": os.getpid(),
            "started": datetime.now().isoformat(timespec="seconds")}))
        try:
            yield
        finally:
            lock_info_file(path).unlink(missing_ok=True)
    finally:
        fh.close()  # releases the lock


def _write_atomic(file: Path, text: str) -> None:
    tmp = file.with_name(f".{file.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, file)


def clean_leftovers(path=None) -> list[Path]:
    """Remove what a killed import left: staging copies, spill folders of dead processes,
    half-written snapshots and snapshots no reader holds. Call with the import lock held."""
    removed: list[Path] = []
    staging = db.staging_dir(path)
    if staging.is_dir():
        for item in staging.iterdir():
            if item.name.startswith("spill-"):
                try:
                    pid = int(item.name.removeprefix("spill-"))
                except ValueError:
                    pid = None
                if pid is not None and (pid == os.getpid() or _alive(pid)):
                    continue
                shutil.rmtree(item, ignore_errors=True)
                removed.append(item)
            elif item.name.startswith("import-") and item.is_file():
                item.unlink(missing_ok=True)
                removed.append(item)
    folder = published_dir(path)
    if folder.is_dir():
        for item in folder.iterdir():
            if item.name.endswith(".tmp"):
                item.unlink(missing_ok=True)
                removed.append(item)
        removed += prune(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- the writer ------------------------------------------------------------------------------


@contextmanager
def writer(path=None, *, what: str = "an import", who: str | None = None, on_wait=None,
           publish: bool = True):
    """The import lock, then the working database; published on a clean exit.

    On an exception nothing is published (each file's transaction rolled back already, the
    committed files are published by the next import).
    """
    with import_lock(path, what=what, who=who, on_wait=on_wait):
        clean_leftovers(path)
        con = db.connect(path)
        try:
            yield con
            if publish:
                _publish(con)
        finally:
            con.close()


def pause_point(point: str) -> None:
    """Tests stop an import here: with LEADBRIDGE_TEST_PAUSE_AT=point, write the file named by
    LEADBRIDGE_TEST_PAUSE_FILE and wait until it is removed (a test kills the process meanwhile).
    Points: reading, merging (before the commit), publishing (before the copy), swapping (before
    the pointer)."""
    if os.environ.get("LEADBRIDGE_TEST_PAUSE_AT") != point:
        return
    marker = Path(os.environ["LEADBRIDGE_TEST_PAUSE_FILE"])
    marker.write_text(point)
    while marker.exists():
        time.sleep(0.05)


def publish(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild stale staged tables, checkpoint, copy the working file to a new snapshot and
    point CURRENT at it; remove the snapshots nobody reads. Returns the snapshot's number."""
    working = db.file_of(con)
    db.refresh_staging(con)
    con.cursor().execute("checkpoint")
    folder = published_dir(working)
    folder.mkdir(parents=True, exist_ok=True)
    current = read_pointer(working)
    numbers = [int(p.stem) for p in folder.glob("*.duckdb") if p.stem.isdigit()]
    number = max([current["number"] if current else 0, *numbers]) + 1
    target = folder / f"{number}.duckdb"
    tmp = folder / f".{number}.{uuid.uuid4().hex}.duckdb.tmp"
    pause_point("publishing")
    shutil.copyfile(working, tmp)  # sendfile: the kernel copies, no Python buffers
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    pause_point("swapping")
    os.replace(tmp, target)
    _write_atomic(pointer_file(working), json.dumps({
        "number": number, "file": target.name, "schema_version": db.schema_version(con),
        "code": db.code_digest(),
        "data_version": db.data_version(con), "published": datetime.now().isoformat(timespec="seconds"),
    }))
    _fsync_dir(folder)
    prune(working)
    return number


_publish = publish  # for writer(), whose keyword hides the name


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_pointer(path=None) -> dict | None:
    try:
        return json.loads(pointer_file(path).read_text())
    except (OSError, ValueError):
        return None


def prune(path=None) -> list[Path]:
    """Delete the snapshots other than the newest that no reader holds (a shared flock)."""
    current = read_pointer(path)
    keep = current["file"] if current else None
    removed = []
    for snap in published_dir(path).glob("*.duckdb"):
        if snap.name == keep:
            continue
        try:
            fh = open(snap, "rb")  # noqa: SIM115
        except FileNotFoundError:
            continue
        with fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a reader still uses it; a later publish removes it
            snap.unlink(missing_ok=True)
            snap.with_name(snap.name + ".wal").unlink(missing_ok=True)
            removed.append(snap)
    return removed


def up_to_date(pointer: dict | None) -> bool:
    """Whether a snapshot was published by this LeadBridge (its schema, macros and models)."""
    return (pointer is not None and pointer.get("schema_version") == db.SCHEMA_VERSION
            and pointer.get("code") == db.code_digest())


# --- readers ---------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """One open, read-only published state."""

    con: duckdb.DuckDBPyConnection
    number: int
    data_version: int
    file: Path
    handle: object = field(repr=False)  # holds the shared flock while open
    last_used: float = 0.0

    def close(self) -> None:
        try:
            self.con.close()
        finally:
            self.handle.close()


class Readers:
    """This process's view of the published data: the newest snapshot, opened once and shared by
    every thread; a cheap stat of the pointer on each call notices a new one."""

    def __init__(self, path=None):
        self.working = db.db_path(path)
        self.pointer = pointer_file(self.working)
        self._lock = threading.Lock()
        self._stamp = None
        self._current: Snapshot | None = None
        self._old: list[Snapshot] = []

    def _pointer_stamp(self):
        try:
            info = self.pointer.stat()
        except FileNotFoundError:
            return None
        return (info.st_ino, info.st_mtime_ns, info.st_size)

    def current(self) -> Snapshot:
        stamp = self._pointer_stamp()
        snap = self._current
        if snap is not None and stamp == self._stamp:
            snap.last_used = time.monotonic()
            return snap
        with self._lock:
            stamp = self._pointer_stamp()
            if self._current is None or stamp != self._stamp:
                self._open_newest()
            self._current.last_used = time.monotonic()
            self._close_old()
            return self._current

    def _open_newest(self) -> None:
        for _attempt in range(5):
            stamp = self._pointer_stamp()  # before reading: a change after it is seen next time
            pointer = read_pointer(self.working)
            if pointer is None or (pointer.get("schema_version", 0) <= db.SCHEMA_VERSION
                                   and not up_to_date(pointer)):
                self._bring_up_to_date(pointer)
                stamp = self._pointer_stamp()
                pointer = read_pointer(self.working)
            if pointer["schema_version"] > db.SCHEMA_VERSION:
                raise db.DatabaseError(
                    f"the published data has schema version {pointer['schema_version']}, newer "
                    f"than this LeadBridge ({db.SCHEMA_VERSION}): upgrade LeadBridge to read it")
            if self._current is not None and pointer["number"] == self._current.number:
                self._stamp = stamp
                return
            file = published_dir(self.working) / pointer["file"]
            try:
                handle = open(file, "rb")  # noqa: SIM115 - kept while the snapshot is open
            except FileNotFoundError:
                continue  # replaced and removed meanwhile: read the pointer again
            fcntl.flock(handle, fcntl.LOCK_SH)
            if not file.exists():  # removed between open and lock
                handle.close()
                continue
            con = db.open_snapshot(file, self.working)
            snap = Snapshot(con, pointer["number"], pointer["data_version"], file, handle)
            if self._current is not None:
                self._old.append(self._current)
            self._current, self._stamp = snap, stamp
            return
        raise db.DatabaseError(f"{self.pointer}: the published data keeps changing; try again")

    def _bring_up_to_date(self, pointer: dict | None) -> None:
        """No snapshot yet (a new or older installation), or one made by another LeadBridge
        version: publish the working database. Another process may be doing just that (a
        replica starting at the same time): wait a little; an import may take minutes: say so."""
        try:
            fh = open(_touch(lock_file(self.working)), "rb")  # noqa: SIM115
        except OSError as exc:
            raise db.DatabaseError(f"{self.working}: cannot publish the data ({exc})") from exc
        with fh:
            deadline = time.monotonic() + UPGRADE_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if pointer is not None and time.monotonic() > deadline:
                        info = _read_info(self.working) or {}
                        raise db.DatabaseError(
                            f"the published data was written by another LeadBridge version "
                            f"(schema {pointer.get('schema_version')}, this one reads "
                            f"{db.SCHEMA_VERSION}); it is brought up to date when the running "
                            f"import ends ({describe_holder(info)}): reload in a moment") from None
                    time.sleep(POLL_SECONDS)
            if up_to_date(read_pointer(self.working)):  # another process published meanwhile
                return
            clean_leftovers(self.working)
            con = db.connect(self.working)
            try:
                publish(con)
            finally:
                con.close()

    def _close_old(self) -> None:
        now = time.monotonic()
        keep = []
        for snap in self._old:
            if now - snap.last_used > GRACE_SECONDS:
                snap.close()
            else:
                keep.append(snap)
        self._old = keep

    def close(self) -> None:
        with self._lock:
            for snap in [*self._old, *([self._current] if self._current else [])]:
                snap.close()
            self._old, self._current, self._stamp = [], None, None


_READERS: dict[Path, Readers] = {}
_READERS_LOCK = threading.Lock()


def readers(path=None) -> Readers:
    """The process's Readers for a database (one per working file)."""
    working = db.db_path(path)
    with _READERS_LOCK:
        found = _READERS.get(working)
        if found is None:
            found = _READERS[working] = Readers(working)
        return found


def close_readers() -> None:
    """Close every snapshot this process opened (tests, before deleting a folder)."""
    with _READERS_LOCK:
        for found in _READERS.values():
            found.close()
        _READERS.clear()

"""The Streamlit side of the published data: each script run reads one snapshot, and imports
from the Data page wait their turn with a visible message (docs/concurrency.md)."""

from __future__ import annotations

import time
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from leadbridge import db, importer, store

_PIN = "_leadbridge_snapshot"


def snapshot(path: str) -> store.Snapshot:
    """The snapshot this script run reads: the newest when the run began, kept to its end, so a
    page never shows numbers from two snapshots. Outside a run: the newest."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return store.readers(path).current()
    # ctx.cursors is a new dict at every (re)run: the pin holds it, so `is` tells this run's pin.
    pin = ctx.__dict__.get(_PIN)
    if pin is not None and pin[0] is ctx.cursors and pin[1] == path:
        pin[2].last_used = time.monotonic()
        return pin[2]
    snap = store.readers(path).current()
    ctx.__dict__[_PIN] = (ctx.cursors, path, snap)
    return snap


def waiting_note(path: str) -> None:
    """Say so when an import is running: a preview or an import waits for it."""
    info = store.holder(path)
    if info is not None:
        st.info(store.describe_holder(info) + ": yours follows when it is done.",
                icon=":material/hourglass_top:")


def _who() -> str:
    ctx = get_script_run_ctx()
    session = ctx.session_id[:8] if ctx is not None else "?"
    return f"the Data page (session {session}, {store.default_who()})"


def preview(path: str, file: str, name: str, **options) -> importer.ImportResult:
    """A rolled-back import of one file on the working database (it waits for a running import)."""
    with db.writer(path, what=f"a preview of {name}", who=_who(), publish=False) as con:
        return importer.import_file(con, file, display_name=name, dry_run=True, refresh=False,
                                    **options)


def import_files(path: str, planned: list[tuple[str, Path, str | None]], **options) -> list[dict]:
    """Import the planned uploads as one turn of the import queue, then publish them."""
    note = st.empty()
    names = ", ".join(name for name, _, _ in planned)

    def waiting(message: str) -> None:
        note.info(message + ": yours follows when it is done.", icon=":material/hourglass_top:")

    with st.spinner(f"Importing {names}…"), db.writer(path, what=names, who=_who(),
                                                      on_wait=waiting) as con:
        results = [importer.import_file(con, file, display_name=name, table=table, refresh=False,
                                        **options)
                   for name, file, table in planned]
    note.empty()
    return [r.to_dict() for r in results]

"""A drop folder: import export files as they land, once each, and file them away.

`leadbridge watch DIR` looks at DIR every few seconds. A file is imported once its size and
modification time have not changed for a while (a system still writing it is left alone), in
its own turn of the import queue, then moved to DIR/imported/ (or DIR/failed/ when it was
refused) with a JSON summary beside it. A file whose content (SHA-256) was imported before is
not imported again: it is moved to imported/ with a summary naming the earlier import. All the
state is in the folder and the database, so a restarted watcher carries on where it was.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from leadbridge import access, db, importer, store

IMPORTED, FAILED = "imported", "failed"
# Names that are a file still being written by some other program.
_PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".crdownload", ".filepart")


@dataclass
class Watcher:
    """The drop folder DIR feeding the database at `db_file`."""

    folder: Path
    db_file: Path | None = None
    settle: float = 5.0  # seconds a file's size and mtime must stay the same
    log: Callable[[str], None] = print
    seen: dict[str, tuple[tuple[int, int], float]] = field(default_factory=dict)

    def __post_init__(self):
        self.folder = Path(self.folder)
        for sub in (IMPORTED, FAILED):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)

    def candidates(self) -> list[Path]:
        """The folder's export files (not its subfolders, hidden or partial files), by name."""
        suffixes = importer.TEXT_SUFFIXES | importer.EXCEL_SUFFIXES | importer.PARQUET_SUFFIXES
        return sorted(p for p in self.folder.iterdir()
                      if p.is_file() and not p.name.startswith((".", "~$"))
                      and p.suffix.lower() in suffixes
                      and not p.name.lower().endswith(_PARTIAL_SUFFIXES))

    def ready(self, now: float | None = None) -> list[Path]:
        """The files whose size and mtime have not changed for `settle` seconds."""
        now = time.monotonic() if now is None else now
        found = []
        current = {}
        for path in self.candidates():
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            state = (info.st_size, info.st_mtime_ns)
            previous = self.seen.get(path.name)
            since = previous[1] if previous and previous[0] == state else now
            current[path.name] = (state, since)
            if now - since >= self.settle:
                found.append(path)
        self.seen = current
        return found

    def scan(self) -> list[dict]:
        """Import every settled file; return their summaries."""
        return [self.handle(path) for path in self.ready()]

    def handle(self, path: Path) -> dict:
        """Import one file (unless its content was imported before) and file it away."""
        digest = importer.file_sha256(path)
        summary = {"file": path.name, "sha256": digest, "size": path.stat().st_size,
                   "watched_at": datetime.now().isoformat(timespec="seconds")}
        try:
            with db.writer(self.db_file, what=path.name, who=f"leadbridge watch {self.folder} "
                           f"({store.default_who()})", on_wait=self.log) as con:
                earlier = con.cursor().execute(db.load_sql("import/imported_content"),
                                               {"sha256": digest}).fetchall()
                if earlier:
                    import_id, when, name, table = earlier[0]
                    summary.update(status="duplicate", table=table, duplicate_of={
                        "import_id": import_id, "file": name, "imported_at": str(when)})
                else:
                    result = importer.import_file(con, path, refresh=False)
                    summary.update(result.to_dict())
                    summary["status"] = "imported" if result.ok else "failed"
        except Exception as exc:  # noqa: BLE001 - a broken file must not stop the watcher
            summary.update(status="failed", error=f"{type(exc).__name__}: {exc}")
        summary["file"] = path.name
        if summary["status"] == "imported":
            access.log_event(db.data_dir(self.db_file), f"drop folder {self.folder}", "import",
                             path.name, {"table": summary.get("table"), "read": summary.get("read"),
                                         "rejected": summary.get("rejected")})
        target = self._file_away(path, FAILED if summary["status"] == "failed" else IMPORTED, summary)
        summary["moved_to"] = str(target)
        self.log(_describe(summary))
        return summary

    def _file_away(self, path: Path, sub: str, summary: dict) -> Path:
        """Move the file into sub/ (a new name if one is taken), its summary beside it."""
        folder = self.folder / sub
        target = folder / path.name
        if target.exists():
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            target = folder / f"{path.stem}.{stamp}.{os.getpid()}{path.suffix}"
        note = target.with_name(target.name + ".json")
        tmp = note.with_name("." + note.name + ".tmp")
        tmp.write_text(json.dumps(summary, indent=2, default=str))
        os.replace(tmp, note)  # the summary first: a crash now leaves the file to do again
        shutil.move(str(path), target)
        return target

    def run(self, interval: float = 2.0, once: bool = False) -> None:
        """Scan forever (or, with once, until the files present now are done)."""
        self.log(f"watching {self.folder} (files settle for {self.settle:g} s; "
                 f"done ones go to {IMPORTED}/ and {FAILED}/)")
        while True:
            self.scan()
            if once and not self.candidates():
                return
            time.sleep(interval)


def _describe(summary: dict) -> str:
    status = summary["status"]
    if status == "duplicate":
        before = summary["duplicate_of"]
        return (f"{summary['file']}: already imported (import {before['import_id']}, "
                f"{before['file']}): not imported again, moved to {summary['moved_to']}")
    if status == "failed":
        return f"{summary['file']}: refused: {summary.get('error')}; moved to {summary['moved_to']}"
    return (f"{summary['file']} → {summary['table']}: read {summary['read']:,}, "
            f"{summary['inserted']:,} new, {summary['updated']:,} updated, "
            f"{summary['rejected']:,} rejected; moved to {summary['moved_to']}")

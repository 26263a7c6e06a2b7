"""One writer, many readers: imports queue, publish atomically, survive kill -9; the drop folder.

docs/concurrency.md describes the design these tests hold to.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from leadbridge import db, importer, store, ui_published
from tests.app_fixtures import ROOT, SAMPLE_DIR, build_sample_db, copy_db
from tests.conftest import write_export

NEW_LEADS = [["Lead ID", "Date Submitted", "Technician ID"],
             ["K-1", "2026-10-05", "0105"], ["K-2", "2026-10-06", "0105"],
             ["K-3", "2026-10-07", "0105"]]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("sample"))


@pytest.fixture(autouse=True)
def _close_readers():
    yield
    store.close_readers()


def leads_published(file: Path) -> tuple[int, int]:
    """(snapshot number, leads) as a reader sees them now."""
    snap = store.readers(file).current()
    return snap.number, snap.con.cursor().execute("select count(*) from leads").fetchone()[0]


def leftovers(file: Path) -> list[str]:
    """Temporary files an import may leave: staging copies, spill folders, half snapshots."""
    found = [p.name for p in db.staging_dir(file).iterdir()]
    found += [p.name for p in store.published_dir(file).iterdir() if p.name.endswith(".tmp")]
    return found


def cli(*args: str, env: dict | None = None, **options) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "leadbridge", *args], cwd=ROOT,
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **options)


def test_a_reader_never_writes_and_sees_only_published_data(sample_db, tmp_path):
    file = copy_db(sample_db, tmp_path)
    number, leads = leads_published(file)  # the first reader publishes the working file
    assert leads == 6233
    con = db.connect(file)  # a direct write, as tests and scripts do: invisible until published
    importer.import_file(con, write_export(tmp_path / "in" / "leads_k.csv", NEW_LEADS))
    assert leads_published(file) == (number, 6233)
    assert db.publish(con) == number + 1
    con.close()
    assert leads_published(file) == (number + 1, 6236)
    snap = store.readers(file).current()
    with pytest.raises(Exception, match="read-only"):
        snap.con.cursor().execute("delete from leads")
    assert db.refresh_staging(snap.con) == []


def test_a_reader_spills_in_a_data_folder_copied_without_tmp(sample_db, tmp_path, monkeypatch):
    """A data folder restored without tmp/: the reader makes it, and a query that needs more
    memory than the limit spills there instead of failing."""
    import shutil

    file = copy_db(sample_db, tmp_path)
    leads_published(file)
    store.close_readers()
    shutil.rmtree(db.staging_dir(file))
    monkeypatch.setattr(db, "READER_MEMORY_LIMIT", "20MB")
    monkeypatch.delenv("LEADBRIDGE_MEMORY_LIMIT", raising=False)
    snap = store.readers(file).current()
    assert db.staging_dir(file).is_dir()
    cur = snap.con.cursor()
    # A sort far bigger than the 20 MB limit spills.
    rows = cur.execute("select count(*) from (select * from range(3000000) as r(i) "
                       "order by hash(i))").fetchone()[0]
    assert rows == 3_000_000


def test_an_older_snapshot_is_kept_while_read_then_removed(sample_db, tmp_path):
    file = copy_db(sample_db, tmp_path)
    first = store.readers(file).current()
    with db.writer(file) as con:
        importer.import_file(con, write_export(tmp_path / "in" / "leads_k.csv", NEW_LEADS))
    assert first.file.exists(), "a reader holds it"
    second = store.readers(file).current()
    assert second.number == first.number + 1
    assert first.con.cursor().execute("select count(*) from leads").fetchone()[0] == 6233
    store.close_readers()
    with db.writer(file, what="nothing new"):
        pass
    names = sorted(p.name for p in store.published_dir(file).glob("*.duckdb"))
    assert names == [f"{second.number + 1}.duckdb"]


def test_two_uploads_at_once_both_land_the_second_waits_its_turn(sample_db, tmp_path):
    """Two Data-page sessions import at once (the page's own code path, in two threads)."""
    file = copy_db(sample_db, tmp_path)
    leads_published(file)
    uploads = db.upload_dir(file)
    first = write_export(uploads / "leads_k.csv", NEW_LEADS)
    second = write_export(uploads / "payouts_k.csv", [
        ["Payout ID", "Technician ID", "Pay Date", "Amount", "Lead ID"],
        ["PK-1", "0105", "2026-10-20", "$50.00", "K-1"]])
    holding, release, messages, results = threading.Event(), threading.Event(), [], {}

    def hold_the_queue():  # the first session's import, still running
        with db.writer(file, what="leads_k.csv", who="ann") as con:
            results["first"] = importer.import_file(con, first, refresh=False).to_dict()
            holding.set()
            release.wait(30)

    def second_session():
        original = store.describe_holder

        def noted(info):
            message = original(info)
            messages.append(message)
            return message

        store.describe_holder = noted
        try:
            results["second"] = ui_published.import_files(str(file), [("payouts_k.csv", second, None)])[0]
        finally:
            store.describe_holder = original

    one = threading.Thread(target=hold_the_queue)
    one.start()
    assert holding.wait(30)
    two = threading.Thread(target=second_session)
    two.start()
    time.sleep(1.0)
    assert two.is_alive(), "the second import waits for the first"
    assert store.holder(file)["what"] == "leads_k.csv"
    release.set()
    one.join(30)
    two.join(60)
    assert results["first"]["inserted"] == 3 and results["first"]["error"] is None
    assert results["second"]["inserted"] == 1 and results["second"]["error"] is None
    assert any(m.startswith("waiting for the import of leads_k.csv started ") and m.endswith("by ann")
               for m in messages), messages
    snap = store.readers(file).current()
    cur = snap.con.cursor()
    assert cur.execute("select count(*) from leads where lead_id like 'K-%'").fetchone()[0] == 3
    assert cur.execute("select count(*) from payouts where payout_id = 'PK-1'").fetchone()[0] == 1
    assert store.holder(file) is None


@pytest.mark.parametrize("point", ["reading", "merging", "publishing", "swapping"])
def test_kill_9_during_an_import_leaves_the_published_data_intact(sample_db, tmp_path, point):
    file = copy_db(sample_db, tmp_path)
    before = leads_published(file)
    export = write_export(tmp_path / "in" / "leads_k.csv", NEW_LEADS)  # outside: staged in tmp/
    marker = tmp_path / "paused"
    env = {"LEADBRIDGE_TEST_PAUSE_AT": point, "LEADBRIDGE_TEST_PAUSE_FILE": str(marker)}
    process = cli("import", str(export), "--db", str(file), env=env)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the import never reached " + point
        time.sleep(0.05)
    assert store.holder(file) is not None
    if point == "reading":
        assert any(n.startswith("import-") for n in leftovers(file)), "the staged copy exists"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(10)

    assert store.holder(file) is None, "the kernel released the lock"
    assert leads_published(file) == before, "readers still see the old data"
    again = cli("import", str(export), "--db", str(file), "--format", "json")
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err
    summary = json.loads(out.splitlines()[-1])
    committed = point in ("publishing", "swapping")  # the killed import had committed
    assert (summary["inserted"], summary["unchanged"]) == ((0, 3) if committed else (3, 0))
    assert leads_published(file)[1] == before[1] + 3
    assert leftovers(file) == []


def test_the_drop_folder_end_to_end(tmp_path):
    drop, file = tmp_path / "drop", tmp_path / "data" / "lb.duckdb"
    drop.mkdir()
    args = ("watch", str(drop), "--db", str(file), "--settle", "1", "--interval", "0.2")

    def wait_for(path: Path, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while not path.exists():
            assert time.monotonic() < deadline, f"{path} never appeared; {watcher.poll()}"
            time.sleep(0.1)

    watcher = cli(*args)
    try:
        # A file still being written (it grows) is left alone until it stops growing.
        growing = drop / "technicians.csv"
        text = (SAMPLE_DIR / "technicians.csv").read_text()
        growing.write_text(text[: len(text) // 2])
        for _ in range(4):
            time.sleep(0.4)
            assert growing.exists(), "imported while it was still growing"
            with open(growing, "a") as fh:
                fh.write("")
            os.utime(growing)
        growing.write_text(text)
        wait_for(drop / "imported" / "technicians.csv.json")
        write_export(drop / "leads_k.csv", NEW_LEADS)
        (drop / "payouts_broken.csv").write_text("nothing,useful\n1,2\n")
        wait_for(drop / "imported" / "leads_k.csv.json")
        wait_for(drop / "failed" / "payouts_broken.csv.json")
    finally:
        watcher.send_signal(signal.SIGKILL)
        watcher.wait(10)

    techs = json.loads((drop / "imported" / "technicians.csv.json").read_text())
    assert (techs["status"], techs["table"], techs["inserted"]) == ("imported", "techs", 40)
    broken = json.loads((drop / "failed" / "payouts_broken.csv.json").read_text())
    assert broken["status"] == "failed" and "missing required column" in broken["error"]
    assert (drop / "failed" / "payouts_broken.csv").exists()

    # Restarted: files that landed while it was down are picked up; the same content is not
    # imported twice even under another name.
    write_export(drop / "leads_again.csv", NEW_LEADS)
    (drop / "jobs_k.csv").write_text("Job ID,Technician ID,Completed At\nJK-1,0105,2026-10-02\n")
    watcher = cli(*args, "--once")
    out, err = watcher.communicate(timeout=120)
    assert watcher.returncode == 0, err
    again = json.loads((drop / "imported" / "leads_again.csv.json").read_text())
    assert again["status"] == "duplicate" and again["duplicate_of"]["file"] == "leads_k.csv"
    jobs = json.loads((drop / "imported" / "jobs_k.csv.json").read_text())
    assert jobs["status"] == "imported" and jobs["inserted"] == 1
    assert sorted(p.name for p in drop.iterdir()) == ["failed", "imported"]
    history = importer.import_history(db.reader(file))
    assert sorted(history["file"]) == ["jobs_k.csv", "leads_k.csv", "technicians.csv"]
    assert "already imported" in out


def test_a_snapshot_from_another_leadbridge_version_is_published_again(sample_db, tmp_path,
                                                                      monkeypatch):
    """Macros and staging models come with the code: a reader never runs new queries on a
    snapshot made by an older LeadBridge (it is republished, or a clear message while an import
    runs)."""
    file = copy_db(sample_db, tmp_path)
    number, _ = leads_published(file)
    store.close_readers()
    pointer = store.read_pointer(file)
    store.pointer_file(file).write_text(json.dumps({**pointer, "code": "an older one"}))
    monkeypatch.setattr(store, "UPGRADE_WAIT_SECONDS", 0.5)
    with store.import_lock(file, what="payouts.csv", who="ann"):
        with pytest.raises(db.DatabaseError, match="when the running import ends .*payouts.csv"):
            store.readers(file).current()
    assert leads_published(file)[0] == number + 1
    assert store.read_pointer(file)["code"] == db.code_digest()

"""Uploads stay small: the preview reads a bounded sample, uploads are streamed to disk and
removed once imported or abandoned."""

from __future__ import annotations

import io
import os
import time

from leadbridge import db, importer

HEADER = "Lead ID,Submitted,Tech ID,Notes\n"


def big_export(rows: int) -> bytes:
    return (HEADER + "".join(f"L{i},2026-03-04,T1,note {i}\n" for i in range(rows))).encode()


def test_the_preview_reads_only_the_first_part_of_a_large_file(con, tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "SAMPLE_BYTES", 4096)
    path = tmp_path / "leads.csv"
    path.write_bytes(big_export(2000))  # about 60 KB
    preview = importer.import_file(con, path, dry_run=True, sample=True)
    assert preview.ok, preview.error
    assert preview.sampled
    assert 0 < preview.read < 2000
    assert preview.rejected == 0  # cut after a whole line: no half row at the end
    assert con.execute("select count(*) from leads").fetchone() == (0,)
    assert con.execute("select count(*) from imports").fetchone() == (0,)
    # a sample never writes, even without dry_run
    assert importer.import_file(con, path, sample=True).sampled
    assert con.execute("select count(*) from leads").fetchone() == (0,)
    full = importer.import_file(con, path)
    assert (full.read, full.inserted, full.sampled) == (2000, 2000, False)
    # the staging folder keeps no copy
    assert list(db.staging_dir(db.db_path(tmp_path / "data" / "lb.duckdb")).iterdir()) == []


def test_a_small_file_is_previewed_whole(con, tmp_path):
    path = tmp_path / "leads.csv"
    path.write_bytes(big_export(10))
    preview = importer.import_file(con, path, dry_run=True, sample=True)
    assert (preview.read, preview.sampled) == (10, False)


def test_uploads_are_streamed_kept_and_removed(con, db_file):
    data = big_export(50)
    path = importer.save_upload(con, "leads march.csv", io.BytesIO(data))
    assert path.parent == db.upload_dir(db_file)
    assert path.read_bytes() == data
    assert path.name.endswith("_leads_march.csv")
    assert importer.save_upload(con, "leads march.csv", data) == path  # the same content
    importer.discard_upload(path)
    assert not path.exists()


def test_abandoned_uploads_are_removed_on_the_next_upload(con, db_file):
    folder = db.upload_dir(db_file)
    old = folder / "0123456789ab_leads.csv"
    old.write_bytes(b"Lead ID\n")
    day_ago = time.time() - importer.UPLOAD_MAX_AGE_SECONDS - 60
    os.utime(old, (day_ago, day_ago))
    recent = importer.save_upload(con, "outcomes.csv", b"Lead ID,Stage\nL1,won\n")
    assert not old.exists()
    assert recent.exists()

"""Import exports into the canonical tables: read, detect, parse and upsert, one transaction per file.

Every value is read as text and parsed by the SQL macros in queries/schema/macros.sql; the
per-table rules live in queries/import/parse_<table>.sql and the upsert in queries/import/*.sql.
Python only decides what the file is (format, encoding, delimiter, table, columns); it never
loops over rows.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import re
import shutil
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from leadbridge import contract, db, mappings, store

TEXT_SUFFIXES = {".csv", ".txt", ".tsv", ".psv", ".tab", ".dat"}
EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}
PARQUET_SUFFIXES = {".parquet", ".pq"}
# What the Data page's uploader offers: every ending the importer reads.
ACCEPTED_EXTENSIONS = sorted(s.lstrip(".") for s in TEXT_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES)
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}

# Bytes read at a time while hashing, checking or transcoding: large enough to run at disk speed,
# small enough that a multi-gigabyte export never sits in memory.
CHUNK = 8 * 1024 * 1024
# How much of a text file is looked at for NUL bytes (a binary file or UTF-16 without a BOM).
SNIFF_BYTES = 64 * 1024
# The delimiter the line reader splits on, and the null string of the CSV reader: a Unicode
# noncharacter that no text holds, so a line is read whole and an empty value stays empty.
SENTINEL = "\uffff"
# The Data page's preview reads this much of a file, never the whole of it: a text file's first
# bytes up to the last line break, a sheet's or a Parquet file's first rows.
SAMPLE_BYTES = 2 * 1024 * 1024
SAMPLE_ROWS = 20_000
# Uploads the dashboard kept and nobody imported are removed after this long.
UPLOAD_MAX_AGE_SECONDS = 24 * 3600
# How far down a file the header is looked for (title and preamble lines above it are skipped).
HEADER_SEARCH_ROWS = 50
# Rows that are parts of a report rather than records (matched against the row's first value).
TOTAL_WORDS = r"^(grand\s*total|sub\s*-?\s*total|total|totals|count|sum|average|avg)\b"
FOOTER_WORDS = (r"^(generated|report generated|printed|run date|run by|created by|exported|"
                r"copyright|\(c\)|©|all rights reserved|confidential|page \d|end of report|"
                r"records?:|rows?:|total records)")
# Files are hashed beside the import (one at a time per file; a thread per core is plenty).
_HASHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="leadbridge-sha256")


class ImportRefused(Exception):
    """A file that cannot be imported at all; the database is unchanged. The message says the fix."""

    def __init__(self, file: str, problem: str):
        super().__init__(f"{file}: {problem}")
        self.file = file
        self.problem = problem


@dataclass
class ImportResult:
    """What became of one file: read = inserted + updated + unchanged + superseded + rejected +
    skipped always holds (skipped: report lines that are no records, like titles and totals)."""

    file: str
    table: str | None = None
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    rejected: int = 0
    skipped: int = 0
    error: str | None = None
    import_id: int | None = None
    sha256: str | None = None
    file_format: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    date_order: str | None = None
    decimal_comma: bool | None = None
    headers: list[str] = field(default_factory=list)
    header_line: int | None = None
    sampled: bool = False
    matched: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    dry_run: bool = False
    # The mapping step (leadbridge/mappings.py): the file's header signature, the saved or given
    # mapping used, what it mapped, what it could not, and what is still unknown.
    signature: str | None = None
    mapping_id: str | None = None
    mapped_columns: dict[str, str] = field(default_factory=dict)
    mapped_statuses: dict[str, str] = field(default_factory=dict)
    mapped_lead_types: dict[str, str] = field(default_factory=dict)
    mapping_warnings: list[str] = field(default_factory=list)
    mapping_saved: bool = False
    examples: dict[str, list[str]] = field(default_factory=dict)
    unknown_statuses: list[str] = field(default_factory=list)
    unknown_lead_types: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> dict:
        """The per-file JSON object of `leadbridge import --format json`."""
        keys = ("file", "table", "read", "inserted", "updated", "unchanged", "superseded", "rejected",
                "skipped")
        out = {k: getattr(self, k) for k in keys}
        if self.error is not None:
            out["error"] = self.error
        if self.mapping_id:
            out["mapping"] = {"id": self.mapping_id, "columns": self.mapped_columns,
                              "statuses": self.mapped_statuses, "lead_types": self.mapped_lead_types,
                              "saved": self.mapping_saved}
        if self.mapping_warnings:
            out["mapping_warnings"] = self.mapping_warnings
        return out

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Staged:
    path: Path
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    temporary: bool = False
    sampled: bool = False


def file_sha256(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def expand_paths(paths: list[str | os.PathLike]) -> list[Path]:
    """Files as given, folders expanded to their importable files in name order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            suffixes = TEXT_SUFFIXES | EXCEL_SUFFIXES | PARQUET_SUFFIXES
            files.extend(sorted(p for p in path.iterdir()
                                if p.is_file() and p.suffix.lower() in suffixes))
        else:
            files.append(path)
    return files


def import_paths(con: duckdb.DuckDBPyConnection, paths: list[str | os.PathLike], **options) -> list[ImportResult]:
    """Import files and folders (a folder's files in name order); a refused file does not stop the rest.

    The staged tables are rebuilt once at the end, so the dashboard opens on fresh numbers.
    """
    try:
        return [import_file(con, path, **options, refresh=False) for path in expand_paths(paths)]
    finally:
        if not options.get("dry_run"):
            db.refresh_staging(con)


def import_file(
    con: duckdb.DuckDBPyConnection,
    path: str | os.PathLike,
    *,
    table: str | None = None,
    date_order: str | None = None,
    decimal_comma: bool | None = None,
    display_name: str | None = None,
    dry_run: bool = False,
    refresh: bool = True,
    map_columns: dict[str, str] | None = None,
    map_statuses: dict[str, str] | None = None,
    map_lead_types: dict[str, str] | None = None,
    save_mapping: bool = False,
    map_only_present: bool = False,
    sample: bool = False,
) -> ImportResult:
    """Import one file in one transaction; a refused file comes back with `error` set.

    `dry_run` does all the work and rolls it back: the Data page's preview of what an import
    would do. `display_name` is the name users know the file by (an upload's original name).
    A mapping saved for the file's headers is applied; `map_columns` ({header: column}),
    `map_statuses` ({word: state}) and `map_lead_types` ({word: type}) add to it for this import,
    and are saved for the header signature when `save_mapping` (never on a dry run). A mapped
    header the file lacks refuses the file, unless `map_only_present` (a folder of several files).
    After the commit the staged tables are rebuilt, unless `refresh` is false (import_paths
    rebuilds them once after the last file; a query rebuilds them if nobody did).
    `sample` (with dry_run) reads only the first part of a large file (SAMPLE_BYTES of text,
    SAMPLE_ROWS rows of a sheet or Parquet file): the preview of an upload of any size.
    """
    path = Path(path)
    name = display_name or path.name
    dry_run = dry_run or sample  # a sample is never imported
    result = ImportResult(file=name, dry_run=dry_run)
    given = (map_columns or {}, map_statuses or {}, map_lead_types or {}, save_mapping,
             map_only_present)
    try:
        _import(con, path, name, result, table, date_order, decimal_comma, dry_run, given, sample)
    except ImportRefused as exc:
        result.error = exc.problem
    if refresh and result.ok and not dry_run:
        db.refresh_staging(con)
    return result


def _import(con, path, name, result, table, date_order, decimal_comma, dry_run, given,
            sample=False):
    if table is not None and table not in contract.TABLES:
        raise ImportRefused(name, f"unknown table {table!r}: use one of {', '.join(contract.TABLES)}")
    if date_order is not None and date_order not in contract.DATE_ORDERS:
        raise ImportRefused(name, f"unknown date order {date_order!r}: use MDY, DMY or YMD")
    if not path.is_file():
        raise ImportRefused(name, "no such file: check the path")
    if path.stat().st_size == 0:
        raise ImportRefused(name, "the file is empty: export it again with a header row and data rows")
    # Hashed in a thread while DuckDB reads the file: both let go of Python's lock.
    digest = _HASHING.submit(file_sha256, path)
    try:
        _import_contents(con, path, name, result, table, date_order, decimal_comma, dry_run, digest,
                         given, sample)
    finally:
        result.sha256 = digest.result()


def _import_contents(con, path, name, result, table, date_order, decimal_comma, dry_run, digest,
                     given=({}, {}, {}, False, False), sample=False):
    """Stage, read, check and merge the file in one transaction (digest: its SHA-256, coming)."""
    staged = _stage(con, path, name, sample)
    cur = con.cursor()
    began = False
    try:
        store.pause_point("reading")
        try:
            # Into temp tables before the transaction starts, so that a read the parallel CSV
            # scanner refuses can be tried again single-threaded.
            layout = _read_raw(cur, staged, name, table)
        except duckdb.Error as exc:
            # Name the user's file, never our staging copy of it.
            raise ImportRefused(name, _explain_duckdb_error(exc).replace(str(staged.path), name)) from exc
        headers = layout.headers
        cur.execute("begin transaction")
        began = True
        result.file_format, result.encoding = staged.file_format, staged.encoding
        result.sampled = staged.sampled
        result.delimiter = DELIMITER_NAMES.get(staged.delimiter or "", staged.delimiter)
        result.headers, result.header_line = headers, layout.header_line
        if dry_run:
            result.examples = _examples(cur, headers, layout.header_line)
        active, given_mapping = _mapping_for(con, name, headers, table, given, result)
        spec = _choose_table(name, mappings.detection_headers(headers, active),
                             _mapped_table(name, table, active))
        result.table = spec.name
        applied = mappings.apply(spec, headers, active)
        result.mapped_columns = applied.columns
        result.mapped_statuses, result.mapped_lead_types = applied.statuses, applied.lead_types
        result.mapping_warnings = applied.warnings
        if active is not None and (applied.columns or applied.statuses or applied.lead_types):
            result.mapping_id = active.id
        mapping, _ = contract.match_headers(spec, applied.headers)
        missing = [c for c in spec.required if c not in mapping]
        if missing:
            found = ", ".join(f'"{h}"' for h in headers if h) or "none"
            wanted = "; ".join(
                f"{c} (e.g. {', '.join(repr(a) for a in spec.column(c).aliases[:3])})" for c in missing)
            raise ImportRefused(
                name, f"missing required column(s) for {spec.name}: {wanted}. Headers found: {found}. "
                f"Rename the column in the file, map it (--map 'YOUR HEADER={missing[0]}', or the "
                "Data page's mapping step), or pick the right table.")
        result.matched = {col: headers[pos] for col, pos in mapping.items()}
        used = set(mapping.values())
        result.ignored = [h for pos, h in enumerate(headers) if h and pos not in used]
        _project(cur, spec, mapping, len(headers), layout.header_line)
        _check_shape(cur, name, layout)
        result.date_order, result.decimal_comma = _detect_formats(
            cur, spec, name, date_order, decimal_comma, excel=staged.file_format == "excel")
        params = {
            "date_order": result.date_order,
            "decimal_comma": result.decimal_comma,
            "excel": staged.file_format == "excel",
            "true_words": list(contract.TRUE_WORDS),
            "false_words": list(contract.FALSE_WORDS),
            "accepted_statuses": contract.accepted_status_words(),
            "now": datetime.now(),
            "header_columns": list(result.matched),
            "header_names": list(result.matched.values()),
            "mapped_status_words": list(applied.statuses),
            "mapped_statuses": list(applied.statuses.values()),
            "mapped_lead_type_words": list(applied.lead_types),
            "mapped_lead_types": list(applied.lead_types.values()),
        }
        db.run_script(cur, f"import/parse_{spec.name}", params)
        cur.execute("drop table stg")  # parsed from: spilled to disk for nothing if kept
        _lay_out(cur, spec, layout)
        if cur.execute("select count(*) from parsed").fetchone()[0] == 0:
            raise ImportRefused(name, "the file has a header row but no data rows: nothing to import")
        _unknown_words(cur, spec, result)
        import_id = cur.execute("select nextval('import_id_seq')").fetchone()[0]
        params["import_id"] = import_id
        _merge(cur, spec, params)
        result.import_id = import_id
        db.run_script(cur, "import/record", {
            **params,
            "file_name": name,
            "sha256": digest.result(),
            "table_name": spec.name,
            "file_format": result.file_format,
            "encoding": result.encoding,
            "delimiter": result.delimiter,
            "headers": headers,
            "ignored": result.ignored,
        }, cells=", ".join(f"c{i}" for i in range(len(headers))))
        # The counts as the import's audit row has them (queries/import/record.sql counts once).
        counts = cur.execute(
            "select rows_read, inserted, updated, unchanged, superseded, rejected, skipped "
            "from imports where import_id = $import_id", {"import_id": import_id}).fetchone()
        (result.read, result.inserted, result.updated, result.unchanged, result.superseded,
         result.rejected, result.skipped) = counts
        if result.read != sum(counts[1:]):
            raise RuntimeError(f"accounting does not add up for {name}: {counts}")
        store.pause_point("merging")
        cur.execute("rollback" if dry_run else "commit")
        if given_mapping is not None and not dry_run:
            result.mapping_saved = _save_mapping(con, spec, headers, given_mapping, applied)
    except BaseException:
        if began:
            cur.execute("rollback")
        raise
    finally:
        cur.close()
        if staged.temporary:
            staged.path.unlink(missing_ok=True)


# --- reading -------------------------------------------------------------------------------


def _file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return "excel"
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"PAR1"):
        return "parquet"
    if magic.startswith(b"PK\x03\x04") or magic.startswith(b"\xd0\xcf\x11\xe0"):
        return "excel"
    return "csv"


def _detect_encoding(path: Path, name: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise ImportRefused(
            name, "this is not a text table (it contains NUL bytes; a binary file, or UTF-16 "
            "without a byte-order mark): save it as CSV UTF-8, Excel or Parquet")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                chunk.decode("cp1252")
        return "windows-1252"
    except UnicodeDecodeError:
        return "latin-1"


def _staging_file(con, suffix: str) -> Path:
    folder = db.staging_dir(_db_file(con))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"import-{uuid.uuid4().hex}{suffix}"


def _db_file(con) -> Path:
    # The working database, also for a dashboard's read-only snapshot (uploads go beside it).
    return db.file_of(con)


def _stage(con, path: Path, name: str, sample: bool = False) -> _Staged:
    """Put the file where DuckDB may read it: as is inside the data folder, else linked or copied
    (transcoded to UTF-8 when it is in another encoding); with `sample`, only its first part."""
    fmt = _file_format(path)
    if fmt == "excel":
        return _Staged(path, fmt, sampled=sample)
    inside = db.data_dir(_db_file(con)) in path.resolve().parents
    if fmt == "parquet":
        if inside:
            return _Staged(path, fmt)
        target = _staging_file(con, ".parquet")
        _link_or_copy(path, target)
        return _Staged(target, fmt, temporary=True, sampled=sample)
    encoding = _detect_encoding(path, name)
    if encoding in ("utf-8", "utf-8-sig"):
        if inside:
            staged = _Staged(path, fmt, encoding)
        else:
            target = _staging_file(con, ".csv")
            _link_or_copy(path, target)
            staged = _Staged(target, fmt, encoding, temporary=True)
    else:
        target = _staging_file(con, ".csv")
        try:
            with open(path, encoding=encoding, newline="") as src, open(target, "w", encoding="utf-8",
                                                                         newline="") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
        except UnicodeDecodeError as exc:  # a UTF-16 byte-order mark, then broken text
            target.unlink(missing_ok=True)
            raise ImportRefused(name, f"the file is not valid {encoding} text ({exc.reason}): "
                                "save it again as CSV UTF-8") from exc
        staged = _Staged(target, fmt, encoding, temporary=True)
    if sample and staged.path.stat().st_size > SAMPLE_BYTES:
        staged = _sample_text(con, staged)
    return staged


def _sample_text(con, staged: _Staged) -> _Staged:
    """A copy of the first SAMPLE_BYTES of a UTF-8 text file, cut after its last whole line."""
    with open(staged.path, "rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    cut = max(head.rfind(b"\n"), head.rfind(b"\r"))
    target = _staging_file(con, ".csv")
    target.write_bytes(head[:cut + 1] if cut >= 0 else head)
    if staged.temporary:
        staged.path.unlink(missing_ok=True)
    return _Staged(target, staged.file_format, staged.encoding, temporary=True, sampled=True)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


@dataclass
class _Layout:
    """Where the table sits in the file: its header row and the shape of its records."""

    headers: list[str]
    header_line: int
    width: int
    stray_lines: list[int] = field(default_factory=list)
    delimiter: str = ","


def _read_raw(cur, staged: _Staged, name: str, table: str | None) -> _Layout:
    """Load the file into temp table `raw` (line_no, n_fields, fits, c0..cN, all text), its lines
    into view `numbered_lines`, its blank lines into `blank_lines`, and find the header row: the
    first row that matches the contract (title lines above it are skipped), else the first row."""
    if staged.file_format == "csv":
        return _read_text(cur, staged, name, table)
    if staged.file_format == "excel":
        frame = _read_excel(staged.path, name, SAMPLE_ROWS if staged.sampled else None)
        staged.sampled = staged.sampled and len(frame) >= SAMPLE_ROWS
        cur.register("raw_excel", frame)
        cur.execute("create or replace temp table raw_sheet as select * from raw_excel")
        cur.unregister("raw_excel")
        width = frame.shape[1] - 1
        first = cur.execute("select * from raw_sheet where line_no <= $n order by line_no",
                            {"n": HEADER_SEARCH_ROWS}).fetchall()
        rows = [(r[0], ["" if c is None else str(c).lstrip("\ufeff").strip() for c in r[1:]])
                for r in first]
        header_line, headers = _find_header(rows, name, table)
        headers = list(headers)
        while headers and not headers[-1]:  # the sheet's empty columns right of the header
            headers.pop()
        db.run_script(cur, "import/raw_sheet", {"width": len(headers)},
                      cells=", ".join(f"c{i}" for i in range(width)))
        return _Layout(headers, header_line, len(headers))
    rel = cur.read_parquet(str(staged.path))
    if staged.sampled:
        staged.sampled = rel.shape[0] > SAMPLE_ROWS
        rel = rel.limit(SAMPLE_ROWS)
    header = list(rel.columns)
    text = duckdb.sqltype("VARCHAR")
    rel = rel.select(*[duckdb.ColumnExpression(c).cast(text).alias(f"c{i}")
                       for i, c in enumerate(header)])
    cur.register("raw_parquet", rel)
    db.run_script(cur, "import/raw_parquet", {"width": len(header)})
    cur.unregister("raw_parquet")
    return _Layout([str(h) for h in header], 1, len(header))


def _header_fits(headers: list[str], name: str, table: str | None) -> bool:
    """Whether a row reads as the header of the file's table: every required column is there."""
    chosen = table or contract.table_from_filename(name)
    if chosen:
        spec = contract.TABLES[chosen]
        mapping, _ = contract.match_headers(spec, headers)
        return all(c in mapping for c in spec.required)
    return bool(contract.table_from_headers(headers))


def _find_header(rows: list[tuple[int, list[str]]], name: str,
                 table: str | None) -> tuple[int, list[str]]:
    """The first row that matches the contract as a header, else the first non-empty row."""
    filled = [(n, cells) for n, cells in rows if any(c.strip() for c in cells)]
    if not filled:
        raise ImportRefused(name, "the file has no rows: export it again with a header row")
    for line_no, cells in filled:
        if _header_fits(cells, name, table):
            return line_no, cells
    return filled[0]


def _read_text(cur, staged: _Staged, name: str, table: str | None) -> _Layout:
    """A delimited text file: its lines first (the header, quoted values that span lines and
    stray quotes are found on them), then its records with DuckDB's CSV reader, numbered with
    the line each starts on."""
    db.run_script(cur, "import/read_lines", {"path": str(staged.path), "sentinel": SENTINEL})
    head = cur.execute("select line_no, line from numbered_lines where line_no <= $n order by line_no",
                       {"n": HEADER_SEARCH_ROWS}).fetchall()
    candidates = []
    for line_no, line in head:
        if line is not None and line.strip():
            line = line.lstrip("\ufeff")
            candidates.append((line_no, {d: next(csv.reader([line], delimiter=d)) for d in DELIMITERS}))
    if not candidates:
        raise ImportRefused(name, "the file has no rows: export it again with a header row")
    found = next(((n, d, split[d]) for n, split in candidates for d in DELIMITERS
                  if len(split[d]) > 1 and _header_fits([h.strip() for h in split[d]], name, table)),
                 None)
    if found is None:  # no row matches: the first row is the header, and the refusal says why
        header_line, split = candidates[0]
        delimiter = max(DELIMITERS, key=lambda d: len(split[d]))
        headers = split[delimiter]
    else:
        header_line, delimiter, headers = found
    staged.delimiter = delimiter
    headers = [h.strip() for h in headers]
    width = len(headers)
    quote, escape = _quoting(cur, header_line, delimiter)
    odd = cur.execute(db.load_sql("import/quote_lines"), {
        "header_line": header_line, "quote": quote, "delim": delimiter, "width": width}).fetchall()
    strays, spans = _quoted_spans(odd)
    source, repaired = staged.path, None
    try:
        if strays:
            repaired = _staging_file(cur, ".csv")
            lines = cur.sql(db.load_sql("import/repair_lines"), params={"stray_lines": strays})
            lines.to_csv(str(repaired), header=False, sep=SENTINEL, quotechar="", escapechar="")
            source = repaired
        _read_csv(cur, source, delimiter, quote, escape, width, parallel=not spans)
    finally:
        if repaired is not None:
            repaired.unlink(missing_ok=True)
    _number_records(cur, name, width, spans, strays)
    cur.execute("drop table raw_csv")  # numbered into raw: spilled to disk for nothing if kept
    return _Layout(headers, header_line, width, strays, delimiter)


def _quoting(cur, header_line: int, delimiter: str) -> tuple[str, str]:
    """The file's quote and escape characters: a double quote doubled (RFC 4180), unless the
    file escapes quotes with a backslash, or quotes values with single quotes and never uses
    double quotes."""
    d = re.escape(delimiter)
    doubles, backslashed, doubled, singles = cur.execute(
        db.load_sql("import/quoting"),
        {"header_line": header_line, "single": f"(^|{d})'[^'{d}]*{d}[^']*'({d}|$)"}).fetchone()
    if not doubles and singles:
        return "'", "'"
    if backslashed and backslashed >= doubled:
        return '"', "\\"
    return '"', '"'


def _quoted_spans(odd: list[tuple[int, int | None, int]]) -> tuple[list[int], list[tuple[int, int]]]:
    """From the lines with an odd number of quotes (in order): the lines with a stray quote, and
    the spans of later lines that quoted values run over. A quote that never closes, or whose
    closing line would swallow lines that read as records of their own, is a stray quote: its
    line is rejected alone and the lines after it are read as the records they are. (A loop
    over those few lines, never over the file's rows.)"""
    strays, spans = [], []
    i = 0
    while i < len(odd):
        line_no, next_odd, record_like = odd[i]
        if next_odd is not None and record_like == 0:
            spans.append((line_no + 1, next_odd))
            i += 2
        else:
            strays.append(line_no)
            i += 1
    return strays, spans


def _read_csv(cur, path: Path, delimiter: str, quote: str, escape: str, width: int,
              parallel: bool) -> None:
    """The file's records into temp table raw_csv: with both cores, or single-threaded when a
    quoted value holds a line break (DuckDB's parallel scanner refuses null padding then)."""
    params = {"path": str(path), "delim": delimiter, "quote": quote, "escape": escape,
              "sentinel": SENTINEL, "parallel": parallel,
              "columns": {f"c{i}": "VARCHAR" for i in range(width + 2)}}
    try:
        cur.execute(db.load_sql("import/read_csv"), params)
    except duckdb.Error as exc:
        if _SERIAL_ONLY not in str(exc):
            raise
        cur.execute(db.load_sql("import/read_csv"), {**params, "parallel": False})


def _number_records(cur, name: str, width: int, spans: list[tuple[int, int]],
                    strays: list[int]) -> None:
    """Temp table `raw`: each record with the line it starts on, its number of values, and
    whether that number fits the header. Lines that start no record (blank lines, the later
    lines of a quoted value, emptied stray quotes) are the gaps between the records' numbers."""
    db.run_script(cur, "import/gap_lines", {"spans": [list(s) for s in spans] or [[0, -1]],
                                            "strays": strays})
    records, lines, gaps = cur.execute(
        "select (select count(*) from raw_csv), (select count(*) from lines), "
        "(select count(*) from gap_lines)").fetchone()
    if records != lines - gaps:  # never seen: the records could not be put on their lines
        raise ImportRefused(name, f"{records} records were read from {lines} lines of which {gaps} "
                            "start no record: the file's quoting cannot be followed; export it again")
    db.run_script(cur, "import/number_records" if gaps else "import/number_records_plain",
                  {"width": width}, all_cells=", ".join(f"c{i}" for i in range(width + 2)),
                  cells=", ".join(f"c{i}" for i in range(width)), last=f"c{width - 1}",
                  extra=f"c{width}", beyond=f"c{width + 1}")


# DuckDB's parallel scanner refuses null padding when a quoted value holds a line break.
_SERIAL_ONLY = "parallel scanner does not support null_padding in conjunction with quoted new lines"


def _read_excel(path: Path, name: str, nrows: int | None = None) -> pd.DataFrame:
    """The first non-empty sheet as text cells, numbered like the spreadsheet's rows (its first
    `nrows` rows when given)."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken files
        raise ImportRefused(name, f"cannot read this Excel file ({exc}): open it in Excel and save "
                            "it again as .xlsx, or export CSV") from exc
    for sheet_name in book.sheet_names:
        rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False, nrows=nrows)
        if rows and any(str(c).strip() for row in rows[:HEADER_SEARCH_ROWS] for c in row):
            break
    else:
        raise ImportRefused(name, "the workbook has no sheet with a header row")
    frame = pd.DataFrame(rows, dtype=object)
    frame.columns = [f"c{i}" for i in range(frame.shape[1])]
    frame = frame.astype("string")
    frame.insert(0, "line_no", pd.RangeIndex(1, len(frame) + 1))
    return frame


# --- the mapping step (leadbridge/mappings.py) -----------------------------------------------


def _examples(cur, headers: list[str], header_line: int = 1) -> dict[str, list[str]]:
    """Up to three values of each column (of the rows below the header), for the mapping step."""
    rows = [r[2:] for r in cur.execute(db.load_sql("import/examples"),
                                        {"header_line": header_line}).fetchall()]
    return {h: [str(r[i]) for r in rows if i < len(r) and r[i] not in (None, "")]
            for i, h in enumerate(headers) if h}


def _mapping_for(con, name, headers, table, given, result):
    """The mapping to apply (saved for these headers, with what was given on top) and the given
    one to save (None when nothing was given or it is not to be saved)."""
    columns, statuses, lead_types, save, only_present = given
    folder = db.data_dir(_db_file(con))
    result.signature = mappings.signature(headers)
    try:
        saved = mappings.find(folder, headers)
        wanted = mappings.from_options(headers, columns, statuses, lead_types, table,
                                       only_present=only_present) \
            if (columns or statuses or lead_types) else None
    except mappings.MappingError as exc:
        raise ImportRefused(name, str(exc)) from exc
    if saved is not None and wanted is not None:
        active = saved.merged(wanted)
    else:
        active = wanted or saved
    return active, (wanted if save else None)


def _mapped_table(name: str, table: str | None, active) -> str | None:
    """The table the user named, else the saved mapping's when the file name does not tell."""
    if table or active is None or contract.table_from_filename(name):
        return table
    return active.table


def _unknown_words(cur, spec: contract.Table, result: ImportResult) -> None:
    """Status or lead-type words of the file that nothing reads yet, for the mapping step."""
    query = {"outcomes": "import/unknown_statuses", "leads": "import/unknown_lead_types"}.get(spec.name)
    if query is None:
        return
    words = [w for w, _ in cur.execute(db.load_sql(query)).fetchall()]
    if spec.name == "outcomes":
        result.unknown_statuses = words
    else:
        result.unknown_lead_types = words


def _save_mapping(con, spec, headers, given: mappings.Mapping, applied: mappings.Applied) -> bool:
    """Save the given entries that were used for the header signature; return whether any was."""
    keep = mappings.Mapping(
        given.signature, list(headers), spec.name,
        {h: c for h, c in given.columns.items() if h in applied.columns},
        {w: s for w, s in given.statuses.items() if contract.normalize_word(w) in applied.statuses},
        {w: t for w, t in given.lead_types.items()
         if contract.normalize_word(w) in applied.lead_types})
    if not (keep.columns or keep.statuses or keep.lead_types):
        return False
    mappings.save(db.data_dir(_db_file(con)), keep)
    return True


def _choose_table(name: str, headers: list[str], table: str | None) -> contract.Table:
    if table:
        return contract.TABLES[table]
    by_name = contract.table_from_filename(name)
    if by_name:
        return contract.TABLES[by_name]
    candidates = _most_specific(contract.table_from_headers(headers), headers)
    prefixes = ", ".join(f"{t.file_prefixes[0]}*" for t in contract.TABLES.values())
    if len(candidates) == 1:
        spec = contract.TABLES[candidates[0]]
        foreign = _foreign_keys(spec, headers)
        if foreign:
            raise ImportRefused(
                name, f"the headers would make this a {spec.name} file, but "
                f"{', '.join(repr(h) for h in foreign)} identify rows of another table: name the "
                f"file after its table ({prefixes}) or pass --table")
        return spec
    if candidates:
        raise ImportRefused(
            name, f"the headers fit more than one table ({', '.join(candidates)}): name the file "
            f"after its table ({prefixes}) or pass --table")
    raise ImportRefused(
        name, f"cannot tell which table this is from its name or headers "
        f"({', '.join(h for h in headers if h)}): name the file after its table ({prefixes}) or pass "
        "--table; or map its columns (--map 'YOUR HEADER=lead_id', or the Data page's mapping step)")


def _foreign_keys(spec: contract.Table, headers: list[str]) -> list[str]:
    """Headers the table does not use that are the key of another table (a Lead ID in a file
    that would otherwise pass for a roster): a sign that a guess from headers could be wrong."""
    _, unused = contract.match_headers(spec, headers)
    foreign = []
    for header in unused:
        for other in contract.TABLES.values():
            mapping, _ = contract.match_headers(other, [header])
            if other.name != spec.name and any(col in other.key for col in mapping):
                foreign.append(header)
                break
    return foreign


def _most_specific(candidates: list[str], headers: list[str]) -> list[str]:
    """Drop a table whose required headers all serve another candidate too: a leads export
    always has a tech ID column, so it also fits the roster, but it is the leads it holds."""
    def required_headers(table: str) -> set[int]:
        spec = contract.TABLES[table]
        mapping, _ = contract.match_headers(spec, headers)
        return {pos for col, pos in mapping.items() if col in spec.required}

    used = {t: required_headers(t) for t in candidates}
    return [t for t in candidates if not any(used[t] < used[other] for other in candidates)]


def _project(cur, spec: contract.Table, mapping: dict[str, int], width: int, header_line: int) -> None:
    """Temp table `stg`: the rows below the header with line_no, n_fields, fits and one
    raw_<column> per canonical column."""
    cells = ", ".join(f"c{i}" for i in range(width))
    named = ", ".join(
        f"c{mapping[c.name]} as raw_{c.name}" if c.name in mapping else f"null::varchar as raw_{c.name}"
        for c in spec.columns)
    db.run_script(cur, "import/stage", {"header_line": header_line}, cells=cells, named=named)


def _check_shape(cur, name: str, layout: _Layout) -> None:
    """Refuse a file whose header does not line up with its rows: with more or fewer names than
    most rows have values, every value would land in a wrong column."""
    rows, fitting, usual = cur.execute(db.load_sql("import/shape")).fetchone()
    if rows and fitting * 2 < rows:
        more = "more" if usual > layout.width else "fewer"
        raise ImportRefused(
            name, f"the header row (line {layout.header_line}) names {layout.width} columns but "
            f"{rows - fitting} of the {rows} rows below it have {more} values ({usual}): the "
            "header and the rows do not line up, so values would land in the wrong columns. Fix "
            "the header row so that it names one column per value")


def _lay_out(cur, spec: contract.Table, layout: _Layout) -> None:
    """Tell the records from the rest: title lines above the header, footers, totals and group
    rows are skipped with their reason; a second table, rows with the wrong number of values
    and lines with a stray quote are rejected with theirs."""
    aliases = sorted({contract.normalize_header(a) for c in spec.columns for a in (c.name, *c.aliases)})
    others = "".join(re.escape(d) for d in DELIMITERS if d != layout.delimiter)
    params = {
        "header_line": layout.header_line, "width": layout.width, "alias_keys": aliases,
        "total_words": TOTAL_WORDS, "footer_words": FOOTER_WORDS,
        "other_delimiters": f"[{others}]", "stray_lines": layout.stray_lines,
    }
    db.run_script(cur, "import/layout", params,
                  cells=", ".join(f"c{i}" for i in range(layout.width)))
    second = cur.execute("select max(second_start) from row_layout").fetchone()[0]
    if second is not None:  # else its update would read every row back for nothing
        db.run_script(cur, "import/second_table", {"second_start": second})
    db.run_script(cur, "import/damaged_rows", params)


def _detect_formats(cur, spec, name, date_order, decimal_comma,
                    excel: bool = False) -> tuple[str | None, bool]:
    dates = ", ".join(f"raw_{c.name}" for c in spec.columns if c.kind == contract.DATE)
    money = ", ".join(f"raw_{c.name}" for c in spec.columns if c.kind == contract.MONEY)
    sql = db.render(db.load_sql("import/detect_formats"), dates=dates, money=money)
    slashed, day_first, month_first, comma_dec, point_dec, dotted_thousands = cur.execute(sql).fetchone()
    if date_order is None and slashed:
        if day_first and month_first:
            raise ImportRefused(
                name, f"the dates mix day-first ({day_first} values like 25/03/2026) and month-first "
                f"({month_first} values like 03/25/2026) orders: fix the file so one order is used")
        if day_first:
            date_order = "DMY"
        elif month_first:
            date_order = "MDY"
        else:
            raise ImportRefused(
                name, f"all {slashed} slashed dates (like 03/04/2026) could be read day-first or "
                "month-first: give the date order with --date-order MDY or DMY (on the Data page: "
                "'Date order')")
    if decimal_comma is None:
        if comma_dec and point_dec:
            raise ImportRefused(
                name, f"amounts mix a decimal comma ({comma_dec} values like 1.234,50) and a decimal "
                f"point ({point_dec} values like 1,234.50): use one convention in the file")
        # Spreadsheet number cells arrive as numbers (1.234 is exact there); text can mislead.
        if dotted_thousands and not comma_dec and not point_dec and not excel:
            raise ImportRefused(
                name, f"{dotted_thousands} amounts like 1.234 could be one thousand two hundred "
                "thirty-four (decimal comma) or one point two three four (decimal point), and no "
                "amount in the file tells which: pass --decimal-comma or --decimal-point (on the "
                "Data page: 'Decimal separator')")
        decimal_comma = bool(comma_dec)
    return date_order, decimal_comma


def _merge(cur, spec: contract.Table, params: dict) -> None:
    columns = spec.column_names + list(spec.extra_columns)
    key = ", ".join(spec.key)
    idents = {
        "table": spec.name,
        "key": key,
        "p_key": ", ".join(f"p.{k}" for k in spec.key),
        "s_key": ", ".join(f"s.{k}" for k in spec.key),
        "repeated_join": " and ".join(f"p.{k} = r.{k}" for k in spec.key),
        "key_join": " and ".join(f"s.{k} = t.{k}" for k in spec.key),
        "first_key": spec.key[0],
        "columns": ", ".join(columns),
        "s_columns": ", ".join(f"s.{c}" for c in columns),
        "t_columns": ", ".join(f"t.{c}" for c in columns),
    }
    db.run_script(cur, "import/classify", params, **idents)
    if spec.name == "outcomes":
        db.run_script(cur, "import/history_outcomes", params)
    db.run_script(cur, "import/apply", params, **idents)


_LINE = re.compile(r"Line: (\d+)")


def _explain_duckdb_error(exc: duckdb.Error) -> str:
    text = str(exc)
    if "Expected Number of Columns" in text:
        line = _LINE.search(text)
        where = f"row {int(line.group(1))}" if line else "a row"
        return (f"{where} has more values than the header has columns: quote values that contain "
                "the delimiter, or fix the row")
    if "Invalid unicode" in text or "invalid UTF-8" in text.lower():
        return "the file is not valid text in any encoding we read: save it as CSV UTF-8"
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"cannot read the file as a table ({first}): export it again as CSV, Excel or Parquet"


def list_rejects(con, import_id: int | None = None) -> pd.DataFrame:
    """Rejected rows with file, row, column, value and reason (all imports, or one)."""
    return con.cursor().execute(db.load_sql("rejects"),
                                {"import_id": import_id, "limit": None, "offset": 0}).df()


def rejected_status_words(con, import_id: int) -> list[tuple[str, int]]:
    """The status words an import rejected rows for, with their rows, most rows first."""
    return con.cursor().execute(db.load_sql("rejected_status_words"),
                                {"import_id": import_id}).fetchall()


def list_superseded(con, import_id: int | None = None) -> pd.DataFrame:
    """Rows a later row with the same key replaced, with the row that replaced each."""
    return con.cursor().execute(db.load_sql("superseded"),
                                {"import_id": import_id, "limit": None, "offset": 0}).df()


def list_skipped(con, import_id: int | None = None) -> pd.DataFrame:
    """Lines skipped as parts of a report (titles, footers, totals), with file, row and reason."""
    return con.cursor().execute(db.load_sql("skipped"), {"import_id": import_id}).df()


def import_history(con) -> pd.DataFrame:
    """Every import, newest first, with its accounting."""
    return con.cursor().execute(db.load_sql("import_history")).df()


def write_rejects_csv(con, out: str | os.PathLike, import_id: int | None = None) -> int:
    """Write rejected rows as CSV with spreadsheet formulas defused; return the number of rows."""
    from leadbridge.exports import frame_to_csv

    frame = list_rejects(con, import_id)
    Path(out).write_text(frame_to_csv(frame), encoding="utf-8")
    return len(frame)


def describe(result: ImportResult) -> str:
    """One summary line for a person."""
    if result.error:
        return f"{result.file}: REFUSED - {result.error}"
    verb = "would import" if result.dry_run else "imported"
    # counts with separators, as on the Data page ("read 1,009,110"); --format json for tools
    line = (f"{result.file}: {verb} as {result.table}: read {result.read:,}, "
            f"inserted {result.inserted:,}, updated {result.updated:,}, "
            f"unchanged {result.unchanged:,}, superseded {result.superseded:,}, "
            f"rejected {result.rejected:,}, skipped {result.skipped:,}")
    if result.ignored:
        line += f" (ignored columns: {', '.join(result.ignored)})"
    if result.mapping_id:
        bits = [f"{h} -> {c}" for h, c in result.mapped_columns.items()]
        bits += [f"'{w}' -> {s}" for w, s in result.mapped_statuses.items()]
        bits += [f"'{w}' -> {t}" for w, t in result.mapped_lead_types.items()]
        line += f" (mapping {result.mapping_id}{' saved' if result.mapping_saved else ''}: {', '.join(bits)})"
    for warning in result.mapping_warnings:
        line += f"\n  mapping not used: {warning}"
    return line



_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def save_upload(con, name: str, data) -> Path:
    """Keep an uploaded export in the upload folder under a unique, safe name; return its path.

    `data` is bytes or a binary file object (an upload), copied in chunks so that a large
    upload is not held twice in memory. Uploads older than UPLOAD_MAX_AGE_SECONDS that were
    never imported (an abandoned page) are removed first.
    """
    folder = db.upload_dir(_db_file(con))
    folder.mkdir(parents=True, exist_ok=True)
    prune_uploads(folder)
    safe = _UNSAFE_NAME.sub("_", Path(name).name).strip("._") or "upload"
    # written aside, then renamed: two sessions may upload the same file at once
    partial = folder / f".{uuid.uuid4().hex}.part"
    digest = hashlib.sha256()
    source = io.BytesIO(data) if isinstance(data, (bytes, bytearray, memoryview)) else data
    source.seek(0)
    with open(partial, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
    target = folder / f"{digest.hexdigest()[:12]}_{safe}"
    os.replace(partial, target)
    return target


def discard_upload(path: str | os.PathLike) -> None:
    """Remove an upload once it is imported (or no longer wanted)."""
    Path(path).unlink(missing_ok=True)


def prune_uploads(folder: Path, max_age: float = UPLOAD_MAX_AGE_SECONDS) -> int:
    """Remove uploads (and half-written ones) older than max_age seconds; return how many."""
    removed = 0
    cutoff = time.time() - max_age
    for item in folder.iterdir() if folder.is_dir() else ():
        try:
            if item.is_file() and item.stat().st_mtime < cutoff:
                item.unlink()
                removed += 1
        except OSError:  # another session removed it first
            pass
    return removed

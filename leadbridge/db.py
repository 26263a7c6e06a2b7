"""The database: the one place that opens DuckDB, creates the schema and runs SQL files."""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import weakref
from functools import cache
from pathlib import Path

import duckdb

from leadbridge import contract

DEFAULT_DB = Path("data") / "leadbridge.duckdb"
QUERIES_DIR = Path(__file__).resolve().parent.parent / "queries"

# The staging models the queries build on (queries/staging/<name>.sql), in dependency order.
# Each is stored as a table of the same name and rebuilt when its inputs or its model change: a
# chart then reads one table in date order instead of joining leads, outcomes and the roster
# again, and the data-quality checks that join whole tables run once per import, not per view.
STAGED_TABLES = ("stg_leads", "stg_payouts", "stg_techs", "stg_jobs", "stg_span",
                 "stg_filter_choices", "stg_orphan_outcomes", "stg_possible_duplicates",
                 "stg_lead_facts", "stg_tech_branches", "stg_branch_span")
# Table macros over the staged tables (the cohort, deals, payouts and backlog of METRICS.md).
STAGING_MACROS = ("sets", "quality", "people", "rewards")

# Bump with a new queries/schema/NNN_*.sql file; a user's database migrates on the next open.
SCHEMA_VERSION = 4

_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SLOT_TOKENS = re.compile(r"[a-z_][a-z0-9_]*|::|[.,=]|\s+")
_TEMPLATE = re.compile(r"\{([a-z_]+)\}")


class DatabaseError(Exception):
    """A problem with the database file itself (locked, newer schema, unreadable)."""


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The database file: the argument, else $LEADBRIDGE_DB, else data/leadbridge.duckdb."""
    chosen = path or os.environ.get("LEADBRIDGE_DB") or DEFAULT_DB
    return Path(chosen).expanduser().resolve()


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The folder that holds the database; DuckDB may read and write only below it."""
    return db_path(path).parent


def upload_dir(path: str | os.PathLike | None = None) -> Path:
    """Where the dashboard keeps uploaded exports."""
    return data_dir(path) / "uploads"


def staging_dir(path: str | os.PathLike | None = None) -> Path:
    """Where the importer links or transcodes files so that DuckDB can read them."""
    return data_dir(path) / "tmp"


# Memory for DuckDB's buffers: beyond it, sorts, joins and aggregations spill to disk below the
# data folder. The importer's merge and the staged tables' rebuild fit in this at 10M leads; a
# dashboard process holds one snapshot open and reads it in pages. Override with
# $LEADBRIDGE_MEMORY_LIMIT (DuckDB's syntax: "2GB", "512MB").
WRITER_MEMORY_LIMIT = "500MB"
READER_MEMORY_LIMIT = "400MB"


def _memory_limit(default: str) -> str:
    return os.environ.get("LEADBRIDGE_MEMORY_LIMIT") or default


def spill_dir(path: str | os.PathLike | None = None) -> Path:
    """This process's folder for DuckDB's spilled intermediate results (removed when it ends;
    the next writer removes those of processes that died)."""
    return staging_dir(path) / f"spill-{os.getpid()}"


def _configure(con: duckdb.DuckDBPyConnection, file: Path, memory_limit: str) -> None:
    if not _setting(con, "lock_configuration"):
        root = str(file.parent) + os.sep
        con.execute("set allowed_directories = $dirs", {"dirs": [root]})
        con.execute("set temp_directory = $dir", {"dir": str(spill_dir(file))})
        con.execute("set memory_limit = $limit", {"limit": _memory_limit(memory_limit)})
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")


def connect(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """Open the working database read-write, lock it to its own folders, and bring its schema up
    to date.

    DuckDB may then read and write only below the database's folder (uploads and staging
    included), never downloads extensions, and the settings cannot be changed afterwards. Use
    ``con.cursor()`` per query and per thread.

    This is the writer's connection: imports go through ``writer()`` (one at a time, published
    when done); dashboards and read-only commands use ``reader()`` (docs/concurrency.md). Tests
    may write through it directly, then ``publish(con)`` what a reader should see.
    """
    file = db_path(path)
    for folder in (file.parent, upload_dir(file), staging_dir(file)):
        folder.mkdir(parents=True, exist_ok=True)
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
    try:
        con = duckdb.connect(str(file), config=config)
    except duckdb.IOException as exc:
        raise DatabaseError(
            f"{file}: cannot open the database for writing ({exc}). Another program holds it "
            "open: LeadBridge itself never does outside an import (imports take turns; "
            "dashboards read a published copy)."
        ) from exc
    _configure(con, file, WRITER_MEMORY_LIMIT)
    ensure_schema(con)
    _FILES[con] = file
    return con


def open_snapshot(file: Path, working: Path) -> duckdb.DuckDBPyConnection:
    """Open a published snapshot read-only (no migration, no rebuild: the publisher did both).

    `working` is the working database it was published from: its folder is the one DuckDB may
    read (uploads) and where its spilled results go.
    """
    config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False,
              "access_mode": "READ_ONLY"}
    # DuckDB makes the spill folder (spill_dir) when a query first needs it, but not its parent:
    # a data folder copied or restored without tmp/ failed every query that spilled.
    try:
        staging_dir(working).mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # a read-only data folder: queries that fit in memory still run
    try:
        con = duckdb.connect(str(file), read_only=True, config=config)
    except duckdb.Error as exc:
        raise DatabaseError(f"{file}: cannot open the published data ({exc})") from exc
    _configure(con, working, READER_MEMORY_LIMIT)
    _FILES[con] = working
    _READERS[con] = file
    return con


def file_of(con: duckdb.DuckDBPyConnection) -> Path:
    """The working database a connection belongs to (a snapshot's: the one it was published from)."""
    found = _FILES.get(con)
    if found is not None:
        return found
    return Path(con.cursor().execute(
        "select path from duckdb_databases() where database_name = current_database()").fetchone()[0])


# --- one writer, many readers (docs/concurrency.md) -----------------------------------------


def writer(path: str | os.PathLike | None = None, *, what: str = "an import", who: str | None = None,
           on_wait=None, publish: bool = True):
    """``with db.writer(path, what="payouts.csv") as con:`` the import lock, then the working
    database; on a clean exit the changes are published for readers. See leadbridge/store.py."""
    from leadbridge import store

    return store.writer(path, what=what, who=who, on_wait=on_wait, publish=publish)


def publish(con: duckdb.DuckDBPyConnection) -> int:
    """Rebuild the staged tables and publish the working database's committed state as the new
    read-only snapshot; return its number. The caller holds the import lock or is a test."""
    from leadbridge import store

    return store.publish(con)


def reader(path: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the newest published snapshot (this process keeps it open and
    moves to a newer one when the pointer changes). For one-shot commands and tests."""
    from leadbridge import store

    return store.readers(path).current().con


def _setting(con: duckdb.DuckDBPyConnection, name: str):
    return con.cursor().execute("select current_setting($name)", {"name": name}).fetchone()[0]


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The schema version stored in the database (0 for a new file)."""
    cur = con.cursor()
    has_meta = cur.execute(
        "select count(*) from information_schema.tables where table_name = 'meta'"
    ).fetchone()[0]
    if not has_meta:
        return 0
    row = cur.execute("select value from meta where key = 'schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrations() -> list[tuple[int, Path]]:
    """The schema files, numbered, in order."""
    found = []
    for file in sorted((QUERIES_DIR / "schema").glob("[0-9][0-9][0-9]_*.sql")):
        found.append((int(file.name[:3]), file))
    return found


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the migrations the file lacks, refresh the macros and the contract's word maps, and
    build the staged tables when they are missing or stale."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise DatabaseError(
            f"the database has schema version {current}, newer than this LeadBridge "
            f"({SCHEMA_VERSION}): upgrade LeadBridge to open it"
        )
    cur = con.cursor()
    cur.execute("begin transaction")
    try:
        for number, file in migrations():
            if number > current:
                for statement in split_statements(file.read_text()):
                    cur.execute(statement)
                cur.execute(
                    "insert or replace into meta values ('schema_version', $v)", {"v": str(number)}
                )
        cur.execute("insert or ignore into meta values ('data_version', '0')")
        for statement in split_statements(load_sql("schema/macros")):
            cur.execute(statement)
        _sync_words(cur, "status_words", contract.STATUS_WORDS)
        _sync_words(cur, "lead_type_words", contract.LEAD_TYPE_WORDS)
        cur.execute("delete from lead_types")
        cur.execute(
            "insert into lead_types select unnest($types), unnest($labels), unnest($orders)",
            {"types": list(contract.LEAD_TYPE_LABELS), "labels": list(contract.LEAD_TYPE_LABELS.values()),
             "orders": list(range(len(contract.LEAD_TYPE_LABELS)))},
        )
        stale = _stale_models(cur, check_tables=True)  # a new file, a new model, a crash
        if stale:
            _build_staged(cur, stale)
        for name in STAGING_MACROS:  # after the tables: DuckDB binds a table macro when created
            for statement in split_statements(load_sql(f"staging/{name}")):
                cur.execute(statement)
        cur.execute("commit")
    except Exception:
        cur.execute("rollback")
        raise


def _sync_words(cur: duckdb.DuckDBPyConnection, table: str, words: dict) -> None:
    keys, values = contract.word_map(words)
    cur.execute(render("delete from {table}", table=table))
    cur.execute(
        render("insert into {table} select unnest($keys), unnest($values)", table=table),
        {"keys": keys, "values": values},
    )


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A number that grows with every import: cache keys include it so results never go stale."""
    row = con.cursor().execute("select value from meta where key = 'data_version'").fetchone()
    return int(row[0]) if row else 0


# One rebuild at a time per process: dashboard sessions run in threads and share the database.
_STAGING_LOCK = threading.Lock()
_READS = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)")


@cache
def _models_digest() -> str:
    """A fingerprint of the staging models and the lead-type labels they show: a new LeadBridge
    with a changed model rebuilds the tables on open."""
    text = "\n".join(load_sql(f"staging/{name}") for name in STAGED_TABLES)
    text += repr(sorted(contract.LEAD_TYPE_LABELS.items()))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def code_digest() -> str:
    """A fingerprint of what a database gets from this LeadBridge on open besides its migrations:
    the macros, the staging models, the word maps. A snapshot published by a LeadBridge with
    another fingerprint is published again before it is read (docs/concurrency.md)."""
    text = "\n".join([str(SCHEMA_VERSION), load_sql("schema/macros"), _models_digest(),
                      *(load_sql(f"staging/{name}") for name in STAGING_MACROS),
                      repr(contract.word_map(contract.STATUS_WORDS)),
                      repr(contract.word_map(contract.LEAD_TYPE_WORDS)),
                      repr(sorted(contract.LEAD_TYPE_LABELS.items()))])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@cache
def staged_inputs() -> dict[str, frozenset[str]]:
    """The canonical tables each staged table is built from, directly or through another one."""
    inputs: dict[str, frozenset[str]] = {}
    for name in STAGED_TABLES:
        read = set(_READS.findall(load_sql(f"staging/{name}").lower()))
        found = read & set(contract.TABLES)
        for other in read & inputs.keys():
            found |= inputs[other]
        inputs[name] = frozenset(found)
    return inputs


@cache
def _row_counts_sql() -> str:
    return " union all ".join(render("select count(*) from {table}", table=t)
                              for t in contract.TABLES)


def _row_counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per canonical table (DuckDB keeps the counts: no scan)."""
    counts = [n for (n,) in cur.execute(_row_counts_sql()).fetchall()]
    return dict(zip(contract.TABLES, counts, strict=True))


def _stale_models(cur: duckdb.DuckDBPyConnection, check_tables: bool = False) -> list[str]:
    """The staged tables to rebuild: those whose input tables changed since they were built.

    A table changed when an import into it came since (the data version counts imports), or
    when its number of rows moved (rows written directly, as tests do). A changed model, a
    missing table, or a data version that the imports do not explain rebuilds all of them.
    """
    meta = dict(cur.execute(
        "select key, value from meta where key in ('data_version', 'staged')").fetchall())
    if check_tables:
        found = cur.execute(
            "select count(*) from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'main' and table_name in $names", {"names": list(STAGED_TABLES)},
        ).fetchone()[0]
        if found < len(STAGED_TABLES):
            return list(STAGED_TABLES)
    staged = json.loads(meta.get("staged") or "{}")
    if staged.get("models") != _models_digest():
        return list(STAGED_TABLES)
    counts = _row_counts(cur)
    changed = {t for t in counts if counts[t] != staged["rows"].get(t)}
    behind = int(meta["data_version"]) - staged["version"]
    if behind:
        imported = [t for (t,) in cur.execute(
            "select table_name from imports where import_id > $last",
            {"last": staged["import"]}).fetchall()]
        if len(imported) != behind:
            return list(STAGED_TABLES)
        changed |= set(imported)
    return [name for name in STAGED_TABLES if staged_inputs()[name] & changed]


def _build_staged(cur: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    """Rebuild the named staged tables from their models, inside the caller's transaction, and
    note what they were built from."""
    for name in names:
        cur.execute(render("create or replace table {name} as\n", name=name)
                    + load_sql(f"staging/{name}"))
    version, last_import = cur.execute(
        "select (select cast(value as bigint) from meta where key = 'data_version'), "
        "(select coalesce(max(import_id), 0) from imports)").fetchone()
    staged = {"version": version, "import": last_import, "models": _models_digest(),
              "rows": _row_counts(cur)}
    cur.execute("insert or replace into meta values ('staged', $v)", {"v": json.dumps(staged)})


# The file of each connection connect() opened, and per file the state of the database file and
# its write-ahead log when the staged tables were last found fresh: every committed write changes
# one of them, so an unchanged file needs no look at the tables (a query saves a millisecond).
_FILES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_READERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # snapshot connections
_FRESH_AT: dict[Path, tuple] = {}


def _file_state(file: Path) -> tuple:
    state = []
    for path in (file, file.with_name(file.name + ".wal")):
        try:
            info = path.stat()
            state.append((info.st_mtime_ns, info.st_size))
        except OSError:
            state.append(None)
    return tuple(state)


def refresh_staging(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Rebuild the staged tables whose inputs changed since they were built; return their names.

    The importer bumps the data version with every import and rows written directly change a
    table's row count (see _stale_models), so a query that calls this first never reads a stale
    table.
    """
    if con in _READERS:  # a published snapshot: the publisher rebuilt its tables
        return []
    file = _FILES.get(con)
    state = _file_state(file) if file else None  # taken before looking: a later write shows
    if state is not None and _FRESH_AT.get(file) == state:
        return []
    cur = con.cursor()
    try:
        stale = _stale_models(cur)
        if stale:
            with _STAGING_LOCK:
                cur.execute("begin transaction")
                try:
                    stale = _stale_models(cur)  # another thread may have rebuilt them meanwhile
                    if stale:
                        _build_staged(cur, stale)
                    cur.execute("commit")
                except BaseException:
                    cur.execute("rollback")
                    raise
        if state is not None and not stale:
            _FRESH_AT[file] = state
        return stale
    finally:
        cur.close()


@cache
def load_sql(name: str) -> str:
    """The text of queries/<name>.sql."""
    file = (QUERIES_DIR / f"{name}.sql").resolve()
    if QUERIES_DIR not in file.parents:
        raise ValueError(f"query name {name!r} is outside queries/")
    return file.read_text()


def split_statements(sql: str) -> list[str]:
    """Split a SQL file into statements at each ';' that ends a line."""
    parts = re.split(r";[ \t]*(?:--[^\n]*)?\n", sql + "\n")
    return [p.strip() for p in parts if _strip_comments(p).strip()]


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))


def render(template: str, **identifiers: str) -> str:
    """Fill {name} slots of a SQL template with identifier lists built by our own code.

    A slot may hold only lowercase names, dots, commas, '=', '::' and spaces (so column lists,
    `a as b`, `s.k = t.k and ...`, `null::varchar`): no quote, digit-led word or literal can pass,
    so no value from a file can reach SQL text through here. Values go in as $parameters.
    """
    for name, text in identifiers.items():
        if _SLOT_TOKENS.sub("", str(text)):
            raise ValueError(f"{name}={text!r} holds more than identifiers")
    return _TEMPLATE.sub(lambda m: str(identifiers[m.group(1)]), template)


def bind(sql: str, params: dict) -> dict:
    """The subset of params that a statement names (DuckDB refuses unused named parameters)."""
    names = set(_PARAM.findall(sql))
    missing = names - params.keys()
    if missing:
        raise KeyError(f"SQL needs parameters {sorted(missing)}")
    return {k: params[k] for k in names}


def run_script(cur: duckdb.DuckDBPyConnection, name: str, params: dict | None = None,
               **identifiers: str) -> None:
    """Run every statement of queries/<name>.sql on one cursor, binding the params each names."""
    sql = load_sql(name)
    if identifiers:
        sql = render(sql, **identifiers)
    for statement in split_statements(sql):
        cur.execute(statement, bind(statement, params or {}))

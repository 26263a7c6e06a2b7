"""The `leadbridge` command line: import exports, list rejects and data quality, report, meeting
deck, make sample data, check the access file, read the access log."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from leadbridge.serve import DEFAULT_ADDRESS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
# A terminal shows the first rejects of a file; the rest go to `leadbridge rejects --out`.
MAX_REJECTS_SHOWN = 20


def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="FILE",
                        help="database file (default: $LEADBRIDGE_DB or data/leadbridge.duckdb)")


def _period_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="from_month", required=True, metavar="YYYY-MM")
    parser.add_argument("--to", dest="to_month", required=True, metavar="YYYY-MM")
    parser.add_argument("--branch", action="append", default=[], metavar="B",
                        help="only this branch (repeat for several)")
    parser.add_argument("--lead-type", action="append", default=[], metavar="T",
                        help="only this lead type, e.g. upgrade (repeat for several)")
    parser.add_argument("--tech", action="append", default=[], metavar="ID",
                        help="only this tech id (repeat for several)")


class CommandError(Exception):
    """A command refused with an exit code and the reason (printed by main)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code


def _access_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--access", metavar="FILE",
                        help="the access file (default: $LEADBRIDGE_ACCESS, else access.toml "
                        "beside the database)")


def access_options(parser: argparse.ArgumentParser) -> None:
    """--as EMAIL and --access FILE: run a command as one person of the access file (ACCESS.md).
    Every command that reads data for people (report, deck, simulate, audit) takes them; read
    them with `person_from_args`."""
    parser.add_argument("--as", dest="as_email", metavar="EMAIL",
                        help="run as this person of the access file: their branches only, and "
                        "per-person money only if their role has it (default: the "
                        "administrator, everything)")
    _access_file_option(parser)


def person_from_args(args, command: str):
    """The access.Person that --as names, or None (the administrator) without --as.

    CommandError (exit 2) with the reason for a refused access file, an email not in it, or a
    --branch outside the person's scope (naming them)."""
    from leadbridge import access

    if not args.as_email:
        if args.access:
            raise CommandError(EXIT_USAGE, f"leadbridge {command}: --access is the file --as "
                               "EMAIL is looked up in: give --as too")
        return None
    path = access.access_path(args.db, args.access)
    try:
        person = access.load(path).person(args.as_email)
        person.check_branches(getattr(args, "branch", ()) or ())
    except (access.AccessFileError, access.AccessDenied) as exc:
        raise CommandError(EXIT_USAGE, f"leadbridge {command}: {exc}") from exc
    return person


def who(person) -> str:
    """Who the access log names: the --as person's email, else the command line's OS user."""
    if person is not None:
        return person.email
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"{user} (command line)"


def log(args, person, action: str, what: str, filters: dict | None = None) -> None:
    """Write one event of this command to the access log in the database's folder."""
    from leadbridge import access, db

    access.log_event(db.data_dir(args.db), who(person), action, what, filters)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadbridge",
        description="LeadBridge: what technician-generated sales leads bring, from your exports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    imp = sub.add_parser("import", help="import export files or folders into the database",
                         description="Import files (CSV, Excel, Parquet) or folders (their files in "
                         "name order). Exit 0 when every file was imported (rejected rows allowed), 1 "
                         "when a file was refused or --strict met a rejected row.")
    imp.add_argument("paths", nargs="+", metavar="PATH")
    _db_option(imp)
    imp.add_argument("--table", choices=["techs", "leads", "outcomes", "payouts", "jobs", "attendance"],
                     help="the table the files hold, when their names and headers do not tell")
    imp.add_argument("--date-order", choices=["MDY", "DMY", "YMD"],
                     help="order of slashed dates like 03/04/2026 when the file cannot tell")
    separator = imp.add_mutually_exclusive_group()
    separator.add_argument("--decimal-comma", dest="decimal_comma", action="store_true",
                           default=None, help="amounts use a decimal comma (1.234,50)")
    separator.add_argument("--decimal-point", dest="decimal_comma", action="store_false",
                           help="amounts use a decimal point (1,234.50)")
    imp.add_argument("--map", dest="map_columns", action="append", default=[], metavar="'HEADER=column'",
                     help="read the file's column HEADER as a LeadBridge column, e.g. 'Worker ID=tech_id' "
                     "(repeat for several; saved for files with the same headers)")
    imp.add_argument("--status", dest="map_statuses", action="append", default=[], metavar="'WORD=state'",
                     help="read a stage word as one of open, contacted, qualified, quoted, won, lost, "
                     "e.g. 'Value Proposition=qualified' (repeatable; saved for the same headers)")
    imp.add_argument("--lead-type", dest="map_lead_types", action="append", default=[],
                     metavar="'WORD=type'", help="read a lead-type word as one of our lead types, e.g. "
                     "'Upsell=upgrade' (repeatable; saved for the same headers)")
    imp.add_argument("--strict", action="store_true", help="exit 1 when any row was rejected")
    imp.add_argument("--dry-run", action="store_true", help="show what would happen; change nothing")
    imp.add_argument("--format", choices=["text", "json"], default="text",
                     help="text: one line per file; json: one JSON object per file")

    rej = sub.add_parser("rejects", help="write rejected rows to a CSV file")
    _db_option(rej)
    rej.add_argument("--import", dest="import_id", type=int, metavar="ID",
                     help="only this import's rejects (see `leadbridge history`)")
    rej.add_argument("--out", required=True, metavar="FILE.csv")

    maps = sub.add_parser("mappings", help="list or remove saved column and word mappings",
                          description="Mappings saved by `leadbridge import --map/--status/--lead-type` "
                          "or the Data page's mapping step, one per header list (its signature).")
    _db_option(maps)
    maps.add_argument("action", nargs="?", choices=["list", "remove"], default="list")
    maps.add_argument("mapping_id", nargs="?", metavar="ID", help="the mapping to remove")
    maps.add_argument("--format", choices=["text", "json"], default="text")

    his = sub.add_parser("history", help="list past imports with their counts")
    _db_option(his)

    qua = sub.add_parser("quality", help="print the data-quality report")
    _db_option(qua)

    rep = sub.add_parser("report", help="print every metric for a period and filters",
                         description="Every number of the glossary (docs/metrics.md) for whole "
                         "months FROM..TO, as JSON for machines or CSV/markdown tables for people.")
    rep.add_argument("--from", dest="from_month", required=True, metavar="YYYY-MM")
    rep.add_argument("--to", dest="to_month", required=True, metavar="YYYY-MM")
    rep.add_argument("--branch", action="append", default=[], metavar="B",
                     help="only this branch (repeat for several)")
    rep.add_argument("--lead-type", action="append", default=[], metavar="T",
                     help="only this lead type, e.g. upgrade (repeat for several)")
    rep.add_argument("--tech", action="append", default=[], metavar="ID",
                     help="only this tech id (repeat for several)")
    _db_option(rep)
    access_options(rep)
    rep.add_argument("--format", choices=["json", "csv", "md"], default="json")

    deck = sub.add_parser("deck", help="write the monthly meeting's PowerPoint deck",
                          description="The Meeting page's slides for one month as a 16:9 "
                          "PowerPoint deck with native charts and tables. Per-person money "
                          "(rewards, revenue per tech) is left out unless --no-privacy.")
    deck.add_argument("--month", required=True, metavar="YYYY-MM")
    deck.add_argument("--branch", action="append", default=[], metavar="B",
                      help="only this branch (repeat for several)")
    deck.add_argument("--out", metavar="FILE.pptx",
                      help="where to write the deck (default: leadbridge-meeting-<month>-"
                      "<branches>.pptx in the current folder)")
    _db_option(deck)
    access_options(deck)
    deck.add_argument("--no-privacy", dest="privacy", action="store_false",
                      help="include per-person money: rewards paid and revenue per tech (never "
                      "for a person of the access file without per-person money)")

    acc = sub.add_parser("access", help="check the access file: who may see what",
                         description="Read and validate the access file (ACCESS.md) and print "
                         "each person's role, branches, pages, per-person money and imports. "
                         "Exit 2 with the line and the reason when the file is refused.")
    acc_sub = acc.add_subparsers(dest="access_command", required=True, metavar="ACTION")
    check = acc_sub.add_parser("check", help="validate the access file and print who may see what")
    _db_option(check)
    _access_file_option(check)
    check.add_argument("--format", choices=["table", "json"], default="table")

    lg = sub.add_parser("log", help="print the access log (sign-ins, imports, downloads, decks)",
                        description="The access log of the database's folder, newest first: who, "
                        "when, what and with which filters.")
    _db_option(lg)
    lg.add_argument("--limit", type=int, metavar="N", help="only the newest N events")
    lg.add_argument("--format", choices=["table", "json"], default="table",
                    help="table for people; json: one JSON object per line")

    lea = sub.add_parser("lead", help="print one lead's story: submitted, statuses, contact, "
                         "close, rewards", description="Print a lead's timeline: when it was "
                         "submitted, each status the CRM exports gave it (with the file), first "
                         "contact, close and the rewards paid for it. Exit 1 when the lead is "
                         "unknown.")
    lea.add_argument("lead_id", metavar="LEAD_ID")
    _db_option(lea)
    for name, text in (
        ("simulate", "What a reward policy would have cost in a period, set beside what was "
         "paid (REWARD_POLICY.md, docs/rewards.md)."),
        ("audit", "Was each lead submitted in the period paid what it earned under the policy? "
         "Judged by everything paid up to the latest date in the data."),
    ):
        cmd = sub.add_parser(name, help=text.split(" (")[0].split("?")[0].lower(), description=text)
        cmd.add_argument("--policy", metavar="FILE",
                         help="the policy file (TOML); default: the policy in force "
                         "(see `leadbridge policies`)")
        _period_options(cmd)
        _db_option(cmd)
        cmd.add_argument("--format", choices=["json", "csv", "md"], default="json")
        access_options(cmd)
        if name == "audit":
            cmd.add_argument("--grace-days", type=int, default=45, metavar="N",
                             help="days payroll has after an event before its reward is due "
                             "(default 45)")
            cmd.add_argument("--out", metavar="FILE.csv",
                             help="also write the correction list payroll acts on (tech, lead, "
                             "pay or recover, amount, why)")

    pol = sub.add_parser("policies", help="list, add, put in force or remove reward policies",
                         description="Reward policies kept beside the database (its folder's "
                         "policies/): one TOML file each and the one in force.")
    _db_option(pol)
    pol_sub = pol.add_subparsers(dest="action", metavar="ACTION")
    pol_sub.add_parser("list", help="the kept policies (the default)")
    pol_add = pol_sub.add_parser("add", help="check a policy file and keep it")
    pol_add.add_argument("file", metavar="FILE.toml")
    pol_add.add_argument("--replace", action="store_true", help="replace a policy of the same name")
    pol_use = pol_sub.add_parser("use", help="put a kept policy in force from a day on")
    pol_use.add_argument("name", metavar="NAME")
    pol_use.add_argument("--from", dest="since", required=True, metavar="YYYY-MM-DD")
    pol_rm = pol_sub.add_parser("remove", help="forget a kept policy")
    pol_rm.add_argument("name", metavar="NAME")

    dash = sub.add_parser("dashboard", help="open the dashboard in the browser",
                          description="Serve the Streamlit dashboard (what `make run` does). "
                          "With an [auth] section in the secrets file everyone signs in and sees "
                          "what the access file gives them; without it the dashboard serves this "
                          "computer only, as one local exec.")
    _db_option(dash)
    dash.add_argument("--port", type=int, default=8501)
    dash.add_argument("--address", default=DEFAULT_ADDRESS,
                      help="interface to listen on (default: 127.0.0.1, this computer only); "
                      "another address needs sign-in set up, or --no-sign-in")
    dash.add_argument("--access", metavar="FILE",
                      help="the access file: who may see what (default: $LEADBRIDGE_ACCESS or "
                      "access.toml beside the database)")
    dash.add_argument("--secrets", metavar="FILE",
                      help="Streamlit secrets file whose [auth] section sets sign-in up (default: "
                      ".streamlit/secrets.toml here, beside dashboard.py or in your home folder)")
    dash.add_argument("--no-sign-in", action="store_true",
                      help="serve a non-local address without sign-in: everyone who reaches the "
                      "port sees everything, as an exec")
    dash.add_argument("--headless", action="store_true", help="do not open a browser tab")

    wat = sub.add_parser("watch", help="import export files as they land in a folder",
                         description="Watch a drop folder: each export file is imported once it "
                         "has stopped growing, then moved to DIR/imported/ or DIR/failed/ with a "
                         "JSON summary beside it. Content imported before (same SHA-256) is not "
                         "imported again. Imports wait their turn with any other import.")
    wat.add_argument("folder", metavar="DIR")
    _db_option(wat)
    wat.add_argument("--settle", type=float, default=5.0, metavar="SECONDS",
                     help="how long a file's size and time must not change (default 5)")
    wat.add_argument("--interval", type=float, default=2.0, metavar="SECONDS",
                     help="how often to look at the folder (default 2)")
    wat.add_argument("--once", action="store_true",
                     help="import what is there, then exit (for cron or a systemd timer)")

    sam = sub.add_parser("sample", help="write a synthetic company's exports")
    sam.add_argument("--out", required=True, metavar="DIR")
    sam.add_argument("--techs", type=int, default=40)
    sam.add_argument("--months", type=int, default=24)
    sam.add_argument("--seed", type=int, default=None, help="random seed (default 7, as sample_data/)")
    sam.add_argument("--end-month", default="2026-10", metavar="YYYY-MM")
    sam.add_argument("--clean", action="store_true", help="no planned bad rows")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {
        "import": cmd_import,
        "rejects": cmd_rejects,
        "history": cmd_history,
        "quality": cmd_quality,
        "sample": cmd_sample,
        "report": cmd_report,
        "deck": cmd_deck,
        "lead": cmd_lead,
        "dashboard": cmd_dashboard,
        "simulate": cmd_rewards,
        "audit": cmd_rewards,
        "policies": cmd_policies,
        "watch": cmd_watch,
        "access": cmd_access,
        "log": cmd_log,
        "mappings": cmd_mappings,
    }[args.command]
    from leadbridge.db import DatabaseError

    try:
        return handler(args)
    except CommandError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    except DatabaseError as exc:
        print(f"leadbridge: {exc}", file=sys.stderr)
        return EXIT_FAILED


def cmd_import(args) -> int:
    from leadbridge import db, importer, mappings, store

    try:
        given = {"map_columns": mappings.parse_pairs(args.map_columns, "map"),
                 "map_statuses": mappings.parse_pairs(args.map_statuses, "status"),
                 "map_lead_types": mappings.parse_pairs(args.map_lead_types, "lead-type")}
    except mappings.MappingError as exc:
        print(f"leadbridge import: {exc}", file=sys.stderr)
        return EXIT_USAGE
    files = importer.expand_paths(args.paths)
    if not files:
        print("leadbridge import: no importable files (.csv, .txt, .tsv, .xlsx, .xls, .parquet) "
              f"in {' '.join(args.paths)}", file=sys.stderr)
        return EXIT_FAILED
    what = ", ".join(f.name for f in files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    # One import at a time: this waits its turn, then publishes for the dashboards when done.
    with db.writer(args.db, what=what, who=f"leadbridge import ({store.default_who()})",
                   on_wait=lambda message: print(f"leadbridge import: {message}…", file=sys.stderr,
                                                 flush=True),
                   publish=not args.dry_run) as con:
        failed = _import_files(con, files, args, given)
    return EXIT_FAILED if failed else EXIT_OK


def _import_files(con, files, args, given: dict) -> bool:
    from leadbridge import contract, importer

    failed = False
    imported = []
    seen_headers: set[str] = set()
    for file in files:
        # One --map for a folder maps the files that have the column and leaves the others be.
        result = importer.import_file(con, file, table=args.table, date_order=args.date_order,
                                      decimal_comma=args.decimal_comma, dry_run=args.dry_run,
                                      refresh=False, save_mapping=True,
                                      map_only_present=len(files) > 1, **given)
        failed |= not result.ok or (args.strict and result.rejected > 0)
        seen_headers.update(contract.normalize_header(h) for h in result.headers)
        if result.ok and not args.dry_run:
            imported.append(result)
        if args.format == "json":
            print(json.dumps(result.summary()), flush=True)
            continue
        print(importer.describe(result), flush=True)
        if result.rejected:
            frame = importer.list_rejects(con, result.import_id) if not args.dry_run else None
            if frame is not None:
                for row in frame.head(MAX_REJECTS_SHOWN).itertuples():
                    value = "(empty)" if row.value is None or row.value != row.value else repr(row.value)
                    if row.column is None or row.column != row.column:  # the row's shape, not a value
                        print(f"  rejected row {row.row}: {row.reason}")
                    else:
                        print(f"  rejected row {row.row}: {row.column} = {value}: {row.reason}")
                if len(frame) > MAX_REJECTS_SHOWN:
                    print(f"  ... and {len(frame) - MAX_REJECTS_SHOWN} more: leadbridge rejects "
                          f"--import {result.import_id} --out rejects.csv")
                words = importer.rejected_status_words(con, result.import_id)
                if words:
                    print(status_hint(words))
        if result.skipped and not args.dry_run:
            frame = importer.list_skipped(con, result.import_id)
            for row in frame.head(MAX_REJECTS_SHOWN).itertuples():
                print(f"  skipped row {row.row}: {row.reason}")
            if len(frame) > MAX_REJECTS_SHOWN:
                print(f"  ... and {len(frame) - MAX_REJECTS_SHOWN} more skipped rows")
        if result.superseded and not args.dry_run:
            frame = importer.list_superseded(con, result.import_id)
            for row in frame.head(MAX_REJECTS_SHOWN).itertuples():
                print(f"  superseded row {row.row} ({row.key}): replaced by row {row.replaced_by_row}")
            if len(frame) > MAX_REJECTS_SHOWN:
                print(f"  ... and {len(frame) - MAX_REJECTS_SHOWN} more superseded rows")
    unused = [h for h in given["map_columns"] if contract.normalize_header(h) not in seen_headers]
    if unused:
        print(f"leadbridge import: no file has the column(s) {', '.join(repr(h) for h in unused)} "
              "given with --map: check the spelling", file=sys.stderr)
        failed = True
    if not args.dry_run:
        for result in imported:
            log(args, None, "import", Path(result.file).name,
                {"table": result.table, "read": result.read, "rejected": result.rejected})
    return failed


def status_hint(words: list[tuple[str, int]]) -> str:
    """How to import the rows a CRM's own stage words got rejected for: each word mapped to one
    of the six states with --status, the file imported again (the mapping is saved)."""
    from leadbridge import contract

    rows = sum(count for _, count in words)
    shown = ", ".join(repr(word) for word, _ in words[:5]) + (" …" if len(words) > 5 else "")
    first = words[0][0] if words[0][0].isprintable() else "WORD"  # never a terminal's control
    return (f"  {rows:,} row{'s' if rows != 1 else ''} with a status word LeadBridge does not know "
            f"({shown}): tell it which state each is, one of {', '.join(contract.STATUSES)}, "
            f"e.g. --status {shlex.quote(first + '=open')}, and import the file again (the "
            "mapping is saved for files with these headers).")


def cmd_mappings(args) -> int:
    from leadbridge import db, mappings

    folder = db.data_dir(args.db)
    try:
        if args.action == "remove":
            if not args.mapping_id:
                print("leadbridge mappings remove: give the ID of the mapping (see `leadbridge mappings`)",
                      file=sys.stderr)
                return EXIT_USAGE
            gone = mappings.remove(folder, args.mapping_id)
            print(f"removed mapping {gone.id} ({gone.table or 'any table'}: "
                  f"{len(gone.headers)} headers)")
            return EXIT_OK
        saved = list(mappings.load_all(folder).values())
    except mappings.MappingError as exc:
        print(f"leadbridge mappings: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.format == "json":
        print(json.dumps([m.to_dict() for m in saved], indent=2))
        return EXIT_OK
    if not saved:
        print("No saved mappings. Save one with `leadbridge import FILE --map 'HEADER=column'` or "
              "on the Data page.")
    for m in saved:
        print(f"{m.id}  {m.table or 'any table'}  saved {m.saved_at}  headers: {', '.join(m.headers)}")
        for header, column in m.columns.items():
            print(f"    column {header!r} -> {column}")
        for word, state in m.statuses.items():
            print(f"    status {word!r} -> {state}")
        for word, lead_type in m.lead_types.items():
            print(f"    lead type {word!r} -> {lead_type}")
    return EXIT_OK


def cmd_rejects(args) -> int:
    from leadbridge import db, importer

    con = db.reader(args.db)
    count = importer.write_rejects_csv(con, args.out, args.import_id)
    print(f"{count} rejected value(s) written to {args.out}")
    return EXIT_OK


def cmd_history(args) -> int:
    from leadbridge import db, importer

    frame = importer.import_history(db.reader(args.db))
    print(frame.drop(columns=["sha256"]).to_string(index=False) if len(frame) else "No imports yet.")
    return EXIT_OK


def cmd_quality(args) -> int:
    from leadbridge import db, quality

    print(quality.format_report(quality.quality_report(db.reader(args.db))))
    return EXIT_OK


def cmd_report(args) -> int:
    from leadbridge import contract, db, report
    from leadbridge.metrics import Filters

    unknown = [t for t in args.lead_type if t not in contract.LEAD_TYPES]
    if unknown:
        print(f"leadbridge report: unknown lead type(s) {', '.join(unknown)}; use "
              f"{', '.join(contract.LEAD_TYPES)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        filters = Filters.months(args.from_month, args.to_month, args.branch, args.lead_type,
                                 args.tech)
    except ValueError as exc:
        print(f"leadbridge report: {exc}", file=sys.stderr)
        return EXIT_USAGE
    person = person_from_args(args, "report")
    data = report.build(db.reader(args.db), filters, person)
    render = {"json": report.to_json, "csv": report.to_csv, "md": report.to_markdown}[args.format]
    print(render(data))
    log(args, person, "report", f"report {filters.from_month}..{filters.to_month} ({args.format})",
        _logged_filters(filters, person))
    return EXIT_OK


def _logged_filters(filters, person) -> dict:
    """The filters an event names in the access log (empty lists left out)."""
    found = {"from": filters.from_month, "to": filters.to_month, "branch": list(filters.branches),
             "lead_type": list(filters.lead_types), "tech": list(filters.techs)}
    if person is not None:
        found["scope"] = "all" if person.scope is None else list(person.scope)
    return {k: v for k, v in found.items() if v}


def _filters(args, command: str):
    """The period and filters of a command, or an error message for the person."""
    from leadbridge import contract
    from leadbridge.metrics import Filters

    unknown = [t for t in args.lead_type if t not in contract.LEAD_TYPES]
    if unknown:
        raise ValueError(f"unknown lead type(s) {', '.join(unknown)}; use "
                         f"{', '.join(contract.LEAD_TYPES)}")
    return Filters.months(args.from_month, args.to_month, args.branch, args.lead_type, args.tech)


def cmd_rewards(args) -> int:
    from leadbridge import db, policy, rewards

    try:
        filters = _filters(args, args.command)
        if args.command == "audit" and args.grace_days < 0:
            raise ValueError(f"--grace-days must be 0 or more, got {args.grace_days}")
    except ValueError as exc:
        print(f"leadbridge {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.policy:
            chosen = policy.load(args.policy)
        else:
            current = policy.in_force(args.db)
            if current is None:
                raise policy.PolicyError("no --policy given and no policy in force: pass "
                                         "--policy FILE or run `leadbridge policies add FILE` "
                                         "and `leadbridge policies use NAME --from DAY`")
            chosen = current[1]
    except policy.PolicyError as exc:
        print(f"leadbridge {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    person = person_from_args(args, args.command)
    if person is not None:
        filters = filters.for_person(person)
        if args.command == "audit" and args.out and not person.money:
            print(f"leadbridge audit: --out writes what each tech is owed, and {person.email}'s "
                  "role does not see per-person money", file=sys.stderr)
            return EXIT_USAGE
    con = db.connect(args.db)
    if args.command == "simulate":
        data = rewards.simulate(con, chosen, filters)
    else:
        data = rewards.audit(con, chosen, filters, args.grace_days)
        if args.out:
            frame = rewards.corrections(con, chosen, filters, args.grace_days)
            Path(args.out).write_text(rewards.corrections_csv(frame), encoding="utf-8")
            print(f"{len(frame):,} correction(s) written to {args.out}", file=sys.stderr)
    log(args, person, args.command, f"{args.command} {chosen.name} {filters.from_month}.."
        f"{filters.to_month} ({args.format})", _logged_filters(filters, person))
    render = {"json": rewards.to_json, "csv": rewards.to_csv, "md": rewards.to_markdown}
    print(render[args.format](data))
    return EXIT_OK


def cmd_policies(args) -> int:
    from datetime import date

    from leadbridge import policy

    try:
        if args.action == "add":
            file = Path(args.file)
            text = file.read_text(encoding="utf-8") if file.exists() else None
            if text is None:
                raise policy.PolicyError(f"{file}: no such file")
            key = policy.add(text, args.db, source=str(file), replace=args.replace)
            print(f"kept policy {key}: {policy.explain(policy.get(key, args.db))}")
        elif args.action == "use":
            try:
                since = date.fromisoformat(args.since)
            except ValueError:
                raise policy.PolicyError(f"--from {args.since!r} is not a day: use YYYY-MM-DD") from None
            policy.use(args.name, since, args.db)
            print(f"{policy.slug(args.name)} is in force from {since.isoformat()}")
        elif args.action == "remove":
            policy.remove(args.name, args.db)
            print(f"removed policy {policy.slug(args.name)}")
        else:
            kept = policy.saved(args.db)
            if not kept:
                print("No policy kept yet: leadbridge policies add FILE.toml")
            for item in kept:
                mark = f"in force since {item['since']}" if item["in_force"] else "not in force"
                print(f"{item['key']}: {item['name']} ({mark}): {item['explained']}")
    except policy.PolicyError as exc:
        print(f"leadbridge policies: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_deck(args) -> int:
    from leadbridge import db, deck, meeting, metrics

    try:
        metrics.parse_month(args.month)
    except ValueError as exc:
        print(f"leadbridge deck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    person = person_from_args(args, "deck")
    con = db.reader(args.db)
    scope = None if person is None else person.scope
    known = set(metrics.run(con, "filter_choices", scope=scope).query("kind == 'branch'")["value"])
    unknown = sorted(set(args.branch) - known)
    if unknown:
        print(f"leadbridge deck: unknown branch(es) {', '.join(unknown)}; the data has "
              f"{', '.join(sorted(known)) or 'no branch yet'}", file=sys.stderr)
        return EXIT_USAGE
    if person is not None and not person.money and not args.privacy:
        print(f"leadbridge deck: privacy stays on: {person.email} ({person.role}) sees no "
              "per-person money", file=sys.stderr)
    content = meeting.build(con, args.month, args.branch, privacy=args.privacy, person=person)
    shown = content.filters.branches or content.filters.scope or ()
    out = Path(args.out or deck.file_name(args.month, shown))
    data = deck.build(content)
    out.write_bytes(data)
    count = len(meeting.slides(content)) + 1
    print(f"{out}: {count} slides for {content.month_label} · {content.scope}"
          f"{'' if content.privacy else ' (with per-person money)'}")
    event = {"month": args.month, "branch": list(args.branch), "privacy": content.privacy}
    if scope is not None:
        event["scope"] = list(scope)
    log(args, person, "deck", out.name, {k: v for k, v in event.items() if v != []})
    return EXIT_OK


def cmd_access(args) -> int:
    from leadbridge import access

    path = access.access_path(args.db, args.access)
    try:
        people = access.load(path)
    except access.AccessFileError as exc:
        print(f"leadbridge access check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    rows = access.describe(people)
    if args.format == "json":
        print(json.dumps({"file": str(path), "people": rows}, indent=2))
        return EXIT_OK
    import pandas as pd

    print(f"{path}: {len(rows)} {'person' if len(rows) == 1 else 'people'}")
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False))
    return EXIT_OK


def cmd_log(args) -> int:
    from leadbridge import access, db

    if args.limit is not None and args.limit < 1:
        print("leadbridge log: --limit must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    frame = access.read_log(db.data_dir(args.db), args.limit)
    if args.format == "json":
        for row in frame.to_dict("records"):
            row["filters"] = json.loads(row["filters"]) if row["filters"] else {}
            print(json.dumps(row, ensure_ascii=False))
        return EXIT_OK
    print(frame.to_string(index=False) if len(frame) else "No events in the access log yet.")
    return EXIT_OK


def cmd_lead(args) -> int:
    from leadbridge import db, timeline

    frame = timeline.lead_timeline(db.connect(args.db), args.lead_id)
    if frame.empty:
        print(f"leadbridge lead: no lead {args.lead_id!r} in the database; lead IDs are as the "
              "leads file writes them (see the Technicians page's lead list)", file=sys.stderr)
        return EXIT_FAILED
    print(f"Lead {args.lead_id}")
    print("\n".join(timeline.lines(frame)))
    return EXIT_OK


def cmd_dashboard(args) -> int:
    import os

    from leadbridge import db, serve

    if args.secrets and not Path(args.secrets).is_file():
        print(f"leadbridge dashboard: no secrets file at {args.secrets}", file=sys.stderr)
        return EXIT_USAGE
    try:
        auth = serve.auth_section(serve.secrets_files(args.secrets))
    except serve.SecretsError as exc:
        print(f"leadbridge dashboard: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if auth is None and not serve.is_local(args.address):
        if not args.no_sign_in:
            print(NO_SIGN_IN_REFUSAL.format(address=args.address), file=sys.stderr)
            return EXIT_USAGE
        print(f"leadbridge dashboard: WARNING: serving {args.address} without sign-in "
              "(--no-sign-in): everyone who reaches this port sees every branch and every "
              "person's money and may import files, as an exec.", file=sys.stderr)
        os.environ[serve.NO_SIGN_IN_ENV] = "1"
    if args.db:
        os.environ["LEADBRIDGE_DB"] = str(db.db_path(args.db))
    if args.access:
        os.environ["LEADBRIDGE_ACCESS"] = str(Path(args.access).resolve())
    options = ["--server.port", str(args.port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", *serve.hardened_options(),
               "--server.address", args.address]
    if args.secrets:
        options += ["--secrets.files", str(Path(args.secrets).resolve())]
    if args.headless:
        options += ["--server.headless", "true"]
    return serve.run(options)


NO_SIGN_IN_REFUSAL = """\
leadbridge dashboard: refusing to serve {address} without sign-in: everyone who reaches the port
would see every branch and every person's money, and could import files.
Set sign-in up: put an [auth] section (redirect_uri, cookie_secret, client_id, client_secret,
server_metadata_url of your OpenID Connect provider: Microsoft Entra ID, Google, Okta, ...) in
.streamlit/secrets.toml or a file given with --secrets, and list who may see what in the access
file (README: "Run it for your company"). Or serve this computer only (--address 127.0.0.1), or
pass --no-sign-in to serve the network without sign-in anyway."""


def cmd_watch(args) -> int:
    from leadbridge import watch

    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"leadbridge watch: {folder} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    watcher = watch.Watcher(folder, args.db, settle=args.settle,
                            log=lambda message: print(message, flush=True))
    try:
        watcher.run(interval=args.interval, once=args.once)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def cmd_sample(args) -> int:
    from leadbridge import sample

    seed = sample.DEFAULT_SEED if args.seed is None else args.seed
    try:
        written = sample.generate(Path(args.out), techs=args.techs, months=args.months, seed=seed,
                                  end_month=args.end_month, bad_rows=not args.clean)
    except ValueError as exc:
        print(f"leadbridge sample: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for table, path in written.items():
        print(f"{table}: {path}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

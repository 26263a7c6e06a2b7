"""Who is asking: the access file (/work/shared/ACCESS.md), the person it gives, and the access log.

No Streamlit here: the dashboard (leadbridge/ui_*.py) and the command line both use this module.
A Person travels with the filters into every engine call (Filters.scope = person.scope); queries
apply the scope themselves and metrics.run drops per-person money for a person without it.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

ROLES = ("exec", "manager", "facilitator", "viewer")

# The dashboard's pages, by their pages/<key>.py file stem.
ALL_PAGES = frozenset({"overview", "technicians", "conversion", "lead_quality", "revenue_rewards",
                       "rewards", "meeting", "follow_up", "data"})
# Pages each role may open. `data` (imports, rejects, data quality) is further limited to people
# who may import: see Person.may_see_page.
PAGES: dict[str, frozenset[str]] = {
    "exec": ALL_PAGES,
    "manager": ALL_PAGES,
    "facilitator": frozenset({"overview", "meeting", "follow_up", "data"}),
    "viewer": frozenset({"overview", "technicians", "conversion", "revenue_rewards"}),
}
# Roles that see per-person money (a tech's rewards, revenue credited to one tech or rep).
MONEY_ROLES = frozenset({"exec", "manager"})

ACCESS_ENV = "LEADBRIDGE_ACCESS"
ACCESS_FILE = "access.toml"
LOG_FILE = "access.log"
LOG_COLUMNS = ("at", "who", "action", "what", "filters")

_PERSON_KEYS = ("email", "name", "role", "branches", "can_import")


class AccessDenied(Exception):
    """The person asking may not see this (a branch outside their scope, a page of another role)."""


class NotInAccessFile(AccessDenied):
    """The email is not in the access file."""


class AccessFileError(Exception):
    """The access file is refused whole: the line and the reason."""

    def __init__(self, path, line: int | None, reason: str):
        self.path = Path(path)
        self.line = line
        self.reason = reason
        where = f"{self.path.name} line {line}" if line else self.path.name
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Person:
    """One person of the access file (or the laptop's local user)."""

    email: str
    name: str
    role: str
    branches: tuple[str, ...] | None  # None = every branch (an exec)
    can_import: bool

    @property
    def money(self) -> bool:
        """Whether per-person money (per-tech and per-rep revenue, rewards, payouts) is shown."""
        return self.role in MONEY_ROLES

    @property
    def scope(self) -> tuple[str, ...] | None:
        """The branches this person may see, None for every branch: Filters.scope."""
        return self.branches

    @property
    def label(self) -> str:
        return self.name or self.email

    def may_see_page(self, page: str) -> bool:
        """Whether the role may open pages/<page>.py; the Data page needs the right to import."""
        if page == "data" and not self.can_import:
            return False
        return page in PAGES.get(self.role, frozenset())

    def may_see_branch(self, branch: str) -> bool:
        return self.branches is None or branch in self.branches

    def check_branches(self, branches) -> None:
        """Raise AccessDenied naming the branches (a filter, a URL) outside this person's scope."""
        outside = [b for b in dict.fromkeys(branches or ()) if not self.may_see_branch(b)]
        if outside:
            names = ", ".join(outside)
            allowed = ", ".join(self.branches or ()) or "none"
            raise AccessDenied(
                f"{self.email} may not see branch{'es' if len(outside) > 1 else ''} {names}: "
                f"their branches are {allowed}")


# The one local user of a laptop run without [auth] (ACCESS.md: an exec), and the command line
# without --as (the administrator: everything) is the same.
LOCAL_USER = Person(email="local", name="Local user", role="exec", branches=None, can_import=True)


@dataclass
class AccessFile:
    path: Path
    people: dict[str, Person] = field(default_factory=dict)  # by lower-cased email

    def person(self, email: str) -> Person:
        """The person with this email (case-insensitive); NotInAccessFile naming email and file."""
        found = self.people.get((email or "").strip().lower())
        if found is None:
            raise NotInAccessFile(f"{email} is not in the access file {self.path}: ask an "
                                  "executive to add a [[person]] entry for them")
        return found


def access_path(db_path=None, given=None) -> Path:
    """The access file: --access, else $LEADBRIDGE_ACCESS, else access.toml beside the database."""
    if given:
        return Path(given).expanduser().resolve()
    if os.environ.get(ACCESS_ENV):
        return Path(os.environ[ACCESS_ENV]).expanduser().resolve()
    from leadbridge import db

    return db.data_dir(db_path) / ACCESS_FILE


_TABLE_HEADER = re.compile(r"^\s*\[\[\s*person\s*\]\]\s*(?:#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_KEY_LINE = re.compile(r"^\s*(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z0-9_-]+))\s*=")


def _blocks(text: str) -> list[tuple[int, dict[str, int]]]:
    """Each [[person]] header's line and, inside its block, the line of each top-level key."""
    blocks: list[tuple[int, dict[str, int]]] = []
    current: dict[str, int] | None = None
    for number, line in enumerate(text.split("\n"), start=1):  # TOML counts \n only
        if _TABLE_HEADER.match(line):
            current = {}
            blocks.append((number, current))
        elif _ANY_HEADER.match(line):  # another table: not part of a [[person]] block
            current = None
        elif current is not None:
            key = _KEY_LINE.match(line)
            if key:
                current.setdefault(next(g for g in key.groups() if g), number)
    return blocks


def _toml_line(exc: tomllib.TOMLDecodeError) -> int | None:
    found = re.search(r"line (\d+)", str(exc))
    return int(found.group(1)) if found else None


def parse(text: str, path="access.toml") -> AccessFile:
    """Parse and validate an access file's text; AccessFileError with the line on any problem."""
    path = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise AccessFileError(path, _toml_line(exc), f"not valid TOML: {reason}") from exc
    blocks = _blocks(text)
    unknown_top = [k for k in data if k != "person"]
    if unknown_top:
        key = unknown_top[0]
        line = next((n for n, raw in enumerate(text.split("\n"), start=1)
                     if re.match(rf"^\s*\[?\s*\"?{re.escape(key)}\"?\s*[\]=]", raw)), None)
        raise AccessFileError(path, line, f"unknown key {key!r}: the file holds only [[person]] "
                              "entries")
    entries = data.get("person", [])
    if not isinstance(entries, list):
        raise AccessFileError(path, None, "person must be written as [[person]] entries")
    if not entries:
        raise AccessFileError(path, None, "no [[person]] entry: nobody could sign in")
    if len(blocks) != len(entries):  # e.g. person written as an inline array: lines unknown
        blocks = [(None, {})] * len(entries)
    people: dict[str, Person] = {}
    first_line: dict[str, int | None] = {}
    for entry, (start, keys) in zip(entries, blocks, strict=True):
        person = _person(path, entry, start, keys)
        email = person.email.lower()
        if email in people:
            line = keys.get("email", start)
            raise AccessFileError(path, line, f"duplicate email {person.email!r} (first at line "
                                  f"{first_line[email]})")
        people[email] = person
        first_line[email] = keys.get("email", start)
    return AccessFile(path, people)


def _person(path: Path, entry: dict, start: int | None, keys: dict[str, int]) -> Person:
    def fail(key: str | None, reason: str):
        raise AccessFileError(path, keys.get(key, start) if key else start, reason)

    for key in entry:
        if key not in _PERSON_KEYS:
            fail(key, f"unknown key {key!r}: a [[person]] has {', '.join(_PERSON_KEYS)}")
    email = entry.get("email")
    if email is None:
        fail(None, "[[person]] without an email")
    if not isinstance(email, str) or "@" not in email.strip() or email.strip() != email.strip().split()[0]:
        fail("email", f"email must be an address like name@example.com, not {email!r}")
    email = email.strip()
    name = entry.get("name", "")
    if not isinstance(name, str):
        fail("name", f"name must be text, not {name!r}")
    role = entry.get("role")
    if role is None:
        fail(None, f"{email}: no role; use one of {', '.join(ROLES)}")
    if role not in ROLES:
        fail("role", f"unknown role {role!r} for {email}: use one of {', '.join(ROLES)}")
    branches = entry.get("branches")
    if branches is not None:
        if not isinstance(branches, list) or not all(isinstance(b, str) and b.strip()
                                                     for b in branches):
            fail("branches", f"branches must be a list of branch names like [\"Boston\"], "
                 f"not {branches!r}")
        branches = tuple(dict.fromkeys(b.strip() for b in branches))
    if role == "exec":
        if branches is not None:
            fail("branches", f"{email} is an exec and sees every branch: remove branches, or "
                 "make them a manager")
    elif not branches:
        fail("branches" if "branches" in entry else None,
             f"{email} is a {role}: a {role} needs branches = [\"...\"] (the branches they see)")
    can_import = entry.get("can_import", role == "exec")
    if not isinstance(can_import, bool):
        fail("can_import", f"can_import must be true or false, not {can_import!r}")
    if role == "viewer" and can_import:
        fail("can_import", f"{email} is a viewer: viewers never import")
    return Person(email=email, name=name.strip(), role=role, branches=branches,
                  can_import=can_import)


def load(path) -> AccessFile:
    """Read and validate the access file; AccessFileError (line and reason) when it is refused."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from Notepad is not TOML
    except FileNotFoundError as exc:
        raise AccessFileError(path, None, f"no access file at {path}: write one as in "
                              "docs/access.md, or pass --access") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise AccessFileError(path, None, f"cannot read the access file ({exc})") from exc
    return parse(text, path)


def describe(access: AccessFile) -> list[dict]:
    """Who may see what, one dict per person (for `leadbridge access check` and the Data page)."""
    rows = []
    for person in access.people.values():
        rows.append({
            "email": person.email,
            "name": person.name,
            "role": person.role,
            "branches": "all" if person.branches is None else ", ".join(person.branches),
            "pages": ", ".join(p for p in PAGE_ORDER if person.may_see_page(p)),
            "money": "yes" if person.money else "no",
            "imports": "yes" if person.can_import else "no",
        })
    return rows


PAGE_ORDER = ("overview", "technicians", "conversion", "lead_quality", "revenue_rewards", "rewards",
              "meeting", "follow_up", "data")


# ---------------------------------------------------------------------------------------------
# The access log: JSON lines in the database's folder, one append per event.

def log_path(data_dir) -> Path:
    return Path(data_dir) / LOG_FILE


def log_event(data_dir, who: str, action: str, what: str, filters: dict | None = None) -> None:
    """Append one event (sign-in, import, download, deck, report) to data_dir/access.log.

    One write of one line in append mode, so events of several processes never interleave.
    """
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "who": who,
        "action": action,
        "what": what,
        "filters": _plain(filters) if filters else {},
    }
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    path = log_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def _plain(filters: dict) -> dict:
    out = {}
    for key, value in filters.items():
        if isinstance(value, (tuple, set, frozenset)):
            value = list(value)
        out[key] = value
    return out


def filters_text(filters) -> str:
    """An event's filters as a person reads them: 'month: 2026-10 · branches: Boston · privacy:
    yes' (the log keeps them as JSON)."""
    if not isinstance(filters, dict):
        return ""
    parts = []
    for key, value in filters.items():
        if value is None or value == "" or (isinstance(value, (list, tuple)) and not value):
            continue  # a filter not set: every branch, every lead type
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        parts.append(f"{key}: {value}")
    return " · ".join(parts)


def read_log(data_dir, limit: int | None = None, readable: bool = False) -> pd.DataFrame:
    """The access log, newest first (the last `limit` events when given); columns LOG_COLUMNS.
    The filters are JSON, or with `readable` words (filters_text) and the time a timestamp.

    A line that is not a JSON event (a torn write, a hand edit) is skipped, not fatal.
    """
    path = log_path(data_dir)
    records = []
    if path.exists():
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    item = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(item, dict):
                    records.append({k: item.get(k) for k in LOG_COLUMNS})
    records.reverse()
    if limit is not None:
        records = records[:limit]
    frame = pd.DataFrame(records, columns=list(LOG_COLUMNS))
    if readable:
        return frame.assign(at=pd.to_datetime(frame["at"], utc=True, errors="coerce"),
                            filters=frame["filters"].map(filters_text))
    frame["filters"] = frame["filters"].map(
        lambda f: json.dumps(f, ensure_ascii=False) if isinstance(f, dict) and f else "")
    return frame

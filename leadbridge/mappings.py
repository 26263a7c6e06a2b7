"""Saved column and word mappings: what a user told LeadBridge about an export it did not know.

A mapping belongs to a file's *header signature* (a hash of its normalised header list), so it is
applied to the next file with the same headers. It says which header feeds which canonical
column, and which status or lead-type words mean which of our states and types. Mappings are
settings, not imported data: they live in ``mappings.json`` in the database's folder, written
atomically (a temp file, then os.replace), so a read-only copy of the database never needs them
to change.

A mapping never overrides what the contract already recognises: an entry that would (a header the
contract reads as another column, a column a recognised header already feeds, a word the contract
reads as another state) is not applied, and the reason is given.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from leadbridge import contract

FILE_NAME = "mappings.json"
# The first hex digits of the signature name a mapping on the command line and the Data page.
ID_LENGTH = 12


def signature(headers: list[str]) -> str:
    """The file's header signature: SHA-256 of its normalised headers in order."""
    text = "\x1f".join(contract.normalize_header(h or "") for h in headers)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class Mapping:
    """What the user said about the files with one header list."""

    signature: str
    headers: list[str] = field(default_factory=list)
    table: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # header as written -> canonical column
    statuses: dict[str, str] = field(default_factory=dict)  # word as written -> state
    lead_types: dict[str, str] = field(default_factory=dict)  # word as written -> lead type
    saved_at: str | None = None

    @property
    def id(self) -> str:
        return self.signature[:ID_LENGTH]

    @property
    def empty(self) -> bool:
        return not (self.columns or self.statuses or self.lead_types or self.table)

    def to_dict(self) -> dict:
        return {"id": self.id, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict) -> Mapping:
        return cls(signature=data["signature"], headers=list(data.get("headers") or []),
                   table=data.get("table"), columns=dict(data.get("columns") or {}),
                   statuses=dict(data.get("statuses") or {}),
                   lead_types=dict(data.get("lead_types") or {}), saved_at=data.get("saved_at"))

    def merged(self, other: Mapping) -> Mapping:
        """This mapping with the other's entries on top (the other wins where both say something)."""
        return Mapping(self.signature, other.headers or self.headers, other.table or self.table,
                       {**self.columns, **other.columns}, {**self.statuses, **other.statuses},
                       {**self.lead_types, **other.lead_types}, self.saved_at)


class MappingError(ValueError):
    """A mapping given by the user that cannot be read (the message says the fix)."""


# --- the store ------------------------------------------------------------------------------


def store_path(folder: str | os.PathLike) -> Path:
    """The mappings file in a database's folder."""
    return Path(folder) / FILE_NAME


def load_all(folder: str | os.PathLike) -> dict[str, Mapping]:
    """Every saved mapping by signature (none when the file does not exist yet)."""
    path = store_path(folder)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise MappingError(f"{path}: cannot read the saved mappings ({exc}): fix or remove the file") from exc
    return {m["signature"]: Mapping.from_dict(m) for m in data.get("mappings", [])}


def version(folder: str | os.PathLike) -> tuple:
    """Changes whenever the mappings file changes (a cache key for previews)."""
    try:
        info = store_path(folder).stat()
        return (info.st_mtime_ns, info.st_size)
    except FileNotFoundError:
        return (0, 0)


def _write_all(folder: str | os.PathLike, mappings: dict[str, Mapping]) -> None:
    """Write the mappings file atomically: a temp file in the same folder, then os.replace."""
    path = store_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"version": 1, "mappings": [m.to_dict() for m in sorted(
        mappings.values(), key=lambda m: (m.saved_at or "", m.signature))]}
    fd, tmp = tempfile.mkstemp(prefix=".mappings-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def find(folder: str | os.PathLike, headers: list[str]) -> Mapping | None:
    """The saved mapping for a file with these headers, or None."""
    return load_all(folder).get(signature(headers))


def save(folder: str | os.PathLike, mapping: Mapping, *, replace: bool = False) -> Mapping:
    """Save a mapping under its signature: merged into the saved one, or replacing it. An empty
    mapping removes the saved one. Returns what is saved now."""
    saved = load_all(folder)
    old = saved.get(mapping.signature)
    new = mapping if (replace or old is None) else old.merged(mapping)
    new.saved_at = datetime.now().isoformat(timespec="seconds")
    if new.empty:
        saved.pop(mapping.signature, None)
    else:
        saved[mapping.signature] = new
    _write_all(folder, saved)
    return new


def remove(folder: str | os.PathLike, mapping_id: str) -> Mapping:
    """Remove the saved mapping whose id (or signature) starts with mapping_id; return it."""
    saved = load_all(folder)
    key = mapping_id.strip().lower()
    found = [m for sig, m in saved.items() if key and sig.startswith(key)]
    if not found:
        raise MappingError(f"no saved mapping {mapping_id!r}: see `leadbridge mappings` for their ids")
    if len(found) > 1:
        raise MappingError(f"{mapping_id!r} names {len(found)} mappings: give more of its id")
    del saved[found[0].signature]
    _write_all(folder, saved)
    return found[0]


# --- reading what the user typed ------------------------------------------------------------


def parse_pairs(pairs: list[str] | None, what: str) -> dict[str, str]:
    """'Worker ID=tech_id' pairs from the command line into a dict (the last '=' splits)."""
    out: dict[str, str] = {}
    for pair in pairs or []:
        left, sep, right = pair.rpartition("=")
        if not sep or not left.strip() or not right.strip():
            raise MappingError(f"--{what} {pair!r}: write it as 'NAME IN THE FILE=ours', "
                               f"e.g. --{what} '{_EXAMPLES[what]}'")
        out[left.strip()] = right.strip()
    return out


_EXAMPLES = {"map": "Worker ID=tech_id", "status": "Value Proposition=qualified",
             "lead-type": "Upsell=upgrade"}


def from_options(headers: list[str], columns: dict[str, str] | None = None,
                 statuses: dict[str, str] | None = None,
                 lead_types: dict[str, str] | None = None, table: str | None = None,
                 *, only_present: bool = False) -> Mapping:
    """A mapping for files with these headers from what the user gave, checked for typos:
    a header that is not in the file (skipped instead with `only_present`: one --map for a
    folder of different files), a column, state or type we do not have."""
    columns, statuses, lead_types = dict(columns or {}), dict(statuses or {}), dict(lead_types or {})
    known = {contract.normalize_header(h): h for h in headers if h}
    fixed_columns = {}
    for header, column in columns.items():
        actual = known.get(contract.normalize_header(header))
        if actual is None and only_present:
            continue
        if actual is None:
            raise MappingError(f"the file has no column {header!r}: its columns are "
                               f"{', '.join(repr(h) for h in headers if h)}")
        if table and column not in contract.TABLES[table].column_names:
            raise MappingError(f"{column!r} is not a column of {table}: use one of "
                               f"{', '.join(contract.TABLES[table].column_names)}")
        if not any(column in t.column_names for t in contract.TABLES.values()):
            raise MappingError(f"{column!r} is not a LeadBridge column: use one of "
                               f"{', '.join(sorted({c for t in contract.TABLES.values() for c in t.column_names}))}")
        fixed_columns[actual] = column
    for word, state in statuses.items():
        if state not in contract.STATUSES:
            raise MappingError(f"status {word!r}={state!r}: use one of {', '.join(contract.STATUSES)}")
    for word, lead_type in lead_types.items():
        if lead_type not in contract.LEAD_TYPES:
            raise MappingError(f"lead type {word!r}={lead_type!r}: use one of {', '.join(contract.LEAD_TYPES)}")
    return Mapping(signature(headers), list(headers), table, fixed_columns, statuses, lead_types)


# --- applying a mapping ---------------------------------------------------------------------


def detection_headers(headers: list[str], mapping: Mapping | None) -> list[str]:
    """The headers with every mapped one renamed to its column, for telling the table apart."""
    if mapping is None or not mapping.columns:
        return list(headers)
    return [mapping.columns.get(h, h) if h else h for h in headers]


@dataclass
class Applied:
    """A mapping checked against the file and the chosen table: what is used, and what is not."""

    headers: list[str]  # the headers with the usable mapped ones renamed to their column
    columns: dict[str, str] = field(default_factory=dict)  # header -> column, used
    statuses: dict[str, str] = field(default_factory=dict)  # normalised word -> state, used
    lead_types: dict[str, str] = field(default_factory=dict)  # normalised word -> type, used
    warnings: list[str] = field(default_factory=list)


def apply(spec: contract.Table, headers: list[str], mapping: Mapping | None) -> Applied:
    """Check a mapping against the table the file will be imported as; never override the contract."""
    out = Applied(list(headers))
    if mapping is None:
        return out
    recognised, _ = contract.match_headers(spec, headers)
    fed_by = {col: headers[pos] for col, pos in recognised.items()}
    for pos, header in enumerate(headers):
        column = mapping.columns.get(header) if header else None
        if column is None:
            continue
        own, _ = contract.match_headers(spec, [header])
        if own and column not in own:
            out.warnings.append(f"column {header!r} is already read as {next(iter(own))}; "
                                f"the mapping to {column} is not used")
        elif own:
            continue  # the contract already reads it so
        elif column not in spec.column_names:
            out.warnings.append(f"column {header!r} is mapped to {column}, which is not a column "
                                f"of {spec.name}; the mapping is not used")
        elif column in fed_by:
            out.warnings.append(f"{column} is already read from {fed_by[column]!r}; the mapping "
                                f"of {header!r} to it is not used")
        else:
            out.headers[pos] = column
            out.columns[header] = column
            fed_by[column] = header
    if spec.name == "outcomes":
        out.statuses = _words(mapping.statuses, contract.STATUS_WORDS, "status", out.warnings)
    if spec.name == "leads":
        out.lead_types = _words(mapping.lead_types, contract.LEAD_TYPE_WORDS, "lead type",
                                out.warnings)
    return out


def _words(given: dict[str, str], known_words: dict, what: str, warnings: list[str]) -> dict[str, str]:
    keys, values = contract.word_map(known_words)
    known = dict(zip(keys, values, strict=True))
    used: dict[str, str] = {}
    for word, meaning in given.items():
        norm = contract.normalize_word(word)
        if not norm:
            continue
        if norm in known and known[norm] != meaning:
            warnings.append(f"{what} {word!r} already means {known[norm]}; the mapping to "
                            f"{meaning} is not used")
        elif norm not in known:
            used[norm] = meaning
    return used


def describe(applied: Applied) -> str:
    """One line for a person: what a mapping did to an import."""
    bits = [f"{h} -> {c}" for h, c in applied.columns.items()]
    bits += [f"'{w}' -> {s}" for w, s in applied.statuses.items()]
    bits += [f"'{w}' -> {t}" for w, t in applied.lead_types.items()]
    return ", ".join(bits)

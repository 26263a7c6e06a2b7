"""Reward policies (REWARD_POLICY.md): read and check a policy file, explain it in plain words,
write it back as TOML, and keep policies in the database's folder.

A policy is refused whole when any part is wrong, with the key, the line and the fix. Policies
are files, not tables (the dashboard may read a read-only published copy of the database): one
TOML per policy in db.data_dir()/policies/ plus index.json naming the one in force and the day it
took effect, each written to a temp file first, then moved into place.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

from leadbridge import contract

EVENTS = ("submitted", "won")
BASES = ("revenue", "margin")
POLICY_KEYS = ("name", "rule")
RULE_KEYS = ("name", "event", "amount", "percent", "base", "cap", "min_revenue", "lead_types",
             "branches", "from", "to")
MONEY_PLACES = 4  # an amount, cap or minimum may have up to 4 decimals
PERCENT_PLACES = 6


class PolicyError(ValueError):
    """A policy LeadBridge refuses: the message names the file, the key, the line and the fix."""


@dataclass(frozen=True)
class Rule:
    name: str
    event: str
    amount: Decimal = Decimal(0)
    percent: Decimal = Decimal(0)
    base: str = "revenue"
    cap: Decimal | None = None
    min_revenue: Decimal = Decimal(0)
    lead_types: tuple[str, ...] | None = None
    branches: tuple[str, ...] | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    rules: tuple[Rule, ...] = field(default=())

    def params(self) -> list[dict]:
        """The rules as the SQL engine binds them ($rules): a list of structs in file order,
        money and percents as exact whole numbers, open ends as far-off days."""
        return [{
            "rule_index": i,
            "rule_name": r.name,
            "event": r.event,
            # Whole numbers, so that the engine works in 64-bit integers: amounts and caps in
            # 1/10,000 of a dollar, percents in millionths (MONEY_PLACES, PERCENT_PLACES).
            "amount_e4": int(r.amount.scaleb(MONEY_PLACES)),
            "percent_e6": int(r.percent.scaleb(PERCENT_PLACES)),
            "base": r.base,
            "cap_e4": None if r.cap is None else int(r.cap.scaleb(MONEY_PLACES)),
            "min_revenue": str(r.min_revenue),
            "lead_types": list(r.lead_types or []),
            "branches": list(r.branches or []),
            "date_from": (r.start or date(1, 1, 1)).isoformat(),
            "date_to": (r.end or date(9999, 12, 31)).isoformat(),
        } for i, r in enumerate(self.rules, start=1)]


# ---- reading ---------------------------------------------------------------------------------


def _rule_lines(text: str) -> list[int]:
    """The line number of each [[rule]] header, in order."""
    return [i for i, line in enumerate(text.splitlines(), start=1)
            if re.match(r"^\s*\[\[\s*rule\s*\]\]", line)]


def _key_line(text: str, key: str, rule_index: int | None) -> int | None:
    """The line where `key = ...` is written: in the rule_index-th [[rule]] block (0-based), or
    before the first block for a top-level key."""
    lines = text.splitlines()
    headers = _rule_lines(text)
    if rule_index is None:
        lo, hi = 1, (headers[0] - 1 if headers else len(lines))
    elif rule_index < len(headers):
        lo = headers[rule_index] + 1
        hi = headers[rule_index + 1] - 1 if rule_index + 1 < len(headers) else len(lines)
    else:
        return None
    pattern = re.compile(r"^\s*(?:" + re.escape(key) + r"|\"" + re.escape(key) + r"\")\s*=")
    for number in range(lo, hi + 1):
        if pattern.match(lines[number - 1]):
            return number
    return headers[rule_index] if rule_index is not None and rule_index < len(headers) else None


def parse(text: str, source: str = "policy") -> Policy:
    """A Policy from TOML text; PolicyError naming the source, key and line when anything is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{source}: not a TOML file LeadBridge can read ({exc}); see "
                          "docs/rewards.md for an example policy") from exc
    return from_dict(data, source, text)


def load(path: str | os.PathLike) -> Policy:
    """The policy in a TOML file."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{file}: cannot read the policy file ({exc})") from exc
    return parse(text, str(file))


def from_dict(data: dict, source: str = "policy", text: str = "") -> Policy:
    """A Policy from parsed TOML (or the page's table); PolicyError on the first problem."""

    def fail(key: str, reason: str, rule_index: int | None = None) -> PolicyError:
        where = f"rule {rule_index + 1} " if rule_index is not None else ""
        line = _key_line(text, key.split(".")[-1], rule_index) if text else None
        at = f", line {line}" if line else ""
        return PolicyError(f"{source}{at}: {where}key '{key}': {reason}")

    unknown = [k for k in data if k not in POLICY_KEYS]
    if unknown:
        raise fail(unknown[0], f"unknown key; a policy has only {', '.join(POLICY_KEYS)} "
                   "(rules are written as [[rule]] blocks)")
    name = data.get("name", Path(source).stem if source != "policy" else "Unnamed policy")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "must be a text, e.g. name = \"2026 program\"")
    rules_data = data.get("rule")
    if not rules_data:
        raise PolicyError(f"{source}: key 'rule': the policy has no rule; add at least one "
                          "[[rule]] block with an event (submitted or won) and an amount or percent")
    if not isinstance(rules_data, list) or not all(isinstance(r, dict) for r in rules_data):
        raise fail("rule", "must be [[rule]] blocks")
    rules = tuple(_rule(r, i, fail) for i, r in enumerate(rules_data))
    return Policy(name.strip(), rules)


def _number(value, key: str, index: int, fail, places: int) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise fail(key, f"must be a number, got {value!r}", index)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise fail(key, f"must be a number, got {value!r}", index) from None
    if not number.is_finite():
        raise fail(key, f"must be a number, got {value!r}", index)
    if number < 0:
        raise fail(key, f"must not be negative, got {value}", index)
    if number != number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP):
        raise fail(key, f"has more than {places} decimals: {value}", index)
    return number


def _day(value, key: str, index: int, fail) -> date:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise fail(key, f"must be a day written 2026-01-31, got {value!r}", index)


def _names(value, key: str, index: int, fail, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise fail(key, f"must be a list of texts, e.g. {key} = [\"...\"], got {value!r}", index)
    if not value:
        raise fail(key, "is empty; leave the key out to count every one", index)
    names = tuple(v.strip() for v in value)
    if allowed is not None:
        bad = [v for v in names if v not in allowed]
        if bad:
            raise fail(key, f"unknown lead type {bad[0]!r}; use {', '.join(allowed)}", index)
    return names


def _rule(data: dict, index: int, fail) -> Rule:
    unknown = [k for k in data if k not in RULE_KEYS]
    if unknown:
        raise fail(unknown[0], f"unknown key; a rule has only {', '.join(RULE_KEYS)}", index)
    name = data.get("name", f"Rule {index + 1}")
    if not isinstance(name, str) or not name.strip():
        raise fail("name", "must be a text", index)
    if "event" not in data:
        raise fail("event", f"is missing; say when the rule pays: {' or '.join(EVENTS)}", index)
    event = data["event"]
    if event not in EVENTS:
        raise fail("event", f"unknown event {event!r}; use {' or '.join(EVENTS)}", index)
    base = data.get("base", "revenue")
    if base not in BASES:
        raise fail("base", f"unknown base {base!r}; use {' or '.join(BASES)}", index)
    amount = _number(data.get("amount", 0), "amount", index, fail, MONEY_PLACES)
    percent = _number(data.get("percent", 0), "percent", index, fail, PERCENT_PLACES)
    cap = None if data.get("cap") is None else _number(data["cap"], "cap", index, fail,
                                                        MONEY_PLACES)
    min_revenue = _number(data.get("min_revenue", 0), "min_revenue", index, fail, MONEY_PLACES)
    if event == "submitted":
        for key, value in (("percent", percent), ("min_revenue", min_revenue)):
            if value:
                raise fail(key, "applies to won rules only (a submitted lead has no sale yet)",
                           index)
        if "base" in data:
            raise fail("base", "applies to won rules only (a submitted lead has no sale yet)",
                       index)
    lead_types = (None if "lead_types" not in data else
                  _names(data["lead_types"], "lead_types", index, fail, contract.LEAD_TYPES))
    branches = (None if "branches" not in data else
                _names(data["branches"], "branches", index, fail, None))
    start = _day(data["from"], "from", index, fail) if "from" in data else None
    end = _day(data["to"], "to", index, fail) if "to" in data else None
    if start and end and start > end:
        raise fail("from", f"{start} is after to = {end}; the rule would never count", index)
    return Rule(name.strip(), event, amount, percent, base, cap, min_revenue, lead_types,
                branches, start, end)


# ---- writing and explaining --------------------------------------------------------------------


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _toml_number(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def to_toml(policy: Policy) -> str:
    """The policy as a TOML file that parse() reads back to the same policy."""
    out = [f"name = {_toml_string(policy.name)}", ""]
    for r in policy.rules:
        out.append("[[rule]]")
        out.append(f"name = {_toml_string(r.name)}")
        out.append(f"event = {_toml_string(r.event)}")
        out.append(f"amount = {_toml_number(r.amount)}")
        if r.event == "won":
            if r.percent:
                out.append(f"percent = {_toml_number(r.percent)}")
                out.append(f"base = {_toml_string(r.base)}")
            if r.min_revenue:
                out.append(f"min_revenue = {_toml_number(r.min_revenue)}")
        if r.cap is not None:
            out.append(f"cap = {_toml_number(r.cap)}")
        if r.lead_types:
            out.append("lead_types = [" + ", ".join(map(_toml_string, r.lead_types)) + "]")
        if r.branches:
            out.append("branches = [" + ", ".join(map(_toml_string, r.branches)) + "]")
        if r.start:
            out.append(f"from = {r.start.isoformat()}")
        if r.end:
            out.append(f"to = {r.end.isoformat()}")
        out.append("")
    return "\n".join(out)


def money(value: Decimal | float) -> str:
    """$25, $1,234.50: whole dollars without cents."""
    value = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${value:,.0f}" if value == value.to_integral() else f"${value:,.2f}"


def _percent(value: Decimal) -> str:
    return f"{value.normalize():f} %"


def explain_rule(r: Rule) -> str:
    """One rule in plain words: "when won, $100 plus 1 % of the sale, at most $500"."""
    parts = []
    if r.amount:
        parts.append(money(r.amount))
    if r.percent:
        parts.append(f"{_percent(r.percent)} of the {'sale' if r.base == 'revenue' else 'margin'}")
    pay = " plus ".join(parts) or "$0"
    if r.cap is not None:
        pay += f", at most {money(r.cap)}"
    when = "for every lead" if r.event == "submitted" else "when won"
    if r.event == "won" and r.min_revenue:
        when += f" (sales of {money(r.min_revenue)} or more)"
    text = f"{pay} {when}" if r.event == "submitted" else f"{when}, {pay}"
    limits = []
    if r.lead_types:
        labels = [contract.LEAD_TYPE_LABELS.get(t, t).lower() for t in r.lead_types]
        limits.append("only " + ", ".join(labels) + " leads")
    if r.branches:
        limits.append("only in " + ", ".join(r.branches))
    if r.start and r.end:
        limits.append(f"from {r.start:%b %-d, %Y} to {r.end:%b %-d, %Y}")
    elif r.start:
        limits.append(f"from {r.start:%b %-d, %Y}")
    elif r.end:
        limits.append(f"until {r.end:%b %-d, %Y}")
    if limits:
        text += " (" + "; ".join(limits) + ")"
    return text


def explain(policy: Policy) -> str:
    """The whole policy in one sentence: "$25 for every lead; when won, $100 plus 1 % of the sale"."""
    return "; ".join(explain_rule(r) for r in policy.rules)


# ---- keeping policies in the database's folder ---------------------------------------------


def policies_dir(db_file=None) -> Path:
    from leadbridge import db

    return db.data_dir(db_file) / "policies"


def _atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def slug(name: str) -> str:
    """A policy's file name stem: '2026 program' -> '2026-program'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "policy"


def _index(folder: Path) -> dict:
    file = folder / "index.json"
    if not file.exists():
        return {"in_force": None, "since": None, "history": []}
    return json.loads(file.read_text(encoding="utf-8"))


def saved(db_file=None) -> list[dict]:
    """The kept policies: [{key, name, in_force, since, explained}], in name order."""
    folder = policies_dir(db_file)
    index = _index(folder)
    out = []
    for file in sorted(folder.glob("*.toml")):
        try:
            policy = load(file)
        except PolicyError:
            continue
        current = index.get("in_force") == file.stem
        out.append({"key": file.stem, "name": policy.name, "in_force": current,
                    "since": index.get("since") if current else None,
                    "explained": explain(policy)})
    return out


def add(text: str, db_file=None, source: str = "policy", replace: bool = False) -> str:
    """Keep a policy (TOML text, checked first); return its key. An existing policy of the same
    name is replaced only when asked."""
    policy = parse(text, source)
    folder = policies_dir(db_file)
    key = slug(policy.name)
    target = folder / f"{key}.toml"
    if target.exists() and not replace:
        raise PolicyError(f"a policy named {policy.name!r} is already kept; remove it first or "
                          "give the new one another name")
    _atomic_write(target, text)
    return key


def get(key: str, db_file=None) -> Policy:
    file = policies_dir(db_file) / f"{slug(key)}.toml"
    if not file.exists():
        names = ", ".join(p["key"] for p in saved(db_file)) or "none kept yet"
        raise PolicyError(f"no policy {key!r}; kept policies: {names}")
    return load(file)


def text_of(key: str, db_file=None) -> str:
    return (policies_dir(db_file) / f"{slug(key)}.toml").read_text(encoding="utf-8")


def use(key: str, since: date, db_file=None) -> None:
    """Put a kept policy in force from a day on."""
    get(key, db_file)
    folder = policies_dir(db_file)
    index = _index(folder)
    index["history"] = [*index.get("history", []), {"policy": slug(key), "since": since.isoformat()}]
    index["in_force"], index["since"] = slug(key), since.isoformat()
    _atomic_write(folder / "index.json", json.dumps(index, indent=2) + "\n")


def in_force(db_file=None) -> tuple[str, Policy, date] | None:
    """(key, policy, since) of the policy in force, or None when none is set."""
    index = _index(policies_dir(db_file))
    if not index.get("in_force"):
        return None
    return index["in_force"], get(index["in_force"], db_file), date.fromisoformat(index["since"])


def remove(key: str, db_file=None) -> None:
    """Forget a kept policy (the index forgets it too when it was in force)."""
    folder = policies_dir(db_file)
    file = folder / f"{slug(key)}.toml"
    if not file.exists():
        raise PolicyError(f"no policy {key!r} to remove")
    index = _index(folder)
    if index.get("in_force") == slug(key):
        index["in_force"], index["since"] = None, None
        _atomic_write(folder / "index.json", json.dumps(index, indent=2) + "\n")
    file.unlink()


# ---- the page's table of rules ---------------------------------------------------------------

EXAMPLE = """name = "Example program"

[[rule]]
name = "Lead submitted"
event = "submitted"
amount = 25.0

[[rule]]
name = "Lead won"
event = "won"
amount = 100.0
percent = 1.0
base = "revenue"
"""


def rule_rows(policy: Policy) -> list[dict]:
    """The rules as rows of a table (one dict per rule, every column present)."""
    return [{
        "name": r.name, "event": r.event, "amount": float(r.amount), "percent": float(r.percent),
        "base": r.base, "cap": None if r.cap is None else float(r.cap),
        "min_revenue": float(r.min_revenue), "lead_types": list(r.lead_types or []),
        "branches": list(r.branches or []), "from": r.start, "to": r.end,
    } for r in policy.rules]


def _blank(value) -> bool:
    from leadbridge.values import missing

    if isinstance(value, (list, tuple)):
        return len(value) == 0
    return missing(value) or (isinstance(value, str) and not value.strip())


def from_rows(name: str, rows: list[dict], source: str = "the rules table") -> Policy:
    """A Policy from table rows (as rule_rows gives them, edited): blank cells take the rule's
    defaults, rows left wholly blank are skipped; PolicyError names the rule and the key."""
    rules = []
    for row in rows:
        cleaned = {}
        for key, value in row.items():
            if _blank(value):
                continue
            if hasattr(value, "date") and callable(value.date):
                value = value.date()
            if isinstance(value, date):
                value = value.isoformat()
            if hasattr(value, "item"):
                value = value.item()
            if isinstance(value, tuple):
                value = list(value)
            cleaned[key] = value
        if not cleaned:
            continue
        if cleaned.get("event") == "submitted":  # a table has every column: drop the won-only ones
            for key in ("percent", "min_revenue"):
                if cleaned.get(key) == 0:
                    cleaned.pop(key)
            if cleaned.get("base") == "revenue":
                cleaned.pop("base")
        rules.append(cleaned)
    return from_dict({"name": name, "rule": rules}, source)

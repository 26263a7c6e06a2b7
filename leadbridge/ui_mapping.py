"""The Data page's mapping step: map a file's unknown columns and words, save it for its headers.

Streamlit side of leadbridge/mappings.py. Values from the file (headers, examples, words) are
shown with st.text only, never as markdown; widget labels are our own words.
"""

from __future__ import annotations

import streamlit as st

from leadbridge import contract, db, mappings

IGNORE = "(not used)"
UNSURE = "(leave unknown)"
# Refusals the mapping step can fix: they are about the headers.
_HEADER_PROBLEMS = ("missing required column", "cannot tell which table", "the headers fit",
                    "the headers would make")


def folder() -> str:
    """The database's folder, where mappings.json lives."""
    return str(db.data_dir())


def version() -> tuple:
    """Changes when a mapping is saved or removed (part of the preview's cache key)."""
    return mappings.version(folder())


def needed(preview) -> bool:
    """Whether a previewed file gets the mapping step: it was read, and something in it is
    unknown, refused for its headers, or mapped already."""
    if not preview.headers:
        return False
    if preview.error:
        return preview.error.startswith(_HEADER_PROBLEMS)
    return bool(preview.ignored or preview.unknown_statuses or preview.unknown_lead_types
                or preview.mapping_id or preview.mapping_warnings)


def _choices(options: list[str], current: str | None, none: str) -> tuple[list[str], int]:
    values = [none, *options]
    return values, values.index(current) if current in values else 0


def mapping_step(preview, key: str, table_hint: str | None = None) -> None:
    """Draw the step for one previewed file; saving or removing reruns the page."""
    saved = mappings.find(folder(), preview.headers)
    open_it = bool(preview.error or preview.unknown_statuses or preview.unknown_lead_types)
    with st.expander("Map columns and words", expanded=open_it, icon=":material/tune:"):
        st.caption("LeadBridge does not know some of this file's columns or words. Say what they "
                   "are: the mapping is saved for files with exactly these headers and applied to "
                   "them from now on. Columns LeadBridge already recognises stay as they are.")
        tables = list(contract.TABLES)
        table_now = preview.table or (saved.table if saved else None) or table_hint or "leads"
        table = st.selectbox("The rows of this file are", tables, index=tables.index(table_now),
                             key=f"{key}_table",
                             format_func=lambda t: f"{t}: {contract.TABLES[t].description.split(';')[0]}")
        spec = contract.TABLES[table]
        recognised, _ = contract.match_headers(spec, preview.headers)
        by_position = {pos: col for col, pos in recognised.items()}
        mapped_before = saved.columns if saved else {}

        head = st.columns([2, 3, 2])
        head[0].caption("Column in the file")
        head[1].caption("Example values")
        head[2].caption("LeadBridge column")
        columns: dict[str, str] = {}
        for pos, header in enumerate(preview.headers):
            if not header:
                continue
            row = st.columns([2, 3, 2], vertical_alignment="center")
            row[0].text(header)
            row[1].text(" · ".join(preview.examples.get(header, [])[:3]) or "(empty)")
            if pos in by_position and header not in mapped_before:
                row[2].text(f"{by_position[pos]} (recognised)")
                continue
            options, index = _choices(spec.column_names, mapped_before.get(header), IGNORE)
            chosen = row[2].selectbox(f"LeadBridge column for file column {pos + 1}", options,
                                      index=index, key=f"{key}_col_{pos}",
                                      label_visibility="collapsed")
            if chosen != IGNORE:
                columns[header] = chosen

        statuses = _word_choices(
            "Stage words", table == "outcomes", preview.unknown_statuses,
            saved.statuses if saved else {}, contract.STATUSES, f"{key}_status")
        lead_types = _word_choices(
            "Lead-type words", table == "leads", preview.unknown_lead_types,
            saved.lead_types if saved else {}, contract.LEAD_TYPES, f"{key}_type")

        left, right = st.columns(2)
        if left.button("Save mapping", type="primary", key=f"{key}_save",
                       icon=":material/save:"):
            try:
                wanted = mappings.from_options(preview.headers, columns, statuses, lead_types, table)
            except mappings.MappingError as exc:
                st.error(str(exc))
            else:
                mappings.save(folder(), wanted, replace=True)
                st.rerun()
        if saved is not None and right.button("Remove mapping", key=f"{key}_remove",
                                              icon=":material/delete:"):
            mappings.remove(folder(), saved.signature)
            st.rerun()


def _word_choices(title: str, applies: bool, unknown: list[str], before: dict[str, str],
                  meanings, key: str) -> dict[str, str]:
    """A choice of our state or lead type for each unknown (or already mapped) word."""
    words = list(dict.fromkeys([*before, *unknown])) if applies else []
    if not words:
        return {}
    st.caption(f"{title} LeadBridge does not know, and what each means:")
    chosen: dict[str, str] = {}
    for n, word in enumerate(words):
        row = st.columns([2, 3, 2], vertical_alignment="center")
        row[0].text(word)
        options, index = _choices(list(meanings), before.get(word), UNSURE)
        value = row[2].selectbox(f"{title} {n + 1}", options, index=index, key=f"{key}_{n}",
                                 label_visibility="collapsed")
        if value != UNSURE:
            chosen[word] = value
    return chosen


def applied_note(result) -> None:
    """What a saved mapping did to an import or its preview (result: ImportResult or its dict)."""
    get = result.get if isinstance(result, dict) else lambda k: getattr(result, k)
    if get("mapping_id"):
        bits = [f"{h} → {c}" for h, c in get("mapped_columns").items()]
        bits += [f"'{w}' → {s}" for w, s in get("mapped_statuses").items()]
        bits += [f"'{w}' → {t}" for w, t in get("mapped_lead_types").items()]
        st.text(f"Mapping {get('mapping_id')} applied: {', '.join(bits)}")
    for warning in get("mapping_warnings") or []:
        st.text(f"Mapping not used: {warning}")


def saved_list() -> None:
    """Every saved mapping, each removable (the Import history tab)."""
    saved = list(mappings.load_all(folder()).values())
    st.subheader(f"Saved mappings ({len(saved)})")
    if not saved:
        st.caption("None yet: the Import tab offers a mapping step when a file has columns or "
                   "words LeadBridge does not know.")
        return
    for m in saved:
        row = st.columns([5, 1], vertical_alignment="center")
        bits = [f"{h} → {c}" for h, c in m.columns.items()]
        bits += [f"'{w}' → {s}" for w, s in {**m.statuses, **m.lead_types}.items()]
        row[0].text(f"{m.id} · {m.table or 'any table'} · saved {m.saved_at}\n"
                    f"headers: {', '.join(m.headers)}\n{', '.join(bits)}")
        if row[1].button("Remove", key=f"mapping_remove_{m.id}", icon=":material/delete:"):
            mappings.remove(folder(), m.signature)
            st.rerun()

"""The Streamlit side of access (/work/shared/ACCESS.md): who is asking, and what they may open.

- With an `[auth]` section in the secrets, everyone signs in with `st.login` (OpenID Connect) and
  is found in the access file by the email claim. Without it, the one local user is an exec, but
  only on a dashboard that this computer alone reaches (or one started with --no-sign-in).
- `gate()` runs first on every script run (dashboard.py): it returns the Person, or draws why
  nobody may see data (sign in; not in the access file; the access file is refused; the
  dashboard is on the network without sign-in) and stops the run before any query.
- `navigation()` gives st.navigation the pages of the person's role; another page's URL runs a
  page that says so and shows nothing.
- `scoped()` is how ui.query puts the Person into every engine call: the branch scope and the
  per-person money rule.

Tests use the real path: AppTest sets `at.secrets["auth"]` (st.secrets is what decides whether
sign-in is on), `at.user` (is_logged_in, email, name: what st.login leaves in st.user) and
LEADBRIDGE_ACCESS to an access file; a run without secrets is the local exec.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from functools import partial

import pandas as pd
import streamlit as st
from streamlit import config

from leadbridge import access, db, serve
from leadbridge.access import Person
from leadbridge.metrics import Filters
from leadbridge.values import NO_VALUE

PERSON = "lb_person"
_SIGN_IN_LOGGED = "lb_sign_in_logged"

PAGE_TITLES = {
    "overview": "Overview", "technicians": "Technicians", "conversion": "Conversion",
    "revenue_rewards": "Revenue & rewards", "meeting": "Monthly meeting",
    "follow_up": "Sales follow-up", "data": "Data",
}
ROLE_LABELS = {"exec": "Executive", "manager": "Service manager",
               "facilitator": "Meeting facilitator", "viewer": "Viewer"}

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:@])")


def plain(text) -> str:
    """A value (a name, an email, an access-file message) as literal text inside markdown."""
    return _MARKDOWN.sub(r"\\\1", str(text)).replace("\n", " ")


# --- who is asking ----------------------------------------------------------------------------


def sign_in_on() -> bool:
    """Whether the secrets have an [auth] section: then everyone signs in."""
    return bool(st.secrets.load_if_toml_exists() and "auth" in st.secrets)


def local_mode_allowed() -> bool:
    """Without sign-in, whether this dashboard may serve its one local exec: only when it listens
    on this computer alone, or when started with --no-sign-in (which warned about it)."""
    if os.environ.get(serve.NO_SIGN_IN_ENV) == "1":
        return True
    address = config.get_option("server.address")
    if serve.is_local(address):
        return True
    # AppTest runs the script inside the test process: no server, no address, no network.
    # (It sets global.appTest by patching config.get_option, which st.get_option does not see.)
    return not address and bool(config.get_option("global.appTest"))


def gate() -> Person:
    """The person asking, checked on every run (the access file is read each time, so a change
    applies at their next click). Draws why and stops the run when nobody may see data."""
    person = _signed_in() if sign_in_on() else _local()
    st.session_state[PERSON] = person
    return person


def current_person() -> Person:
    """The person of this run (gate() has run first, in dashboard.py)."""
    person = st.session_state.get(PERSON)
    return person if isinstance(person, Person) else gate()


def _signed_in() -> Person:
    if not st.user.is_logged_in:
        _sign_in_screen()
    email = str(st.user.get("email") or "").strip()
    if not email:
        _stop("Your sign-in did not give an email address",
               "LeadBridge finds people in its access file by the email claim of the sign-in, and "
               "your identity provider sent none. Ask whoever runs LeadBridge to add the email "
               "claim (the `email` scope) to the LeadBridge app registration.", sign_out=True)
    listed = _access_file(required=True)
    try:
        person = listed.person(email)
    except access.NotInAccessFile:
        _not_listed(email, listed)
    _log_once(person.email, "sign-in", f"{person.role}; branches: {_branches_text(person)}")
    return person


@st.cache_resource(show_spinner=False)
def _logged_sign_ins() -> set:
    return set()


def _log_once(email: str, action: str, what: str) -> None:
    """Log a sign-in once: not again for each page a link opens (each is a new session) while
    the same sign-in (the identity token's issue time) lasts."""
    if st.session_state.get(_SIGN_IN_LOGGED) == (email, action):
        return
    key = (email.lower(), action, st.user.get("iat") or id(st.session_state))
    seen = _logged_sign_ins()
    if key not in seen:
        seen.add(key)
        access.log_event(db.data_dir(), email, action, what)
    st.session_state[_SIGN_IN_LOGGED] = (email, action)


def _local() -> Person:
    if not local_mode_allowed():
        _stop("Sign-in is not set up",
              "This dashboard listens on the network, and without sign-in everyone who reaches it "
              "would see every branch and every person's money. Start it with `leadbridge "
              "dashboard` (this computer only), or set sign-in up: an `[auth]` section in "
              "`.streamlit/secrets.toml` and an access file, as the README's *Run it for your "
              "company* says.")
    _access_file(required=False)  # a refused access file stops here too (ACCESS.md)
    return access.LOCAL_USER


def log(action: str, what: str, filters: Filters | None = None,
        person: Person | None = None) -> None:
    """Write an event of the person asking (an import, a deck) to the access log; a download's
    deferred callable runs outside the session and passes the person it captured."""
    described = None
    if filters is not None:
        described = {"from": filters.from_month, "to": filters.to_month,
                     "branches": list(filters.branches), "lead_types": list(filters.lead_types),
                     "techs": list(filters.techs)}
    access.log_event(db.data_dir(), (person or current_person()).email, action, what, described)


def logged_download(build, what: str, filters: Filters | None = None):
    """A download's deferred data callable that also writes the download to the access log.

    Streamlit runs it on the click, outside the script run: the person is captured now."""
    person = current_person()

    def run():
        log("download", what, filters, person=person)
        return build()

    return run


def access_file_path():
    return access.access_path(db.db_path())


def _access_file(required: bool) -> access.AccessFile | None:
    """The access file, validated; draws why and stops when it is refused or (for sign-in)
    missing. None when it is missing and not required (a laptop)."""
    path = access_file_path()
    if not path.exists():
        if not required:
            return None
        _stop("LeadBridge has no access file yet",
              "Nobody may see data until whoever runs LeadBridge writes the access file "
              f"({plain(path.name)} beside the database, or the file given with --access) "
              "that lists who may see what.", sign_out=sign_in_on())
    try:
        return access.load(path)
    except access.AccessFileError as exc:
        _stop("LeadBridge's access file is refused",
              f"{plain(exc)}.  \nUntil it is fixed, the dashboard shows no data to anyone. "
              "`leadbridge access check` shows the same reason.", sign_out=sign_in_on())


def _sign_in_screen():
    st.title("LeadBridge")
    st.write("Sign in with your company account to see the technician lead program.")
    st.button("Sign in", type="primary", icon=":material/login:", key="lb_sign_in",
              on_click=st.login)
    st.stop()


def _not_listed(email: str, listed: access.AccessFile):
    execs = [p for p in listed.people.values() if p.role == "exec"]
    ask = ", ".join(f"{plain(p.label)} ({plain(p.email)})" if p.name else plain(p.email)
                    for p in execs) or "whoever runs LeadBridge"
    _log_once(email, "sign-in refused", "not in the access file")
    _stop("You are not on LeadBridge's access list",
          f"You are signed in as **{plain(email)}**, but the access file does not list this "
          f"address, so LeadBridge shows you no data.  \nAsk {ask} to add you.", sign_out=True)


def _stop(title: str, body_markdown: str, sign_out: bool = False):
    """A page that explains, and nothing else: no sidebar, no query."""
    st.title(title)
    st.warning(body_markdown, icon=":material/lock:")
    if sign_out:
        st.button("Sign out", icon=":material/logout:", key="lb_sign_out_stop",
                  on_click=st.logout)
    st.stop()


# --- what they may open -----------------------------------------------------------------------


def navigation(person: Person, sections: dict[str, list[tuple[str, dict]]]) -> dict:
    """st.navigation's sections: a page of the person's role as given, any other as a hidden page
    at the same URL that says it is not theirs. `sections`: {section: [(page key, st.Page
    keywords)]}."""
    out: dict[str, list] = {}
    for section, pages in sections.items():
        for key, spec in pages:
            if person.may_see_page(key):
                page = st.Page(**spec)
            else:
                page = st.Page(partial(_not_yours, key), title=spec["title"], url_path=key,
                               icon=spec.get("icon"), visibility="hidden")
            out.setdefault(section, []).append(page)
    return out


def _not_yours(key: str) -> None:
    person = current_person()
    title = PAGE_TITLES.get(key, key)
    reason = ("the Data page is for people who may import files"
              if key == "data" and access.PAGES.get(person.role, frozenset()) >= {key}
              else f"a {ROLE_LABELS.get(person.role, person.role).lower()} does not see it")
    st.title(title)
    st.warning(f"This page is not open to you: {reason}. The pages you may open are in the "
               "menu on the left.", icon=":material/lock:")


def check_url_branches(person: Person) -> None:
    """A link naming a branch outside the person's scope shows why and no data."""
    named = st.query_params.get_all("branch")
    try:
        person.check_branches(named)
    except access.AccessDenied:
        outside = [b for b in named if not person.may_see_branch(b)]
        st.title("Not your branch")
        st.warning(f"This link shows {plain(', '.join(outside))}, which you may not see. Your "
                   f"branches: {plain(_branches_text(person))}.", icon=":material/lock:")
        st.button("Open my branches", key="lb_clear_branches", on_click=_clear_url_branches)
        st.stop()
    drop_lost_branches(person)


# ui.py's branch widget key: a branch chosen earlier in this session that the access file has
# since taken away is dropped before the sidebar is drawn (its options are the person's scope).
_BRANCH_WIDGET = "lb_branch"


def drop_lost_branches(person: Person) -> None:
    chosen = st.session_state.get(_BRANCH_WIDGET)
    if not chosen:
        return
    kept = [b for b in chosen if person.may_see_branch(b)]
    if kept != list(chosen):
        st.session_state[_BRANCH_WIDGET] = kept
        st.toast("Branches you may no longer see were removed from the filter.",
                 icon=":material/lock:")


def _clear_url_branches() -> None:
    del st.query_params["branch"]


def _branches_text(person: Person) -> str:
    return "every branch" if person.branches is None else ", ".join(person.branches)


def sidebar_person(person: Person) -> None:
    """The signed-in person's name and role, their branches, and sign-out, atop the sidebar."""
    box = st.sidebar.container(border=True, key="lb_person_box")
    if sign_in_on():
        box.markdown(f"**{plain(person.label)}**  \n{plain(ROLE_LABELS.get(person.role, person.role))}"
                     f" · {plain(_branches_text(person))}")
        box.button("Sign out", icon=":material/logout:", key="lb_sign_out", on_click=st.logout,
                   width="stretch")
    elif os.environ.get(serve.NO_SIGN_IN_ENV) == "1":
        box.markdown("**No sign-in** · everyone who reaches this address is an executive")
    else:
        box.markdown("**Local user** · Executive · every branch  \nThis computer only")


# --- the person in every engine call ----------------------------------------------------------


def scoped(filters: Filters | None, person: Person | None = None) -> Filters | None:
    """The filters with the person's branch scope (replacing whatever scope they carried)."""
    person = person or current_person()
    if filters is None:
        return None
    return replace(filters, scope=person.scope)


def privacy_locked(person: Person | None = None) -> bool:
    """Whether privacy is always on: the person sees no per-person money."""
    return not (person or current_person()).money


# --- the Data page: the access file and the log (execs) ---------------------------------------


def access_tab() -> None:
    """Who may see what (the access file) and the access log, for execs."""
    path = access_file_path()
    st.caption(f"The access file: {plain(path)}. Edit it and the next click of each person "
               "applies it. `leadbridge access check` prints the same.")
    if not path.exists():
        st.info("No access file yet: this dashboard runs on this computer only, as one local "
                "executive. To let colleagues in, see the README's *Run it for your company*.")
    else:
        try:
            rows = access.describe(access.load(path))
        except access.AccessFileError as exc:
            st.error(plain(exc))
        else:
            st.dataframe(pd.DataFrame(rows), hide_index=True, placeholder=NO_VALUE,
                         column_config=PEOPLE_COLUMNS)
    st.subheader("Access log")
    st.caption("Sign-ins, imports, downloads and decks: who, when, what, with which filters. "
               "Newest first; `leadbridge log` prints it.")
    log = access.read_log(db.data_dir(), limit=LOG_ROWS, readable=True)
    if log.empty:
        st.info("Nothing logged yet.")
    else:
        st.dataframe(log, hide_index=True, placeholder=NO_VALUE, column_config=LOG_COLUMNS)


# The access file's people and the log headed in words (they read "email", "at", "filters").
PEOPLE_COLUMNS = {"email": "Email", "name": "Name", "role": "Role", "branches": "Branches",
                  "pages": "Pages", "money": "Per-person money", "imports": "May import"}
LOG_COLUMNS = {"at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
               "who": "Who", "action": "Action", "what": "What", "filters": "Filters"}


# The newest events the Data page shows; `leadbridge log` reads them all.
LOG_ROWS = 500

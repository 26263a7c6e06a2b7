"""What a user sees when a page fails: a short message and an incident reference, never a
traceback, a file path or a process ID. The full traceback goes to the server's log under that
reference, so the administrator can look it up (`grep INCIDENT-ABC123` in the log).

The router (dashboard.py) runs the sidebar, each page and the footer inside `guard`. Streamlit's
own error display (for anything outside a guard, such as a widget callback) is cut down to a
generic message by `client.showErrorDetails = "none"` (.streamlit/config.toml and
`leadbridge dashboard`'s flags).
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

LOGGER = logging.getLogger("leadbridge.incidents")
# Six characters people can read out on the phone: no 0/O or 1/I.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _log_to_stderr() -> None:
    """The incidents logger writes to the server's stderr (Streamlit configures only its own)."""
    if not LOGGER.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        LOGGER.addHandler(handler)
        LOGGER.setLevel(logging.INFO)


def incident_id() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(6))


def message(incident: str) -> str:
    """What the user reads (no detail of the failure: that is in the log)."""
    return (f"Something went wrong (incident {incident}); the administrator can look it up. "
            "Try again in a moment, or change the filters.")


def report(where: str, exc: BaseException) -> str:
    """Log the exception with a new incident reference; return the reference."""
    _log_to_stderr()
    incident = incident_id()
    LOGGER.error("INCIDENT-%s while drawing %s", incident, where,
                 exc_info=(type(exc), exc, exc.__traceback__))
    return incident


class Outcome:
    """Whether a guarded part ran to its end (`ok`), and the incident when it did not."""

    def __init__(self) -> None:
        self.incident: str | None = None

    @property
    def ok(self) -> bool:
        return self.incident is None


@contextmanager
def guard(where: str) -> Iterator[Outcome]:
    """Run a part of the app; on an error, show the short message and log the traceback.

    Streamlit's own control flow (st.rerun, st.stop, st.switch_page) derives from BaseException,
    not Exception, and passes through untouched."""
    outcome = Outcome()
    try:
        yield outcome
    except Exception as exc:  # noqa: BLE001 - every failure gets the same safe message
        outcome.incident = report(where, exc)
        st.error(message(outcome.incident), icon=":material/error:")

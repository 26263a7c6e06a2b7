"""Start the Streamlit server on dashboard.py, routed by st.navigation from the first request on."""

from __future__ import annotations

from pathlib import Path

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"

# Largest upload on the Data page, in MB: 1M leads over 30 months are a 175 MB CSV, so a year of
# a 5,000-tech company fits; bigger files (a jobs history) go through `leadbridge import`.
MAX_UPLOAD_MB = 200

# Server settings `leadbridge dashboard` always passes (the same as .streamlit/config.toml, which
# Streamlit reads only when started from the project's folder): errors shown without details (a
# short message and an incident reference, see ui_errors), uploads up to MAX_UPLOAD_MB.
HARDENED = {
    "client.showErrorDetails": "none",
    "server.maxUploadSize": str(MAX_UPLOAD_MB),
}


def hardened_options() -> list[str]:
    """HARDENED as command-line flags: ['--client.showErrorDetails', 'none', ...]."""
    return [part for key, value in HARDENED.items() for part in (f"--{key}", value)]


def navigation_only() -> None:
    """Tell Streamlit that this app routes with st.navigation, not with its pages/ folder.

    Streamlit decides this per process: while dashboard.py has not yet called st.navigation,
    a pages/ folder beside it makes a first visit straight to a page URL (a shared link to
    /technicians, say) run that page alone with the old folder navigation and no sidebar filters.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without this internal: nothing to correct
        return
    PagesManager.uses_pages_directory = False


def run(options: list[str]) -> int:
    """`streamlit run dashboard.py OPTIONS` in this process, routing fixed first."""
    from streamlit.web import cli as streamlit_cli

    navigation_only()
    try:
        streamlit_cli.main(["run", str(DASHBOARD), *options], standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0

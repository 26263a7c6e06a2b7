"""Start the Streamlit server on dashboard.py, routed by st.navigation from the first request on."""

from __future__ import annotations

from pathlib import Path

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


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

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
    # Streamlit runs a full garbage collection (gc.collect(2)) after every script run, holding
    # the interpreter for 100-300 ms on this app's heap (pandas, Plotly, DuckDB) while the
    # server's event loop waits to send the page: measured as the largest single cost of a
    # Technicians rerun (benchmarks/RESULTS.md). Python's own collector still runs as usual.
    "runner.postScriptGC": "false",
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


# --- sign-in and the address the dashboard listens on ------------------------------------------

# Addresses that only this computer reaches. Anything else (0.0.0.0, a LAN address, "" which
# Streamlit takes for every interface) serves the network and needs sign-in.
LOCAL_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_ADDRESS = "127.0.0.1"

# Set by `leadbridge dashboard --no-sign-in` for the app it starts: serve without sign-in anyway.
NO_SIGN_IN_ENV = "LEADBRIDGE_NO_SIGN_IN"

# The keys of secrets.toml's [auth] section that st.login needs (one provider, the default one).
AUTH_KEYS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")


def is_local(address: str | None) -> bool:
    """Whether an address to listen on is reachable from this computer only."""
    address = (address or "").strip().strip("[]")
    return address in LOCAL_ADDRESSES or address.startswith("127.")


def secrets_files(given: str | Path | None = None) -> list[Path]:
    """Where Streamlit reads secrets.toml: the file given with --secrets, else (later wins)
    ~/.streamlit/secrets.toml, then .streamlit/secrets.toml in the current folder and beside
    dashboard.py."""
    if given:
        return [Path(given)]
    candidates = [Path.home() / ".streamlit" / "secrets.toml",
                  Path.cwd() / ".streamlit" / "secrets.toml",
                  DASHBOARD.parent / ".streamlit" / "secrets.toml"]
    unique: list[Path] = []
    for path in candidates:
        if path.resolve() not in {p.resolve() for p in unique}:
            unique.append(path)
    return unique


class SecretsError(ValueError):
    """A secrets file that cannot be read, or an [auth] section that st.login cannot use."""


def auth_section(files: list[Path]) -> dict | None:
    """The [auth] section of the secrets files (the last file that has one wins), or None."""
    import tomllib

    found = None
    for path in files:
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise SecretsError(f"{path}: cannot be read as TOML ({exc})") from None
        if "auth" in data:
            found = (path, data["auth"])
    if found is None:
        return None
    path, section = found
    if not isinstance(section, dict):
        raise SecretsError(f"{path}: [auth] must be a table of settings")
    missing = [key for key in AUTH_KEYS if not section.get(key)]
    if missing:
        raise SecretsError(f"{path}: [auth] lacks {', '.join(missing)}; sign-in needs "
                           f"{', '.join(AUTH_KEYS)} (README: Run it for your company)")
    if not str(section["redirect_uri"]).rstrip("/").endswith("/oauth2callback"):
        raise SecretsError(f"{path}: [auth] redirect_uri must be the dashboard's address followed "
                           f"by /oauth2callback, e.g. https://leadbridge.example.com/oauth2callback")
    return section

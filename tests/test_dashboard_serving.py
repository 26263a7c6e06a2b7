"""`leadbridge dashboard` and the address it serves: localhost by default, the network only with
sign-in ([auth] in the secrets) or --no-sign-in; the dashboard itself refuses the same."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

from leadbridge import serve
from leadbridge.cli import build_parser, main
from tests.app_fixtures import DASHBOARD, ROOT, build_sample_db

AUTH = """\
[auth]
redirect_uri = "https://leadbridge.example.com/oauth2callback"
cookie_secret = "a-long-random-string-for-the-cookie"
client_id = "leadbridge"
client_secret = "secret"
server_metadata_url = "https://login.example.com/.well-known/openid-configuration"
"""


def test_the_default_address_is_this_computer_only():
    args = build_parser().parse_args(["dashboard"])
    assert args.address == "127.0.0.1" and serve.is_local(args.address)
    assert serve.is_local("localhost") and serve.is_local("::1") and serve.is_local("[::1]")
    for address in ("0.0.0.0", "", None, "192.168.1.20", "::"):
        assert not serve.is_local(address), address


def test_another_address_without_sign_in_is_refused_with_how_to_set_it_up(capsys, tmp_path,
                                                                           monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    monkeypatch.setenv("HOME", str(tmp_path))
    code = main(["dashboard", "--address", "0.0.0.0", "--headless"])
    err = capsys.readouterr().err
    assert code == 2
    assert "refusing to serve 0.0.0.0 without sign-in" in err
    assert "[auth]" in err and "server_metadata_url" in err and "--no-sign-in" in err
    assert "Run it for your company" in err


def test_a_secrets_file_without_the_keys_sign_in_needs_is_named(capsys, tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "https://x.example.com/oauth2callback"\n',
                       encoding="utf-8")
    code = main(["dashboard", "--address", "0.0.0.0", "--secrets", str(secrets)])
    err = capsys.readouterr().err
    assert code == 2
    assert str(secrets) in err
    assert "cookie_secret, client_id, client_secret, server_metadata_url" in err
    assert main(["dashboard", "--secrets", str(tmp_path / "missing.toml")]) == 2
    assert "no secrets file at" in capsys.readouterr().err


def test_the_auth_section_is_found_where_streamlit_reads_it(tmp_path):
    home, project = tmp_path / "home.toml", tmp_path / "project.toml"
    home.write_text('title = "no auth here"\n', encoding="utf-8")
    assert serve.auth_section([home, project]) is None
    project.write_text(AUTH, encoding="utf-8")
    assert serve.auth_section([home, project])["client_id"] == "leadbridge"
    project.write_text(AUTH.replace("/oauth2callback", "/"), encoding="utf-8")
    with pytest.raises(serve.SecretsError, match="/oauth2callback"):
        serve.auth_section([project])
    project.write_text("[auth\n", encoding="utf-8")
    with pytest.raises(serve.SecretsError, match="cannot be read as TOML"):
        serve.auth_section([project])


def test_no_sign_in_serves_the_network_and_warns(tmp_path):
    """A real server on every interface with --no-sign-in: it warns, and it serves."""
    db_file = build_sample_db(tmp_path)
    port = _free_port()
    env = {**os.environ, "HOME": str(tmp_path)}
    env.pop("LEADBRIDGE_ACCESS", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "leadbridge", "dashboard", "--db", str(db_file), "--port",
         str(port), "--address", "0.0.0.0", "--no-sign-in", "--headless"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as response:
                    if response.read() == b"ok":
                        break
            except OSError:
                pass
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "the dashboard did not start"
            time.sleep(0.5)
    finally:
        process.terminate()
        _, err = process.communicate(timeout=20)
    assert "WARNING: serving 0.0.0.0 without sign-in (--no-sign-in)" in err


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_dashboard_itself_refuses_the_network_without_sign_in(monkeypatch, tmp_path):
    """`streamlit run dashboard.py --server.address 0.0.0.0` (not through leadbridge): the page
    says why and shows no data."""
    monkeypatch.setenv("LEADBRIDGE_DB", str(tmp_path / "data" / "lb.duckdb"))
    monkeypatch.delenv(serve.NO_SIGN_IN_ENV, raising=False)
    config.set_option("server.address", "0.0.0.0")
    try:
        at = AppTest.from_file(str(DASHBOARD), default_timeout=60).run()
    finally:
        config.set_option("server.address", None)
    assert not at.exception
    assert at.title[0].value == "Sign-in is not set up"
    assert "leadbridge dashboard" in at.warning[0].value
    assert not at.get("plotly_chart") and not at.metric and not at.sidebar.children \
        or not at.multiselect


def test_the_repo_keeps_secrets_out_of_git():
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert ".streamlit/secrets.toml" in ignored

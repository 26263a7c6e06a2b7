"""The benchmark times what each page really asks of the engine: every page runs in AppTest with
a spy on the engine, and the calls it sees are the list in benchmarks/pages.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks import pages as bench
from leadbridge import meeting, metrics
from tests.app_fixtures import DASHBOARD, PAGES, build_sample_db


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("bench_pages"))


def test_every_dashboard_page_is_in_the_benchmark():
    assert set(bench.PAGES) == set(PAGES)


def kind(filters, sidebar) -> str:
    """Which of the benchmark's filter kinds a recorded call ran with."""
    if filters is None:
        return bench.NONE
    if filters == sidebar:
        return bench.FILTERS
    if filters == sidebar.previous():
        return bench.PREVIOUS
    if len(filters.techs) == 1 and filters == replace(sidebar, techs=filters.techs):
        return bench.FIRST_TECH
    raise AssertionError(f"a call with filters the benchmark does not know: {filters}")


@pytest.mark.parametrize("page", list(PAGES))
def test_the_benchmark_runs_what_the_page_asks(sample_db, monkeypatch, page):
    seen, inside = [], []
    real_run, real_build = metrics.run, meeting.build

    def run(con, name, filters=None, **extra):
        if not inside:
            seen.append((name, filters, tuple(sorted(extra.items()))))
        return real_run(con, name, filters, **extra)

    def build(con, month, branches=(), privacy=True, lists=True, person=None):
        seen.append((bench.MEETING, (month, tuple(branches), privacy, lists), ()))
        inside.append(True)
        try:
            return real_build(con, month, branches, privacy, lists, person=person)
        finally:
            inside.pop()

    monkeypatch.setattr(metrics, "run", run)
    monkeypatch.setattr(meeting, "build", build)
    monkeypatch.setenv("LEADBRIDGE_DB", str(sample_db))
    st.cache_data.clear()  # every query reaches the engine once
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    at.switch_page(PAGES[page])
    at.run()
    assert not at.exception, [e.value for e in at.exception]

    sidebar = at.session_state["lb_filters"]
    calls = set()
    for name, filters, extra in seen:
        if name == bench.MEETING:
            assert filters == (sidebar.to_month, sidebar.branches, True, False)
            calls.add(bench.Call(bench.MEETING))
        else:
            calls.add(bench.Call(name, kind(filters, sidebar), extra))
    assert calls == set(bench.page_calls(page))

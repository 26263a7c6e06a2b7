"""The benchmark times what each page really asks of the engine: every page runs in AppTest with
a spy on the engine, and the calls it sees are the list in benchmarks/pages.py."""

from __future__ import annotations

from dataclasses import replace

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from benchmarks import pages as bench
from leadbridge import meeting, metrics, policy, rewards, sample
from tests.app_fixtures import CLOSED_TABS, DASHBOARD, PAGES, build_sample_db, open_tab


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    file = build_sample_db(tmp_path_factory.mktemp("bench_pages"))
    key = policy.add(sample.REWARD_POLICY_TEXT, file)  # the Reward program page audits it
    policy.use(key, sample_policy_since(), file)
    return file


def sample_policy_since():
    from datetime import date

    return date(2024, 11, 1)


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

    def spy(name, real):
        def call(con, chosen, filters, *args, **kwargs):
            assert chosen.rules == policy.parse(sample.REWARD_POLICY_TEXT).rules
            if name == bench.REWARD_AUDIT:
                assert args[0] == bench.REWARD_STATUSES
            seen.append((name, filters, ()))
            inside.append(True)
            try:
                return real(con, chosen, filters, *args, **kwargs)
            finally:
                inside.pop()
        return call

    monkeypatch.setattr(metrics, "run", run)
    monkeypatch.setattr(meeting, "build", build)
    for name, attr in ((bench.REWARD_AUDIT, "audit_with_leads"),
                       (bench.REWARD_SIMULATION, "simulate")):
        monkeypatch.setattr(rewards, attr, spy(name, getattr(rewards, attr)))
    monkeypatch.setenv("LEADBRIDGE_DB", str(sample_db))
    st.cache_data.clear()  # every query reaches the engine once
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    at.switch_page(PAGES[page])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    # the benchmark times every tab of these pages (each drawn only while open): opened too
    key, tabs = CLOSED_TABS.get(page, ("", ()))
    for tab in tabs:
        open_tab(at, key, tab)
        assert not at.exception, [e.value for e in at.exception]

    sidebar = at.session_state["lb_filters"]
    calls = set()
    for name, filters, extra in seen:
        if name == bench.MEETING:
            assert filters == (sidebar.to_month, sidebar.branches, True, False)
            calls.add(bench.Call(bench.MEETING))
        elif name in bench.REWARD_CALLS:
            assert filters == sidebar
            calls.add(bench.Call(name))
        else:
            calls.add(bench.Call(name, kind(filters, sidebar), extra))
    assert calls == set(bench.page_calls(page))

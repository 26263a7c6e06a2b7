"""The Reward program page in AppTest: the audit's tiles and tables are the audit command's numbers,
and a changed rule changes the what-if figures to the simulation's."""

from __future__ import annotations

import json
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from leadbridge import db, policy, rewards, sample, ui, ui_table
from leadbridge.metrics import Filters
from tests.app_fixtures import DASHBOARD, PAGES, build_sample_db, copy_db, open_tab

DEFAULT = Filters.months("2025-11", "2026-10")  # the sidebar's default: the last 12 months


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    file = build_sample_db(tmp_path_factory.mktemp("rewards_page"))
    key = policy.add(sample.REWARD_POLICY_TEXT, file)
    policy.use(key, date(2024, 11, 1), file)
    return file


def open_page(monkeypatch, db_file) -> AppTest:
    monkeypatch.setenv("LEADBRIDGE_DB", str(db_file))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    at.switch_page(PAGES["rewards"])
    return at.run()


def what_if(at: AppTest) -> AppTest:
    """Open the What if tab (only the open tab is drawn)."""
    return open_tab(at, "rw_tab", "What if")


def tile(at: AppTest, label: str) -> str:
    matches = [m.value for m in at.metric if m.label.startswith(label)]
    assert matches, f"no tile {label!r}; tiles: {[m.label for m in at.metric]}"
    return matches[0]


def test_the_audit_tab_shows_the_audit(monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    assert not at.exception, [e.value for e in at.exception]
    chosen = policy.parse(sample.REWARD_POLICY_TEXT)
    expected = rewards.audit(db.connect(sample_db), chosen, DEFAULT)
    t = expected["totals"]
    assert tile(at, "Earned") == ui.fmt("money", t["earned"])
    assert tile(at, "Paid") == ui.fmt("money", t["paid"])
    assert tile(at, "Unpaid") == ui.fmt("money", t["unpaid_amount"])
    for label, key in (("Unpaid", "leads_unpaid"), ("Underpaid", "leads_underpaid"),
                       ("Overpaid", "leads_overpaid"), ("Not due yet", "leads_pending")):
        (shown,) = [m.proto for m in at.metric if m.label == label]  # the count is not in it
        assert shown.delta == f"{t[key]:,} lead{'' if t[key] == 1 else 's'}", label
        assert shown.color == shown.GRAY and shown.direction == shown.NONE, label
    assert tile(at, "Unmatched payouts") == str(t["unmatched_payouts"])
    assert any("25 for every lead; when won, \\$100 plus 1 % of the sale" in c.value
               for c in at.caption)  # as text: $ escaped, not LaTeX
    frames = [d.value for d in at.dataframe]
    per_tech = next(f for f in frames if "underpaid_amount" in f.columns)
    # one page of techs, in the order a long audit opens on: the techs owed the most first
    owed = sorted(expected["by_tech"], key=lambda r: -r["unpaid_amount"])  # stable: by ID
    assert per_tech["tech_id"].tolist() == [r["tech_id"] for r in owed]
    assert per_tech["unpaid_amount"].iloc[0] > per_tech["unpaid_amount"].iloc[-1]
    to_fix = next(f for f in frames if "audit" in f.columns)
    assert set(to_fix["audit"]) <= {"unpaid", "underpaid", "overpaid"}
    assert len(to_fix) == t["leads_unpaid"] + t["leads_underpaid"] + t["leads_overpaid"]
    assert f"{len(to_fix):,} leads with these verdicts" in [c.value for c in at.caption]
    assert any(b.label.startswith("Download corrections") for b in at.get("download_button"))

    at.multiselect(key="rw_status").set_value(["overpaid"]).run()
    to_fix = next(d.value for d in at.dataframe if "audit" in d.value.columns)
    assert set(to_fix["audit"]) == {"overpaid"} and len(to_fix) == t["leads_overpaid"]

    at.number_input(key="rw_grace").set_value(0).run()
    zero = rewards.audit(db.connect(sample_db), chosen, DEFAULT, grace_days=0)["totals"]
    assert zero["unpaid_amount"] > t["unpaid_amount"]
    assert tile(at, "Unpaid") == ui.fmt("money", zero["unpaid_amount"])
    assert [m.proto.delta for m in at.metric if m.label == "Unpaid"] == [
        f"{zero['leads_unpaid']:,} leads"]


def test_only_the_open_tab_is_drawn_and_the_audits_choices_outlast_a_visit_to_what_if(
        monkeypatch, sample_db):
    at = open_page(monkeypatch, sample_db)
    assert [t.label for t in at.tabs] == ["Audit", "What if"]
    assert not at.data_editor and not [m for m in at.metric if m.label == "Simulated cost"]
    at.number_input(key="rw_grace").set_value(0).run()
    at.multiselect(key="rw_status").set_value(["overpaid"]).run()
    unpaid = tile(at, "Unpaid")
    what_if(at)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.data_editor) == 1 and not [m for m in at.metric if m.label == "Earned"]
    assert not at.number_input and not at.multiselect(key="lb_branch").value  # Audit's not drawn
    at.session_state["rw_tab"] = "Audit"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.number_input(key="rw_grace").value == 0
    assert at.multiselect(key="rw_status").value == ["overpaid"]
    assert tile(at, "Unpaid") == unpaid
    to_fix = next(d.value for d in at.dataframe if "audit" in d.value.columns)
    assert set(to_fix["audit"]) == {"overpaid"}


def test_a_changed_rule_changes_the_what_if_figures(monkeypatch, sample_db):
    at = what_if(open_page(monkeypatch, sample_db))
    con = db.connect(sample_db)
    chosen = policy.parse(sample.REWARD_POLICY_TEXT)
    before = rewards.simulate(con, chosen, DEFAULT)["totals"]
    assert tile(at, "Simulated cost") == ui.fmt("money", before["simulated_cost"])
    assert len(at.data_editor) == 1
    rules = at.data_editor[0].value
    assert rules["amount"].tolist() == [25.0, 100.0]
    # the choices read in words ("Lead won", "Gross margin"); the cells keep the policy's codes
    columns = json.loads(at.data_editor[0].proto.columns)
    choices = {c: {o["value"]: o["label"] for o in columns[c]["type_config"]["options"]}
               for c in ("event", "base", "lead_types")}
    assert choices["event"] == {"submitted": "Lead submitted", "won": "Lead won"}
    assert choices["base"] == {"revenue": "Revenue", "margin": "Gross margin"}
    assert choices["lead_types"]["new_equipment"] == "New equipment"
    assert rules["event"].tolist() == ["submitted", "won"]
    assert any("simulation keeps the techs' behaviour as it was" in i.value for i in at.info)

    # The what-if starts from another policy (as an upload does): $50 a lead, 3 % of the margin.
    other = policy.parse(sample.REWARD_POLICY_TEXT.replace("amount = 25.00", "amount = 50.00")
                         .replace('percent = 1.0\nbase = "revenue"', 'percent = 3.0\nbase = "margin"'))
    at.session_state["rw_start"] = policy.to_toml(other)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    after = rewards.simulate(con, other, DEFAULT)["totals"]
    assert after["simulated_cost"] != before["simulated_cost"]
    assert tile(at, "Simulated cost") == ui.fmt("money", after["simulated_cost"])
    assert tile(at, "Cost per won deal") == ui.fmt("money", after["simulated_cost_per_won_deal"])
    assert tile(at, "Program ROI") == ui.fmt("rate", after["simulated_program_roi"])
    assert at.data_editor[0].value["amount"].tolist() == [50.0, 100.0]
    assert any("50 for every lead" in m.value for m in at.markdown)


def test_without_a_policy_the_page_asks_for_one(monkeypatch, sample_db, tmp_path):
    at = open_page(monkeypatch, copy_db(sample_db, tmp_path))  # no policies/ beside the copy
    assert not at.exception, [e.value for e in at.exception]
    assert any("No reward policy is in force yet" in i.value for i in at.info)
    what_if(at)
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.data_editor) == 1  # the what-if starts from the example policy


def test_a_long_per_tech_audit_opens_on_the_techs_owed_the_most(monkeypatch, sample_db):
    """More techs than a page: sorted over every tech by what is unpaid, largest first, before it
    is paged; another column can be picked."""
    monkeypatch.setattr(ui_table, "PAGE_ROWS", 10)
    at = open_page(monkeypatch, sample_db)
    assert not at.exception, [e.value for e in at.exception]
    every = rewards.audit(db.connect(sample_db), policy.parse(sample.REWARD_POLICY_TEXT),
                          DEFAULT)["by_tech"]
    assert len(every) > 10
    assert at.selectbox(key="rw_audit_tech_sort").value == "unpaid_amount"
    per_tech = next(d.value for d in at.dataframe if "underpaid_amount" in d.value.columns)
    owed = sorted((r["unpaid_amount"] for r in every), reverse=True)[:10]
    assert per_tech["unpaid_amount"].tolist() == pytest.approx(owed)
    at.selectbox(key="rw_audit_tech_sort").set_value("overpaid_amount").run()
    per_tech = next(d.value for d in at.dataframe if "underpaid_amount" in d.value.columns)
    over = sorted((r["overpaid_amount"] for r in every), reverse=True)[:10]
    assert per_tech["overpaid_amount"].tolist() == pytest.approx(over)

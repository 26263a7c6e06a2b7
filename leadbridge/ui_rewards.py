"""The Streamlit side of the Reward program page: the policy in force, the audit tab and the
what-if tab. The engine (leadbridge.policy, leadbridge.rewards) does the work; this draws it."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from leadbridge import (
    charts_rewards,
    contract,
    exports,
    metrics,
    policy,
    rewards,
    ui,
    ui_access,
    ui_table,
)
from leadbridge.metrics import Filters

# Session keys owned by this module.
START = "rw_start"  # the TOML the what-if starts from (the policy in force, or an upload)
TABS = "rw_tab"  # the open tab: Audit or What if
EDITOR = "rw_rules"
ORIGIN = "rw_origin"  # (base, start): the TOML the what-if began from, and its table's rules
DRAFT = "rw_draft"  # (base, rules): the what-if's rules as last simulated, as TOML
STATUS_PICK = "rw_status"
GRACE = "rw_grace"

AUDIT_LABELS = {"pending": "Not due yet", "unpaid": "Unpaid", "underpaid": "Underpaid",
                "overpaid": "Overpaid"}
DEFAULT_PICK = ("unpaid", "underpaid", "overpaid")  # the leads to fix listed at first
# The audit's choices, kept while the What if tab is open (ui.lazy_tabs' keep).
AUDIT_CHOICES = {GRACE: rewards.DEFAULT_GRACE_DAYS, STATUS_PICK: list(DEFAULT_PICK)}
BEHAVIOUR_NOTE = (
    "The simulation keeps the techs' behaviour as it was: the same leads, the same wins, on the "
    "same days. A different policy may change what techs submit; this does not guess how."
)


# The rule editor's choices in words; the cells keep the policy file's codes ("won", "margin").
EVENT_WORDS = {"submitted": "Lead submitted", "won": "Lead won"}
BASE_WORDS = {"revenue": "Revenue", "margin": "Gross margin"}


def _money(label: str, help_text: str | None = None):
    return st.column_config.NumberColumn(label, format="dollar", help=help_text)


AUDIT_TECH_COLUMNS = {
    "tech_id": "Tech ID", "tech_name": "Technician", "earned": _money("Earned"),
    "due": _money("Due now"), "paid": _money("Paid"), "unpaid_amount": _money("Unpaid"),
    "underpaid_amount": _money("Underpaid by"), "overpaid_amount": _money("Overpaid by"),
}
# A long per-tech audit (more techs than a page) opens on the techs owed the most.
AUDIT_TECH_SORT = {"unpaid_amount": "Unpaid", "underpaid_amount": "Underpaid by",
                   "overpaid_amount": "Overpaid by", "earned": "Earned", "paid": "Paid"}
AUDIT_LEAD_COLUMNS = {
    "lead_id": "Lead", "tech_id": "Tech ID",
    "submitted_at": st.column_config.DateColumn("Submitted"),
    "status": ui.labelled("Lead status", ui.STATUS_LABELS),
    "earned": _money("Earned"), "due": _money("Due now"), "pending": _money("Not due yet"),
    "paid": _money("Paid"), "audit": ui.labelled("Audit", AUDIT_LABELS),
    "duplicate_payment": st.column_config.CheckboxColumn("Paid twice"),
    "paid_to_other_tech": st.column_config.CheckboxColumn("Paid to another tech"),
}
SIM_TECH_COLUMNS = {
    "tech_id": "Tech ID", "tech_name": "Technician", "simulated_cost": _money("Simulated"),
    "actual_cost": _money("Paid"), "difference": _money("Difference"),
}


# --- the policy in force ----------------------------------------------------------------------


def policy_in_force() -> tuple[str, policy.Policy, date] | None:
    """(key, policy, since) of the policy in force beside this database, or None."""
    try:
        return policy.in_force(ui.db_file())
    except (policy.PolicyError, OSError, ValueError) as exc:
        st.error(_plain(f"The policy in force cannot be read: {exc}"))
        return None


def _in_force_text(current) -> str | None:
    return None if current is None else policy.text_of(current[0], ui.db_file())


def no_policy_panel() -> None:
    """No policy in force yet: keep one from a TOML file and put it in force."""
    st.info("No reward policy is in force yet. Upload the policy file (TOML, see docs/rewards.md) "
            "to audit what payroll paid against it.")
    upload = st.file_uploader("Policy file (.toml)", type=["toml"], key="rw_keep_upload")
    since = st.date_input("In force from", value=date(date.today().year, 1, 1), key="rw_since")
    if upload is not None and st.button("Keep and put in force", key="rw_keep"):
        try:
            key = policy.add(upload.getvalue().decode("utf-8"), ui.db_file(), source=upload.name,
                             replace=True)
            policy.use(key, since, ui.db_file())
        except (policy.PolicyError, UnicodeDecodeError) as exc:
            st.error(_plain(str(exc)))
            return
        st.rerun()


def policy_caption(current) -> None:
    key, chosen, since = current
    st.markdown(f"**Policy in force since {since:%b %-d, %Y}:** {_plain(chosen.name)}")
    st.caption(_plain(policy.explain(chosen)))


def _plain(text: str) -> str:
    """Text from a file, shown in markdown as text (no markup)."""
    return "".join("\\" + c if c in "\\`*_{}[]()#+-.!|<>~$" else c for c in str(text))


# --- cached engine calls --------------------------------------------------------------------


@st.cache_data(show_spinner="Auditing…", max_entries=64)
def _audit(path: str, version: int, text: str, filters: Filters, grace: int,
           statuses: tuple[str, ...]) -> tuple[dict, pd.DataFrame]:
    # The totals, the techs and the leads of the verdicts picked from one run of the audit.
    return rewards.audit_with_leads(ui.connection(), policy.parse(text), filters, statuses, grace)


@st.cache_data(show_spinner="Simulating…", max_entries=64)
def _simulate(path: str, version: int, text: str, filters: Filters) -> dict:
    return rewards.simulate(ui.connection(), policy.parse(text), filters)


def _corrections_csv(text: str, filters: Filters, grace: int) -> str:
    frame = rewards.corrections(ui.connection(), policy.parse(text), filters, grace)
    return rewards.corrections_csv(frame)


# --- the audit tab ----------------------------------------------------------------------------


def _leads_chip(leads: int) -> dict:
    """A verdict tile's count of leads, as a grey chip under the amount: in the label it was cut
    ("Not due yet (55,757 le…") four tiles to a row at 1280 pixels."""
    return {"delta": f"{leads:,} lead{'' if leads == 1 else 's'}", "delta_color": "off",
            "delta_arrow": "off"}


def audit_tab(filters: Filters, current) -> None:
    if current is None:
        no_policy_panel()
        return
    policy_caption(current)
    text = _in_force_text(current)
    grace = int(st.number_input(
        "Grace days", min_value=0, max_value=365, step=1, key=GRACE,
        help="Days payroll has after a lead is submitted or won before its reward is due. "
        "Rewards of more recent events are 'not due yet'."))
    # The verdicts picked below (the widget's value from the previous run, the default at first):
    # one audit call brings the totals, the techs and those leads.
    picked = st.session_state[STATUS_PICK]
    data, leads = _audit(ui.db_file(), ui.data_version(), text, filters, grace,
                         tuple(picked) or tuple(AUDIT_LABELS))
    t = data["totals"]
    st.caption(f"The {t['leads']:,} leads submitted in {metrics.period_label(filters)}, judged by "
               f"everything paid up to {pd.Timestamp(data['as_of']):%b %-d, %Y} (the latest date "
               "in the data).")
    ui.kpi_tiles([
        {"label": "Earned", "kind": "money", "value": t["earned"],
         "help": "What the period's leads earned under the policy so far."},
        {"label": "Paid", "kind": "money", "value": t["paid"],
         "help": "What payroll paid for these leads, whatever the tech, clawbacks deducted."},
        {"label": "Unpaid", "kind": "money", "value": t["unpaid_amount"],
         **_leads_chip(t["leads_unpaid"]),
         "help": "Rewards due (past the grace days) on leads that got nothing."},
        {"label": "Underpaid", "kind": "money", "value": t["underpaid_amount"],
         **_leads_chip(t["leads_underpaid"]),
         "help": "What is still owed on leads paid less than is due."},
        {"label": "Overpaid", "kind": "money", "value": t["overpaid_amount"],
         **_leads_chip(t["leads_overpaid"]),
         "help": "What was paid beyond what leads earned (double payments, missed clawbacks)."},
        {"label": "Not due yet", "kind": "money", "value": t["pending"],
         **_leads_chip(t["leads_pending"]),
         "help": "Earned within the grace days: payroll has not had to pay it yet."},
        {"label": "Unmatched payouts", "kind": "count", "value": t["unmatched_payouts"],
         "help": f"Payouts in the period for no known lead (bonuses, prizes, typos): "
         f"${t['unmatched_amount']:,.2f}. The audit cannot judge them."},
    ])
    st.subheader("Per tech")
    by_tech = pd.DataFrame(data["by_tech"], columns=list(rewards.AUDIT_BY_TECH_KEYS))
    if by_tech.empty:
        st.info(ui.empty_note(filters, "leads with rewards"))
    else:
        ui_table.table(by_tech, "rewards", "audit-by-tech", filters, key="rw_audit_tech",
                       column_config=AUDIT_TECH_COLUMNS, sort=AUDIT_TECH_SORT)
    st.subheader("Leads to fix")
    st.multiselect("Audit verdict", list(AUDIT_LABELS), format_func=AUDIT_LABELS.get,
                   key=STATUS_PICK)
    st.caption(f"{len(leads):,} lead{'' if len(leads) == 1 else 's'} with these verdicts")
    if not leads.empty:
        ui_table.table(leads, "rewards", "leads-to-fix", filters, key="rw_audit_leads",
                 column_config=AUDIT_LEAD_COLUMNS, height=min(420, 38 + 35 * len(leads)))
    name = exports.file_stem("rewards", "corrections", filters, date.today())
    # Written to the access log like every other download (it holds per-person money), and the
    # click does not rerun the page: a rerun dropped the file being built before the browser
    # fetched it on a busy server (a browser test waited 60 s for it, Nov 28).
    st.download_button(
        "Download corrections for payroll (CSV)",
        ui_access.logged_download(lambda: _corrections_csv(text, filters, grace),
                                  "rewards: corrections for payroll (CSV)", filters),
        f"{name}.csv", "text/csv", key="rw_corrections", icon=":material/download:",
        on_click="ignore",
        help="One row per tech and lead to pay (amount owed) or recover (negative amount), "
        "with why. Built when you click.")


# --- the what-if tab ------------------------------------------------------------------------


def _rules_editor(start: policy.Policy, branches: list[str], version: str) -> pd.DataFrame:
    frame = pd.DataFrame(policy.rule_rows(start), columns=[
        "name", "event", "amount", "percent", "base", "cap", "min_revenue", "lead_types",
        "branches", "from", "to"])
    frame["from"] = pd.to_datetime(frame["from"])
    frame["to"] = pd.to_datetime(frame["to"])
    config = {
        "name": st.column_config.TextColumn("Rule", required=True),
        "event": st.column_config.SelectboxColumn("Pays when", options=list(policy.EVENTS),
                                                  required=True, format_func=EVENT_WORDS.get),
        "amount": st.column_config.NumberColumn("Amount ($)", min_value=0, format="%.2f"),
        "percent": st.column_config.NumberColumn("Percent", min_value=0, format="%.2f %%",
                                                 help="Won rules: percent of the base"),
        "base": st.column_config.SelectboxColumn("Of the", options=list(policy.BASES),
                                                 format_func=BASE_WORDS.get),
        "cap": st.column_config.NumberColumn("At most ($)", min_value=0, format="%.2f"),
        "min_revenue": st.column_config.NumberColumn("Min sale ($)", min_value=0, format="%.2f"),
        "lead_types": st.column_config.MultiselectColumn(
            "Lead types", options=list(contract.LEAD_TYPES), help="Empty: every type",
            format_func=ui.lead_type_label),
        "branches": st.column_config.MultiselectColumn(
            "Branches", options=branches, help="Empty: every branch"),
        "from": st.column_config.DateColumn("From"),
        "to": st.column_config.DateColumn("To"),
    }
    # An empty cell of a rule means "no limit" or "every type": blank, as a person leaves it, not
    # Streamlit's "None", which reads as "no type".
    return st.data_editor(frame, num_rows="dynamic", hide_index=True, column_config=config,
                          placeholder="", key=f"{EDITOR}_{version}")


def _editor_version(text: str) -> str:
    return str(abs(hash(text)) % 10**8)


def _start_text(base: str) -> str:
    """The TOML the rules table starts from: `base` (the policy in force, or an upload), or, when
    the user comes back to this tab, the rules they had made of it. Streamlit forgets a table's
    edits when a run does not draw it (the Audit tab was open), so they are kept as TOML (DRAFT)
    and the table starts again from them; while it is drawn, it keeps its own start."""
    origin = st.session_state.get(ORIGIN)
    if (origin is not None and origin[0] == base
            and f"{EDITOR}_{_editor_version(origin[1])}" in st.session_state):
        return origin[1]  # the table is alive: its edits are on top of its start
    draft = st.session_state.get(DRAFT)
    start = draft[1] if draft is not None and draft[0] == base else base
    st.session_state[ORIGIN] = (base, start)
    return start


def what_if_tab(filters: Filters, current) -> None:
    in_force = _in_force_text(current)  # read once: the file beside the database
    base_text = st.session_state.get(START) or in_force or policy.EXAMPLE
    upload = st.file_uploader("Or start from a policy file (.toml)", type=["toml"],
                              key="rw_whatif_upload")
    if upload is not None:
        uploaded = upload.getvalue().decode("utf-8", errors="replace")
        try:
            policy.parse(uploaded, upload.name)
            base_text = uploaded
        except policy.PolicyError as exc:
            st.error(_plain(str(exc)))
    base = policy.parse(base_text)
    start_text = _start_text(base_text)
    start = base if start_text == base_text else policy.parse(start_text)
    source = "the policy in force" if base_text == in_force else _plain(base.name)
    st.caption("Change the rules below (add or remove rows); the figures follow. Started from "
               + source + (", with the changes you made before." if start_text != base_text
                           else "."))
    branches = sorted(ui.query("filter_choices").query("kind == 'branch'")["value"].tolist())
    left, right = st.columns([3, 1])
    with left:
        edited = _rules_editor(start, branches, _editor_version(start_text))
    try:
        draft = policy.from_rows(f"{base.name} (what if)", edited.to_dict("records"))
    except policy.PolicyError as exc:
        st.error(_plain(f"These rules cannot be simulated: {exc}"))
        return
    if draft.rules == base.rules:
        st.session_state.pop(DRAFT, None)
    else:
        st.session_state[DRAFT] = (base_text, policy.to_toml(policy.Policy(base.name, draft.rules)))
    with right:
        st.markdown("**In plain words**")
        for rule in draft.rules:
            st.markdown("- " + _plain(f"{rule.name}: {policy.explain_rule(rule)}"))
    text = policy.to_toml(draft)
    sim = _simulate(ui.db_file(), ui.data_version(), text, filters)
    st.info(BEHAVIOUR_NOTE, icon=":material/info:")
    t = sim["totals"]
    ui.kpi_tiles([
        {"label": "Simulated cost", "kind": "money", "value": t["simulated_cost"],
         "previous": t["actual_cost"], "inverse": True,
         "help": "What this policy would have cost for the period's events; the change is "
         "against what was actually paid."},
        {"label": "Actually paid", "kind": "money", "value": t["actual_cost"],
         "help": "Rewards paid in the period, clawbacks deducted."},
        {"label": "Cost per won deal", "kind": "money", "value": t["simulated_cost_per_won_deal"],
         "inverse": True, "help": "Simulated cost ÷ deals won in the period."},
        {"label": "Revenue per reward $", "kind": "ratio",
         "value": t["simulated_revenue_per_reward_dollar"],
         "help": "Revenue attributed ÷ simulated cost."},
        {"label": "Program ROI", "kind": "rate", "value": t["simulated_program_roi"],
         "help": "(Gross margin of deals won − simulated cost) ÷ simulated cost."},
        {"label": "Deals won", "kind": "count", "value": t["deals_won"],
         "help": "Leads won with their close date in the period (the same under any policy)."},
    ])
    if t["leads_missing_margin"]:
        missing = t["leads_missing_margin"]
        st.warning(f"{missing:,} won {'lead has' if missing == 1 else 'leads have'} no gross "
                   f"margin: {'its' if missing == 1 else 'their'} margin share counts as $0.")
    monthly = pd.DataFrame(sim["monthly"], columns=list(rewards.SIM_MONTHLY_KEYS))
    ui.chart(charts_rewards.simulated_vs_actual(monthly, ui.empty_note(filters, "rewards")))
    by_tech = pd.DataFrame(sim["by_tech"], columns=list(rewards.SIM_BY_TECH_KEYS))
    ui.chart(charts_rewards.tech_difference(by_tech, ui.empty_note(filters, "differences")))
    st.subheader("Per tech")
    ui_table.table(by_tech.sort_values("difference", ascending=False), "rewards", "what-if-by-tech",
             filters, key="rw_sim_tech", column_config=SIM_TECH_COLUMNS)
    st.subheader("Keep this policy")
    cols = st.columns([2, 1, 1], vertical_alignment="bottom")
    name = cols[0].text_input("Name", value=f"{base.name} (what if)", key="rw_save_name")
    kept = policy.Policy(name.strip() or draft.name, draft.rules)
    if cols[1].button("Save as a new policy", key="rw_save"):
        try:
            key = policy.add(policy.to_toml(kept), ui.db_file(), source="the rules table")
            st.success(f"Kept as {key}. Put it in force with `leadbridge policies use {key} "
                       "--from YYYY-MM-DD`.")
        except policy.PolicyError as exc:
            st.error(_plain(str(exc)))
    cols[2].download_button("Download as TOML", policy.to_toml(kept),
                            f"{policy.slug(kept.name)}.toml", "application/toml",
                            key="rw_toml", icon=":material/download:")

"""Reward program: are techs paid what the policy promises (audit), and what would another policy
cost (what if)."""

import streamlit as st

from leadbridge import ui, ui_rewards

filters = ui.current_filters()
ui.page_header("Reward program", filters, "rewards earned under the policy against payroll")
current = ui_rewards.policy_in_force()
audit_tab, what_if_tab = st.tabs(["Audit", "What if"])
with audit_tab:
    ui_rewards.audit_tab(filters, current)
with what_if_tab:
    ui_rewards.what_if_tab(filters, current)

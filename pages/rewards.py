"""Reward program: are techs paid what the policy promises (audit), and what would another policy
cost (what if)."""

from leadbridge import ui, ui_rewards

filters = ui.current_filters()
ui.page_header("Reward program", filters, "rewards earned under the policy against payroll")
current = ui_rewards.policy_in_force()
ui.lazy_tabs(ui_rewards.TABS, {
    "Audit": lambda: ui_rewards.audit_tab(filters, current),
    "What if": lambda: ui_rewards.what_if_tab(filters, current),
}, keep=ui_rewards.AUDIT_CHOICES)

-- The audit's totals over the period's cohort (earned, due, pending, paid, the money owed or paid
-- too much, leads per verdict) and the period's payouts no lead explains; one row.
with audit as (
    select *
    from lb_reward_audit($rules, $start, $end, $branches, $lead_types, $techs, $scope, $as_of, $grace_days)
    where lb_in_scope($scope, branch)
),

unmatched as (
    select count(*) as unmatched_payouts, coalesce(sum(amount), 0) as unmatched_amount,
    from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    where not lead_known
        and lb_in_scope($scope, branch)
)

select
    count(*) as leads,
    coalesce(sum(earned), 0) as earned,
    coalesce(sum(due), 0) as due,
    coalesce(sum(pending), 0) as pending,
    coalesce(sum(paid), 0) as paid,
    coalesce(sum(due) filter (where audit = 'unpaid'), 0) as unpaid_amount,
    coalesce(sum(due - paid) filter (where audit = 'underpaid'), 0) as underpaid_amount,
    coalesce(sum(paid - earned) filter (where audit = 'overpaid'), 0) as overpaid_amount,
    count(*) filter (where audit = 'ok') as leads_ok,
    count(*) filter (where audit = 'pending') as leads_pending,
    count(*) filter (where audit = 'unpaid') as leads_unpaid,
    count(*) filter (where audit = 'underpaid') as leads_underpaid,
    count(*) filter (where audit = 'overpaid') as leads_overpaid,
    any_value(u.unmatched_payouts) as unmatched_payouts,
    any_value(u.unmatched_amount) as unmatched_amount,
from audit
cross join unmatched as u

-- The whole audit in one pass (rewards.audit): the period cohort's per-lead audit worked out once,
-- then its totals (one row, part 'totals'), one row per tech (part 'by_tech') and, when $with_leads,
-- one row per lead not ok (part 'leads'; with $audit_status, of those verdicts); the same rows as
-- reward_audit_totals, _by_tech and _leads, stacked by column name (a part's rows leave the other
-- parts' columns NULL).
with audit as materialized (
    select *
    from lb_reward_audit($rules, $start, $end, $branches, $lead_types, $techs, $scope, $as_of, $grace_days)
    where lb_in_scope($scope, branch)
),

unmatched as (
    select count(*) as unmatched_payouts, coalesce(sum(amount), 0) as unmatched_amount,
    from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    where not lead_known
        and lb_in_scope($scope, branch)
),

totals as (
    select
        'totals' as part,
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
),

by_tech as (
    select
        'by_tech' as part,
        a.tech_id,
        any_value(coalesce(t.tech_name, a.tech_name, a.tech_id)) as tech_name,
        sum(a.earned) as earned,
        sum(a.due) as due,
        sum(a.paid) as paid,
        coalesce(sum(a.due) filter (where a.audit = 'unpaid'), 0) as unpaid_amount,
        coalesce(sum(a.due - a.paid) filter (where a.audit = 'underpaid'), 0) as underpaid_amount,
        coalesce(sum(a.paid - a.earned) filter (where a.audit = 'overpaid'), 0) as overpaid_amount,
    from audit as a
    left join stg_techs as t on a.tech_id = t.tech_id
    where a.earned <> 0 or a.payouts > 0
    group by a.tech_id
),

leads as (
    select
        'leads' as part,
        lead_id,
        tech_id,
        submitted_at,
        status,
        earned,
        due,
        pending,
        paid,
        audit,
        duplicate_payment,
        paid_to_other_tech,
    from audit
    where $with_leads
        and audit <> 'ok'
        and (len(cast($audit_status as varchar[])) = 0
             or list_contains(cast($audit_status as varchar[]), audit))
)

select * from totals
union all by name
select * from by_tech
union all by name
select * from leads
order by part, lead_id, tech_id

-- The audit per tech (the lead's tech) over the period's cohort; one row per tech with a cohort
-- lead that earned or was paid anything.
select
    a.tech_id,
    any_value(coalesce(t.tech_name, a.tech_name, a.tech_id)) as tech_name,
    sum(a.earned) as earned,
    sum(a.due) as due,
    sum(a.paid) as paid,
    coalesce(sum(a.due) filter (where a.audit = 'unpaid'), 0) as unpaid_amount,
    coalesce(sum(a.due - a.paid) filter (where a.audit = 'underpaid'), 0) as underpaid_amount,
    coalesce(sum(a.paid - a.earned) filter (where a.audit = 'overpaid'), 0) as overpaid_amount,
from lb_reward_audit($rules, $start, $end, $branches, $lead_types, $techs, $scope, $as_of, $grace_days) as a
left join stg_techs as t on a.tech_id = t.tech_id
where lb_in_scope($scope, a.branch)
    and (a.earned <> 0 or a.payouts > 0)
group by a.tech_id
order by a.tech_id

-- What payroll must correct in the period's cohort: leads unpaid, underpaid or overpaid, and
-- leads paid (partly) to another tech, with the other techs and what they were paid; one row per lead.
with audit as (
    select *
    from lb_reward_audit($rules, $start, $end, $branches, $lead_types, $techs, $scope, $as_of, $grace_days)
    where lb_in_scope($scope, branch)
        and (audit in ('unpaid', 'underpaid', 'overpaid') or paid_to_other_tech)
),

others as (
    select a.lead_id, p.tech_id, sum(p.amount) as amount,
    from stg_payouts as p
    inner join audit as a
        on p.lead_key = a.lead_key
    where p.tech_id <> a.tech_id
        and p.paid_on <= $as_of
    group by all
)

select
    a.lead_id,
    a.tech_id,
    coalesce(t.tech_name, a.tech_name, a.tech_id) as tech_name,
    a.audit,
    a.earned,
    a.due,
    a.paid,
    a.paid_other,
    a.duplicate_payment,
    a.paid_to_other_tech,
    o.tech_id as other_tech_id,
    coalesce(ot.tech_name, o.tech_id) as other_tech_name,
    o.amount as other_amount,
from audit as a
left join others as o on a.lead_id = o.lead_id
left join stg_techs as t on a.tech_id = t.tech_id
left join stg_techs as ot on o.tech_id = ot.tech_id
order by a.lead_id, o.tech_id

-- Rewards taken back (negative payouts) in the period; one row per clawback.
select
    p.paid_on,
    p.tech_id,
    t.tech_name,
    p.lead_id,
    p.amount,
    coalesce(p.reason, 'Not given') as reason,
    p.branch,
from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope) as p
left join stg_techs as t
    on p.tech_id = t.tech_id
where p.amount < 0
order by p.paid_on desc, p.tech_id

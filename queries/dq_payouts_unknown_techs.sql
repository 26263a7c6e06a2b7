-- Technicians paid rewards who are not in the roster; one row per such tech (their payouts in the
-- branches the person asking may see: a payout's branch is its lead's, else Unassigned).
select
    p.tech_id,
    count(*) as payouts,
    sum(p.amount) as amount,
from stg_payouts as p
where not exists (select 1 from techs as t where t.tech_id = p.tech_id)
    and lb_in_scope($scope, p.branch)
group by p.tech_id
order by p.tech_id

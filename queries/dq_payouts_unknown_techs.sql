-- Technicians paid rewards who are not in the roster; one row per such tech.
select
    p.tech_id,
    count(*) as payouts,
    sum(p.amount) as amount,
from payouts as p
where not exists (select 1 from techs as t where t.tech_id = p.tech_id)
group by p.tech_id
order by p.tech_id

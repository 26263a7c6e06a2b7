-- Technicians with leads who are not in the roster; one row per such tech (their leads in the
-- branches the person asking may see; a lead's branch as stg_leads gives it).
-- The leads of unknown techs first (few, usually none), then their branches: joined the other
-- way round, every lead was matched with stg_leads before the roster was asked.
with unknown as (
    select l.lead_id, l.tech_id, l.tech_name, l.submitted_at,
    from leads as l
    where not exists (select 1 from techs as t where t.tech_id = l.tech_id)
)

select
    l.tech_id,
    any_value(l.tech_name order by l.submitted_at desc) as tech_name,
    count(*) as leads,
    min(l.submitted_at) as first_lead,
    max(l.submitted_at) as last_lead,
from unknown as l
inner join stg_leads as s
    on l.lead_id = s.lead_id
where lb_in_scope($scope, s.branch)
group by l.tech_id
order by leads desc, l.tech_id

-- Leads whose first contact or close date is before the day the lead was submitted; one row per lead.
select
    lead_id,
    tech_id,
    branch,
    submitted_at,
    contacted_at,
    closed_at,
    concat_ws(
        ' and ',
        case when contacted_at < submitted_at then 'contacted before submission' end,
        case when closed_at < submitted_at then 'closed before submission' end
    ) as problem,
from stg_leads
where (contacted_at < submitted_at or closed_at < submitted_at)
    and lb_in_scope($scope, branch)
order by submitted_at, lead_id

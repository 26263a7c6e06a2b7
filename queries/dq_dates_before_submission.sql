-- Leads whose first contact or close date is before the day the lead was submitted; one row per lead.
select
    l.lead_id,
    l.tech_id,
    l.submitted_at,
    o.contacted_at,
    o.closed_at,
    concat_ws(
        ' and ',
        case when o.contacted_at < l.submitted_at then 'contacted before submission' end,
        case when o.closed_at < l.submitted_at then 'closed before submission' end
    ) as problem,
from leads as l
inner join outcomes as o
    on l.lead_id = o.lead_id
where o.contacted_at < l.submitted_at
    or o.closed_at < l.submitted_at
order by l.submitted_at, l.lead_id

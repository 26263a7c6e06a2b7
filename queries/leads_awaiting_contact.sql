-- Leads sales has not contacted yet at $as_of (status open, no contact date), oldest first; one
-- row per lead. $limit rows from row $offset (a null $limit: every row): the page shows one page.
select
    lead_id,
    submitted_at,
    date_diff('day', submitted_at, cast($as_of as date)) as days_waiting,
    coalesce(sales_rep, 'Unassigned') as sales_rep,
    tech_id,
    tech_name,
    branch,
    lead_type_label as lead_type,
    customer_name,
    estimated_value,
from lb_awaiting_contact($as_of, $end, $branches, $lead_types, $techs, $scope)
order by submitted_at, lead_id
limit $limit offset $offset

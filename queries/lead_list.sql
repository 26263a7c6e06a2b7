-- The cohort's leads with what became of each, newest first; one row per lead. $limit rows from
-- row $offset (a null $limit: every row): the page shows one page, the download every row.
select
    lead_id,
    submitted_at,
    tech_id,
    tech_name,
    branch,
    lead_type_label as lead_type,
    customer_name,
    estimated_value,
    status,
    sales_rep,
    contacted_at,
    closed_at,
    revenue,
    loss_reason,
    days_to_contact,
from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
order by submitted_at desc, lead_id
limit $limit offset $offset

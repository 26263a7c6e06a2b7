-- The meeting's list of leads waiting for a first call: the leads awaiting contact at $as_of by
-- sales rep, the longest waiting first, so each rep leaves with their own list to call; one row
-- per lead. A slide's part is $limit rows from row $offset (a null $limit: every row).
with waiting as (
    select * from lb_awaiting_contact($as_of, $end, $branches, $lead_types, $techs, $scope)
),

final as (
    select
        lead_id,
        submitted_at,
        date_diff('day', submitted_at, cast($as_of as date)) as days_waiting,
        coalesce(sales_rep, 'Unassigned') as sales_rep,
        tech_id,
        tech_name,
        lb_tech_label(tech_name, tech_id) as tech,
        branch,
        lead_type_label as lead_type,
        customer_name,
        estimated_value,
    from waiting
)

select * from final
order by sales_rep, days_waiting desc, lead_id
limit $limit offset $offset

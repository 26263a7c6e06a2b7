-- The biggest wins: the $top deals won in the period with the most revenue, with the tech who
-- found each; one row per deal (lead).
with deals as (
    select * from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
),

final as (
    select
        lead_id,
        tech_id,
        tech_name,
        branch,
        customer_name,
        lead_type_label as lead_type,
        sales_rep,
        submitted_at,
        closed_at,
        revenue,
    from deals
)

select * from final
order by revenue desc nulls last, closed_at, lead_id
limit $top

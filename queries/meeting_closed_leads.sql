-- Closing the loop: every lead closed (won or lost) in the period, whatever month it was
-- submitted, with its outcome and loss reason, by tech; one row per lead. A slide's part is
-- $limit rows from row $offset (a null $limit: every row); `tech` is labelled over every row.
with closed as (
    select * from lb_closed($start, $end, $branches, $lead_types, $techs, $scope)
),

final as (
    select
        tech_id,
        tech_name,
        lb_tech_label(tech_name, tech_id) as tech,
        lead_id,
        branch,
        customer_name,
        lead_type_label as lead_type,
        status,
        case status when 'won' then 'Won' else 'Lost' end as outcome,
        case when status = 'lost' then coalesce(loss_reason, 'Not given') end as loss_reason,
        sales_rep,
        submitted_at,
        closed_at,
        revenue,
    from closed
)

select * from final
order by tech_name, tech_id, status desc, closed_at, lead_id
limit $limit offset $offset

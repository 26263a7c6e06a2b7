-- The open backlog at $as_of (leads submitted by the period's end, not yet won or lost) by days
-- since submission and status; one row per age bucket and status present.
with backlog as (
    select
        status,
        date_diff('day', submitted_at, cast($as_of as date)) as age_days,
    from lb_backlog($end, $branches, $lead_types, $techs, $scope)
    where submitted_at <= $as_of
),

bucketed as (
    select
        case
            when age_days <= 7 then 1
            when age_days <= 14 then 2
            when age_days <= 30 then 3
            else 4
        end as bucket_order,
        status,
    from backlog
),

final as (
    select
        bucket_order,
        ['0–7 days', '8–14 days', '15–30 days', 'over 30 days'][bucket_order] as age_bucket,
        status,
        count(*) as leads,
    from bucketed
    group by all
)

select * from final
order by bucket_order, status

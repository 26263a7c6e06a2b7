-- Speed of sales' first contact per value of $dimension (sales_rep or branch) over the cohort:
-- median and 90th percentile days, share contacted within a week; one row per value.
with cohort as (
    select
        lb_dimension_value($dimension, branch, lead_type, sales_rep, tech_id) as dimension_value,
        *,
    from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
),

final as (
    select
        dimension_value,
        count(*) as leads,
        count(days_to_contact) as leads_contacted,
        quantile_cont(days_to_contact, 0.5) as median_days_to_contact,
        quantile_cont(days_to_contact, 0.9) as p90_days_to_contact,
        count(*) filter (where days_to_contact <= 7) / count(*) as contacted_within_7d_share,
        count(*) filter (
            where status = 'open'
                and contacted_at is null
                and date_diff('day', submitted_at, $as_of) >= 7
        ) as awaiting_contact_7d,
    from cohort
    group by dimension_value
)

select * from final
order by dimension_value

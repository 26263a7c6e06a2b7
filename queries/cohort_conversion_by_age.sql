-- Cumulative conversion of each monthly cohort by months since submission, up to $as_of (the
-- cohort heatmap); one row per submission month and month of age.
with cohort as (
    select submitted_month, status, closed_at,
    from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
),

sizes as (
    select submitted_month, count(*) as leads_submitted,
    from cohort
    group by submitted_month
),

-- Won leads per cohort month and month of age at close (0 = closed in the submission month).
won as (
    select
        submitted_month,
        (year(closed_at) * 12 + month(closed_at))
            - (year(submitted_month) * 12 + month(submitted_month)) as close_age,
        count(*) as leads_won,
    from cohort
    where status = 'won'
        and closed_at is not null
    group by all
),

ages as (
    select
        s.submitted_month,
        s.leads_submitted,
        cast(age.months_since as integer) as months_since,
    from sizes as s
    cross join range(0, 121) as age(months_since)
    where s.submitted_month + to_months(cast(age.months_since as integer)) <= cast($as_of as date)
),

final as (
    select
        strftime(a.submitted_month, '%Y-%m') as cohort_month,
        a.months_since,
        a.leads_submitted,
        cast(coalesce(sum(w.leads_won), 0) as bigint) as leads_won_by_then,
        coalesce(sum(w.leads_won), 0) / a.leads_submitted as conversion_rate,
    from ages as a
    left join won as w
        on w.submitted_month = a.submitted_month
        and w.close_age <= a.months_since
    group by a.submitted_month, a.months_since, a.leads_submitted
)

select * from final
order by cohort_month, months_since

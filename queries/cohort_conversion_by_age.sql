-- Cumulative conversion of each monthly cohort by months since submission, up to $as_of (the
-- cohort heatmap); one row per submission month and month of age.
with cohort as (
    select submitted_month, status, closed_at,
    from lb_cohort($start, $end, $branches, $lead_types, $techs)
),

sizes as (
    select submitted_month, count(*) as leads_submitted,
    from cohort
    group by submitted_month
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
        count(c.closed_at) as leads_won_by_then,
        count(c.closed_at) / a.leads_submitted as conversion_rate,
    from ages as a
    left join cohort as c
        on c.submitted_month = a.submitted_month
        and c.status = 'won'
        and c.closed_at < a.submitted_month + to_months(a.months_since + 1)
    group by a.submitted_month, a.months_since, a.leads_submitted
)

select * from final
order by cohort_month, months_since

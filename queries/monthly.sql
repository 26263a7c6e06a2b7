-- Cohort and activity numbers per calendar month of the period; one row per month.
with months as (
    select cast(range as date) as month_start
    from range(cast(date_trunc('month', cast($start as date)) as date), cast($end as date) + 1, interval 1 month)
),

cohort as (
    select
        submitted_month as month_start,
        count(*) as leads_submitted,
        count(*) filter (where status = 'won') as leads_won,
        count(*) filter (where status = 'lost') as leads_lost,
        count(*) filter (where status not in ('won', 'lost')) as leads_open,
    from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
    group by all
),

deals as (
    select
        cast(date_trunc('month', closed_at) as date) as month_start,
        count(*) as deals_won,
        sum(revenue) as revenue_attributed,
    from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
    group by all
),

paid as (
    select
        cast(date_trunc('month', paid_on) as date) as month_start,
        sum(amount) as reward_cost,
    from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    group by all
),

final as (
    select
        strftime(m.month_start, '%Y-%m') as month,
        coalesce(c.leads_submitted, 0) as leads_submitted,
        coalesce(c.leads_won, 0) as leads_won,
        coalesce(c.leads_lost, 0) as leads_lost,
        coalesce(c.leads_open, 0) as leads_open,
        c.leads_won / nullif(c.leads_submitted, 0) as conversion_rate,
        c.leads_open / nullif(c.leads_submitted, 0) as open_share,
        coalesce(d.deals_won, 0) as deals_won,
        coalesce(d.revenue_attributed, 0) as revenue_attributed,
        coalesce(p.reward_cost, 0) as reward_cost,
    from months as m
    left join cohort as c on m.month_start = c.month_start
    left join deals as d on m.month_start = d.month_start
    left join paid as p on m.month_start = p.month_start
)

select * from final
order by month

-- Conversion, win rate, deals and revenue per value of $dimension (branch, lead_type, sales_rep
-- or tech_id) for the period; one row per value with a cohort lead or a deal won.
with cohort as (
    select
        lb_dimension_value($dimension, branch, lead_type, sales_rep, tech_id) as dimension_value,
        count(*) as leads_submitted,
        count(*) filter (where status = 'won') as leads_won,
        count(*) filter (where status = 'lost') as leads_lost,
    from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
    group by all
),

deals as (
    select
        lb_dimension_value($dimension, branch, lead_type, sales_rep, tech_id) as dimension_value,
        count(*) as deals_won,
        sum(revenue) as revenue_attributed,
    from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
    group by all
),

final as (
    select
        dimension_value,
        coalesce(c.leads_submitted, 0) as leads_submitted,
        coalesce(c.leads_won, 0) as leads_won,
        coalesce(c.leads_lost, 0) as leads_lost,
        c.leads_won / nullif(c.leads_submitted, 0) as conversion_rate,
        c.leads_won / nullif(c.leads_won + c.leads_lost, 0) as win_rate,
        coalesce(d.deals_won, 0) as deals_won,
        coalesce(d.revenue_attributed, 0) as revenue_attributed,
    from cohort as c
    full outer join deals as d using (dimension_value)
)

select * from final
order by dimension_value

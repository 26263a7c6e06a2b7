-- Conversion per tech for the cohort, with deals, revenue and rewards of the period; one row per
-- tech with a cohort lead, a deal won or a payout in the period.
with cohort as (
    select
        tech_id,
        count(*) as leads_submitted,
        count(*) filter (where status = 'won') as leads_won,
        count(*) filter (where status = 'lost') as leads_lost,
        count(*) filter (where status not in ('won', 'lost')) as leads_open,
    from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
    group by tech_id
),

deals as (
    select tech_id, count(*) as deals_won, sum(revenue) as revenue_attributed,
    from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
    group by tech_id
),

paid as (
    select tech_id, sum(amount) as reward_cost,
    from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    group by tech_id
),

present as (
    select tech_id from cohort
    union
    select tech_id from deals
    union
    select tech_id from paid
),

final as (
    select
        present.tech_id,
        t.tech_name,
        -- The tech's roster branch; blank for a person who may not see that branch (the
        -- tech's rows count only the leads, deals and payouts of the person's branches).
        case when lb_in_scope($scope, t.roster_branch) then t.roster_branch end as branch,
        coalesce(c.leads_submitted, 0) as leads_submitted,
        coalesce(c.leads_won, 0) as leads_won,
        coalesce(c.leads_lost, 0) as leads_lost,
        coalesce(c.leads_open, 0) as leads_open,
        c.leads_won / nullif(c.leads_submitted, 0) as conversion_rate,
        lb_wilson_low(c.leads_won, c.leads_submitted) as conversion_ci_low,
        lb_wilson_high(c.leads_won, c.leads_submitted) as conversion_ci_high,
        coalesce(d.deals_won, 0) as deals_won,
        coalesce(d.revenue_attributed, 0) as revenue_attributed,
        coalesce(p.reward_cost, 0) as reward_cost,
        case when p.reward_cost > 0
            then coalesce(d.revenue_attributed, 0) / p.reward_cost end as revenue_per_reward_dollar,
    from present
    left join stg_techs as t on present.tech_id = t.tech_id
    left join cohort as c on present.tech_id = c.tech_id
    left join deals as d on present.tech_id = d.tech_id
    left join paid as p on present.tech_id = p.tech_id
)

select * from final
order by tech_id

-- Every cohort and activity total of METRICS.md for the period and filters; one row.
with cohort as (
    select * from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
),

deals as (
    select * from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
),

paid as (
    select * from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
),

active_roster as (
    select tech_id
    from techs
    where active
        and lb_selected($branches, coalesce(branch, 'Unassigned'))
        and lb_in_scope($scope, coalesce(branch, 'Unassigned'))
),

cohort_totals as (
    select
        count(*) as leads_submitted,
        count(*) filter (where status = 'won') as leads_won,
        count(*) filter (where status = 'lost') as leads_lost,
        count(*) filter (where status not in ('won', 'lost')) as leads_open,
        count(*) filter (
            where status = 'open'
                and contacted_at is null
                and date_diff('day', submitted_at, $as_of) >= 7
        ) as leads_awaiting_contact_7d,
    from cohort
),

-- The techs with a cohort lead, counted once each (cheaper than two distinct counts).
cohort_techs as (
    select tech_id
    from cohort
    group by tech_id
),

tech_totals as (
    select
        count(tech_id) as participating_techs,
        count(tech_id) filter (
            where tech_id in (select tech_id from active_roster)
        ) as participating_active_techs,
    from cohort_techs
),

deal_totals as (
    select
        count(*) as deals_won,
        coalesce(sum(revenue), 0) as revenue_attributed,
        sum(gross_margin) as gross_margin_attributed,
    from deals
),

-- The two medians from counts per whole day: the same value as quantile_cont(days, 0.5), the mean
-- of the two middle days (one when the count is odd), each the first day whose running count
-- passes its rank, at a fraction of the work.
day_counts as (
    select 'contact' as measure, days_to_contact as days, count(*) as n,
    from cohort
    where days_to_contact is not null
    group by all
    union all
    select 'close', days_to_close, count(*),
    from deals
    where days_to_close is not null
    group by all
),

medians as (
    select
        min(days) filter (where measure = 'contact' and upto > (total - 1) // 2)
            + min(days) filter (where measure = 'contact' and upto > total // 2) as contact_twice,
        min(days) filter (where measure = 'close' and upto > (total - 1) // 2)
            + min(days) filter (where measure = 'close' and upto > total // 2) as close_twice,
    from (
        select
            measure,
            days,
            sum(n) over (partition by measure order by days) as upto,
            sum(n) over (partition by measure) as total,
        from day_counts
    )
),

reward_totals as (
    select coalesce(sum(amount), 0) as reward_cost from paid
),

roster_totals as (
    select
        case when (select count(*) from techs) > 0
            then (select count(*) from active_roster) end as active_techs
),

final as (
    select
        c.leads_submitted,
        c.leads_won,
        c.leads_lost,
        c.leads_open,
        c.leads_won / nullif(c.leads_submitted, 0) as conversion_rate,
        c.leads_won / nullif(c.leads_won + c.leads_lost, 0) as win_rate,
        m.contact_twice / 2 as median_days_to_contact,
        t.participating_techs,
        r.active_techs,
        t.participating_active_techs / nullif(r.active_techs, 0) as participation_rate,
        c.leads_awaiting_contact_7d,
        d.deals_won,
        d.revenue_attributed,
        d.gross_margin_attributed,
        m.close_twice / 2 as median_days_to_close,
        w.reward_cost,
        case when w.reward_cost > 0 then d.revenue_attributed / w.reward_cost end
            as revenue_per_reward_dollar,
        case when w.reward_cost > 0 and d.gross_margin_attributed is not null
            then (d.gross_margin_attributed - w.reward_cost) / w.reward_cost end as program_roi,
        w.reward_cost / nullif(d.deals_won, 0) as cost_per_won_deal,
    from cohort_totals as c
    cross join tech_totals as t
    cross join deal_totals as d
    cross join reward_totals as w
    cross join roster_totals as r
    cross join medians as m
)

select * from final

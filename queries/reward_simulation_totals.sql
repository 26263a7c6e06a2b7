-- What a policy would have cost in the period (its rule amounts with the event in the period, for
-- leads passing the filters) against the rewards actually paid, with the deals won; one row.
with simulated as (
    select earned, lead_key, missing_margin,
    from lb_reward_earnings($rules, $scope, event_from := $start, event_to := $end)
    where event_date between $start and $end
        and lb_selected($branches, branch)
        and lb_selected($lead_types, lead_type)
        and lb_selected($techs, tech_id)
        and lb_in_scope($scope, branch)
),

deals as (
    select
        count(*) as deals_won,
        coalesce(sum(revenue), 0) as revenue_attributed,
        sum(gross_margin) as gross_margin_attributed,
    from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
    where lb_in_scope($scope, branch)
),

paid as (
    select coalesce(sum(amount), 0) as actual_cost,
    from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    where lb_in_scope($scope, branch)
),

-- The few leads missing a margin are counted apart: a distinct count over every row is slow.
sim as (
    select
        coalesce(sum(earned), 0) as simulated_cost,
        (select count(distinct lead_key) from simulated where missing_margin) as leads_missing_margin,
    from simulated
)

select
    s.simulated_cost,
    p.actual_cost,
    s.simulated_cost - p.actual_cost as difference,
    d.deals_won,
    d.revenue_attributed,
    d.gross_margin_attributed,
    case when d.deals_won > 0 then s.simulated_cost / d.deals_won end as simulated_cost_per_won_deal,
    case when s.simulated_cost > 0 then d.revenue_attributed / s.simulated_cost end
        as simulated_revenue_per_reward_dollar,
    case when s.simulated_cost > 0 and d.gross_margin_attributed is not null
        then (d.gross_margin_attributed - s.simulated_cost) / s.simulated_cost end
        as simulated_program_roi,
    s.leads_missing_margin,
from sim as s
cross join deals as d
cross join paid as p

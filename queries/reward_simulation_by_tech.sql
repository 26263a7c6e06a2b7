-- A policy's simulated cost per tech against the rewards paid to them in the period; one row per
-- tech with a rewarded event or a payout in the period.
with simulated as (
    select tech_id, sum(earned) as cost,
    from lb_reward_earnings($rules, $scope, event_from := $start, event_to := $end)
    where event_date between $start and $end
        and lb_selected($branches, branch)
        and lb_selected($lead_types, lead_type)
        and lb_selected($techs, tech_id)
        and lb_in_scope($scope, branch)
    group by tech_id
),

paid as (
    select tech_id, sum(amount) as cost,
    from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    where lb_in_scope($scope, branch)
    group by tech_id
)

select
    coalesce(s.tech_id, p.tech_id) as tech_id,
    coalesce(t.tech_name, s.tech_id, p.tech_id) as tech_name,
    coalesce(s.cost, 0) as simulated_cost,
    coalesce(p.cost, 0) as actual_cost,
    coalesce(s.cost, 0) - coalesce(p.cost, 0) as difference,
from simulated as s
full outer join paid as p on s.tech_id = p.tech_id
left join stg_techs as t on coalesce(s.tech_id, p.tech_id) = t.tech_id
order by tech_id

-- A policy's simulated cost by the month of the rewarded event against the rewards paid that
-- month; one row per month of the period.
with months as (
    select cast(range as date) as month_start
    from range(cast(date_trunc('month', cast($start as date)) as date), cast($end as date) + 1,
               interval 1 month)
),

simulated as (
    select cast(date_trunc('month', event_date) as date) as month_start, sum(earned) as cost,
    from lb_reward_earnings($rules, $scope, event_from := $start, event_to := $end)
    where event_date between $start and $end
        and lb_selected($branches, branch)
        and lb_selected($lead_types, lead_type)
        and lb_selected($techs, tech_id)
        and lb_in_scope($scope, branch)
    group by all
),

paid as (
    select cast(date_trunc('month', paid_on) as date) as month_start, sum(amount) as cost,
    from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    where lb_in_scope($scope, branch)
    group by all
)

select
    strftime(m.month_start, '%Y-%m') as month,
    coalesce(s.cost, 0) as simulated_cost,
    coalesce(p.cost, 0) as actual_cost,
from months as m
left join simulated as s on m.month_start = s.month_start
left join paid as p on m.month_start = p.month_start
order by month

-- What each rule of a policy would have paid in the period: leads it pays and their cost; one row
-- per rule, in the policy's order (rules that pay nothing included).
with simulated as (
    select rule_index, count(*) as leads, sum(earned) as cost,
    from lb_reward_earnings($rules, $scope, event_from := $start, event_to := $end)
    where event_date between $start and $end
        and lb_selected($branches, branch)
        and lb_selected($lead_types, lead_type)
        and lb_selected($techs, tech_id)
        and lb_in_scope($scope, branch)
    group by rule_index
),

rules as (
    select r.rule_index, r.rule_name,
    from (select unnest($rules) as r)
)

select
    r.rule_name as rule,
    coalesce(s.leads, 0) as leads,
    coalesce(s.cost, 0) as cost,
from rules as r
left join simulated as s on r.rule_index = s.rule_index
order by r.rule_index

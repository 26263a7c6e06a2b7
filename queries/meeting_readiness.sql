-- Meeting readiness: one row per active roster tech (in the branch filter and the access scope),
-- with the day of their first reward paid (a payout of more than zero, ever, up to the period's
-- end); once a tech has earned one, the monthly meeting can become optional for them.
with first_rewards as (
    select tech_id, min(paid_on) as first_reward_on,
    from payouts
    where amount > 0 and paid_on <= $end
    group by tech_id
)

select
    t.tech_id,
    coalesce(s.tech_name, t.tech_name, t.tech_id) as tech_name,
    coalesce(t.branch, 'Unassigned') as branch,
    f.first_reward_on,
    f.first_reward_on is not null as earned_first_reward,
from techs as t
left join stg_techs as s
    on t.tech_id = s.tech_id
left join first_rewards as f
    on t.tech_id = f.tech_id
where t.active
    and lb_selected($branches, coalesce(t.branch, 'Unassigned'))
    and lb_in_scope($scope, coalesce(t.branch, 'Unassigned'))
order by branch, earned_first_reward, tech_name, t.tech_id

-- Rewards per won deal far above the branch's, per tech: rewards paid to the tech in the period
-- (clawbacks deducted) per deal of theirs won in it, against their branch's (the branch of most
-- of their payouts); one row per tech paid in the period.
with paid as (
    select * from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    where lb_in_scope($scope, branch)
),

deals as (
    select * from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
    where lb_in_scope($scope, branch)
),

per_tech as (
    select
        p.tech_id,
        max(t.tech_name) as tech_name,
        mode(p.branch) as branch,
        sum(p.amount) as reward_cost,
        (select count(*) from deals as d where d.tech_id = p.tech_id) as count,
    from paid as p
    left join stg_techs as t
        on p.tech_id = t.tech_id
    group by p.tech_id
),

per_branch as (
    select
        b.branch,
        b.reward_cost / nullif((select count(*) from deals as d where d.branch = b.branch), 0)
            as branch_per_deal,
    from (select branch, sum(amount) as reward_cost from paid group by branch) as b
)

select
    t.tech_id,
    coalesce(t.tech_name, t.tech_id) as tech_name,
    t.branch,
    cast(t.reward_cost as double) as base,
    t.count,
    cast(t.reward_cost as double) / nullif(t.count, 0) as value,
    b.branch_per_deal as benchmark,
    t.reward_cost >= $min_reward_cost
        and b.branch_per_deal > 0
        and coalesce(cast(t.reward_cost as double) / nullif(t.count, 0), 'infinity')
            > $reward_ratio * b.branch_per_deal as flagged,
from per_tech as t
left join per_branch as b
    on t.branch = b.branch
order by t.tech_id

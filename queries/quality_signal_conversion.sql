-- Conversion clearly below the branch per tech: the tech's conversion over the period's leads
-- against their branch's (the branch of most of their leads), flagged when the tech's 95 % Wilson
-- interval lies wholly below the branch's rate; one row per tech with a lead.
with leads as (
    select * from lb_lead_signals($start, $end, $branches, $lead_types, $techs, $scope, $not_real)
),

per_branch as (
    select branch, count(*) filter (where status = 'won') / count(*) as branch_rate,
    from leads
    group by branch
),

per_tech as (
    select
        tech_id,
        max(tech_name) as tech_name,
        mode(branch) as branch,
        count(*) as base,
        count(*) filter (where status = 'won') as count,
    from leads
    group by tech_id
)

select
    t.*,
    t.count / t.base as value,
    b.branch_rate as benchmark,
    t.base >= $min_leads and lb_wilson_high(t.count, t.base) < b.branch_rate as flagged,
    lb_wilson_low(t.count, t.base) as interval_low,
    lb_wilson_high(t.count, t.base) as interval_high,
from per_tech as t
left join per_branch as b
    on t.branch = b.branch
order by t.tech_id

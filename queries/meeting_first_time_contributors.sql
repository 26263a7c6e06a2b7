-- First-time contributors: techs whose first lead ever (in any branch, of any type) was submitted
-- in the period, with their leads of the period; one row per tech.
with first_leads as (
    select
        tech_id,
        min(submitted_at) as first_lead_at,
    from stg_leads
    group by tech_id
),

cohort as (
    select
        tech_id,
        count(*) as leads_submitted,
        count(*) filter (where status = 'won') as leads_won,
    from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
    group by tech_id
),

final as (
    select
        c.tech_id,
        t.tech_name,
        -- The tech's roster branch; blank for a person who may not see that branch (the
        -- tech's rows count only the leads, deals and payouts of the person's branches).
        case when lb_in_scope($scope, t.roster_branch) then t.roster_branch end as branch,
        f.first_lead_at,
        c.leads_submitted,
        c.leads_won,
    from cohort as c
    inner join first_leads as f
        on c.tech_id = f.tech_id
    left join stg_techs as t
        on c.tech_id = t.tech_id
    where f.first_lead_at between $start and $end
)

select * from final
order by first_lead_at, tech_name, tech_id

-- Leads per 100 service jobs run, per tech with jobs in the period; one row per tech (empty when
-- no jobs are loaded).
with jobs_run as (
    select
        tech_id,
        cast(sum(jobs) as bigint) as jobs,
    from stg_jobs
    where completed_at between $start and $end
        and lb_selected($branches, branch)
        and lb_selected($techs, tech_id)
        and lb_in_scope($scope, branch)
    group by tech_id
),

leads as (
    select tech_id, count(*) as leads_submitted,
    from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
    group by tech_id
),

final as (
    select
        j.tech_id,
        t.tech_name,
        -- The tech's roster branch; blank for a person who may not see that branch (the
        -- tech's rows count only the leads, deals and payouts of the person's branches).
        case when lb_in_scope($scope, t.roster_branch) then t.roster_branch end as branch,
        j.jobs,
        coalesce(l.leads_submitted, 0) as leads_submitted,
        100.0 * coalesce(l.leads_submitted, 0) / j.jobs as leads_per_100_jobs,
    from jobs_run as j
    left join leads as l on j.tech_id = l.tech_id
    left join stg_techs as t on j.tech_id = t.tech_id
)

select * from final
order by tech_id

-- Leads with no job behind them per tech, where a jobs file is loaded: the tech's leads of the
-- period whose job_id is empty or matches no job; one row per tech with a lead (no tech is
-- flagged while no jobs are loaded).
with per_tech as (
    select
        tech_id,
        max(tech_name) as tech_name,
        mode(branch) as branch,
        count(*) as base,
        count(*) filter (where no_job) as count,
    from lb_lead_signals($start, $end, $branches, $lead_types, $techs, $scope, $not_real)
    group by tech_id
)

select *, count / base as value, cast($no_job_share as double) as benchmark,
    count >= $min_count and count / base >= $no_job_share as flagged,
from per_tech
order by tech_id

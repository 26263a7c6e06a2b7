-- Leads lost fast as not real, per tech: the tech's leads of the period lost within 14 days of
-- submission with a loss reason in the not-real list ($not_real); one row per tech with a lead.
with per_tech as (
    select
        tech_id,
        max(tech_name) as tech_name,
        mode(branch) as branch,
        count(*) as base,
        count(*) filter (where lost_fast_not_real) as count,
    from lb_lead_signals($start, $end, $branches, $lead_types, $techs, $scope, $not_real)
    group by tech_id
)

select *, count / base as value, cast($lost_fast_share as double) as benchmark,
    count >= $min_count and count / base >= $lost_fast_share as flagged,
from per_tech
order by tech_id

-- Duplicate-looking leads per tech: the tech's leads of the period that have another lead of the
-- same customer and lead type within 30 days (any tech's); one row per tech with a lead.
with per_tech as (
    select
        tech_id,
        max(tech_name) as tech_name,
        mode(branch) as branch,
        count(*) as base,
        count(*) filter (where duplicate_looking) as count,
    from lb_lead_signals($start, $end, $branches, $lead_types, $techs, $scope, $not_real)
    group by tech_id
)

select *, count / base as value, cast($duplicate_share as double) as benchmark,
    count >= $min_count and count / base >= $duplicate_share as flagged,
from per_tech
order by tech_id

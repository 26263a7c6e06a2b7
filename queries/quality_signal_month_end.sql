-- Month-end bunching per tech: the share of the tech's leads of the period submitted in the last
-- 3 days of their month, against the share of the period's days that are (what the days alone
-- would give); one row per tech with a lead.
with per_tech as (
    select
        tech_id,
        max(tech_name) as tech_name,
        mode(branch) as branch,
        count(*) as base,
        count(*) filter (where month_end) as count,
    from lb_lead_signals($start, $end, $branches, $lead_types, $techs, $scope, $not_real)
    group by tech_id
)

select *, count / base as value, lb_month_end_day_share($start, $end) as benchmark,
    base >= $min_leads
        and lb_wilson_low(count, base) > $month_end_ratio * lb_month_end_day_share($start, $end)
        as flagged,
from per_tech
order by tech_id

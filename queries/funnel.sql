-- How far the cohort's leads got: submitted, contacted, qualified, quoted, won; one row.
select
    count(*) as submitted,
    count(*) filter (where status <> 'open' or contacted_at is not null) as contacted,
    count(*) filter (where status in ('qualified', 'quoted', 'won')) as qualified,
    count(*) filter (where status in ('quoted', 'won')) as quoted,
    count(*) filter (where status = 'won') as won,
from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)

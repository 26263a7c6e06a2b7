-- How many leads lead_list lists (the cohort's leads); one row.
select count(*) as leads
from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)

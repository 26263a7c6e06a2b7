-- Who was at the period's meeting(s): one row per person expected at a meeting in the period,
-- whether they came and whether it was the first meeting they attended; techs first, then sales,
-- those who came first, by name.
select meeting_date, person_id, person, role, branch, attended, first_time,
from lb_meeting_people($start, $end, $branches, $scope)
order by meeting_date, role desc, attended desc, first_time desc, person, person_id

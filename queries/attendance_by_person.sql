-- Attendance over the period per person: one row per tech or sales rep expected at a meeting in
-- the period, with meetings expected, attended, the share attended and the last meeting attended.
select
    person_id,
    max(person) as person,
    max(role) as role,
    max(branch) as branch,
    count(*) as meetings,
    count(*) filter (where attended) as attended,
    count(*) filter (where attended) / count(*) as attendance_rate,
    max(meeting_date) filter (where attended) as last_attended,
from lb_meeting_people($start, $end, $branches, $scope)
group by person_id
order by role desc, branch, person, person_id

-- Attendance over the period per branch: one row per branch (the sales reps' row has none), with the
-- meetings held, the seats expected (a person at a meeting), those filled and the share filled.
select
    branch,
    count(distinct meeting_date) as meetings,
    count(*) as expected,
    count(*) filter (where attended) as attended,
    count(*) filter (where attended) / count(*) as attendance_rate,
from lb_meeting_people($start, $end, $branches, $scope)
group by branch
order by branch nulls last

-- Leads after a meeting, per tech: for the meetings of the period a tech was expected at, the
-- leads they submitted in the 30 days after each meeting they attended and each they missed
-- (association, not cause); one row per tech.
with expected as (
    select meeting_date, person_id as tech_id, person as tech, branch, attended,
    from lb_meeting_people($start, $end, $branches, $scope)
    where role = 'tech'
),

after as (
    select
        e.tech_id,
        e.meeting_date,
        e.attended,
        count(l.lead_id) as leads,
    from expected as e
    left join stg_leads as l
        on l.tech_id = e.tech_id
        and l.submitted_at > e.meeting_date
        and l.submitted_at <= e.meeting_date + 30
    group by all
)

select
    e.tech_id,
    max(e.tech) as tech,
    max(e.branch) as branch,
    count(*) filter (where a.attended) as meetings_attended,
    avg(a.leads) filter (where a.attended) as leads_after_attended,
    count(*) filter (where not a.attended) as meetings_missed,
    avg(a.leads) filter (where not a.attended) as leads_after_missed,
from expected as e
inner join after as a
    on e.tech_id = a.tech_id and e.meeting_date = a.meeting_date
group by e.tech_id
order by branch, tech, e.tech_id

-- The monthly meeting's people: each attendance row with who the person is, defined once.

-- Every attendance row (a person expected at a meeting) with the person's name and branch (a
-- tech's roster branch; none for a sales rep, whose ID is their name) and whether this was the
-- first meeting they attended; one row per meeting and person. Sales reps belong to no branch
-- and are at every branch's meeting: a branch filter or an access scope keeps them.
create or replace macro lb_meeting_people(period_start, period_end, branches, scope) as table
with firsts as (
    select person_id, min(meeting_date) filter (where attended) as first_attended,
    from attendance
    group by person_id
),

people as (
    select
        a.meeting_date,
        a.person_id,
        case when lower(coalesce(a.role, '')) like '%sales%' then 'sales' else 'tech' end
            as role,
        a.attended,
        f.first_attended,
        t.tech_name,
        t.roster_branch,
    from attendance as a
    left join firsts as f
        on a.person_id = f.person_id
    left join stg_techs as t
        on a.person_id = t.tech_id
    where a.meeting_date between period_start and period_end
)

select
    meeting_date,
    person_id,
    role,
    case when role = 'sales' then person_id else coalesce(tech_name, person_id) end as person,
    case when role = 'tech' then coalesce(roster_branch, 'Unassigned') end as branch,
    attended,
    attended and first_attended = meeting_date as first_time,
from people
where role = 'sales'
    or (lb_selected(branches, coalesce(roster_branch, 'Unassigned'))
        and lb_in_scope(scope, coalesce(roster_branch, 'Unassigned')));

-- Every technician known anywhere (roster, leads, payouts, jobs) with the name to show: the name
-- on their latest lead, else the roster's, else the id; one row per tech. Stored as a table
-- after each import (see stg_leads).
with known as (
    select tech_id from techs
    union
    select tech_id from leads
    union
    select tech_id from payouts
    union
    select tech_id from jobs
),

lead_names as (
    select tech_id, arg_max(tech_name, submitted_at) as tech_name
    from leads
    where tech_name is not null
    group by tech_id
)

select
    known.tech_id,
    coalesce(lead_names.tech_name, roster.tech_name, known.tech_id) as tech_name,
    coalesce(roster.branch, 'Unassigned') as roster_branch,
    roster.active,
    roster.tech_id is not null as in_roster,
from known
left join lead_names
    on known.tech_id = lead_names.tech_id
left join techs as roster
    on known.tech_id = roster.tech_id
order by known.tech_id

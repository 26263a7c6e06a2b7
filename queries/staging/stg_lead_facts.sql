-- What the lead quality signals know about each lead apart from the period and filters, worked
-- out once per import (queries/staging/quality.sql reads it): one row per lead with its key
-- (lead_key: its row in leads, as in stg_leads, so the signals join on an integer), its job ID,
-- the lowest ID among the other leads of the same customer and lead type submitted within 30
-- days (any tech's; stg_possible_duplicates holds those pairs, earlier lead first), and whether
-- no job is behind it (its job ID is empty or matches no job; NULL while no jobs are loaded).
-- Before it was stored, every signal joined the whole leads table with itself and the leads with
-- every job (seconds per signal at 1M leads and 13M jobs).
with twins as (
    select lead_id, min(other) as duplicate_of,
    from (
        select lead_id, possible_duplicate_of as other from stg_possible_duplicates
        union all
        select possible_duplicate_of as lead_id, lead_id as other from stg_possible_duplicates
    )
    group by lead_id
),

jobs_loaded as (
    select count(*) > 0 as loaded from jobs
)

-- `in (select ...)`: a semi join on the jobs' IDs, which fits the import's memory limit at 26M
-- jobs (a join with their distinct IDs, sorted, did not).
select
    l.rowid as lead_key,
    l.lead_id,
    nullif(trim(l.job_id), '') as job_id,
    t.duplicate_of,
    case
        when j.loaded
            then nullif(trim(l.job_id), '') is null
                or nullif(trim(l.job_id), '') not in (select job_id from jobs)
    end as no_job,
from leads as l
left join twins as t
    on l.lead_id = t.lead_id
cross join jobs_loaded as j

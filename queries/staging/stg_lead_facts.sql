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

job_ids as (
    select distinct job_id from jobs
),

jobs_loaded as (
    select count(*) > 0 as loaded from jobs
),

keyed as (
    select lead_id, rowid as lead_key, nullif(trim(job_id), '') as job_id,
    from leads
)

select
    l.lead_key,
    l.lead_id,
    l.job_id,
    t.duplicate_of,
    case when j.loaded then l.job_id is null or known.job_id is null end as no_job,
from keyed as l
left join twins as t
    on l.lead_id = t.lead_id
left join job_ids as known
    on l.job_id = known.job_id
cross join jobs_loaded as j
order by l.lead_key

-- Outcome rows whose lead is not (yet) in the leads table; one row per such outcome (found once
-- per import: queries/staging/stg_orphan_outcomes.sql).
select
    lead_id,
    status,
    closed_at,
    revenue,
    sales_rep,
    file,
from stg_orphan_outcomes
order by lead_id

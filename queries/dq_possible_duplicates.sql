-- Pairs of leads for the same customer and lead type submitted within 30 days of each other;
-- one row per pair, the earlier lead first (found once per import:
-- queries/staging/stg_possible_duplicates.sql).
select
    lead_id,
    possible_duplicate_of,
    customer,
    lead_type,
    submitted_at,
    other_submitted_at,
    days_apart,
    tech_id,
    other_tech_id,
from stg_possible_duplicates
order by submitted_at, lead_id

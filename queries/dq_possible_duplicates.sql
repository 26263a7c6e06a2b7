-- Pairs of leads for the same customer and lead type submitted within 30 days of each other;
-- one row per pair, the earlier lead first (found once per import:
-- queries/staging/stg_possible_duplicates.sql), with each lead's branch; a pair shows when the
-- person asking may see both leads.
select
    d.lead_id,
    d.possible_duplicate_of,
    d.customer,
    d.lead_type,
    d.submitted_at,
    d.other_submitted_at,
    d.days_apart,
    d.tech_id,
    d.other_tech_id,
    a.branch,
    b.branch as other_branch,
from stg_possible_duplicates as d
inner join stg_leads as a
    on d.lead_id = a.lead_id
inner join stg_leads as b
    on d.possible_duplicate_of = b.lead_id
where lb_in_scope($scope, a.branch)
    and lb_in_scope($scope, b.branch)
order by d.submitted_at, d.lead_id

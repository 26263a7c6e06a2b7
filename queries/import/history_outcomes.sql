-- Outcome status history: one row per lead whose status this import sets for the first time or
-- changes, with the status it had before.
insert into outcome_history
select
    p.lead_id,
    $import_id as import_id,
    p.status,
    t.status as previous_status,
    p.contacted_at,
    p.closed_at,
    p.revenue,
    p.updated_at,
    $now as recorded_at,
from incoming as p
left join outcomes as t
    on p.lead_id = t.lead_id
where p.action = 'inserted'
    or (p.action = 'updated' and p.status is distinct from t.status);

-- Outcome status history: one row per lead whose status this import sets for the first time or
-- changes, with the status it had before.
insert into outcome_history
select
    s.lead_id,
    $import_id as import_id,
    s.status,
    t.status as previous_status,
    s.contacted_at,
    s.closed_at,
    s.revenue,
    s.updated_at,
    $now as recorded_at,
from incoming as s
left join outcomes as t
    on s.lead_id = t.lead_id
where s.action = 'inserted'
    or (s.action = 'updated' and s.status is distinct from t.status);

-- Outcome rows whose lead is not (yet) in the leads table, with the file that brought each; one
-- row per such outcome. Stored as a table after each import: the check joins two whole tables.
select
    o.lead_id,
    o.status,
    o.closed_at,
    o.revenue,
    o.sales_rep,
    i.file_name as file,
from outcomes as o
left join imports as i
    on o.import_id = i.import_id
where not exists (select 1 from leads as l where l.lead_id = o.lead_id)
order by o.lead_id

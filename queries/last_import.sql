-- The most recent import, for the dashboard's footer; at most one row.
select imported_at, file_name as file, table_name as "table",
from imports
order by import_id desc
limit 1

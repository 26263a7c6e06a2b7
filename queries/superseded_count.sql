-- How many rows the superseded query lists (all imports, or one); one row.
select count(*) as "rows"
from superseded_rows
where $import_id is null or import_id = $import_id

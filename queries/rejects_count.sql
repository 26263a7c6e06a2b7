-- How many rejects the rejects query lists (all imports, or one); one row: broken rules, the
-- rows they are in, and the imports.
select
    count(*) as rejects,
    count(distinct (import_id, line_no)) as "rows",
    count(distinct import_id) as imports,
from rejects
where $import_id is null or import_id = $import_id

-- Rows that a later row with the same key replaced in the same file; one row per replaced row
-- (all imports, or one). $limit rows from row $offset (a null $limit: every row).
select
    s.import_id,
    i.file_name as file,
    i.table_name as "table",
    s.line_no as "row",
    s.record_key as "key",
    s.kept_line_no as replaced_by_row,
from superseded_rows as s
inner join imports as i
    on s.import_id = i.import_id
where $import_id is null or s.import_id = $import_id
order by s.import_id, s.line_no
limit $limit offset $offset

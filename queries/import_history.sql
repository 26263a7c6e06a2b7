-- Every import with its accounting, newest first; one row per imported file.
select
    import_id,
    imported_at,
    file_name as file,
    table_name as "table",
    file_format as format,
    encoding,
    date_order,
    rows_read as "read",
    inserted,
    updated,
    unchanged,
    superseded,
    rejected,
    skipped,
    array_to_string(ignored_columns, ', ') as ignored_columns,
    sha256,
from imports
order by import_id desc

-- The audit of one import (one row), its rejected rows (one row per broken rule, with the raw
-- cells of the row: {cells}, and its line as the file had it) and its skipped lines (one row
-- each, with the reason), then a new data version so that every cached result is recomputed.
create or replace temp table rejected_rows as
select line_no, problems
from parsed
where len(problems) > 0;

insert into imports
select
    $import_id as import_id,
    $now as imported_at,
    $file_name as file_name,
    $sha256 as sha256,
    $table_name as table_name,
    $file_format as file_format,
    $encoding as encoding,
    $delimiter as delimiter,
    $date_order as date_order,
    $decimal_comma as decimal_comma,
    $headers as headers,
    $header_columns as matched_columns,
    $ignored as ignored_columns,
    (select count(*) from parsed) + (select count(*) from skipped) as rows_read,
    (select count(*) from incoming where action = 'inserted') as inserted,
    (select count(*) from incoming where action = 'updated') as updated,
    (select count(*) from incoming where action = 'unchanged') as unchanged,
    (select count(*) from superseded) as superseded,
    (select count(*) from rejected_rows) as rejected,
    (select count(*) from skipped) as skipped;

insert into rejects
select
    $import_id as import_id,
    line_no,
    problem.column_name,
    coalesce(list_extract($header_names, list_position($header_columns, problem.column_name)),
             problem.column_name) as header,
    nullif(trim(problem.value), '') as value,
    problem.reason,
    raw_values,
    raw_line,
from (
    select
        p.line_no,
        if(r.line_no is null, null, list_value({cells})) as raw_values,
        l.line as raw_line,
        unnest(p.problems) as problem,
    from rejected_rows as p
    -- Only the rejected rows' records and lines are read, not the whole file's (spilled to disk
    -- at 10M rows under the import's memory limit) for a handful of rows.
    left join (select * from raw where line_no in (select line_no from rejected_rows)) as r
        on p.line_no = r.line_no
    left join lines_at((select list(line_no) from rejected_rows)) as l
        on p.line_no = l.line_no
);

insert into skipped_rows
select
    $import_id as import_id,
    s.line_no,
    s.reason,
    l.line as raw_line,
from skipped as s
left join lines_at((select list(line_no) from skipped)) as l
    on s.line_no = l.line_no;

update meta
set value = cast(cast(value as bigint) + 1 as varchar)
where key = 'data_version';

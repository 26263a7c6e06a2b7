-- A Parquet file's rows as records, numbered like a spreadsheet's rows (the header is row 1,
-- the first data row is row 2); one row per record. A Parquet file has no lines of text and no
-- blank lines.
create or replace temp table raw as
select row_number() over () + 1 as line_no, $width as n_fields, true as fits, *
from raw_parquet;

create or replace temp view numbered_lines as
select line_no, null::varchar as line from raw limit 0;

-- The lines of the given numbers (see read_lines.sql): none.
create or replace temp macro lines_at(wanted) as table
select line_no, line
from numbered_lines;

create or replace temp table blank_lines as
select 0::bigint as line_no limit 0;

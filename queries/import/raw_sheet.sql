-- A sheet's rows as records (one row per sheet row; every row has the sheet's width, so each
-- fits the header of $width columns), its rows as lines of text (the non-empty cells joined,
-- for rejected and skipped rows) and its blank lines (none: an empty row is a row of empty
-- cells). {cells} lists the sheet's columns.
create or replace temp table raw as
select line_no, $width as n_fields, true as fits, {cells}
from raw_sheet;

create or replace temp view numbered_lines as
select
    line_no,
    nullif(array_to_string(list_filter(list_value({cells}), lambda c: trim(c) <> ''), ' | '), '') as line,
from raw_sheet;

-- The lines of the given numbers (see read_lines.sql).
create or replace temp macro lines_at(wanted) as table
select line_no, line
from numbered_lines
where line_no in (select unnest(wanted));

create or replace temp table blank_lines as
select 0::bigint as line_no limit 0;

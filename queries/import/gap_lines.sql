-- Lines that start no record, one row per line: blank lines (the CSV reader skips them), the
-- later lines of quoted values that span lines (spans: first and last line) and the emptied
-- lines that held a stray quote.
create or replace temp table blank_lines as
select line_no from numbered_lines where line is null;

create or replace temp table gap_lines as
select line_no from blank_lines
union
select unnest(generate_series(span[1], span[2])) as line_no
from (select unnest($spans) as span)
union
select unnest($strays::bigint[]) as line_no;

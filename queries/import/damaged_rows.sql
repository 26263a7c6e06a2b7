-- After import/layout.sql (and import/second_table.sql): the rows rejected for their shape.
-- A row with the wrong number of values: that is its problem, whatever its values look like.
update parsed
set problems = [lb_problem(null, null, case
    when l.other_delimiter and l.n_fields = 1
        then 'has its values separated by another delimiter than the rest of the file: '
            || 'fix the row, or export the file again'
    when l.n_fields > $width + 1
        then 'has more than ' || ($width + 1) || ' values where the header has ' || $width
            || ' columns: a value that holds the delimiter without quotes around it, or an extra '
            || 'delimiter; put the value in quotes or fix the row'
    when l.n_fields > $width
        then 'has ' || l.n_fields || ' values where the header has ' || $width || ' columns: '
            || 'a value that holds the delimiter without quotes around it, or an extra delimiter; '
            || 'put the value in quotes or fix the row'
    else 'has ' || l.n_fields || ' values where the header has ' || $width || ' columns: a value '
        || 'or a delimiter is missing, so the values would land in the wrong columns; fix the row'
    end)]
from row_layout as l
where parsed.line_no = l.line_no and l.kind = 'damaged';

-- Lines with a quote that never closes (the reader read them as empty): rejected alone.
insert into parsed by name
select
    unnest($stray_lines::bigint[]) as line_no,
    [lb_problem(null, null, 'has a quote that opens a value and never closes it (the lines '
        || 'below it are read as their own records): remove the quote or close it')] as problems;

-- Evidence for the text file's quote and escape characters, from the header down; one row:
-- lines with a double quote, with a backslash before a double quote, with two double quotes
-- in a row, and with a value in single quotes that holds the delimiter ($single).
select
    count(*) filter (where contains(line, '"')) as double_quoted,
    count(*) filter (where contains(line, '\"')) as backslash_escaped,
    count(*) filter (where contains(line, '""')) as doubled,
    count(*) filter (where contains(line, chr(39)) and regexp_matches(line, $single)) as single_quoted,
from numbered_lines
where line_no >= $header_line

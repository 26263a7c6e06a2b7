-- Up to three data rows of the file as read (all text), for the mapping step's examples; one row
-- per line: line_no, n_fields, fits, then the cells.
select * exclude (line_no)
from raw
where line_no between $header_line + 1 and $header_line + 3
order by line_no

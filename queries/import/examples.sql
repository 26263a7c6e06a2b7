-- Up to three data rows of the file as read (all text), for the mapping step's examples; one row per line.
select * exclude (line_no)
from raw
where line_no between 2 and 4
order by line_no

-- How the rows below the header line up with it; one row: the rows, those with one value per
-- header column, and the most common number of values among the others.
select
    count(*) as rows,
    count(*) filter (where fits) as fitting,
    mode(n_fields) filter (where not fits) as usual,
from stg

-- The span of the data: first and last date anywhere, and how many leads there are; one row.
select
    first_date,
    last_date,
    leads,
from stg_span

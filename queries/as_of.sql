-- The date the numbers are "as of": the period's last day, or the latest date anywhere in the
-- data when that is earlier; one row.
with latest as (
    select greatest(
        (select max(submitted_at) from leads),
        (select max(contacted_at) from outcomes),
        (select max(closed_at) from outcomes),
        (select max(paid_on) from payouts)
    ) as latest_date
)

select cast(least($end, coalesce(latest_date, $end)) as date) as as_of
from latest

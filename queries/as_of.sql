-- The date the numbers are "as of": the period's last day, or the latest date anywhere in the
-- data when that is earlier; one row.
select cast(least($end, coalesce(lb_latest_date(), $end)) as date) as as_of

-- The span of the data: first and last date anywhere, and how many leads there are; one row.
select
    least(
        (select min(submitted_at) from leads),
        (select min(paid_on) from payouts)
    ) as first_date,
    lb_latest_date() as last_date,
    (select count(*) from leads) as leads,

-- The span of the data: its first date (submissions, payouts), its latest date anywhere
-- (submissions, contacts, closes, payouts) and the number of leads; one row. Stored as a table
-- after each import, so the as-of date of every query costs nothing.
select
    least(
        (select min(submitted_at) from leads),
        (select min(paid_on) from payouts)
    ) as first_date,
    greatest(
        (select max(submitted_at) from leads),
        (select max(contacted_at) from outcomes),
        (select max(closed_at) from outcomes),
        (select max(paid_on) from payouts)
    ) as last_date,
    (select count(*) from leads) as leads,

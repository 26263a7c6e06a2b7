-- The span of each branch's data: its first date (submissions, payouts), its latest date
-- (submissions, contacts, closes, payouts) and its number of leads; one row per branch. Stored as
-- a table after each import: the data range of a person with a scope (queries/data_range.sql).
with dates as (
    select branch, submitted_at as first_date, greatest(submitted_at, contacted_at, closed_at)
        as last_date, 1 as lead,
    from stg_leads
    union all
    select branch, paid_on, paid_on, 0,
    from stg_payouts
)

select
    branch,
    min(first_date) as first_date,
    max(last_date) as last_date,
    cast(sum(lead) as bigint) as leads,
from dates
group by branch
order by branch

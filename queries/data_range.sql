-- The span of the data the person asking may see: first and last date anywhere (submissions,
-- contacts, closes, payouts) and how many leads there are; one row. For every branch it is the
-- stored span (stg_span); for a scope, the same measures over the scope's leads and payouts.
with scoped_leads as (
    select submitted_at, contacted_at, closed_at,
    from stg_leads
    where $scope is not null
        and lb_in_scope($scope, branch)
),

scoped_payouts as (
    select paid_on,
    from stg_payouts
    where $scope is not null
        and lb_in_scope($scope, branch)
),

scoped as (
    select
        least(
            (select min(submitted_at) from scoped_leads),
            (select min(paid_on) from scoped_payouts)
        ) as first_date,
        greatest(
            (select max(submitted_at) from scoped_leads),
            (select max(contacted_at) from scoped_leads),
            (select max(closed_at) from scoped_leads),
            (select max(paid_on) from scoped_payouts)
        ) as last_date,
        (select count(*) from scoped_leads) as leads,
)

select first_date, last_date, leads,
from stg_span
where $scope is null
union all
select first_date, last_date, leads,
from scoped
where $scope is not null

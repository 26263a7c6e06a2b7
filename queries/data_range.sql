-- The span of the data the person asking may see: first and last date anywhere (submissions,
-- contacts, closes, payouts) and how many leads there are; one row. For every branch it is the
-- stored span (stg_span); for a scope, the spans of its branches (stg_branch_span) together.
select first_date, last_date, leads,
from stg_span
where $scope is null
union all
select min(first_date), max(last_date), coalesce(sum(leads), 0),
from stg_branch_span
where lb_in_scope($scope, branch)
having $scope is not null

-- How long the meeting's two lead lists are, without fetching them: leads closed in the period,
-- won and lost (closing the loop), and leads waiting for a first call at $as_of; one row.
with closed as (
    select
        count(*) filter (where status = 'won') as closed_won,
        count(*) filter (where status = 'lost') as closed_lost,
    from lb_closed($start, $end, $branches, $lead_types, $techs, $scope)
),

waiting as (
    select count(*) as awaiting_contact,
    from lb_awaiting_contact($as_of, $end, $branches, $lead_types, $techs, $scope)
)

select closed.closed_won, closed.closed_lost, waiting.awaiting_contact,
from closed
cross join waiting

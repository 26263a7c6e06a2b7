-- How many leads wait for a first contact at $as_of (leads_awaiting_contact's rows); one row.
select count(*) as leads
from lb_awaiting_contact($as_of, $end, $branches, $lead_types, $techs, $scope)

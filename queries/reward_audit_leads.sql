-- The period's cohort leads whose audit is not ok (or, with $audit_status, of that verdict), with
-- what they earned, what is due and pending, what was paid and the payment flags; one row per lead.
select
    lead_id,
    tech_id,
    submitted_at,
    status,
    earned,
    due,
    pending,
    paid,
    audit,
    duplicate_payment,
    paid_to_other_tech,
from lb_reward_audit($rules, $start, $end, $branches, $lead_types, $techs, $scope, $as_of, $grace_days)
where lb_in_scope($scope, branch)
    and audit <> 'ok'
    and (len(cast($audit_status as varchar[])) = 0
         or list_contains(cast($audit_status as varchar[]), audit))
order by lead_id

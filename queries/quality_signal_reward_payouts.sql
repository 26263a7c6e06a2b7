-- The payouts behind one tech's rewards-per-won-deal signal: every reward paid to the tech in the
-- period, with what became of its lead; one row per payout, newest first.
select
    p.payout_id, p.paid_on, p.amount, p.reason, p.lead_id, l.status, l.closed_at, l.loss_reason,
    p.branch,
from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope) as p
left join stg_leads as l
    on p.lead_id = l.lead_id
where p.tech_id = $tech_id
    and lb_in_scope($scope, p.branch)
order by p.paid_on desc, p.payout_id

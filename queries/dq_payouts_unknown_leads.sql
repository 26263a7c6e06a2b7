-- Payouts that name a lead the leads table does not have; one row per such payout.
select
    payout_id,
    tech_id,
    lead_id,
    paid_on,
    amount,
    reason,
    branch,
from stg_payouts
where lead_id is not null
    and not lead_known
    and lb_in_scope($scope, branch)
order by paid_on, payout_id

-- Payouts that name a lead the leads table does not have; one row per such payout.
select
    payout_id,
    tech_id,
    lead_id,
    paid_on,
    amount,
    reason,
from stg_payouts
where lead_id is not null
    and not lead_known
order by paid_on, payout_id

-- Payouts that name a lead the leads table does not have; one row per such payout.
select
    p.payout_id,
    p.tech_id,
    p.lead_id,
    p.paid_on,
    p.amount,
    p.reason,
from payouts as p
where p.lead_id is not null
    and not exists (select 1 from leads as l where l.lead_id = p.lead_id)
order by p.paid_on, p.payout_id

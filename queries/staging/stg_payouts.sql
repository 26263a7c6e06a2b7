-- Payouts with the branch and lead type the filters apply to: the lead's when the lead is known,
-- else the tech's roster branch (or Unassigned) and no lead type; one row per payout. Stored as a
-- table after each import, in payment order (see stg_leads). A known lead's payout also carries
-- what the reward audit picks a period's leads by (the lead's key, submission day and tech) and
-- whether it went to a tech other than the lead's; all NULL for a payout of no known lead.
select
    p.payout_id,
    p.tech_id,
    p.lead_id,
    p.paid_on,
    p.amount,
    p.reason,
    l.lead_id is not null as lead_known,
    case when l.lead_id is not null then l.branch
        else coalesce(roster.branch, 'Unassigned') end as branch,
    l.lead_type,
    l.lead_key,
    l.submitted_at as lead_submitted_at,
    l.tech_id as lead_tech_id,
    p.tech_id <> l.tech_id as to_other_tech,
from payouts as p
left join stg_leads as l
    on p.lead_id = l.lead_id
left join techs as roster
    on p.tech_id = roster.tech_id
order by p.paid_on

-- Reward earnings (REWARD_POLICY.md): what each lead earned under a policy, its rules given as a
-- list of structs (leadbridge/policy.py, Policy.params); one row per lead and rule that pays it.
-- Only leads of the access scope's branches (see lb_in_scope; NULL for every branch).
-- The amount is worked out exactly in 64-bit integers of 1e-10 dollars (amounts and caps come in
-- 1e-4 dollars, percents in millionths, the base in cents), then rounded to cents with halves away
-- from zero (amounts are never negative), as the policy says: no DOUBLE rounding, and no 128-bit
-- DECIMAL arithmetic, which is several times slower on a million leads.
-- event_from..event_to (default: always) keeps only the leads with an event in those days (submitted
-- or closed then) before the rules are applied: callers still filter on event_date.
create or replace macro lb_reward_earnings(rules, scope, event_from := date '0001-01-01',
                                           event_to := date '9999-12-31') as table
with rule_rows as (
    select
        r.rule_index,
        r.rule_name,
        r.event,
        cast(r.amount_e4 as bigint) * 1000000 as amount_u,
        cast(r.percent_e6 as bigint) as percent_e6,
        r.base,
        cast(r.cap_e4 as bigint) * 1000000 as cap_u,
        cast(r.min_revenue as decimal(18, 4)) as min_revenue,
        cast(r.lead_types as varchar[]) as lead_types,
        cast(r.branches as varchar[]) as branches,
        cast(r.date_from as date) as date_from,
        cast(r.date_to as date) as date_to,
    from (select unnest(rules) as r)
),

events as (
    select
        l.lead_id,
        l.lead_key,
        l.tech_id,
        l.branch,
        l.lead_type,
        l.submitted_at,
        l.revenue,
        l.gross_margin,
        r.*,
        case r.event
            when 'submitted' then l.submitted_at
            when 'won' then case when l.status = 'won' then l.closed_at end
        end as event_date,
    from stg_leads as l
    cross join rule_rows as r
    where lb_in_scope(scope, l.branch)
        and (l.submitted_at between event_from and event_to
             or l.closed_at between event_from and event_to)
),

amounts as (
    select
        *,
        amount_u + percent_e6 * coalesce(
            cast(round((case base when 'margin' then gross_margin else revenue end) * 100) as bigint),
            0) as raw_u,
    from events
    where event_date between date_from and date_to
        and (len(lead_types) = 0 or list_contains(lead_types, lead_type))
        and (len(branches) = 0 or list_contains(branches, branch))
        and (event <> 'won' or coalesce(revenue, 0) >= min_revenue)
)

select
    lead_id,
    lead_key,
    tech_id,
    branch,
    lead_type,
    submitted_at,
    rule_index,
    rule_name,
    event_date,
    base = 'margin' and percent_e6 > 0 and gross_margin is null as missing_margin,
    cast((least(raw_u, coalesce(cap_u, raw_u)) + 50000000) // 100000000 as decimal(18, 0))
        * 0.01 as earned,
from amounts;

-- The audit of the leads submitted in the period (the cohort, filters and scope applied): what each earned
-- under the policy by the as-of date, the part due (events at least grace_days before it), what
-- payroll paid for it whatever the tech, and the verdict; one row per cohort lead.
create or replace macro lb_reward_audit(rules, period_start, period_end, branches, lead_types,
                                        techs, scope, as_of, grace_days) as table
with cohort as (
    select lead_key, lead_id, tech_id, tech_name, branch, lead_type, submitted_at, status,
    from lb_cohort(period_start, period_end, branches, lead_types, techs, scope)
),

earned as (
    select
        e.lead_key,
        sum(e.earned) as earned,
        coalesce(sum(e.earned) filter (where e.event_date <= as_of - grace_days), 0) as due,
    from lb_reward_earnings(rules, scope) as e
    where e.submitted_at between period_start and period_end
        and lb_selected(branches, e.branch)
        and lb_selected(lead_types, e.lead_type)
        and lb_selected(techs, e.tech_id)
        and e.event_date <= as_of
    group by e.lead_key
),

-- The cohort's payouts by the as-of date. A known lead's payout carries what the cohort is chosen
-- by (the lead's key, submission day, tech, branch and type) and whether it went to another tech
-- (stg_payouts), so the cohort's payouts are found without a join.
payouts as (
    select p.lead_key, p.to_other_tech as other_tech, p.amount,
    from stg_payouts as p
    where p.lead_known
        and p.paid_on <= as_of
        and p.lead_submitted_at between period_start and period_end
        and lb_selected(branches, p.branch)
        and lb_selected(lead_types, p.lead_type)
        and lb_selected(techs, p.lead_tech_id)
        and lb_in_scope(scope, p.branch)
),

-- Per lead: what was paid, in how many payouts, how much of it to another tech, and how many of
-- the payouts were positive (their smallest and largest amount equal or not).
paid as (
    select
        lead_key,
        sum(amount) as paid,
        count(*) as payouts,
        bool_or(other_tech) as paid_to_other_tech,
        coalesce(sum(amount) filter (where other_tech), 0) as paid_other,
        count(*) filter (where amount > 0) as positive,
        min(amount) filter (where amount > 0) = max(amount) filter (where amount > 0)
            as positive_all_equal,
    from payouts
    group by lead_key
),

-- Two or more positive payouts of the same amount for one lead are a duplicate payment: of two,
-- when they are equal; of three or more (few leads), found per lead and amount. Only the list of
-- leads asks: totals and techs skip this.
duplicates as (
    select distinct lead_key,
    from payouts
    where amount > 0
        and lead_key in (select lead_key from paid where positive >= 3)
    group by lead_key, amount
    having count(*) >= 2
),

final as (
    select
        c.*,
        coalesce(e.earned, 0) as earned,
        coalesce(e.due, 0) as due,
        coalesce(e.earned, 0) - coalesce(e.due, 0) as pending,
        coalesce(p.paid, 0) as paid,
        coalesce(p.paid_other, 0) as paid_other,
        coalesce(p.payouts, 0) as payouts,
        coalesce(p.positive >= 2 and (p.positive_all_equal
                                     or c.lead_key in (select lead_key from duplicates)),
                 false) as duplicate_payment,
        coalesce(p.paid_to_other_tech, false) as paid_to_other_tech,
    from cohort as c
    left join earned as e on c.lead_key = e.lead_key
    left join paid as p on c.lead_key = p.lead_key
)

select
    *,
    case
        when paid > earned + 0.005 then 'overpaid'
        when due > 0.005 and paid = 0 then 'unpaid'
        when paid < due - 0.005 then 'underpaid'
        when paid < earned - 0.005 then 'pending'
        else 'ok'
    end as audit,
from final;

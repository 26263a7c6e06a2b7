-- Lead quality signals (docs/metrics.md, "Lead quality signals"): the facts about each lead that
-- the per-tech signals count, defined once as a table macro over the cohort.

-- The cohort's leads in the access scope, one row per lead, with what the signals look at:
-- a lead of the same customer and type within 30 days (any tech), lost within 14 days for a
-- reason that says the lead was not real (`not_real`: '|'-separated lowercase phrases), submitted in
-- the last 3 days of its month, and no job behind it (NULL when no jobs file is loaded).
create or replace macro lb_lead_signals(period_start, period_end, branches, lead_types, techs,
                                        scope, not_real) as table
with cohort as (
    select c.*, l.customer_id, nullif(trim(l.job_id), '') as job_id,
    from lb_cohort(period_start, period_end, branches, lead_types, techs, scope) as c
    inner join leads as l
        on c.lead_id = l.lead_id
    where lb_in_scope(scope, c.branch)
),

keyed as (
    select lead_id, submitted_at, lead_type,
        coalesce(customer_id, lower(trim(customer_name))) as customer_key,
    from leads
    where coalesce(customer_id, customer_name) is not null
),

twins as (
    select c.lead_id, min(k.lead_id) as duplicate_of,
    from cohort as c
    inner join keyed as k
        on coalesce(c.customer_id, lower(trim(c.customer_name))) = k.customer_key
        and c.lead_type = k.lead_type
        and c.lead_id <> k.lead_id
        and abs(date_diff('day', c.submitted_at, k.submitted_at)) <= 30
    group by c.lead_id
),

jobs_loaded as (
    select count(*) > 0 as loaded from jobs
)

select
    c.lead_id,
    c.tech_id,
    c.tech_name,
    c.branch,
    c.submitted_at,
    c.customer_name,
    c.lead_type_label as lead_type,
    c.status,
    c.closed_at,
    c.loss_reason,
    c.job_id,
    t.duplicate_of,
    t.lead_id is not null as duplicate_looking,
    c.status = 'lost'
        and c.days_to_close <= 14
        and len(list_filter(string_split(not_real, '|'),
                            lambda w: contains(coalesce(lb_word(c.loss_reason), ''), w))) > 0
        as lost_fast_not_real,
    c.submitted_at > last_day(c.submitted_at) - 3 as month_end,
    case when j.loaded then c.job_id is null or c.job_id not in (select job_id from jobs) end
        as no_job,
from cohort as c
left join twins as t
    on c.lead_id = t.lead_id
cross join jobs_loaded as j;

-- The share of a period's days that are among the last 3 of their month: what month-end leads
-- would be if techs submitted evenly over the days.
create or replace macro lb_month_end_day_share(period_start, period_end) as (
    select count(*) filter (where d > last_day(d) - 3) / count(*)
    from (select cast(range as date) as d
          from range(cast(period_start as date), cast(period_end as date) + 1, interval 1 day))
);

-- Lead quality signals (docs/metrics.md, "Lead quality signals"): the facts about each lead that
-- the per-tech signals count, defined once as a table macro over the cohort.

-- The cohort's leads in the access scope, one row per lead, with what the signals look at:
-- a lead of the same customer and type within 30 days (any tech), lost within 14 days for a
-- reason that says the lead was not real (`not_real`: '|'-separated lowercase phrases), submitted in
-- the last 3 days of its month, and no job behind it (NULL when no jobs file is loaded). The
-- facts that do not depend on the period are stored per lead after each import (stg_lead_facts).
create or replace macro lb_lead_signals(period_start, period_end, branches, lead_types, techs,
                                        scope, not_real) as table
-- The loss reasons (a CRM has a handful) whose words hold a not-real phrase, each judged once:
-- judged per lead, the regular expression cost 0.1 s a period at 1M leads. Judged inside a list,
-- as a filter on the distinct reasons is pushed down to every lead's reason.
with not_real_reasons as (
    select unnest(list_filter(
        list(distinct loss_reason),
        lambda r: len(list_filter(string_split(not_real, '|'),
                                  lambda w: contains(coalesce(lb_word(r), ''), w))) > 0
    )) as reason,
    from stg_leads
),

cohort as (
    select c.*, f.job_id, f.duplicate_of, f.no_job,
    from lb_cohort(period_start, period_end, branches, lead_types, techs, scope) as c
    inner join stg_lead_facts as f
        on c.lead_key = f.lead_key
    where lb_in_scope(scope, c.branch)
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
    c.duplicate_of,
    c.duplicate_of is not null as duplicate_looking,
    coalesce(c.status = 'lost' and c.days_to_close <= 14
             and c.loss_reason in (select reason from not_real_reasons), false)
        as lost_fast_not_real,
    c.submitted_at > last_day(c.submitted_at) - 3 as month_end,
    c.no_job,
from cohort as c;

-- The share of a period's days that are among the last 3 of their month: what month-end leads
-- would be if techs submitted evenly over the days.
create or replace macro lb_month_end_day_share(period_start, period_end) as (
    select count(*) filter (where d > last_day(d) - 3) / count(*)
    from (select cast(range as date) as d
          from range(cast(period_start as date), cast(period_end as date) + 1, interval 1 day))
);

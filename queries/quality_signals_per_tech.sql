-- The lead quality signals counted over the period's leads, per tech, from one pass over them:
-- duplicates, lost_fast, month_end, no_job and conversion (rewards count payouts: its own query);
-- one row per signal and tech with a lead. docs/metrics.md defines each signal and its threshold.
with leads as materialized (
    select * from lb_lead_signals($start, $end, $branches, $lead_types, $techs, $scope, $not_real)
),

per_tech as (
    select
        tech_id,
        max(tech_name) as tech_name,
        mode(branch) as branch,
        count(*) as base,
        count(*) filter (where duplicate_looking) as duplicates,
        count(*) filter (where lost_fast_not_real) as lost_fast,
        count(*) filter (where month_end) as month_end,
        count(*) filter (where no_job) as no_job,
        count(*) filter (where status = 'won') as won,
    from leads
    group by tech_id
),

-- conversion's benchmark: the branch's rate over all its techs' leads of the period
per_branch as (
    select branch, count(*) filter (where status = 'won') / count(*) as branch_rate,
    from leads
    group by branch
),

-- month-end's benchmark: the share of the period's days among the last 3 of their month
day_share as (
    select lb_month_end_day_share($start, $end) as share
),

-- The three signals flagged on a share of the tech's leads, with the share each is flagged at:
-- duplicates (another lead of the same customer and lead type within 30 days, any tech's),
-- lost_fast (lost within 14 days of submission for a reason in the not-real list, $not_real) and
-- no_job (no job, or an unknown one, behind the lead; none counted while no jobs are loaded).
share_counts as (
    unpivot (select tech_id, tech_name, branch, base, duplicates, lost_fast, no_job from per_tech)
    on duplicates, lost_fast, no_job
    into name signal value count
),

share_thresholds as (
    select *
    from (values ('duplicates', $duplicate_share), ('lost_fast', $lost_fast_share),
                 ('no_job', $no_job_share)) as t(signal, share)
)

select
    c.signal, c.tech_id, c.tech_name, c.branch, c.base, c.count, c.count / c.base as value,
    cast(t.share as double) as benchmark,
    c.count >= $min_count and c.count / c.base >= t.share as flagged,
    null::double as interval_low, null::double as interval_high,
from share_counts as c
inner join share_thresholds as t
    on c.signal = t.signal

union all

-- month_end: submitted in the last 3 days of the month, flagged when the low end of the share's
-- 95 % interval is above $month_end_ratio times the days' share
select
    'month_end', t.tech_id, t.tech_name, t.branch, t.base, t.month_end, t.month_end / t.base,
    d.share,
    t.base >= $min_leads and lb_wilson_low(t.month_end, t.base) > $month_end_ratio * d.share,
    null, null,
from per_tech as t
cross join day_share as d

union all

-- conversion: won / leads against the branch of most of the tech's leads, flagged when the
-- tech's whole 95 % Wilson interval lies below the branch's rate
select
    'conversion', t.tech_id, t.tech_name, t.branch, t.base, t.won, t.won / t.base, b.branch_rate,
    t.base >= $min_leads and lb_wilson_high(t.won, t.base) < b.branch_rate,
    lb_wilson_low(t.won, t.base), lb_wilson_high(t.won, t.base),
from per_tech as t
left join per_branch as b
    on t.branch = b.branch

order by signal, tech_id

-- Typed service-job rows and the rules each breaks; one row per data row of the file.
create or replace temp table parsed as
with typed as (
    select
        stg.*,
        lb_id(raw_job_id) as job_id,
        lb_id(raw_tech_id) as tech_id,
        lb_date(raw_completed_at, $date_order, $excel) as completed_at,
        lb_text(raw_branch) as branch,
    from stg
),

final as (
    select
        *,
        list_filter([
            case when job_id is null
                then lb_problem('job_id', raw_job_id, 'required value is missing') end,
            case when tech_id is null
                then lb_problem('tech_id', raw_tech_id, 'required value is missing') end,
            case when lb_text(raw_completed_at) is null
                then lb_problem('completed_at', raw_completed_at, 'required value is missing')
                when completed_at is null
                then lb_problem('completed_at', raw_completed_at, lb_date_reason(raw_completed_at)) end,
        ], lambda p: p is not null) as problems,
    from typed
)

-- The typed values and the broken rules (the raw cells stay in raw, for the rejects).
select columns(lambda c: not starts_with(c, 'raw_'))
from final;

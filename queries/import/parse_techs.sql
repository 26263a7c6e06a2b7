-- Typed roster rows and the rules each breaks; one row per data row of the file.
create or replace temp table parsed as
with typed as (
    select
        stg.*,
        lb_id(raw_tech_id) as tech_id,
        lb_text(raw_tech_name) as tech_name,
        lb_text(raw_branch) as branch,
        lb_text(raw_region) as region,
        lb_text(raw_manager) as manager,
        lb_date(raw_hired_on, $date_order, $excel) as hired_on,
        coalesce(lb_bool(raw_active, $true_words, $false_words), lb_text(raw_active) is null) as active,
    from stg
),

final as (
    select
        *,
        list_filter([
            case when tech_id is null
                then lb_problem('tech_id', raw_tech_id, 'required value is missing') end,
            case when lb_text(raw_hired_on) is not null and hired_on is null
                then lb_problem('hired_on', raw_hired_on, lb_date_reason(raw_hired_on)) end,
            case when lb_text(raw_active) is not null and lb_bool(raw_active, $true_words, $false_words) is null
                then lb_problem('active', raw_active, 'not a yes/no value: use e.g. Active/Inactive, yes/no or true/false') end,
        ], lambda p: p is not null) as problems,
    from typed
)

-- The typed values and the broken rules (the raw cells stay in raw, for the rejects).
select columns(lambda c: not starts_with(c, 'raw_'))
from final;

-- Typed lead rows and the rules each breaks; one row per data row of the file.
create or replace temp table parsed as
with typed as (
    select
        stg.*,
        lb_id(raw_lead_id) as lead_id,
        lb_date(raw_submitted_at, $date_order, $excel) as submitted_at,
        lb_id(raw_tech_id) as tech_id,
        lb_text(raw_tech_name) as tech_name,
        lb_text(raw_branch) as branch,
        lb_id(raw_customer_id) as customer_id,
        lb_text(raw_customer_name) as customer_name,
        coalesce(words.lead_type, 'other') as lead_type,
        lb_text(raw_lead_type) as lead_type_raw,
        lb_money(raw_estimated_value, $decimal_comma) as estimated_value,
        lb_text(raw_sales_rep) as sales_rep,
        lb_id(raw_job_id) as job_id,
        lb_text(raw_description) as description,
    from stg
    -- The contract's words, and the words this import's mapping adds (bound lists, so that an
    -- import never changes the words of another; the mapping never repeats a contract word).
    left join (
        select word, lead_type from lead_type_words
        union all
        select unnest($mapped_lead_type_words::varchar[]), unnest($mapped_lead_types::varchar[])
    ) as words
        on words.word = lb_word(stg.raw_lead_type)
),

final as (
    select
        *,
        list_filter([
            case when lead_id is null
                then lb_problem('lead_id', raw_lead_id, 'required value is missing') end,
            case when lb_text(raw_submitted_at) is null
                then lb_problem('submitted_at', raw_submitted_at, 'required value is missing')
                when submitted_at is null
                then lb_problem('submitted_at', raw_submitted_at, lb_date_reason(raw_submitted_at)) end,
            case when tech_id is null
                then lb_problem('tech_id', raw_tech_id, 'required value is missing: which technician found this lead?') end,
            case when lb_text(raw_estimated_value) is not null and estimated_value is null
                then lb_problem('estimated_value', raw_estimated_value, lb_money_reason(raw_estimated_value, $decimal_comma))
                when estimated_value < 0
                then lb_problem('estimated_value', raw_estimated_value, 'estimated value must not be negative') end,
        ], lambda p: p is not null) as problems,
    from typed
)

-- The typed values and the broken rules (the raw cells stay in raw, for the rejects).
select columns(lambda c: not starts_with(c, 'raw_'))
from final;

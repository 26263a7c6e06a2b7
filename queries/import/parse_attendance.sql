-- Typed meeting-attendance rows and the rules each breaks; one row per data row of the file.
create or replace temp table parsed as
with typed as (
    select
        stg.*,
        lb_date(raw_meeting_date, $date_order, $excel) as meeting_date,
        lb_id(raw_person_id) as person_id,
        lower(lb_text(raw_role)) as role,
        lb_bool(raw_attended, $true_words, $false_words) as attended,
    from stg
),

final as (
    select
        *,
        list_filter([
            case when lb_text(raw_meeting_date) is null
                then lb_problem('meeting_date', raw_meeting_date, 'required value is missing')
                when meeting_date is null
                then lb_problem('meeting_date', raw_meeting_date, lb_date_reason(raw_meeting_date)) end,
            case when person_id is null
                then lb_problem('person_id', raw_person_id, 'required value is missing') end,
            case when lb_text(raw_attended) is null
                then lb_problem('attended', raw_attended, 'required value is missing')
                when attended is null
                then lb_problem('attended', raw_attended, 'not a yes/no value: use e.g. Y/N, yes/no or true/false') end,
        ], lambda p: p is not null) as problems,
    from typed
)

-- The typed values and the broken rules (the raw cells stay in raw, for the rejects).
select columns(lambda c: not starts_with(c, 'raw_'))
from final;

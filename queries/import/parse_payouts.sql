-- Typed payout rows and the rules each breaks; one row per data row. A payout without an id gets
-- one derived from its content and its occurrence in the file, so a re-import is a no-op.
-- Payroll exports carry no payout id, so every row needs its occurrence: it is numbered over the
-- rows' content and line alone and joined back only where content repeats. Numbered over whole
-- rows, the window was 41 of the 85 s of a 17.6 million row file under the import's memory limit
-- (23 s now).
create or replace temp table payouts_typed as
with typed as (
    select
        stg.*,
        lb_id(raw_payout_id) as given_payout_id,
        lb_id(raw_tech_id) as tech_id,
        lb_id(raw_lead_id) as lead_id,
        lb_date(raw_paid_on, $date_order, $excel) as paid_on,
        lb_money(raw_amount, $decimal_comma) as amount,
        lb_text(raw_reason) as reason,
    from stg
),

checked as (
    select
        *,
        md5(concat_ws('|', tech_id, lead_id, paid_on, amount, reason)) as content_hash,
        list_filter([
            case when tech_id is null
                then lb_problem('tech_id', raw_tech_id, 'required value is missing') end,
            case when lb_text(raw_paid_on) is null
                then lb_problem('paid_on', raw_paid_on, 'required value is missing')
                when paid_on is null
                then lb_problem('paid_on', raw_paid_on, lb_date_reason(raw_paid_on)) end,
            case when lb_text(raw_amount) is null
                then lb_problem('amount', raw_amount, 'required value is missing')
                when amount is null
                then lb_problem('amount', raw_amount, lb_money_reason(raw_amount, $decimal_comma)) end,
        ], lambda p: p is not null) as problems,
    from typed
)

-- The raw cells stay in raw, for the rejects.
select columns(lambda c: not starts_with(c, 'raw_'))
from checked;

-- The second and later rows of the same content without an id, with their occurrence (the
-- first is 1). Rows with an id count too, as they did in the versions that stored these ids; a
-- file whose every row has an id numbers nothing.
create or replace temp table payouts_repeated as
select line_no, occurrence
from (
    select
        line_no,
        given_payout_id,
        row_number() over (partition by content_hash order by line_no) as occurrence,
    from payouts_typed
    where exists (select 1 from payouts_typed where given_payout_id is null)
)
where occurrence > 1 and given_payout_id is null;

-- The typed values and the broken rules.
create or replace temp table parsed as
select
    t.* exclude (given_payout_id, content_hash, problems),
    coalesce(t.given_payout_id,
             'auto-' || substr(t.content_hash, 1, 20) || '-' || coalesce(r.occurrence, 1)) as payout_id,
    t.problems,
from payouts_typed as t
left join payouts_repeated as r
    on t.line_no = r.line_no;

drop table payouts_typed;

drop table payouts_repeated;

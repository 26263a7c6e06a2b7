-- Typed payout rows and the rules each breaks; one row per data row. A payout without an id gets
-- one derived from its content and its occurrence in the file, so a re-import is a no-op.
create or replace temp table parsed as
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

identified as (
    select
        *,
        md5(concat_ws('|', tech_id, lead_id, paid_on, amount, reason)) as content_hash,
        row_number() over (
            partition by md5(concat_ws('|', tech_id, lead_id, paid_on, amount, reason))
            order by line_no
        ) as occurrence,
    from typed
),

final as (
    select
        * exclude (given_payout_id, content_hash, occurrence),
        coalesce(given_payout_id, 'auto-' || substr(content_hash, 1, 20) || '-' || occurrence) as payout_id,
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
    from identified
)

-- The typed values and the broken rules (the raw cells stay in raw, for the rejects).
select columns(lambda c: not starts_with(c, 'raw_'))
from final;

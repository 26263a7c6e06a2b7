-- Typed outcome rows (the CRM's state of a lead) and the rules each breaks; one row per data row.
create or replace temp table parsed as
with typed as (
    select
        stg.*,
        lb_id(raw_lead_id) as lead_id,
        words.status as status,
        lb_text(raw_status) as status_raw,
        lb_date(raw_contacted_at, $date_order, $excel) as contacted_at,
        lb_date(raw_closed_at, $date_order, $excel) as closed_at,
        lb_money(raw_revenue, $decimal_comma) as revenue,
        lb_money(raw_gross_margin, $decimal_comma) as gross_margin,
        lb_text(raw_sales_rep) as sales_rep,
        lb_text(raw_loss_reason) as loss_reason,
        lb_date(raw_updated_at, $date_order, $excel) as updated_at,
    from stg
    -- The contract's words, and the words this import's mapping adds (bound lists, so that an
    -- import never changes the words of another; the mapping never repeats a contract word).
    left join (
        select word, status from status_words
        union all
        select unnest($mapped_status_words::varchar[]), unnest($mapped_statuses::varchar[])
    ) as words
        on words.word = lb_word(stg.raw_status)
),

final as (
    select
        *,
        list_filter([
            case when lead_id is null
                then lb_problem('lead_id', raw_lead_id, 'required value is missing') end,
            case when lb_text(raw_status) is null
                then lb_problem('status', raw_status, 'required value is missing')
                when status is null
                then lb_problem('status', raw_status, 'unknown status; accepted words are ' || $accepted_statuses) end,
            case when lb_text(raw_contacted_at) is not null and contacted_at is null
                then lb_problem('contacted_at', raw_contacted_at, lb_date_reason(raw_contacted_at)) end,
            case when lb_text(raw_closed_at) is not null and closed_at is null
                then lb_problem('closed_at', raw_closed_at, lb_date_reason(raw_closed_at))
                when closed_at is null and status in ('won', 'lost')
                then lb_problem('closed_at', raw_closed_at, 'a ' || status || ' lead needs its close date') end,
            case when lb_text(raw_revenue) is not null and revenue is null
                then lb_problem('revenue', raw_revenue, lb_money_reason(raw_revenue, $decimal_comma))
                when revenue < 0
                then lb_problem('revenue', raw_revenue, 'revenue must not be negative')
                when revenue is null and status = 'won'
                then lb_problem('revenue', raw_revenue, 'a won lead needs its revenue (the amount sold)') end,
            case when lb_text(raw_gross_margin) is not null and gross_margin is null
                then lb_problem('gross_margin', raw_gross_margin, lb_money_reason(raw_gross_margin, $decimal_comma)) end,
            case when lb_text(raw_updated_at) is not null and updated_at is null
                then lb_problem('updated_at', raw_updated_at, lb_date_reason(raw_updated_at)) end,
        ], lambda p: p is not null) as problems,
    from typed
)

-- The typed values and the broken rules (the raw cells stay in raw, for the rejects).
select columns(lambda c: not starts_with(c, 'raw_'))
from final;

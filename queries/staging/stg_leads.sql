-- The clean, enriched lead: every rule of "a lead's branch, type and status" lives here and only
-- here; one row per lead. Stored as a table, rebuilt after each import (db.refresh_staging), in
-- submission order so that a period's queries read only the period's row groups. It keeps the
-- columns queries use: a lead's customer ID, job and notes stay in leads. lead_key is a number
-- unique to the lead in this build (its row in leads): stg_payouts carries it, so the reward
-- audit joins and groups a period's leads and payouts on an integer, not on the text lead_id.
with roster as (
    select tech_id, tech_name, branch from techs
),

final as (
    select
        l.lead_id,
        l.rowid as lead_key,
        l.submitted_at,
        cast(date_trunc('month', l.submitted_at) as date) as submitted_month,
        l.tech_id,
        coalesce(l.tech_name, roster.tech_name, l.tech_id) as tech_name,
        coalesce(nullif(trim(l.branch), ''), roster.branch, 'Unassigned') as branch,
        coalesce(l.lead_type, 'other') as lead_type,
        coalesce(types.label, l.lead_type, 'Other') as lead_type_label,
        coalesce(l.customer_name, l.customer_id) as customer_name,
        l.estimated_value,
        coalesce(o.sales_rep, l.sales_rep) as sales_rep,
        coalesce(o.status, 'open') as status,
        o.contacted_at,
        o.closed_at,
        o.revenue,
        o.gross_margin,
        o.loss_reason,
        -- Days are counted only when the later date is not before submission (else a data-quality item).
        case when o.contacted_at >= l.submitted_at
            then date_diff('day', l.submitted_at, o.contacted_at) end as days_to_contact,
        case when o.closed_at >= l.submitted_at
            then date_diff('day', l.submitted_at, o.closed_at) end as days_to_close,
    from leads as l
    left join outcomes as o
        on l.lead_id = o.lead_id
    left join roster
        on l.tech_id = roster.tech_id
    left join lead_types as types
        on coalesce(l.lead_type, 'other') = types.lead_type
)

select * from final
order by submitted_at

-- One lead's story in date order, one row per event: submitted, each status the CRM exports gave
-- it (with the file that brought it), first contact, close, and each reward paid for it. Empty
-- for a lead that is unknown or outside the access scope ($scope).
with the_lead as (
    select s.*, l.import_id,
    from stg_leads as s
    inner join leads as l
        on s.lead_id = l.lead_id
    where s.lead_id = $lead_id
        and lb_in_scope($scope, s.branch)
),

outcome_file as (
    select o.import_id
    from outcomes as o
    where o.lead_id = (select lead_id from the_lead)
),

events as (
    select
        submitted_at as event_date,
        1 as step,
        0 as import_order,
        'Submitted' as event,
        concat_ws(' · ', tech_name, lead_type_label, customer_name) as detail,
        cast(null as decimal(18, 2)) as amount,
        import_id,
    from the_lead
    union all
    select
        coalesce(h.updated_at, cast(h.recorded_at as date)),
        2,
        h.import_id,
        -- the status as the tables show it ('Contacted'), the earlier one in the sentence below
        'Status: ' || upper(left(h.status, 1)) || substr(h.status, 2),
        case when h.previous_status is null then 'first status in the CRM export'
            else 'was ' || h.previous_status end,
        null,
        h.import_id,
    from outcome_history as h
    where h.lead_id = (select lead_id from the_lead)
    union all
    select contacted_at, 3, 0, 'First contact', sales_rep, null,
        (select import_id from outcome_file),
    from the_lead
    where contacted_at is not null
    union all
    select closed_at, 4, 0, 'Closed: ' || upper(left(status, 1)) || substr(status, 2),
        case when status = 'lost' then coalesce(loss_reason, 'no reason given') end,
        case when status = 'won' then revenue end,
        (select import_id from outcome_file),
    from the_lead
    where closed_at is not null and status in ('won', 'lost')
    union all
    select
        p.paid_on,
        5,
        0,
        case when p.amount < 0 then 'Reward clawed back' else 'Reward paid' end,
        concat_ws(' · ', p.tech_id, p.reason),
        p.amount,
        p.import_id,
    from payouts as p
    where p.lead_id = (select lead_id from the_lead)
)

select
    (select lead_id from the_lead) as lead_id,
    e.event_date,
    e.event,
    e.detail,
    e.amount,
    i.file_name as source_file,
from events as e
left join imports as i
    on e.import_id = i.import_id
order by e.event_date nulls last, e.step, e.import_order, e.event, e.detail

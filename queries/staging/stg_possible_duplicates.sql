-- Pairs of leads for the same customer and lead type submitted within 30 days of each other;
-- one row per pair (the earlier lead first). Stored as a table after each import: the check
-- joins the whole leads table with itself.
with keyed as (
    select
        lead_id,
        submitted_at,
        tech_id,
        lead_type,
        coalesce(customer_id, lower(trim(customer_name))) as customer_key,
        coalesce(customer_name, customer_id) as customer,
    from leads
    where coalesce(customer_id, customer_name) is not null
)

select
    a.lead_id,
    b.lead_id as possible_duplicate_of,
    a.customer,
    a.lead_type,
    a.submitted_at,
    b.submitted_at as other_submitted_at,
    date_diff('day', a.submitted_at, b.submitted_at) as days_apart,
    a.tech_id,
    b.tech_id as other_tech_id,
from keyed as a
inner join keyed as b
    on a.customer_key = b.customer_key
    and a.lead_type = b.lead_type
    and a.lead_id < b.lead_id
    and abs(date_diff('day', a.submitted_at, b.submitted_at)) <= 30
order by a.submitted_at, a.lead_id

-- The sets every metric counts over, each defined once as a table macro taking the period, the
-- filter lists (an empty list means all) and the access scope (the branches the person asking may
-- see, NULL for every branch: see lb_in_scope). The scope is a required argument, so a query
-- cannot count over a set without saying whose it is.

-- The cohort: leads submitted in the period that pass the filters; one row per lead.
create or replace macro lb_cohort(period_start, period_end, branches, lead_types, techs, scope) as table
select *
from stg_leads
where submitted_at between period_start and period_end
    and lb_selected(branches, branch)
    and lb_selected(lead_types, lead_type)
    and lb_selected(techs, tech_id)
    and lb_in_scope(scope, branch);

-- Leads closed (won or lost) in the period, whatever month they were submitted; one row per lead.
create or replace macro lb_closed(period_start, period_end, branches, lead_types, techs, scope) as table
select *
from stg_leads
where status in ('won', 'lost')
    and closed_at between period_start and period_end
    and lb_selected(branches, branch)
    and lb_selected(lead_types, lead_type)
    and lb_selected(techs, tech_id)
    and lb_in_scope(scope, branch);

-- Deals won in the period: leads won with their close date in it; one row per lead.
create or replace macro lb_deals_won(period_start, period_end, branches, lead_types, techs, scope) as table
select *
from lb_closed(period_start, period_end, branches, lead_types, techs, scope)
where status = 'won';

-- Rewards paid in the period (clawbacks negative); one row per payout.
create or replace macro lb_payouts_paid(period_start, period_end, branches, lead_types, techs, scope) as table
select *
from stg_payouts
where paid_on between period_start and period_end
    and lb_selected(branches, branch)
    and lb_selected(lead_types, lead_type)
    and lb_selected(techs, tech_id)
    and lb_in_scope(scope, branch);

-- The open backlog at the period's end: leads submitted by then and not yet won or lost.
create or replace macro lb_backlog(period_end, branches, lead_types, techs, scope) as table
select *
from stg_leads
where submitted_at <= period_end
    and status not in ('won', 'lost')
    and lb_selected(branches, branch)
    and lb_selected(lead_types, lead_type)
    and lb_selected(techs, tech_id)
    and lb_in_scope(scope, branch);

-- Leads waiting for sales' first call at the as-of date: in the backlog at the period's end, still
-- open, never contacted, submitted by the as-of date; one row per lead.
create or replace macro lb_awaiting_contact(as_of, period_end, branches, lead_types, techs, scope) as table
select *
from lb_backlog(period_end, branches, lead_types, techs, scope)
where status = 'open'
    and contacted_at is null
    and submitted_at <= as_of;

-- A tech as people read a list of leads: the name (the ID when the name is missing), with the ID
-- added when two techs in the same list share the name. A window over the query's rows, so it is
-- computed before any limit; leadbridge.values.tech_labels is the same rule for frames.
create or replace macro lb_tech_label(tech_name, tech_id) as
    case
        when min(tech_id) over (partition by coalesce(tech_name, tech_id))
            <> max(tech_id) over (partition by coalesce(tech_name, tech_id))
            then coalesce(tech_name, tech_id) || ' (' || tech_id || ')'
        else coalesce(tech_name, tech_id)
    end;

-- The latest date anywhere in the data (submissions, contacts, closes, payouts): the as-of date's
-- upper bound and the end of the data's span (kept in stg_span).
create or replace macro lb_latest_date() as (
    select last_date from stg_span
);

-- A lead's value on the dimension a breakdown asks for: branch, lead_type, sales_rep or tech_id.
create or replace macro lb_dimension_value(dimension, branch, lead_type, sales_rep, tech_id) as (
    case dimension
        when 'branch' then branch
        when 'lead_type' then lead_type
        when 'sales_rep' then coalesce(sales_rep, 'Unassigned')
        when 'tech_id' then tech_id
    end
);

-- The techs a person with this scope may see: those with a lead, a payout or service jobs in one
-- of the scope's branches, or on its roster (stg_tech_branches); one row per tech.
create or replace macro lb_scope_techs(scope) as table
select distinct tech_id from stg_tech_branches where lb_in_scope(scope, branch);

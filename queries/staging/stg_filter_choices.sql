-- What the sidebar filters offer: every branch, lead type and tech in the data; one row per
-- choice. Stored as a table after each import: every page view asks for it.
select 'branch' as kind, branch as value, branch as label, from (select distinct branch from stg_leads)
union all
select 'lead_type', lead_type, lead_type, from (select distinct lead_type from stg_leads)
union all
select 'tech', tech_id, tech_name || ' (' || tech_id || ')', from stg_techs
order by kind, label
